//! Activity benchmark, on SQLite and (when given) PostgreSQL, over loopback:
//!
//! - `/log_activity` in batches of 500 from 4 clients, before any mode model
//!   exists and again with one active (every record is then labelled with
//!   its predicted mode as it is stored);
//! - ActivityWatch heartbeats from 16 clients, each its own bucket, the
//!   window changing every third beat (so two of three merge);
//! - the training job on the labelled first half;
//! - `POST /api/v1/modes/predict` from 4 clients: latency percentiles.
//!
//! The records are the generated dataset of `aima_modes::synth` (a month,
//! one sample a minute). Run with `bash scripts/bench-activity.sh`, which
//! writes the table into BENCHMARKS.md.

mod common;

use std::time::{Duration, Instant};

use aima::app::start_server;
use aima::config::Config;
use aima_modes::synth;
use common::{percentile, postgres_db};
use serde_json::{json, Value};

const DAY: i64 = 86_400_000;
const CLIENTS: usize = 4;

struct Row {
    backend: &'static str,
    what: String,
    count: usize,
    seconds: f64,
    latencies_ms: Vec<f64>,
}

impl Row {
    fn line(&self) -> String {
        let mut l = self.latencies_ms.clone();
        l.sort_by(f64::total_cmp);
        let rate = if self.count > 1 {
            format!("{:.0}", self.count as f64 / self.seconds)
        } else {
            "—".into()
        };
        format!(
            "| {} | {} | {} | {} | {:.1} | {:.1} |\n",
            self.backend,
            self.what,
            self.count,
            rate,
            percentile(&l, 0.5),
            percentile(&l, 0.99)
        )
    }
}

/// Midnight of the Monday five weeks ago: the month of data ends before now.
fn monday_weeks_ago() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let midnight = now - now.rem_euclid(DAY);
    let weekday = (midnight / DAY + 3).rem_euclid(7); // 0 = Monday
    midnight - weekday * DAY - 35 * DAY
}

/// Sends `bodies` to `path` from `CLIENTS` clients; latencies in ms.
async fn post_all(
    client: &reqwest::Client,
    url: String,
    bodies: Vec<Value>,
    expect: u16,
) -> (f64, Vec<f64>) {
    let queue = std::sync::Arc::new(std::sync::Mutex::new(bodies));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url, queue) = (client.clone(), url.clone(), queue.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while let Some(body) = queue.lock().ok().and_then(|mut q| q.pop()) {
                let t = Instant::now();
                let r = client.post(&url).json(&body).send().await.expect("request");
                assert_eq!(
                    r.status().as_u16(),
                    expect,
                    "{}",
                    r.text().await.unwrap_or_default()
                );
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client"));
    }
    (t0.elapsed().as_secs_f64(), all)
}

fn batches(samples: &[synth::Sample], host: &str) -> Vec<Value> {
    samples
        .chunks(500)
        .map(|c| {
            let records: Vec<Value> = c
                .iter()
                .map(|s| {
                    let mut r = s.record.clone();
                    r.hostname = Some(host.into());
                    serde_json::to_value(r).unwrap_or_default()
                })
                .collect();
            json!({ "records": records })
        })
        .collect()
}

