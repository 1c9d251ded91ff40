//! The default object detector's path (`objects-dfine-n`: D-FINE, a
//! DETR-style set predictor) on a small model of the same signature as its
//! ONNX export (`pixel_values` -> `logits` `[1, 300, 80]`, `pred_boxes`
//! `[1, 300, 4]`), built here with the `onnx` Python package. No package
//! carries D-FINE's weights, so its accuracy is not tested here: what is
//! tested is that the catalog's descriptor (input name, size, stretch,
//! colour order, scaling to 0..1) and the decoder (sigmoid scores, centre
//! boxes as fractions of the input, mapped back to the frame) are wired as
//! the export expects.
//!
//! The stand-in's logits depend on the frame's mean red (r) and blue (b),
//! both 0..1: query 0 is a "person" at 12 r - 6, query 1 a "car" at
//! 12 b - 6, query 2 a "bus" at 6 - 12 r; every other query is -10. A
//! bright red frame shows a person only; a dark red one (r = 0.3) a bus
//! only (it would show a person were pixels not scaled to 0..1); a bright
//! blue one a car and a bus (a person were red and blue swapped).

use std::path::Path;

use aima_analyzers::{analyze_file, Registry};
use aima_core::{Insight, Pipeline};
use aima_media::MediaTools;
use aima_models::{Catalog, ModelManager, Source};
use tokio_util::sync::CancellationToken;

mod common;
use common::ffmpeg;

const BUILD: &str = r#"
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
out = sys.argv[1]
Q, C = 300, 80
w = np.zeros((3, Q * C), dtype=np.float32)
b = np.full((Q * C,), -10.0, dtype=np.float32)
w[0, 0 * C + 0] = 12; b[0 * C + 0] = -6   # query 0, person: 12 r - 6
w[2, 1 * C + 2] = 12; b[1 * C + 2] = -6   # query 1, car: 12 b - 6
w[0, 2 * C + 5] = -12; b[2 * C + 5] = 6   # query 2, bus: 6 - 12 r
boxes = np.zeros((1, Q, 4), dtype=np.float32)
boxes[0, 0] = [0.25, 0.5, 0.2, 0.4]
boxes[0, 1] = [0.75, 0.25, 0.1, 0.1]
boxes[0, 2] = [0.5, 0.5, 0.5, 0.5]
g = helper.make_graph(
    [helper.make_node("ReduceMean", ["pixel_values", "axes"], ["mean"], keepdims=0),
     helper.make_node("MatMul", ["mean", "w"], ["flat0"]),
     helper.make_node("Add", ["flat0", "b"], ["flat"]),
     helper.make_node("Reshape", ["flat", "shape"], ["logits"]),
     helper.make_node("Identity", ["boxes"], ["pred_boxes"])],
    "dfine_like",
    [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, [1, 3, 640, 640])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, Q, C]),
     helper.make_tensor_value_info("pred_boxes", TensorProto.FLOAT, [1, Q, 4])],
    [numpy_helper.from_array(np.array([2, 3], dtype=np.int64), "axes"),
     numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b"),
     numpy_helper.from_array(np.array([1, Q, C], dtype=np.int64), "shape"),
     numpy_helper.from_array(boxes, "boxes")])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)], ir_version=9), out + "/model.onnx")
"#;

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("read")))
}

/// The real `objects-dfine-n` entry, its file swapped for the small model.
async fn small_dfine(dir: &Path) -> ModelManager {
    let built = dir.join("built");
    std::fs::create_dir_all(&built).expect("dir");
    let out = tokio::process::Command::new("python3")
        .args(["-c", BUILD])
        .arg(&built)
        .output()
        .await
        .expect("python3");
    assert!(
        out.status.success(),
        "building the small detector (needs the onnx package; scripts/test.sh installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut catalog = Catalog::builtin();
    for e in &mut catalog.entries {
        for f in &mut e.files {
            f.sources.retain(|s| !matches!(s, Source::Hf { .. }));
            if e.name == "objects-dfine-n" {
                let path = built.join(&f.name);
                f.sources = vec![Source::File {
                    path: path.display().to_string(),
                    sha256: sha256(&path),
                }];
            }
        }
    }
    let m = ModelManager::new(dir.join("models"), vec![], "python3").with_catalog(catalog);
    for name in ["onnxruntime", "objects-dfine-n"] {
        m.pull(name)
            .await
            .unwrap_or_else(|e| panic!("pull {name}: {e}"));
    }
    m
}

/// A 320 x 160 PNG of one colour.
async fn frame(dir: &Path, name: &str, colour: &str) -> std::path::PathBuf {
    let out = dir.join(name);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        &format!("color=c={colour}:s=320x160"),
        "-frames:v",
        "1",
        out.to_str().expect("path"),
    ])
    .await;
    out
}

/// The `object` insights of the default `objects` stage: (label, score, box).
async fn objects(models: &ModelManager, file: &Path) -> Vec<Insight> {
    let p = Pipeline::parse_list("objects").expect("pipeline");
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
    .unwrap_or_else(|e| panic!("objects on {}: {e}", file.display()))
    .into_iter()
    .filter(|i| i.kind == "object")
    .collect()
}

fn labels(found: &[Insight]) -> Vec<&str> {
    let mut l: Vec<&str> = found
        .iter()
        .filter_map(|i| i.data["label"].as_str())
        .collect();
    l.sort_unstable();
    l
}

#[tokio::test]
async fn the_default_detector_reads_its_export_as_d_fine_does() {
    let dir = tempfile::tempdir().expect("tmp");
    let models = small_dfine(dir.path()).await;

    // Bright red: a person, at query 0's box mapped back through the
    // stretch (centre 0.25, 0.5; size 0.2 x 0.4 of the frame).
    let red = objects(&models, &frame(dir.path(), "red.png", "0xFF0000").await).await;
    assert_eq!(labels(&red), ["person"], "{red:?}");
    let person = &red[0];
    assert!((person.data["score"].as_f64().unwrap_or_default() - 0.998).abs() < 0.002);
    let bx = &person.data["box"];
    for (k, v) in [("x", 0.15), ("y", 0.3), ("w", 0.2), ("h", 0.4)] {
        assert!(
            (bx[k].as_f64().unwrap_or(-1.0) - v).abs() < 0.01,
            "{k} of {bx}"
        );
    }

    // Dark red (77/255 = 0.3): a bus only; unscaled pixels would say person.
    let dark = objects(&models, &frame(dir.path(), "dark.png", "0x4D0000").await).await;
    assert_eq!(labels(&dark), ["bus"], "{dark:?}");

    // Bright blue: a car and a bus; red and blue swapped would say person.
    let blue = objects(&models, &frame(dir.path(), "blue.png", "0x0000FF").await).await;
    assert_eq!(labels(&blue), ["bus", "car"], "{blue:?}");
}
