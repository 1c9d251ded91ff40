//! GPU workers on demand (`[[autoscale.pools]]`): jobs that wait for a
//! capability make the server start `aima worker` processes (the `local`
//! provider) or run a pool's commands (the `command` provider), up to the
//! pool's limit; the workers stop when idle; every start, stop and failure
//! reaches the audit log, the webhooks and `/metrics`. A provider that
//! fails, hangs or starts a worker that never connects backs off (and with
//! `fallback = "cpu"` the jobs run on the CPU workers); of two servers on
//! one database only one acts; a restarted server finds the workers its
//! predecessor started instead of starting more.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use aima_autoscale::PoolConfig;
use serde_json::{json, Value};

use crate::helpers::*;

fn pool(v: Value) -> PoolConfig {
    serde_json::from_value(v).expect("a pool as a configuration file gives it")
}

/// A `local` pool whose workers are this build's `aima worker`, each on a
/// data folder under `dir`.
fn local_pool(name: &str, capability: &str, max_workers: usize, dir: &Path) -> PoolConfig {
    pool(json!({
        "name": name,
        "capability": capability,
        "provider": "local",
        "max_workers": max_workers,
        "queue_wait_seconds": 0,
        "idle_stop_seconds": 3,
        "connect_timeout_seconds": 60,
        "program": env!("CARGO_BIN_EXE_aima"),
        "env": {
            "AIMA_CONFIG": "/nonexistent",
            "AIMA__DATA_DIR": dir.join(name).display().to_string(),
            "AIMA__WORKERS__LEASE_SECONDS": "4",
            "AIMA__WORKERS__HEARTBEAT_SECONDS": "1",
            "AIMA__WORKERS__POLL_INTERVAL_MS": "100",
            "RUST_LOG": "info",
        },
    }))
}

/// A server with these pools, looking at the queue every 200 ms, with one
/// in-process worker (no capability) beside them.
async fn server(backend: Backend, pools: Vec<PoolConfig>) -> TestApp {
    let data = tempfile::tempdir().expect("tempdir");
    let db = fresh_database(backend, data.path()).await;
    start_app(server_config(data.path(), db, pools), data).await
}

fn server_config(data: &Path, db: String, pools: Vec<PoolConfig>) -> aima::config::Config {
    let mut config = test_config(data, db, &Options::default());
    config.autoscale.pools = pools;
    config.autoscale.interval_ms = 200;
    config.webhooks.allow_private = true;
    config
}

/// `GET /api/v1/workers`' `provisioned` (newest first).
async fn provisioned(app: &TestApp) -> Vec<Value> {
    let (s, v) = app.get_json("/api/v1/workers").await;
    assert_eq!(s, 200, "{v}");
    v["provisioned"].as_array().cloned().unwrap_or_default()
}

fn live(p: &[Value]) -> usize {
    p.iter()
        .filter(|w| w["state"] == "starting" || w["state"] == "running")
        .count()
}

/// Polls `provisioned` until `done` holds of it.
async fn wait_provisioned(
    app: &TestApp,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let p = provisioned(app).await;
        if done(&p) {
            return p;
        }
        assert!(Instant::now() < until, "never {what}: {p:#?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A media to run jobs on (its own upload job done).
async fn media(app: &TestApp) -> String {
    let image = png_image(app.data.path(), "m.png");
    let (up, job) = app
        .upload_and_wait(&image, "?pipeline=probe", Duration::from_secs(60))
        .await;
    assert_eq!(job["state"], "succeeded", "{job}");
    up["id"].as_str().unwrap_or_default().to_string()
}

/// Queues `n` probe jobs whose stage requires `capability`.
async fn queue(app: &TestApp, media: &str, capability: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let job = app
            .post_job(media, json!([{"name": "probe", "requires": capability}]))
            .await;
        assert_eq!(job["state"], "queued", "{job}");
        ids.push(job["id"].as_str().unwrap_or_default().to_string());
    }
    ids
}

async fn states(app: &TestApp, ids: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        let (_, j) = app.get_json(&format!("/api/v1/jobs/{id}")).await;
        out.push(j["state"].as_str().unwrap_or_default().to_string());
    }
    out
}

