//! SQL for activity (buckets, events) and modes (labels, model versions).

use aima_core::activity::{ACTIVITY_BUCKET_TYPES, MAX_DURATION_S};
use aima_core::{
    Bucket, Event, EventQuery, LabelSource, ModeInfo, ModeLabel, ModeModelInfo, NewBucket,
    StoredEvent,
};
use async_trait::async_trait;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::group_commit::{Write, Written};
use crate::sql::{corrupt, t, Arg, Dialect, Sql, SqlStore};
use crate::{now_ms, ActivityRepo, HeartbeatOutcome, ModeRepo, Result, StoreError};

/// The end of an event in milliseconds, in SQL both dialects read alike.
const END_MS: &str = "(ts + CAST(duration * 1000 AS BIGINT))";
pub(crate) const EVENT_COLS: &str =
    "id, bucket_id, ts, duration, data, mode, mode_source, mode_confidence, model_version";

fn bucket_from_row(row: &AnyRow) -> Result<Bucket> {
    let data: String = row.try_get("data")?;
    Ok(Bucket {
        id: row.try_get("id")?,
        btype: row.try_get("btype")?,
        client: row.try_get("client")?,
        hostname: row.try_get("hostname")?,
        created: row.try_get("created_at")?,
        data: serde_json::from_str(&data).map_err(|e| corrupt("bucket data", e))?,
        last_updated: row.try_get("last_updated")?,
    })
}

pub(crate) fn event_from_row(row: &AnyRow) -> Result<StoredEvent> {
    let data: String = row.try_get("data")?;
    let data: Map<String, Value> =
        serde_json::from_str(&data).map_err(|e| corrupt("event data", e))?;
    let mode: Option<String> = row.try_get("mode")?;
    let source: Option<String> = row.try_get("mode_source")?;
    let mode = match (mode, source) {
        (Some(mode), Some(source)) => Some(ModeLabel {
            mode,
            source: LabelSource::parse(&source).ok_or_else(|| corrupt("label source", &source))?,
            confidence: row.try_get("mode_confidence")?,
            model_version: row.try_get("model_version")?,
        }),
        _ => None,
    };
    Ok(StoredEvent {
        id: row.try_get("id")?,
        bucket: row.try_get("bucket_id")?,
        timestamp: row.try_get("ts")?,
        duration: row.try_get("duration")?,
        data,
        mode,
    })
}

fn data_json(data: &Map<String, Value>) -> Result<String> {
    serde_json::to_string(data).map_err(|e| corrupt("event data", e))
}

/// Appends the values `mode, source, confidence, version`.
fn push_label(q: &mut Sql, label: &Option<ModeLabel>) {
    let l = label.as_ref();
    q.bind(Arg::OptText(l.map(|l| l.mode.clone())))
        .push(", ")
        .bind(Arg::OptText(l.map(|l| l.source.as_str().to_string())))
        .push(", ")
        .bind(Arg::OptFloat(l.and_then(|l| l.confidence)))
        .push(", ")
        .bind(Arg::OptInt(l.and_then(|l| l.model_version)));
}

pub(crate) fn insert_event_sql(
    workspace: &str,
    bucket: &str,
    e: &Event,
    label: &Option<ModeLabel>,
) -> Result<Sql> {
    let mut q = Sql::new(
        "INSERT INTO events (workspace_id, bucket_id, ts, duration, data, mode, mode_source, \
         mode_confidence, model_version) VALUES (",
    );
    q.bind(t(workspace))
        .push(", ")
        .bind(t(bucket))
        .push(", ")
        .bind(Arg::Int(e.timestamp))
        .push(", ")
        .bind(Arg::Float(e.duration))
        .push(", ")
        .bind(t(&data_json(&e.data)?))
        .push(", ");
    push_label(&mut q, label);
    q.push(") RETURNING id");
    Ok(q)
}

/// Adds the activity-bucket condition (`bucket_id IN (activity buckets)`).
fn push_activity_buckets(q: &mut Sql, workspace: &str) {
    q.push(" AND bucket_id IN (SELECT id FROM buckets WHERE workspace_id = ")
        .bind(t(workspace))
        .push(" AND btype IN (");
    for (i, ty) in ACTIVITY_BUCKET_TYPES.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(t(ty));
    }
    q.push("))");
}

