//! `/api/v1/users`: the members of a workspace (admins only, by the
//! policy table): add a user with a password and a role, list, change a
//! role or a password, disable.

use aima_core::{valid_name, ErrorCode, Role};
use axum::extract::State;
use axum::http::{Extensions, StatusCode};
use serde::{Deserialize, Serialize};

use crate::auth::note_audit;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::password::{check_password, hash_password};
use crate::routes::persons::PageQuery;
use crate::{AppState, Caller};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: String,
    pub name: String,
    /// The user's role in this workspace.
    pub role: Role,
    /// Unix milliseconds.
    pub created_at: i64,
    pub disabled: bool,
}

impl From<aima_store::UserRecord> for User {
    fn from(u: aima_store::UserRecord) -> Self {
        Self {
            id: u.id,
            name: u.name,
            role: u.role,
            created_at: u.created_at,
            disabled: u.disabled,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Letters, digits and `._@-`, starting with a letter or a digit.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"
    )]
    pub name: String,
    /// 8 to 256 characters.
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    pub role: Role,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub role: Option<Role>,
    /// A new password; ends the user's sessions.
    #[schema(min_length = 8, max_length = 256)]
    pub password: Option<String>,
    /// Disabling ends the user's sessions and stops its keys.
    pub disabled: Option<bool>,
}

pub(crate) fn bad_password(password: &str) -> Result<(), ApiError> {
    match check_password(password) {
        Some(problem) => Err(ApiError::new(ErrorCode::InvalidParameter, problem)),
        None => Ok(()),
    }
}

async fn hash(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

fn user_error(e: aima_store::StoreError) -> ApiError {
    match e {
        aima_store::StoreError::NotFound => {
            ApiError::new(ErrorCode::UserNotFound, "no such user in this workspace")
        }
        aima_store::StoreError::Conflict(m) if m.contains("admin") => {
            ApiError::new(ErrorCode::LastAdmin, m)
        }
        aima_store::StoreError::Conflict(m) => ApiError::new(ErrorCode::UserExists, m),
        other => other.into(),
    }
}

/// Adds a user to the workspace with a password and a role.
#[utoipa::path(
    post, path = "/api/v1/users", operation_id = "createUser", tag = "team", request_body = NewUser,
    responses(
        (status = 201, body = User),
        (status = 403, description = "Not an admin of the workspace (`forbidden`)", body = crate::ErrorBody),
        (status = 409, description = "The name is taken (`user_exists`)", body = crate::ErrorBody)
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extensions: Extensions,
    Json(body): Json<NewUser>,
) -> ApiResult<(StatusCode, axum::Json<User>)> {
    if !valid_name(&body.name) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            aima_core::NAME_RULE,
        ));
    }
    bad_password(&body.password)?;
    let hashed = hash(body.password).await?;
    let user = state
        .store
        .create_user(&caller.workspace, &body.name, &hashed, body.role)
        .await
        .map_err(user_error)?;
    note_audit(&extensions, |n| {
        n.resource = Some(format!("user/{}", user.id))
    });
    Ok((StatusCode::CREATED, axum::Json(user.into())))
}

/// The workspace's members, oldest first.
#[utoipa::path(
    get, path = "/api/v1/users", operation_id = "listUsers", tag = "team", params(PageQuery),
    responses((status = 200, body = UserPage), (status = 403, body = crate::ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<UserPage>> {
    let page = state
        .store
        .list_users(&caller.workspace, &q.page()?)
        .await?;
    Ok(axum::Json(UserPage {
        items: page.items.into_iter().map(User::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One member.
#[utoipa::path(
    get, path = "/api/v1/users/{id}", operation_id = "getUser", tag = "team",
    responses((status = 200, body = User), (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<User>> {
    let user = state
        .store
        .get_user(&caller.workspace, &id)
        .await
        .map_err(user_error)?;
    Ok(axum::Json(user.into()))
}

/// Changes a member's role or password, or disables or enables it. The
/// last enabled admin of a workspace cannot be demoted or disabled.
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", operation_id = "updateUser", tag = "team", request_body = UserUpdate,
    responses(
        (status = 200, body = User),
        (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody),
        (status = 409, description = "It would leave the workspace without an admin (`last_admin`)", body = crate::ErrorBody)
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<UserUpdate>,
) -> ApiResult<axum::Json<User>> {
    let password_hash = match body.password {
        Some(p) => {
            bad_password(&p)?;
            Some(hash(p).await?)
        }
        None => None,
    };
    let change = aima_store::UserChange {
        role: body.role,
        password_hash,
        disabled: body.disabled,
    };
    let user = state
        .store
        .update_user(&caller.workspace, &id, &change)
        .await
        .map_err(user_error)?;
    Ok(axum::Json(user.into()))
}
