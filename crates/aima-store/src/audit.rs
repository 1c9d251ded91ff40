//! The append-only audit log.

use async_trait::async_trait;
use sqlx::Row;

use crate::error::Result;
use crate::sql::{now_ms, t, Arg, Sql};
use crate::store::SqlStore;

/// One row of the audit log, as written.
#[derive(Debug, Clone, Default)]
pub struct NewAudit {
    /// Empty for events of no workspace (a failed login of an unknown name).
    pub workspace: String,
    /// `user`, `key`, `worker` or `anonymous`.
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub method: String,
    pub route: String,
    pub resource: Option<String>,
    /// The HTTP status, or `ok`/`denied`.
    pub outcome: String,
    pub status: i64,
    pub address: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub entry: NewAudit,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

#[async_trait]
pub trait AuditRepo: Send + Sync {
    async fn append_audit(&self, entry: &NewAudit) -> Result<()>;
    /// Newest first; `before`: the id of the last row of the previous page.
    async fn list_audit(
        &self,
        workspaces: &[String],
        filter: &AuditFilter,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<AuditEntry>>;
}

#[async_trait]
impl AuditRepo for SqlStore {
    async fn append_audit(&self, e: &NewAudit) -> Result<()> {
        let mut q = Sql::new("INSERT INTO audit_log (workspace_id, at, actor_kind, actor_id, actor_name, action, method, route, resource, outcome, status, address) VALUES (");
        q.bind(t(&e.workspace))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(", ")
            .bind(t(&e.actor_kind))
            .push(", ")
            .bind(Arg::OptText(e.actor_id.clone()))
            .push(", ")
            .bind(t(&e.actor_name))
            .push(", ")
            .bind(t(&e.action))
            .push(", ")
            .bind(t(&e.method))
            .push(", ")
            .bind(t(&e.route))
            .push(", ")
            .bind(Arg::OptText(e.resource.clone()))
            .push(", ")
            .bind(t(&e.outcome))
            .push(", ")
            .bind(Arg::Int(e.status))
            .push(", ")
            .bind(Arg::OptText(e.address.clone()))
            .push(")");
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    async fn list_audit(
        &self,
        workspaces: &[String],
        filter: &AuditFilter,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<AuditEntry>> {
        let mut q = Sql::new("SELECT * FROM audit_log WHERE workspace_id IN (");
        for (i, w) in workspaces.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(t(w));
        }
        if workspaces.is_empty() {
            q.push("NULL");
        }
        q.push(")");
        if let Some(before) = before {
            q.push(" AND id < ").bind(Arg::Int(before));
        }
        if let Some(actor) = &filter.actor {
            q.push(" AND (actor_name = ")
                .bind(t(actor))
                .push(" OR actor_id = ")
                .bind(t(actor))
                .push(")");
        }
        if let Some(action) = &filter.action {
            q.push(" AND action = ").bind(t(action));
        }
        if let Some(outcome) = &filter.outcome {
            q.push(" AND outcome = ").bind(t(outcome));
        }
        if let Some(since) = filter.since {
            q.push(" AND at >= ").bind(Arg::Int(since));
        }
        if let Some(until) = filter.until {
            q.push(" AND at < ").bind(Arg::Int(until));
        }
        q.push(" ORDER BY id DESC LIMIT ")
            .bind(Arg::Int(limit as i64));
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    entry: NewAudit {
                        workspace: r.try_get("workspace_id")?,
                        actor_kind: r.try_get("actor_kind")?,
                        actor_id: r.try_get("actor_id")?,
                        actor_name: r.try_get("actor_name")?,
                        action: r.try_get("action")?,
                        method: r.try_get("method")?,
                        route: r.try_get("route")?,
                        resource: r.try_get("resource")?,
                        outcome: r.try_get("outcome")?,
                        status: r.try_get("status")?,
                        address: r.try_get("address")?,
                    },
                })
            })
            .collect()
    }
}
