//! API keys with a role and an expiry, stored as SHA-256 (they are long
//! random strings, so a slow hash is not needed and a key is found by its
//! hash in one indexed query).

use aima_core::{PageRequest, Role};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::sql::{cursor, into_page, new_id, now_ms, push_page, t, Arg, Page, Sql};
use crate::store::SqlStore;
use crate::users::role;
use crate::workspaces::WorkspaceRepo;

#[derive(Debug, Clone)]
pub struct NewKey {
    pub workspace: String,
    pub name: String,
    pub key_hash: String,
    /// The first characters of the key, shown in listings.
    pub prefix: String,
    pub role: Role,
    pub user_id: Option<String>,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyRecord {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub role: Role,
    pub user_id: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A key as authentication sees it.
#[derive(Debug, Clone)]
pub struct KeyAuth {
    pub id: String,
    pub name: String,
    pub workspace: String,
    /// The key's own role.
    pub role: Role,
    pub expires_at: Option<i64>,
    /// The key's user, if it has one: its name and its role in the key's
    /// workspace (None: no longer a member), and whether it is disabled.
    pub user: Option<KeyUser>,
}

#[derive(Debug, Clone)]
pub struct KeyUser {
    pub id: String,
    pub name: String,
    pub role: Option<Role>,
    pub disabled: bool,
}

#[async_trait]
pub trait KeyRepo: Send + Sync {
    async fn create_key(&self, new: &NewKey) -> Result<KeyRecord>;
    /// A key that exists and is not revoked (expiry is the caller's to judge).
    async fn key_auth(&self, key_hash: &str) -> Result<Option<KeyAuth>>;
    /// [`TeamRepo::key_auth`] by the key's id (a session signed in with it).
    async fn key_auth_id(&self, id: &str) -> Result<Option<KeyAuth>>;
    /// Keys of a workspace, or of one user in it.
    async fn list_keys(
        &self,
        workspace: &str,
        user_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<KeyRecord>>;
    async fn get_key(&self, workspace: &str, id: &str) -> Result<KeyRecord>;
    /// Revokes a key (and the sessions signed in with it).
    async fn revoke_key(&self, workspace: &str, id: &str) -> Result<KeyRecord>;
}

const KEY_COLS: &str = "id, name, prefix, role, user_id, created_at, expires_at, revoked_at";

fn key_row(r: &AnyRow) -> Result<KeyRecord> {
    Ok(KeyRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        prefix: r.try_get("prefix")?,
        role: role(r.try_get("role")?)?,
        user_id: r.try_get("user_id")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

impl SqlStore {
    /// A key and its user by `column` (`key_hash` or `id`).
    async fn key_auth_by(&self, column: &str, value: &str) -> Result<Option<KeyAuth>> {
        let mut q = Sql::new(&format!(
            "SELECT k.id, k.name, k.workspace_id, k.role, k.expires_at, k.user_id, \
             u.name AS user_name, u.disabled_at, m.role AS user_role \
             FROM api_keys k LEFT JOIN users u ON u.id = k.user_id \
             LEFT JOIN memberships m ON m.user_id = k.user_id AND m.workspace_id = k.workspace_id \
             WHERE k.revoked_at IS NULL AND k.{column} = "
        ));
        q.bind(t(value));
        let Some(r) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let user_id: Option<String> = r.try_get("user_id")?;
        let user = match user_id {
            Some(id) => Some(KeyUser {
                id,
                name: r
                    .try_get::<Option<String>, _>("user_name")?
                    .unwrap_or_default(),
                role: r
                    .try_get::<Option<String>, _>("user_role")?
                    .map(role)
                    .transpose()?,
                disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
            }),
            None => None,
        };
        Ok(Some(KeyAuth {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            workspace: r.try_get("workspace_id")?,
            role: role(r.try_get("role")?)?,
            expires_at: r.try_get("expires_at")?,
            user,
        }))
    }
}

#[async_trait]
impl KeyRepo for SqlStore {
    async fn create_key(&self, new: &NewKey) -> Result<KeyRecord> {
        self.ensure_workspace(&new.workspace).await?;
        let id = new_id();
        let now = now_ms();
        let mut q = Sql::new("INSERT INTO api_keys (id, workspace_id, name, key_hash, created_at, prefix, role, user_id, expires_at) VALUES (");
        q.bind(t(&id))
            .push(", ")
            .bind(t(&new.workspace))
            .push(", ")
            .bind(t(&new.name))
            .push(", ")
            .bind(t(&new.key_hash))
            .push(", ")
            .bind(Arg::Int(now))
            .push(", ")
            .bind(t(&new.prefix))
            .push(", ")
            .bind(t(new.role.as_str()))
            .push(", ")
            .bind(Arg::OptText(new.user_id.clone()))
            .push(", ")
            .bind(Arg::OptInt(new.expires_at))
            .push(")");
        q.query().execute(&self.pool).await?;
        Ok(KeyRecord {
            id,
            name: new.name.clone(),
            prefix: new.prefix.clone(),
            role: new.role,
            user_id: new.user_id.clone(),
            created_at: now,
            expires_at: new.expires_at,
            revoked_at: None,
        })
    }

    async fn key_auth(&self, key_hash: &str) -> Result<Option<KeyAuth>> {
        self.key_auth_by("key_hash", key_hash).await
    }

    async fn key_auth_id(&self, id: &str) -> Result<Option<KeyAuth>> {
        self.key_auth_by("id", id).await
    }

    async fn list_keys(
        &self,
        workspace: &str,
        user_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<KeyRecord>> {
        let mut q = Sql::new(&format!(
            "SELECT {KEY_COLS} FROM api_keys WHERE workspace_id = "
        ));
        q.bind(t(workspace));
        if let Some(user) = user_id {
            q.push(" AND user_id = ").bind(t(user));
        }
        push_page(&mut q, page);
        let items = q
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(key_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(into_page(items, page, |k| cursor(k.created_at, &k.id)))
    }

    async fn get_key(&self, workspace: &str, id: &str) -> Result<KeyRecord> {
        let mut q = Sql::new(&format!(
            "SELECT {KEY_COLS} FROM api_keys WHERE workspace_id = "
        ));
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        let row = q
            .query()
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        key_row(&row)
    }

    async fn revoke_key(&self, workspace: &str, id: &str) -> Result<KeyRecord> {
        let mut tx = self.begin_write().await?;
        let mut q = Sql::new("UPDATE api_keys SET revoked_at = ");
        q.bind(Arg::Int(now_ms()))
            .push(" WHERE revoked_at IS NULL AND workspace_id = ")
            .bind(t(workspace))
            .push(" AND id = ")
            .bind(t(id));
        q.query().execute(&mut *tx).await?;
        self.revoke_sessions_of(&mut tx, "key_id", id).await?;
        tx.commit().await?;
        self.get_key(workspace, id).await
    }
}

/// API keys are long random strings, so a plain SHA-256 is enough to store
/// them safely (a slow password hash protects guessable secrets, which these
/// are not) and lets a key be looked up by its hash in one indexed query.
pub fn hash_api_key(key: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(key.as_bytes()))
}

/// The first characters of a key, kept to tell keys apart in listings
/// (`aima_` and 7 hex digits: too few to guess the rest by).
pub fn key_prefix(key: &str) -> String {
    key.chars().take(12).collect()
}

/// A new API key: a prefix that says what it is, then 32 random bytes in hex.
pub fn generate_api_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("aima_{}", hex::encode(bytes))
}
