//! Where a worker gets its jobs and puts its results: straight from the
//! database and blob store ([`DbSource`], for workers beside the server), or
//! over the server's worker API ([`crate::remote::HttpSource`], for workers
//! on other machines that hold only a worker token).
//!
//! Every write is fenced by the job's lease token, whichever the source.

use std::path::Path;
use std::sync::Arc;

use aima_blobs::{BlobStore, LocalBlob};
use aima_core::{ErrorInfo, Insight, Job, Lease, Media, StageStatus};
use aima_store::{FailureKind, Fenced, Store};
use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The media or job is gone (deleted): the job cannot go on.
    #[error("not found: {0}")]
    NotFound(String),
    /// Anything transient: the database, the network, the server.
    #[error("{0}")]
    Unavailable(String),
    /// The server refused this worker (revoked or unknown token): stop.
    #[error("refused: {0}")]
    Refused(String),
}

impl From<aima_store::StoreError> for SourceError {
    fn from(e: aima_store::StoreError) -> Self {
        match e {
            aima_store::StoreError::NotFound => SourceError::NotFound("job or media".into()),
            other => SourceError::Unavailable(other.to_string()),
        }
    }
}

pub type SourceResult<T> = Result<T, SourceError>;

/// The job side of AIMA, as a worker sees it.
#[async_trait]
pub trait JobSource: Send + Sync {
    /// Takes a runnable job (waiting up to `wait` for one where the source
    /// supports waiting).
    async fn claim(
        &self,
        owner: &str,
        lease_ms: i64,
        wait: std::time::Duration,
        capabilities: &[String],
    ) -> SourceResult<Option<Lease>>;
    async fn heartbeat(&self, job_id: &str, token: &str, lease_ms: i64) -> SourceResult<Fenced>;
    async fn update_stages(
        &self,
        job_id: &str,
        token: &str,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced>;
    async fn finish_stage(
        &self,
        job_id: &str,
        token: &str,
        analyzer: &str,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced>;
    async fn complete_job(
        &self,
        job_id: &str,
        token: &str,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced>;
    async fn fail_job(
        &self,
        job_id: &str,
        token: &str,
        kind: FailureKind,
        error: &ErrorInfo,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced>;
    async fn release_job(&self, job_id: &str, token: &str) -> SourceResult<Fenced>;
    async fn put_insight(&self, job: &Job, token: &str, insight: &Insight) -> SourceResult<Fenced>;
    /// The media of a job and its bytes as a local file (for as long as the
    /// returned guard lives).
    async fn media(&self, job: &Job, token: &str) -> SourceResult<(Media, LocalBlob)>;
    /// Stores an analyzer's file under the job; returns the artifact name
    /// insights refer to (`<job>/<name>`).
    async fn put_artifact(
        &self,
        job: &Job,
        token: &str,
        name: &str,
        file: &Path,
    ) -> SourceResult<String>;
    /// Tells the server what this worker can run (and that it is alive).
    async fn announce(&self, info: &aima_core::worker_api::WorkerInfo) -> SourceResult<()>;
    /// The store, for workspace jobs (training modes) that read a
    /// workspace's data; None for a remote worker, which runs media jobs only.
    fn store(&self) -> Option<Arc<dyn Store>>;
}

/// Jobs straight from the database; bytes straight from the blob store.
pub struct DbSource {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    /// The daily budget of a capability's busy seconds (workers beside the
    /// database apply it themselves; the server applies it to remote ones).
    pub budget: Option<aima_store::Budget>,
}

#[async_trait]
impl JobSource for DbSource {
    async fn claim(
        &self,
        owner: &str,
        lease_ms: i64,
        _wait: std::time::Duration,
        capabilities: &[String],
    ) -> SourceResult<Option<Lease>> {
        let scope = aima_store::ClaimScope {
            capabilities: capabilities.to_vec(),
            budget: self.budget.clone(),
            ..Default::default()
        };
        Ok(self.store.claim_job_scoped(owner, lease_ms, &scope).await?)
    }

    async fn heartbeat(&self, job_id: &str, token: &str, lease_ms: i64) -> SourceResult<Fenced> {
        Ok(self.store.heartbeat(job_id, token, lease_ms).await?)
    }

    async fn update_stages(
        &self,
        job_id: &str,
        token: &str,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced> {
        Ok(self.store.update_stages(job_id, token, stages).await?)
    }

    async fn finish_stage(
        &self,
        job_id: &str,
        token: &str,
        analyzer: &str,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced> {
        Ok(self
            .store
            .finish_stage(job_id, token, analyzer, stages)
            .await?)
    }

    async fn complete_job(
        &self,
        job_id: &str,
        token: &str,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced> {
        Ok(self.store.complete_job(job_id, token, stages).await?)
    }

    async fn fail_job(
        &self,
        job_id: &str,
        token: &str,
        kind: FailureKind,
        error: &ErrorInfo,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced> {
        Ok(self
            .store
            .fail_job(job_id, token, kind, error, stages)
            .await?)
    }

    async fn release_job(&self, job_id: &str, token: &str) -> SourceResult<Fenced> {
        Ok(self.store.release_job(job_id, token).await?)
    }

    async fn put_insight(&self, job: &Job, token: &str, insight: &Insight) -> SourceResult<Fenced> {
        Ok(self.store.put_insight(job, token, insight).await?)
    }

    async fn media(&self, job: &Job, _token: &str) -> SourceResult<(Media, LocalBlob)> {
        let media_id = job
            .media_id
            .as_deref()
            .ok_or_else(|| SourceError::NotFound("the job has no media".into()))?;
        let media = self.store.get_media(&job.workspace, media_id).await?;
        let blob = self
            .blobs
            .local(&aima_blobs::media_key(&media.sha256))
            .await
            .map_err(|e| SourceError::Unavailable(format!("media bytes unavailable: {e}")))?;
        Ok((media, blob))
    }

    async fn put_artifact(
        &self,
        job: &Job,
        _token: &str,
        name: &str,
        file: &Path,
    ) -> SourceResult<String> {
        let artifact = format!("{}/{name}", job.id);
        let key = format!(
            "{}/{artifact}",
            aima_blobs::artifacts_prefix(job.media_id.as_deref().unwrap_or_default())
        );
        self.blobs
            .put_file(&key, file)
            .await
            .map_err(|e| SourceError::Unavailable(format!("could not store {name}: {e}")))?;
        Ok(artifact)
    }

    async fn announce(&self, info: &aima_core::worker_api::WorkerInfo) -> SourceResult<()> {
        Ok(self.store.announce_worker(info, None).await?)
    }

    fn store(&self) -> Option<Arc<dyn Store>> {
        Some(self.store.clone())
    }
}
