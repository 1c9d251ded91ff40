//! `aima models` as a user runs it: one models folder, shared by commands.

use std::process::Command;

fn aima(models: &std::path::Path) -> Command {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models");
    let mut c = Command::new(env!("CARGO_BIN_EXE_aima"));
    c.env("AIMA_CONFIG", "/nonexistent")
        .env("AIMA__MODELS__DIR", models)
        .env(
            "AIMA__MODELS__LOCAL_DIRS",
            format!("[\"{}\"]", shared.display()),
        )
        // No hub here: the Hugging Face source fails at once and the next source is used.
        .env("HF_ENDPOINT", "http://127.0.0.1:9");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("run aima");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn list_pull_verify_path_rm() {
    let dir = tempfile::tempdir().expect("tmp");
    let m = dir.path();
    let (code, out, _) = run(aima(m).args(["models", "list"]));
    assert_eq!(code, 0);
    // Columns line up under their headers, whatever the names' lengths.
    let kind_at = out.find("KIND").unwrap_or_default();
    assert!(kind_at > "faster-whisper-tiny.en".len(), "{out}");
    for l in out.lines().skip(1) {
        let (name, rest) = l.split_at(kind_at.min(l.len()));
        assert!(
            name.ends_with(' ') && rest.starts_with(|c: char| c.is_ascii_lowercase()),
            "{out}"
        );
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("whisper-tiny.en") && l.contains("missing")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("onnxruntime") && l.contains("MIT")),
        "{out}"
    );

    let (code, _, err) = run(aima(m).args(["models", "path", "whisper-tiny.en"]));
    assert_eq!(code, 1);
    assert!(err.contains("aima models pull whisper-tiny.en"), "{err}");

    let (code, _, err) = run(aima(m).args(["models", "pull", "whisper-tiny.en"]));
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run(aima(m).args(["models", "list"]));
    assert!(
        out.lines()
            .any(|l| l.starts_with("whisper-tiny.en") && l.contains("installed")),
        "{out}"
    );
    let (code, path, _) = run(aima(m).args(["models", "path", "whisper-tiny.en"]));
    assert_eq!(code, 0);
    assert!(std::path::Path::new(path.trim())
        .join("ggml-tiny.en.bin")
        .is_file());
    let (code, out, _) = run(aima(m).args(["models", "verify"]));
    assert_eq!((code, out.trim()), (0, "whisper-tiny.en: ok"));

    // Damage it: verify says so and fails; pull repairs it.
    let file = std::path::Path::new(path.trim()).join("ggml-tiny.en.bin");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .expect("open");
    std::io::Write::write_all(&mut f, b"garbage!").expect("write");
    drop(f);
    let (code, out, _) = run(aima(m).args(["models", "verify", "whisper-tiny.en"]));
    assert_eq!(code, 1);
    assert!(out.contains("CORRUPT"), "{out}");
    let (code, _, err) = run(aima(m).args(["models", "pull", "whisper-tiny.en"]));
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = run(aima(m).args(["models", "verify", "whisper-tiny.en"]));
    assert_eq!(code, 0);

    let (code, _, _) = run(aima(m).args(["models", "rm", "whisper-tiny.en"]));
    assert_eq!(code, 0);
    assert!(!file.exists());
    let (code, _, err) = run(aima(m).args(["models", "pull", "no-such-model"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("unknown model") && err.contains("whisper-tiny.en"),
        "{err}"
    );
}

#[test]
fn show_prints_an_image_models_descriptor() {
    let dir = tempfile::tempdir().expect("tmp");
    let (code, out, err) =
        run(aima(dir.path()).args(["models", "show", "faces-blazeface-faceres"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["kind"], "vision");
    let detect = &v["files"][0]["spec"];
    assert_eq!(detect["input"]["layout"], "nchw");
    assert_eq!(detect["input"]["width"], 128);
    assert_eq!(detect["decoder"]["type"], "blaze_face");
    assert_eq!(v["files"][1]["spec"]["decoder"]["type"], "embedding");
    let (code, _, err) = run(aima(dir.path()).args(["models", "show", "nope"]));
    assert_eq!(code, 1);
    assert!(
        err.contains("unknown model") && err.contains("ocr-ppocrv6"),
        "{err}"
    );
}

/// A user's own model from the configuration: here NudeNet's real YOLOv8
/// detector (from its wheel), described as an object detector, pulled by
/// name and run by the `objects` analyzer with no code for it.
#[test]
fn a_users_own_model_is_pulled_by_name_and_runs() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = dir.path().join("aima.toml");
    let labels: Vec<String> = [
        "FEMALE_GENITALIA_COVERED",
        "FACE_FEMALE",
        "BUTTOCKS_EXPOSED",
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_BREAST_EXPOSED",
        "ANUS_EXPOSED",
        "FEET_EXPOSED",
        "BELLY_COVERED",
        "FEET_COVERED",
        "ARMPITS_COVERED",
        "ARMPITS_EXPOSED",
        "FACE_MALE",
        "BELLY_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "ANUS_COVERED",
        "FEMALE_BREAST_COVERED",
        "BUTTOCKS_COVERED",
    ]
    .iter()
    .map(|l| format!("\"{l}\""))
    .collect();
    std::fs::write(
        &config,
        format!(
            r#"
[[models.catalog]]
name = "my-detector"
kind = "vision"
description = "NudeNet as a general detector"
[[models.catalog.files]]
name = "model.onnx"
sources = [{{ type = "pypi", package = "nudenet", version = "3.4.2", path = "nudenet/320n.onnx", sha256 = "c15d8273adad2d0a92f014cc69ab2d6c311a06777a55545f2c4eb46f51911f0f" }}]
spec = {{ decoder = {{ type = "yolov8" }}, labels = [{}], input = {{ width = 320, height = 320, layout = "nchw", color = "rgb", mean = [0.0, 0.0, 0.0], std = [255.0, 255.0, 255.0], element = "f32", fit = {{ type = "pad", value = 0 }} }} }}
"#,
            labels.join(", ")
        ),
    )
    .expect("write config");
    let with_config = |c: &mut Command| {
        c.env("AIMA_CONFIG", &config);
    };
    let mut show = aima(dir.path());
    with_config(&mut show);
    let (code, out, err) = run(show.args(["models", "show", "my-detector"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("yolov8"), "{out}");
    for name in ["onnxruntime", "my-detector"] {
        let mut pull = aima(dir.path());
        with_config(&mut pull);
        let (code, _, err) = run(pull.args(["models", "pull", name]));
        assert_eq!(code, 0, "{name}: {err}");
    }
    let mut analyze = aima(dir.path());
    with_config(&mut analyze);
    let astronaut = crate::helpers::sample_image("astronaut.png");
    let (code, out, err) = run(analyze.args([
        "analyze",
        astronaut.to_str().unwrap_or_default(),
        "--pipeline",
        "objects",
        "--options",
        r#"{"objects": {"model": "my-detector", "min_score": 0.5}}"#,
    ]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let labels: Vec<&str> = v["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["kind"] == "object")
        .filter_map(|i| i["data"]["label"].as_str())
        .collect();
    assert_eq!(labels, ["FACE_FEMALE"], "{out}");

    // A broken entry is refused when the configuration loads, saying why.
    std::fs::write(
        &config,
        "[[models.catalog]]\nname = \"bad\"\nkind = \"vision\"\n[[models.catalog.files]]\nname = \"../x.onnx\"\nsources = [{ type = \"file\", path = \"/x\", sha256 = \"00\" }]\n",
    )
    .expect("write");
    let mut list = aima(dir.path());
    with_config(&mut list);
    let (code, _, err) = run(list.args(["models", "list"]));
    assert_ne!(code, 0);
    assert!(
        err.contains("models.catalog") && err.contains("plain file name"),
        "{err}"
    );
}

#[test]
fn a_pull_goes_on_past_a_model_it_cannot_fetch() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = dir.path().join("aima.toml");
    // A model only a hub has, and no hub reachable (HF_ENDPOINT points at
    // a closed port): it fails; the models after it are still pulled.
    std::fs::write(
        &config,
        r#"
[[models.catalog]]
name = "hub-only"
kind = "runtime"
description = "a model whose only source is down"
license = "MIT"
[[models.catalog.files]]
name = "model.onnx"
sources = [{ type = "hf", repo = "someone/hub-only", path = "model.onnx" }]
"#,
    )
    .expect("write config");
    let models = dir.path().join("models");
    let pull = |names: &[&str]| {
        let mut c = aima(&models);
        c.env("AIMA_CONFIG", &config)
            .args(["models", "pull"])
            .args(names);
        run(&mut c)
    };
    let (code, out, err) = pull(&["hub-only", "whisper-tiny.en"]);
    assert_eq!(code, 1, "{out} {err}");
    let row = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_default()
            .to_string()
    };
    // The failure names the source tried and why.
    let failed = row("hub-only");
    assert!(
        failed.contains("FAILED")
            && failed.contains("someone/hub-only")
            && failed.contains("127.0.0.1:9"),
        "{out}"
    );
    assert!(row("whisper-tiny.en").contains("installed"), "{out}");
    assert!(
        err.contains("1 of 2 model(s) could not be installed"),
        "{err}"
    );
    let mut path = aima(&models);
    path.env("AIMA_CONFIG", &config);
    let (code, _, _) = run(path.args(["models", "path", "whisper-tiny.en"]));
    assert_eq!(code, 0);
    let mut path = aima(&models);
    path.env("AIMA_CONFIG", &config);
    let (code, _, _) = run(path.args(["models", "path", "hub-only"]));
    assert_eq!(code, 1, "a failed pull counts as installed");
    // Again: what is there says so, and all good is exit 0.
    let (code, out, err) = pull(&["whisper-tiny.en"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("already installed"), "{out}");
}

/// A model server on loopback that sends `body`, all at once or (while
/// `slow` is set) a few bytes at a time without ever finishing.
fn model_server(
    body: std::sync::Arc<Vec<u8>>,
    slow: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (body, slow) = (body.clone(), slow.load(std::sync::atomic::Ordering::SeqCst));
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut request = [0u8; 8192];
                let _ = stream.read(&mut request);
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                if !slow {
                    let _ = stream.write_all(&body);
                    return;
                }
                // 64 KiB, then 1 KiB every 100 ms until the client is gone.
                let mut sent = 64 << 10;
                if stream.write_all(&body[..sent]).is_err() {
                    return;
                }
                while sent < body.len() / 2 && stream.write_all(&body[sent..sent + 1024]).is_ok() {
                    sent += 1024;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            });
        }
    });
    port
}

#[test]
fn a_pull_killed_midway_leaves_nothing_installed_and_the_next_one_completes() {
    use sha2::Digest;
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().expect("tmp");
    let body: Vec<u8> = (0..4u32 << 20).map(|i| (i % 251) as u8).collect();
    let sha256 = hex::encode(sha2::Sha256::digest(&body));
    let body = std::sync::Arc::new(body);
    let slow = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let port = model_server(body.clone(), slow.clone());
    let config = dir.path().join("aima.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[[models.catalog]]
name = "slow-model"
kind = "runtime"
description = "a model from a hub that is slow"
license = "MIT"
[[models.catalog.files]]
name = "model.onnx"
sources = [{{ type = "hf", repo = "someone/slow-model", path = "model.onnx", sha256 = "{sha256}" }}]
"#
        ),
    )
    .expect("write config");
    let models = dir.path().join("models");
    let cmd = || {
        let mut c = aima(&models);
        c.env("AIMA_CONFIG", &config)
            .env("HF_ENDPOINT", format!("http://127.0.0.1:{port}"));
        c
    };
    let staged = || -> Vec<(String, u64)> {
        std::fs::read_dir(models.join(".staging"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| {
                let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                (e.file_name().to_string_lossy().into_owned(), size)
            })
            .collect()
    };

    // Killed (SIGKILL: no handler runs) while the download is under way.
    let mut pull = cmd()
        .args(["models", "pull", "slow-model"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !staged().iter().any(|(_, size)| *size > 0) {
        assert!(
            std::time::Instant::now() < until,
            "no download started: {:?}",
            staged()
        );
        assert!(
            pull.try_wait().expect("wait").is_none(),
            "the pull ended before its download"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    pull.kill().expect("kill");
    pull.wait().expect("wait");
    let left = staged();
    assert_eq!(
        left.len(),
        1,
        "the killed download's bytes are in the staging folder: {left:?}"
    );
    assert!(left[0].1 < body.len() as u64, "{left:?}");

    // Nothing counts as installed, and nothing half-written is in place.
    let (code, _, err) = run(cmd().args(["models", "path", "slow-model"]));
    assert_eq!(
        code, 1,
        "a half-downloaded model counts as installed: {err}"
    );
    let (code, out, _) = run(cmd().args(["models", "list"]));
    assert_eq!(code, 0);
    let row = out
        .lines()
        .find(|l| l.starts_with("slow-model "))
        .unwrap_or_default();
    assert!(
        !row.contains("installed") && row.contains("missing"),
        "{out}"
    );
    assert!(!models.join("slow-model/model.onnx").exists());

    // The next pull completes with the right bytes, and removes what the
    // killed one left.
    slow.store(false, Ordering::SeqCst);
    let (code, out, err) = run(cmd().args(["models", "pull", "slow-model"]));
    assert_eq!(code, 0, "{out} {err}");
    let (code, path, _) = run(cmd().args(["models", "path", "slow-model"]));
    assert_eq!(code, 0);
    let installed = std::fs::read(std::path::Path::new(path.trim()).join("model.onnx"))
        .expect("installed file");
    assert!(
        installed == *body,
        "the installed file is not the model's bytes"
    );
    assert_eq!(staged(), vec![], "the killed pull's leftovers are removed");
}
