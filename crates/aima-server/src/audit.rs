//! The audit log's writer: a layer around every route that records, after
//! the answer, each write and each export with who made it (as the
//! [`crate::Caller`] extractor noted in the request's [`AuditSlot`]), the
//! route, the resource, the outcome and the client's address.
//!
//! Left out on purpose: the ingestion of activity (`/log_activity`, the
//! ActivityWatch heartbeats and events, many per minute per watcher: the
//! events are themselves the record), the worker protocol (the jobs record
//! their own progress) and reads made with POST (ask, face search,
//! prediction, chat). Bodies and query strings are never recorded, so no
//! password, key or media content reaches the log.

use std::collections::HashMap;
use std::sync::Arc;

use aima_store::{NewAudit, Store};
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::AuditSlot;

/// What the layer needs: the store and the operation ids of the document
/// (the action names).
#[derive(Clone)]
pub(crate) struct AuditLayer {
    pub store: Arc<dyn Store>,
    pub actions: Arc<HashMap<(String, String), String>>,
}

/// Operation ids by method and route, read from the OpenAPI document.
pub(crate) fn actions(spec: &utoipa::openapi::OpenApi) -> HashMap<(String, String), String> {
    let mut map = HashMap::new();
    for (path, item) in &spec.paths.paths {
        for (method, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if let Some(id) = op.as_ref().and_then(|o| o.operation_id.clone()) {
                map.insert((method.to_string(), path.clone()), id);
            }
        }
    }
    map
}

const NOT_AUDITED: &[&str] = &[
    "/log_activity",
    "/api/0/buckets/{bucket}/heartbeat",
    "/api/0/buckets/{bucket}/events",
    "/api/v1/ask",
    "/api/v1/search/faces",
    "/api/v1/modes/predict",
    "/v1/chat/completions",
    "/v1/audio/transcriptions",
];

fn audited(method: &Method, route: &str, query: &str) -> bool {
    if route.starts_with("/api/worker/") || NOT_AUDITED.contains(&route) {
        return false;
    }
    match *method {
        Method::GET | Method::HEAD => {
            // Exports: a file of the workspace's data leaves the server.
            route.ends_with("/export")
                || query.split('&').any(|p| {
                    p == "download=true" || (p.starts_with("format=") && p != "format=json")
                })
        }
        Method::OPTIONS => false,
        _ => true,
    }
}

pub(crate) async fn record(
    State(layer): State<AuditLayer>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(route) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
    else {
        return next.run(req).await;
    };
    let method = req.method().clone();
    if !audited(&method, &route, req.uri().query().unwrap_or("")) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    // The client behind any trusted proxy (`edge`).
    let address = crate::edge::ClientAddr::of(req.extensions()).map(|ip| ip.to_string());
    let slot = AuditSlot::default();
    req.extensions_mut().insert(slot.clone());
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let note = slot.0.lock().map(|n| n.clone()).unwrap_or_default();
    let actor = note.actor.unwrap_or_default();
    let outcome = match status {
        200..=399 => "ok".to_string(),
        401 | 403 | 429 => "denied".to_string(),
        s => s.to_string(),
    };
    let action = note.action.unwrap_or_else(|| {
        layer
            .actions
            .get(&(method.to_string(), route.clone()))
            .cloned()
            .unwrap_or_else(|| format!("{method} {route}"))
    });
    let entry = NewAudit {
        workspace: note.workspace.unwrap_or_default(),
        actor_kind: if actor.kind.is_empty() {
            "none".into()
        } else {
            actor.kind.into()
        },
        actor_id: actor.id,
        actor_name: if actor.name.is_empty() {
            "-".into()
        } else {
            actor.name
        },
        action,
        method: method.to_string(),
        route,
        resource: Some(note.resource.unwrap_or(path)),
        outcome,
        status: status as i64,
        address,
    };
    if let Err(e) = layer.store.append_audit(&entry).await {
        tracing::error!(error = %e, action = %entry.action, "cannot write the audit log");
    }
    response
}
