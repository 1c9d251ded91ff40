//! What the provisioner (`aima-autoscale`) keeps in the database: the demand
//! for a capability (the `aima_capability_demand` view, which KEDA's scaler
//! reads too), the workers it started, the lease that lets one server of
//! many act, and the fallback that hands a capability's waiting jobs to any
//! worker. Each start and end of a worker queues its webhook event in the
//! transaction that records it.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::sql::{corrupt, now_ms, t, Arg, Sql};
use crate::store::SqlStore;

/// Jobs whose next stage needs one capability.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Demand {
    /// Waiting to be claimed (due now or waiting for a retry).
    pub queued: i64,
    pub running: i64,
    /// Unix milliseconds since which the longest-waiting job has waited.
    pub oldest_queued_at: Option<i64>,
}

/// A worker the provisioner started, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Provisioned {
    /// Also the name the worker announces itself with.
    pub id: String,
    pub pool: String,
    pub capability: String,
    pub provider: String,
    /// What the provider calls it: a process id, a machine's id.
    pub provider_ref: Option<String>,
    pub token_id: String,
    /// `starting` (asked of the provider), `running`, `stopped`, `failed`.
    pub state: String,
    pub started_at: i64,
    pub connected_at: Option<i64>,
    pub stopped_at: Option<i64>,
    pub reason: Option<String>,
    /// When its worker last announced itself: with its token (over HTTP),
    /// or by its name (a worker on the database, `aima worker --name`).
    pub last_seen: Option<i64>,
}

/// What the provisioner records before it asks a provider for a worker.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProvisioned {
    pub id: String,
    pub pool: String,
    pub capability: String,
    pub provider: String,
    pub token_id: String,
}

/// How a provisioned worker ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerEnd {
    /// Stopped when idle, or found gone.
    Stopped,
    /// The start failed, or the worker never connected: `provision.failed`.
    Failed,
}

#[async_trait]
pub trait AutoscaleRepo: Send + Sync {
    /// The demand for `capability` now.
    async fn capability_demand(&self, capability: &str) -> Result<Demand>;
    /// Takes or renews the lease `name` for `owner` for `ttl_ms`; false if
    /// another owner holds it and it has not expired.
    async fn hold_lease(&self, name: &str, owner: &str, ttl_ms: i64) -> Result<bool>;
    /// Gives the lease up (a server shutting down), if `owner` holds it.
    async fn drop_lease(&self, name: &str, owner: &str) -> Result<()>;
    /// Records a worker about to be started (`starting`).
    async fn insert_provisioned(&self, new: &NewProvisioned) -> Result<()>;
    /// The provider started it: `running`, with what the provider calls it;
    /// queues `worker.started` for the workspaces in `notify`.
    async fn provisioned_running(
        &self,
        id: &str,
        provider_ref: &str,
        notify: &[String],
        data: serde_json::Value,
    ) -> Result<()>;
    /// Its worker announced itself: `connected_at` (once).
    async fn provisioned_connected(&self, id: &str) -> Result<()>;
    /// It ended; queues `worker.stopped` (a worker that was running) and,
    /// for a failure, `provision.failed`. False if it had ended already.
    async fn provisioned_ended(
        &self,
        id: &str,
        end: WorkerEnd,
        reason: &str,
        notify: &[String],
        data: serde_json::Value,
    ) -> Result<bool>;
    /// Workers not ended (`starting` or `running`), of one pool or all,
    /// oldest first, each with when its worker was last heard from.
    async fn live_provisioned(&self, pool: Option<&str>) -> Result<Vec<Provisioned>>;
    /// Every provisioned worker started since `since_ms`, newest first (at
    /// most `limit`).
    async fn recent_provisioned(&self, since_ms: i64, limit: i64) -> Result<Vec<Provisioned>>;
    /// Lets any worker run the waiting jobs whose next stage requires
    /// `capability` (the fallback when no worker with it can be started):
    /// their unfinished stages no longer require it. The number of jobs.
    async fn drop_requirement(&self, capability: &str) -> Result<u64>;
}

