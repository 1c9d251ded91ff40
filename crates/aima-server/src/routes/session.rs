//! `/api/v1/auth`: signing in and out. A user signs in with a name and a
//! password (`login`); the web UI may also sign in with an API key
//! (`session`). Either way the server keeps a session row and the browser
//! an HttpOnly, SameSite=Strict cookie (Secure behind TLS) with a random
//! token, which it then sends with every request, media elements and event
//! streams included. Logging out revokes the row, so a copied cookie stops
//! working too.

use aima_core::{ErrorCode, Role};
use axum::extract::State;
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::auth::{key_caller, note_audit, session_cookie, Actor, AuthVia, SESSION_COOKIE};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::password::{decoy_hash, verify_password};
use crate::{AppState, Caller};

/// Who the caller is, as the UI needs it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub workspace: String,
    /// `anonymous` (no key needed on this server), `key` or `cookie`.
    pub via: AuthVia,
    /// The caller's role in `workspace`.
    pub role: Role,
    /// Whether the caller sees server-wide views (workers, models, budget).
    pub admin: bool,
    /// The signed-in user, if the caller is one.
    pub user: Option<SessionUser>,
    /// Every workspace the caller may choose (`X-AIMA-Workspace`).
    pub workspaces: Vec<Membership>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionUser {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Membership {
    pub workspace: String,
    pub role: Role,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// A key made by `aima admin create-key` or `POST /api/v1/keys`.
    #[schema(min_length = 1, max_length = 256)]
    pub api_key: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
    /// The workspace to start in (default: the user's first).
    #[schema(min_length = 1, max_length = 128)]
    pub workspace: Option<String>,
}

async fn info(state: &AppState, caller: Caller) -> ApiResult<SessionInfo> {
    let (user, workspaces) = match &caller.actor.user_id {
        Some(id) => {
            let name = state.store.user(id).await?.map(|u| u.0).unwrap_or_default();
            let memberships = if caller.actor.key_id.is_some() {
                // A key names one workspace, whatever its user may reach.
                vec![(caller.workspace.clone(), caller.role)]
            } else {
                state.store.memberships(id).await?
            };
            (
                Some(SessionUser {
                    id: id.clone(),
                    name,
                }),
                memberships,
            )
        }
        None => (None, vec![(caller.workspace.clone(), caller.role)]),
    };
    Ok(SessionInfo {
        admin: caller.is_admin(state),
        role: caller.role,
        user,
        workspaces: workspaces
            .into_iter()
            .map(|(workspace, role)| Membership { workspace, role })
            .collect(),
        workspace: caller.workspace,
        via: caller.via,
    })
}

/// Who is calling: the workspace, the role and how the request was
/// authenticated.
#[utoipa::path(
    get, path = "/api/v1/auth/session", operation_id = "getSession", tag = "auth",
    responses((status = 200, body = SessionInfo))
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<SessionInfo>> {
    Ok(axum::Json(info(&state, caller).await?))
}

/// A new session, its cookie and the caller it stands for.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    mut caller: Caller,
) -> ApiResult<Response> {
    let token = aima_store::generate_api_key();
    let ttl = state.settings.session_seconds;
    let expires = aima_store::now_ms() + ttl as i64 * 1000;
    let user = if caller.actor.key_id.is_none() {
        caller.actor.user_id.as_deref()
    } else {
        None
    };
    state
        .store
        .create_session(
            &aima_store::hash_api_key(&token),
            user,
            caller.actor.key_id.as_deref(),
            &caller.workspace,
            expires,
        )
        .await?;
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={ttl}{}",
        if tls(headers) { "; Secure" } else { "" }
    );
    let cookie = HeaderValue::from_str(&cookie).map_err(ApiError::internal)?;
    caller.via = AuthVia::Cookie;
    let info = info(state, caller).await?;
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(info)).into_response())
}

/// Sign in with an API key: sets the session cookie the web UI uses.
#[utoipa::path(
    post, path = "/api/v1/auth/session", operation_id = "signIn", tag = "auth", request_body = SignIn,
    security(()),
    responses(
        (status = 200, body = SessionInfo, headers(("Set-Cookie" = String, description = "The HttpOnly session cookie"))),
        (status = 401, description = "The key is not valid (`invalid_api_key`)", body = crate::ErrorBody)
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    Json(body): Json<SignIn>,
) -> ApiResult<Response> {
    let caller = key_caller(&state, body.api_key.trim()).await?;
    note_audit(&extensions, |n| {
        n.workspace = Some(caller.workspace.clone());
        n.actor = Some(caller.actor.clone());
    });
    start_session(&state, &headers, caller).await
}

