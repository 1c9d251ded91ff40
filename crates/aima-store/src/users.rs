//! Users and their role per workspace. Passwords arrive hashed (argon2id,
//! by the server); a workspace always keeps an enabled admin.

use aima_core::{PageRequest, Role};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::sql::{corrupt, cursor, into_page, new_id, now_ms, push_page_on, t, Arg, Page, Sql};
use crate::store::SqlStore;
use crate::workspaces::WorkspaceRepo;

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

#[async_trait]
pub trait UserRepo: Send + Sync {
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
    /// A user's name and whether it is disabled.
    async fn user(&self, id: &str) -> Result<Option<(String, bool)>>;
}

const USER_COLS: &str = "u.id, u.name, u.created_at, u.disabled_at, m.role";

pub(crate) fn role(s: String) -> Result<Role> {
    Role::parse(&s).ok_or_else(|| corrupt("role", s))
}

pub(crate) fn user_row(r: &AnyRow) -> Result<UserRecord> {
    Ok(UserRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        role: role(r.try_get("role")?)?,
        created_at: r.try_get("created_at")?,
        disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
    })
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
}

#[async_trait]
impl UserRepo for SqlStore {
    async fn create_user(
        &self,
        workspace: &str,
        name: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<UserRecord> {
        self.ensure_workspace(workspace).await?;
        let mut tx = self.begin_write().await?;
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
        self.ensure_workspace(workspace).await?;
        let mut tx = self.begin_write().await?;
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
        let mut tx = self.begin_write().await?;
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
}
