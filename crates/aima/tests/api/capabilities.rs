//! Capabilities and budgets: a stage that requires `gpu` runs only on a
//! worker that announces it (here a remote worker with `--capability gpu`),
//! while the job's other stages run on the server's own CPU worker; busy
//! seconds are recorded per worker and capability, shown by the API and
//! /metrics; once the day's GPU budget is spent, GPU work waits.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::process::Command;

use crate::helpers::*;

async fn wait_for(app: &TestApp, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, j) = app.get_json(&format!("/api/v1/jobs/{id}")).await;
        if done(&j) {
            return j;
        }
        assert!(Instant::now() < until, "job never {what}: {j}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn gpu_stages_go_to_gpu_workers_within_the_budget() {
    let app = spawn_with(Options {
        workers: 1,
        gpu_budget: Some(0.001),
        ..Options::default()
    })
    .await;
    let video = scenes_video(app.data.path(), "c.mp4", 1.0, "160x120");
    let media: Value = app
        .upload(&video, "")
        .await
        .json()
        .await
        .unwrap_or_default();
    let media_id = media["id"].as_str().unwrap_or_default().to_string();
    let job = app
        .post_job(
            &media_id,
            json!([{"name": "probe"}, {"name": "keyframes", "requires": "gpu"}]),
        )
        .await;
    let id = job["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(job["stages"][1]["requires"], "gpu", "{job}");

    // The CPU worker runs probe, then hands the job back for its GPU stage.
    let j = wait_for(&app, &id, "handed back", |j| {
        j["state"] == "queued" && j["stages"][0]["state"] == "done"
    })
    .await;
    assert_eq!(j["stages"][1]["state"], "pending", "{j}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, j) = app.get_json(&format!("/api/v1/jobs/{id}")).await;
    assert_eq!(j["state"], "queued", "no GPU worker yet: {j}");

    // A GPU worker joins (remote, over HTTP) and runs the keyframes.
    let token = {
        let out = Command::new(env!("CARGO_BIN_EXE_aima"))
            .args([
                "admin",
                "create-worker-token",
                "--name",
                "gpu",
                "--workspace",
                "default",
                "--data-dir",
            ])
            .arg(app.data.path())
            .args(["--database", &app.config.database.url])
            .env("AIMA_CONFIG", "/nonexistent")
            .output()
            .await
            .expect("token");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let dir = tempfile::tempdir().expect("tmp");
    let _gpu = Command::new(env!("CARGO_BIN_EXE_aima"))
        .args([
            "worker",
            "--server",
            &app.url(""),
            "--token",
            &token,
            "--capability",
            "gpu",
            "--data-dir",
        ])
        .arg(dir.path())
        .env("AIMA_CONFIG", "/nonexistent")
        .env("AIMA__WORKERS__POLL_INTERVAL_MS", "200")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("gpu worker");
    let j = wait_for(&app, &id, "succeeded", |j| j["state"] == "succeeded").await;
    assert_eq!(j["attempts"], 1, "a hand-back is not a failed attempt: {j}");
    let (_, kf) = app
        .get_json(&format!(
            "/api/v1/media/{media_id}/insights?analyzer=keyframes"
        ))
        .await;
    assert!(
        kf["items"].as_array().map(Vec::len).unwrap_or(0) >= 3,
        "{kf}"
    );

    // Busy time per worker and capability; the tiny budget is now spent.
    let (s, usage) = app.get_json("/api/v1/usage?days=1").await;
    assert_eq!(s, 200, "{usage}");
    let items = usage["server"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let secs = |cap: &str| -> f64 {
        items
            .iter()
            .filter(|u| u["capability"] == cap)
            .map(|u| u["seconds"].as_f64().unwrap_or(0.0))
            .sum()
    };
    assert!(secs("gpu") > 0.0 && secs("cpu") > 0.0, "{usage}");
    assert!(
        items.iter().any(|u| u["capability"] == "gpu"
            && u["worker"].as_str().unwrap_or_default().contains("(gpu)")),
        "the GPU worker is named by its token: {usage}"
    );
    assert_eq!(usage["server"]["budget"]["dispatching"], false, "{usage}");

    // Over budget: new GPU work waits; CPU work still runs.
    let job2 = app
        .post_job(
            &media_id,
            json!([{"name": "keyframes", "requires": "gpu", "options": {"thumb_width": 48}}]),
        )
        .await;
    let job3 = app.post_job(&media_id, json!([{"name": "probe"}])).await;
    wait_for(
        &app,
        job3["id"].as_str().unwrap_or_default(),
        "succeeded",
        |j| j["state"] == "succeeded",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, j2) = app
        .get_json(&format!(
            "/api/v1/jobs/{}",
            job2["id"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(j2["state"], "queued", "the GPU budget is spent: {j2}");

    let metrics = app.get_text("/metrics").await;
    assert!(
        metrics.contains("aima_worker_busy_seconds_today{capability=\"gpu\"}"),
        "{metrics}"
    );

    // Both workers announced what they can run.
    let (_, workers) = app.get_json("/api/v1/workers").await;
    let items = workers["items"].as_array().cloned().unwrap_or_default();
    let gpu = items
        .iter()
        .find(|w| w["capabilities"] == json!(["gpu"]))
        .unwrap_or_else(|| panic!("{workers}"));
    assert!(
        gpu["name"].as_str().unwrap_or_default().ends_with("(gpu)"),
        "{gpu}"
    );
    assert_eq!(gpu["online"], true);
    assert!(
        gpu["analyzers"]
            .as_array()
            .is_some_and(|a| a.contains(&json!("keyframes"))),
        "{gpu}"
    );
    assert!(
        items.iter().any(|w| w["capabilities"] == json!([])),
        "the server's own worker: {workers}"
    );

    // A bad capability name is a clear error.
    let r = app
        .client
        .post(app.url("/api/v1/jobs"))
        .json(&json!({"media_id": media_id, "pipeline": [{"name": "probe", "requires": "GPU!"}]}))
        .send()
        .await
        .expect("job");
    assert_eq!(r.status().as_u16(), 400);
}
