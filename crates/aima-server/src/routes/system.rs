//! Health, readiness, metrics, OpenAPI, docs, and the analyzer list.

use std::sync::Arc;

use aima_core::{ErrorCode, JobState, MediaKind};
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use utoipa::openapi::OpenApi;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

pub fn router(spec: Arc<OpenApi>) -> Router<AppState> {
    let json = spec.to_pretty_json().unwrap_or_else(|_| "{}".into());
    let docs = utoipa_scalar::Scalar::new(spec.as_ref().clone()).to_html();
    Router::new()
        .route(
            "/healthz",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], json) }
            }),
        )
        .route(
            "/docs",
            get(move || {
                let docs = docs.clone();
                async move { Html(docs) }
            }),
        )
}

async fn readyz(State(state): State<AppState>) -> ApiResult<axum::Json<serde_json::Value>> {
    state.store.ready().await.map_err(ApiError::unavailable)?;
    Ok(axum::Json(serde_json::json!({"status": "ready"})))
}

/// Prometheus text format. Job gauges are read from the database at scrape
/// time, so they count jobs of every process sharing it.
async fn metrics(State(state): State<AppState>) -> ApiResult<Response> {
    let Some(handle) = &state.metrics else {
        return Err(ApiError::new(ErrorCode::NotFound, "metrics are turned off"));
    };
    let counts = state.store.job_counts().await?;
    for s in JobState::ALL {
        let n = counts
            .iter()
            .find(|(state, _)| state == s.as_str())
            .map(|(_, n)| *n)
            .unwrap_or(0);
        metrics::gauge!("aima_jobs", "state" => s.as_str()).set(n as f64);
        if s == JobState::Queued {
            metrics::gauge!("aima_queue_depth").set(n as f64);
        }
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnalyzerInfo {
    pub name: String,
    pub description: String,
    pub accepts: Vec<MediaKind>,
    pub models: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnalyzerList {
    pub items: Vec<AnalyzerInfo>,
}

/// The analyzers this server can run.
#[utoipa::path(get, path = "/api/v1/analyzers", tag = "system", responses((status = 200, body = AnalyzerList)))]
pub async fn analyzers(State(state): State<AppState>) -> axum::Json<AnalyzerList> {
    axum::Json(AnalyzerList {
        items: state
            .registry
            .all()
            .map(|a| AnalyzerInfo {
                name: a.name().into(),
                description: a.description().into(),
                accepts: a.accepts().to_vec(),
                models: a.models().iter().map(|m| m.to_string()).collect(),
            })
            .collect(),
    })
}

pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such endpoint")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "method not allowed on this endpoint",
    )
}
