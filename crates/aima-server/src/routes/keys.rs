//! `/api/v1/keys`: API keys made, listed and revoked over the API. A key
//! belongs to the user who made it and acts with that user's role, or a
//! narrower one chosen at creation; it may expire. The key itself is shown
//! once, at creation; listings show its first characters only. Admins see
//! and revoke every key of the workspace, others their own.

use aima_core::{valid_name, ErrorCode, Role};
use axum::extract::State;
use axum::http::{Extensions, StatusCode};
use serde::{Deserialize, Serialize};

use crate::auth::note_audit;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::routes::persons::PageQuery;
use crate::{AppState, Caller};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub role: Role,
    /// The user the key acts for (none: a key of the workspace itself).
    pub user_id: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl From<aima_store::KeyRecord> for ApiKey {
    fn from(k: aima_store::KeyRecord) -> Self {
        Self {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            role: k.role,
            user_id: k.user_id,
            created_at: k.created_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedKey {
    #[serde(flatten)]
    pub info: ApiKey,
    /// The key. Shown this once; only its hash is kept.
    pub key: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyPage {
    pub items: Vec<ApiKey>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"
    )]
    pub name: String,
    /// At most the caller's own role (the default).
    pub role: Option<Role>,
    /// Days until the key stops working (none: it does not expire).
    /// Read as a number, so that `30.0` is 30 as JSON Schema has it.
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<f64>,
}

/// Makes a key that acts for the caller.
#[utoipa::path(
    post, path = "/api/v1/keys", operation_id = "createKey", tag = "team", request_body = NewApiKey,
    responses(
        (status = 201, body = CreatedKey),
        (status = 403, description = "A role above the caller's, or a caller who is neither a user nor an admin (`forbidden`)", body = crate::ErrorBody)
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    extensions: Extensions,
    Json(body): Json<NewApiKey>,
) -> ApiResult<(StatusCode, axum::Json<CreatedKey>)> {
    if !valid_name(&body.name) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            aima_core::NAME_RULE,
        ));
    }
    // A key belongs to the user who made it (who lists and revokes it) or
    // is an admin's: a caller that is neither (a non-admin key of no user)
    // would make keys that nobody but an admin could see or revoke.
    if caller.role != Role::Admin && caller.actor.user_id.is_none() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "keys are made by a signed-in user or an admin",
        ));
    }
    let role = body.role.unwrap_or(caller.role);
    caller.require(role)?;
    let expires_at = match body.expires_in_days {
        Some(d) if d.fract() == 0.0 && (1.0..=3650.0).contains(&d) => {
            Some(aima_store::now_ms() + d as i64 * 86_400_000)
        }
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "expires_in_days is a whole number from 1 to 3650",
            ))
        }
        None => None,
    };
    let key = aima_store::generate_api_key();
    let record = state
        .store
        .create_key(&aima_store::NewKey {
            workspace: caller.workspace.clone(),
            name: body.name,
            key_hash: aima_store::hash_api_key(&key),
            prefix: aima_store::key_prefix(&key),
            role,
            user_id: caller.actor.user_id.clone(),
            expires_at,
        })
        .await?;
    note_audit(&extensions, |n| {
        n.resource = Some(format!("key/{}", record.id))
    });
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedKey {
            info: record.into(),
            key,
        }),
    ))
}

/// The caller's keys (an admin's: every key of the workspace), oldest first.
#[utoipa::path(
    get, path = "/api/v1/keys", operation_id = "listKeys", tag = "team", params(PageQuery),
    responses((status = 200, body = KeyPage))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<KeyPage>> {
    let mine = caller.actor.user_id.clone().unwrap_or_default();
    let owner = (caller.role != Role::Admin).then_some(mine.as_str());
    let page = state
        .store
        .list_keys(&caller.workspace, owner, &q.page()?)
        .await?;
    Ok(axum::Json(KeyPage {
        items: page.items.into_iter().map(ApiKey::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Revokes a key: it stops working at once, and so do sessions signed in
/// with it.
#[utoipa::path(
    delete, path = "/api/v1/keys/{id}", operation_id = "revokeKey", tag = "team",
    responses((status = 200, body = ApiKey), (status = 404, description = "No such key of the caller (`key_not_found`)", body = crate::ErrorBody))
)]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ApiKey>> {
    let not_found = || ApiError::new(ErrorCode::KeyNotFound, "no such key");
    let key = state
        .store
        .get_key(&caller.workspace, &id)
        .await
        .map_err(|e| match e {
            aima_store::StoreError::NotFound => not_found(),
            other => other.into(),
        })?;
    let own = key.user_id.is_some() && key.user_id == caller.actor.user_id;
    if caller.role != Role::Admin && !own {
        return Err(not_found());
    }
    let key = state.store.revoke_key(&caller.workspace, &id).await?;
    Ok(axum::Json(key.into()))
}
