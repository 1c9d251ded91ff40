//! A team in the store: users and their roles per workspace, API keys with
//! a role and an expiry, browser sessions, the append-only audit log,
//! webhooks and their deliveries.
//!
//! Secrets never reach a table in clear: passwords arrive hashed (argon2id,
//! by the server), keys and session tokens as SHA-256 (they are long random
//! strings). Webhook secrets are stored as given: the dispatcher needs them
//! to sign.

use aima_core::{Cursor, PageRequest, Role};
use async_trait::async_trait;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::sql::{corrupt, into_page, new_id, push_page, push_page_on, t, Arg, Sql};
use crate::{now_ms, Page, Result, SqlStore, StoreError};

/// A user as a workspace sees it: with the role there.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub disabled: bool,
}

/// What a login needs to know of a name.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: String,
    pub password_hash: String,
    pub disabled: bool,
}

/// A change to a user in a workspace; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub role: Option<Role>,
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
}

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

/// A live session (not revoked, not expired).
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: String,
    pub user_id: Option<String>,
    pub key_id: Option<String>,
    pub workspace: String,
    pub expires_at: i64,
}

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

#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub webhook_id: String,
    pub event: String,
    pub body: String,
    /// `pending`, `succeeded` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A delivery claimed for sending, with what sending needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub delivery: Delivery,
    pub url: String,
    pub secret: String,
}

/// How an attempt at a delivery ended.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status: Option<i64>,
    pub error: Option<String>,
    /// Whether the receiver took it (2xx).
    pub delivered: bool,
    /// When to try again; None: give up (the delivery fails).
    pub retry_at: Option<i64>,
}

