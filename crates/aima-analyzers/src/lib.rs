//! Analyzers: the one abstraction every analysis implements, and the registry
//! that knows them all.
//!
//! Architecture invariant: analyzers see a media file, their options, scratch
//! space and an [`InsightSink`]; never the database, the blob store or HTTP.
//! The worker gives them a sink that persists each insight as it is emitted
//! (so a crash keeps what was found); `aima analyze` gives them one that
//! collects insights in memory.

pub mod embed;
mod keyframes;
mod local;
pub mod onnx;
mod probe;
mod together;
pub mod transcribe;
pub mod vad;
pub mod vision;

use std::path::Path;
use std::sync::Arc;

use aima_core::{ErrorCode, Insight, MediaKind, Pipeline};
use aima_media::{MediaError, MediaTools};
use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

pub use keyframes::Keyframes;
pub use local::{analyze_file, analyze_file_with, analyze_probed, LocalError};
pub use probe::Probe;
pub use together::{frame_feeds, run_together, Schedule};
pub use transcribe::Transcribe;

/// How an analyzer run went wrong. The worker turns `Retry` into a delayed
/// retry and `Abort` into a failed job at once: a bad input never loops.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzerError {
    /// Transient (I/O, a tool that could not start, a timeout): try again later.
    #[error("{0}")]
    Retry(String),
    /// The input or the options are bad: retrying cannot help.
    #[error("{message}")]
    Abort { code: ErrorCode, message: String },
    #[error("cancelled")]
    Cancelled,
    /// The sink refused a write because the job's lease is gone.
    #[error("the job's lease was lost")]
    LeaseLost,
}

impl AnalyzerError {
    pub fn abort(code: ErrorCode, message: impl Into<String>) -> Self {
        AnalyzerError::Abort {
            code,
            message: message.into(),
        }
    }
}

impl From<MediaError> for AnalyzerError {
    fn from(e: MediaError) -> Self {
        match e {
            MediaError::Cancelled => AnalyzerError::Cancelled,
            MediaError::Unsupported(_) | MediaError::Corrupt(_) => {
                AnalyzerError::abort(ErrorCode::CorruptMedia, e.to_string())
            }
            MediaError::TooLarge(m) => AnalyzerError::abort(ErrorCode::MediaTooLarge, m),
            MediaError::ToolMissing { .. } | MediaError::Io(_) => {
                AnalyzerError::Retry(e.to_string())
            }
        }
    }
}

/// What one stage of a job gets to work with.
pub struct AnalyzerInput<'a> {
    pub media_path: &'a Path,
    pub kind: MediaKind,
    /// Seconds; `None` for images.
    pub duration: Option<f64>,
    /// The stage's options, already accepted by [`Analyzer::check_options`].
    pub options: &'a serde_json::Value,
    /// A scratch folder for this stage, removed afterwards.
    pub work_dir: &'a Path,
    pub tools: &'a MediaTools,
    /// Where installed models are; analyzers never download.
    pub models: &'a aima_models::ModelManager,
    pub cancel: &'a CancellationToken,
    /// The sampled frames this stage asked for ([`Analyzer::frame_request`]),
    /// from a decoder shared with the job's other image stages; `None`: the
    /// analyzer decodes itself.
    pub frames: Option<vision::FrameFeed>,
}

/// Where an analyzer puts what it finds.
#[async_trait]
pub trait InsightSink: Send {
    /// Saves an insight now. An error means: stop working.
    async fn emit(&mut self, insight: Insight) -> Result<(), AnalyzerError>;
    /// Stores a file the analyzer made (a thumbnail...) and returns the name
    /// to put in an insight's `artifact`.
    async fn artifact(&mut self, name: &str, file: &Path) -> Result<String, AnalyzerError>;
    /// Reports progress of this stage, 0 to 1. Cheap: the caller throttles.
    fn progress(&mut self, fraction: f64);
}

#[async_trait]
pub trait Analyzer: Send + Sync {
    /// The name used in pipelines; stable.
    fn name(&self) -> &'static str;
    fn description(&self) -> &'static str;
    /// The media kinds this analyzer can run on.
    fn accepts(&self) -> &'static [MediaKind];
    /// Names of the models this analyzer needs with its default options
    /// (from the model catalog).
    fn models(&self) -> &'static [&'static str] {
        &[]
    }
    /// Rejects options this analyzer does not understand, with a reason.
    fn check_options(&self, options: &serde_json::Value) -> Result<(), String>;
    /// The sampled video frames this analyzer will read with `options`, if
    /// it reads any: stages that ask for the same frames share one decoder
    /// (see [`vision::share_frames`]).
    fn frame_request(&self, _options: &serde_json::Value) -> Option<vision::FrameRequest> {
        None
    }
    async fn run(
        &self,
        input: AnalyzerInput<'_>,
        sink: &mut dyn InsightSink,
    ) -> Result<(), AnalyzerError>;
}

/// Parses an analyzer's options into its options struct, refusing unknown keys.
pub(crate) fn parse_options<T: serde::de::DeserializeOwned>(
    options: &serde_json::Value,
) -> Result<T, String> {
    serde_json::from_value(options.clone()).map_err(|e| e.to_string())
}

