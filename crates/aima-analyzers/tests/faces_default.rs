//! The default face models' path (`faces-yunet-sface`: OpenCV's YuNet
//! detector and SFace embedding) on small models of the same signatures,
//! built here with the `onnx` Python package. No package carries YuNet or
//! SFace, so their accuracy is not tested here (the packaged FaceRes is, in
//! `vision.rs`): what is tested is that the catalog's descriptors and the
//! analyzer are wired as the exports expect: YuNet's input name, size and
//! padding, BGR pixels at 0..255, its twelve outputs decoded per stride;
//! SFace's input and output names, the five-point alignment to 112 x 112,
//! and the model's own person threshold carried to the store.
//!
//! The stand-in YuNet scores one cell of stride 8 (row 20, column 20) by
//! the frame's mean of its first channel (blue, in BGR) / 100: a face on a
//! blue frame, none on a red one, none if pixels were scaled to 0..1 or
//! red and blue swapped. Its box is 80 x 80 input pixels around the cell
//! centre (164, 164), its landmarks ArcFace's template laid into that box.
//! The stand-in SFace returns the crop's mean red, green and blue mapped
//! through a fixed 3 x 128 matrix.

use std::path::Path;

use aima_core::Insight;
use aima_models::ModelManager;

mod common;
use common::{colour_frame, stage, stand_in};

const BUILD: &str = r#"
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
out = sys.argv[1]
opset = [helper.make_opsetid("", 18)]

# YuNet: outputs per stride from the first channel's mean.
nodes, outputs, inits = [], [], []
inits += [numpy_helper.from_array(np.array([0], dtype=np.int64), "c0"),
          numpy_helper.from_array(np.array([1], dtype=np.int64), "c1"),
          numpy_helper.from_array(np.array([1], dtype=np.int64), "ax1"),
          numpy_helper.from_array(np.array([1, 2, 3], dtype=np.int64), "axes"),
          numpy_helper.from_array(np.array([100.0], dtype=np.float32), "hundred")]
nodes += [helper.make_node("Slice", ["input", "c0", "c1", "ax1"], ["first"]),
          helper.make_node("ReduceMean", ["first", "axes"], ["mean"], keepdims=1),
          helper.make_node("Div", ["mean", "hundred"], ["level"])]
cell, stride0 = 20 * 80 + 20, 8
template = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                     [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float32)
for s in (8, 16, 32):
    n = (640 // s) ** 2
    cls = np.zeros((1, n, 1), np.float32); obj = np.zeros((1, n, 1), np.float32)
    bbox = np.zeros((1, n, 4), np.float32); kps = np.zeros((1, n, 10), np.float32)
    if s == stride0:
        cls[0, cell, 0] = 1.0
        obj[0, cell, 0] = 1.0
        bbox[0, cell] = [0.5, 0.5, np.log(10.0), np.log(10.0)]
        # The template (112 x 112) scaled into the 80 x 80 box whose corner
        # is at (124, 124): in cells, relative to the cell's corner (160, 160).
        pts = (template * (80.0 / 112.0) + 124.0 - 160.0) / s
        kps[0, cell] = pts.reshape(-1)
    for name, arr, scaled in (("cls", cls, False), ("obj", obj, True), ("bbox", bbox, False), ("kps", kps, False)):
        full = f"{name}_{s}"
        inits.append(numpy_helper.from_array(arr, full + "_c"))
        if scaled:
            nodes.append(helper.make_node("Mul", [full + "_c", "level"], [full + "_3d"]))
            inits.append(numpy_helper.from_array(np.array([1, n, 1], dtype=np.int64), full + "_shape"))
            nodes.append(helper.make_node("Reshape", [full + "_3d", full + "_shape"], [full]))
        else:
            nodes.append(helper.make_node("Identity", [full + "_c"], [full]))
        outputs.append(helper.make_tensor_value_info(full, TensorProto.FLOAT, list(arr.shape)))
g = helper.make_graph(nodes, "yunet_like",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 640, 640])], outputs, inits)
onnx.save(helper.make_model(g, opset_imports=opset, ir_version=9), out + "/detect.onnx")

