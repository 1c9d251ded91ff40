//! Workspaces: created on first use.

use async_trait::async_trait;

use crate::error::Result;
use crate::sql::{now_ms, t, Arg, Sql};
use crate::store::SqlStore;

#[async_trait]
pub trait WorkspaceRepo: Send + Sync {
    /// Creates the workspace if it does not exist.
    async fn ensure_workspace(&self, workspace: &str) -> Result<()>;
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
}
