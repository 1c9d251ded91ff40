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
