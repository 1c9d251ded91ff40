//! Browser sessions, stored as the SHA-256 of their token.

use async_trait::async_trait;
use sqlx::Row;

use crate::error::Result;
use crate::sql::{new_id, now_ms, t, Arg, Sql};
use crate::store::SqlStore;

/// A live session (not revoked, not expired).
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: String,
    pub user_id: Option<String>,
    pub key_id: Option<String>,
    pub workspace: String,
    pub expires_at: i64,
}

#[async_trait]
pub trait SessionRepo: Send + Sync {
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: Option<&str>,
        key_id: Option<&str>,
        workspace: &str,
        expires_at: i64,
    ) -> Result<String>;
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>>;
    async fn revoke_session(&self, token_hash: &str) -> Result<()>;
}

impl SqlStore {
    pub(crate) async fn revoke_sessions_of(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        column: &str,
        id: &str,
    ) -> Result<()> {
        let mut q = Sql::new("UPDATE sessions SET revoked_at = ");
        q.bind(Arg::Int(now_ms()))
            .push(&format!(" WHERE revoked_at IS NULL AND {column} = "))
            .bind(t(id));
        q.query().execute(&mut **tx).await?;
        Ok(())
    }
}

#[async_trait]
impl SessionRepo for SqlStore {
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: Option<&str>,
        key_id: Option<&str>,
        workspace: &str,
        expires_at: i64,
    ) -> Result<String> {
        let id = new_id();
        let mut q = Sql::new("INSERT INTO sessions (id, token_hash, user_id, key_id, workspace_id, created_at, expires_at) VALUES (");
        q.bind(t(&id))
            .push(", ")
            .bind(t(token_hash))
            .push(", ")
            .bind(Arg::OptText(user_id.map(str::to_string)))
            .push(", ")
            .bind(Arg::OptText(key_id.map(str::to_string)))
            .push(", ")
            .bind(t(workspace))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(", ")
            .bind(Arg::Int(expires_at))
            .push(")");
        q.query().execute(&self.pool).await?;
        Ok(id)
    }

    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        let mut q = Sql::new("SELECT id, user_id, key_id, workspace_id, expires_at FROM sessions WHERE revoked_at IS NULL AND token_hash = ");
        q.bind(t(token_hash))
            .push(" AND expires_at > ")
            .bind(Arg::Int(now_ms()));
        let Some(r) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        Ok(Some(SessionRecord {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            key_id: r.try_get("key_id")?,
            workspace: r.try_get("workspace_id")?,
            expires_at: r.try_get("expires_at")?,
        }))
    }

    async fn revoke_session(&self, token_hash: &str) -> Result<()> {
        let mut q = Sql::new("UPDATE sessions SET revoked_at = ");
        q.bind(Arg::Int(now_ms()))
            .push(" WHERE revoked_at IS NULL AND token_hash = ")
            .bind(t(token_hash));
        q.query().execute(&self.pool).await?;
        Ok(())
    }
}