/// The options of a stage being run (already checked when the job was
/// accepted; a failure here is still a clear `invalid_pipeline`).
pub(crate) fn run_options<T: serde::de::DeserializeOwned>(
    options: &serde_json::Value,
) -> Result<T, AnalyzerError> {
    parse_options(options).map_err(|e| AnalyzerError::abort(ErrorCode::InvalidPipeline, e))
}

/// Why a pipeline cannot run on a media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineRejection {
    pub code: ErrorCode,
    pub message: String,
}

/// The analyzers this build has, by name.
#[derive(Clone)]
pub struct Registry {
    analyzers: Vec<Arc<dyn Analyzer>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.analyzers.iter().map(|a| a.name()))
            .finish()
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Registry {
    pub fn builtin() -> Self {
        Self {
            analyzers: vec![
                Arc::new(Probe),
                Arc::new(Keyframes),
                Arc::new(Transcribe::default()),
                Arc::new(vision::ocr::Ocr),
                Arc::new(vision::nsfw::Nsfw),
                Arc::new(vision::objects::Objects),
                Arc::new(vision::pose::Pose),
                Arc::new(vision::faces::Faces),
                Arc::new(vision::clip::Clip),
            ],
        }
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn Analyzer>> {
        self.analyzers.iter().find(|a| a.name() == name).cloned()
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<dyn Analyzer>> {
        self.analyzers.iter()
    }

    /// The configured default pipeline for `kind` media: the analyzers of
    /// `names` that run on that kind, in order, with default options
    /// (`None` when none does). Unknown names are left out; configurations
    /// are checked with [`Registry::check_names`] at start-up.
    pub fn default_pipeline(&self, names: &[String], kind: MediaKind) -> Option<Pipeline> {
        let stages: Vec<_> = names
            .iter()
            .filter(|n| self.get(n).is_some_and(|a| a.accepts().contains(&kind)))
            .map(|n| aima_core::StageSpec::new(n.as_str()))
            .collect();
        (!stages.is_empty()).then_some(Pipeline(stages))
    }

    /// Fails on the first name that is not an analyzer of this build.
    pub fn check_names(&self, names: &[String]) -> Result<(), String> {
        match names.iter().find(|n| self.get(n).is_none()) {
            Some(n) => Err(format!(
                "unknown analyzer {n:?}; known: {}",
                self.all().map(|a| a.name()).collect::<Vec<_>>().join(", ")
            )),
            None => Ok(()),
        }
    }

    /// The models the named analyzers need with their default options, each
    /// once, in order.
    pub fn models_of(&self, names: &[String]) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for m in names
            .iter()
            .filter_map(|n| self.get(n))
            .flat_map(|a| a.models().iter().copied())
        {
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }

    /// Checks a pipeline's shape, names, options, and (when the media kind is
    /// known) that each analyzer accepts that kind.
    pub fn check(
        &self,
        pipeline: &Pipeline,
        kind: Option<MediaKind>,
    ) -> Result<(), PipelineRejection> {
        pipeline.validate().map_err(|e| PipelineRejection {
            code: ErrorCode::InvalidPipeline,
            message: e.to_string(),
        })?;
        for stage in &pipeline.0 {
            let analyzer = self.get(&stage.name).ok_or_else(|| PipelineRejection {
                code: ErrorCode::UnknownAnalyzer,
                message: format!(
                    "unknown analyzer {:?}; known: {}",
                    stage.name,
                    self.analyzers
                        .iter()
                        .map(|a| a.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?;
            analyzer
                .check_options(&stage.options)
                .map_err(|reason| PipelineRejection {
                    code: ErrorCode::InvalidPipeline,
                    message: format!("options of {:?}: {reason}", stage.name),
                })?;
            if let Some(kind) = kind {
                if !analyzer.accepts().contains(&kind) {
                    return Err(PipelineRejection {
                        code: ErrorCode::AnalyzerNotApplicable,
                        message: format!("analyzer {:?} does not run on {kind} media", stage.name),
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_pipelines() {
        let r = Registry::builtin();
        let ok = Pipeline::parse_list("probe,keyframes").unwrap_or(Pipeline(vec![]));
        assert!(r.check(&ok, Some(MediaKind::Video)).is_ok());
        assert_eq!(
            r.check(&ok, Some(MediaKind::Audio)).map_err(|e| e.code),
            Err(ErrorCode::AnalyzerNotApplicable)
        );
        let unknown = Pipeline::parse_list("probe,teleport").unwrap_or(Pipeline(vec![]));
        assert_eq!(
            r.check(&unknown, None).map_err(|e| e.code),
            Err(ErrorCode::UnknownAnalyzer)
        );
        let mut bad_opts = Pipeline::parse_list("keyframes").unwrap_or(Pipeline(vec![]));
        bad_opts.0[0].options = serde_json::json!({"scene_threshold": 7});
        assert_eq!(
            r.check(&bad_opts, None).map_err(|e| e.code),
            Err(ErrorCode::InvalidPipeline)
        );
        bad_opts.0[0].options = serde_json::json!({"colour": "red"});
        assert_eq!(
            r.check(&bad_opts, None).map_err(|e| e.code),
            Err(ErrorCode::InvalidPipeline)
        );
    }
}
