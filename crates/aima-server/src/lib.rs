//! The HTTP API of AIMA.
//!
//! Architecture invariant: this is the only crate that knows HTTP. Handlers
//! parse requests, call the store, the blob store and the analyzer registry,
//! and map results to JSON; they hold no business state of their own.

mod auth;
mod error;
mod extract;
mod middleware;
mod modes;
mod openapi;
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

pub use auth::Caller;
pub use error::{ApiError, ErrorBody};
pub use modes::ModeCache;
pub use openapi::openapi_json;

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
        }
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub blobs: Arc<dyn BlobStore>,
    pub registry: Registry,
    pub tools: MediaTools,
    pub models: aima_models::ModelManager,
    pub settings: Arc<ServerSettings>,
    /// Woken when a job is queued, so in-process workers start at once.
    pub wake: Option<Arc<Notify>>,
    pub metrics: Option<PrometheusHandle>,
    /// Serializes, per content hash, storing bytes with recording them and
    /// deleting a record with deleting unshared bytes (see [`BlobLocks`]).
    pub blob_locks: Arc<BlobLocks>,
    /// Active mode models, loaded once per version.
    pub modes: Arc<ModeCache>,
}

/// Striped locks by content hash. Without them an upload could move bytes
/// into place just before a delete of another media with the same bytes
/// decides they are unused and removes them. This closes the race within
/// one server process. Across several servers on one database the race is
/// still open (a known limit, see README): closing it needs a PostgreSQL
/// advisory lock held around the blob write, or a garbage collector with a
/// grace period instead of the immediate delete.
#[derive(Debug)]
pub struct BlobLocks(Vec<tokio::sync::Mutex<()>>);

impl Default for BlobLocks {
    fn default() -> Self {
        Self((0..64).map(|_| tokio::sync::Mutex::new(())).collect())
    }
}

impl BlobLocks {
    pub async fn lock(&self, sha256: &str) -> tokio::sync::MutexGuard<'_, ()> {
        let i = u8::from_str_radix(sha256.get(..2).unwrap_or("00"), 16).unwrap_or(0) as usize;
        self.0[i % self.0.len()].lock().await
    }
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

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (api, spec) = openapi::api_router().split_for_parts();
    let spec = Arc::new(spec);
    Router::new()
        .merge(api)
        .merge(routes::system::router(spec))
        .merge(routes::openai::router())
        .merge(routes::aw::router())
        .merge(routes::activity::log_router())
        .merge(routes::workers::router())
        .fallback(routes::system::not_found)
        .method_not_allowed_fallback(routes::system::method_not_allowed)
        .with_state(state)
        .layer(axum::middleware::from_fn(middleware::observe))
        .layer(middleware::request_id_layers())
}
