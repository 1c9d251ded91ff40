//! Objects: detection per sampled frame (COCO classes by default), class-wise
//! non-maximum suppression, and tracks per class as time ranges.

use aima_core::{ErrorCode, Insight, MediaKind};
use aima_models::vision::Decoder;
use async_trait::async_trait;
use serde::Deserialize;

use super::{BoxF, FrameOptions, Placement, Track, Tracker, VisionModel};
use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

pub struct Objects;

/// Frames are read at most this large (pixels on the longer side).
const MAX_SIDE: u32 = 1280;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Options {
    model: String,
    min_score: f32,
    /// Boxes of one class overlapping more than this are one object.
    nms_iou: f32,
    /// Only these class names (all when empty).
    classes: Vec<String>,
    frames: FrameOptions,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            model: "objects-dfine-n".into(),
            min_score: 0.4,
            nms_iou: 0.5,
            classes: Vec::new(),
            frames: FrameOptions::default(),
        }
    }
}

impl Options {
    fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.min_score) || !(0.0..=1.0).contains(&self.nms_iou) {
            return Err("min_score and nms_iou must be between 0 and 1".into());
        }
        if self.classes.len() > 1000 {
            return Err("at most 1000 classes".into());
        }
        self.frames.check()
    }
}

/// One detected object in frame pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub class: usize,
    pub score: f32,
    pub bx: BoxF,
}

#[async_trait]
impl Analyzer for Objects {
    fn name(&self) -> &'static str {
        "objects"
    }
    fn description(&self) -> &'static str {
        "Objects per sampled frame (COCO classes by default) with boxes, tracked into time ranges per class"
    }
    fn accepts(&self) -> &'static [MediaKind] {
        &[MediaKind::Video, MediaKind::Image]
    }
    fn models(&self) -> &'static [&'static str] {
        &["onnxruntime", "objects-dfine-n"]
    }
    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        parse_options::<Options>(options)?.check()
    }
    fn frame_request(&self, options: &serde_json::Value) -> Option<super::FrameRequest> {
        parse_options::<Options>(options)
            .ok()
            .map(|o| o.frames.request(MAX_SIDE))
    }

    async fn run(
        &self,
        mut input: AnalyzerInput<'_>,
        sink: &mut dyn InsightSink,
    ) -> Result<(), AnalyzerError> {
        let o: Options = crate::run_options(input.options)?;
        let model = super::load(input.models, &o.model, "model.onnx").await?;
        if !matches!(
            model.spec.decoder,
            Decoder::BoxesScoreClass { .. } | Decoder::Yolov8 { .. } | Decoder::Detr { .. }
        ) {
            return Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                format!("model {:?} is not an object detector", o.model),
            ));
        }
        let labels = model.spec.labels.clone();
        if let Some(unknown) = o.classes.iter().find(|c| !labels.contains(c)) {
            return Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                format!("model {:?} has no class {unknown:?}", o.model),
            ));
        }
        let label = |c: usize| {
            labels
                .get(c)
                .cloned()
                .unwrap_or_else(|| format!("class {c}"))
        };
        let mut tracker: Tracker<Detection> = Tracker::default();
        let mut frames = super::Frames::open(&mut input, &o.frames, MAX_SIDE)?;
        let name = self.name();
        while let Some(frame) = frames.next(sink).await? {
            let m = model.clone();
            let (w, h) = (frame.image.width(), frame.image.height());
            let (min_score, iou) = (o.min_score, o.nms_iou);
            let mut found =
                super::blocking(move || detect(&m, &frame.image, min_score, iou)).await?;
            found.retain(|d| o.classes.is_empty() || o.classes.contains(&label(d.class)));
            for (i, d) in found.iter().enumerate() {
                sink.emit(Insight {
                    analyzer: name.into(),
                    kind: "object".into(),
                    start: frame.time,
                    end: None,
                    data: serde_json::json!({
                        "label": label(d.class),
                        "score": super::round3(d.score),
                        "box": d.bx.json(w, h),
                    }),
                    artifact: None,
                    key: format!("obj-{:06}-{i}", frame.index),
                })
                .await?;
            }
            let relative: Vec<Detection> = found
                .into_iter()
                .map(|d| Detection {
                    bx: BoxF {
                        x1: d.bx.x1 / w as f32,
                        y1: d.bx.y1 / h as f32,
                        x2: d.bx.x2 / w as f32,
                        y2: d.bx.y2 / h as f32,
                    },
                    ..d
                })
                .collect();
            for t in tracker.observe(frame.time, relative, same_object) {
                emit_track(sink, name, &t, &label).await?;
            }
        }
        frames.finish(sink).await?;
        for t in tracker.finish(input.duration) {
            emit_track(sink, name, &t, &label).await?;
        }
        Ok(())
    }
}

