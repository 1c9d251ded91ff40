use aima_core::{Insight, MediaKind};
use aima_media::{KeyframeEvent, KeyframeOptions};
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
        let o: Options = crate::run_options(input.options)?;
        let opts = KeyframeOptions {
            scene_threshold: o.scene_threshold,
            max_interval: (o.max_interval > 0.0).then_some(o.max_interval),
            max_frames: o.max_frames,
            thumb_width: o.thumb_width,
        };
        // Keyframes are saved as ffmpeg finds them; each spans until the next
        // one, so a keyframe is emitted when the next is known (or at the end).
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let extract = input.tools.keyframes(
            input.media_path,
            input.work_dir,
            &opts,
            input.duration,
            input.cancel,
            tx,
        );
        let name = self.name();
        let duration = input.duration;
        let out = &mut *sink;
        // `move`: the receiver must be dropped as soon as saving stops, so
        // that extraction (blocked on a full channel) stops too.
        let save = async move {
            let mut pending: Option<aima_media::Keyframe> = None;
            while let Some(event) = rx.recv().await {
                match event {
                    KeyframeEvent::Progress(p) => out.progress(p * 0.99),
                    KeyframeEvent::Frame(frame) => {
                        if let Some(prev) = pending.take() {
                            save_frame(out, name, &prev, Some(frame.time)).await?;
                        }
                        pending = Some(frame);
                    }
                }
            }
            if let Some(last) = pending {
                let end = duration.filter(|d| *d > last.time);
                save_frame(out, name, &last, end).await?;
            }
            Ok::<(), AnalyzerError>(())
        };
        let (extracted, saved) = tokio::join!(extract, save);
        match (extracted.map_err(AnalyzerError::from), saved) {
            // Extraction stopped because saving failed: the save error says why.
            (Err(AnalyzerError::Cancelled), Err(e)) => return Err(e),
            // Otherwise a failed extraction explains more than a save that stopped with it.
            (Err(e), _) | (Ok(_), Err(e)) => return Err(e),
            (Ok(_), Ok(())) => {}
        }
        sink.progress(1.0);
        Ok(())
    }
}

async fn save_frame(
    sink: &mut dyn InsightSink,
    analyzer: &str,
    frame: &aima_media::Keyframe,
    end: Option<f64>,
) -> Result<(), AnalyzerError> {
    let name = format!("kf-{:06}.jpg", frame.index + 1);
    let artifact = sink.artifact(&name, &frame.path).await?;
    sink.emit(Insight {
        analyzer: analyzer.into(),
        kind: "keyframe".into(),
        start: frame.time,
        end,
        data: serde_json::json!({ "index": frame.index }),
        artifact: Some(artifact),
        key: format!("kf-{:06}", frame.index),
    })
    .await
}