/// Events overlapping the half-open range `[start, end)`: they begin before
/// `end` and end after `start` (a point event counts if it lies inside).
fn push_range(q: &mut Sql, start: Option<i64>, end: Option<i64>) {
    if let Some(start) = start {
        // No event lasts longer than MAX_DURATION_S (validated on the way
        // in): this bound lets the (workspace_id, ts) index skip older rows.
        q.push(" AND ts >= ").bind(Arg::Int(
            start.saturating_sub((MAX_DURATION_S * 1000.0) as i64),
        ));
        q.push(&format!(" AND ({END_MS} > "))
            .bind(Arg::Int(start))
            .push(" OR ts >= ")
            .bind(Arg::Int(start))
            .push(")");
    }
    if let Some(end) = end {
        q.push(" AND ts < ").bind(Arg::Int(end));
    }
}

const BUCKET_SELECT: &str = "SELECT b.id, b.btype, b.client, b.hostname, b.data, b.created_at, \
     (SELECT MAX(ts + CAST(duration * 1000 AS BIGINT)) FROM events e \
      WHERE e.workspace_id = b.workspace_id AND e.bucket_id = b.id) AS last_updated \
     FROM buckets b WHERE b.workspace_id = ";

#[async_trait]
impl ActivityRepo for SqlStore {
    async fn create_bucket(&self, workspace: &str, new: &NewBucket) -> Result<bool> {
        use crate::WorkspaceRepo;
        self.ensure_workspace(workspace).await?;
        let data = serde_json::to_string(&new.data).map_err(|e| corrupt("bucket data", e))?;
        let mut q = Sql::new(
            "INSERT INTO buckets (workspace_id, id, btype, client, hostname, data, created_at) \
             VALUES (",
        );
        q.bind(t(workspace))
            .push(", ")
            .bind(t(&new.id))
            .push(", ")
            .bind(t(&new.btype))
            .push(", ")
            .bind(t(&new.client))
            .push(", ")
            .bind(t(&new.hostname))
            .push(", ")
            .bind(t(&data))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(") ON CONFLICT (workspace_id, id) DO NOTHING");
        Ok(q.query().execute(&self.pool).await?.rows_affected() > 0)
    }

