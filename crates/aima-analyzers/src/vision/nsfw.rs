//! NSFW: a score per sampled frame (open_nsfw), time ranges where it stays
//! above a threshold, and the media's maximum.

use aima_core::{ErrorCode, Insight, MediaKind};
use aima_models::vision::Decoder;
use async_trait::async_trait;
use serde::Deserialize;

use super::{FrameOptions, Tracker};
use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

pub struct Nsfw;

/// Frames are read at most this large (pixels on the longer side).
const MAX_SIDE: u32 = 512;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Options {
    model: String,
    /// Frames scoring at least this are flagged.
    threshold: f32,
    /// Also run a body-part detector on each frame and report what it sees.
    second_opinion: bool,
    second_opinion_model: String,
    frames: FrameOptions,
}

/// The detector classes that make a frame explicit.
const EXPLICIT: [&str; 5] = [
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "BUTTOCKS_EXPOSED",
    "ANUS_EXPOSED",
];

impl Default for Options {
    fn default() -> Self {
        Self {
            model: "nsfw-open".into(),
            threshold: 0.8,
            second_opinion: false,
            second_opinion_model: "nsfw-nudenet-320n".into(),
            frames: FrameOptions::default(),
        }
    }
}

impl Options {
    fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err("threshold must be between 0 and 1".into());
        }
        self.frames.check()
    }
}

const MODEL_FILE: &str = "model.onnx";

#[async_trait]
impl Analyzer for Nsfw {
    fn name(&self) -> &'static str {
        "nsfw"
    }
    fn description(&self) -> &'static str {
        "NSFW score per sampled frame (open_nsfw), ranges above a threshold, and the media's maximum"
    }
    fn accepts(&self) -> &'static [MediaKind] {
        &[MediaKind::Video, MediaKind::Image]
    }
    fn models(&self) -> &'static [&'static str] {
        // NudeNet (`nsfw-nudenet-320n`) only with `second_opinion`.
        &["onnxruntime", "nsfw-open"]
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
        let model = super::load(input.models, &o.model, MODEL_FILE).await?;
        let Decoder::BinaryScore { output } = model.spec.decoder.clone() else {
            return Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                format!("model {:?} is not a binary image classifier", o.model),
            ));
        };
        let detector = match o.second_opinion {
            true => Some(super::load(input.models, &o.second_opinion_model, MODEL_FILE).await?),
            false => None,
        };
        let mut explicit_frames = 0u32;
        let mut tracker: Tracker<f32> = Tracker::default();
        let mut max: Option<(f64, f32)> = None;
        let name = self.name();
        let threshold = o.threshold;
        let mut frames = super::Frames::open(&mut input, &o.frames, MAX_SIDE)?;
        while let Some(frame) = frames.next(sink).await? {
            let m = model.clone();
            let out = output.clone();
            let det = detector.clone();
            let (score, parts) = super::blocking(move || {
                let score = score_frame(&m, &out, &frame.image)?;
                let parts = match &det {
                    Some(d) => Some(super::objects::detect(d, &frame.image, 0.25, 0.45)?),
                    None => None,
                };
                Ok((score, parts))
            })
            .await?;
            if max.is_none_or(|(_, m)| score > m) {
                max = Some((frame.time, score));
            }
            let mut data = serde_json::json!({ "score": super::round3(score) });
            if let (Some(parts), Some(d)) = (parts, &detector) {
                let label = |c: usize| d.spec.labels.get(c).cloned().unwrap_or_default();
                let explicit = parts
                    .iter()
                    .any(|p| EXPLICIT.contains(&label(p.class).as_str()));
                explicit_frames += u32::from(explicit);
                data["second_opinion"] = serde_json::json!({
                    "explicit": explicit,
                    "parts": parts.iter().map(|p| serde_json::json!({
                        "label": label(p.class),
                        "score": super::round3(p.score),
                    })).collect::<Vec<_>>(),
                });
            }
            sink.emit(Insight {
                analyzer: name.into(),
                kind: "nsfw_score".into(),
                start: frame.time,
                end: None,
                data,
                artifact: None,
                key: format!("score-{:06}", frame.index),
            })
            .await?;
            let flagged: Vec<f32> = (score >= threshold).then_some(score).into_iter().collect();
            for t in tracker.observe(frame.time, flagged, |_, _| 1.0) {
                emit_range(sink, name, &t).await?;
            }
        }
        frames.finish(sink).await?;
        for t in tracker.finish(input.duration) {
            emit_range(sink, name, &t).await?;
        }
        if let Some((time, score)) = max {
            sink.emit(Insight {
                analyzer: name.into(),
                kind: "nsfw_max".into(),
                start: time,
                end: None,
                data: serde_json::json!({
                    "score": super::round3(score),
                    "flagged": score >= threshold,
                    "threshold": threshold,
                    "explicit_frames": detector.is_some().then_some(explicit_frames),
                }),
                artifact: None,
                key: "max".into(),
            })
            .await?;
        }
        Ok(())
    }
}

async fn emit_range(
    sink: &mut dyn InsightSink,
    name: &str,
    t: &super::Track<f32>,
) -> Result<(), AnalyzerError> {
    let max = t.seen.iter().map(|s| s.1).fold(0.0f32, f32::max);
    sink.emit(Insight {
        analyzer: name.into(),
        kind: "nsfw".into(),
        start: t.start,
        end: t.end,
        data: serde_json::json!({ "max_score": super::round3(max), "frames": t.seen.len() }),
        artifact: None,
        key: format!("range-{:.3}", t.start),
    })
    .await
}

fn score_frame(
    model: &super::VisionModel,
    output: &Option<String>,
    image: &image::RgbImage,
) -> Result<f32, AnalyzerError> {
    let (_, probs) = super::infer(model, image, output, "the NSFW model")?;
    probs.values.get(1).copied().ok_or_else(|| {
        AnalyzerError::abort(
            ErrorCode::AnalyzerFailed,
            "the NSFW model gave no second class",
        )
    })
}
