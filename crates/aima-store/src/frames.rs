//! Frame vectors: the CLIP image embedding of each sampled frame, for
//! similar media. The `clip` analyzer emits a `labels` insight with an
//! `embedding`; `put_insight` moves the embedding into `frame_vectors`
//! (sqlite-vec's float32 blob on SQLite, a pgvector `vector` on
//! PostgreSQL) in the insight's transaction, so it leaves with its
//! insight. CLIP models differ in size, so vectors carry their dimension,
//! compare only with their own size, and are scanned exactly (an HNSW
//! index needs one size per column).

use aima_core::{Insight, Job};
use async_trait::async_trait;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::sql::{push_distance, t, vector_from_text, vector_text, Arg, Dialect, Fenced, Sql};
use crate::store::SqlStore;

/// Another media like the one asked about, at its most similar moment.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarMedia {
    pub media_id: String,
    /// Seconds into the media: the frame closest to the source.
    pub start: f64,
    /// Cosine similarity (0 to 1).
    pub score: f64,
}

/// Similar media by frame embeddings.
#[async_trait]
pub trait FrameRepo: Send + Sync {
    /// Other media of the workspace ranked by their frame closest to the
    /// media's frames (their mean), or to its frame nearest `at` seconds;
    /// at most `limit`, none of zero or negative similarity. `NotFound` for an unknown media; none when the
    /// media has no frame vectors.
    async fn similar_media(
        &self,
        workspace: &str,
        media_id: &str,
        at: Option<f64>,
        limit: u32,
    ) -> Result<Vec<SimilarMedia>>;
}

/// Reads a stored vector as text (`[x, y, ...]`) on each engine.
fn as_text(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "vec_to_json(fv.vector)",
        Dialect::Postgres => "CAST(fv.vector AS TEXT)",
    }
}

#[async_trait]
impl FrameRepo for SqlStore {
    async fn similar_media(
        &self,
        workspace: &str,
        media_id: &str,
        at: Option<f64>,
        limit: u32,
    ) -> Result<Vec<SimilarMedia>> {
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM media WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND id = ").bind(t(media_id));
        let n: i64 = q.query().fetch_one(&self.pool).await?.try_get("n")?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        // The source: the media's frames (or the one nearest `at`), of the
        // size most of them have.
        let mut q = Sql::new(&format!(
            "SELECT {} AS v FROM frame_vectors fv JOIN insights i ON i.id = fv.insight_id \
             WHERE fv.workspace_id = ",
            as_text(self.dialect)
        ));
        q.bind(t(workspace))
            .push(" AND fv.media_id = ")
            .bind(t(media_id))
            .push(" AND (i.review IS NULL OR i.review <> 'rejected')");
        if let Some(at) = at {
            q.push(" ORDER BY ABS(fv.start_s - ")
                .bind(Arg::Float(at))
                .push("), fv.start_s LIMIT 1");
        }
        let rows = q.query().fetch_all(&self.pool).await?;
        let vectors: Vec<Vec<f32>> = rows
            .iter()
            .filter_map(|r| serde_json::from_str(&r.try_get::<String, _>("v").ok()?).ok())
            .collect();
        let Some(first) = vectors.first() else {
            return Ok(vec![]);
        };
        let dims = first.len();
        let mut mean = vec![0f32; dims];
        for v in vectors.iter().filter(|v| v.len() == dims) {
            mean.iter_mut().zip(v).for_each(|(m, x)| *m += x);
        }
        aima_core::person::normalize(&mut mean);

        // Each other media's closest frame, then the closest media.
        let mut q = Sql::new(
            "SELECT media_id, start_s, dist FROM (SELECT media_id, start_s, dist, \
             ROW_NUMBER() OVER (PARTITION BY media_id ORDER BY dist, start_s) AS rn FROM \
             (SELECT fv.media_id, fv.start_s, ",
        );
        push_distance(&mut q, self.dialect, "fv.vector", &mean)
            .push(
                " AS dist FROM frame_vectors fv JOIN insights i ON i.id = fv.insight_id \
                 WHERE fv.workspace_id = ",
            )
            .bind(t(workspace))
            .push(" AND fv.media_id <> ")
            .bind(t(media_id))
            .push(" AND fv.dims = ")
            .bind(Arg::Int(dims as i64))
            .push(
                " AND (i.review IS NULL OR i.review <> 'rejected')) d) ranked \
                 WHERE rn = 1 AND dist < 1 ORDER BY dist, media_id LIMIT ",
            )
            .bind(Arg::Int(i64::from(limit)));
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let dist: f64 = r.try_get("dist")?;
                Ok(SimilarMedia {
                    media_id: r.try_get("media_id")?,
                    start: r.try_get("start_s")?,
                    score: ((1.0 - dist).clamp(0.0, 1.0) * 1e6).round() / 1e6,
                })
            })
            .collect()
    }
}

/// Saves a `labels` insight and its frame vector in one transaction.
pub(crate) async fn put_frame(
    store: &SqlStore,
    job: &Job,
    token: &str,
    insight: &Insight,
    vector: Vec<f32>,
) -> Result<Fenced> {
    let Some(media_id) = job.media_id.as_deref() else {
        return Err(StoreError::Conflict("a frame needs a media job".into()));
    };
    let mut tx = store.begin_write().await?;
    if store.insert_insight(&mut *tx, job, token, insight).await? == 0 {
        tx.rollback().await?;
        return store.nothing_written(job, token).await;
    }
    let (open, close) = vector_from_text(store.dialect);
    let mut q = Sql::new(
        "INSERT INTO frame_vectors (insight_id, workspace_id, media_id, start_s, dims, vector) \
         SELECT id, workspace_id, media_id, start_s, ",
    );
    q.bind(Arg::Int(vector.len() as i64))
        .push(&format!(", {open}"))
        .bind(t(&vector_text(&vector)))
        .push(&format!("{close} FROM insights WHERE job_id = "))
        .bind(t(&job.id))
        .push(" AND analyzer = ")
        .bind(t(&insight.analyzer))
        .push(" AND ikey = ")
        .bind(t(&insight.key))
        .push(" AND media_id = ")
        .bind(t(media_id));
    q.query().execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Fenced::Ok)
}
