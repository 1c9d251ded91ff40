//! Who is calling, in which workspace, and whether its role allows the
//! route: decided here, once, before any handler runs.
//!
//! A caller proves itself with an API key (`Authorization: Bearer <key>`)
//! or with the session cookie that `POST /api/v1/auth/login` (a user's
//! password) or `POST /api/v1/auth/session` (a key, for the web UI) sets;
//! the cookie holds a random session token, never the key. A write
//! authenticated by the cookie must also carry the `X-AIMA-CSRF` header,
//! which a page of another site cannot send without the server's consent
//! (no CORS here), so it cannot write with a visitor's session.
//!
//! The workspace is the key's; a user's session may choose another of the
//! user's workspaces with `X-AIMA-Workspace`. The role is the user's role
//! there (for a user's key, the narrower of the key's and the user's);
//! keys without a user (`aima admin create-key`) act with their own role,
//! admin unless made narrower. [`crate::policy::required_role`] then says
//! whether the role suffices.

use std::sync::{Arc, Mutex};

use aima_core::{ErrorCode, Role};
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};

use crate::error::ApiError;
use crate::AppState;

/// The caller of a request. Every handler that reads or writes workspace
/// data takes this, so no handler can forget to check.
#[derive(Debug, Clone)]
pub struct Caller {
    pub workspace: String,
    /// How the caller proved it.
    pub via: AuthVia,
    pub role: Role,
    pub actor: Actor,
}

/// Who acts, as the audit log records it.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// `user`, `key` or `anonymous`.
    pub kind: &'static str,
    /// The user's or the key's id.
    pub id: Option<String>,
    pub name: String,
    /// The user behind the request, if any (a session, or a user's key).
    pub user_id: Option<String>,
    /// The key used, directly or to sign in.
    pub key_id: Option<String>,
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
/// The header that chooses one of a user's workspaces.
pub const WORKSPACE_HEADER: &str = "x-aima-workspace";

/// The session cookie's value in a request, if any.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty() && v.len() <= 256)
}

fn invalid_key(message: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidApiKey, message.to_string())
}

/// Who a key acts as, or `invalid_api_key` (unknown, revoked, expired, or
/// its user disabled or no longer a member).
pub(crate) async fn key_caller(state: &AppState, key: &str) -> Result<Caller, ApiError> {
    if key.is_empty() || key.len() > 256 {
        return Err(invalid_key("the API key is not valid"));
    }
    let auth = state
        .store
        .key_auth(&aima_store::hash_api_key(key))
        .await?
        .ok_or_else(|| invalid_key("the API key is not valid"))?;
    caller_of_key(auth)
}

pub(crate) fn caller_of_key(auth: aima_store::KeyAuth) -> Result<Caller, ApiError> {
    if auth.expires_at.is_some_and(|t| t <= aima_store::now_ms()) {
        return Err(invalid_key("the API key has expired"));
    }
    let role = match &auth.user {
        None => auth.role,
        Some(u) if u.disabled => return Err(invalid_key("the key's user is disabled")),
        Some(u) => match u.role {
            Some(user_role) => auth.role.min(user_role),
            None => return Err(invalid_key("the key's user left its workspace")),
        },
    };
    Ok(Caller {
        workspace: auth.workspace,
        via: AuthVia::Key,
        role,
        actor: Actor {
            kind: if auth.user.is_some() { "user" } else { "key" },
            id: Some(
                auth.user
                    .as_ref()
                    .map(|u| u.id.clone())
                    .unwrap_or(auth.id.clone()),
            ),
            name: match &auth.user {
                Some(u) => format!("{} (key {})", u.name, auth.name),
                None => auth.name.clone(),
            },
            user_id: auth.user.as_ref().map(|u| u.id.clone()),
            key_id: Some(auth.id),
        },
    })
}

/// Who a session cookie acts as, or `invalid_session`.
async fn session_caller(
    state: &AppState,
    token: &str,
    chosen: Option<&str>,
) -> Result<Caller, ApiError> {
    let expired = || {
        ApiError::new(
            ErrorCode::InvalidSession,
            "the session has ended: sign in again",
        )
    };
    let session = state
        .store
        .session(&aima_store::hash_api_key(token))
        .await?
        .ok_or_else(expired)?;
    if let Some(key_id) = &session.key_id {
        let auth = state.store.key_auth_id(key_id).await?.ok_or_else(expired)?;
        let mut caller = caller_of_key(auth).map_err(|_| expired())?;
        caller.via = AuthVia::Cookie;
        return choose(caller, chosen);
    }
    let user_id = session.user_id.ok_or_else(expired)?;
    let user = state.store.user(&user_id).await?.ok_or_else(expired)?;
    if user.1 {
        return Err(expired());
    }
    let memberships = state.store.memberships(&user_id).await?;
    let workspace = chosen.unwrap_or(&session.workspace);
    let role = memberships
        .iter()
        .find(|(w, _)| w == workspace)
        .map(|(_, r)| *r)
        .ok_or_else(|| not_a_member(workspace))?;
    Ok(Caller {
        workspace: workspace.to_string(),
        via: AuthVia::Cookie,
        role,
        actor: Actor {
            kind: "user",
            id: Some(user_id.clone()),
            name: user.0,
            user_id: Some(user_id),
            key_id: None,
        },
    })
}

fn not_a_member(workspace: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Forbidden,
        format!("you are not a member of workspace {workspace:?}"),
    )
}

/// A key names one workspace: `X-AIMA-Workspace` may only repeat it.
fn choose(caller: Caller, chosen: Option<&str>) -> Result<Caller, ApiError> {
    match chosen {
        Some(w) if w != caller.workspace => Err(not_a_member(w)),
        _ => Ok(caller),
    }
}

