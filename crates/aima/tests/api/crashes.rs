//! A server killed outright (SIGKILL: no handler, no shutdown) in the middle
//! of uploads, on SQLite and PostgreSQL: after a restart every upload it
//! acknowledged is there with its bytes, and no media it lists lacks them
//! (issue 29: a process that dies between an upload's row and its bytes
//! leaves a row that is never shown and is forgotten later).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::*;

/// `aima serve` as its own process on `port`, with its data in `data` and
/// its blobs there or in `bucket` of the test S3 server.
fn serve(
    data: &std::path::Path,
    database: &str,
    bucket: Option<&str>,
    port: u16,
) -> std::process::Child {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_aima"));
    if let (Some(bucket), Some(endpoint)) = (bucket, s3_endpoint()) {
        c.env("AIMA__BLOBS__BACKEND", "s3")
            .env("AIMA__BLOBS__S3__ENDPOINT", endpoint)
            .env("AIMA__BLOBS__S3__BUCKET", bucket)
            .env("AIMA__BLOBS__S3__PREFIX", "aima")
            .env("AIMA__BLOBS__S3__ACCESS_KEY_ID", "test")
            .env("AIMA__BLOBS__S3__SECRET_ACCESS_KEY", "test");
    }
    c.env("AIMA_CONFIG", "/nonexistent")
        .env("AIMA__DATA_DIR", data)
        .env("AIMA__DATABASE__URL", database)
        .env("AIMA__MODELS__DIR", data.join("models"))
        .env("AIMA__PIPELINE__DEFAULT", "[]")
        .env("AIMA__LOG__FORMAT", "text")
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start aima serve")
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        assert!(Instant::now() < until, "aima serve did not get ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A WAV of noise, distinct for each `seed`: 2 s of 48 kHz stereo (384 KB,
/// so that putting the bytes takes a moment).
fn noise_wav(seed: u64) -> Vec<u8> {
    let (rate, channels, seconds) = (48_000u32, 2u16, 2u32);
    let samples = rate * seconds * channels as u32;
    let data_len = samples * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * channels as u32 * 2).to_le_bytes());
    out.extend_from_slice(&(channels * 2).to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for _ in 0..samples {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.extend_from_slice(&(((x >> 48) as i16) / 8).to_le_bytes());
    }
    out
}

#[tokio::test]
async fn a_server_killed_mid_upload_keeps_what_it_acknowledged_and_shows_no_media_without_bytes() {
    // Each database with local blobs, and SQLite with S3 (where putting
    // the bytes takes longest, so a kill lands between row and bytes most).
    let mut runs: Vec<(Backend, bool)> = backends().into_iter().map(|b| (b, false)).collect();
    if s3_endpoint().is_some() {
        runs.push((Backend::Sqlite, true));
    }
    for (backend, s3) in runs {
        let dir = tempfile::tempdir().expect("tmp");
        let database = fresh_database(backend, dir.path()).await;
        let bucket = match s3_endpoint() {
            Some(endpoint) if s3 => Some(fresh_bucket(&endpoint).await),
            _ => None,
        };
        let backend = format!("{backend:?}{}", if s3 { " with S3" } else { "" });
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
            l.local_addr().expect("addr").port()
        };
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let mut server = serve(dir.path(), &database, bucket.as_deref(), port);
        wait_ready(&client, &base).await;

        // Uploaders, each recording what was answered 201, until the kill.
        let acked: Arc<Mutex<Vec<(String, usize)>>> = Arc::default();
        let mut tasks = Vec::new();
        for c in 0..6u64 {
            let (client, base, acked) = (client.clone(), base.clone(), acked.clone());
            tasks.push(tokio::spawn(async move {
                for i in 0.. {
                    let body = noise_wav(c * 10_000 + i);
                    let size = body.len();
                    let Ok(r) = client
                        .post(format!("{base}/api/v1/media?filename=n{c}-{i}.wav"))
                        .header("Content-Type", "audio/wav")
                        .body(body)
                        .send()
                        .await
                    else {
                        return; // the server is gone
                    };
                    if r.status().as_u16() == 201 {
                        let v: Value = r.json().await.unwrap_or_default();
                        if let Some(id) = v["media"]["id"].as_str() {
                            acked.lock().expect("lock").push((id.to_string(), size));
                        }
                    }
                }
            }));
        }
        // Killed while uploads are under way.
        let until = Instant::now() + Duration::from_secs(60);
        while acked.lock().expect("lock").len() < 24 {
            assert!(
                Instant::now() < until,
                "{backend}: uploads did not get through"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.kill().expect("SIGKILL");
        server.wait().expect("wait");
        for t in tasks {
            let _ = t.await;
        }

        let mut server = serve(dir.path(), &database, bucket.as_deref(), port);
        wait_ready(&client, &base).await;
        let acked = std::mem::take(&mut *acked.lock().expect("lock"));
        for (id, size) in &acked {
            let r = client
                .get(format!("{base}/api/v1/media/{id}/content"))
                .send()
                .await
                .expect("content");
            assert_eq!(
                r.status().as_u16(),
                200,
                "{backend}: media {id} acknowledged, then lost"
            );
            assert_eq!(
                r.bytes().await.expect("bytes").len(),
                *size,
                "{backend}: {id}"
            );
        }
        // Every media listed has its bytes.
        let mut listed = 0;
        let mut cursor = String::new();
        loop {
            let page: Value = client
                .get(format!("{base}/api/v1/media?limit=100{cursor}"))
                .send()
                .await
                .expect("list")
                .json()
                .await
                .expect("json");
            for m in page["items"].as_array().into_iter().flatten() {
                let id = m["id"].as_str().unwrap_or_default();
                let r = client
                    .head(format!("{base}/api/v1/media/{id}/content"))
                    .send()
                    .await
                    .expect("content");
                assert_eq!(
                    r.status().as_u16(),
                    200,
                    "{backend}: media {id} is listed without its bytes"
                );
                listed += 1;
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        assert!(
            listed >= acked.len(),
            "{backend}: {listed} listed, {} acknowledged",
            acked.len()
        );
        server.kill().expect("stop");
        server.wait().expect("wait");
    }
}
