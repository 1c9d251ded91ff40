//! Remote workers: `aima worker --server URL --token T` on its own data
//! folder, holding no database URL, pulls jobs over HTTP, fetches media and
//! uploads artifacts through the worker API; its token is scoped to the
//! workspaces it was granted, reads nothing else, and stops working the
//! moment it is revoked. A remote worker killed mid-job loses its lease and
//! another takes the job over.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::process::{Child, Command};

use crate::helpers::*;

fn remote_worker(app: &TestApp, token: &str, dir: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_aima"))
        .args([
            "worker",
            "--concurrency",
            "1",
            "--server",
            &app.url(""),
            "--token",
            token,
        ])
        .arg("--data-dir")
        .arg(dir)
        .env("AIMA_CONFIG", "/nonexistent")
        .env("AIMA__WORKERS__LEASE_SECONDS", "3")
        .env("AIMA__WORKERS__HEARTBEAT_SECONDS", "1")
        .env("AIMA__WORKERS__POLL_INTERVAL_MS", "200")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("aima worker")
}

async fn upload_as(app: &TestApp, key: &str, file: &std::path::Path, query: &str) -> Value {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/media{query}")))
        .bearer_auth(key)
        .body(std::fs::read(file).expect("read"))
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 201);
    r.json().await.unwrap_or_default()
}

/// GET with an API key; the JSON body.
async fn get_as(app: &TestApp, key: &str, path: &str) -> Value {
    app.client
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .unwrap_or_default()
}

async fn job_as(app: &TestApp, key: &str, id: &str) -> Value {
    get_as(app, key, &format!("/api/v1/jobs/{id}")).await
}