/// Sign in as a user: sets the session cookie. Attempts are limited per
/// account and per address (429 with `Retry-After`).
#[utoipa::path(
    post, path = "/api/v1/auth/login", operation_id = "login", tag = "auth", request_body = Login,
    security(()),
    responses(
        (status = 200, body = SessionInfo, headers(("Set-Cookie" = String, description = "The HttpOnly session cookie"))),
        (status = 401, description = "Wrong name or password, or a disabled user (`invalid_credentials`)", body = crate::ErrorBody),
        (status = 403, description = "Not a member of the workspace asked for (`forbidden`)", body = crate::ErrorBody),
        (status = 429, description = "Too many attempts (`too_many_requests`); `Retry-After` says when to try again", body = crate::ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait")))
    )
)]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    Json(body): Json<Login>,
) -> ApiResult<Response> {
    // The client behind any trusted proxy: behind a proxy, the TCP peer is
    // the proxy for everyone (`edge`).
    let address = crate::edge::ClientAddr::of(&extensions).map(|ip| ip.to_string());
    let name = body.name.trim();
    note_audit(&extensions, |n| {
        n.actor = Some(Actor {
            kind: "user",
            name: name.chars().take(64).collect(),
            ..Actor::default()
        })
    });
    if let Err(wait) = state.limits.attempt(name, address.as_deref()) {
        let mut resp = ApiError::new(
            ErrorCode::TooManyRequests,
            format!("too many sign-in attempts: try again in {wait} s"),
        )
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return Ok(resp);
    }
    let credentials = state.store.credentials(name).await?;
    // The same work whether or not the name exists.
    let hash = credentials
        .as_ref()
        .map(|c| c.password_hash.as_str())
        .unwrap_or_else(|| decoy_hash());
    let password = body.password.clone();
    let hash = hash.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(ApiError::internal)?;
    let wrong = || ApiError::new(ErrorCode::InvalidCredentials, "wrong name or password");
    let credentials = match credentials {
        Some(c) if matches && !c.disabled => c,
        Some(c) => {
            // Recorded in the user's workspaces' logs: their admins see it.
            let first = state
                .store
                .memberships(&c.user_id)
                .await?
                .into_iter()
                .next();
            note_audit(&extensions, |n| {
                n.workspace = first.map(|(w, _)| w);
                if let Some(a) = n.actor.as_mut() {
                    a.id = Some(c.user_id.clone());
                }
            });
            return Err(wrong());
        }
        None => return Err(wrong()),
    };
    let memberships = state.store.memberships(&credentials.user_id).await?;
    let (workspace, role) = match &body.workspace {
        Some(w) => memberships
            .iter()
            .find(|(m, _)| m == w)
            .cloned()
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Forbidden,
                    format!("you are not a member of workspace {w:?}"),
                )
            })?,
        None => memberships.first().cloned().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Forbidden,
                "you are not a member of any workspace",
            )
        })?,
    };
    let caller = Caller {
        workspace,
        via: AuthVia::Cookie,
        role,
        actor: Actor {
            kind: "user",
            id: Some(credentials.user_id.clone()),
            name: name.to_string(),
            user_id: Some(credentials.user_id),
            key_id: None,
        },
    };
    note_audit(&extensions, |n| {
        n.workspace = Some(caller.workspace.clone());
        n.actor = Some(caller.actor.clone());
    });
    start_session(&state, &headers, caller).await
}

/// Sign out: the session ends on the server and its cookie is cleared.
#[utoipa::path(
    delete, path = "/api/v1/auth/session", operation_id = "signOut", tag = "auth",
    security(()),
    responses((status = 204, description = "Signed out"))
)]
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = session_cookie(&headers) {
        state
            .store
            .revoke_session(&aima_store::hash_api_key(token))
            .await?;
    }
    let cookie = format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if tls(&headers) { "; Secure" } else { "" }
    );
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static("")),
        )],
    )
        .into_response())
}

/// Log out: the same as `DELETE /api/v1/auth/session`.
#[utoipa::path(
    post, path = "/api/v1/auth/logout", operation_id = "logout", tag = "auth",
    security(()),
    responses((status = 204, description = "Signed out"))
)]
pub async fn logout(state: State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    sign_out(state, headers).await
}

/// Whether the browser reached us over TLS: a reverse proxy in front says
/// so with `X-Forwarded-Proto` (AIMA itself listens on plain HTTP).
fn tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}
