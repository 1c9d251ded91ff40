//! Insight rows, shared by the repositories that write or read them
//! (insights, persons, frames): columns, row reader, the insert made under a
//! job's lease, and the split of an insight that carries an embedding.

use aima_core::{Insight, Job, StoredInsight};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::Result;
use crate::sql::{corrupt, fenced, now_ms, t, Arg, Fenced, Sql};
use crate::store::SqlStore;

pub(crate) const INSIGHT_COLS: &str =
    "id, media_id, job_id, analyzer, kind, ikey, start_s, end_s, data, artifact, review";

pub(crate) fn insight_from_row(row: &AnyRow) -> Result<StoredInsight> {
    let data: String = row.try_get("data")?;
    let review: Option<String> = row.try_get("review")?;
    Ok(StoredInsight {
        review: review.as_deref().and_then(aima_core::Review::parse),
        id: row.try_get("id")?,
        media_id: row.try_get("media_id")?,
        job_id: row.try_get("job_id")?,
        insight: Insight {
            analyzer: row.try_get("analyzer")?,
            kind: row.try_get("kind")?,
            start: row.try_get("start_s")?,
            end: row.try_get("end_s")?,
            data: serde_json::from_str(&data).map_err(|e| corrupt("insight data", e))?,
            artifact: row.try_get("artifact")?,
            key: row.try_get("ikey")?,
        },
    })
}

impl SqlStore {
    /// What an insert of an insight that wrote nothing means: its key was
    /// already saved for this job (fine: insights are idempotent), or the
    /// lease is gone.
    pub(crate) async fn nothing_written(&self, job: &Job, token: &str) -> Result<Fenced> {
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM jobs");
        q.fence(&job.id, token);
        let held: i64 = q.query().fetch_one(&self.pool).await?.try_get("n")?;
        Ok(fenced(held as u64))
    }

    /// Writes an insight if the lease is held and its key is new; the number
    /// of rows written.
    pub(crate) async fn insert_insight<'e, E>(
        &self,
        exec: E,
        job: &Job,
        token: &str,
        insight: &Insight,
    ) -> Result<u64>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let data = serde_json::to_string(&insight.data).map_err(|e| corrupt("insight data", e))?;
        // INSERT ... SELECT ... WHERE: the insight is written only while the
        // lease is held, in the same statement that checks it. (SQLite needs
        // the WHERE for the upsert clause to parse after a SELECT.)
        let mut q = Sql::new(
            "INSERT INTO insights (workspace_id, media_id, job_id, analyzer, kind, ikey, start_s, \
             end_s, data, artifact, created_at) SELECT workspace_id, media_id, id, ",
        );
        q.bind(t(&insight.analyzer))
            .push(", ")
            .bind(t(&insight.kind))
            .push(", ")
            .bind(t(&insight.key))
            .push(", ")
            .bind(Arg::Float(insight.start))
            .push(", ")
            .bind(Arg::OptFloat(insight.end))
            .push(", ")
            .bind(t(&data))
            .push(", ")
            .bind(Arg::OptText(insight.artifact.clone()))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(" FROM jobs")
            .fence(&job.id, token)
            .push(" ON CONFLICT (job_id, analyzer, ikey) DO NOTHING");
        Ok(q.query().execute(exec).await?.rows_affected())
    }
}

/// The most dimensions an embedding may have (a bound on stored size).
const MAX_DIMS: usize = 4096;

/// A `face` insight with an `embedding` array: the insight without it, and
/// the embedding (unit length). Anything else is stored as a plain insight.
pub(crate) fn face_parts(insight: &Insight) -> Option<(Insight, Vec<f32>)> {
    embedding_parts(insight, "face")
}

/// An insight of `kind` with an `embedding` array (at most [`MAX_DIMS`]
/// finite numbers): the insight without it, and the embedding at unit
/// length.
pub(crate) fn embedding_parts(insight: &Insight, kind: &str) -> Option<(Insight, Vec<f32>)> {
    if insight.kind != kind {
        return None;
    }
    let values = insight.data.get("embedding")?.as_array()?;
    if values.is_empty() || values.len() > MAX_DIMS {
        return None;
    }
    let mut e: Vec<f32> = values
        .iter()
        .map(|v| v.as_f64().map(|f| f as f32))
        .collect::<Option<_>>()?;
    if e.iter().any(|v| !v.is_finite()) {
        return None;
    }
    aima_core::person::normalize(&mut e);
    let mut stripped = insight.clone();
    if let Some(map) = stripped.data.as_object_mut() {
        map.remove("embedding");
    }
    Some((stripped, e))
}