/// A webhook of the default (admin) workspace that follows `events`; its
/// deliveries are read back (the receiver need not answer).
async fn webhook(app: &TestApp, events: &[&str]) -> String {
    let r = app
        .client
        .post(app.url("/api/v1/webhooks"))
        .json(&json!({
            "url": "http://127.0.0.1:9/hook",
            "events": events,
            "secret": "0123456789abcdef",
        }))
        .send()
        .await
        .expect("create webhook");
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().await.unwrap_or_default();
    v["id"].as_str().unwrap_or_default().to_string()
}

/// [`webhook`] for the worker events.
async fn worker_webhook(app: &TestApp) -> String {
    webhook(
        app,
        &["worker.started", "worker.stopped", "provision.failed"],
    )
    .await
}

/// The events of a webhook's deliveries, counted by name.
async fn delivered(app: &TestApp, hook: &str) -> std::collections::BTreeMap<String, usize> {
    let (s, v) = app
        .get_json(&format!("/api/v1/webhooks/{hook}/deliveries?limit=100"))
        .await;
    assert_eq!(s, 200, "{v}");
    let mut counts = std::collections::BTreeMap::new();
    for d in v["items"].as_array().cloned().unwrap_or_default() {
        *counts
            .entry(d["event"].as_str().unwrap_or_default().to_string())
            .or_insert(0) += 1;
    }
    counts
}

async fn audited(app: &TestApp, action: &str) -> Vec<Value> {
    let (s, v) = app
        .get_json(&format!("/api/v1/audit?action={action}&limit=100"))
        .await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().cloned().unwrap_or_default()
}