# SFace: the crop's mean per channel through a fixed 3 x 128 matrix.
w = np.random.default_rng(7).normal(size=(3, 128)).astype(np.float32)
g = helper.make_graph(
    [helper.make_node("ReduceMean", ["data", "hw"], ["m"], keepdims=0),
     helper.make_node("MatMul", ["m", "w"], ["fc1"])],
    "sface_like",
    [helper.make_tensor_value_info("data", TensorProto.FLOAT, ["n", 3, 112, 112])],
    [helper.make_tensor_value_info("fc1", TensorProto.FLOAT, ["n", 128])],
    [numpy_helper.from_array(np.array([2, 3], dtype=np.int64), "hw"), numpy_helper.from_array(w, "w")])
onnx.save(helper.make_model(g, opset_imports=opset, ir_version=9), out + "/embed.onnx")
"#;

/// The `face` insights of the default `faces` stage on a 320 x 320 frame
/// of one colour (YuNet's input is twice its size).
async fn faces(models: &ModelManager, dir: &Path, colour: &str) -> Vec<Insight> {
    let frame = colour_frame(dir, &format!("{colour}.png"), colour, "320x320").await;
    stage(models, &frame, "faces", "face").await
}

#[tokio::test]
async fn the_default_face_models_are_read_as_opencv_reads_them() {
    let dir = tempfile::tempdir().expect("tmp");
    let models = stand_in(dir.path(), BUILD, "faces-yunet-sface").await;

    // Blue: one face where the cell says, at half the input's scale.
    let blue = faces(&models, dir.path(), "0x0000FF").await;
    assert_eq!(blue.len(), 1, "{blue:?}");
    let d = &blue[0].data;
    assert!(
        (d["score"].as_f64().unwrap_or_default() - 1.0).abs() < 1e-3,
        "{d}"
    );
    // Box: 80 x 80 input px from (124, 124) = 40 x 40 frame px from (62, 62).
    for (k, v) in [
        ("x", 62.0 / 320.0),
        ("y", 62.0 / 320.0),
        ("w", 0.125),
        ("h", 0.125),
    ] {
        assert!(
            (d["box"][k].as_f64().unwrap_or(-1.0) - v).abs() < 0.002,
            "{k}: {d}"
        );
    }
    // Five landmarks; the first (right eye) at the template's, scaled.
    let l = d["landmarks"].as_array().cloned().unwrap_or_default();
    assert_eq!(l.len(), 5, "{d}");
    let eye_x = (38.2946 * 80.0 / 112.0 + 124.0) / 2.0 / 320.0;
    assert!(
        (l[0][0].as_f64().unwrap_or_default() - eye_x).abs() < 0.002,
        "{d}"
    );
    // The embedding model's size and its own threshold for the store.
    assert_eq!(d["embedding"].as_array().map(Vec::len), Some(128), "{d}");
    assert!((d["match_threshold"].as_f64().unwrap_or_default() - 0.363).abs() < 1e-6);

    // The aligned crop of a blue frame is blue: its embedding is the blue
    // row of the matrix, the same for another blue frame (a different
    // shade of the same colour gives the same direction).
    let navy = faces(&models, dir.path(), "0x0000C8").await;
    assert_eq!(navy.len(), 1, "{navy:?}");
    let cos = |a: &serde_json::Value, b: &serde_json::Value| -> f64 {
        let (a, b) = (
            a.as_array().cloned().unwrap_or_default(),
            b.as_array().cloned().unwrap_or_default(),
        );
        a.iter()
            .zip(&b)
            .map(|(x, y)| x.as_f64().unwrap_or_default() * y.as_f64().unwrap_or_default())
            .sum()
    };
    assert!(cos(&d["embedding"], &navy[0].data["embedding"]) > 0.999);

    // Red: no face (the detector reads blue, the first channel of BGR).
    let red = faces(&models, dir.path(), "0xFF0000").await;
    assert!(red.is_empty(), "{red:?}");
}