/// Authentication alone: who the request comes from.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let chosen = parts
        .headers
        .get(WORKSPACE_HEADER)
        .map(|v| {
            v.to_str()
                .ok()
                .filter(|w| !w.is_empty() && w.len() <= 128)
                .ok_or_else(|| {
                    ApiError::new(ErrorCode::InvalidParameter, "X-AIMA-Workspace is not valid")
                })
        })
        .transpose()?;
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let key = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 256)
            .ok_or_else(|| invalid_key("the Authorization header must be `Bearer <api key>`"))?;
        return choose(key_caller(state, key).await?, chosen);
    }
    if let Some(token) = session_cookie(&parts.headers) {
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe && !parts.headers.contains_key(CSRF_HEADER) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "a write with the session cookie must carry the X-AIMA-CSRF header",
            ));
        }
        return session_caller(state, token, chosen).await;
    }
    if state.settings.allow_anonymous {
        if crate::edge::cross_origin_write(
            &parts.method,
            &parts.headers,
            &state.settings.allowed_origins,
        ) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "a write from a web page of another origin needs an API key or a session \
                 (or its origin in server.allowed_origins)",
            ));
        }
        let caller = Caller {
            workspace: state.settings.default_workspace.clone(),
            via: AuthVia::Anonymous,
            role: Role::Admin,
            actor: Actor {
                kind: "anonymous",
                name: "anonymous".into(),
                ..Actor::default()
            },
        };
        return choose(caller, chosen);
    }
    Err(ApiError::new(
        ErrorCode::MissingApiKey,
        "send an API key as `Authorization: Bearer <key>` (create one with `aima admin create-key`), or sign in",
    ))
}

impl Caller {
    /// Whether the caller may see server-wide views (every worker, every
    /// workspace's busy time, models): an admin of one of
    /// `server.admin_workspaces`.
    pub fn is_admin(&self, state: &AppState) -> bool {
        self.role == Role::Admin && state.settings.admin_workspaces.contains(&self.workspace)
    }

    /// `forbidden` (403) unless [`Caller::is_admin`].
    pub fn require_admin(&self, state: &AppState) -> Result<(), ApiError> {
        if self.is_admin(state) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                "server-wide views are for admins of an admin workspace (server.admin_workspaces)",
            ))
        }
    }

    /// `forbidden` unless the caller's role is at least `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "this needs the {role} role in workspace {:?}; yours is {}",
                    self.workspace, self.role
                ),
            ))
        }
    }
}

/// What the audit layer learns of a request from inside it: who acted
/// (filled by the extractor, even when the role did not suffice) and what
/// a handler names as the resource it made.
#[derive(Clone, Default)]
pub(crate) struct AuditSlot(pub Arc<Mutex<AuditNote>>);

#[derive(Default, Debug, Clone)]
pub(crate) struct AuditNote {
    pub workspace: Option<String>,
    pub actor: Option<Actor>,
    pub resource: Option<String>,
    pub action: Option<String>,
}

impl AuditSlot {
    pub(crate) fn of(parts: &axum::http::Extensions) -> Option<AuditSlot> {
        parts.get::<AuditSlot>().cloned()
    }

    pub(crate) fn update(&self, f: impl FnOnce(&mut AuditNote)) {
        if let Ok(mut note) = self.0.lock() {
            f(&mut note);
        }
    }
}

/// Notes, for the audit log, what a handler made or who it concerned.
pub(crate) fn note_audit(extensions: &axum::http::Extensions, f: impl FnOnce(&mut AuditNote)) {
    if let Some(slot) = AuditSlot::of(extensions) {
        slot.update(f);
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Extracted once per request (a handler may take it twice).
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = authenticate(parts, state).await?;
        note_audit(&parts.extensions, |n| {
            n.workspace = Some(caller.workspace.clone());
            n.actor = Some(caller.actor.clone());
        });
        if let Some(route) = parts.extensions.get::<MatchedPath>() {
            caller.require(crate::policy::required_role(&parts.method, route.as_str()))?;
        }
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// Attempts at signing in, limited per account and per client address
/// (governor's keyed token buckets; each attempt takes a token, a bucket
/// refills at its rate).
pub struct LoginLimits {
    accounts: governor::DefaultKeyedRateLimiter<String>,
    addresses: governor::DefaultKeyedRateLimiter<String>,
}

impl LoginLimits {
    pub fn new(per_account_per_minute: u32, per_address_per_minute: u32) -> Self {
        use std::num::NonZeroU32;
        let quota = |n: u32| {
            governor::Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
        };
        Self {
            accounts: governor::RateLimiter::keyed(quota(per_account_per_minute)),
            addresses: governor::RateLimiter::keyed(quota(per_address_per_minute)),
        }
    }

    /// Takes a token for this account and address; the seconds to wait if
    /// either has none left.
    pub fn attempt(&self, account: &str, address: Option<&str>) -> Result<(), u64> {
        use governor::clock::{Clock, DefaultClock};
        let now = DefaultClock::default().now();
        let wait = |n: governor::NotUntil<_>| n.wait_time_from(now).as_secs().max(1);
        if let Some(address) = address {
            self.addresses
                .check_key(&address.to_string())
                .map_err(wait)?;
        }
        self.accounts
            .check_key(&account.to_lowercase())
            .map_err(wait)?;
        if self.accounts.len() > 100_000 {
            self.accounts.retain_recent();
            self.addresses.retain_recent();
        }
        Ok(())
    }
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self::new(10, 30)
    }
}
