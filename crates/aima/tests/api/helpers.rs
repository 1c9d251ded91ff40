//! Test harness: a real server on a random loopback port, a fresh database
//! per test (SQLite, or PostgreSQL when the test command started one), and
//! real media made by ffmpeg.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use aima::app::{start_server, Running};
use aima::config::Config;
use serde_json::Value;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the test command started, if any.
pub fn postgres_base() -> Option<String> {
    std::env::var("AIMA_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

/// Backends to run cross-backend tests on. When CI asks for PostgreSQL
/// (AIMA_TEST_REQUIRE_POSTGRES=1) and it is missing, that is a failure, not a skip.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if postgres_base().is_some() {
        b.push(Backend::Postgres);
    } else if std::env::var("AIMA_TEST_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!("AIMA_TEST_REQUIRE_POSTGRES=1 but AIMA_TEST_POSTGRES_URL is not set");
    }
    b
}

/// A new, empty database for one test.
pub async fn fresh_database(backend: Backend, dir: &Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join("test.db").display()),
        Backend::Postgres => {
            let base = postgres_base().expect("PostgreSQL is not configured");
            let name = format!("aima_t_{}", uuid::Uuid::new_v4().simple());
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&base)
                .await
                .expect("connect to test PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let (prefix, _) = base.rsplit_once('/').expect("URL has a database");
            format!("{prefix}/{name}")
        }
    }
}

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub client: reqwest::Client,
    pub data: tempfile::TempDir,
    pub config: Config,
    running: Option<Running>,
}

#[derive(Clone)]
pub struct Options {
    pub backend: Backend,
    pub workers: usize,
    pub max_upload_bytes: u64,
    pub allow_anonymous: bool,
    pub lease_seconds: u64,
    pub models_dir: Option<PathBuf>,
    /// Blobs in a fresh bucket of the test S3 server instead of a folder.
    pub s3: bool,
    /// A daily budget of GPU busy seconds.
    pub gpu_budget: Option<f64>,
    /// `pipeline.default`: what uploads without a pipeline run (none
    /// unless a test asks).
    pub default_pipeline: Vec<String>,
    /// `models.catalog`: entries added to the built-in catalog.
    pub catalog: Vec<aima_models::ModelEntry>,
    /// `search.clip_model`, when not the default.
    pub clip_model: Option<String>,
    /// Any other setting a test needs.
    pub configure: Option<fn(&mut Config)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            backend: Backend::Sqlite,
            workers: 1,
            max_upload_bytes: 50 * 1024 * 1024,
            allow_anonymous: true,
            lease_seconds: 4,
            models_dir: None,
            s3: false,
            gpu_budget: None,
            default_pipeline: Vec::new(),
            catalog: Vec::new(),
            clip_model: None,
            configure: None,
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(Options::default()).await
}

/// The workspace's shared model files (beside the clone, as CI lays it out).
pub fn shared_models() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models");
    assert!(
        dir.join("ggml-tiny.en.bin").is_file(),
        "missing shared models at {}",
        dir.display()
    );
    dir
}

/// The models the tests run: Whisper (CTranslate2 and whisper.cpp), ONNX
/// Runtime, the image models, the text embedder and the local LLM.
pub const TEST_MODELS: [&str; 13] = [
    "faster-whisper-base",
    "faster-whisper-tiny.en",
    "whisper-tiny.en",
    "onnxruntime",
    "ocr-ppocrv6",
    "nsfw-open",
    "nsfw-nudenet-320n",
    "objects-centernet",
    "pose-movenet-multipose",
    "faces-blazeface-faceres",
    "multilingual-e5-small",
    "minilm-l6-int8",
    "smollm2-135m-instruct",
];

/// Stages whose default model only a hub has (the analyzers' defaults are
/// public models a user can pull; see README) run on the packaged fixture
/// of the same kind in the tests, named explicitly.
pub const FIXTURE_MODELS: [(&str, &str); 2] = [
    ("objects", "objects-centernet"),
    ("faces", "faces-blazeface-faceres"),
];

/// A pipeline as JSON from a comma-separated list, each stage with its
/// [`FIXTURE_MODELS`] model where it has one.
pub fn with_fixtures(list: &str) -> Value {
    Value::Array(
        list.split(',')
            .map(
                |name| match FIXTURE_MODELS.iter().find(|(s, _)| *s == name) {
                    Some((_, model)) => {
                        serde_json::json!({"name": name, "options": {"model": model}})
                    }
                    None => serde_json::json!({"name": name}),
                },
            )
            .collect(),
    )
}

