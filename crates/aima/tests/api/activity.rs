//! Activity and modes over real HTTP: ActivityWatch's own `aw-client`
//! package against AIMA, `/log_activity` with bad input, and a mode model
//! learned, used, corrected and rolled back on a generated dataset.

use std::time::Duration;

use aima_modes::synth;
use serde_json::{json, Value};

use crate::helpers::*;

/// 2026-11-02 00:00 UTC, a Monday.
const MONDAY: i64 = 1_793_577_600_000;
const DAY: i64 = 86_400_000;

async fn post(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A window watcher's heartbeat (VS Code on `file`) at `at_ms`, merged
/// within 10 s: its answer.
async fn window_heartbeat(app: &TestApp, at_ms: i64, file: &str) -> Value {
    let (s, v) = post(
        app,
        "/api/0/buckets/aw-watcher-window_h/heartbeat?pulsetime=10",
        &json!({"timestamp": aima_core::activity::format_rfc3339_ms(at_ms), "duration": 0,
                "data": {"app": "Code", "title": format!("{file} - aima - Visual Studio Code"), "keyboard": 300, "mouse": 80}}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v
}

/// The real `aw-client` package (installed by the test command), unchanged,
/// pointed at `aima serve`: buckets, heartbeats merged as ActivityWatch
/// merges them, events, counts, export and import.
#[tokio::test]
async fn activitywatch_client_works_unchanged() {
    for backend in backends() {
        let app = spawn_with(Options {
            backend,
            ..Options::default()
        })
        .await;
        let script = r##"
import json, sys, datetime as dt
from aw_client import ActivityWatchClient
from aw_core.models import Event
c = ActivityWatchClient("aima-test", host=sys.argv[1], port=int(sys.argv[2]))
out = {"info": c.get_info()}
b = "aw-watcher-window_testhost"
c.create_bucket(b, "currentwindow")
c.create_bucket(b, "currentwindow")  # again, as watchers do at every start
t0 = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=1)
def hb(sec, app, title, pulse=10):
    c.heartbeat(b, Event(timestamp=t0 + dt.timedelta(seconds=sec), duration=0,
                         data={"app": app, "title": title}), pulsetime=pulse)
hb(0, "code", "main.rs")
hb(5, "code", "main.rs")
hb(10, "code", "main.rs")      # merged: one event of 10 s
hb(15, "firefox", "docs")      # other data: a new event
hb(20, "code", "main.rs")      # differs from the last event: new
hb(100, "code", "main.rs")     # same data but 80 s after: new
evs = c.get_events(b)
out["events"] = [[e.timestamp.isoformat(), e.duration.total_seconds(), e.data] for e in evs]
c.insert_events(b, [Event(timestamp=t0 + dt.timedelta(seconds=200), duration=30, data={"app": "zoom", "title": "Standup"}),
                    Event(timestamp=t0 + dt.timedelta(seconds=230), duration=60, data={"app": "slack", "title": "#dev"})])
out["count"] = c.get_eventcount(b)
out["window"] = len(c.get_events(b, start=t0 + dt.timedelta(seconds=150), end=t0 + dt.timedelta(seconds=400)))
out["buckets"] = list(c.get_buckets().keys())
exported = c.export_bucket(b)
c.delete_bucket(b, force=True)
out["after_delete"] = list(c.get_buckets().keys())
c.import_bucket(exported["buckets"][b])
out["reimported"] = c.get_eventcount(b)
print(json.dumps(out))
"##;
        let out = tokio::process::Command::new("python3")
            .args(["-c", script, "127.0.0.1", &app.addr.port().to_string()])
            .env("HOME", app.data.path())
            .output()
            .await
            .expect("python3");
        assert!(
            out.status.success(),
            "the aw-client package is installed by the test command: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert!(v["info"]["version"]
            .as_str()
            .unwrap_or_default()
            .starts_with("aima"));
        let events = v["events"].as_array().cloned().unwrap_or_default();
        // Newest first, as aw-server answers.
        let summary: Vec<(f64, String)> = events
            .iter()
            .map(|e| {
                (
                    e[1].as_f64().unwrap_or(-1.0),
                    e[2]["app"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (0.0, "code".into()),
                (0.0, "code".into()),
                (0.0, "firefox".into()),
                (10.0, "code".into())
            ],
            "{backend:?}: {v}"
        );
        assert_eq!(v["count"], 6, "{v}");
        assert_eq!(
            v["window"], 2,
            "only the two inserted events lie in the window: {v}"
        );
        assert_eq!(v["buckets"], json!(["aw-watcher-window_testhost"]));
        assert_eq!(v["after_delete"], json!([]));
        assert_eq!(v["reimported"], 6);
        // The same events through AIMA's own API, as activity.
        let (s, page) = app.get_json("/api/v1/activity?limit=10").await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(page["items"].as_array().map(Vec::len), Some(6));
    }
}

#[tokio::test]
async fn bad_activity_is_refused_and_nothing_is_stored_half_way() {
    let app = spawn_app().await;
    let now = aima_store::now_ms();
    let good = |ts: i64| {
        json!({"timestamp": aima_core::activity::format_rfc3339_ms(ts), "application": "code",
               "window_title": "main.rs", "mouse_activity": 3, "keyboard_activity": 40})
    };
    let cases = vec![
        (
            json!({"timestamp": "2999-01-01T00:00:00Z", "application": "x"}),
            400,
            "invalid_timestamp",
        ),
        (
            json!({"timestamp": "1969-07-20T20:17:00Z", "application": "x"}),
            400,
            "invalid_timestamp",
        ),
        (
            json!({"timestamp": -5, "application": "x"}),
            400,
            "invalid_timestamp",
        ),
        (
            json!({"timestamp": "yesterday", "application": "x"}),
            400,
            "invalid_timestamp",
        ),
        (
            json!({"timestamp": now / 1000, "application": "x", "duration": -3}),
            400,
            "invalid_activity",
        ),
        (
            json!({"timestamp": now / 1000, "application": "x", "window_title": "t".repeat(1 << 20)}),
            400,
            "field_too_long",
        ),
        (
            json!({"timestamp": now / 1000, "application": ""}),
            400,
            "invalid_activity",
        ),
        (json!({"timestamp": now / 1000}), 400, "invalid_activity"),
        (
            json!({"timestamp": now / 1000, "application": "x", "mouse_activity": -1}),
            400,
            "invalid_activity",
        ),
        (json!([]), 400, "invalid_activity"),
        (json!("hello"), 400, "invalid_activity"),
        // One bad record in a batch: nothing of the batch is stored.
        (
            json!([good(now - 60_000), good(now - 30_000), {"timestamp": "nope", "application": "x"}]),
            400,
            "invalid_timestamp",
        ),
    ];
    for (body, status, code) in cases {
        let (s, v) = post(&app, "/log_activity", &body).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{v}"
        );
    }
    let (_, page) = app.get_json("/api/v1/activity").await;
    assert_eq!(page["items"], json!([]), "nothing was stored");

    // Unknown buckets, bad pulsetime, a bucket of another workspace.
    let hb = json!({"timestamp": aima_core::activity::format_rfc3339_ms(now), "duration": 0, "data": {"app": "x"}});
    let (s, v) = post(&app, "/api/0/buckets/nope/heartbeat?pulsetime=5", &hb).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (404, Some("bucket_not_found"))
    );
    let key_b = create_key(&app, "team-b");
    let r = app
        .client
        .post(app.url("/api/0/buckets/b-only"))
        .bearer_auth(&key_b)
        .json(&json!({"type": "currentwindow", "client": "t", "hostname": "h"}))
        .send()
        .await
        .expect("create");
    assert_eq!(r.status().as_u16(), 200);
    let (s, v) = post(&app, "/api/0/buckets/b-only/heartbeat?pulsetime=5", &hb).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (404, Some("bucket_not_found")),
        "default workspace cannot see team-b's bucket"
    );
    let r = app
        .client
        .post(app.url("/api/0/buckets/b-only/heartbeat?pulsetime=abc"))
        .bearer_auth(&key_b)
        .json(&hb)
        .send()
        .await
        .expect("hb");
    assert_eq!(r.status().as_u16(), 400);
    let r = app
        .client
        .delete(app.url("/api/0/buckets/b-only"))
        .bearer_auth(&key_b)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status().as_u16(), 400, "deleting needs ?force=1");

    // Modes: labels for a mode that does not exist, training without labels
    // or with one mode, prediction without a model.
    let (s, v) = post(
        &app,
        "/log_activity",
        &json!([good(now - 120_000), good(now - 60_000), good(now - 30_000)]),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = post(
        &app,
        "/api/v1/activity/labels",
        &json!({"mode": "Work", "start": now - 200_000, "end": now}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (404, Some("mode_not_found"))
    );
    let (s, v) = post(&app, "/api/v1/modes/train", &json!({})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("insufficient_labels")),
        "{v}"
    );
    assert_eq!(
        post(&app, "/api/v1/modes", &json!({"name": "Work"}))
            .await
            .0,
        201
    );
    let (s, v) = post(&app, "/api/v1/modes", &json!({"name": "Work"})).await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("mode_exists")));
    let (s, v) = post(&app, "/api/v1/modes", &json!({"name": " padded "})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (400, Some("invalid_parameter"))
    );
    let (s, v) = post(
        &app,
        "/api/v1/activity/labels",
        &json!({"mode": "Work", "start": now - 200_000, "end": now}),
    )
    .await;
    assert_eq!((s, &v["labelled"]), (200, &json!(3)), "{v}");
    let (s, v) = post(
        &app,
        "/api/v1/activity/labels",
        &json!({"mode": "Work", "event_ids": [999_999]}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (404, Some("event_not_found"))
    );
    let (s, v) = post(&app, "/api/v1/modes/train", &json!({})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("insufficient_labels")),
        "single class: {v}"
    );
    assert!(v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("at least two modes"));
    let (s, v) = post(&app, "/api/v1/modes/predict", &good(now)).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("no_mode_model"))
    );
    let (s, v) = app.get_json("/api/v1/modes/models/7").await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (404, Some("model_version_not_found"))
    );
}