async fn bench(backend: &'static str, url: String) -> Vec<Row> {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cfg = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    cfg.server.listen = "127.0.0.1:0".into();
    cfg.database.url = url;
    cfg.database.max_connections = 16;
    cfg.workers.count = 1;
    cfg.workers.poll_interval_ms = 100;
    cfg.log.level = "warn".into();
    let running = start_server(cfg).await.expect("server starts");
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::new();
    let mut rows = Vec::new();

    let monday = monday_weeks_ago();
    let ds = synth::generate(monday, 28, 60, 3);
    let half = monday + 14 * DAY;
    let (first, second): (Vec<_>, Vec<_>) =
        ds.samples.iter().cloned().partition(|s| s.timestamp < half);

    let (secs, lat) = post_all(
        &client,
        format!("{base}/log_activity"),
        batches(&first, "bench-a"),
        201,
    )
    .await;
    rows.push(Row {
        backend,
        what: "`/log_activity`, batches of 500, no model".into(),
        count: first.len(),
        seconds: secs,
        latencies_ms: lat,
    });

    for m in synth::MODES {
        client
            .post(format!("{base}/api/v1/modes"))
            .json(&json!({"name": m}))
            .send()
            .await
            .expect("mode");
    }
    let labels: Vec<Value> = ds
        .segments
        .iter()
        .filter(|s| s.start < half)
        .map(|s| json!({"mode": s.mode, "start": s.start, "end": s.end}))
        .collect();
    post_all(
        &client,
        format!("{base}/api/v1/activity/labels"),
        labels,
        200,
    )
    .await;
    let t0 = Instant::now();
    let job: Value = client
        .post(format!("{base}/api/v1/modes/train"))
        .send()
        .await
        .expect("train")
        .json()
        .await
        .expect("job");
    let id = job["id"].as_str().unwrap_or_default().to_string();
    loop {
        let j: Value = client
            .get(format!("{base}/api/v1/jobs/{id}"))
            .send()
            .await
            .expect("job")
            .json()
            .await
            .expect("json");
        match j["state"].as_str() {
            Some("succeeded") => break,
            Some("failed") | Some("cancelled") => panic!("training failed: {j}"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let train_s = t0.elapsed().as_secs_f64();
    let models: Value = client
        .get(format!("{base}/api/v1/modes/models"))
        .send()
        .await
        .expect("models")
        .json()
        .await
        .expect("json");
    let m = &models["items"][0]["metrics"];
    let chosen = m["chosen"].as_str().unwrap_or_default();
    let f1 = m["candidates"]
        .as_array()
        .and_then(|c| c.iter().find(|e| e["algorithm"] == chosen))
        .map(|e| e["macro_f1"].as_f64().unwrap_or(0.0))
        .unwrap_or(0.0);
    rows.push(Row {
        backend,
        what: format!(
            "training job ({} labelled events, 5 candidates × {}-fold CV; chosen {chosen}, macro-F1 {f1:.3} vs baseline {:.3})",
            m["samples"], m["folds"], m["baseline"]["macro_f1"].as_f64().unwrap_or(0.0)
        ),
        count: 1,
        seconds: train_s,
        latencies_ms: vec![train_s * 1000.0],
    });

    let (secs, lat) = post_all(
        &client,
        format!("{base}/log_activity"),
        batches(&second, "bench-b"),
        201,
    )
    .await;
    rows.push(Row {
        backend,
        what: "`/log_activity`, batches of 500, each record labelled by the model".into(),
        count: second.len(),
        seconds: secs,
        latencies_ms: lat,
    });

    // Heartbeats: 16 watchers, one bucket each.
    let watchers = 16;
    let beats = 150;
    for w in 0..watchers {
        client
            .post(format!("{base}/api/0/buckets/bench-window-{w}"))
            .json(&json!({"type": "currentwindow", "client": "bench", "hostname": "h"}))
            .send()
            .await
            .expect("bucket");
    }
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..watchers {
        let (client, base) = (client.clone(), base.clone());
        let start = monday + 20 * DAY + 9 * 3_600_000;
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for i in 0..beats {
                let title = if (i / 3) % 2 == 0 {
                    "main.rs - aima - Visual Studio Code"
                } else {
                    "Pull request #42 · aima/aima"
                };
                let app = if (i / 3) % 2 == 0 { "Code" } else { "firefox" };
                let body = json!({
                    "timestamp": aima_core::activity::format_rfc3339_ms(start + i as i64 * 5000),
                    "duration": 0, "data": {"app": app, "title": title}
                });
                let t = Instant::now();
                let r = client
                    .post(format!(
                        "{base}/api/0/buckets/bench-window-{w}/heartbeat?pulsetime=6"
                    ))
                    .json(&body)
                    .send()
                    .await
                    .expect("heartbeat");
                assert!(r.status().is_success());
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.expect("watcher"));
    }
    rows.push(Row {
        backend,
        what: format!("heartbeats, {watchers} watchers, model active"),
        count: watchers * beats,
        seconds: t0.elapsed().as_secs_f64(),
        latencies_ms: lat,
    });

    let predict: Vec<Value> = second
        .iter()
        .step_by(7)
        .take(1000)
        .map(|s| serde_json::to_value(&s.record).unwrap_or_default())
        .collect();
    let n = predict.len();
    let (secs, lat) = post_all(
        &client,
        format!("{base}/api/v1/modes/predict"),
        predict,
        200,
    )
    .await;
    rows.push(Row {
        backend,
        what: format!("`/api/v1/modes/predict`, {CLIENTS} clients"),
        count: n,
        seconds: secs,
        latencies_ms: lat,
    });

    running.shutdown.cancel();
    let _ = running.task.await;
    rows
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let rows = rt.block_on(async {
        let mut rows = Vec::new();
        let dir = tempfile::tempdir().expect("tmp");
        let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
        rows.extend(bench("SQLite", sqlite).await);
        if let Ok(pg) = std::env::var("AIMA_BENCH_POSTGRES_URL") {
            let url = postgres_db(&pg).await;
            rows.extend(bench("PostgreSQL", url).await);
        }
        rows
    });
    let mut table = String::from("| backend | operation | count | per second | p50 ms | p99 ms |\n|---|---|---|---|---|---|\n");
    for r in &rows {
        table.push_str(&r.line());
    }
    println!("{table}");
    common::write_table(
        "activity",
        "(client and server on the same machine), release build",
        &table,
    );
}