    async fn get_bucket(&self, workspace: &str, id: &str) -> Result<Bucket> {
        let mut q = Sql::new(BUCKET_SELECT);
        q.bind(t(workspace)).push(" AND b.id = ").bind(t(id));
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => bucket_from_row(&row),
            None => Err(StoreError::NotFound),
        }
    }

    async fn bucket_type(&self, workspace: &str, id: &str) -> Result<String> {
        let mut q = Sql::new("SELECT btype FROM buckets WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => Ok(row.try_get("btype")?),
            None => Err(StoreError::NotFound),
        }
    }

    async fn list_buckets(&self, workspace: &str) -> Result<Vec<Bucket>> {
        let mut q = Sql::new(BUCKET_SELECT);
        q.bind(t(workspace)).push(" ORDER BY b.id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(bucket_from_row)
            .collect()
    }

    async fn delete_bucket(&self, workspace: &str, id: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let mut q = Sql::new("DELETE FROM events WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND bucket_id = ").bind(t(id));
        q.query().execute(&mut *tx).await?;
        let mut q = Sql::new("DELETE FROM buckets WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        let n = q.query().execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn insert_events(
        &self,
        workspace: &str,
        bucket: &str,
        events: &[(Event, Option<ModeLabel>)],
    ) -> Result<Vec<i64>> {
        let write = Write::Insert {
            workspace: workspace.to_string(),
            bucket: bucket.to_string(),
            events: events.to_vec(),
        };
        // SQLite has one writer: inserts gain from sharing a commit.
        // PostgreSQL commits inserts into different buckets side by side.
        let written = match self.dialect {
            Dialect::Sqlite => self.activity_writes.submit(&self.pool, write).await?,
            Dialect::Postgres => crate::group_commit::alone(&self.pool, write).await?,
        };
        match written {
            Written::Inserted(ids) => Ok(ids),
            Written::Heartbeat(_) => Err(corrupt("activity write", "a heartbeat's answer")),
        }
    }

    async fn heartbeat_event(
        &self,
        workspace: &str,
        bucket: &str,
        event: &Event,
        pulsetime: f64,
    ) -> Result<HeartbeatOutcome> {
        let write = Write::Heartbeat {
            workspace: workspace.to_string(),
            bucket: bucket.to_string(),
            event: event.clone(),
            pulsetime,
        };
        match self.activity_writes.submit(&self.pool, write).await? {
            Written::Heartbeat(outcome) => Ok(outcome),
            Written::Inserted(_) => Err(corrupt("activity write", "an insert's answer")),
        }
    }

    async fn list_events(&self, workspace: &str, query: &EventQuery) -> Result<Vec<StoredEvent>> {
        let mut q = Sql::new(&format!(
            "SELECT {EVENT_COLS} FROM events WHERE workspace_id = "
        ));
        q.bind(t(workspace));
        if let Some(b) = &query.bucket {
            q.push(" AND bucket_id = ").bind(t(b));
        }
        push_range(&mut q, query.start, query.end);
        if let Some((ts, id)) = query.before {
            q.push(" AND (ts < ")
                .bind(Arg::Int(ts))
                .push(" OR (ts = ")
                .bind(Arg::Int(ts))
                .push(" AND id < ")
                .bind(Arg::Int(id))
                .push("))");
        }
        q.push(" ORDER BY ts DESC, id DESC");
        if let Some(limit) = query.limit.filter(|l| *l >= 0) {
            q.push(" LIMIT ").bind(Arg::Int(limit));
        }
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(event_from_row)
            .collect()
    }

    async fn count_events(&self, workspace: &str, query: &EventQuery) -> Result<i64> {
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM events WHERE workspace_id = ");
        q.bind(t(workspace));
        if let Some(b) = &query.bucket {
            q.push(" AND bucket_id = ").bind(t(b));
        }
        push_range(&mut q, query.start, query.end);
        Ok(q.query().fetch_one(&self.pool).await?.try_get("n")?)
    }

    async fn get_event(&self, workspace: &str, bucket: &str, id: i64) -> Result<StoredEvent> {
        let mut q = Sql::new(&format!(
            "SELECT {EVENT_COLS} FROM events WHERE workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND bucket_id = ")
            .bind(t(bucket))
            .push(" AND id = ")
            .bind(Arg::Int(id));
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => event_from_row(&row),
            None => Err(StoreError::NotFound),
        }
    }

    async fn delete_event(&self, workspace: &str, bucket: &str, id: i64) -> Result<()> {
        let mut q = Sql::new("DELETE FROM events WHERE workspace_id = ");
        q.bind(t(workspace))
            .push(" AND bucket_id = ")
            .bind(t(bucket))
            .push(" AND id = ")
            .bind(Arg::Int(id));
        if q.query().execute(&self.pool).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn activity_events(
        &self,
        workspace: &str,
        start: Option<i64>,
        end: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredEvent>> {
        let mut q = Sql::new(&format!(
            "SELECT {EVENT_COLS} FROM events WHERE workspace_id = "
        ));
        q.bind(t(workspace));
        push_activity_buckets(&mut q, workspace);
        push_range(&mut q, start, end);
        latest_by_bucket(&self.pool, q, limit).await
    }

    async fn recent_activity(
        &self,
        workspace: &str,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>> {
        let mut q = Sql::new(&format!(
            "SELECT {EVENT_COLS} FROM events WHERE workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND ts >= ")
            .bind(Arg::Int(from))
            .push(" AND ts < ")
            .bind(Arg::Int(to));
        push_activity_buckets(&mut q, workspace);
        latest_by_bucket(&self.pool, q, limit).await
    }
}

/// Runs `q` for the latest `limit` events, then sorts them by bucket and time.
async fn latest_by_bucket(
    pool: &sqlx::AnyPool,
    mut q: Sql,
    limit: i64,
) -> Result<Vec<StoredEvent>> {
    q.push(" ORDER BY ts DESC, id DESC LIMIT ")
        .bind(Arg::Int(limit.max(0)));
    let mut events = q
        .query()
        .fetch_all(pool)
        .await?
        .iter()
        .map(event_from_row)
        .collect::<Result<Vec<_>>>()?;
    events.sort_by(|a, b| {
        (a.bucket.as_str(), a.timestamp, a.id).cmp(&(b.bucket.as_str(), b.timestamp, b.id))
    });
    Ok(events)
}

fn model_info_from_row(row: &AnyRow) -> Result<ModeModelInfo> {
    let metrics: String = row.try_get("metrics")?;
    let active: i64 = row.try_get("active")?;
    Ok(ModeModelInfo {
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        job_id: row.try_get("job_id")?,
        algorithm: row.try_get("algorithm")?,
        active: active != 0,
        metrics: serde_json::from_str(&metrics).map_err(|e| corrupt("model metrics", e))?,
    })
}

const MODEL_INFO_COLS: &str = "version, created_at, job_id, algorithm, active, metrics";

#[async_trait]
impl ModeRepo for SqlStore {
    async fn create_mode(&self, workspace: &str, name: &str) -> Result<ModeInfo> {
        use crate::WorkspaceRepo;
        self.ensure_workspace(workspace).await?;
        let now = now_ms();
        let mut q = Sql::new("INSERT INTO modes (workspace_id, name, created_at) VALUES (");
        q.bind(t(workspace))
            .push(", ")
            .bind(t(name))
            .push(", ")
            .bind(Arg::Int(now))
            .push(") ON CONFLICT (workspace_id, name) DO NOTHING");
        if q.query().execute(&self.pool).await?.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("mode {name:?} exists")));
        }
        Ok(ModeInfo {
            name: name.to_string(),
            created_at: now,
            labelled_events: 0,
        })
    }

    async fn list_modes(&self, workspace: &str) -> Result<Vec<ModeInfo>> {
        let mut q = Sql::new(
            "SELECT m.name, m.created_at, (SELECT COUNT(*) FROM events e \
             WHERE e.workspace_id = m.workspace_id AND e.mode = m.name \
             AND e.mode_source = 'user') AS n FROM modes m WHERE m.workspace_id = ",
        );
        q.bind(t(workspace)).push(" ORDER BY m.name");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(ModeInfo {
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                    labelled_events: row.try_get("n")?,
                })
            })
            .collect()
    }

    async fn delete_mode(&self, workspace: &str, name: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let mut q = Sql::new("DELETE FROM modes WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND name = ").bind(t(name));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let mut q = Sql::new(
            "UPDATE events SET mode = NULL, mode_source = NULL, mode_confidence = NULL, \
             model_version = NULL WHERE workspace_id = ",
        );
        q.bind(t(workspace)).push(" AND mode = ").bind(t(name));
        q.query().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn label_events(
        &self,
        workspace: &str,
        mode: &str,
        range: Option<(i64, i64)>,
        event_ids: &[i64],
    ) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        // A write first (see group_commit::lock_buckets): it also checks the mode exists
        // and keeps it from being deleted until the labels are in.
        let mut q = Sql::new("UPDATE modes SET created_at = created_at WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND name = ").bind(t(mode));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let mut total = 0i64;
        let mut base = Sql::new("UPDATE events SET mode = ");
        base.bind(t(mode))
            .push(", mode_source = 'user', mode_confidence = NULL, model_version = NULL WHERE workspace_id = ")
            .bind(t(workspace));
        push_activity_buckets(&mut base, workspace);
        if let Some((start, end)) = range {
            let mut q = base.clone();
            push_range(&mut q, Some(start), Some(end));
            total += q.query().execute(&mut *tx).await?.rows_affected() as i64;
        }
        for chunk in event_ids.chunks(500) {
            let mut q = base.clone();
            q.push(" AND id IN (");
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(Arg::Int(*id));
            }
            q.push(")");
            let n = q.query().execute(&mut *tx).await?.rows_affected() as i64;
            if n < chunk.len() as i64 {
                // Some id is not an activity event of this workspace: label nothing.
                return Err(StoreError::Conflict(format!(
                    "{} of the listed events are not activity events of this workspace",
                    chunk.len() as i64 - n
                )));
            }
            total += n;
        }
        tx.commit().await?;
        Ok(total)
    }

    async fn set_predictions(&self, workspace: &str, labels: &[(i64, ModeLabel)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (id, label) in labels {
            let mut q = Sql::new(
                "UPDATE events SET (mode, mode_source, mode_confidence, model_version) = (",
            );
            push_label(&mut q, &Some(label.clone()));
            q.push(") WHERE workspace_id = ")
                .bind(t(workspace))
                .push(" AND id = ")
                .bind(Arg::Int(*id))
                .push(" AND (mode_source IS NULL OR mode_source = 'model')");
            q.query().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn save_mode_model(
        &self,
        job_id: &str,
        token: &str,
        algorithm: &str,
        metrics: &Value,
        model: &str,
    ) -> Result<Option<i64>> {
        let metrics = serde_json::to_string(metrics).map_err(|e| corrupt("model metrics", e))?;
        let mut tx = self.pool.begin().await?;
        // Lock the job row under the lease (a write first, as in group_commit::lock_buckets).
        let mut q = Sql::new("UPDATE jobs SET updated_at = ");
        q.bind(Arg::Int(now_ms())).fence(job_id, token);
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(None);
        }
        let mut q = Sql::new("SELECT workspace_id FROM jobs WHERE id = ");
        q.bind(t(job_id));
        let workspace: String = q
            .query()
            .fetch_one(&mut *tx)
            .await?
            .try_get("workspace_id")?;
        let mut q = Sql::new(
            "SELECT COALESCE(MAX(version), 0) AS v FROM mode_models WHERE workspace_id = ",
        );
        q.bind(t(&workspace));
        let version: i64 = q
            .query()
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("v")?
            + 1;
        let mut q = Sql::new("UPDATE mode_models SET active = 0 WHERE workspace_id = ");
        q.bind(t(&workspace));
        q.query().execute(&mut *tx).await?;
        let mut q = Sql::new(
            "INSERT INTO mode_models (workspace_id, version, job_id, algorithm, metrics, model, \
             active, created_at) VALUES (",
        );
        q.bind(t(&workspace))
            .push(", ")
            .bind(Arg::Int(version))
            .push(", ")
            .bind(t(job_id))
            .push(", ")
            .bind(t(algorithm))
            .push(", ")
            .bind(t(&metrics))
            .push(", ")
            .bind(t(model))
            .push(", 1, ")
            .bind(Arg::Int(now_ms()))
            .push(")");
        q.query().execute(&mut *tx).await?;
        let data = serde_json::json!({
            "resource": {"type": "mode_model", "id": version.to_string()},
            "mode_model": {"version": version, "algorithm": algorithm, "job_id": job_id, "metrics": serde_json::from_str::<Value>(&metrics).unwrap_or(Value::Null)},
        });
        crate::team::queue_event(&mut tx, &workspace, "mode_model.trained", data).await?;
        tx.commit().await?;
        Ok(Some(version))
    }

    async fn list_mode_models(&self, workspace: &str) -> Result<Vec<ModeModelInfo>> {
        let mut q = Sql::new(&format!(
            "SELECT {MODEL_INFO_COLS} FROM mode_models WHERE workspace_id = "
        ));
        q.bind(t(workspace)).push(" ORDER BY version DESC");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(model_info_from_row)
            .collect()
    }

    async fn get_mode_model(
        &self,
        workspace: &str,
        version: Option<i64>,
    ) -> Result<(ModeModelInfo, String)> {
        let mut q = Sql::new(&format!(
            "SELECT {MODEL_INFO_COLS}, model FROM mode_models WHERE workspace_id = "
        ));
        q.bind(t(workspace));
        match version {
            Some(v) => q.push(" AND version = ").bind(Arg::Int(v)),
            None => q.push(" AND active = 1"),
        };
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => Ok((model_info_from_row(&row)?, row.try_get("model")?)),
            None => Err(StoreError::NotFound),
        }
    }

    async fn active_mode_version(&self, workspace: &str) -> Result<Option<i64>> {
        let mut q = Sql::new("SELECT version FROM mode_models WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND active = 1");
        Ok(match q.query().fetch_optional(&self.pool).await? {
            Some(row) => Some(row.try_get("version")?),
            None => None,
        })
    }

    async fn activate_mode_model(&self, workspace: &str, version: i64) -> Result<ModeModelInfo> {
        let mut tx = self.pool.begin().await?;
        let mut q = Sql::new("UPDATE mode_models SET active = CASE WHEN version = ");
        q.bind(Arg::Int(version))
            .push(" THEN 1 ELSE 0 END WHERE workspace_id = ")
            .bind(t(workspace))
            .push(" AND EXISTS (SELECT 1 FROM mode_models m WHERE m.workspace_id = ")
            .bind(t(workspace))
            .push(" AND m.version = ")
            .bind(Arg::Int(version))
            .push(")");
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        let (info, _) = self.get_mode_model(workspace, Some(version)).await?;
        Ok(info)
    }
}

