//! The cross-backend story: upload, a job taken by a separate `aima worker`
//! process that is SIGKILLed mid-job, the job completing exactly once on a
//! second worker, insights kept and not duplicated, then delete. Runs on
//! SQLite, and on PostgreSQL when the test command started one.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::*;

/// A worker process, killed and reaped when dropped (also when a test fails).
struct WorkerProc(Child);

impl WorkerProc {
    fn id(&self) -> u32 {
        self.0.id()
    }

    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for WorkerProc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_worker(app: &TestApp) -> WorkerProc {
    spawn_worker_with(app, &[])
}

fn spawn_worker_with(app: &TestApp, extra: &[&str]) -> WorkerProc {
    WorkerProc(
        Command::new(env!("CARGO_BIN_EXE_aima"))
            .args(["worker", "--concurrency", "1"])
            .args(extra)
            .arg("--data-dir")
            .arg(app.data.path())
            .args(["--database", &app.config.database.url])
            .env("AIMA_CONFIG", "/nonexistent")
            .env(
                "AIMA__WORKERS__LEASE_SECONDS",
                app.config.workers.lease_seconds.to_string(),
            )
            .env("AIMA__WORKERS__HEARTBEAT_SECONDS", "1")
            .env("AIMA__WORKERS__POLL_INTERVAL_MS", "100")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn aima worker"),
    )
}

async fn insights(app: &TestApp, media: &str) -> Vec<Value> {
    let (_, v) = app
        .get_json(&format!("/api/v1/media/{media}/insights"))
        .await;
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn story(backend: Backend) {
    // The server only queues: work happens in separate worker processes.
    let app = spawn_with(Options {
        backend,
        workers: 0,
        lease_seconds: 3,
        ..Options::default()
    })
    .await;
    let video = long_video(app.data.path());
    let r = app.upload(&video, "").await;
    assert_eq!(r.status().as_u16(), 201);
    let media: Value = r.json().await.unwrap_or_default();
    let media_id = media["id"].as_str().unwrap_or_default().to_string();
    // A thumbnail every 0.25 s or so: hundreds of keyframes, saved one by one as found.
    let job = app
        .post_job(
            &media_id,
            json!([
                {"name": "probe"},
                {"name": "keyframes", "options": {"max_interval": 0.25, "max_frames": 5000, "thumb_width": 32}}
            ]),
        )
        .await;
    let job_id = job["id"].as_str().unwrap_or_default().to_string();

    // Worker 1 runs until the probe has finished and some keyframes are
    // saved, then dies without warning. (The stages run side by side: under
    // load the probe's end can be written after the first keyframes.)
    let mut first = spawn_worker(&app);
    let until = Instant::now() + Duration::from_secs(60);
    let saved_before = loop {
        let items = insights(&app, &media_id).await;
        let (_, j) = app.get_json(&format!("/api/v1/jobs/{job_id}")).await;
        if j["stages"][0]["state"] == "done"
            && items.iter().filter(|i| i["kind"] == "keyframe").count() >= 20
        {
            first.kill(); // SIGKILL
            break insights(&app, &media_id).await;
        }
        assert!(
            Instant::now() < until,
            "worker 1 did not finish the probe and save 20 keyframes in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let (_, j) = app.get_json(&format!("/api/v1/jobs/{job_id}")).await;
    assert_eq!(j["state"], "running", "killed mid-job: {j}");
    assert_eq!(
        j["stages"][0]["state"], "done",
        "probe finished before the kill: {j}"
    );
    let kf_before = saved_before
        .iter()
        .filter(|i| i["kind"] == "keyframe")
        .count();

    // Worker 2 takes the job once the lease expires and completes it.
    let mut second = spawn_worker(&app);
    let done = app.wait_job(&job_id, Duration::from_secs(120)).await;
    second.kill();
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2, "{done}");

    let after = insights(&app, &media_id).await;
    // Exactly once: one media_info, and one insight per keyframe time.
    assert_eq!(
        after.iter().filter(|i| i["kind"] == "media_info").count(),
        1
    );
    let kf: Vec<&Value> = after.iter().filter(|i| i["kind"] == "keyframe").collect();
    let times: HashSet<String> = kf
        .iter()
        .map(|i| format!("{:.3}", i["start"].as_f64().unwrap_or(-1.0)))
        .collect();
    assert_eq!(times.len(), kf.len(), "duplicated keyframes");
    // Nothing lost: the keyframe indices are exactly 0..n, each once.
    let mut indices: Vec<i64> = kf
        .iter()
        .map(|i| i["data"]["index"].as_i64().unwrap_or(-1))
        .collect();
    indices.sort_unstable();
    assert_eq!(indices, (0..kf.len() as i64).collect::<Vec<_>>());
    assert!(
        kf.len() > kf_before && kf.len() > 300,
        "{} keyframes",
        kf.len()
    );
    // What worker 1 saved is kept as it was (same rows), not redone.
    let ids_after: HashSet<i64> = after.iter().filter_map(|i| i["id"].as_i64()).collect();
    for i in &saved_before {
        assert!(
            ids_after.contains(&i["id"].as_i64().unwrap_or(-1)),
            "lost {i}"
        );
    }
    // Every thumbnail is there.
    for k in kf.iter().step_by(97) {
        let a = k["artifact"].as_str().unwrap_or_default();
        let r = app
            .client
            .get(app.url(&format!("/api/v1/media/{media_id}/artifacts/{a}")))
            .send()
            .await
            .expect("artifact");
        assert_eq!(r.status().as_u16(), 200, "{a}");
    }

    // Delete: media, jobs, insights, blobs gone.
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/media/{media_id}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status().as_u16(), 204);
    let (s, _) = app.get_json(&format!("/api/v1/jobs/{job_id}")).await;
    assert_eq!(s, 404);
    let left: Vec<_> = files_under(&app.config.blobs_dir());
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn story_on_every_backend() {
    for backend in backends() {
        story(backend).await;
    }
}

/// SIGTERM hands a running job back at once (no lease wait, attempt not counted).
#[tokio::test]
async fn sigterm_hands_the_job_back() {
    for backend in backends() {
        let app = spawn_with(Options {
            backend,
            workers: 0,
            lease_seconds: 30,
            ..Options::default()
        })
        .await;
        let video = long_video(app.data.path());
        let media: Value = app
            .upload(&video, "")
            .await
            .json()
            .await
            .unwrap_or_default();
        let job = app
            .post_job(
                media["id"].as_str().unwrap_or_default(),
                json!([{"name": "keyframes", "options": {"max_interval": 0.1, "max_frames": 5000, "thumb_width": 32}}]),
            )
            .await;
        let job_id = job["id"].as_str().unwrap_or_default().to_string();
        let mut worker = spawn_worker(&app);
        app.wait_until(&job_id, "ran", |j| j["state"] == "running")
            .await;
        assert!(Command::new("kill")
            .args(["-TERM", &worker.id().to_string()])
            .status()
            .expect("kill")
            .success());
        let status = worker.0.wait().expect("wait");
        assert!(status.success(), "{status:?}");
        // Back in the queue now, long before the 30 s lease would expire.
        let (_, j) = app.get_json(&format!("/api/v1/jobs/{job_id}")).await;
        assert_eq!(j["state"], "queued", "{j}");
        assert_eq!(j["attempts"], 0, "{j}");
    }
}

/// A worker process serves its own Prometheus metrics when asked.
#[tokio::test]
async fn a_worker_process_exports_its_metrics() {
    let app = spawn_with(Options {
        workers: 0,
        ..Options::default()
    })
    .await;
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let _worker = spawn_worker_with(&app, &["--metrics-listen", &listen]);
    let image = png_image(app.data.path(), "m.png");
    let media: Value = app
        .upload(&image, "?pipeline=probe")
        .await
        .json()
        .await
        .unwrap_or_default();
    let job = app
        .wait_job(
            media["job_id"].as_str().unwrap_or_default(),
            Duration::from_secs(60),
        )
        .await;
    assert_eq!(job["state"], "succeeded");
    let text = reqwest::get(format!("http://{listen}/metrics"))
        .await
        .expect("scrape")
        .text()
        .await
        .unwrap_or_default();
    assert!(
        text.contains("aima_jobs_finished_total{state=\"succeeded\"} 1"),
        "{text}"
    );
    assert!(text.contains("aima_stage_duration_seconds"), "{text}");
}

/// `--exit-when-idle`: a worker runs what is queued, then exits by itself
/// once nothing has come for that long (a rented GPU machine switching off).
#[tokio::test]
async fn a_worker_exits_when_idle() {
    let app = spawn_with(Options {
        workers: 0,
        ..Options::default()
    })
    .await;
    let image = png_image(app.data.path(), "idle.png");
    let media: Value = app
        .upload(&image, "?pipeline=probe")
        .await
        .json()
        .await
        .unwrap_or_default();
    let mut worker = spawn_worker_with(&app, &["--exit-when-idle", "3s"]);
    let job = app
        .wait_job(
            media["job_id"].as_str().unwrap_or_default(),
            Duration::from_secs(60),
        )
        .await;
    assert_eq!(job["state"], "succeeded", "{job}");
    let done = Instant::now();
    let status = loop {
        if let Some(status) = worker.0.try_wait().expect("wait") {
            break status;
        }
        assert!(
            done.elapsed() < Duration::from_secs(20),
            "the idle worker never exited"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
    assert!(
        done.elapsed() >= Duration::from_secs(2),
        "exited {:?} after its job, before being idle for 3 s",
        done.elapsed()
    );
}
