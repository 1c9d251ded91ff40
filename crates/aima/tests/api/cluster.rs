//! Several machines as one service, on one PostgreSQL: two `aima serve`
//! processes sharing a data folder, one worker on the database and two
//! remote workers over HTTP (one per server). 200 jobs are submitted through
//! both servers while a worker and then a server are SIGKILLed (the server is
//! started again on its port): every job ends exactly once, every media has
//! exactly its one probe insight, and job progress reaches a client of the
//! other server.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::process::{Child, Command};

use crate::helpers::*;

const JOBS: usize = 200;

fn aima(args: &[&str], data: &std::path::Path, db: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aima"));
    c.args(args)
        .arg("--data-dir")
        .arg(data)
        .args(["--database", db])
        .env("AIMA_CONFIG", "/nonexistent")
        .env("AIMA__WORKERS__LEASE_SECONDS", "3")
        .env("AIMA__WORKERS__HEARTBEAT_SECONDS", "1")
        .env("AIMA__WORKERS__POLL_INTERVAL_MS", "100")
        .env("AIMA__WORKERS__RETRY_BACKOFF_SECONDS", "1")
        .env("AIMA__WORKERS__MAX_ATTEMPTS", "5")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    c
}

/// `aima serve` as a process (no in-process worker) on `port`, once ready.
pub(crate) async fn serve(port: u16, data: &std::path::Path, db: &str) -> Child {
    let child = aima(
        &[
            "serve",
            "--workers",
            "0",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ],
        data,
        db,
    )
    .spawn()
    .expect("aima serve");
    let client = reqwest::Client::new();
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
        {
            if r.status().is_success() {
                return child;
            }
        }
        assert!(Instant::now() < until, "server on {port} never ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A 0.2 s WAV whose tone depends on `seed`: distinct bytes, distinct media.
fn wav(seed: usize) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut cursor, spec).expect("wav");
        let freq = 200.0 + seed as f64 * 3.0;
        for i in 0..1_600 {
            let t = i as f64 / 8_000.0;
            w.write_sample(((t * freq * std::f64::consts::TAU).sin() * 8000.0) as i16)
                .expect("sample");
        }
        w.finalize().expect("finalize");
    }
    cursor.into_inner()
}