/// Ground truth of each synthetic sample, by timestamp.
fn truth(ds: &synth::Dataset) -> std::collections::HashMap<i64, &'static str> {
    ds.samples.iter().map(|s| (s.timestamp, s.mode)).collect()
}

async fn log_all(app: &TestApp, samples: &[synth::Sample]) -> Vec<Value> {
    let mut answers = Vec::new();
    for chunk in samples.chunks(1000) {
        let records: Vec<Value> = chunk
            .iter()
            .map(|s| serde_json::to_value(&s.record).unwrap_or_default())
            .collect();
        let (s, v) = post(app, "/log_activity", &json!({ "records": records })).await;
        assert_eq!(s, 201, "{v}");
        answers.push(v);
    }
    answers
}

async fn train_and_wait(app: &TestApp) -> Value {
    let (s, job) = post(app, "/api/v1/modes/train", &json!({})).await;
    assert_eq!(s, 202, "{job}");
    assert_eq!(job["media_id"], Value::Null);
    let job = app
        .wait_job(
            job["id"].as_str().unwrap_or_default(),
            Duration::from_secs(300),
        )
        .await;
    assert_eq!(job["state"], "succeeded", "{job}");
    job
}

/// Two weeks labelled by time range (as a person would), a model trained
/// as a job, the third week labelled automatically at ingestion and by the
/// prediction endpoint, a correction, a second version, a rollback, and
/// where the time went.
#[tokio::test]
async fn modes_are_learned_predicted_corrected_and_rolled_back() {
    for backend in backends() {
        let app = spawn_with(Options {
            backend,
            ..Options::default()
        })
        .await;
        let ds = synth::generate(MONDAY, 21, 300, 11);
        let truth = truth(&ds);
        let cut = MONDAY + 14 * DAY;
        let (train, test): (Vec<_>, Vec<_>) =
            ds.samples.iter().cloned().partition(|s| s.timestamp < cut);
        log_all(&app, &train).await;
        for m in synth::MODES {
            assert_eq!(
                post(&app, "/api/v1/modes", &json!({ "name": m })).await.0,
                201
            );
        }
        let mut labelled = 0;
        for seg in ds.segments.iter().filter(|s| s.start < cut) {
            let (s, v) = post(
                &app,
                "/api/v1/activity/labels",
                &json!({"mode": seg.mode, "start": seg.start, "end": seg.end - 1}),
            )
            .await;
            assert_eq!(s, 200, "{v}");
            labelled += v["labelled"].as_i64().unwrap_or(0);
        }
        assert_eq!(
            labelled as usize,
            train.len(),
            "every sample lies in one segment"
        );

        let job = train_and_wait(&app).await;
        let (_, models) = app.get_json("/api/v1/modes/models").await;
        let v1 = &models["items"][0];
        assert_eq!(v1["version"], 1);
        assert_eq!(v1["active"], true);
        assert_eq!(v1["job_id"], job["id"]);
        let metrics = &v1["metrics"];
        assert_eq!(metrics["beats_baseline"], true, "{metrics}");
        assert_eq!(metrics["classes"], json!(["Meeting", "Relax", "Work"]));
        let chosen = metrics["chosen"].as_str().unwrap_or_default().to_string();
        let chosen_eval = metrics["candidates"]
            .as_array()
            .and_then(|c| c.iter().find(|e| e["algorithm"] == chosen.as_str()))
            .cloned()
            .unwrap_or_default();
        let (f1, base) = (
            chosen_eval["macro_f1"].as_f64().unwrap_or(0.0),
            metrics["baseline"]["macro_f1"].as_f64().unwrap_or(1.0),
        );
        assert!(
            f1 > base + 0.3,
            "{chosen}: macro-F1 {f1} against baseline {base}"
        );
        let algorithms: Vec<&str> = metrics["candidates"]
            .as_array()
            .map(|c| c.iter().filter_map(|e| e["algorithm"].as_str()).collect())
            .unwrap_or_default();
        assert!(algorithms.contains(&"extra_trees"), "{algorithms:?}");

        // The third week arrives: labelled at ingestion by the model.
        let answers = log_all(&app, &test).await;
        let predicted: Vec<String> = answers
            .iter()
            .flat_map(|a| a["modes"].as_array().cloned().unwrap_or_default())
            .map(|m| m.as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(predicted.len(), test.len());
        let right = test
            .iter()
            .zip(&predicted)
            .filter(|(s, p)| s.mode == p.as_str())
            .count();
        let accuracy = right as f64 / test.len() as f64;
        assert!(
            accuracy > 0.8,
            "{backend:?}: held-out week accuracy {accuracy}"
        );

        // The prediction endpoint agrees with the labels given at ingestion.
        let mut agree = 0;
        let probe: Vec<_> = test.iter().zip(&predicted).step_by(20).collect();
        for (s, p) in &probe {
            let (st, v) = post(
                &app,
                "/api/v1/modes/predict",
                &serde_json::to_value(&s.record).unwrap_or_default(),
            )
            .await;
            assert_eq!(st, 200, "{v}");
            assert_eq!(v["model_version"], 1);
            let c = v["confidence"].as_f64().unwrap_or(-1.0);
            assert!((0.0..=1.0).contains(&c));
            if v["mode"].as_str() == Some(p.as_str()) {
                agree += 1;
            }
        }
        assert!(
            agree as f64 >= 0.9 * probe.len() as f64,
            "{agree} of {}",
            probe.len()
        );

        // A window watcher's heartbeats are labelled too: a new event when
        // it starts, and it keeps its mode as later heartbeats merge into it.
        let r = app
            .client
            .post(app.url("/api/0/buckets/aw-watcher-window_h"))
            .json(&json!({"type": "currentwindow", "client": "aw-watcher-window", "hostname": "h"}))
            .send()
            .await
            .expect("bucket");
        assert_eq!(r.status().as_u16(), 200);
        let at = cut + 3 * DAY + 10 * 3_600_000 + 20 * 60_000; // a Thursday morning
        let mut last = Value::Null;
        for i in 0..3 {
            last = window_heartbeat(&app, at + i * 5000, "store.rs").await;
        }
        assert_eq!(last["duration"], 10.0, "merged: {last}");
        let (_, page) = app
            .get_json("/api/v1/activity?bucket=aw-watcher-window_h")
            .await;
        assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
        assert_eq!(page["items"][0]["mode"]["source"], "model", "{page}");
        assert_eq!(page["items"][0]["mode"]["mode"], "Work", "{page}");

        // Stored activity shows the model's labels with their version.
        let (_, page) = app
            .get_json(&format!("/api/v1/activity?limit=5&start={}", cut))
            .await;
        let first = &page["items"][0];
        // The next page starts after the last of this one, newest first.
        let cursor = page["next_cursor"].as_str().unwrap_or_default();
        let (s, next) = app
            .get_json(&format!(
                "/api/v1/activity?limit=5&start={cut}&cursor={cursor}"
            ))
            .await;
        assert_eq!(s, 200, "{next}");
        let (last, after) = (&page["items"][4], &next["items"][0]);
        assert!(
            (after["timestamp"].as_i64(), after["id"].as_i64())
                < (last["timestamp"].as_i64(), last["id"].as_i64()),
            "{last} then {after}"
        );
        let (s, bad) = app.get_json("/api/v1/activity?cursor=zz").await;
        assert_eq!(
            (s, bad["error"]["code"].as_str()),
            (400, Some("invalid_parameter"))
        );
        assert_eq!(first["mode"]["source"], "model", "{first}");
        assert_eq!(first["mode"]["model_version"], 1);
        assert!(truth.contains_key(&first["timestamp"].as_i64().unwrap_or(0)));

        // A person corrects a day of the third week; a second version learns it.
        let fix_day = cut + DAY;
        for seg in ds
            .segments
            .iter()
            .filter(|s| s.start >= fix_day && s.end <= fix_day + DAY)
        {
            let (s, _) = post(
                &app,
                "/api/v1/activity/labels",
                &json!({"mode": seg.mode, "start": seg.start, "end": seg.end - 1}),
            )
            .await;
            assert_eq!(s, 200);
        }
        train_and_wait(&app).await;
        let (_, models) = app.get_json("/api/v1/modes/models").await;
        let versions: Vec<(i64, bool)> = models["items"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|m| (m["version"].as_i64().unwrap_or(0), m["active"] == true))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(versions, vec![(2, true), (1, false)]);
        let samples_v2 = models["items"][0]["metrics"]["samples"]
            .as_i64()
            .unwrap_or(0);
        assert!(
            samples_v2 > train.len() as i64,
            "the correction is training data"
        );

        // Rollback to version 1.
        let (s, v) = post(&app, "/api/v1/modes/models/1/activate", &json!({})).await;
        assert_eq!((s, &v["active"]), (200, &json!(true)), "{v}");
        let (_, v) = post(
            &app,
            "/api/v1/modes/predict",
            &serde_json::to_value(&test[0].record).unwrap_or_default(),
        )
        .await;
        assert_eq!(v["model_version"], 1, "{v}");
        // A heartbeat that starts a new event after the rollback is labelled
        // by version 1, and one that merges keeps that label.
        let at = cut + 3 * DAY + 14 * 3_600_000; // that Thursday afternoon
        for i in 0..2 {
            let v = window_heartbeat(&app, at + i * 5000, "jobs.rs").await;
            assert_eq!(v["duration"], i as f64 * 5.0, "{v}");
        }
        let (_, page) = app
            .get_json(&format!(
                "/api/v1/activity?bucket=aw-watcher-window_h&start={at}"
            ))
            .await;
        assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
        assert_eq!(page["items"][0]["mode"]["model_version"], 1, "{page}");
        assert_eq!(page["items"][0]["mode"]["source"], "model", "{page}");

        // Where the time went: by mode and weekday, JSON and CSV.
        let (s, sum) = app
            .get_json(&format!(
                "/api/v1/activity/summary?by=mode&period=weekday&end={cut}"
            ))
            .await;
        assert_eq!(s, 200, "{sum}");
        let total = sum["total_seconds"].as_f64().unwrap_or(0.0);
        assert!((total - train.len() as f64 * 300.0).abs() < 1.0, "{total}");
        let work_monday = sum["rows"]
            .as_array()
            .and_then(|r| {
                r.iter()
                    .find(|r| r["key"] == "Work" && r["period"] == "Monday")
            })
            .and_then(|r| r["seconds"].as_f64())
            .unwrap_or(0.0);
        assert!(
            work_monday > 2.0 * 3.5 * 3600.0,
            "two Mondays of work: {work_monday}"
        );
        let r = app
            .client
            .get(app.url("/api/v1/activity/summary?by=app&period=hour&format=csv"))
            .send()
            .await
            .expect("csv");
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        let csv = r.text().await.unwrap_or_default();
        assert!(csv.starts_with("key,period,seconds\n"), "{csv}");
        assert!(csv.lines().any(|l| l.starts_with("zoom,09,")), "{csv}");
        let (status, err) = app
            .get_json("/api/v1/activity/summary?by=app&period=hour&format=xml")
            .await;
        assert_eq!(
            (status, &err["error"]["code"]),
            (400, &json!("invalid_parameter")),
            "{err}"
        );
    }
}

/// What a heartbeat or insert answered: the event it names and the
/// duration it reported.
#[derive(Debug, Clone)]
struct Acked {
    bucket: String,
    id: i64,
    duration: f64,
    data: Value,
    timestamp: Value,
}

/// Group commit keeps acknowledgements honest: 40 watchers heartbeat and 8
/// clients insert batches into `aima serve` (a process, on each backend)
/// until it is SIGKILLed mid-storm; started again on the same database,
/// every heartbeat and event it acknowledged is there, with at least the
/// duration it answered. (aw-server-rust answers before its batch commits;
/// AIMA must not.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_heartbeats_survive_a_sigkill() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    for backend in backends() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = fresh_database(backend, dir.path()).await;
        let port = free_port();
        let mut server = crate::cluster::serve(port, dir.path(), &db).await;
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for b in 0..48 {
            let r = client
                .post(format!("{base}/api/0/buckets/storm{b}"))
                .json(&json!({"client": "t", "type": "currentwindow", "hostname": "h"}))
                .send()
                .await
                .expect("bucket");
            assert!(r.status().is_success(), "{}", r.status());
        }
        let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
        let failed = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for c in 0..48usize {
            let (client, base, acked, failed) =
                (client.clone(), base.clone(), acked.clone(), failed.clone());
            tasks.push(tokio::spawn(async move {
                // A bucket per watcher, as each watcher has its own.
                let bucket = format!("storm{c}");
                for k in 0i64.. {
                    // Each client's own second of the day: its heartbeats
                    // run forward in time; the app changes every 5th.
                    let ts = MONDAY + (c as i64) * 3_600_000 + k * 1000;
                    let request = if c < 40 {
                        client
                            .post(format!(
                                "{base}/api/0/buckets/{bucket}/heartbeat?pulsetime=10"
                            ))
                            .json(&json!({"timestamp": ts_iso(ts), "duration": 0,
                                "data": {"app": format!("c{c}-{}", k / 5)}}))
                    } else {
                        let batch: Vec<Value> = (0..20)
                            .map(|i| {
                                json!({"timestamp": ts_iso(ts + i * 40), "duration": 0.04,
                                "data": {"app": format!("c{c}-{k}-{i}")}})
                            })
                            .collect();
                        client
                            .post(format!("{base}/api/0/buckets/{bucket}/events"))
                            .json(&batch)
                    };
                    let answer = match request.send().await {
                        Ok(r) if r.status().is_success() => r.json::<Value>().await,
                        Ok(r) => panic!("{bucket}: {} {:?}", r.status(), r.text().await),
                        Err(_) => {
                            failed.fetch_add(1, Ordering::SeqCst);
                            return;
                        }
                    };
                    // An answer cut by the kill was never acknowledged.
                    let Ok(answer) = answer else {
                        failed.fetch_add(1, Ordering::SeqCst);
                        return;
                    };
                    let events = match answer {
                        Value::Array(a) => a,
                        one => vec![one],
                    };
                    let mut acked = acked.lock().expect("lock");
                    for e in events {
                        acked.push(Acked {
                            bucket: bucket.clone(),
                            id: e["id"].as_i64().expect("id"),
                            duration: e["duration"].as_f64().expect("duration"),
                            data: e["data"].clone(),
                            timestamp: e["timestamp"].clone(),
                        });
                    }
                }
            }));
        }
        // Kill once the storm is well under way.
        let until = std::time::Instant::now() + Duration::from_secs(60);
        while acked.lock().expect("lock").len() < 3000 {
            assert!(
                std::time::Instant::now() < until,
                "the storm never got going"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.start_kill().expect("SIGKILL");
        server.wait().await.expect("killed");
        for t in tasks {
            t.await.expect("client task");
        }
        assert_eq!(
            failed.load(Ordering::SeqCst),
            48,
            "every client saw the kill"
        );
        let acked = acked.lock().expect("lock").clone();

        let _server = crate::cluster::serve(port, dir.path(), &db).await;
        let mut stored = std::collections::HashMap::new();
        for b in 0..48 {
            let r = client
                .get(format!(
                    "{base}/api/0/buckets/storm{b}/events?limit=1000000"
                ))
                .send()
                .await
                .expect("events");
            for e in r.json::<Vec<Value>>().await.expect("json") {
                stored.insert(e["id"].as_i64().expect("id"), (format!("storm{b}"), e));
            }
        }
        let mut merged_later = 0;
        for a in &acked {
            let (bucket, e) = stored
                .get(&a.id)
                .unwrap_or_else(|| panic!("{backend:?}: acknowledged event {a:?} is lost"));
            assert_eq!(bucket, &a.bucket, "{a:?}");
            assert_eq!(e["data"], a.data, "{a:?}");
            assert_eq!(e["timestamp"], a.timestamp, "{a:?}");
            let d = e["duration"].as_f64().expect("duration");
            assert!(d >= a.duration - 1e-9, "{backend:?}: {a:?} stored with {d}");
            merged_later += usize::from(d > a.duration + 1e-9);
        }
        // The check saw real merges: most heartbeats extended an event that
        // later heartbeats extended further.
        assert!(merged_later > 100, "{merged_later} of {}", acked.len());
    }
}

/// ISO 8601 UTC with milliseconds, as ActivityWatch clients send it.
fn ts_iso(ms: i64) -> String {
    let at = std::time::UNIX_EPOCH + Duration::from_millis(ms as u64);
    humantime::format_rfc3339_millis(at).to_string()
}
