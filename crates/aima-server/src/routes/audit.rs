//! `GET /api/v1/audit`: the workspace's audit log for its admins, newest
//! first, filtered and paged, as JSON or CSV. Admins of an admin workspace
//! also see what belongs to no workspace (failed logins of unknown names).

use aima_core::{Cursor, ErrorCode};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::extract::{parse_time, Query};
use crate::{AppState, Caller};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditItem {
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// The name of who acted: a user, a key (`user (key name)` for a
    /// user's key), `anonymous`, or `-` when nobody was authenticated.
    pub actor: String,
    /// `user`, `key`, `anonymous` or `none`.
    pub actor_kind: String,
    /// The user's or key's id.
    pub actor_id: Option<String>,
    /// The operation (its id in the OpenAPI document, e.g. `uploadMedia`).
    pub action: String,
    pub method: String,
    /// The route template.
    pub route: String,
    /// What was acted on: the path, or the kind and id of what was made.
    pub resource: Option<String>,
    /// `ok`, `denied` (401, 403, 429) or the HTTP status.
    pub outcome: String,
    pub status: i64,
    /// The client's address.
    pub address: Option<String>,
    pub workspace: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditItem>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// A user's or key's name or id.
    #[param(max_length = 128)]
    actor: Option<String>,
    /// An operation id, e.g. `deleteMedia`.
    #[param(max_length = 128)]
    action: Option<String>,
    /// `ok`, `denied` or a status.
    #[param(max_length = 16)]
    outcome: Option<String>,
    #[param(schema_with = crate::openapi::time_param)]
    since: Option<String>,
    #[param(schema_with = crate::openapi::time_param)]
    until: Option<String>,
    /// 1 to 1000, default 100.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    #[param(schema_with = crate::openapi::event_cursor_param)]
    cursor: Option<String>,
    /// `json` (default) or `csv`.
    #[param(pattern = "^(json|csv)?$")]
    format: Option<String>,
}

/// The audit log: every write and sign-in, who, what, when, from where and
/// how it ended.
#[utoipa::path(
    get, path = "/api/v1/audit", operation_id = "listAudit", tag = "team", params(AuditQuery),
    responses(
        (status = 200, description = "JSON, or CSV with `format=csv`", content((AuditPage = "application/json"), (String = "text/csv"))),
        (status = 403, description = "Not an admin (`forbidden`)", body = crate::ErrorBody)
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    let csv = super::wants_csv(q.format.as_deref())?;
    let bad = |m: &str| ApiError::new(ErrorCode::InvalidParameter, m.to_string());
    for (name, value, max) in [
        ("actor", &q.actor, 128),
        ("action", &q.action, 128),
        ("outcome", &q.outcome, 16),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            return Err(bad(&format!("{name} has at most {max} characters")));
        }
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(bad("limit is 1 to 1000"));
    }
    let before = match q.cursor.as_deref() {
        Some(c) => Some(
            Cursor::decode(c)
                .and_then(|c| c.id.parse::<i64>().ok())
                .ok_or_else(|| bad("cursor is not one this listing gave"))?,
        ),
        None => None,
    };
    let filter = aima_store::AuditFilter {
        actor: q.actor,
        action: q.action,
        outcome: q.outcome,
        since: q
            .since
            .as_deref()
            .map(|v| parse_time("since", v))
            .transpose()?,
        until: q
            .until
            .as_deref()
            .map(|v| parse_time("until", v))
            .transpose()?,
    };
    let mut workspaces = vec![caller.workspace.clone()];
    if caller.is_admin(&state) {
        workspaces.push(String::new());
    }
    let mut rows = state
        .store
        .list_audit(&workspaces, &filter, limit + 1, before)
        .await?;
    let next_cursor = (rows.len() > limit as usize).then(|| {
        rows.truncate(limit as usize);
        rows.last()
            .map(|r| {
                Cursor {
                    created_at: r.at,
                    id: r.id.to_string(),
                }
                .encode()
            })
            .unwrap_or_default()
    });
    let items: Vec<AuditItem> = rows
        .into_iter()
        .map(|r| AuditItem {
            id: r.id,
            at: r.at,
            actor: r.entry.actor_name,
            actor_kind: r.entry.actor_kind,
            actor_id: r.entry.actor_id,
            action: r.entry.action,
            method: r.entry.method,
            route: r.entry.route,
            resource: r.entry.resource,
            outcome: r.entry.outcome,
            status: r.entry.status,
            address: r.entry.address,
            workspace: r.entry.workspace,
        })
        .collect();
    if csv {
        use super::csv_field;
        let mut out = String::from(
            "id,at,actor,actor_kind,actor_id,action,method,route,resource,outcome,status,address,workspace\n",
        );
        for i in &items {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                i.id,
                i.at,
                csv_field(&i.actor),
                csv_field(&i.actor_kind),
                csv_field(i.actor_id.as_deref().unwrap_or_default()),
                csv_field(&i.action),
                csv_field(&i.method),
                csv_field(&i.route),
                csv_field(i.resource.as_deref().unwrap_or_default()),
                csv_field(&i.outcome),
                i.status,
                csv_field(i.address.as_deref().unwrap_or_default()),
                csv_field(&i.workspace),
            ));
        }
        let mut resp = ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response();
        if let Some(c) = next_cursor.and_then(|c| axum::http::HeaderValue::from_str(&c).ok()) {
            resp.headers_mut().insert("x-next-cursor", c);
        }
        return Ok(resp);
    }
    Ok(axum::Json(AuditPage { items, next_cursor }).into_response())
}
