//! The insight repository: a job's results, written under its lease. A face
//! insight with an embedding goes to the persons repository, a labels
//! insight with one to the frames repository, each in one transaction.

use aima_core::{Insight, InsightFilter, Job, StoredInsight};
use async_trait::async_trait;
use sqlx::Row;

use crate::error::Result;
use crate::insight_rows::{insight_from_row, INSIGHT_COLS};
use crate::sql::{t, Arg, Fenced, Sql};
use crate::store::SqlStore;

#[async_trait]
pub trait InsightRepo: Send + Sync {
    /// Saves an insight under a lease; a key already saved for this job and
    /// analyzer is kept as it is.
    async fn put_insight(&self, job: &Job, token: &str, insight: &Insight) -> Result<Fenced>;
    async fn list_insights(
        &self,
        workspace: &str,
        media_id: &str,
        filter: &InsightFilter,
    ) -> Result<Vec<StoredInsight>>;
    /// Whether this media has an insight with this artifact name.
    async fn artifact_exists(
        &self,
        workspace: &str,
        media_id: &str,
        artifact: &str,
    ) -> Result<bool>;
}

#[async_trait]
impl InsightRepo for SqlStore {
    async fn put_insight(&self, job: &Job, token: &str, insight: &Insight) -> Result<Fenced> {
        if let Some((insight, embedding)) = crate::insight_rows::face_parts(insight) {
            return crate::persons::put_face(self, job, token, &insight, embedding).await;
        }
        if let Some((insight, vector)) = crate::insight_rows::embedding_parts(insight, "labels") {
            return crate::frames::put_frame(self, job, token, &insight, vector).await;
        }
        let n = self.insert_insight(&self.pool, job, token, insight).await?;
        if n > 0 {
            return Ok(Fenced::Ok);
        }
        self.nothing_written(job, token).await
    }

    async fn list_insights(
        &self,
        workspace: &str,
        media_id: &str,
        filter: &InsightFilter,
    ) -> Result<Vec<StoredInsight>> {
        let mut q = Sql::new(&format!(
            "SELECT {INSIGHT_COLS} FROM insights WHERE workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND media_id = ")
            .bind(t(media_id));
        if let Some(a) = &filter.analyzer {
            q.push(" AND analyzer = ").bind(t(a));
        }
        if let Some(k) = &filter.kind {
            q.push(" AND kind = ").bind(t(k));
        }
        if !filter.include_rejected {
            q.push(" AND (review IS NULL OR review <> 'rejected')");
        }
        if let Some(from) = filter.from {
            q.push(" AND COALESCE(end_s, start_s) >= ")
                .bind(Arg::Float(from));
        }
        if let Some(to) = filter.to {
            q.push(" AND start_s <= ").bind(Arg::Float(to));
        }
        q.push(" ORDER BY start_s, analyzer, id");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(insight_from_row).collect()
    }

    async fn artifact_exists(
        &self,
        workspace: &str,
        media_id: &str,
        artifact: &str,
    ) -> Result<bool> {
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM insights WHERE workspace_id = ");
        q.bind(t(workspace))
            .push(" AND media_id = ")
            .bind(t(media_id))
            .push(" AND artifact = ")
            .bind(t(artifact));
        let n: i64 = q.query().fetch_one(&self.pool).await?.try_get("n")?;
        Ok(n > 0)
    }
}
