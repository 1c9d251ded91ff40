use std::path::Path;
use std::sync::{Arc, Mutex};

use aima_analyzers::{AnalyzerError, InsightSink};
use aima_blobs::BlobStore;
use aima_core::{Insight, Job, StageStatus};
use aima_store::{Fenced, Store};
use async_trait::async_trait;

/// Persists each insight the moment it is emitted, under the job's lease.
pub(crate) struct StoreSink {
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    job: Job,
    token: String,
    stages: Arc<Mutex<Vec<StageStatus>>>,
    stage: usize,
}

impl StoreSink {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        blobs: Arc<dyn BlobStore>,
        job: Job,
        token: String,
        stages: Arc<Mutex<Vec<StageStatus>>>,
        stage: usize,
    ) -> Self {
        Self {
            store,
            blobs,
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
            .store
            .put_insight(&self.job, &self.token, &insight)
            .await
        {
            Ok(Fenced::Ok) => Ok(()),
            Ok(Fenced::LeaseLost) => Err(AnalyzerError::LeaseLost),
            Err(e) => Err(AnalyzerError::Retry(format!(
                "could not save an insight: {e}"
            ))),
        }
    }

    async fn artifact(&mut self, name: &str, file: &Path) -> Result<String, AnalyzerError> {
        let artifact = format!("{}/{name}", self.job.id);
        let key = format!(
            "{}/{artifact}",
            aima_blobs::artifacts_prefix(self.job.media_id.as_deref().unwrap_or_default())
        );
        self.blobs
            .put_file(&key, file)
            .await
            .map_err(|e| AnalyzerError::Retry(format!("could not store {name}: {e}")))?;
        Ok(artifact)
    }

    fn progress(&mut self, fraction: f64) {
        if let Ok(mut stages) = self.stages.lock() {
            if let Some(s) = stages.get_mut(self.stage) {
                s.progress = fraction.clamp(0.0, 1.0);
            }
        }
    }
}