/// The same object on the next frame: same class, boxes overlapping.
fn same_object(a: &Detection, b: &Detection) -> f32 {
    if a.class != b.class {
        return 0.0;
    }
    let iou = a.bx.iou(&b.bx);
    if iou >= 0.1 {
        iou
    } else {
        0.0
    }
}

async fn emit_track(
    sink: &mut dyn InsightSink,
    name: &str,
    t: &Track<Detection>,
    label: &impl Fn(usize) -> String,
) -> Result<(), AnalyzerError> {
    let best = t.best(|d| d.score);
    sink.emit(Insight {
        analyzer: name.into(),
        kind: "object_track".into(),
        start: t.start,
        end: t.end,
        data: serde_json::json!({
            "label": label(best.class),
            "max_score": super::round3(best.score),
            "frames": t.seen.len(),
            "box": best.bx.json(1, 1),
        }),
        artifact: None,
        key: format!(
            "track-{:.3}-{}-{:.4}",
            t.start, best.class, t.seen[0].1.bx.x1
        ),
    })
    .await
}

/// Runs the detector on one frame: detections above `min_score` after
/// class-wise NMS, in frame pixels, best first.
pub fn detect(
    model: &VisionModel,
    image: &image::RgbImage,
    min_score: f32,
    nms_iou: f32,
) -> Result<Vec<Detection>, AnalyzerError> {
    let shape_err = |shape: &[usize]| {
        AnalyzerError::abort(
            ErrorCode::AnalyzerFailed,
            format!("the detector's output has an unexpected shape {shape:?}"),
        )
    };
    let raw = match &model.spec.decoder {
        Decoder::BoxesScoreClass { output } | Decoder::Yolov8 { output } => {
            let (at, out) = super::infer(model, image, output, "the object detector")?;
            let decoded = if matches!(model.spec.decoder, Decoder::Yolov8 { .. }) {
                decode_yolov8(&out.values, &out.shape, min_score, &at)
            } else {
                decode_boxes_score_class(&out.values, &out.shape, min_score, &at)
            };
            decoded.ok_or_else(|| shape_err(&out.shape))?
        }
        Decoder::Detr {
            logits,
            boxes,
            softmax,
        } => {
            let (at, out) = super::infer_outputs(
                model,
                image,
                &[logits.as_str(), boxes.as_str()],
                "the object detector",
            )?;
            let (l, b) = (&out[0], &out[1]);
            decode_detr(
                &l.values, &l.shape, &b.values, &b.shape, *softmax, min_score, &at,
            )
            .ok_or_else(|| shape_err(&l.shape))?
        }
        _ => {
            return Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                "not an object detector",
            ))
        }
    };
    let clamped: Vec<Detection> = raw
        .into_iter()
        .map(|d| Detection {
            bx: d.bx.clamp(image.width(), image.height()),
            ..d
        })
        .filter(|d| d.bx.area() > 0.0)
        .collect();
    let mut keep: Vec<Detection> = Vec::new();
    let mut classes: Vec<usize> = clamped.iter().map(|d| d.class).collect();
    classes.sort_unstable();
    classes.dedup();
    for c in classes {
        let of: Vec<&Detection> = clamped.iter().filter(|d| d.class == c).collect();
        for i in super::nms(&of, |d| d.score, |d| d.bx, nms_iou) {
            keep.push(of[i].clone());
        }
    }
    keep.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(keep)
}

