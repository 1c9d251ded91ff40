//! Pose: people and their 17 COCO keypoints per sampled frame.

use aima_core::{ErrorCode, Insight, MediaKind};
use aima_models::vision::Decoder;
use async_trait::async_trait;
use serde::Deserialize;

use super::{BoxF, FrameOptions, Placement, VisionModel};
use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

pub struct Pose;

/// The 17 COCO keypoints, in the order pose models give them.
pub const KEYPOINTS: [&str; 17] = [
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
];

/// Frames are read at most this large (pixels on the longer side).
const MAX_SIDE: u32 = 1280;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Options {
    model: String,
    /// People scoring below this are dropped.
    min_score: f32,
    frames: FrameOptions,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            model: "pose-movenet-multipose".into(),
            min_score: 0.25,
            frames: FrameOptions::default(),
        }
    }
}

/// One person: box and keypoints in frame pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub score: f32,
    pub bx: BoxF,
    /// (x, y, score) per [`KEYPOINTS`] entry.
    pub keypoints: Vec<(f32, f32, f32)>,
}

#[async_trait]
impl Analyzer for Pose {
    fn name(&self) -> &'static str {
        "pose"
    }
    fn description(&self) -> &'static str {
        "People per sampled frame with 17 body keypoints (MoveNet MultiPose)"
    }
    fn accepts(&self) -> &'static [MediaKind] {
        &[MediaKind::Video, MediaKind::Image]
    }
    fn models(&self) -> &'static [&'static str] {
        &["onnxruntime", "pose-movenet-multipose"]
    }
    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        let o: Options = parse_options(options)?;
        if !(0.0..=1.0).contains(&o.min_score) {
            return Err("min_score must be between 0 and 1".into());
        }
        o.frames.check()
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
        let mut frames = super::Frames::open(&mut input, &o.frames, MAX_SIDE)?;
        while let Some(frame) = frames.next(sink).await? {
            let m = model.clone();
            let (w, h) = (frame.image.width(), frame.image.height());
            let min = o.min_score;
            let people = super::blocking(move || people(&m, &frame.image, min)).await?;
            for (i, p) in people.iter().enumerate() {
                let keypoints: Vec<serde_json::Value> = KEYPOINTS
                    .iter()
                    .zip(&p.keypoints)
                    .map(|(name, (x, y, s))| {
                        serde_json::json!({
                            "name": name,
                            "x": super::round3(x / w as f32),
                            "y": super::round3(y / h as f32),
                            "score": super::round3(*s),
                        })
                    })
                    .collect();
                sink.emit(Insight {
                    analyzer: self.name().into(),
                    kind: "pose".into(),
                    start: frame.time,
                    end: None,
                    data: serde_json::json!({
                        "score": super::round3(p.score),
                        "box": p.bx.json(w, h),
                        "keypoints": keypoints,
                    }),
                    artifact: None,
                    key: format!("pose-{:06}-{i}", frame.index),
                })
                .await?;
            }
        }
        frames.finish(sink).await
    }
}

/// The people the model finds on one frame, best first.
pub fn people(
    model: &VisionModel,
    image: &image::RgbImage,
    min_score: f32,
) -> Result<Vec<Person>, AnalyzerError> {
    let Decoder::MovenetMultipose { output } = &model.spec.decoder else {
        return Err(AnalyzerError::abort(
            ErrorCode::InvalidPipeline,
            "not a MoveNet MultiPose model",
        ));
    };
    let (at, out) = super::infer(model, image, output, "the pose model")?;
    let mut found = decode_movenet(&out.values, &at, min_score).ok_or_else(|| {
        AnalyzerError::abort(
            ErrorCode::AnalyzerFailed,
            format!(
                "the pose model's output has an unexpected shape {:?}",
                out.shape
            ),
        )
    })?;
    for p in &mut found {
        p.bx = p.bx.clamp(image.width(), image.height());
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(found)
}

/// Rows of 56: 17 x (y, x, score) normalised to the input, then ymin, xmin,
/// ymax, xmax, score.
fn decode_movenet(v: &[f32], at: &Placement, min_score: f32) -> Option<Vec<Person>> {
    if v.is_empty() || !v.len().is_multiple_of(56) {
        return None;
    }
    let (iw, ih) = (at.input_width as f32, at.input_height as f32);
    let pt = |y: f32, x: f32| at.to_frame(x * iw, y * ih);
    Some(
        v.chunks_exact(56)
            .filter(|r| r[55] >= min_score)
            .map(|r| {
                let keypoints = (0..17)
                    .map(|k| {
                        let (x, y) = pt(r[3 * k], r[3 * k + 1]);
                        (x, y, r[3 * k + 2])
                    })
                    .collect();
                let (x1, y1) = pt(r[51], r[52]);
                let (x2, y2) = pt(r[53], r[54]);
                Person {
                    score: r[55],
                    bx: BoxF { x1, y1, x2, y2 },
                    keypoints,
                }
            })
            .collect(),
    )
}
