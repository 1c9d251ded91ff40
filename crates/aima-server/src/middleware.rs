use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

use crate::error::InternalDetail;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Gives every request an `x-request-id` (kept if the client sent one) and
/// echoes it in the response.
pub fn request_id_layers() -> ServiceBuilder<
    tower::layer::util::Stack<
        PropagateRequestIdLayer,
        tower::layer::util::Stack<SetRequestIdLayer<MakeRequestUuid>, tower::layer::util::Identity>,
    >,
> {
    ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
}

/// One span per request (with its id), one log line per response, HTTP
/// metrics by route template, and the log line for internal errors that the
/// client was not shown.
pub async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let span = tracing::info_span!("request", id = %request_id, method = %method, route = %route);
    let response = tracing::Instrument::instrument(next.run(req), span.clone()).await;
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    let _enter = span.enter();
    if let Some(InternalDetail(detail)) = response.extensions().get::<InternalDetail>() {
        tracing::error!(status, detail = %detail, "request failed");
    } else if route != "/healthz" && route != "/metrics" {
        tracing::info!(status, elapsed_ms = elapsed.as_millis() as u64, "request");
    }
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("aima_http_requests_total", &labels).increment(1);
    metrics::histogram!("aima_http_request_duration_seconds", &labels)
        .record(elapsed.as_secs_f64());
    response
}
