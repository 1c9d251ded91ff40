//! `/api/v1/auth/session`: the web UI's sign-in with an API key. The key is
//! checked once and kept in an HttpOnly, SameSite=Strict cookie (Secure
//! behind TLS), which the browser then sends with every request, media
//! elements and event streams included. Users with passwords, their
//! sessions and roles replace the key here when they arrive (issue 16).

use aima_core::ErrorCode;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::auth::{workspace_of, AuthVia, SESSION_COOKIE};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::{AppState, Caller};

/// Who the caller is, as the UI needs it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub workspace: String,
    /// `anonymous` (no key needed on this server), `key` or `cookie`.
    pub via: AuthVia,
    /// Whether the caller sees server-wide views (workers, models, budget).
    pub admin: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// A key made by `aima admin create-key`.
    #[schema(min_length = 1, max_length = 256)]
    pub api_key: String,
}

/// How long a browser keeps the session cookie.
const SESSION_SECONDS: u64 = 30 * 24 * 3600;

/// Who is calling: the workspace and how the request was authenticated.
#[utoipa::path(
    get, path = "/api/v1/auth/session", operation_id = "getSession", tag = "auth",
    responses((status = 200, body = SessionInfo))
)]
pub async fn get(State(state): State<AppState>, caller: Caller) -> axum::Json<SessionInfo> {
    axum::Json(SessionInfo {
        admin: caller.is_admin(&state),
        workspace: caller.workspace,
        via: caller.via,
    })
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
    Json(body): Json<SignIn>,
) -> ApiResult<Response> {
    let key = body.api_key.trim();
    let workspace = workspace_of(&state, key).await?;
    let secure = tls(&headers);
    let cookie = format!(
        "{SESSION_COOKIE}={key}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}{}",
        if secure { "; Secure" } else { "" }
    );
    let cookie = HeaderValue::from_str(&cookie)
        .map_err(|_| ApiError::new(ErrorCode::InvalidApiKey, "the API key is not valid"))?;
    let info = SessionInfo {
        admin: state.settings.admin_workspaces.contains(&workspace),
        workspace,
        via: AuthVia::Cookie,
    };
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(info)).into_response())
}

/// Sign out: the session cookie is cleared.
#[utoipa::path(
    delete, path = "/api/v1/auth/session", operation_id = "signOut", tag = "auth",
    security(()),
    responses((status = 204, description = "Signed out"))
)]
pub async fn sign_out(headers: HeaderMap) -> Response {
    let cookie = format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if tls(&headers) { "; Secure" } else { "" }
    );
    (
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static("")),
        )],
    )
        .into_response()
}

/// Whether the browser reached us over TLS: a reverse proxy in front says
/// so with `X-Forwarded-Proto` (AIMA itself listens on plain HTTP).
fn tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}