/// `[1, K, 6]`: x1, y1, x2, y2, score, class.
fn decode_boxes_score_class(
    v: &[f32],
    shape: &[usize],
    min_score: f32,
    at: &Placement,
) -> Option<Vec<Detection>> {
    if shape.len() != 3 || shape[2] != 6 {
        return None;
    }
    Some(
        v.chunks_exact(6)
            .filter(|r| r[4] >= min_score && r[5] >= 0.0)
            .map(|r| {
                let (x1, y1) = at.to_frame(r[0], r[1]);
                let (x2, y2) = at.to_frame(r[2], r[3]);
                Detection {
                    class: r[5].round() as usize,
                    score: r[4],
                    bx: BoxF { x1, y1, x2, y2 },
                }
            })
            .collect(),
    )
}

/// `[1, 4 + C, A]`: per anchor centre x, centre y, w, h, then class scores
/// (Ultralytics' export); `[1, A, 4 + C]` (some re-exports) is read too:
/// anchors always outnumber classes.
pub fn decode_yolov8(
    v: &[f32],
    shape: &[usize],
    min_score: f32,
    at: &Placement,
) -> Option<Vec<Detection>> {
    if shape.len() != 3 || shape[1].min(shape[2]) < 5 || v.len() != shape[1] * shape[2] {
        return None;
    }
    let transposed = shape[1] > shape[2];
    let (rows, anchors) = if transposed {
        (shape[2], shape[1])
    } else {
        (shape[1], shape[2])
    };
    let get = |r: usize, a: usize| {
        if transposed {
            v[a * rows + r]
        } else {
            v[r * anchors + a]
        }
    };
    let mut out = Vec::new();
    for a in 0..anchors {
        let (class, score) = (4..rows)
            .map(|r| (r - 4, get(r, a)))
            .max_by(|x, y| x.1.total_cmp(&y.1))?;
        if score < min_score {
            continue;
        }
        out.push(Detection {
            class,
            score,
            bx: at.centre_box(get(0, a), get(1, a), get(2, a), get(3, a)),
        });
    }
    Some(out)
}

