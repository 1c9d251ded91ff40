//! A job source over the server's worker API, for `aima worker --server URL
//! --token TOKEN` on a machine that has neither the database nor the blobs.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aima_blobs::LocalBlob;
use aima_core::worker_api::{ClaimRequest, Claimed, FailBody, FencedReply, InsightBody, LeaseBody};
use aima_core::{ErrorInfo, Insight, Job, Lease, Media, StageStatus};
use aima_store::{FailureKind, Fenced, Store};
use async_trait::async_trait;
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::source::{JobSource, SourceError, SourceResult};

pub struct HttpSource {
    http: reqwest::Client,
    base: String,
    token: String,
    /// Where downloaded media wait while analyzers read them.
    downloads: std::path::PathBuf,
}

impl HttpSource {
    pub fn new(server: &str, token: &str, downloads: &Path) -> SourceResult<Self> {
        std::fs::create_dir_all(downloads)
            .map_err(|e| SourceError::Unavailable(format!("{}: {e}", downloads.display())))?;
        Ok(Self {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| SourceError::Unavailable(e.to_string()))?,
            base: format!("{}/api/worker/v1", server.trim_end_matches('/')),
            token: token.to_string(),
            downloads: downloads.to_path_buf(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> SourceResult<reqwest::Response> {
        let r = req
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        let status = r.status();
        if status.is_success() {
            return Ok(r);
        }
        let body = r.text().await.unwrap_or_default();
        let msg = format!("{status}: {}", body.chars().take(300).collect::<String>());
        Err(match status.as_u16() {
            401 | 403 => SourceError::Refused(msg),
            404 => SourceError::NotFound(msg),
            // 409: the lease is not held (any more).
            409 => SourceError::NotFound(msg),
            _ => SourceError::Unavailable(msg),
        })
    }

    async fn fenced(&self, path: &str, body: &impl serde::Serialize) -> SourceResult<Fenced> {
        let r = self
            .send(
                self.http
                    .post(self.url(path))
                    .timeout(Duration::from_secs(60))
                    .json(body),
            )
            .await;
        match r {
            Ok(r) => {
                let reply: FencedReply = r
                    .json()
                    .await
                    .map_err(|e| SourceError::Unavailable(e.to_string()))?;
                Ok(if reply.ok {
                    Fenced::Ok
                } else {
                    Fenced::LeaseLost
                })
            }
            // The job is gone (deleted) or no longer granted: the lease is lost.
            Err(SourceError::NotFound(_)) => Ok(Fenced::LeaseLost),
            Err(e) => Err(e),
        }
    }

    fn lease_body(token: &str, stages: &[StageStatus]) -> LeaseBody {
        LeaseBody {
            token: token.to_string(),
            stages: stages.to_vec(),
            ..Default::default()
        }
    }
}

#[async_trait]
impl JobSource for HttpSource {
    async fn claim(
        &self,
        owner: &str,
        lease_ms: i64,
        wait: Duration,
        capabilities: &[String],
    ) -> SourceResult<Option<Lease>> {
        // Long-poll: the server holds the request until a job comes or `wait`
        // ends, so an idle remote worker costs one request per wait.
        let wait = wait.max(Duration::from_secs(5));
        let body = ClaimRequest {
            owner: owner.to_string(),
            lease_ms,
            wait_ms: wait.as_millis() as u64,
            capabilities: capabilities.to_vec(),
        };
        let r = self
            .send(
                self.http
                    .post(self.url("/claim"))
                    .timeout(wait + Duration::from_secs(30))
                    .json(&body),
            )
            .await?;
        if r.status() == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        let c: Claimed = r
            .json()
            .await
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        Ok(Some(Lease {
            job: c.job,
            token: c.token,
        }))
    }

    async fn heartbeat(&self, job_id: &str, token: &str, lease_ms: i64) -> SourceResult<Fenced> {
        let body = LeaseBody {
            token: token.to_string(),
            lease_ms,
            ..Default::default()
        };
        self.fenced(&format!("/jobs/{job_id}/heartbeat"), &body)
            .await
    }

    async fn update_stages(
        &self,
        job_id: &str,
        token: &str,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced> {
        self.fenced(
            &format!("/jobs/{job_id}/stages"),
            &Self::lease_body(token, stages),
        )
        .await
    }

    async fn finish_stage(
        &self,
        job_id: &str,
        token: &str,
        analyzer: &str,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced> {
        let mut body = Self::lease_body(token, stages);
        body.analyzer = analyzer.to_string();
        self.fenced(&format!("/jobs/{job_id}/finish-stage"), &body)
            .await
    }

    async fn complete_job(
        &self,
        job_id: &str,
        token: &str,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced> {
        self.fenced(
            &format!("/jobs/{job_id}/complete"),
            &Self::lease_body(token, stages),
        )
        .await
    }

    async fn fail_job(
        &self,
        job_id: &str,
        token: &str,
        kind: FailureKind,
        error: &ErrorInfo,
        stages: &[StageStatus],
    ) -> SourceResult<Fenced> {
        let body = FailBody {
            token: token.to_string(),
            retry_after_ms: match kind {
                FailureKind::Retry { retry_after_ms } => Some(retry_after_ms),
                FailureKind::Abort => None,
            },
            error: error.clone(),
            stages: stages.to_vec(),
        };
        self.fenced(&format!("/jobs/{job_id}/fail"), &body).await
    }

    async fn release_job(&self, job_id: &str, token: &str) -> SourceResult<Fenced> {
        self.fenced(
            &format!("/jobs/{job_id}/release"),
            &Self::lease_body(token, &[]),
        )
        .await
    }

    async fn put_insight(&self, job: &Job, token: &str, insight: &Insight) -> SourceResult<Fenced> {
        let body = InsightBody {
            token: token.to_string(),
            insight: insight.clone(),
            key: insight.key.clone(),
        };
        self.fenced(&format!("/jobs/{}/insights", job.id), &body)
            .await
    }

    async fn media(&self, job: &Job, token: &str) -> SourceResult<(Media, LocalBlob)> {
        let q = [("token", token)];
        let media: Media = self
            .send(
                self.http
                    .get(self.url(&format!("/jobs/{}/media", job.id)))
                    .timeout(Duration::from_secs(60))
                    .query(&q),
            )
            .await?
            .json()
            .await
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        let r = self
            .send(
                self.http
                    .get(self.url(&format!("/jobs/{}/media/content", job.id)))
                    .query(&q),
            )
            .await?;
        let temp = tempfile::Builder::new()
            .prefix("media-")
            .tempfile_in(&self.downloads)
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        let (std_file, temp_path) = temp.into_parts();
        let mut file = tokio::fs::File::from_std(std_file);
        let mut stream = r.bytes_stream();
        let mut size = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| SourceError::Unavailable(e.to_string()))?;
            size += chunk.len() as u64;
            file.write_all(&chunk)
                .await
                .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        }
        file.flush()
            .await
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        if size != media.size as u64 {
            return Err(SourceError::Unavailable(format!(
                "media download cut short: {size} of {} bytes",
                media.size
            )));
        }
        Ok((media, LocalBlob::temporary(temp_path)))
    }

    async fn put_artifact(
        &self,
        job: &Job,
        token: &str,
        name: &str,
        file: &Path,
    ) -> SourceResult<String> {
        let f = tokio::fs::File::open(file)
            .await
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        let len = f
            .metadata()
            .await
            .map_err(|e| SourceError::Unavailable(e.to_string()))?
            .len();
        let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(f));
        let r = self
            .send(
                self.http
                    .put(self.url(&format!("/jobs/{}/artifacts/{name}", job.id)))
                    .query(&[("token", token)])
                    .header(reqwest::header::CONTENT_LENGTH, len)
                    .body(body),
            )
            .await?;
        let v: serde_json::Value = r
            .json()
            .await
            .map_err(|e| SourceError::Unavailable(e.to_string()))?;
        Ok(v["artifact"].as_str().unwrap_or_default().to_string())
    }

    async fn announce(&self, info: &aima_core::worker_api::WorkerInfo) -> SourceResult<()> {
        self.send(
            self.http
                .post(self.url("/announce"))
                .timeout(Duration::from_secs(30))
                .json(info),
        )
        .await
        .map(|_| ())
    }

    fn store(&self) -> Option<Arc<dyn Store>> {
        None
    }
}