/// One models folder for the whole test run, with [`TEST_MODELS`] pulled
/// once, through the model manager, from their wheels (with pip) and the
/// shared folder; never from a hub.
pub async fn test_models_dir() -> PathBuf {
    static DIR: tokio::sync::OnceCell<PathBuf> = tokio::sync::OnceCell::const_new();
    DIR.get_or_init(|| async {
        // Kept in the build's scratch folder between runs: installed models
        // are found (and checked) instead of fetched again, and nothing
        // piles up in /tmp.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("aima-test-models");
        // Folders that failed pulls of older runs left empty.
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir()
                && !e.file_name().to_string_lossy().starts_with('.')
                && !p.join(".manifest.json").exists()
            {
                let _ = std::fs::remove_dir_all(&p);
            }
        }
        // Tests never depend on a hub.
        let mut catalog = aima_models::Catalog::builtin();
        for e in &mut catalog.entries {
            for f in &mut e.files {
                f.sources
                    .retain(|s| !matches!(s, aima_models::Source::Hf { .. }));
            }
        }
        let m = aima_models::ModelManager::new(&dir, vec![shared_models()], "python3")
            .with_catalog(catalog);
        for name in TEST_MODELS {
            m.pull(name)
                .await
                .unwrap_or_else(|e| panic!("install {name}: {e}"));
        }
        dir
    })
    .await
    .clone()
}

pub fn test_config(data: &Path, db: String, o: &Options) -> Config {
    let mut cfg = Config {
        data_dir: data.to_path_buf(),
        ..Config::default()
    };
    cfg.server.listen = "127.0.0.1:0".into();
    cfg.server.max_upload_bytes = o.max_upload_bytes;
    cfg.server.allow_anonymous = o.allow_anonymous;
    cfg.server.shutdown_grace_seconds = 5;
    cfg.database.url = db;
    cfg.workers.count = o.workers;
    cfg.workers.lease_seconds = o.lease_seconds;
    cfg.workers.heartbeat_seconds = 1;
    cfg.workers.poll_interval_ms = 100;
    cfg.workers.retry_backoff_seconds = 1;
    // An empty models folder unless a test asks for the installed one.
    cfg.models.dir = o.models_dir.clone().unwrap_or_else(|| data.join("models"));
    cfg.pipeline.default = o.default_pipeline.clone();
    cfg.models.catalog = o.catalog.clone();
    if let Some(m) = &o.clip_model {
        cfg.search.clip_model = m.clone();
    }
    if let Some(f) = o.configure {
        f(&mut cfg);
    }
    cfg
}

/// The S3 server the test command started (moto on loopback), if any.
/// When CI asks for it (AIMA_TEST_REQUIRE_S3=1) and it is missing, that is a
/// failure, not a skip.
pub fn s3_endpoint() -> Option<String> {
    match std::env::var("AIMA_TEST_S3_ENDPOINT") {
        Ok(e) if !e.is_empty() => Some(e),
        _ if std::env::var("AIMA_TEST_REQUIRE_S3").as_deref() == Ok("1") => {
            panic!("AIMA_TEST_REQUIRE_S3=1 but AIMA_TEST_S3_ENDPOINT is not set")
        }
        _ => None,
    }
}

/// A new, empty bucket on the test S3 server.
pub async fn fresh_bucket(endpoint: &str) -> String {
    let bucket = format!("aima-{}", uuid::Uuid::new_v4().simple());
    // moto takes an unsigned bucket creation.
    let r = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("create bucket");
    assert!(r.status().is_success(), "create bucket: {}", r.status());
    bucket
}

/// Object names in a bucket of the test S3 server.
pub async fn bucket_keys(endpoint: &str, bucket: &str) -> Vec<String> {
    let xml = reqwest::get(format!("{endpoint}/{bucket}"))
        .await
        .expect("list bucket")
        .text()
        .await
        .unwrap_or_default();
    xml.split("<Key>")
        .skip(1)
        .filter_map(|s| s.split("</Key>").next())
        .map(String::from)
        .collect()
}

/// A server on `backend` with the test models installed.
pub async fn spawn_with_models(backend: Backend) -> TestApp {
    spawn_with(Options {
        backend,
        models_dir: Some(test_models_dir().await),
        ..Options::default()
    })
    .await
}

