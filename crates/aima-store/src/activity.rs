//! Activity as ActivityWatch models it: buckets and their events. Writes go
//! through the group commit (`group_commit`); modes and their labels are in
//! `modes`.

use aima_core::{Bucket, Event, EventQuery, ModeLabel, NewBucket, StoredEvent};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::events::{
    event_from_row, push_activity_buckets, push_range, HeartbeatOutcome, EVENT_COLS,
};
use crate::group_commit::{Write, Written};
use crate::sql::{corrupt, now_ms, t, Arg, Dialect, Sql};
use crate::store::SqlStore;
use crate::workspaces::WorkspaceRepo;

/// Activity as ActivityWatch models it: buckets of events, per workspace.
#[async_trait]
pub trait ActivityRepo: Send + Sync {
    /// Creates the bucket; false if one with this id exists (left unchanged).
    async fn create_bucket(&self, workspace: &str, new: &NewBucket) -> Result<bool>;
    async fn get_bucket(&self, workspace: &str, id: &str) -> Result<Bucket>;
    async fn list_buckets(&self, workspace: &str) -> Result<Vec<Bucket>>;
    /// The type of a bucket of the workspace (`NotFound` if it has none of
    /// that id): what a write needs, without `get_bucket`'s scan of the
    /// bucket's events for its last update.
    async fn bucket_type(&self, workspace: &str, id: &str) -> Result<String>;
    /// Deletes the bucket and its events.
    async fn delete_bucket(&self, workspace: &str, id: &str) -> Result<()>;
    /// Inserts events into a bucket in one transaction (which concurrent
    /// activity writes may share), each with the mode predicted for it, if
    /// any. Returns their ids in order, once committed.
    async fn insert_events(
        &self,
        workspace: &str,
        bucket: &str,
        events: &[(Event, Option<ModeLabel>)],
    ) -> Result<Vec<i64>>;
    /// ActivityWatch's heartbeat: merges into the bucket's latest event
    /// (see `aima_core::activity::heartbeat_merge`) or inserts a new event.
    /// Heartbeats of one bucket are serialized; concurrent heartbeats and
    /// inserts share a transaction (group commit), and this returns once
    /// that transaction has committed.
    async fn heartbeat_event(
        &self,
        workspace: &str,
        bucket: &str,
        event: &Event,
        pulsetime: f64,
    ) -> Result<HeartbeatOutcome>;
    /// Events overlapping the query's range, newest first.
    async fn list_events(&self, workspace: &str, query: &EventQuery) -> Result<Vec<StoredEvent>>;
    async fn count_events(&self, workspace: &str, query: &EventQuery) -> Result<i64>;
    async fn get_event(&self, workspace: &str, bucket: &str, id: i64) -> Result<StoredEvent>;
    async fn delete_event(&self, workspace: &str, bucket: &str, id: i64) -> Result<()>;
    /// Events of activity buckets (window watchers, `/log_activity`,
    /// `aima watch`) overlapping a range, sorted by bucket then time, at
    /// most `limit` (the latest ones).
    async fn activity_events(
        &self,
        workspace: &str,
        start: Option<i64>,
        end: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredEvent>>;
    /// Activity events that begin in `[from, to)` (not those that only
    /// overlap it: a cheap, index-only read), the latest `limit`, sorted by
    /// bucket then time. The context of a prediction.
    async fn recent_activity(
        &self,
        workspace: &str,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>>;
}

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

const BUCKET_SELECT: &str = "SELECT b.id, b.btype, b.client, b.hostname, b.data, b.created_at, \
     (SELECT MAX(ts + CAST(duration * 1000 AS BIGINT)) FROM events e \
      WHERE e.workspace_id = b.workspace_id AND e.bucket_id = b.id) AS last_updated \
     FROM buckets b WHERE b.workspace_id = ";

#[async_trait]
impl ActivityRepo for SqlStore {
    async fn create_bucket(&self, workspace: &str, new: &NewBucket) -> Result<bool> {
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
        let mut tx = self.begin_write().await?;
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
            Dialect::Sqlite => self.submit_activity(write).await?,
            Dialect::Postgres => {
                crate::group_commit::alone(&self.pool, self.dialect, write).await?
            }
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
        match self.submit_activity(write).await? {
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
