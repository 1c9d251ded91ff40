//! Workers on demand and budgets in money, over loopback on SQLite:
//!
//! - how long a job needing a GPU waits when no worker runs and the
//!   provisioner starts one (`[[autoscale.pools]]`, the `local` provider, as
//!   shipped: a look at the queue every 2 s), from queued to the worker
//!   started, the job claimed (the worker claims as it connects) and done;
//!   beside the same job on
//!   an always-on remote worker (the way it is done without the
//!   provisioner), in one run;
//! - the cost report of a synthetic month (three workspaces, GPU leases of
//!   30 s to 10 min all month, one across the month's end, priced at
//!   0.40 EUR an hour in Europe/Berlin): what `GET /api/v1/usage?month=`
//!   says, and how long it and the CSV export take at 3,600 and 100,000
//!   leases a month.
//!
//! Run with `bash scripts/bench-autoscale.sh`, which writes the tables into
//! BENCHMARKS.md.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use aima::app::start_server;
use aima::config::Config;
use common::{percentile, write_table};
use serde_json::{json, Value};

const ROUNDS: usize = 5;

fn config(dir: &Path) -> Config {
    let mut cfg = Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    cfg.server.listen = "127.0.0.1:0".into();
    cfg.database.url = format!("sqlite://{}", dir.join("aima.db").display());
    cfg.models.dir = dir.join("models");
    cfg.workers.count = 0;
    cfg
}

fn image(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("frame.png");
    let ok = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=teal:s=64x64",
            "-frames:v",
            "1",
        ])
        .arg(&path)
        .status()
        .expect("ffmpeg");
    assert!(ok.success());
    path
}

