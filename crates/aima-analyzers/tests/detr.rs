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

use aima_core::Insight;
use aima_models::ModelManager;

mod common;
use common::{colour_frame, stage, stand_in};

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

/// The `object` insights of the default `objects` stage on a 320 x 160
/// frame of one colour.
async fn objects(models: &ModelManager, dir: &Path, colour: &str) -> Vec<Insight> {
    let frame = colour_frame(dir, &format!("{colour}.png"), colour, "320x160").await;
    stage(models, &frame, "objects", "object").await
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
    let models = stand_in(dir.path(), BUILD, "objects-dfine-n").await;

    // Bright red: a person, at query 0's box mapped back through the
    // stretch (centre 0.25, 0.5; size 0.2 x 0.4 of the frame).
    let red = objects(&models, dir.path(), "0xFF0000").await;
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
    let dark = objects(&models, dir.path(), "0x4D0000").await;
    assert_eq!(labels(&dark), ["bus"], "{dark:?}");

    // Bright blue: a car and a bus; red and blue swapped would say person.
    let blue = objects(&models, dir.path(), "0x0000FF").await;
    assert_eq!(labels(&blue), ["bus", "car"], "{blue:?}");
}
