use aima_core::{Insight, MediaKind};
use aima_media::KeyframeOptions;
use async_trait::async_trait;
use serde::Deserialize;

use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

/// Scene-change keyframes with JPEG thumbnails. Each keyframe insight spans
/// its scene: from its own time to the next keyframe (or the end).
pub struct Keyframes;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    #[serde(default = "d_threshold")]
    scene_threshold: f64,
    /// Seconds; 0 keeps only scene changes.
    #[serde(default = "d_interval")]
    max_interval: f64,
    #[serde(default = "d_frames")]
    max_frames: u32,
    #[serde(default = "d_width")]
    thumb_width: u32,
}

fn d_threshold() -> f64 {
    KeyframeOptions::default().scene_threshold
}
fn d_interval() -> f64 {
    KeyframeOptions::default().max_interval.unwrap_or(0.0)
}
fn d_frames() -> u32 {
    KeyframeOptions::default().max_frames
}
fn d_width() -> u32 {
    KeyframeOptions::default().thumb_width
}

impl Options {
    fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.scene_threshold) {
            return Err("scene_threshold must be between 0 and 1".into());
        }
        if !(0.0..=86_400.0).contains(&self.max_interval) {
            return Err("max_interval must be between 0 and 86400 seconds".into());
        }
        if !(1..=10_000).contains(&self.max_frames) {
            return Err("max_frames must be between 1 and 10000".into());
        }
        if !(16..=3840).contains(&self.thumb_width) {
            return Err("thumb_width must be between 16 and 3840".into());
        }
        Ok(())
    }
}

#[async_trait]
impl Analyzer for Keyframes {
    fn name(&self) -> &'static str {
        "keyframes"
    }

    fn description(&self) -> &'static str {
        "Scene-change keyframes as JPEG thumbnails, each with its time (ffmpeg scene detection)"
    }

    fn accepts(&self) -> &'static [MediaKind] {
        &[MediaKind::Video, MediaKind::Image]
    }

    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        parse_options::<Options>(options)?.check()
    }

    async fn run(
        &self,
        input: AnalyzerInput<'_>,
        sink: &mut dyn InsightSink,
    ) -> Result<(), AnalyzerError> {
        let o: Options = parse_options(input.options)
            .map_err(|e| AnalyzerError::abort(aima_core::ErrorCode::InvalidPipeline, e))?;
        let opts = KeyframeOptions {
            scene_threshold: o.scene_threshold,
            max_interval: (o.max_interval > 0.0).then_some(o.max_interval),
            max_frames: o.max_frames,
            thumb_width: o.thumb_width,
        };
        // Extraction is the long part: 90 % of this stage's progress.
        let frames = input
            .tools
            .keyframes(
                input.media_path,
                input.work_dir,
                &opts,
                input.duration,
                input.cancel,
                |p| sink.progress(p * 0.9),
            )
            .await?;
        let count = frames.len();
        for (i, frame) in frames.iter().enumerate() {
            if input.cancel.is_cancelled() {
                return Err(AnalyzerError::Cancelled);
            }
            let name = format!("kf-{:06}.jpg", frame.index + 1);
            let artifact = sink.artifact(&name, &frame.path).await?;
            let end = match frames.get(i + 1) {
                Some(next) => Some(next.time),
                None => input.duration.filter(|d| *d > frame.time),
            };
            sink.emit(Insight {
                analyzer: self.name().into(),
                kind: "keyframe".into(),
                start: frame.time,
                end,
                data: serde_json::json!({ "index": frame.index, "scene_count": count }),
                artifact: Some(artifact),
                key: format!("kf-{:06}", frame.index),
            })
            .await?;
            sink.progress(0.9 + 0.1 * (i + 1) as f64 / count as f64);
        }
        Ok(())
    }
}
