//! The HTTP API of AIMA.
//!
//! Architecture invariant: this is the only crate that knows HTTP. Handlers
//! parse requests, call the store, the blob store and the analyzer registry,
//! and map results to JSON; they hold no business state of their own.

mod audit;
mod auth;
mod edge;
mod error;
mod extract;
pub mod health;
pub mod janitor;
mod middleware;
mod modes;
mod openapi;
mod password;
mod policy;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use aima_analyzers::Registry;
use aima_blobs::BlobStore;
use aima_media::MediaTools;
use aima_store::Store;
use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::sync::Notify;

pub use auth::{Actor, AuthVia, Caller, LoginLimits};
pub use edge::parse_networks;
pub use error::{ApiError, ErrorBody};
pub use modes::ModeCache;
pub use openapi::openapi_json;
pub use password::{check_password, hash_password};
pub use policy::required_role;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Largest upload accepted, in bytes; enforced while streaming.
    pub max_upload_bytes: u64,
    /// Requests without an API key act in `default_workspace`. The binary
    /// only allows this when the server listens on loopback.
    pub allow_anonymous: bool,
    pub default_workspace: String,
    /// Attempts a job gets before it fails.
    pub max_attempts: i64,
    /// How often an SSE stream looks at its job.
    pub events_poll: Duration,
    /// A daily budget of busy seconds for remote workers with a capability.
    pub budget: Option<aima_store::Budget>,
    /// Prices and budgets in money (`[billing]`), when any capability has a
    /// price: `GET /api/v1/usage` reports the month's cost.
    pub billing: Option<aima_billing::Billing>,
    /// Analyzers run on an upload that names no pipeline (those that
    /// apply to its kind of media); empty: such uploads queue nothing.
    pub default_pipeline: Vec<String>,
    /// Workspaces whose keys also see server-wide views (every worker, the
    /// busy time of all workspaces, the budget). Other keys see their own
    /// workspace only.
    pub admin_workspaces: Vec<String>,
    /// The models `aima models pull --default` installs (shown as such).
    pub default_models: Vec<String>,
    /// How long a browser session lasts.
    pub session_seconds: u64,
    /// Webhooks may point at loopback, private and link-local addresses.
    pub webhooks_allow_private: bool,
    /// The bearer token `/metrics` wants, if any.
    pub metrics_token: Option<String>,
    /// Host names answered while anonymous access is on, beside loopback
    /// names and IP addresses (see `edge`).
    pub allowed_hosts: Vec<String>,
    /// Origins whose pages may write while anonymous access is on.
    pub allowed_origins: Vec<String>,
    /// Reverse proxies whose forwarded headers name the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            max_upload_bytes: 2 * 1024 * 1024 * 1024,
            allow_anonymous: false,
            default_workspace: aima_core::DEFAULT_WORKSPACE.into(),
            max_attempts: 3,
            events_poll: Duration::from_millis(250),
            budget: None,
            billing: None,
            default_pipeline: Vec::new(),
            admin_workspaces: vec![aima_core::DEFAULT_WORKSPACE.into()],
            default_models: Vec::new(),
            session_seconds: 7 * 24 * 3600,
            webhooks_allow_private: false,
            metrics_token: None,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
        }
    }
}

/// What every handler can reach: one shared allocation, so that a clone
/// is one reference count. axum clones the state for every request, several
/// times through its layers; a copy of the services themselves is a few
/// allocations (the registry's list, the tools' paths, the searcher's
/// names) and a dozen reference counts. Under 50 heartbeating clients
/// `perf` put that copy at under 2 % of the server's time, and the
/// heartbeat rate did not change beyond noise (BENCHMARKS.md, "ActivityWatch
/// API beside aw-server-rust").
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The services behind [`AppState`].
pub struct Services {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub registry: Registry,
    pub tools: MediaTools,
    pub models: aima_models::ModelManager,
    pub settings: Arc<ServerSettings>,
    /// Woken when a job is queued, so in-process workers start at once.
    pub wake: Option<Arc<Notify>>,
    pub metrics: Option<PrometheusHandle>,
    /// Active mode models, loaded once per version.
    pub modes: Arc<ModeCache>,
    /// Search by words and by meaning.
    pub searcher: aima_search::Searcher,
    /// Questions answered from the workspace's data.
    pub asker: Arc<aima_ask::Asker>,
    /// Model pulls started through the API.
    pub pulls: Arc<routes::models::ModelPulls>,
    /// Sign-in attempts per account and address.
    pub limits: Arc<LoginLimits>,
    /// The checks behind `GET /api/v1/health/details` (none: an empty list).
    pub health: Option<Arc<dyn health::HealthReport>>,
}

/// What a separate `aima worker` process serves: its own Prometheus metrics
/// (job and stage durations, jobs finished by state) and liveness.
pub fn worker_metrics_router(handle: PrometheusHandle) -> Router {
    use axum::routing::get;
    Router::new()
        .route(
            "/metrics",
            get(move || {
                let handle = handle.clone();
                async move {
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4",
                        )],
                        handle.render(),
                    )
                }
            }),
        )
        .route(
            "/healthz",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
}

/// The whole HTTP application, without a web UI.
pub fn router(state: AppState) -> Router {
    router_with_ui(state, None)
}

/// The whole HTTP application. `ui` answers the GET and HEAD requests
/// outside the API's paths (the web UI, `aima_webui`); everything under
/// `/api/` and `/v1/` stays the API's, with its JSON 404.
pub fn router_with_ui(state: AppState, ui: Option<Router>) -> Router {
    let (api, spec) = openapi::api();
    let audit = audit::AuditLayer {
        store: state.store.clone(),
        actions: Arc::new(audit::actions(&spec)),
    };
    let spec = Arc::new(spec);
    let edge = axum::middleware::from_fn_with_state(state.clone(), edge::guard);
    let fallback = move |req: axum::extract::Request| {
        let ui = ui.clone();
        async move {
            use axum::response::IntoResponse;
            use tower::ServiceExt;
            let path = req.uri().path();
            let api_path = [
                "/api/",
                "/v1/",
                "/metrics",
                "/healthz",
                "/readyz",
                "/log_activity",
            ]
            .iter()
            .any(|p| path.starts_with(p));
            let read = matches!(
                *req.method(),
                axum::http::Method::GET | axum::http::Method::HEAD
            );
            match ui {
                Some(ui) if read && !api_path => match ui.oneshot(req).await {
                    Ok(resp) => resp,
                    Err(never) => match never {},
                },
                _ => routes::system::not_found().await.into_response(),
            }
        }
    };
    Router::new()
        .merge(api)
        .merge(routes::system::router(spec))
        .merge(routes::openai::router())
        .merge(routes::chat::router())
        .merge(routes::aw::router())
        .merge(routes::activity::log_router())
        .merge(routes::workers::router())
        .fallback(fallback)
        .method_not_allowed_fallback(routes::system::method_not_allowed)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(audit, audit::record))
        .layer(edge)
        .layer(axum::middleware::from_fn(middleware::observe))
        .layer(middleware::request_id_layers())
}
