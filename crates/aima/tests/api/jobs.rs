use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};

use crate::helpers::*;

async fn upload_id(app: &TestApp, file: &std::path::Path, query: &str) -> Value {
    let r = app.upload(file, query).await;
    assert!(r.status().is_success(), "upload: {}", r.status());
    r.json().await.unwrap_or_default()
}

#[tokio::test]
async fn create_job_with_options_and_follow_it_over_sse() {
    let app = spawn_app().await;
    let video = scenes_video(app.data.path(), "sse.mp4", 2.0, "320x240");
    let media = upload_id(&app, &video, "").await;
    let id = media["id"].as_str().unwrap_or_default();

    // keyframes on an image/video with options; a thumbnail every second.
    let r = app
        .client
        .post(app.url("/api/v1/jobs"))
        .json(&json!({"media_id": id, "pipeline": [
            {"name": "probe"},
            {"name": "keyframes", "options": {"max_interval": 1.0, "thumb_width": 64}}
        ]}))
        .send()
        .await
        .expect("create job");
    assert_eq!(r.status().as_u16(), 201);
    let job: Value = r.json().await.unwrap_or_default();
    let job_id = job["id"].as_str().unwrap_or_default().to_string();
    assert!(["queued", "running"].contains(&job["state"].as_str().unwrap_or_default()));

    let resp = app
        .client
        .get(app.url(&format!("/api/v1/jobs/{job_id}/events")))
        .send()
        .await
        .expect("events");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/event-stream"));
    let mut body = String::new();
    let mut stream = resp.bytes_stream();
    // The stream ends by itself once the job has ended.
    let read = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(chunk) = stream.next().await {
            body.push_str(&String::from_utf8_lossy(&chunk.unwrap_or_default()));
        }
    })
    .await;
    assert!(read.is_ok(), "SSE stream did not end: {body}");
    let events: Vec<Value> = body
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str(d.trim()).ok())
        .collect();
    assert!(!events.is_empty(), "{body}");
    let progress: Vec<f64> = events
        .iter()
        .map(|e| e["progress"].as_f64().unwrap_or(-1.0))
        .collect();
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1] + 1e-9),
        "progress went back: {progress:?}"
    );
    let last = events.last().cloned().unwrap_or_default();
    assert_eq!(last["state"], "succeeded", "{last}");
    assert_eq!(last["progress"], 1.0);

    let (_, insights) = app
        .get_json(&format!("/api/v1/media/{id}/insights?kind=keyframe"))
        .await;
    let n = insights["items"]
        .as_array()
        .map(Vec::len)
        .unwrap_or_default();
    // 6 s of video, a frame at least every second: 6 keyframes.
    assert!((5..=7).contains(&n), "{n} keyframes: {insights}");
}

