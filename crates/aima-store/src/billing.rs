//! What budgets in money read and write: busy time as spans (written with
//! each lease's end, in `jobs`) and its totals per period, the alerts sent once per period and level,
//! and the capabilities blocked while their budget is spent (which claims
//! respect).

use async_trait::async_trait;
use sqlx::Row;

use crate::error::Result;
use crate::sql::{new_id, now_ms, t, Arg, Dialect, Sql};
use crate::store::SqlStore;

/// Busy time of one workspace's jobs on workers with one capability
/// within a period.
#[derive(Debug, Clone, PartialEq)]
pub struct BusyTotal {
    pub workspace: String,
    /// `cpu` for workers without a capability.
    pub capability: String,
    pub seconds: f64,
}

#[async_trait]
pub trait BillingRepo: Send + Sync {
    /// Busy time within `[from, until)` (Unix milliseconds) per workspace
    /// and capability, of one workspace or all: each lease counted for the
    /// part of it inside the period (one that crossed midnight or a month's
    /// end is split where it crossed), summed by the database.
    async fn busy_totals(
        &self,
        workspace: Option<&str>,
        from: i64,
        until: i64,
    ) -> Result<Vec<BusyTotal>>;
    /// Records that the alert `level` of `period` was sent and queues its
    /// webhook `event` for the workspaces in `notify`, in one transaction;
    /// false (and nothing queued) if it was sent before, by this server or
    /// another.
    async fn raise_budget_alert(
        &self,
        period: &str,
        level: &str,
        event: &str,
        notify: &[String],
        data: serde_json::Value,
    ) -> Result<bool>;
    /// Blocks dispatching to workers with `capability` until `until`.
    async fn block_capability(&self, capability: &str, until: i64, reason: &str) -> Result<()>;
    /// Lifts every block (a budget raised in the configuration).
    async fn clear_capability_blocks(&self) -> Result<()>;
    /// The capabilities blocked now, each with its reason.
    async fn blocked_capabilities(&self) -> Result<Vec<(String, String)>>;
}

#[async_trait]
impl BillingRepo for SqlStore {
    async fn busy_totals(
        &self,
        workspace: Option<&str>,
        from: i64,
        until: i64,
    ) -> Result<Vec<BusyTotal>> {
        let (least, greatest) = match self.dialect {
            Dialect::Sqlite => ("MIN", "MAX"),
            Dialect::Postgres => ("LEAST", "GREATEST"),
        };
        let mut q = Sql::new(&format!(
            "SELECT workspace_id, capability, CAST(SUM({least}(ended_at, "
        ));
        q.bind(Arg::Int(until))
            .push(&format!(") - {greatest}(started_at, "))
            .bind(Arg::Int(from))
            .push(")) AS BIGINT) AS ms FROM usage_spans WHERE ended_at > ")
            .bind(Arg::Int(from))
            .push(" AND started_at < ")
            .bind(Arg::Int(until));
        if let Some(ws) = workspace {
            q.push(" AND workspace_id = ").bind(t(ws));
        }
        q.push(" GROUP BY workspace_id, capability ORDER BY workspace_id, capability");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let ms: i64 = r.try_get("ms")?;
                Ok(BusyTotal {
                    workspace: r.try_get("workspace_id")?,
                    capability: r.try_get("capability")?,
                    seconds: ms as f64 / 1000.0,
                })
            })
            .collect()
    }

    async fn raise_budget_alert(
        &self,
        period: &str,
        level: &str,
        event: &str,
        notify: &[String],
        data: serde_json::Value,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let mut q = Sql::new("INSERT INTO budget_alerts (period, level, at) VALUES (");
        q.bind(t(period))
            .push(", ")
            .bind(t(level))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(") ON CONFLICT (period, level) DO NOTHING");
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        for ws in notify {
            crate::outbox::queue_event(&mut tx, ws, event, data.clone()).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn block_capability(&self, capability: &str, until: i64, reason: &str) -> Result<()> {
        let mut q = Sql::new("INSERT INTO budget_blocks (capability, until, reason) VALUES (");
        q.bind(t(capability))
            .push(", ")
            .bind(Arg::Int(until))
            .push(", ")
            .bind(t(reason))
            .push(
                ") ON CONFLICT (capability) DO UPDATE SET until = excluded.until, \
                 reason = excluded.reason",
            );
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    async fn clear_capability_blocks(&self) -> Result<()> {
        Sql::new("DELETE FROM budget_blocks")
            .query()
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn blocked_capabilities(&self) -> Result<Vec<(String, String)>> {
        let mut q = Sql::new("SELECT capability, reason FROM budget_blocks WHERE until > ");
        q.bind(Arg::Int(now_ms())).push(" ORDER BY capability");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("capability")?, r.try_get("reason")?)))
            .collect()
    }
}

/// Records one lease's busy time as a span per capability, inside the
/// transaction or connection of the caller (`jobs`' usage bookkeeping).
pub(crate) fn span_insert(
    workspace: &str,
    worker: &str,
    capability: &str,
    started_at: i64,
    ended_at: i64,
) -> Sql {
    let mut q = Sql::new(
        "INSERT INTO usage_spans (id, workspace_id, worker, capability, started_at, ended_at) VALUES (",
    );
    q.bind(t(&new_id()))
        .push(", ")
        .bind(t(workspace))
        .push(", ")
        .bind(t(worker))
        .push(", ")
        .bind(t(capability))
        .push(", ")
        .bind(Arg::Int(started_at))
        .push(", ")
        .bind(Arg::Int(ended_at))
        .push(")");
    q
}
