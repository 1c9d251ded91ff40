//! Who may do what: the one table that decides the role a request needs.
//!
//! [`crate::Caller`]'s extractor asks [`required_role`] with the request's
//! method and matched route before any handler runs, so a handler cannot
//! forget the check; `tests/api/team.rs` walks every operation of the
//! OpenAPI document as each role against a table of its own.
//!
//! The rule: reading is for viewers, writing for editors, and a few routes
//! are named below: reads that are POSTs (search, ask, predict, a user's
//! own keys) and what only admins do (users, webhooks, the audit log,
//! workers and models).

use aima_core::Role;
use axum::http::Method;

/// Routes (any method) that only admins use.
const ADMIN: &[&str] = &[
    "/api/v1/users",
    "/api/v1/users/{id}",
    "/api/v1/audit",
    "/api/v1/webhooks",
    "/api/v1/webhooks/{id}",
    "/api/v1/webhooks/{id}/deliveries",
    "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver",
    "/api/v1/workers",
    "/api/v1/models",
    "/api/v1/models/{name}/pull",
    "/api/v1/health/details",
];

/// Writes by method that change nothing a workspace shares: questions,
/// searches, predictions, and a caller's own keys and session.
const VIEWER_WRITES: &[(&str, &str)] = &[
    ("POST", "/api/v1/ask"),
    ("POST", "/api/v1/search/faces"),
    ("POST", "/api/v1/modes/predict"),
    ("POST", "/v1/chat/completions"),
    ("POST", "/api/v1/keys"),
    ("DELETE", "/api/v1/keys/{id}"),
    ("POST", "/api/v1/auth/session"),
    ("DELETE", "/api/v1/auth/session"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
];

/// The least role that may call `method` on `route` (a matched route
/// template such as `/api/v1/media/{id}`).
pub fn required_role(method: &Method, route: &str) -> Role {
    if ADMIN.contains(&route) {
        return Role::Admin;
    }
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || VIEWER_WRITES
            .iter()
            .any(|(m, r)| *m == method.as_str() && *r == route)
    {
        Role::Viewer
    } else {
        Role::Editor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_writes_and_admin_routes() {
        assert_eq!(required_role(&Method::GET, "/api/v1/media"), Role::Viewer);
        assert_eq!(required_role(&Method::POST, "/api/v1/media"), Role::Editor);
        assert_eq!(required_role(&Method::POST, "/api/v1/ask"), Role::Viewer);
        assert_eq!(required_role(&Method::GET, "/api/v1/audit"), Role::Admin);
        assert_eq!(required_role(&Method::POST, "/api/v1/users"), Role::Admin);
        assert_eq!(required_role(&Method::POST, "/log_activity"), Role::Editor);
    }
}