pub async fn spawn_with(o: Options) -> TestApp {
    if std::env::var("AIMA_TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt().with_env_filter("info").try_init();
    }
    let data = tempfile::tempdir().expect("tempdir");
    let db = fresh_database(o.backend, data.path()).await;
    let mut config = test_config(data.path(), db, &o);
    if let Some(b) = o.gpu_budget {
        config.workers.budget_seconds_per_day = b;
    }
    if o.s3 {
        let endpoint = s3_endpoint().expect("the test S3 server (AIMA_TEST_S3_ENDPOINT)");
        config.blobs.backend = "s3".into();
        config.blobs.s3.endpoint = endpoint.clone();
        config.blobs.s3.bucket = fresh_bucket(&endpoint).await;
        config.blobs.s3.prefix = "aima".into();
        config.blobs.s3.access_key_id = "test".into();
        config.blobs.s3.secret_access_key = "test".into();
    }
    start_app(config, data).await
}

/// A server of `config`, whose data folder `data` lives as long as it.
pub async fn start_app(config: Config, data: tempfile::TempDir) -> TestApp {
    let running = start_server(config.clone()).await.expect("server starts");
    TestApp {
        addr: running.addr,
        client: reqwest::Client::new(),
        data,
        config,
        running: Some(running),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Uploads a file as the raw body.
    pub async fn upload(&self, file: &Path, query: &str) -> reqwest::Response {
        let bytes = tokio::fs::read(file).await.expect("read media");
        self.client
            .post(self.url(&format!("/api/v1/media{query}")))
            .body(bytes)
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// The body of a GET as text (`/metrics`, a CSV export); empty if none.
    pub async fn get_text(&self, path: &str) -> String {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .unwrap_or_default()
    }

    /// Polls a job until it ends (or `timeout`), without assuming how long work takes.
    pub async fn wait_job(&self, job_id: &str, timeout: Duration) -> Value {
        let until = Instant::now() + timeout;
        loop {
            let (status, job) = self.get_json(&format!("/api/v1/jobs/{job_id}")).await;
            assert_eq!(status, 200, "job {job_id}: {job}");
            let state = job["state"].as_str().unwrap_or_default().to_string();
            if ["succeeded", "partial", "failed", "cancelled"].contains(&state.as_str()) {
                return job;
            }
            assert!(
                Instant::now() < until,
                "job {job_id} did not end in {timeout:?}: {job}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Uploads with a pipeline and waits for its job; returns the upload
    /// answer and the ended job.
    pub async fn upload_and_wait(
        &self,
        file: &Path,
        query: &str,
        timeout: Duration,
    ) -> (Value, Value) {
        let r = self.upload(file, query).await;
        assert!(r.status().is_success(), "upload: {}", r.status());
        let up: Value = r.json().await.unwrap_or_default();
        let job = self
            .wait_job(up["job_id"].as_str().unwrap_or_default(), timeout)
            .await;
        (up, job)
    }

    /// Queues a job through the API and returns it.
    pub async fn post_job(&self, media_id: &str, pipeline: Value) -> Value {
        let r = self
            .client
            .post(self.url("/api/v1/jobs"))
            .json(&serde_json::json!({"media_id": media_id, "pipeline": pipeline}))
            .send()
            .await
            .expect("create job");
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap_or_default();
        assert_eq!(status, 201, "{v}");
        v
    }

    /// Queues a job through the API and waits for its end; returns it.
    pub async fn run_job(&self, media_id: &str, pipeline: Value, timeout: Duration) -> Value {
        let job = self.post_job(media_id, pipeline).await;
        self.wait_job(job["id"].as_str().unwrap_or_default(), timeout)
            .await
    }

    /// Polls the model list until `name` is installed (its pull ended well).
    pub async fn wait_until_model_installed(&self, name: &str) {
        let until = Instant::now() + Duration::from_secs(120);
        loop {
            let (status, list) = self.get_json("/api/v1/models").await;
            assert_eq!(status, 200, "{list}");
            let model = list["items"]
                .as_array()
                .and_then(|a| a.iter().find(|m| m["name"] == name).cloned())
                .unwrap_or_default();
            if model["state"] == "installed" {
                return;
            }
            assert_ne!(model["pull"]["state"], "failed", "{model}");
            assert!(Instant::now() < until, "{name} was not installed: {model}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Polls a job until `done(job)` holds.
    pub async fn wait_until(
        &self,
        job_id: &str,
        what: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, job) = self.get_json(&format!("/api/v1/jobs/{job_id}")).await;
            if done(&job) {
                return job;
            }
            assert!(Instant::now() < until, "job never {what}: {job}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Starts the server again on the same address, database and data.
    pub async fn restart(&mut self) {
        self.stop().await;
        let mut config = self.config.clone();
        config.server.listen = self.addr.to_string();
        let running = start_server(config).await.expect("server restarts");
        assert_eq!(running.addr, self.addr);
        self.running = Some(running);
    }

    /// Stops the server as SIGTERM would, and waits for it.
    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown.cancel();
            let _ = r.task.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(r) = &self.running {
            r.shutdown.cancel();
        }
    }
}

/// Runs ffmpeg; the test fails if ffmpeg is missing or fails.
pub fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg must be installed (the test command installs it)");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A video of three visibly different scenes of `scene` seconds each (red,
/// test pattern, blue), with a tone: scene changes at `scene` and `2*scene`.
pub fn scenes_video(dir: &Path, name: &str, scene: f64, size: &str) -> PathBuf {
    let out = dir.join(name);
    let d = format!("{scene}");
    let total = format!("{}", scene * 3.0);
    let filter = "[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p[v]";
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("color=c=red:s={size}:r=25:d={d}"),
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc=s={size}:r=25:d={d}"),
        "-f",
        "lavfi",
        "-i",
        &format!("color=c=blue:s={size}:r=25:d={d}"),
        "-f",
        "lavfi",
        "-i",
        &format!("sine=frequency=440:duration={total}"),
        "-filter_complex",
        filter,
        "-map",
        "[v]",
        "-map",
        "3:a",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-shortest",
        out.to_str().expect("utf-8 path"),
    ]);
    out
}

/// Four seconds of a white 720p slide on which "Budget approved for April"
/// appears at 1 s (dark DejaVu Sans, 48 px).
pub fn budget_slide(dir: &Path) -> PathBuf {
    let out = dir.join("slide.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=white:s=1280x720:d=4",
        "-vf",
        "drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:text='Budget approved for April':fontsize=48:fontcolor=black:x=100:y=200:enable='gte(t,1)',format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        out.to_str().expect("utf-8 path"),
    ]);
    out
}

/// A white 640 x 360 slide with `caption` on it and `wav` as its sound
/// (H.264 and AAC in MP4), as long as the speech (at most two minutes).
pub fn captioned_talk(wav: &Path, caption: &str, out: &Path) -> PathBuf {
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=white:s=640x360:r=10:d=120",
        "-i",
        wav.to_str().expect("utf-8 path"),
        "-vf",
        &format!("drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:text='{caption}':fontsize=32:fontcolor=black:x=60:y=150,format=yuv420p"),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-shortest",
        out.to_str().expect("utf-8 path"),
    ]);
    out.to_path_buf()
}

/// A test pattern with `wav` as its sound (H.264 and AAC in MP4), as long
/// as the speech (at most two minutes).
pub fn talking_video(wav: &Path, out: &Path) -> PathBuf {
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=s=320x240:r=10:d=120",
        "-i",
        wav.to_str().expect("utf-8 path"),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-shortest",
        out.to_str().expect("utf-8 path"),
    ]);
    out.to_path_buf()
}

/// Two minutes of a moving test pattern (a few MB): long enough to stop a
/// job midway when it saves a thumbnail every fraction of a second.
pub fn long_video(dir: &Path) -> PathBuf {
    let out = dir.join("long.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=s=320x240:r=25:d=120",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        out.to_str().expect("path"),
    ]);
    out
}