#[async_trait]
impl crate::WorkerTokenRepo for SqlStore {
    async fn create_worker_token(
        &self,
        name: &str,
        workspaces: &[String],
        token_hash: &str,
    ) -> Result<String> {
        let id = uuid::Uuid::now_v7().to_string();
        let ws = serde_json::to_string(workspaces).map_err(|e| corrupt("workspaces", e))?;
        let mut q = Sql::new(
            "INSERT INTO worker_tokens (id, name, token_hash, workspaces, created_at) VALUES (",
        );
        q.bind(t(&id))
            .push(", ")
            .bind(t(name))
            .push(", ")
            .bind(t(token_hash))
            .push(", ")
            .bind(t(&ws))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(") ON CONFLICT (name) DO NOTHING");
        if q.query().execute(&self.pool).await?.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "a worker token named {name:?} exists"
            )));
        }
        Ok(id)
    }

    async fn worker_grant(&self, token_hash: &str) -> Result<Option<crate::WorkerGrant>> {
        let mut q = Sql::new("SELECT id, name, workspaces FROM worker_tokens WHERE token_hash = ");
        q.bind(t(token_hash)).push(" AND revoked_at IS NULL");
        let Some(row) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let ws: String = row.try_get("workspaces")?;
        Ok(Some(crate::WorkerGrant {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            workspaces: serde_json::from_str(&ws).map_err(|e| corrupt("workspaces", e))?,
        }))
    }

    async fn announce_worker(&self, info: &aima_core::worker_api::WorkerInfo) -> Result<()> {
        let js = |v: &Vec<String>| serde_json::to_string(v).map_err(|e| corrupt("worker", e));
        let mut q = Sql::new(
            "INSERT INTO workers (name, capabilities, analyzers, models, last_seen) VALUES (",
        );
        q.bind(t(&info.name))
            .push(", ")
            .bind(t(&js(&info.capabilities)?))
            .push(", ")
            .bind(t(&js(&info.analyzers)?))
            .push(", ")
            .bind(t(&js(&info.models)?))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(
                ") ON CONFLICT (name) DO UPDATE SET capabilities = excluded.capabilities, \
                 analyzers = excluded.analyzers, models = excluded.models, \
                 last_seen = excluded.last_seen",
            );
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    async fn list_workers(&self, since_ms: i64) -> Result<Vec<aima_core::worker_api::WorkerSeen>> {
        let mut q = Sql::new(
            "SELECT name, capabilities, analyzers, models, last_seen FROM workers WHERE last_seen >= ",
        );
        q.bind(Arg::Int(since_ms))
            .push(" ORDER BY last_seen DESC, name");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let list = |col: &str| -> Result<Vec<String>> {
                    let s: String = r.try_get(col)?;
                    serde_json::from_str(&s).map_err(|e| corrupt("worker", e))
                };
                Ok(aima_core::worker_api::WorkerSeen {
                    info: aima_core::worker_api::WorkerInfo {
                        name: r.try_get("name")?,
                        capabilities: list("capabilities")?,
                        analyzers: list("analyzers")?,
                        models: list("models")?,
                    },
                    last_seen: r.try_get("last_seen")?,
                })
            })
            .collect()
    }

    async fn revoke_worker_token(&self, id_or_name: &str) -> Result<()> {
        let mut q = Sql::new("UPDATE worker_tokens SET revoked_at = ");
        q.bind(Arg::Int(now_ms()))
            .push(" WHERE revoked_at IS NULL AND (id = ")
            .bind(t(id_or_name))
            .push(" OR name = ")
            .bind(t(id_or_name))
            .push(")");
        if q.query().execute(&self.pool).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