async fn get(client: &reqwest::Client, url: String) -> Value {
    client
        .get(url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .unwrap_or_default()
}

/// Uploads the image (no job) and returns the media's id.
async fn media(client: &reqwest::Client, base: &str, dir: &Path) -> String {
    let r: Value = client
        .post(format!("{base}/api/v1/media?pipeline=probe"))
        .body(std::fs::read(image(dir)).expect("image"))
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .unwrap_or_default();
    r["id"].as_str().unwrap_or_default().to_string()
}

/// Queues a GPU job and waits for its end; (claimed, done) in ms after it
/// was queued, by the server's clock.
async fn gpu_job(client: &reqwest::Client, base: &str, media: &str) -> (f64, f64) {
    let job: Value = client
        .post(format!("{base}/api/v1/jobs"))
        .json(&json!({"media_id": media, "pipeline": [{"name": "probe", "requires": "gpu"}]}))
        .send()
        .await
        .expect("job")
        .json()
        .await
        .unwrap_or_default();
    let id = job["id"].as_str().unwrap_or_default().to_string();
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let j = get(client, format!("{base}/api/v1/jobs/{id}")).await;
        if j["state"] == "succeeded" {
            let created = j["created_at"].as_f64().unwrap_or_default();
            return (
                j["started_at"].as_f64().unwrap_or_default() - created,
                j["finished_at"].as_f64().unwrap_or_default() - created,
            );
        }
        assert!(Instant::now() < until, "the job never ran: {j}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn cell(v: &[f64]) -> String {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    format!(
        "{:.2} / {:.2}",
        percentile(&v, 0.5) / 1000.0,
        v.last().copied().unwrap_or_default() / 1000.0
    )
}

async fn on_demand(aima: &str) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cfg = config(dir.path());
    cfg.autoscale.pools = vec![serde_json::from_value(json!({
        "capability": "gpu",
        "provider": "local",
        "queue_wait_seconds": 0,
        "idle_stop_seconds": 2,
        "program": aima,
        "env": {
            "AIMA_CONFIG": "/nonexistent",
            "AIMA__DATA_DIR": dir.path().join("worker").display().to_string(),
            "RUST_LOG": "warn",
        },
    }))
    .expect("pool")];
    let running = start_server(cfg).await.expect("server");
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::new();
    let media = media(&client, &base, dir.path()).await;
    let (mut started, mut claimed, mut done) = (vec![], vec![], vec![]);
    for round in 0..ROUNDS {
        let queued = aima_store::now_ms() as f64;
        let (c, d) = gpu_job(&client, &base, &media).await;
        let workers = get(&client, format!("{base}/api/v1/workers")).await;
        let w = &workers["provisioned"][0];
        started.push(w["started_at"].as_f64().unwrap_or_default() - queued);
        claimed.push(c);
        done.push(d);
        // Wait for it to stop when idle, so that the next round starts one.
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let p = get(&client, format!("{base}/api/v1/workers")).await;
            let all = p["provisioned"].as_array().cloned().unwrap_or_default();
            if all.len() == round + 1 && all.iter().all(|w| w["state"] == "stopped") {
                break;
            }
            assert!(Instant::now() < until, "the worker did not stop: {p}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    running.shutdown.cancel();
    let _ = running.task.await;
    format!(
        "| on demand: `local` provider, started per job | {ROUNDS} | {} | {} | {} |\n",
        cell(&started),
        cell(&claimed),
        cell(&done)
    )
}

async fn always_on(aima: &str) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = config(dir.path());
    let db = cfg.database.url.clone();
    let running = start_server(cfg).await.expect("server");
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::new();
    let media = media(&client, &base, dir.path()).await;
    let out = std::process::Command::new(aima)
        .args([
            "admin",
            "create-worker-token",
            "--name",
            "bench",
            "--workspace",
            "default",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--database", &db])
        .env("AIMA_CONFIG", "/nonexistent")
        .output()
        .expect("token");
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let mut worker = tokio::process::Command::new(aima)
        .args([
            "worker",
            "--server",
            &base,
            "--capability",
            "gpu",
            "--data-dir",
        ])
        .arg(dir.path().join("worker"))
        .env("AIMA_CONFIG", "/nonexistent")
        .env("AIMA_WORKER_TOKEN", token)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("worker");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (mut claimed, mut done) = (vec![], vec![]);
    for _ in 0..ROUNDS {
        let (c, d) = gpu_job(&client, &base, &media).await;
        claimed.push(c);
        done.push(d);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let _ = worker.kill().await;
    running.shutdown.cancel();
    let _ = running.task.await;
    format!(
        "| always on: a remote worker waiting (long poll) | {ROUNDS} | — | {} | {} |\n",
        cell(&claimed),
        cell(&done)
    )
}

/// A synthetic month of GPU leases, straight into the database: `per_day`
/// leases a day over three workspaces, 30 s to 10 min each, by a seeded
/// generator, and one lease from the last evening of the month into the
/// next.
async fn synthetic_month(db: &str, per_day: usize) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(db).await.expect("db");
    // November 2026 in Europe/Berlin: 2026-10-31T23:00Z to 2026-11-30T23:00Z.
    let from = 1_793_487_600_000_i64;
    let mut seed = 42_u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as i64
    };
    let workspaces = ["news", "research", "archive"];
    let mut tx = conn.begin().await.expect("tx");
    for day in 0..30 {
        for i in 0..per_day {
            let start = from + day * 86_400_000 + next() % 86_000_000;
            let len = 30_000 + next() % 570_000;
            let ws = workspaces[(i + (next() % 7) as usize) % 3];
            sqlx::query("INSERT INTO usage_spans (id, workspace_id, worker, capability, started_at, ended_at) VALUES ($1, $2, 'gpu-1', 'gpu', $3, $4)")
                .bind(format!("{day}-{i}"))
                .bind(ws)
                .bind(start)
                .bind(start + len)
                .execute(&mut *tx)
                .await
                .expect("span");
        }
    }
    // 23:00 to 01:00 Berlin time across the month's end: one hour in each.
    let end = 1_796_079_600_000_i64;
    sqlx::query("INSERT INTO usage_spans (id, workspace_id, worker, capability, started_at, ended_at) VALUES ('across', 'news', 'gpu-1', 'gpu', $1, $2)")
        .bind(end - 3_600_000)
        .bind(end + 3_600_000)
        .execute(&mut *tx)
        .await
        .expect("span");
    tx.commit().await.expect("commit");
}

async fn cost_report(per_day: usize) -> (String, Value) {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cfg = config(dir.path());
    cfg.billing.price_per_hour.insert("gpu".into(), 0.40);
    cfg.billing.monthly_budget = 50.0;
    cfg.billing.time_zone = "Europe/Berlin".into();
    let db = cfg.database.url.clone();
    let running = start_server(cfg).await.expect("server");
    synthetic_month(&db, per_day).await;
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::new();
    let mut json_ms = vec![];
    let mut csv_ms = vec![];
    let mut report = Value::Null;
    for _ in 0..10 {
        let t = Instant::now();
        report = get(&client, format!("{base}/api/v1/usage?month=2026-11")).await;
        json_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let csv = client
            .get(format!("{base}/api/v1/usage?month=2026-11&format=csv"))
            .send()
            .await
            .expect("csv")
            .text()
            .await
            .unwrap_or_default();
        csv_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(csv.lines().count(), 4, "{csv}");
    }
    running.shutdown.cancel();
    let _ = running.task.await;
    json_ms.sort_by(f64::total_cmp);
    csv_ms.sort_by(f64::total_cmp);
    let m = &report["month"];
    let line = format!(
        "| {} | {:.1} | {:.2} {} | {:.1} / {:.1} | {:.1} / {:.1} |\n",
        per_day * 30 + 1,
        m["capabilities"][0]["hours"].as_f64().unwrap_or_default(),
        m["cost"].as_f64().unwrap_or_default(),
        m["currency"].as_str().unwrap_or_default(),
        percentile(&json_ms, 0.5),
        percentile(&json_ms, 0.99),
        percentile(&csv_ms, 0.5),
        percentile(&csv_ms, 0.99),
    );
    (line, report)
}

#[tokio::main]
async fn main() {
    let aima = env!("CARGO_BIN_EXE_aima");
    let mut table = String::from(
        "| GPU job on | rounds | queued → worker started, s (median / max) | → job claimed | → job done |\n|---|---|---|---|---|\n",
    );
    table.push_str(&on_demand(aima).await);
    table.push_str(&always_on(aima).await);
    write_table(
        "autoscale",
        "(SQLite, loopback; the provisioner looks at the queue every 2 s, its default; the job is a probe of a 64×64 PNG)",
        &table,
    );

    let (small, report) = cost_report(120).await;
    let (large, _) = cost_report(3_333).await;
    let m = &report["month"];
    let cur = m["currency"].as_str().unwrap_or_default();
    let mut table = String::from(
        "| leases in the month | GPU hours | cost | `GET /api/v1/usage?month=`, ms (median / p99) | `&format=csv`, ms |\n|---|---|---|---|---|\n",
    );
    table.push_str(&small);
    table.push_str(&large);
    table.push_str(&format!(
        "\nThe report of the first month (budget {:.2} {cur}, forecast {:.2} {cur}: a past month's forecast is its cost): {}.\n",
        m["budget"].as_f64().unwrap_or_default(),
        m["forecast"].as_f64().unwrap_or_default(),
        m["workspaces"]
            .as_array()
            .map(|a| a
                .iter()
                .map(|w| format!(
                    "{} {:.2} {cur}",
                    w["workspace"].as_str().unwrap_or_default(),
                    w["cost"].as_f64().unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join(", "))
            .unwrap_or_default()
    ));
    write_table(
        "billing",
        "(SQLite; three workspaces, GPU leases of 30 s to 10 min spread over November 2026 by a seeded generator, one across the month's end; 0.40 EUR an hour; Europe/Berlin)",
        &table,
    );
}