const COLS: &str = "p.id, p.pool, p.capability, p.provider, p.provider_ref, p.token_id, \
    p.state, p.started_at, p.connected_at, p.stopped_at, p.reason, \
    (SELECT MAX(w.last_seen) FROM workers w WHERE w.token_id = p.token_id OR w.name = p.id) \
    AS last_seen";

fn provisioned_from_row(r: &AnyRow) -> Result<Provisioned> {
    Ok(Provisioned {
        id: r.try_get("id")?,
        pool: r.try_get("pool")?,
        capability: r.try_get("capability")?,
        provider: r.try_get("provider")?,
        provider_ref: r.try_get("provider_ref")?,
        token_id: r.try_get("token_id")?,
        state: r.try_get("state")?,
        started_at: r.try_get("started_at")?,
        connected_at: r.try_get("connected_at")?,
        stopped_at: r.try_get("stopped_at")?,
        reason: r.try_get("reason")?,
        last_seen: r.try_get("last_seen")?,
    })
}

#[async_trait]
impl AutoscaleRepo for SqlStore {
    async fn capability_demand(&self, capability: &str) -> Result<Demand> {
        let mut q = Sql::new(
            "SELECT queued, running, oldest_queued_at FROM aima_capability_demand WHERE capability = ",
        );
        q.bind(t(capability));
        let Some(r) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(Demand::default());
        };
        Ok(Demand {
            queued: r.try_get("queued")?,
            running: r.try_get("running")?,
            oldest_queued_at: r.try_get("oldest_queued_at")?,
        })
    }

    async fn hold_lease(&self, name: &str, owner: &str, ttl_ms: i64) -> Result<bool> {
        let now = now_ms();
        // One statement: taken when free or expired, renewed by its owner;
        // two servers racing for it both run it, and one of them changes
        // no row.
        let mut q = Sql::new("INSERT INTO server_leases (name, owner, expires_at) VALUES (");
        q.bind(t(name))
            .push(", ")
            .bind(t(owner))
            .push(", ")
            .bind(Arg::Int(now + ttl_ms))
            .push(
                ") ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, \
                 expires_at = excluded.expires_at WHERE server_leases.owner = excluded.owner \
                 OR server_leases.expires_at < ",
            )
            .bind(Arg::Int(now));
        Ok(q.query().execute(&self.pool).await?.rows_affected() == 1)
    }

    async fn drop_lease(&self, name: &str, owner: &str) -> Result<()> {
        let mut q = Sql::new("DELETE FROM server_leases WHERE name = ");
        q.bind(t(name)).push(" AND owner = ").bind(t(owner));
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    async fn insert_provisioned(&self, new: &NewProvisioned) -> Result<()> {
        let mut q = Sql::new(
            "INSERT INTO provisioned_workers (id, pool, capability, provider, token_id, state, \
             started_at) VALUES (",
        );
        q.bind(t(&new.id))
            .push(", ")
            .bind(t(&new.pool))
            .push(", ")
            .bind(t(&new.capability))
            .push(", ")
            .bind(t(&new.provider))
            .push(", ")
            .bind(t(&new.token_id))
            .push(", 'starting', ")
            .bind(Arg::Int(now_ms()))
            .push(")");
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    async fn provisioned_running(
        &self,
        id: &str,
        provider_ref: &str,
        notify: &[String],
        data: serde_json::Value,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let mut q = Sql::new("UPDATE provisioned_workers SET state = 'running', provider_ref = ");
        q.bind(t(provider_ref))
            .push(" WHERE state = 'starting' AND id = ")
            .bind(t(id));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        for ws in notify {
            crate::outbox::queue_event(&mut tx, ws, "worker.started", data.clone()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn provisioned_connected(&self, id: &str) -> Result<()> {
        let mut q = Sql::new("UPDATE provisioned_workers SET connected_at = ");
        q.bind(Arg::Int(now_ms()))
            .push(" WHERE connected_at IS NULL AND id = ")
            .bind(t(id));
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    async fn provisioned_ended(
        &self,
        id: &str,
        end: WorkerEnd,
        reason: &str,
        notify: &[String],
        data: serde_json::Value,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let mut q = Sql::new("SELECT state FROM provisioned_workers WHERE id = ");
        q.bind(t(id));
        let Some(row) = q.query().fetch_optional(&mut *tx).await? else {
            return Err(StoreError::NotFound);
        };
        let was: String = row.try_get("state")?;
        let state = match end {
            WorkerEnd::Stopped => "stopped",
            WorkerEnd::Failed => "failed",
        };
        let mut q = Sql::new("UPDATE provisioned_workers SET state = ");
        q.bind(t(state))
            .push(", stopped_at = ")
            .bind(Arg::Int(now_ms()))
            .push(", reason = ")
            .bind(t(reason))
            .push(" WHERE state IN ('starting', 'running') AND id = ")
            .bind(t(id));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        for ws in notify {
            if end == WorkerEnd::Failed {
                crate::outbox::queue_event(&mut tx, ws, "provision.failed", data.clone()).await?;
            }
            // A worker that never started did not stop.
            if was == "running" {
                crate::outbox::queue_event(&mut tx, ws, "worker.stopped", data.clone()).await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn live_provisioned(&self, pool: Option<&str>) -> Result<Vec<Provisioned>> {
        let mut q = Sql::new(&format!(
            "SELECT {COLS} FROM provisioned_workers p WHERE p.state IN ('starting', 'running')"
        ));
        if let Some(pool) = pool {
            q.push(" AND p.pool = ").bind(t(pool));
        }
        q.push(" ORDER BY p.started_at, p.id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(provisioned_from_row)
            .collect()
    }

    async fn recent_provisioned(&self, since_ms: i64, limit: i64) -> Result<Vec<Provisioned>> {
        let mut q = Sql::new(&format!(
            "SELECT {COLS} FROM provisioned_workers p WHERE p.started_at >= "
        ));
        q.bind(Arg::Int(since_ms))
            .push(" ORDER BY p.started_at DESC, p.id DESC LIMIT ")
            .bind(Arg::Int(limit.clamp(1, 1000)));
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(provisioned_from_row)
            .collect()
    }

    async fn drop_requirement(&self, capability: &str) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        // A write first (SQLite's write lock from the start), then the rows.
        let mut q = Sql::new(
            "UPDATE jobs SET updated_at = updated_at WHERE state = 'queued' AND requires = ",
        );
        q.bind(t(capability));
        q.query().execute(&mut *tx).await?;
        let mut q = Sql::new("SELECT id, stages FROM jobs WHERE state = 'queued' AND requires = ");
        q.bind(t(capability));
        let rows = q.query().fetch_all(&mut *tx).await?;
        let now = now_ms();
        for row in &rows {
            let id: String = row.try_get("id")?;
            let stages: String = row.try_get("stages")?;
            let mut stages: Vec<aima_core::StageStatus> =
                serde_json::from_str(&stages).map_err(|e| corrupt("job stages", e))?;
            for s in stages
                .iter_mut()
                .filter(|s| s.state != aima_core::StageState::Done)
            {
                if s.requires.as_deref() == Some(capability) {
                    s.requires = None;
                }
            }
            let stages_json =
                serde_json::to_string(&stages).map_err(|e| corrupt("job stages", e))?;
            let mut q = Sql::new("UPDATE jobs SET stages = ");
            q.bind(t(&stages_json))
                .push(", requires = ")
                .bind(t(&aima_core::job::next_requirement(&stages)))
                .push(", updated_at = ")
                .bind(Arg::Int(now))
                .push(" WHERE state = 'queued' AND id = ")
                .bind(t(&id));
            q.query().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }
}
