//! Workspaces: created on first use.

use async_trait::async_trait;
use sqlx::Row;

use crate::error::Result;
use crate::sql::{now_ms, t, Arg, Sql};
use crate::store::SqlStore;

#[async_trait]
pub trait WorkspaceRepo: Send + Sync {
    /// Creates the workspace if it does not exist.
    async fn ensure_workspace(&self, workspace: &str) -> Result<()>;
    /// Every workspace's id, in order.
    async fn list_workspaces(&self) -> Result<Vec<String>>;
}

#[async_trait]
impl WorkspaceRepo for SqlStore {
    async fn ensure_workspace(&self, workspace: &str) -> Result<()> {
        let mut q = Sql::new("INSERT INTO workspaces (id, created_at) VALUES (");
        q.bind(t(workspace))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(") ON CONFLICT (id) DO NOTHING");
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    async fn list_workspaces(&self) -> Result<Vec<String>> {
        Sql::new("SELECT id FROM workspaces ORDER BY id")
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(r.try_get("id")?))
            .collect()
    }
}