/// DETR-style set prediction: per query `q`, its class scores
/// `logits[q]` (`[1, Q, C]`; with `softmax`, `C + 1` whose last is "no
/// object") and its box `boxes[q]` (`[1, Q, 4]`: centre x, centre y, w, h
/// as fractions of the model input). No NMS is needed by the model; the
/// caller's class-wise NMS leaves its answers as they are.
pub fn decode_detr(
    logits: &[f32],
    logits_shape: &[usize],
    boxes: &[f32],
    boxes_shape: &[usize],
    softmax: bool,
    min_score: f32,
    at: &Placement,
) -> Option<Vec<Detection>> {
    let (q, c) = match logits_shape {
        [1, q, c] if *c > usize::from(softmax) => (*q, *c),
        _ => return None,
    };
    if boxes_shape != [1, q, 4] || logits.len() != q * c || boxes.len() != q * 4 {
        return None;
    }
    let (w_in, h_in) = (at.input_width as f32, at.input_height as f32);
    let mut out = Vec::new();
    for (row, bx) in logits.chunks_exact(c).zip(boxes.chunks_exact(4)) {
        let classes = if softmax { &row[..c - 1] } else { row };
        let (class, best) = classes
            .iter()
            .copied()
            .enumerate()
            .max_by(|x, y| x.1.total_cmp(&y.1))?;
        let score = if softmax {
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = row.iter().map(|v| (v - max).exp()).sum();
            (best - max).exp() / sum
        } else {
            1.0 / (1.0 + (-best).exp())
        };
        if score < min_score {
            continue;
        }
        out.push(Detection {
            class,
            score,
            bx: at.centre_box(bx[0] * w_in, bx[1] * h_in, bx[2] * w_in, bx[3] * h_in),
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_detr_style_sets() {
        // A 200 x 100 frame stretched onto a 100 x 100 input.
        let at = Placement {
            scale_x: 0.5,
            scale_y: 1.0,
            offset_x: 0.0,
            offset_y: 0.0,
            input_width: 100,
            input_height: 100,
        };
        // Two queries, three classes: the first is class 2 (logit 3), the
        // second scores below the threshold everywhere.
        let logits = [-5.0, 0.0, 3.0, -4.0, -3.0, -1.0];
        let boxes = [0.5, 0.5, 0.2, 0.4, 0.1, 0.1, 0.1, 0.1];
        let d = decode_detr(&logits, &[1, 2, 3], &boxes, &[1, 2, 4], false, 0.5, &at)
            .unwrap_or_default();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].class, 2);
        assert!((d[0].score - 0.952_574).abs() < 1e-5, "{}", d[0].score);
        assert_eq!(
            d[0].bx,
            BoxF {
                x1: 80.0,
                y1: 30.0,
                x2: 120.0,
                y2: 70.0
            }
        );
        // Softmax with a "no object" class: the same rows read as two real
        // classes plus "no object". The first query's "no object" (3)
        // dominates: its class 1 has 0.047; the second's class 1 has 0.114.
        let d = decode_detr(&logits, &[1, 2, 3], &boxes, &[1, 2, 4], true, 0.5, &at)
            .unwrap_or_default();
        assert!(d.is_empty(), "{d:?}");
        let d = decode_detr(&logits, &[1, 2, 3], &boxes, &[1, 2, 4], true, 0.1, &at)
            .unwrap_or_default();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].class, 1);
        assert!((d[0].score - 0.114_195).abs() < 1e-5, "{}", d[0].score);
        assert_eq!(
            d[0].bx,
            BoxF {
                x1: 10.0,
                y1: 5.0,
                x2: 30.0,
                y2: 15.0
            }
        );
        // Shapes that do not fit are refused, not read out of bounds.
        assert!(decode_detr(
            &logits,
            &[1, 2, 3],
            &boxes[..4],
            &[1, 1, 4],
            false,
            0.5,
            &at
        )
        .is_none());
        assert!(decode_detr(&logits, &[2, 3], &boxes, &[1, 2, 4], false, 0.5, &at).is_none());
    }

    #[test]
    fn decodes_both_detector_layouts() {
        let at = Placement {
            scale_x: 0.5,
            scale_y: 0.5,
            offset_x: 0.0,
            offset_y: 0.0,
            input_width: 100,
            input_height: 100,
        };
        let rows = [
            10.0, 10.0, 30.0, 40.0, 0.9, 3.0, 0.0, 0.0, 1.0, 1.0, 0.1, 0.0,
        ];
        let d = decode_boxes_score_class(&rows, &[1, 2, 6], 0.5, &at).unwrap_or_default();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].class, 3);
        assert_eq!(
            d[0].bx,
            BoxF {
                x1: 20.0,
                y1: 20.0,
                x2: 60.0,
                y2: 80.0
            }
        );
        // Six anchors, two classes: [1, 6, 6]; only the first anchor scores.
        let mut yolo = vec![0.0f32; 36];
        for (row, v) in [50.0, 50.0, 20.0, 10.0, 0.1, 0.8].iter().enumerate() {
            yolo[row * 6] = *v;
        }
        let d = decode_yolov8(&yolo, &[1, 6, 6], 0.5, &at).unwrap_or_default();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].class, 1);
        assert_eq!(
            d[0].bx,
            BoxF {
                x1: 80.0,
                y1: 90.0,
                x2: 120.0,
                y2: 110.0
            }
        );
        // The same, anchors first: [1, 7, 6] read as 7 anchors of 4 + 2.
        let mut t = vec![0.0f32; 42];
        t[..6].copy_from_slice(&[50.0, 50.0, 20.0, 10.0, 0.1, 0.8]);
        let d = decode_yolov8(&t, &[1, 7, 6], 0.5, &at).unwrap_or_default();
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].class, d[0].bx.x1), (1, 80.0));
    }
}
