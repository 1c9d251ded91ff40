use std::path::Path;
use std::sync::{Arc, Mutex};

use aima_analyzers::{AnalyzerError, InsightSink};
use aima_core::{Insight, Job, StageStatus};
use aima_store::Fenced;
use async_trait::async_trait;

use crate::source::{JobSource, SourceError};

/// Persists each insight the moment it is emitted, under the job's lease.
pub(crate) struct StoreSink {
    source: Arc<dyn JobSource>,
    job: Job,
    token: String,
    stages: Arc<Mutex<Vec<StageStatus>>>,
    stage: usize,
}

impl StoreSink {
    pub(crate) fn new(
        source: Arc<dyn JobSource>,
        job: Job,
        token: String,
        stages: Arc<Mutex<Vec<StageStatus>>>,
        stage: usize,
    ) -> Self {
        Self {
            source,
            job,
            token,
            stages,
            stage,
        }
    }
}

#[async_trait]
impl InsightSink for StoreSink {
    async fn emit(&mut self, insight: Insight) -> Result<(), AnalyzerError> {
        match self
            .source
            .put_insight(&self.job, &self.token, &insight)
            .await
        {
            Ok(Fenced::Ok) => Ok(()),
            Ok(Fenced::LeaseLost) | Err(SourceError::NotFound(_)) => Err(AnalyzerError::LeaseLost),
            Err(e) => Err(AnalyzerError::Retry(format!(
                "could not save an insight: {e}"
            ))),
        }
    }

    async fn artifact(&mut self, name: &str, file: &Path) -> Result<String, AnalyzerError> {
        match self
            .source
            .put_artifact(&self.job, &self.token, name, file)
            .await
        {
            Ok(artifact) => Ok(artifact),
            Err(SourceError::NotFound(_)) => Err(AnalyzerError::LeaseLost),
            Err(e) => Err(AnalyzerError::Retry(format!("could not store {name}: {e}"))),
        }
    }

    fn progress(&mut self, fraction: f64) {
        if let Ok(mut stages) = self.stages.lock() {
            if let Some(s) = stages.get_mut(self.stage) {
                s.progress = fraction.clamp(0.0, 1.0);
            }
        }
    }
}