/// Speech read by espeak-ng to a WAV file. The test fails if espeak-ng is missing.
pub fn speak(dir: &Path, name: &str, voice: &str, text: &str) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new("espeak-ng")
        .args(["-v", voice, "-s", "140", "-w"])
        .arg(&out)
        .arg(text)
        .status()
        .expect("espeak-ng must be installed (the test command installs it)");
    assert!(status.success());
    out
}

/// Silence between the sentences of [`read_aloud`], seconds: longer than
/// the pause that ends a speech chunk (2 s), so each sentence is a window
/// of its own.
pub const GAP: f64 = 2.5;

/// espeak-ng's sentences with [`GAP`] between them, as one WAV; with each
/// sentence's start and end second.
pub fn read_aloud(dir: &Path, name: &str, lines: &[(&str, &str)]) -> (PathBuf, Vec<(f64, f64)>) {
    let mut inputs = Vec::new();
    let mut times = Vec::new();
    let mut at = 0.0;
    for (i, (voice, text)) in lines.iter().enumerate() {
        let wav = speak(dir, &format!("{name}-{i}.wav"), voice, text);
        // espeak-ng writes 16-bit mono PCM at 22 050 Hz after a 44-byte header.
        let len = (std::fs::metadata(&wav).expect("wav").len() - 44) as f64 / 44_100.0;
        times.push((at, at + len));
        at += len + GAP;
        inputs.push(wav);
    }
    let out = dir.join(format!("{name}.wav"));
    let mut args: Vec<String> = Vec::new();
    let mut graph = String::new();
    for (i, wav) in inputs.iter().enumerate() {
        args.extend(["-i".into(), wav.display().to_string()]);
        graph.push_str(&format!("[{i}:a]apad=pad_dur={GAP}[a{i}];"));
    }
    for i in 0..inputs.len() {
        graph.push_str(&format!("[a{i}]"));
    }
    graph.push_str(&format!("concat=n={}:v=0:a=1", inputs.len()));
    args.extend(["-filter_complex".into(), graph, out.display().to_string()]);
    ffmpeg(&args.iter().map(String::as_str).collect::<Vec<_>>());
    (out, times)
}

