//! Who is calling: an API key names a workspace. The key comes as
//! `Authorization: Bearer <key>`, or, for the web UI, from the HttpOnly
//! session cookie that `POST /api/v1/auth/session` sets (a browser cannot
//! put headers on `<video src>` or `EventSource`). A write authenticated by
//! the cookie must also carry the `X-AIMA-CSRF` header, which a page of
//! another site cannot send without the server's consent (no CORS here), so
//! it cannot write with a visitor's session.

use aima_core::ErrorCode;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::Method;

use crate::error::ApiError;
use crate::AppState;

/// The caller's workspace. Every handler that reads or writes workspace data
/// takes this, so no handler can forget to check.
#[derive(Debug, Clone)]
pub struct Caller {
    pub workspace: String,
    /// How the caller proved it.
    pub via: AuthVia,
}

/// How a request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuthVia {
    /// No key: the server allows anonymous requests (loopback only).
    Anonymous,
    /// `Authorization: Bearer <key>`.
    Key,
    /// The web UI's session cookie.
    Cookie,
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "aima_session";
/// The header a cookie-authenticated write must carry.
pub const CSRF_HEADER: &str = "x-aima-csrf";

/// The session cookie's value in a request, if any.
pub(crate) fn session_cookie(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

/// The workspace of a key, or `invalid_api_key`.
pub(crate) async fn workspace_of(state: &AppState, key: &str) -> Result<String, ApiError> {
    if key.is_empty() || key.len() > 256 {
        return Err(ApiError::new(
            ErrorCode::InvalidApiKey,
            "the API key is not valid",
        ));
    }
    let hash = aima_store::hash_api_key(key);
    state
        .store
        .workspace_for_key(&hash)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidApiKey, "the API key is not valid"))
}

impl Caller {
    /// Whether the caller may see server-wide views (every worker, every
    /// workspace's busy time): its workspace is one of
    /// `server.admin_workspaces`. Replaced by roles when users arrive.
    pub fn is_admin(&self, state: &AppState) -> bool {
        state.settings.admin_workspaces.contains(&self.workspace)
    }

    /// `forbidden` (403) unless [`Caller::is_admin`].
    pub fn require_admin(&self, state: &AppState) -> Result<(), ApiError> {
        if self.is_admin(state) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                "server-wide views are for keys of an admin workspace (server.admin_workspaces)",
            ))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let key = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 256)
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidApiKey,
                        "the Authorization header must be `Bearer <api key>`",
                    )
                })?;
            let workspace = workspace_of(state, key).await?;
            return Ok(Caller {
                workspace,
                via: AuthVia::Key,
            });
        }
        if let Some(key) = session_cookie(&parts.headers) {
            let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if !safe && !parts.headers.contains_key(CSRF_HEADER) {
                return Err(ApiError::new(
                    ErrorCode::Forbidden,
                    "a write with the session cookie must carry the X-AIMA-CSRF header",
                ));
            }
            let workspace = workspace_of(state, key).await?;
            return Ok(Caller {
                workspace,
                via: AuthVia::Cookie,
            });
        }
        if state.settings.allow_anonymous {
            return Ok(Caller {
                workspace: state.settings.default_workspace.clone(),
                via: AuthVia::Anonymous,
            });
        }
        Err(ApiError::new(
            ErrorCode::MissingApiKey,
            "send an API key as `Authorization: Bearer <key>` (create one with `aima admin create-key`)",
        ))
    }
}
