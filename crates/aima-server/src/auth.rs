//! Who is calling: an API key names a workspace.

use aima_core::ErrorCode;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::AppState;

/// The caller's workspace. Every handler that reads or writes workspace data
/// takes this, so no handler can forget to check.
#[derive(Debug, Clone)]
pub struct Caller {
    pub workspace: String,
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
        match parts.headers.get(AUTHORIZATION) {
            Some(value) => {
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
                let hash = aima_store::hash_api_key(key);
                match state.store.workspace_for_key(&hash).await? {
                    Some(workspace) => Ok(Caller { workspace }),
                    None => Err(ApiError::new(
                        ErrorCode::InvalidApiKey,
                        "the API key is not valid",
                    )),
                }
            }
            None if state.settings.allow_anonymous => Ok(Caller {
                workspace: state.settings.default_workspace.clone(),
            }),
            None => Err(ApiError::new(
                ErrorCode::MissingApiKey,
                "send an API key as `Authorization: Bearer <key>` (create one with `aima admin create-key`)",
            )),
        }
    }
}