/// An MP3 (64 kb/s) of a WAV file, as `out`.
pub fn to_mp3(wav: &Path, out: &Path) -> PathBuf {
    ffmpeg(&[
        "-i",
        wav.to_str().expect("path"),
        "-c:a",
        "libmp3lame",
        "-b:a",
        "64k",
        out.to_str().expect("path"),
    ]);
    out.to_path_buf()
}

/// Word error rate of `hyp` against `reference`, after lowercasing and
/// dropping punctuation: word-level edit distance over reference length.
pub fn wer(reference: &str, hyp: &str) -> f64 {
    let norm = |s: &str| -> Vec<String> {
        s.to_lowercase()
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c.is_whitespace() {
                    c
                } else {
                    ' '
                }
            })
            .collect::<String>()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let (r, h) = (norm(reference), norm(hyp));
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(rw != hw))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[h.len()] as f64 / r.len().max(1) as f64
}

/// scikit-image's sample images (scripts/test.sh fetches them from the
/// scikit-image wheel): photos no one here made.
pub fn sample_image(name: &str) -> PathBuf {
    let dir = PathBuf::from(std::env::var("AIMA_TEST_IMAGES").unwrap_or_default());
    let p = dir.join(name);
    assert!(
        p.is_file(),
        "AIMA_TEST_IMAGES must name scikit-image's sample images (missing {name})"
    );
    p
}

pub fn png_image(dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=s=64x48",
        "-frames:v",
        "1",
        out.to_str().expect("path"),
    ]);
    out
}

pub fn wav_audio(dir: &Path, name: &str, seconds: u32) -> PathBuf {
    let out = dir.join(name);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("sine=frequency=330:duration={seconds}"),
        "-ar",
        "16000",
        out.to_str().expect("path"),
    ]);
    out
}

/// Overwrites the middle part of a file's bytes (`from..to` as fractions)
/// with deterministic noise: a corrupt stream behind valid headers.
pub fn garble(src: &Path, dst: &Path, from: f64, to: f64) {
    let mut bytes = std::fs::read(src).expect("read");
    let n = bytes.len() as f64;
    let mut x: u32 = 12345;
    for b in &mut bytes[(n * from) as usize..(n * to) as usize] {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        *b = (x >> 16) as u8;
    }
    std::fs::write(dst, bytes).expect("write");
}

/// Files under a folder, recursively (to check nothing was left behind).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// `aima admin create-key` against the test's database, as a user would run it.
pub fn create_key(app: &TestApp, workspace: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aima"))
        .args([
            "admin",
            "create-key",
            "--workspace",
            workspace,
            "--data-dir",
        ])
        .arg(app.data.path())
        .args(["--database", &app.config.database.url])
        .env("AIMA_CONFIG", "/nonexistent")
        .output()
        .expect("run aima");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(key.starts_with("aima_") && key.len() > 40, "{key}");
    key
}

/// `aima admin ARGS` against the test's database, as an operator would run it.
pub async fn admin(app: &TestApp, args: &[&str]) -> std::process::Output {
    admin_with_input(app, args, "").await
}