#[tokio::test]
async fn two_servers_three_workers_kills_and_every_job_ends_once() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("no PostgreSQL: skipped");
        return;
    }
    let data = tempfile::tempdir().expect("tmp");
    let db = fresh_database(Backend::Postgres, data.path()).await;
    let (p1, p2) = (free_port(), free_port());
    let mut s1 = serve(p1, data.path(), &db).await;
    let mut s2 = serve(p2, data.path(), &db).await;
    let (u1, u2) = (
        format!("http://127.0.0.1:{p1}"),
        format!("http://127.0.0.1:{p2}"),
    );

    let token = {
        let out = aima(
            &[
                "admin",
                "create-worker-token",
                "--name",
                "remote",
                "--workspace",
                "default",
            ],
            data.path(),
            &db,
        )
        .stdout(Stdio::piped())
        .output()
        .await
        .expect("token");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let remote = |server: &str, dir: &std::path::Path| {
        aima(
            &[
                "worker",
                "--concurrency",
                "2",
                "--server",
                server,
                "--token",
                &token,
            ],
            dir,
            "",
        )
        .spawn()
        .expect("remote worker")
    };
    let (r1dir, r2dir) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let _r1 = remote(&u1, r1dir.path());
    let _r2 = remote(&u2, r2dir.path());
    let mut direct = aima(&["worker", "--concurrency", "2"], data.path(), &db)
        .spawn()
        .expect("direct worker");

    // Submit through both servers, retrying on the other when one is down.
    let client = reqwest::Client::new();
    let submitted = Arc::new(tokio::sync::Mutex::new(Vec::<(String, String)>::new()));
    let submitter = {
        let (client, u1, u2, submitted) =
            (client.clone(), u1.clone(), u2.clone(), submitted.clone());
        tokio::spawn(async move {
            for i in 0..JOBS {
                let bytes = wav(i);
                let mut n = 0;
                loop {
                    let url = if (i + n) % 2 == 0 { &u1 } else { &u2 };
                    n += 1;
                    match client
                        .post(format!("{url}/api/v1/media?pipeline=probe"))
                        .body(bytes.clone())
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => {
                            let v: Value = r.json().await.unwrap_or_default();
                            submitted.lock().await.push((
                                v["id"].as_str().unwrap_or_default().to_string(),
                                v["job_id"].as_str().unwrap_or_default().to_string(),
                            ));
                            break;
                        }
                        _ => {
                            assert!(n < 20, "upload {i} kept failing");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                }
            }
        })
    };

    // A worker dies, then a server; the server comes back on its port.
    let wait_for = |n: usize| {
        let submitted = submitted.clone();
        async move {
            while submitted.lock().await.len() < n {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    wait_for(50).await;
    // The worker dies in the middle of a job: frozen (SIGSTOP) until the
    // database shows it holding one, then SIGKILLed, so that job must be
    // taken over by another worker and end once.
    let interrupted = {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&db).await.expect("database");
        let pid = direct.id().expect("worker pid").to_string();
        let signal = |sig: &str| {
            let ok = std::process::Command::new("kill")
                .args([sig, &pid])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "kill {sig} {pid}");
        };
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            signal("-STOP");
            let held: Vec<String> = sqlx::query_scalar(
                "SELECT id FROM jobs WHERE state = 'running' AND lease_owner LIKE $1",
            )
            .bind(format!("%:{pid}"))
            .fetch_all(&mut conn)
            .await
            .expect("running jobs");
            if !held.is_empty() {
                break held;
            }
            signal("-CONT");
            assert!(Instant::now() < until, "the worker never held a job");
            tokio::time::sleep(Duration::from_millis(7)).await;
        }
    };
    direct.start_kill().expect("kill worker");
    let _ = direct.wait().await;
    wait_for(100).await;
    s2.start_kill().expect("kill server");
    let _ = s2.wait().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    s2 = serve(p2, data.path(), &db).await;
    submitter.await.expect("submitter");

    // Follow one job through the other server's SSE while it may still run.
    let subs = submitted.lock().await.clone();
    assert_eq!(subs.len(), JOBS);
    let (_, last_job) = subs.last().cloned().unwrap_or_default();
    let sse = client
        .get(format!("{u2}/api/v1/jobs/{last_job}/events"))
        .send()
        .await
        .expect("sse")
        .text()
        .await
        .unwrap_or_default();
    assert!(sse.contains("succeeded"), "{sse}");

    // Every job ends, exactly once.
    let until = Instant::now() + Duration::from_secs(120);
    let mut jobs: Vec<Value> = Vec::new();
    for (_, job) in &subs {
        loop {
            let j: Value = client
                .get(format!("{u1}/api/v1/jobs/{job}"))
                .send()
                .await
                .expect("job")
                .json()
                .await
                .unwrap_or_default();
            if ["succeeded", "failed", "cancelled"]
                .contains(&j["state"].as_str().unwrap_or_default())
            {
                jobs.push(j);
                break;
            }
            assert!(Instant::now() < until, "job never ended: {j}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let failed: Vec<&Value> = jobs.iter().filter(|j| j["state"] != "succeeded").collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(jobs
        .iter()
        .all(|j| j["attempts"].as_i64().unwrap_or(0) <= 5));
    // What the killed worker held was finished by another: a second
    // attempt, succeeded (checked above for all), its media probed once
    // (below).
    for id in &interrupted {
        let j = jobs
            .iter()
            .find(|j| j["id"] == id.as_str())
            .unwrap_or_else(|| panic!("job {id} of the killed worker is not among the submitted"));
        assert!(
            j["attempts"].as_i64().unwrap_or(0) >= 2,
            "not taken over: {j}"
        );
    }

    // Each media: exactly one probe insight, from one of its jobs (an upload
    // cut by the server's death may have made a job before the retry made
    // another; the later analysis replaces the earlier, never duplicates).
    for (media, job) in &subs {
        let listed: Value = client
            .get(format!("{u1}/api/v1/jobs?media_id={media}"))
            .send()
            .await
            .expect("jobs")
            .json()
            .await
            .unwrap_or_default();
        let ids: Vec<String> = listed["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|j| j["id"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        assert!(ids.contains(job), "{listed}");
        let v: Value = client
            .get(format!("{u2}/api/v1/media/{media}/insights?analyzer=probe"))
            .send()
            .await
            .expect("insights")
            .json()
            .await
            .unwrap_or_default();
        let items = v["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 1, "{media}: {v}");
        assert!(
            ids.iter()
                .any(|id| Some(id.as_str()) == items[0]["job_id"].as_str()),
            "{v}"
        );
    }
    let _ = s1.start_kill();
    let _ = s2.start_kill();
}
