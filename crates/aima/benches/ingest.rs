//! Ingest benchmark: uploads per second and latency percentiles with many
//! concurrent clients on loopback, on SQLite and (when given) PostgreSQL.
//!
//! Run it with `bash scripts/bench-ingest.sh`, which starts PostgreSQL and
//! writes the table into BENCHMARKS.md. Each upload is a distinct 1-second
//! WAV file (so every request stores new media), sent as the raw body, with
//! no pipeline: this measures receive + hash + ffprobe + store.

use std::time::{Duration, Instant};

mod common;

use aima::app::start_server;
use aima::config::Config;
use common::{percentile, postgres_db};

struct Row {
    backend: &'static str,
    uploads: usize,
    clients: usize,
    seconds: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    ready_ms: f64,
}

fn wav(seed: usize) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut cursor, spec).expect("wav writer");
        let freq = 200.0 + seed as f64 * 0.5;
        for i in 0..16_000 {
            let t = i as f64 / 16_000.0;
            let v = (t * freq * std::f64::consts::TAU).sin() * 8000.0;
            w.write_sample(v as i16).expect("sample");
        }
        w.finalize().expect("finalize");
    }
    cursor.into_inner()
}

async fn bench(backend: &'static str, url: String, clients: usize, per_client: usize) -> Row {
    let dir = tempfile::tempdir().expect("tmp");
    let mut cfg = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    cfg.server.listen = "127.0.0.1:0".into();
    cfg.database.url = url;
    cfg.database.max_connections = 16;
    cfg.workers.count = 0;
    cfg.log.level = "warn".into();
    let client = reqwest::Client::new();

    let t0 = Instant::now();
    let running = start_server(cfg).await.expect("server starts");
    let base = format!("http://{}", running.addr);
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let ready_ms = t0.elapsed().as_secs_f64() * 1000.0;

    let total = clients * per_client;
    let bodies: Vec<Vec<u8>> = (0..total + 20).map(wav).collect();
    // Warm-up: connections, page cache, first queries.
    for body in &bodies[total..] {
        let r = client
            .post(format!("{base}/api/v1/media"))
            .body(body.clone())
            .send()
            .await
            .expect("upload");
        assert_eq!(r.status().as_u16(), 201);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let client = client.clone();
        let base = base.clone();
        let mine: Vec<Vec<u8>> = bodies[c * per_client..(c + 1) * per_client].to_vec();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(mine.len());
            for body in mine {
                let t = Instant::now();
                let r = client
                    .post(format!("{base}/api/v1/media"))
                    .body(body)
                    .send()
                    .await
                    .expect("upload");
                assert_eq!(r.status().as_u16(), 201, "{:?}", r.text().await);
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.expect("client task"));
    }
    let seconds = start.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    running.shutdown.cancel();
    let _ = running.task.await;
    Row {
        backend,
        uploads: total,
        clients,
        seconds,
        p50_ms: percentile(&lat, 0.50),
        p99_ms: percentile(&lat, 0.99),
        max_ms: lat.last().copied().unwrap_or_default(),
        ready_ms,
    }
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let clients: usize = std::env::var("AIMA_BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let per_client: usize = std::env::var("AIMA_BENCH_PER_CLIENT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let rows = rt.block_on(async {
        let mut rows = Vec::new();
        let dir = tempfile::tempdir().expect("tmp");
        let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
        rows.push(bench("SQLite", sqlite, clients, per_client).await);
        if let Ok(pg) = std::env::var("AIMA_BENCH_POSTGRES_URL") {
            let url = postgres_db(&pg).await;
            rows.push(bench("PostgreSQL", url, clients, per_client).await);
        }
        rows
    });
    let mut table = String::from(
        "| backend | clients | uploads | uploads/s | p50 ms | p99 ms | max ms | start to ready ms |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in &rows {
        table.push_str(&format!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} |\n",
            r.backend,
            r.clients,
            r.uploads,
            r.uploads as f64 / r.seconds,
            r.p50_ms,
            r.p99_ms,
            r.max_ms,
            r.ready_ms
        ));
    }
    println!("{table}");
    common::write_table(
        "ingest",
        "(client and server on the same machine), release build",
        &table,
    );
}