#[tokio::test]
async fn rerunning_an_analyzer_replaces_its_insights() {
    let app = spawn_app().await;
    let video = scenes_video(app.data.path(), "re.mp4", 1.0, "160x120");
    let media = upload_id(&app, &video, "?pipeline=keyframes").await;
    let (id, job) = (
        media["id"].as_str().unwrap_or_default(),
        media["job_id"].as_str().unwrap_or_default(),
    );
    app.wait_job(job, Duration::from_secs(60)).await;
    let again = upload_id(&app, &video, "?pipeline=keyframes").await;
    assert_eq!(again["id"], media["id"]);
    let job2 = again["job_id"].as_str().unwrap_or_default();
    assert_ne!(job2, job);
    app.wait_job(job2, Duration::from_secs(60)).await;
    let (_, insights) = app.get_json(&format!("/api/v1/media/{id}/insights")).await;
    let items = insights["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 3, "{insights}");
    assert!(items.iter().all(|i| i["job_id"] == job2));
}

#[tokio::test]
async fn cancel_queued_job_then_conflict() {
    let app = spawn_with(Options {
        workers: 0,
        ..Options::default()
    })
    .await;
    let image = png_image(app.data.path(), "c.png");
    let media = upload_id(&app, &image, "?pipeline=probe").await;
    let job = media["job_id"].as_str().unwrap_or_default();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/jobs/{job}/cancel")))
        .send()
        .await
        .expect("cancel");
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap_or_default();
    assert_eq!(v["state"], "cancelled");
    let r = app
        .client
        .post(app.url(&format!("/api/v1/jobs/{job}/cancel")))
        .send()
        .await
        .expect("cancel");
    assert_eq!(r.status().as_u16(), 409);
    let v: Value = r.json().await.unwrap_or_default();
    assert_eq!(v["error"]["code"], "invalid_job_state");
    let (_, list) = app.get_json("/api/v1/jobs").await;
    assert_eq!(list["items"][0]["state"], "cancelled");
}

#[tokio::test]
async fn cancel_running_job_stops_it() {
    let app = spawn_app().await;
    // A long video and a thumbnail every 0.1 s: long enough to cancel midway.
    let video = long_video(app.data.path());
    let media = upload_id(&app, &video, "").await;
    let job = app
        .post_job(
            media["id"].as_str().unwrap_or_default(),
            json!([{"name": "keyframes", "options": {"max_interval": 0.1, "max_frames": 5000}}]),
        )
        .await;
    let job_id = job["id"].as_str().unwrap_or_default();
    app.wait_until(job_id, "ran", |j| j["state"] == "running")
        .await;
    // Some keyframes are saved before the cancel: what was done is kept.
    let count = |v: &Value| v["items"].as_array().map(Vec::len).unwrap_or_default();
    let insights_path = format!(
        "/api/v1/media/{}/insights",
        media["id"].as_str().unwrap_or_default()
    );
    let until = std::time::Instant::now() + Duration::from_secs(60);
    let n0 = loop {
        let (_, insights) = app.get_json(&insights_path).await;
        if count(&insights) > 0 {
            break count(&insights);
        }
        assert!(
            std::time::Instant::now() < until,
            "no keyframe saved while running"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let r = app
        .client
        .post(app.url(&format!("/api/v1/jobs/{job_id}/cancel")))
        .send()
        .await
        .expect("cancel");
    assert_eq!(r.status().as_u16(), 200, "{:?}", r.text().await);
    // The worker notices within a heartbeat and writes nothing more.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, insights) = app
        .get_json(&format!(
            "/api/v1/media/{}/insights",
            media["id"].as_str().unwrap_or_default()
        ))
        .await;
    let n1 = insights["items"]
        .as_array()
        .map(Vec::len)
        .unwrap_or_default();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (_, insights) = app
        .get_json(&format!(
            "/api/v1/media/{}/insights",
            media["id"].as_str().unwrap_or_default()
        ))
        .await;
    let n2 = insights["items"]
        .as_array()
        .map(Vec::len)
        .unwrap_or_default();
    assert_eq!(n1, n2, "insights still being written after cancel");
    assert!(
        n1 >= n0,
        "what was saved before the cancel is kept: {n0} then {n1}"
    );
    assert!(n1 < 1200, "the job ran to its end ({n1} keyframes)");
    let (_, j) = app.get_json(&format!("/api/v1/jobs/{job_id}")).await;
    assert_eq!(j["state"], "cancelled");
    // The worker is free again: a new job runs.
    let image = png_image(app.data.path(), "after.png");
    let m = upload_id(&app, &image, "?pipeline=probe").await;
    let done = app
        .wait_job(
            m["job_id"].as_str().unwrap_or_default(),
            Duration::from_secs(30),
        )
        .await;
    assert_eq!(done["state"], "succeeded");
}

#[tokio::test]
async fn corrupt_media_fails_once_with_a_clear_error() {
    let app = spawn_app().await;
    // Valid headers (moov first), garbage in the middle of the video data.
    let good = app.data.path().join("fs.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=s=320x240:r=25:d=6",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        good.to_str().unwrap_or_default(),
    ]);
    let bad = app.data.path().join("corrupt.mp4");
    garble(&good, &bad, 0.2, 0.7);
    let (_, job) = app
        .upload_and_wait(&bad, "?pipeline=probe,keyframes", Duration::from_secs(60))
        .await;
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["attempts"], 1, "a bad input must not be retried: {job}");
    assert_eq!(job["error"]["code"], "corrupt_media");
    assert!(
        job["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("corrupt"),
        "{job}"
    );
    // The server still serves.
    let (status, _) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn transient_failures_retry_then_fail() {
    let data = tempfile::tempdir().expect("tmp");
    let o = Options::default();
    let db = fresh_database(o.backend, data.path()).await;
    let mut cfg = test_config(data.path(), db, &o);
    cfg.media.ffmpeg = "/nonexistent/ffmpeg".into();
    let running = aima::app::start_server(cfg).await.expect("start");
    let client = reqwest::Client::new();
    let base = format!("http://{}", running.addr);
    let image = png_image(data.path(), "t.png");
    let r = client
        .post(format!("{base}/api/v1/media?pipeline=keyframes"))
        .body(std::fs::read(&image).unwrap_or_default())
        .send()
        .await
        .expect("upload");
    let v: Value = r.json().await.unwrap_or_default();
    let job_id = v["job_id"].as_str().unwrap_or_default().to_string();
    let mut job = Value::Null;
    for _ in 0..300 {
        job = client
            .get(format!("{base}/api/v1/jobs/{job_id}"))
            .send()
            .await
            .expect("job")
            .json()
            .await
            .unwrap_or_default();
        if job["state"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["attempts"], 3, "{job}");
    assert_eq!(job["error"]["code"], "analyzer_failed");
    // It names the tool and the setting, not where on the server it looked.
    let message = job["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("ffmpeg could not be started")
            && message.contains("media.ffmpeg")
            && !message.contains("/nonexistent"),
        "{job}"
    );
    running.shutdown.cancel();
}

/// A job's stages run together; one failing transiently (here: ffmpeg is
/// missing, so `keyframes` cannot start while `probe`, without its decode
/// check, only needs ffprobe)
/// lets the others finish. The retry, on a server that has ffmpeg again,
/// runs only the stage that failed: `probe` keeps its first run (same start
/// time, one insight), `keyframes` succeeds.
#[tokio::test]
async fn a_retry_runs_only_the_stages_that_failed() {
    let mut app = spawn_with(Options {
        configure: Some(|c| {
            c.media.ffmpeg = "/nonexistent/ffmpeg".into();
            c.workers.retry_backoff_seconds = 3;
            c.workers.max_attempts = 5;
        }),
        ..Default::default()
    })
    .await;
    let video = scenes_video(app.data.path(), "s.mp4", 1.0, "320x240");
    let media = upload_id(&app, &video, "").await;
    // probe without its decode check needs only ffprobe.
    let job = app
        .post_job(
            media["id"].as_str().unwrap_or_default(),
            json!([{"name": "probe", "options": {"decode_check_seconds": 0}}, {"name": "keyframes"}]),
        )
        .await;
    let job_id = job["id"].as_str().unwrap_or_default().to_string();
    let first = app
        .wait_until(&job_id, "the first attempt failed", |j| {
            j["attempts"] == 1 && j["state"] == "queued"
        })
        .await;
    assert_eq!(first["stages"][0]["state"], "done", "{first}");
    assert_ne!(first["stages"][1]["state"], "done", "{first}");
    assert!(
        first["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("ffmpeg could not be started"),
        "{first}"
    );
    app.config.media.ffmpeg = "ffmpeg".into();
    app.restart().await;
    let done = app.wait_job(&job_id, Duration::from_secs(60)).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2, "{done}");
    assert_eq!(
        done["stages"][0]["started_at"], first["stages"][0]["started_at"],
        "probe ran again: {done}"
    );
    let (_, insights) = app
        .get_json(&format!(
            "/api/v1/media/{}/insights",
            media["id"].as_str().unwrap_or_default()
        ))
        .await;
    let items = insights["items"].as_array().cloned().unwrap_or_default();
    let of = |a: &str| items.iter().filter(|i| i["analyzer"] == a).count();
    assert_eq!(of("probe"), 1, "{insights}");
    assert!(of("keyframes") >= 3, "{insights}");
}
