use std::path::{Path, PathBuf};

use crate::{AnalyzerError, AnalyzerInput, InsightSink, PipelineRejection, Registry};
use aima_core::{Insight, Pipeline};
use aima_media::{MediaError, MediaTools};
use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("{}", .0.message)]
    Pipeline(PipelineRejection),
    // The cause is part of the message, not a `#[source]`, so that error
    // chains do not print it twice.
    #[error("{analyzer}: {error}")]
    Analyzer {
        analyzer: String,
        error: AnalyzerError,
    },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Keeps insights in memory; artifacts are copied into a folder if one was
/// given, and otherwise left out.
struct MemorySink {
    insights: Vec<Insight>,
    artifacts_dir: Option<PathBuf>,
    stage: String,
}

#[async_trait]
impl InsightSink for MemorySink {
    async fn emit(&mut self, insight: Insight) -> Result<(), AnalyzerError> {
        self.insights.push(insight);
        Ok(())
    }

    async fn artifact(&mut self, name: &str, file: &Path) -> Result<String, AnalyzerError> {
        let name = format!("{}/{name}", self.stage);
        if let Some(dir) = &self.artifacts_dir {
            let dest = dir.join(&name);
            if let Some(parent) = dest.parent() {
                tokio::fs::create_dir_all(parent)
                    .await
                    .map_err(|e| AnalyzerError::Retry(e.to_string()))?;
            }
            tokio::fs::copy(file, &dest)
                .await
                .map_err(|e| AnalyzerError::Retry(e.to_string()))?;
            return Ok(dest.display().to_string());
        }
        Ok(name)
    }

    fn progress(&mut self, _fraction: f64) {}
}

/// Runs a pipeline on a local file without a server or database, for
/// `aima analyze`. Returns the insights in the order they were emitted.
pub async fn analyze_file(
    file: &Path,
    pipeline: &Pipeline,
    registry: &Registry,
    tools: &MediaTools,
    models: &aima_models::ModelManager,
    artifacts_dir: Option<&Path>,
    cancel: &CancellationToken,
) -> Result<Vec<Insight>, LocalError> {
    let info = tools.probe(file).await?;
    analyze_probed(
        file,
        info.kind,
        info.duration,
        pipeline,
        registry,
        tools,
        models,
        artifacts_dir,
        cancel,
    )
    .await
}

/// [`analyze_file`] for a file already probed (a worker knows the media's
/// kind and duration from its row).
#[allow(clippy::too_many_arguments)]
pub async fn analyze_probed(
    file: &Path,
    kind: aima_core::MediaKind,
    duration: Option<f64>,
    pipeline: &Pipeline,
    registry: &Registry,
    tools: &MediaTools,
    models: &aima_models::ModelManager,
    artifacts_dir: Option<&Path>,
    cancel: &CancellationToken,
) -> Result<Vec<Insight>, LocalError> {
    registry
        .check(pipeline, Some(kind))
        .map_err(LocalError::Pipeline)?;
    let mut sink = MemorySink {
        insights: Vec::new(),
        artifacts_dir: artifacts_dir.map(Path::to_path_buf),
        stage: String::new(),
    };
    for stage in &pipeline.0 {
        let Some(analyzer) = registry.get(&stage.name) else {
            continue; // checked above
        };
        let work = tempfile::Builder::new().prefix("aima-analyze-").tempdir()?;
        sink.stage = stage.name.clone();
        let input = AnalyzerInput {
            media_path: file,
            kind,
            duration,
            options: &stage.options,
            work_dir: work.path(),
            tools,
            models,
            cancel,
        };
        analyzer
            .run(input, &mut sink)
            .await
            .map_err(|error| LocalError::Analyzer {
                analyzer: stage.name.clone(),
                error,
            })?;
    }
    Ok(sink.insights)
}
