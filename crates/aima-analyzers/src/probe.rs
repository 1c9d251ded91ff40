use aima_core::{Insight, MediaKind};
use async_trait::async_trait;
use serde::Deserialize;

use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

/// Media facts: container, streams, duration, resolution, sample rate,
/// codecs; and a decode check of the first seconds, so that a corrupt file
/// fails here with a clear reason.
pub struct Probe;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    /// Seconds decoded to check the streams are readable (0 turns it off).
    #[serde(default = "default_check")]
    decode_check_seconds: f64,
}

fn default_check() -> f64 {
    5.0
}

#[async_trait]
impl Analyzer for Probe {
    fn name(&self) -> &'static str {
        "probe"
    }

    fn description(&self) -> &'static str {
        "Media facts from ffprobe (container, streams, codecs, duration, resolution, sample rate) and a decode check"
    }

    fn accepts(&self) -> &'static [MediaKind] {
        &[MediaKind::Video, MediaKind::Audio, MediaKind::Image]
    }

    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        let o: Options = parse_options(options)?;
        if !(0.0..=3600.0).contains(&o.decode_check_seconds) {
            return Err("decode_check_seconds must be between 0 and 3600".into());
        }
        Ok(())
    }

    async fn run(
        &self,
        input: AnalyzerInput<'_>,
        sink: &mut dyn InsightSink,
    ) -> Result<(), AnalyzerError> {
        let o: Options = crate::run_options(input.options)?;
        let info = input.tools.probe(input.media_path).await?;
        sink.progress(0.5);
        if o.decode_check_seconds > 0.0 {
            input
                .tools
                .decode_check(input.media_path, o.decode_check_seconds)
                .await?;
        }
        let data = serde_json::to_value(&info)
            .map_err(|e| AnalyzerError::Retry(format!("could not encode probe: {e}")))?;
        sink.emit(Insight {
            analyzer: self.name().into(),
            kind: "media_info".into(),
            start: 0.0,
            end: info.duration,
            data,
            artifact: None,
            key: "media_info".into(),
        })
        .await?;
        sink.progress(1.0);
        Ok(())
    }
}
