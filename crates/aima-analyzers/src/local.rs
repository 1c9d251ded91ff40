use std::path::{Path, PathBuf};

use crate::together::Schedule;
use crate::{AnalyzerError, AnalyzerInput, InsightSink, PipelineRejection, Registry};
use aima_core::{Insight, Pipeline, StageSpec};
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
/// `aima analyze`. Returns the insights stage by stage, each stage's in the
/// order they were emitted.
pub async fn analyze_file(
    file: &Path,
    pipeline: &Pipeline,
    registry: &Registry,
    tools: &MediaTools,
    models: &aima_models::ModelManager,
    artifacts_dir: Option<&Path>,
    cancel: &CancellationToken,
) -> Result<Vec<Insight>, LocalError> {
    analyze_file_with(
        file,
        pipeline,
        registry,
        tools,
        models,
        artifacts_dir,
        Schedule::Together,
        cancel,
    )
    .await
}

/// [`analyze_file`] with a choice of [`Schedule`].
#[allow(clippy::too_many_arguments)]
pub async fn analyze_file_with(
    file: &Path,
    pipeline: &Pipeline,
    registry: &Registry,
    tools: &MediaTools,
    models: &aima_models::ModelManager,
    artifacts_dir: Option<&Path>,
    schedule: Schedule,
    cancel: &CancellationToken,
) -> Result<Vec<Insight>, LocalError> {
    let info = tools.probe(file).await?;
    let local = Local {
        file,
        kind: info.kind,
        duration: info.duration,
        registry,
        tools,
        models,
        artifacts_dir,
    };
    local.run(pipeline, schedule, cancel).await
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
    let local = Local {
        file,
        kind,
        duration,
        registry,
        tools,
        models,
        artifacts_dir,
    };
    local.run(pipeline, Schedule::Together, cancel).await
}

/// A pipeline run on a local file.
struct Local<'a> {
    file: &'a Path,
    kind: aima_core::MediaKind,
    duration: Option<f64>,
    registry: &'a Registry,
    tools: &'a MediaTools,
    models: &'a aima_models::ModelManager,
    artifacts_dir: Option<&'a Path>,
}

impl Local<'_> {
    async fn run(
        &self,
        pipeline: &Pipeline,
        schedule: Schedule,
        cancel: &CancellationToken,
    ) -> Result<Vec<Insight>, LocalError> {
        self.registry
            .check(pipeline, Some(self.kind))
            .map_err(LocalError::Pipeline)?;
        let stages: Vec<&StageSpec> = pipeline.0.iter().collect();
        if schedule == Schedule::OneByOne {
            let mut insights = Vec::new();
            for stage in stages {
                insights.extend(self.stage(stage, None, cancel).await?);
            }
            return Ok(insights);
        }
        let batch = cancel.child_token();
        let named: Vec<_> = stages
            .iter()
            .map(|s| (s.name.as_str(), &s.options))
            .collect();
        let feeds = crate::together::frame_feeds(
            self.registry,
            &named,
            self.file,
            self.kind,
            self.tools,
            &batch,
        );
        let runs = stages
            .into_iter()
            .zip(feeds)
            .map(|(stage, feed)| {
                let batch = &batch;
                Box::pin(async move {
                    self.stage(stage, feed, batch).await.map_err(|e| match e {
                        LocalError::Analyzer { error, .. } => error,
                        other => AnalyzerError::Retry(other.to_string()),
                    })
                }) as futures::future::BoxFuture<'_, _>
            })
            .collect();
        let names: Vec<String> = pipeline.0.iter().map(|s| s.name.clone()).collect();
        match crate::together::run_together(runs, &batch).await {
            Ok(per_stage) => Ok(per_stage.into_iter().flatten().collect()),
            Err((i, error)) => Err(LocalError::Analyzer {
                analyzer: names.get(i).cloned().unwrap_or_default(),
                error,
            }),
        }
    }

    /// One stage, with its own sink; returns what it found.
    async fn stage(
        &self,
        stage: &StageSpec,
        frames: Option<crate::vision::FrameFeed>,
        cancel: &CancellationToken,
    ) -> Result<Vec<Insight>, LocalError> {
        let Some(analyzer) = self.registry.get(&stage.name) else {
            return Ok(Vec::new()); // checked before
        };
        let mut sink = MemorySink {
            insights: Vec::new(),
            artifacts_dir: self.artifacts_dir.map(Path::to_path_buf),
            stage: stage.name.clone(),
        };
        let work = tempfile::Builder::new().prefix("aima-analyze-").tempdir()?;
        let input = AnalyzerInput {
            media_path: self.file,
            kind: self.kind,
            duration: self.duration,
            options: &stage.options,
            work_dir: work.path(),
            tools: self.tools,
            models: self.models,
            cancel,
            frames,
        };
        analyzer
            .run(input, &mut sink)
            .await
            .map_err(|error| LocalError::Analyzer {
                analyzer: stage.name.clone(),
                error,
            })?;
        Ok(sink.insights)
    }
}