/// [`admin`] with `input` on standard input (a password, say).
pub async fn admin_with_input(app: &TestApp, args: &[&str], input: &str) -> std::process::Output {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_aima"))
        .arg("admin")
        .args(args)
        .arg("--data-dir")
        .arg(app.data.path())
        .args(["--database", &app.config.database.url])
        .env("AIMA_CONFIG", "/nonexistent")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("aima admin");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes()).await;
    }
    child.wait_with_output().await.expect("aima admin")
}

/// A worker token granted one workspace (`aima admin create-worker-token`).
pub async fn worker_token(app: &TestApp, name: &str, workspace: &str) -> String {
    let out = admin(
        app,
        &[
            "create-worker-token",
            "--name",
            name,
            "--workspace",
            workspace,
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Uploads `file` and runs `pipeline` on it (a comma list; fixture models
/// where the default is hub-only); returns the media id.
pub async fn analysed(app: &TestApp, file: &Path, pipeline: &str) -> String {
    let id = upload_only(app, file).await;
    let job = app
        .run_job(&id, with_fixtures(pipeline), Duration::from_secs(300))
        .await;
    assert_eq!(job["state"], "succeeded", "{job}");
    id
}

pub async fn upload_only(app: &TestApp, file: &Path) -> String {
    let r = app.upload(file, "?pipeline=none").await;
    assert!(r.status().is_success(), "upload: {}", r.status());
    let up: Value = r.json().await.unwrap_or_default();
    up["media"]["id"].as_str().unwrap_or_default().to_string()
}

/// Waits until search by meaning has indexed every stored text (and some).
pub async fn indexed(app: &TestApp) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (s, v) = app.get_json("/api/v1/search/status").await;
        assert_eq!(s, 200, "{v}");
        if v["pending"] == 0 && v["indexed"].as_u64().unwrap_or(0) > 0 {
            return v;
        }
        assert!(Instant::now() < deadline, "the indexer did not finish: {v}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The built-in CLIP entry under `name`, its files those of a CLIP
/// stand-in of the same signature built into `dir`
/// (aima-analyzers/tests/clip_stand_in.py: red, green and blue read as
/// themselves), installed by a pull like any model.
/// A folder of models of its own in `dir` that links to the installed test
/// models file by file: a pull there (through the API, by a fuzzer too)
/// writes only there, and never into the shared folder.
pub async fn own_models_dir(dir: &Path) -> PathBuf {
    let shared = test_models_dir().await;
    std::fs::create_dir_all(dir).expect("dir");
    for model in std::fs::read_dir(&shared).expect("models").flatten() {
        let name = model.file_name();
        // Installed models only (a failed pull leaves an empty folder).
        if name.to_string_lossy().starts_with('.') || !model.path().join(".manifest.json").is_file()
        {
            continue;
        }
        let own = dir.join(&name);
        std::fs::create_dir_all(&own).expect("model dir");
        for file in std::fs::read_dir(model.path())
            .expect("model files")
            .flatten()
        {
            std::os::unix::fs::symlink(file.path(), own.join(file.file_name())).expect("link");
        }
    }
    dir.to_path_buf()
}

/// The catalog's entry of `name` with its only source gone: a pull of it
/// fails, wherever the test runs.
pub fn unreachable_model(name: &str) -> aima_models::ModelEntry {
    let mut entry = aima_models::Catalog::builtin()
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("no catalog entry {name}"));
    for f in &mut entry.files {
        f.sources = vec![aima_models::Source::File {
            path: format!("/nonexistent/aima-test/{}", f.name),
            sha256: "0".repeat(64),
        }];
    }
    entry
}

pub fn clip_stand_in(dir: &Path, name: &str) -> aima_models::ModelEntry {
    use sha2::Digest;
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            include_str!("../../../aima-analyzers/tests/clip_stand_in.py"),
        ])
        .arg(dir)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "building the CLIP stand-in (needs onnx and tokenizers): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut entry = aima_models::Catalog::builtin()
        .get("clip-vit-b32")
        .cloned()
        .expect("clip entry");
    entry.name = name.into();
    for f in &mut entry.files {
        let path = dir.join(&f.name);
        f.sources = vec![aima_models::Source::File {
            path: path.display().to_string(),
            sha256: hex::encode(sha2::Sha256::digest(std::fs::read(&path).expect("read"))),
        }];
    }
    entry
}