async fn wait_state(app: &TestApp, key: &str, id: &str, state: &str) -> Value {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let j = job_as(app, key, id).await;
        if j["state"] == state {
            return j;
        }
        assert!(Instant::now() < until, "job never {state}: {j}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn remote_workers_pull_over_http_within_their_grant() {
    for backend in backends() {
        let app = spawn_with(Options {
            backend,
            workers: 0,
            lease_seconds: 3,
            ..Options::default()
        })
        .await;
        let (key_a, key_b) = (create_key(&app, "team-a"), create_key(&app, "team-b"));
        let token = worker_token(&app, "gpu-1", "team-a").await;
        assert!(token.starts_with("aimaw_"), "{token}");

        let video = scenes_video(app.data.path(), "r.mp4", 1.0, "160x120");
        let image = png_image(app.data.path(), "r.png");
        let a = upload_as(&app, &key_a, &video, "?pipeline=probe,keyframes").await;
        let b = upload_as(&app, &key_b, &image, "?pipeline=probe").await;
        let elsewhere = tempfile::tempdir().expect("tmp");
        let mut worker = remote_worker(&app, &token, elsewhere.path());

        let ja = wait_state(
            &app,
            &key_a,
            a["job_id"].as_str().unwrap_or_default(),
            "succeeded",
        )
        .await;
        assert_eq!(ja["attempts"], 1);
        // Its thumbnails came up through the worker API into the server's blobs.
        let media_a = a["id"].as_str().unwrap_or_default();
        let frames = get_as(
            &app,
            &key_a,
            &format!("/api/v1/media/{media_a}/insights?analyzer=keyframes"),
        )
        .await;
        let artifact = frames["items"][0]["artifact"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(!artifact.is_empty(), "{frames}");
        let r = app
            .client
            .get(app.url(&format!("/api/v1/media/{media_a}/artifacts/{artifact}")))
            .bearer_auth(&key_a)
            .send()
            .await
            .expect("artifact");
        assert_eq!(r.status().as_u16(), 200);
        assert!(r
            .bytes()
            .await
            .unwrap_or_default()
            .starts_with(&[0xFF, 0xD8]));

        // team-b's job is not this worker's to take.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let jb_id = b["job_id"].as_str().unwrap_or_default().to_string();
        assert_eq!(job_as(&app, &key_b, &jb_id).await["state"], "queued");

        // The token reads nothing but its own jobs' worker API.
        let r = app
            .client
            .get(app.url("/api/v1/media"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("user api");
        assert_eq!(r.status().as_u16(), 401, "a worker token is not an API key");
        let r = app
            .client
            .get(app.url(&format!("/api/worker/v1/jobs/{jb_id}/media?token=x")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("worker api");
        assert_eq!(
            r.status().as_u16(),
            404,
            "another workspace's job is invisible"
        );
        let r = app
            .client
            .get(app.url(&format!(
                "/api/worker/v1/jobs/{}/media/content?token=not-the-lease",
                a["job_id"].as_str().unwrap_or_default()
            )))
            .bearer_auth(&token)
            .send()
            .await
            .expect("worker api");
        assert_eq!(r.status().as_u16(), 409, "media only for the lease holder");
        let r = app
            .client
            .post(app.url("/api/worker/v1/claim"))
            .bearer_auth(&key_a)
            .json(&json!({"owner": "x", "lease_ms": 5000}))
            .send()
            .await
            .expect("claim");
        assert_eq!(r.status().as_u16(), 401, "an API key is not a worker token");

        // Revoked: refused at once, and the worker process stops.
        let out = admin(&app, &["revoke-worker-token", "gpu-1"]).await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r = app
            .client
            .post(app.url("/api/worker/v1/claim"))
            .bearer_auth(&token)
            .json(&json!({"owner": "x", "lease_ms": 5000}))
            .send()
            .await
            .expect("claim");
        assert_eq!(r.status().as_u16(), 401);
        let status = tokio::time::timeout(Duration::from_secs(30), worker.wait())
            .await
            .expect("the worker stops once refused")
            .expect("wait");
        assert!(!status.success(), "a refused worker exits with an error");
    }
}

#[tokio::test]
async fn a_remote_worker_killed_mid_job_loses_it_to_another() {
    let app = spawn_with(Options {
        workers: 0,
        lease_seconds: 3,
        ..Options::default()
    })
    .await;
    let key = create_key(&app, "team-a");
    let t1 = worker_token(&app, "w1", "team-a").await;
    let t2 = worker_token(&app, "w2", "team-a").await;
    let video = long_video(app.data.path());
    let up = upload_as(&app, &key, &video, "").await;
    let media = up["id"].as_str().unwrap_or_default().to_string();
    let r = app
        .client
        .post(app.url("/api/v1/jobs"))
        .bearer_auth(&key)
        .json(&json!({"media_id": media, "pipeline": [{"name": "keyframes", "options": {"max_interval": 0.1, "max_frames": 5000, "thumb_width": 32}}]}))
        .send()
        .await
        .expect("job");
    let job: Value = r.json().await.unwrap_or_default();
    let id = job["id"].as_str().unwrap_or_default().to_string();
    let d1 = tempfile::tempdir().expect("tmp");
    let mut w1 = remote_worker(&app, &t1, d1.path());
    // Wait until it has saved some keyframes, then kill it.
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let v = get_as(
            &app,
            &key,
            &format!("/api/v1/media/{media}/insights?analyzer=keyframes"),
        )
        .await;
        if v["items"].as_array().map(Vec::len).unwrap_or(0) >= 5 {
            break;
        }
        assert!(Instant::now() < until, "the first worker saved nothing");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    w1.start_kill().expect("kill");
    let _ = w1.wait().await;
    let d2 = tempfile::tempdir().expect("tmp");
    let _w2 = remote_worker(&app, &t2, d2.path());
    let done = wait_state(&app, &key, &id, "succeeded").await;
    assert_eq!(done["attempts"], 2, "{done}");
    let v = get_as(
        &app,
        &key,
        &format!("/api/v1/media/{media}/insights?analyzer=keyframes"),
    )
    .await;
    let items = v["items"].as_array().cloned().unwrap_or_default();
    let mut idx: Vec<i64> = items
        .iter()
        .map(|i| i["data"]["index"].as_i64().unwrap_or(-1))
        .collect();
    let n = idx.len();
    idx.sort();
    idx.dedup();
    assert_eq!(idx.len(), n, "no keyframe saved twice");
    assert_eq!(idx, (0..n as i64).collect::<Vec<_>>(), "none lost");
}