#[async_trait]
pub trait TeamRepo: Send + Sync {
    /// A new user with a role in `workspace`; `Conflict` if the name is taken.
    async fn create_user(
        &self,
        workspace: &str,
        name: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<UserRecord>;
    /// Gives an existing user a role in another workspace (or a new role).
    async fn add_member(&self, workspace: &str, user_id: &str, role: Role) -> Result<UserRecord>;
    async fn credentials(&self, name: &str) -> Result<Option<Credentials>>;
    /// The workspaces a user belongs to and its role in each, oldest first.
    async fn memberships(&self, user_id: &str) -> Result<Vec<(String, Role)>>;
    async fn list_users(&self, workspace: &str, page: &PageRequest) -> Result<Page<UserRecord>>;
    async fn get_user(&self, workspace: &str, id: &str) -> Result<UserRecord>;
    /// Changes a member. `Conflict` if the workspace would be left without
    /// an enabled admin. A new password or disabling ends the user's sessions.
    async fn update_user(
        &self,
        workspace: &str,
        id: &str,
        change: &UserChange,
    ) -> Result<UserRecord>;

    async fn create_key(&self, new: &NewKey) -> Result<KeyRecord>;
    /// A key that exists and is not revoked (expiry is the caller's to judge).
    async fn key_auth(&self, key_hash: &str) -> Result<Option<KeyAuth>>;
    /// [`TeamRepo::key_auth`] by the key's id (a session signed in with it).
    async fn key_auth_id(&self, id: &str) -> Result<Option<KeyAuth>>;
    /// A user's name and whether it is disabled.
    async fn user(&self, id: &str) -> Result<Option<(String, bool)>>;
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

    async fn append_audit(&self, entry: &NewAudit) -> Result<()>;
    /// Newest first; `before`: the id of the last row of the previous page.
    async fn list_audit(
        &self,
        workspaces: &[String],
        filter: &AuditFilter,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<AuditEntry>>;

    async fn create_webhook(
        &self,
        workspace: &str,
        url: &str,
        events: &[String],
        secret: &str,
    ) -> Result<Webhook>;
    async fn list_webhooks(&self, workspace: &str, page: &PageRequest) -> Result<Page<Webhook>>;
    async fn get_webhook(&self, workspace: &str, id: &str) -> Result<Webhook>;
    async fn delete_webhook(&self, workspace: &str, id: &str) -> Result<()>;
    /// Queues a delivery of an event to every webhook of the workspace that
    /// follows it. Events of the store's own writes (jobs ending, media
    /// deleted, persons named, models trained) are queued in those writes'
    /// transactions; this is for the rest.
    async fn emit_event(&self, workspace: &str, event: &str, data: Value) -> Result<()>;
    async fn list_deliveries(
        &self,
        workspace: &str,
        webhook_id: &str,
        page: &PageRequest,
    ) -> Result<Page<Delivery>>;
    /// Queues a delivery's body again as a new delivery.
    async fn redeliver(&self, workspace: &str, webhook_id: &str, id: &str) -> Result<Delivery>;
    /// Takes up to `limit` due deliveries for `lease_ms` (another server
    /// takes them again after that, if this one died sending).
    async fn claim_deliveries(&self, limit: u32, lease_ms: i64) -> Result<Vec<DueDelivery>>;
    async fn finish_attempt(&self, id: &str, attempt: &Attempt) -> Result<()>;
}

const USER_COLS: &str = "u.id, u.name, u.created_at, u.disabled_at, m.role";
const KEY_COLS: &str = "id, name, prefix, role, user_id, created_at, expires_at, revoked_at";
const DELIVERY_COLS: &str = "d.id, d.webhook_id, d.event, d.body, d.state, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.updated_at";

fn role(s: String) -> Result<Role> {
    Role::parse(&s).ok_or_else(|| corrupt("role", s))
}

fn user_row(r: &AnyRow) -> Result<UserRecord> {
    Ok(UserRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        role: role(r.try_get("role")?)?,
        created_at: r.try_get("created_at")?,
        disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
    })
}

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

fn webhook_row(r: &AnyRow) -> Result<Webhook> {
    let events: String = r.try_get("events")?;
    Ok(Webhook {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        events: serde_json::from_str(&events).map_err(|e| corrupt("webhook events", e))?,
        created_at: r.try_get("created_at")?,
    })
}

fn delivery_row(r: &AnyRow) -> Result<Delivery> {
    Ok(Delivery {
        id: r.try_get("id")?,
        webhook_id: r.try_get("webhook_id")?,
        event: r.try_get("event")?,
        body: r.try_get("body")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_status: r.try_get("last_status")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn cursor(created_at: i64, id: &str) -> Cursor {
    Cursor {
        created_at,
        id: id.to_string(),
    }
}

/// Queues `event` for every webhook of `workspace` that follows it, inside
/// the caller's transaction (so the event and the change it reports commit
/// together, or neither does).
pub(crate) async fn queue_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    workspace: &str,
    event: &str,
    data: Value,
) -> Result<()> {
    let mut q = Sql::new("SELECT id, events FROM webhooks WHERE workspace_id = ");
    q.bind(t(workspace));
    let hooks = q.query().fetch_all(&mut **tx).await?;
    let now = now_ms();
    for hook in hooks {
        let events: String = hook.try_get("events")?;
        let events: Vec<String> =
            serde_json::from_str(&events).map_err(|e| corrupt("webhook events", e))?;
        if !events.iter().any(|e| e == event) {
            continue;
        }
        let webhook_id: String = hook.try_get("id")?;
        let id = new_id();
        let mut body = serde_json::json!({
            "id": id,
            "event": event,
            "workspace": workspace,
            "at": now,
        });
        if let (Some(b), Value::Object(d)) = (body.as_object_mut(), data.clone()) {
            b.extend(d);
        }
        insert_delivery(
            tx,
            &id,
            &webhook_id,
            workspace,
            event,
            &body.to_string(),
            now,
        )
        .await?;
    }
    Ok(())
}

async fn insert_delivery(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    webhook_id: &str,
    workspace: &str,
    event: &str,
    body: &str,
    now: i64,
) -> Result<()> {
    let mut q = Sql::new("INSERT INTO webhook_deliveries (id, webhook_id, workspace_id, event, body, state, attempts, next_attempt_at, created_at, updated_at) VALUES (");
    q.bind(t(id))
        .push(", ")
        .bind(t(webhook_id))
        .push(", ")
        .bind(t(workspace))
        .push(", ")
        .bind(t(event))
        .push(", ")
        .bind(t(body))
        .push(", 'pending', 0, ")
        .bind(Arg::Int(now))
        .push(", ")
        .bind(Arg::Int(now))
        .push(", ")
        .bind(Arg::Int(now))
        .push(")");
    q.query().execute(&mut **tx).await?;
    Ok(())
}

/// The `job.succeeded`, `job.partial` or `job.failed` event of a job that has just ended
/// in this transaction (nothing for any other state).
pub(crate) async fn queue_job_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    job_id: &str,
) -> Result<()> {
    let mut q = Sql::new(
        "SELECT workspace_id, media_id, state, error_code, error_message FROM jobs WHERE id = ",
    );
    q.bind(t(job_id));
    let Some(row) = q.query().fetch_optional(&mut **tx).await? else {
        return Ok(());
    };
    let state: String = row.try_get("state")?;
    let event = match state.as_str() {
        "succeeded" => "job.succeeded",
        "partial" => "job.partial",
        "failed" => "job.failed",
        _ => return Ok(()),
    };
    let workspace: String = row.try_get("workspace_id")?;
    let media_id: Option<String> = row.try_get("media_id")?;
    let code: Option<String> = row.try_get("error_code")?;
    let message: Option<String> = row.try_get("error_message")?;
    let error = code.map(|code| serde_json::json!({"code": code, "message": message}));
    let data = serde_json::json!({
        "resource": {"type": "job", "id": job_id},
        "job": {"id": job_id, "media_id": media_id, "state": state, "error": error},
    });
    queue_event(tx, &workspace, event, data).await
}

impl SqlStore {
    async fn admins_left(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        workspace: &str,
    ) -> Result<i64> {
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.role = 'admin' AND u.disabled_at IS NULL AND m.workspace_id = ");
        q.bind(t(workspace));
        Ok(q.query().fetch_one(&mut **tx).await?.try_get("n")?)
    }

    async fn member<'e, E>(&self, exec: E, workspace: &str, id: &str) -> Result<UserRecord>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let mut q = Sql::new(&format!(
            "SELECT {USER_COLS} FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.workspace_id = "
        ));
        q.bind(t(workspace)).push(" AND u.id = ").bind(t(id));
        let row = q
            .query()
            .fetch_optional(exec)
            .await?
            .ok_or(StoreError::NotFound)?;
        user_row(&row)
    }

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

    async fn revoke_sessions_of(
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
impl TeamRepo for SqlStore {
    async fn create_user(
        &self,
        workspace: &str,
        name: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<UserRecord> {
        use crate::WorkspaceRepo;
        self.ensure_workspace(workspace).await?;
        let mut tx = self.pool.begin().await?;
        let mut q = Sql::new("SELECT id FROM users WHERE name = ");
        q.bind(t(name));
        if q.query().fetch_optional(&mut *tx).await?.is_some() {
            return Err(StoreError::Conflict(format!("a user named {name} exists")));
        }
        let id = new_id();
        let now = now_ms();
        let mut q = Sql::new("INSERT INTO users (id, name, password_hash, created_at) VALUES (");
        q.bind(t(&id))
            .push(", ")
            .bind(t(name))
            .push(", ")
            .bind(t(password_hash))
            .push(", ")
            .bind(Arg::Int(now))
            .push(")");
        // Two creations of one name at once: the UNIQUE constraint decides.
        if let Err(e) = q.query().execute(&mut *tx).await {
            return Err(match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    StoreError::Conflict(format!("a user named {name} exists"))
                }
                e => e.into(),
            });
        }
        let mut q =
            Sql::new("INSERT INTO memberships (user_id, workspace_id, role, created_at) VALUES (");
        q.bind(t(&id))
            .push(", ")
            .bind(t(workspace))
            .push(", ")
            .bind(t(role.as_str()))
            .push(", ")
            .bind(Arg::Int(now))
            .push(")");
        q.query().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(UserRecord {
            id,
            name: name.to_string(),
            role,
            created_at: now,
            disabled: false,
        })
    }

    async fn add_member(&self, workspace: &str, user_id: &str, role: Role) -> Result<UserRecord> {
        use crate::WorkspaceRepo;
        self.ensure_workspace(workspace).await?;
        let mut tx = self.pool.begin().await?;
        let mut q = Sql::new("DELETE FROM memberships WHERE user_id = ");
        q.bind(t(user_id))
            .push(" AND workspace_id = ")
            .bind(t(workspace));
        q.query().execute(&mut *tx).await?;
        let mut q =
            Sql::new("INSERT INTO memberships (user_id, workspace_id, role, created_at) VALUES (");
        q.bind(t(user_id))
            .push(", ")
            .bind(t(workspace))
            .push(", ")
            .bind(t(role.as_str()))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(")");
        q.query().execute(&mut *tx).await?;
        let user = self.member(&mut *tx, workspace, user_id).await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn credentials(&self, name: &str) -> Result<Option<Credentials>> {
        let mut q = Sql::new("SELECT id, password_hash, disabled_at FROM users WHERE name = ");
        q.bind(t(name));
        let Some(r) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        Ok(Some(Credentials {
            user_id: r.try_get("id")?,
            password_hash: r.try_get("password_hash")?,
            disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
        }))
    }

    async fn memberships(&self, user_id: &str) -> Result<Vec<(String, Role)>> {
        let mut q = Sql::new("SELECT workspace_id, role FROM memberships WHERE user_id = ");
        q.bind(t(user_id))
            .push(" ORDER BY created_at, workspace_id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("workspace_id")?, role(r.try_get("role")?)?)))
            .collect()
    }

    async fn list_users(&self, workspace: &str, page: &PageRequest) -> Result<Page<UserRecord>> {
        let mut q = Sql::new(&format!(
            "SELECT {USER_COLS} FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.workspace_id = "
        ));
        q.bind(t(workspace));
        push_page_on(&mut q, page, "u.");
        let items = q
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(into_page(items, page, |u| cursor(u.created_at, &u.id)))
    }

    async fn get_user(&self, workspace: &str, id: &str) -> Result<UserRecord> {
        self.member(&self.pool, workspace, id).await
    }

    async fn update_user(
        &self,
        workspace: &str,
        id: &str,
        change: &UserChange,
    ) -> Result<UserRecord> {
        let mut tx = self.pool.begin().await?;
        // Serialize changes of one workspace's members: the last-admin
        // check must see the other changes.
        sqlx::query("UPDATE workspaces SET created_at = created_at WHERE id = $1")
            .bind(workspace.to_string())
            .execute(&mut *tx)
            .await?;
        let before = self.member(&mut *tx, workspace, id).await?;
        let now = now_ms();
        if let Some(role) = change.role {
            let mut q = Sql::new("UPDATE memberships SET role = ");
            q.bind(t(role.as_str()))
                .push(" WHERE user_id = ")
                .bind(t(id))
                .push(" AND workspace_id = ")
                .bind(t(workspace));
            q.query().execute(&mut *tx).await?;
        }
        if let Some(hash) = &change.password_hash {
            let mut q = Sql::new("UPDATE users SET password_hash = ");
            q.bind(t(hash)).push(" WHERE id = ").bind(t(id));
            q.query().execute(&mut *tx).await?;
            self.revoke_sessions_of(&mut tx, "user_id", id).await?;
        }
        if let Some(disabled) = change.disabled {
            let mut q = Sql::new("UPDATE users SET disabled_at = ");
            q.bind(Arg::OptInt(disabled.then_some(now)))
                .push(" WHERE id = ")
                .bind(t(id));
            q.query().execute(&mut *tx).await?;
            if disabled {
                self.revoke_sessions_of(&mut tx, "user_id", id).await?;
            }
        }
        if before.role == Role::Admin && self.admins_left(&mut tx, workspace).await? == 0 {
            return Err(StoreError::Conflict(
                "the workspace would have no admin left".into(),
            ));
        }
        let after = self.member(&mut *tx, workspace, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn create_key(&self, new: &NewKey) -> Result<KeyRecord> {
        use crate::WorkspaceRepo;
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

    async fn user(&self, id: &str) -> Result<Option<(String, bool)>> {
        let mut q = Sql::new("SELECT name, disabled_at FROM users WHERE id = ");
        q.bind(t(id));
        let Some(r) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        Ok(Some((
            r.try_get("name")?,
            r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
        )))
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
        let mut tx = self.pool.begin().await?;
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

    async fn create_webhook(
        &self,
        workspace: &str,
        url: &str,
        events: &[String],
        secret: &str,
    ) -> Result<Webhook> {
        use crate::WorkspaceRepo;
        self.ensure_workspace(workspace).await?;
        let id = new_id();
        let now = now_ms();
        let events_json = serde_json::to_string(events).map_err(|e| corrupt("events", e))?;
        let mut q = Sql::new(
            "INSERT INTO webhooks (id, workspace_id, url, events, secret, created_at) VALUES (",
        );
        q.bind(t(&id))
            .push(", ")
            .bind(t(workspace))
            .push(", ")
            .bind(t(url))
            .push(", ")
            .bind(t(&events_json))
            .push(", ")
            .bind(t(secret))
            .push(", ")
            .bind(Arg::Int(now))
            .push(")");
        q.query().execute(&self.pool).await?;
        Ok(Webhook {
            id,
            url: url.to_string(),
            events: events.to_vec(),
            created_at: now,
        })
    }

    async fn list_webhooks(&self, workspace: &str, page: &PageRequest) -> Result<Page<Webhook>> {
        let mut q =
            Sql::new("SELECT id, url, events, created_at FROM webhooks WHERE workspace_id = ");
        q.bind(t(workspace));
        push_page(&mut q, page);
        let items = q
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(webhook_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(into_page(items, page, |w| cursor(w.created_at, &w.id)))
    }

    async fn get_webhook(&self, workspace: &str, id: &str) -> Result<Webhook> {
        let mut q =
            Sql::new("SELECT id, url, events, created_at FROM webhooks WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        let row = q
            .query()
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        webhook_row(&row)
    }

    async fn delete_webhook(&self, workspace: &str, id: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let mut q = Sql::new("DELETE FROM webhook_deliveries WHERE webhook_id = ");
        q.bind(t(id))
            .push(" AND workspace_id = ")
            .bind(t(workspace));
        q.query().execute(&mut *tx).await?;
        let mut q = Sql::new("DELETE FROM webhooks WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    async fn emit_event(&self, workspace: &str, event: &str, data: Value) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        queue_event(&mut tx, workspace, event, data).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_deliveries(
        &self,
        workspace: &str,
        webhook_id: &str,
        page: &PageRequest,
    ) -> Result<Page<Delivery>> {
        self.get_webhook(workspace, webhook_id).await?;
        let mut q = Sql::new(&format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries d WHERE d.webhook_id = "
        ));
        q.bind(t(webhook_id));
        push_page_on(&mut q, page, "d.");
        let items = q
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(delivery_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(into_page(items, page, |d| cursor(d.created_at, &d.id)))
    }

    async fn redeliver(&self, workspace: &str, webhook_id: &str, id: &str) -> Result<Delivery> {
        let mut q = Sql::new(&format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries d WHERE d.workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND d.webhook_id = ")
            .bind(t(webhook_id))
            .push(" AND d.id = ")
            .bind(t(id));
        let row = q
            .query()
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let old = delivery_row(&row)?;
        // The same body (its `id` names the first delivery, so a receiver
        // that keeps ids can tell a redelivery), signed afresh when sent.
        let new_id = new_id();
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        insert_delivery(
            &mut tx, &new_id, webhook_id, workspace, &old.event, &old.body, now,
        )
        .await?;
        tx.commit().await?;
        let mut q = Sql::new(&format!(
            "SELECT {DELIVERY_COLS} FROM webhook_deliveries d WHERE d.id = "
        ));
        q.bind(t(&new_id));
        delivery_row(&q.query().fetch_one(&self.pool).await?)
    }

    async fn claim_deliveries(&self, limit: u32, lease_ms: i64) -> Result<Vec<DueDelivery>> {
        let now = now_ms();
        let mut q = Sql::new(&format!(
            "SELECT {DELIVERY_COLS}, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.state = 'pending' AND d.next_attempt_at <= "
        ));
        q.bind(Arg::Int(now))
            .push(" ORDER BY d.next_attempt_at LIMIT ")
            .bind(Arg::Int(limit as i64));
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut due = Vec::new();
        for r in rows {
            let delivery = delivery_row(&r)?;
            // Taken only if no other server took it in between.
            let mut q = Sql::new("UPDATE webhook_deliveries SET next_attempt_at = ");
            q.bind(Arg::Int(now + lease_ms))
                .push(" WHERE id = ")
                .bind(t(&delivery.id))
                .push(" AND state = 'pending' AND next_attempt_at = ")
                .bind(Arg::Int(delivery.next_attempt_at));
            if q.query().execute(&self.pool).await?.rows_affected() == 1 {
                due.push(DueDelivery {
                    delivery,
                    url: r.try_get("url")?,
                    secret: r.try_get("secret")?,
                });
            }
        }
        Ok(due)
    }

    async fn finish_attempt(&self, id: &str, a: &Attempt) -> Result<()> {
        let now = now_ms();
        let state = if a.delivered {
            "succeeded"
        } else if a.retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        let mut q = Sql::new("UPDATE webhook_deliveries SET attempts = attempts + 1, state = ");
        q.bind(t(state))
            .push(", last_status = ")
            .bind(Arg::OptInt(a.status))
            .push(", last_error = ")
            .bind(Arg::OptText(a.error.clone()))
            .push(", updated_at = ")
            .bind(Arg::Int(now))
            .push(", next_attempt_at = ")
            .bind(Arg::Int(a.retry_at.unwrap_or(now)))
            .push(" WHERE id = ")
            .bind(t(id));
        q.query().execute(&self.pool).await?;
        Ok(())
    }
}
