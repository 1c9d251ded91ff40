//! Blobs on S3: a real S3-compatible server on loopback (moto, started by
//! the test command), a server that only queues, and a separate `aima
//! worker` process with its own empty data folder that reaches the media
//! and stores its artifacts only through the bucket, as a worker on another
//! machine would.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn media_and_artifacts_live_in_the_bucket() {
    if s3_endpoint().is_none() {
        eprintln!("no S3 server (AIMA_TEST_S3_ENDPOINT): skipped");
        return;
    }
    let app = spawn_with(Options {
        s3: true,
        workers: 0,
        ..Options::default()
    })
    .await;
    let (endpoint, bucket) = (
        app.config.blobs.s3.endpoint.clone(),
        app.config.blobs.s3.bucket.clone(),
    );
    // The worker shares the database and the bucket, not the data folder.
    let elsewhere = tempfile::tempdir().expect("tmp");
    let mut worker = tokio::process::Command::new(env!("CARGO_BIN_EXE_aima"))
        .args(["worker", "--concurrency", "1", "--data-dir"])
        .arg(elsewhere.path())
        .args(["--database", &app.config.database.url])
        .env("AIMA_CONFIG", "/nonexistent")
        .env("AIMA__BLOBS__BACKEND", "s3")
        .env("AIMA__BLOBS__S3__ENDPOINT", &endpoint)
        .env("AIMA__BLOBS__S3__BUCKET", &bucket)
        .env("AIMA__BLOBS__S3__PREFIX", "aima")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AIMA__WORKERS__POLL_INTERVAL_MS", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("aima worker");

    let video = scenes_video(app.data.path(), "s3.mp4", 1.0, "160x120");
    let original = std::fs::read(&video).expect("video");
    let (up, job) = app
        .upload_and_wait(&video, "?pipeline=probe,keyframes", Duration::from_secs(60))
        .await;
    assert_eq!(job["state"], "succeeded", "{job}");
    let media = up["id"].as_str().unwrap_or_default().to_string();
    assert!(
        !app.data.path().join("blobs").exists(),
        "nothing is stored in the server's data folder"
    );

    let keys = bucket_keys(&endpoint, &bucket).await;
    let sha = up["media"]["sha256"].as_str().unwrap_or_default();
    assert!(
        keys.iter()
            .any(|k| k.ends_with(sha) && k.starts_with("aima/media/")),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k.starts_with(&format!("aima/artifacts/{media}/"))),
        "{keys:?}"
    );

    // Thumbnails and the media itself come back from the bucket.
    let (_, insights) = app
        .get_json(&format!(
            "/api/v1/media/{media}/insights?analyzer=keyframes"
        ))
        .await;
    let frames: Vec<Value> = insights["items"].as_array().cloned().unwrap_or_default();
    assert!(frames.len() >= 3, "{insights}");
    for f in &frames {
        let artifact = f["artifact"].as_str().unwrap_or_default();
        let r = app
            .client
            .get(app.url(&format!("/api/v1/media/{media}/artifacts/{artifact}")))
            .send()
            .await
            .expect("artifact");
        assert_eq!(r.status().as_u16(), 200);
        let jpeg = r.bytes().await.unwrap_or_default();
        assert!(jpeg.starts_with(&[0xFF, 0xD8]), "a JPEG");
    }
    let r = app
        .client
        .get(app.url(&format!("/api/v1/media/{media}/content")))
        .send()
        .await
        .expect("content");
    assert_eq!(
        r.bytes().await.unwrap_or_default().as_ref(),
        original.as_slice()
    );

    // Delete: rows and objects go.
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/media/{media}")))
        .send()
        .await
        .expect("delete");
    assert!(r.status().is_success());
    assert_eq!(bucket_keys(&endpoint, &bucket).await, Vec::<String>::new());
    let _ = worker.start_kill();
}