/// 20 jobs wait for `gpu`: the server starts `aima worker` processes up to
/// the pool's limit of 2 (never a third), they run every job, and exit once
/// idle; the audit log, the webhook's deliveries, `GET /api/v1/workers` and
/// `/metrics` show each start and stop.
#[tokio::test]
async fn waiting_jobs_start_workers_up_to_the_limit_and_idle_workers_stop() {
    for backend in backends() {
        let dirs = tempfile::tempdir().expect("tempdir");
        let pool_name = format!("gpu-{}", if backend == Backend::Sqlite { "a" } else { "b" });
        let app = server(backend, vec![local_pool(&pool_name, "gpu", 2, dirs.path())]).await;
        let hook = worker_webhook(&app).await;
        let media = media(&app).await;
        assert!(provisioned(&app).await.is_empty(), "nothing waited yet");

        let ids = queue(&app, &media, "gpu", 20).await;
        let until = Instant::now() + Duration::from_secs(120);
        let mut most = 0;
        loop {
            most = most.max(live(&provisioned(&app).await));
            let s = states(&app, &ids).await;
            if s.iter().all(|s| s == "succeeded") {
                break;
            }
            assert!(
                s.iter()
                    .all(|s| s == "queued" || s == "running" || s == "succeeded"),
                "{s:?}"
            );
            assert!(
                Instant::now() < until,
                "the jobs did not finish: {s:?} {:#?}",
                provisioned(&app).await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(most, 2, "{backend:?}: workers running at once");
        let p = provisioned(&app).await;
        assert_eq!(p.len(), 2, "{backend:?}: started in all: {p:#?}");
        for w in &p {
            assert_eq!(w["pool"], pool_name.as_str());
            assert_eq!(w["capability"], "gpu");
            assert_eq!(w["provider"], "local");
            assert!(w["connected_at"].is_i64(), "{w}");
        }

        // Each announced itself and is listed as the provisioner's.
        let (_, workers) = app.get_json("/api/v1/workers").await;
        let ours: Vec<&Value> = workers["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|w| w["started_by"] == "autoscale")
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(ours.len(), 2, "{workers:#}");
        assert!(
            ours.iter()
                .all(|w| w["pool"] == pool_name.as_str() && w["capabilities"] == json!(["gpu"])),
            "{workers:#}"
        );

        // Idle for 3 s: both stop, and their tokens are revoked.
        let p = wait_provisioned(&app, "stopped", |p| {
            p.iter().all(|w| w["state"] == "stopped")
        })
        .await;
        for w in &p {
            let reason = w["reason"].as_str().unwrap_or_default();
            assert!(reason == "exited" || reason == "idle", "{w}");
        }

        assert_eq!(audited(&app, "worker.started").await.len(), 2);
        assert_eq!(audited(&app, "worker.stopped").await.len(), 2);
        assert!(audited(&app, "provision.failed").await.is_empty());
        let events = delivered(&app, &hook).await;
        assert_eq!(events.get("worker.started"), Some(&2), "{events:?}");
        assert_eq!(events.get("worker.stopped"), Some(&2), "{events:?}");
        let metrics = app.get_text("/metrics").await;
        let started = format!("aima_autoscale_workers_started_total{{pool=\"{pool_name}\"}} 2");
        let stopped = format!("aima_autoscale_workers_stopped_total{{pool=\"{pool_name}\"}} 2");
        assert!(
            metrics.contains(&started) && metrics.contains(&stopped),
            "{metrics}"
        );
    }
}

/// Providers that fail: a start command that exits 1 (its pool falls back
/// to the CPU worker), one that hangs (killed at its timeout; its job
/// waits, and says why), one that starts nothing that ever connects
/// (failed after the connect timeout, and its stop command runs). Each
/// fails once, then backs off instead of trying again at every turn.
#[tokio::test]
async fn failing_providers_back_off_and_fall_back_to_the_cpu_where_configured() {
    let dirs = tempfile::tempdir().expect("tempdir");
    let stopped = dirs.path().join("stopped");
    let command = |name: &str, cap: &str, start: &str, extra: Value| {
        let mut v = json!({
            "name": name,
            "capability": cap,
            "provider": "command",
            "queue_wait_seconds": 0,
            "backoff_seconds": 600,
            "connect_timeout_seconds": 2,
            "command_timeout_seconds": 1,
            "start": start,
            "stop": format!("echo \"$AIMA_WORKER_ID $AIMA_WORKER_NAME\" >> {}", stopped.display()),
        });
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        pool(v)
    };
    let app = server(
        Backend::Sqlite,
        vec![
            command(
                "broken",
                "gpu",
                "echo no GPU here >&2; exit 1",
                json!({"fallback": "cpu"}),
            ),
            command("hangs", "big", "sleep 30", json!({})),
            // Prints an id and starts nothing; a token it was given is in
            // its environment, so it is checked too.
            command(
                "ghost",
                "ghost",
                "test -n \"$AIMA_WORKER_TOKEN\" && echo ghost-1",
                json!({}),
            ),
        ],
    )
    .await;
    let hook = worker_webhook(&app).await;
    let media = media(&app).await;
    let gpu = queue(&app, &media, "gpu", 3).await;
    let big = queue(&app, &media, "big", 1).await;
    let ghost = queue(&app, &media, "ghost", 1).await;

    // The broken pool's jobs run on the CPU worker.
    for id in &gpu {
        let job = app.wait_job(id, Duration::from_secs(60)).await;
        assert_eq!(job["state"], "succeeded", "{job}");
        assert!(
            job["stages"][0].get("requires").is_none(),
            "no longer requires gpu: {job}"
        );
    }
    let p = wait_provisioned(&app, "failed three times", |p| {
        p.len() == 3 && p.iter().all(|w| w["state"] == "failed")
    })
    .await;
    let reason = |pool: &str| {
        p.iter()
            .find(|w| w["pool"] == pool)
            .and_then(|w| w["reason"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert!(reason("broken").contains("no GPU here"), "{p:#?}");
    assert!(reason("hangs").contains("timed out"), "{p:#?}");
    assert!(reason("ghost").contains("never connected"), "{p:#?}");
    let stops = std::fs::read_to_string(&stopped).unwrap_or_default();
    assert!(
        stops.lines().any(|l| l.starts_with("ghost-1 ghost-")),
        "{stops:?}"
    );

    // Backing off: no second start of any of them, and the jobs without a
    // fallback wait.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(provisioned(&app).await.len(), 3);
    assert_eq!(states(&app, &big).await, ["queued"]);
    assert_eq!(states(&app, &ghost).await, ["queued"]);
    assert_eq!(audited(&app, "provision.failed").await.len(), 3);
    let events = delivered(&app, &hook).await;
    assert_eq!(events.get("provision.failed"), Some(&3), "{events:?}");
    // The ghost was started (then failed); the others never started.
    assert_eq!(events.get("worker.started"), Some(&1), "{events:?}");
    assert_eq!(events.get("worker.stopped"), Some(&1), "{events:?}");
}

/// Two servers on one database and data folder, each configured with the
/// same pool of at most one worker, whose workers reach the second server
/// (as workers reach a load balancer in front of several): only the server
/// holding the lease starts one. When that server stops, its worker runs
/// on; the other takes the lease over, finds the worker by its process and
/// its heartbeats, and starts no second one.
#[tokio::test]
async fn of_two_servers_one_provisions_and_a_successor_finds_its_workers() {
    for backend in backends() {
        let dirs = tempfile::tempdir().expect("tempdir");
        let mut pool = local_pool("solo", "gpu", 1, dirs.path());
        // Long enough to outlive the first server's shutdown below.
        pool.idle_stop_seconds = 20;
        let data = tempfile::tempdir().expect("tempdir");
        let db = fresh_database(backend, data.path()).await;
        let stayer_port = free_port();
        let mut config = server_config(data.path(), db.clone(), vec![pool.clone()]);
        config.autoscale.server_url = format!("http://127.0.0.1:{stayer_port}");
        // The first server takes the lease before the second exists.
        let mut first = start_app(config.clone(), tempfile::tempdir().expect("tempdir")).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        config.server.listen = format!("127.0.0.1:{stayer_port}");
        let second = start_app(config, tempfile::tempdir().expect("tempdir")).await;
        let media = media(&second).await;
        let ids = queue(&second, &media, "gpu", 10).await;
        for id in &ids {
            let job = second.wait_job(id, Duration::from_secs(120)).await;
            assert_eq!(job["state"], "succeeded", "{job}");
        }
        let p = provisioned(&second).await;
        assert_eq!(
            p.len(),
            1,
            "{backend:?}: one worker for both servers: {p:#?}"
        );
        assert_eq!(p[0]["state"], "running", "{p:#?}");
        let worker = p[0]["name"].as_str().unwrap_or_default().to_string();

        // The leader goes; its worker stays, and the successor uses it.
        first.stop().await;
        let more = queue(&second, &media, "gpu", 5).await;
        for id in &more {
            let job = second.wait_job(id, Duration::from_secs(120)).await;
            assert_eq!(job["state"], "succeeded", "{job}");
        }
        let p = provisioned(&second).await;
        let names: HashSet<&str> = p.iter().filter_map(|w| w["name"].as_str()).collect();
        assert_eq!(
            names,
            HashSet::from([worker.as_str()]),
            "{backend:?}: no duplicate: {p:#?}"
        );
        let p = wait_provisioned(&second, "stopped when idle", |p| {
            p.iter().all(|w| w["state"] == "stopped")
        })
        .await;
        assert_eq!(p.len(), 1, "{p:#?}");
    }
}

/// The command provider's happy path: `start` runs a worker on the database
/// in the background and prints its process id, `list` tells which still
/// run, `stop` kills one. The worker announces itself by the name it was
/// given (no token needed beside the database), runs the jobs, and is
/// stopped by the pool's `stop` once idle.
#[tokio::test]
async fn a_command_pool_runs_its_commands_and_stops_idle_workers() {
    for backend in backends() {
        let data = tempfile::tempdir().expect("tempdir");
        let db = fresh_database(backend, data.path()).await;
        let dir = data.path().join("cmd");
        std::fs::create_dir_all(&dir).expect("dir");
        // The worker shares the server's database and data folder (its blobs).
        let (d, w) = (dir.display(), data.path().display().to_string());
        let aima = env!("CARGO_BIN_EXE_aima");
        let start = format!(
            "AIMA_CONFIG=/nonexistent AIMA__WORKERS__POLL_INTERVAL_MS=100 AIMA__WORKERS__HEARTBEAT_SECONDS=1 \
             {aima} worker --database '{db}' --data-dir '{w}' --name \"$AIMA_WORKER_NAME\" --capability cmdgpu \
             --exit-when-idle 120s > '{d}'/\"$AIMA_WORKER_NAME\".log 2>&1 & \
             echo $! > '{d}'/\"$AIMA_WORKER_NAME\".pid; echo $!"
        );
        let list = format!(
            "for f in '{d}'/*.pid; do p=$(cat \"$f\"); kill -0 \"$p\" 2>/dev/null && echo \"$p\"; done; true"
        );
        let pool = pool(json!({
            "capability": "cmdgpu",
            "provider": "command",
            "queue_wait_seconds": 0,
            "idle_stop_seconds": 2,
            "connect_timeout_seconds": 60,
            "start": start,
            "stop": "kill \"$AIMA_WORKER_ID\"",
            "list": list,
        }));
        let app = start_app(server_config(data.path(), db, vec![pool]), data).await;
        let media = media(&app).await;
        for id in queue(&app, &media, "cmdgpu", 3).await {
            let job = app.wait_job(&id, Duration::from_secs(60)).await;
            assert_eq!(job["state"], "succeeded", "{job}");
        }
        let p = wait_provisioned(&app, "stopped by its stop command", |p| {
            !p.is_empty() && p.iter().all(|w| w["state"] == "stopped")
        })
        .await;
        assert_eq!(p.len(), 1, "{backend:?}: {p:#?}");
        assert_eq!(p[0]["reason"], "idle", "{p:#?}");
        assert!(
            p[0]["connected_at"].is_i64(),
            "announced by its name: {p:#?}"
        );
        let pid = std::fs::read_to_string(
            dir.join(format!("{}.pid", p[0]["name"].as_str().unwrap_or_default())),
        )
        .unwrap_or_default();
        // Gone (or a zombie waiting for whoever adopted it) within 20 s of
        // its SIGTERM.
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()));
            match stat {
                Err(_) => break,
                Ok(s)
                    if s.rsplit(')')
                        .next()
                        .is_some_and(|r| r.trim_start().starts_with('Z')) =>
                {
                    break
                }
                Ok(_) => {}
            }
            assert!(
                Instant::now() < until,
                "{backend:?}: worker {pid} still runs"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A monthly budget in money reached mid-queue: GPU time priced at one
/// euro a second against a budget of two, 30 jobs waiting, a pool of one
/// worker, two servers on the database. The warning and the exhaustion
/// are each sent once; then no job needing a GPU is dispatched and no
/// worker is started, jobs stay queued, and `GET /api/v1/usage` shows the
/// month's cost, the budget, the forecast and why dispatching stopped; the
/// CSV export has the cost per workspace and capability.
#[tokio::test]
async fn a_monthly_budget_reached_mid_queue_stops_gpu_work_and_says_so_once() {
    for backend in backends() {
        let dirs = tempfile::tempdir().expect("tempdir");
        let data = tempfile::tempdir().expect("tempdir");
        let db = fresh_database(backend, data.path()).await;
        let mut config = server_config(
            data.path(),
            db,
            vec![local_pool("paid", "gpu", 1, dirs.path())],
        );
        config.billing.currency = "EUR".into();
        config.billing.price_per_hour.insert("gpu".into(), 3600.0);
        config.billing.monthly_budget = 2.0;
        config.billing.time_zone = "Europe/Berlin".into();
        config.billing.interval_ms = 200;
        let app = start_app(config.clone(), data).await;
        // A second server on the same database runs its own monitor.
        let _twin = start_app(config, tempfile::tempdir().expect("tempdir")).await;
        let hook = worker_webhook(&app).await;
        let budget_hook = webhook(&app, &["budget.warning", "budget.exhausted"]).await;
        let media = media(&app).await;
        let ids = queue(&app, &media, "gpu", 30).await;

        // Spent: the exhaustion arrives while jobs still wait.
        let until = Instant::now() + Duration::from_secs(120);
        loop {
            if delivered(&app, &budget_hook)
                .await
                .contains_key("budget.exhausted")
            {
                break;
            }
            let s = states(&app, &ids).await;
            assert!(
                s.iter().any(|s| s != "succeeded"),
                "{backend:?}: every job ran and the budget was never spent"
            );
            assert!(Instant::now() < until, "{backend:?}: never exhausted");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
        let before = states(&app, &ids).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let after = states(&app, &ids).await;
        let done = |s: &[String]| s.iter().filter(|s| *s == "succeeded").count();
        assert_eq!(
            done(&before),
            done(&after),
            "{backend:?}: dispatched past the budget"
        );
        assert!(
            after.iter().any(|s| s == "queued"),
            "{backend:?}: {after:?}"
        );
        let events = delivered(&app, &budget_hook).await;
        assert_eq!(events.get("budget.warning"), Some(&1), "{events:?}");
        assert_eq!(events.get("budget.exhausted"), Some(&1), "{events:?}");
        // The worker that ran stops when idle; none is started for the
        // jobs that wait.
        wait_provisioned(&app, "stopped", |p| {
            !p.is_empty() && p.iter().all(|w| w["state"] == "stopped")
        })
        .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let p = provisioned(&app).await;
        assert_eq!(
            live(&p),
            0,
            "{backend:?}: a worker started past the budget: {p:#?}"
        );
        assert_eq!(delivered(&app, &hook).await.get("worker.started"), Some(&1));

        let (s, usage) = app.get_json("/api/v1/usage").await;
        assert_eq!(s, 200, "{usage}");
        let m = &usage["month"];
        assert_eq!(m["currency"], "EUR", "{usage:#}");
        assert_eq!(m["budget"], 2.0, "{usage:#}");
        assert_eq!(m["time_zone"], "Europe/Berlin");
        let cost = m["cost"].as_f64().unwrap_or_default();
        assert!(cost >= 2.0, "{usage:#}");
        assert!(
            m["forecast"].as_f64().unwrap_or_default() >= cost,
            "{usage:#}"
        );
        assert_eq!(m["dispatching"], false, "{usage:#}");
        assert!(
            m["blocked"].as_str().is_some_and(|b| b.contains("budget")),
            "{usage:#}"
        );
        assert_eq!(m["workspaces"][0]["workspace"], "default", "{usage:#}");
        assert_eq!(m["capabilities"][0]["price_per_hour"], 3600.0, "{usage:#}");

        let csv = app
            .client
            .get(app.url("/api/v1/usage?format=csv"))
            .send()
            .await
            .expect("csv");
        assert_eq!(csv.status().as_u16(), 200);
        assert!(csv
            .headers()
            .get("content-type")
            .is_some_and(|c| c.to_str().unwrap_or_default().starts_with("text/csv")));
        let csv = csv.text().await.unwrap_or_default();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "month,workspace,capability,hours,price_per_hour,cost,currency"
        );
        assert_eq!(lines.len(), 2, "{csv}");
        let cols: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(
            (cols[1], cols[2], cols[6]),
            ("default", "gpu", "EUR"),
            "{csv}"
        );
        assert!(
            cols[5]
                .parse::<f64>()
                .is_ok_and(|c| (c - cost).abs() < 0.01),
            "{csv} {cost}"
        );
        // Another workspace sees its own cost (none), not the server's.
        let key = create_key(&app, "team-b");
        let other: Value = app
            .client
            .get(app.url("/api/v1/usage"))
            .bearer_auth(&key)
            .send()
            .await
            .expect("usage")
            .json()
            .await
            .unwrap_or_default();
        let m = &other["month"];
        assert_eq!(m["cost"], 0.0, "{other:#}");
        assert!(
            m["budget"].is_null() && m["dispatching"].is_null() && m["blocked"].is_null(),
            "{other:#}"
        );
        assert_eq!(m["workspaces"], json!([]), "{other:#}");
        assert!(other["server"].is_null(), "{other:#}");
        let csv = app
            .client
            .get(app.url("/api/v1/usage?format=csv"))
            .bearer_auth(&key)
            .send()
            .await
            .expect("csv")
            .text()
            .await
            .unwrap_or_default();
        assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
        for bad in ["?month=2026-13", "?month=last", "?format=xml"] {
            let (s, v) = app.get_json(&format!("/api/v1/usage{bad}")).await;
            assert_eq!(
                (s, v["error"]["code"].as_str()),
                (400, Some("invalid_parameter")),
                "{bad}: {v}"
            );
        }
    }
}

/// Without prices nothing costs anything: no `month` in the usage, a CSV of
/// its header alone, and a month still checked as with prices.
#[tokio::test]
async fn usage_without_prices_has_no_month_and_an_empty_csv() {
    let app = spawn_with(Options::default()).await;
    let (s, v) = app.get_json("/api/v1/usage?month=2026-11").await;
    assert_eq!(s, 200, "{v}");
    assert!(v["month"].is_null(), "{v}");
    let csv = app.get_text("/api/v1/usage?format=csv").await;
    assert_eq!(
        csv,
        "month,workspace,capability,hours,price_per_hour,cost,currency\n"
    );
    for bad in ["2026-13", "2026-1", "20x6-01", "2026-00"] {
        let (s, v) = app.get_json(&format!("/api/v1/usage?month={bad}")).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (400, Some("invalid_parameter")),
            "{bad}: {v}"
        );
    }
}
