//! Remote workers: their tokens (stored hashed) and what they announced.

use async_trait::async_trait;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::sql::{corrupt, now_ms, t, Arg, Sql};
use crate::store::SqlStore;

/// A worker token's grant: the workspaces whose jobs it may pull and report.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerGrant {
    pub id: String,
    pub name: String,
    pub workspaces: Vec<String>,
}

/// Tokens for remote workers, stored hashed like API keys.
#[async_trait]
pub trait WorkerTokenRepo: Send + Sync {
    async fn create_worker_token(
        &self,
        name: &str,
        workspaces: &[String],
        token_hash: &str,
    ) -> Result<String>;
    /// The grant of a token that exists and is not revoked.
    async fn worker_grant(&self, token_hash: &str) -> Result<Option<WorkerGrant>>;
    /// Revokes a token by id or name; `NotFound` if none matches.
    async fn revoke_worker_token(&self, id_or_name: &str) -> Result<()>;
    /// Records what a worker announced, now, and the worker token it
    /// announced itself with (none for a worker beside the database).
    async fn announce_worker(
        &self,
        info: &aima_core::worker_api::WorkerInfo,
        token_id: Option<&str>,
    ) -> Result<()>;
    /// Workers heard from since `since_ms`, most recent first.
    async fn list_workers(&self, since_ms: i64) -> Result<Vec<aima_core::worker_api::WorkerSeen>>;
}

#[async_trait]
impl WorkerTokenRepo for SqlStore {
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

    async fn worker_grant(&self, token_hash: &str) -> Result<Option<WorkerGrant>> {
        let mut q = Sql::new("SELECT id, name, workspaces FROM worker_tokens WHERE token_hash = ");
        q.bind(t(token_hash)).push(" AND revoked_at IS NULL");
        let Some(row) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let ws: String = row.try_get("workspaces")?;
        Ok(Some(WorkerGrant {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            workspaces: serde_json::from_str(&ws).map_err(|e| corrupt("workspaces", e))?,
        }))
    }

    async fn announce_worker(
        &self,
        info: &aima_core::worker_api::WorkerInfo,
        token_id: Option<&str>,
    ) -> Result<()> {
        let js = |v: &Vec<String>| serde_json::to_string(v).map_err(|e| corrupt("worker", e));
        let mut q = Sql::new(
            "INSERT INTO workers (name, capabilities, analyzers, models, last_seen, token_id) VALUES (",
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
            .push(", ")
            .bind(Arg::OptText(token_id.map(str::to_string)))
            .push(
                ") ON CONFLICT (name) DO UPDATE SET capabilities = excluded.capabilities, \
                 analyzers = excluded.analyzers, models = excluded.models, \
                 last_seen = excluded.last_seen, token_id = excluded.token_id",
            );
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    async fn list_workers(&self, since_ms: i64) -> Result<Vec<aima_core::worker_api::WorkerSeen>> {
        let mut q = Sql::new(
            "SELECT w.name, w.capabilities, w.analyzers, w.models, w.last_seen, p.pool \
             FROM workers w LEFT JOIN provisioned_workers p \
             ON p.token_id = w.token_id OR p.id = w.name \
             WHERE w.last_seen >= ",
        );
        q.bind(Arg::Int(since_ms))
            .push(" ORDER BY w.last_seen DESC, w.name");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let list = |col: &str| -> Result<Vec<String>> {
                    let s: String = r.try_get(col)?;
                    serde_json::from_str(&s).map_err(|e| corrupt("worker", e))
                };
                let pool: Option<String> = r.try_get("pool")?;
                Ok(aima_core::worker_api::WorkerSeen {
                    info: aima_core::worker_api::WorkerInfo {
                        name: r.try_get("name")?,
                        capabilities: list("capabilities")?,
                        analyzers: list("analyzers")?,
                        models: list("models")?,
                    },
                    last_seen: r.try_get("last_seen")?,
                    started_by: pool.as_ref().map(|_| "autoscale".to_string()),
                    pool,
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
