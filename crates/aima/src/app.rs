//! Building the pieces from the configuration, once, at start-up: the store
//! backend from the database URL, the blob store, the worker and the server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aima_analyzers::Registry;
use aima_blobs::{BlobStore, LocalBlobStore, S3BlobStore, S3Config};
use aima_media::MediaTools;
use aima_server::{AppState, ServerSettings};
use aima_store::{SqlStore, Store};
use aima_worker::{Worker, WorkerConfig};
use anyhow::Context;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::Config;

/// The storage side of AIMA, shared by `serve`, `worker` and `admin`.
pub struct Backends {
    pub store: Arc<dyn Store>,
    pub sql: SqlStore,
    pub blobs: Arc<dyn BlobStore>,
}

pub async fn open_backends(cfg: &Config) -> anyhow::Result<Backends> {
    tokio::fs::create_dir_all(&cfg.data_dir)
        .await
        .with_context(|| format!("cannot create data directory {}", cfg.data_dir.display()))?;
    tokio::fs::create_dir_all(cfg.scratch_dir()).await?;
    let url = cfg.database_url();
    let sql = SqlStore::connect_with(&url, cfg.database.max_connections, cfg.sqlite_sync())
        .await
        .with_context(|| format!("cannot open database {}", aima_store::redact_url(&url)))?
        .with_face_match_threshold(cfg.persons.match_threshold);
    sql.ensure_workspace(&cfg.server.default_workspace).await?;
    let blobs: Arc<dyn BlobStore> = match cfg.blobs.backend.as_str() {
        "s3" => {
            let s = &cfg.blobs.s3;
            let store = S3BlobStore::open(
                &S3Config {
                    bucket: s.bucket.clone(),
                    prefix: s.prefix.clone(),
                    endpoint: s.endpoint.clone(),
                    region: s.region.clone(),
                    access_key_id: s.access_key_id.clone(),
                    secret_access_key: s.secret_access_key.clone(),
                    path_style: s.path_style,
                },
                cfg.data_dir.join("staging"),
            )
            .await
            .context("cannot configure the S3 blob store")?;
            store
                .check()
                .await
                .with_context(|| format!("cannot reach {}", store.describe()))?;
            tracing::info!(blobs = store.describe(), "blobs on S3");
            Arc::new(store)
        }
        _ => Arc::new(
            LocalBlobStore::open(cfg.blobs_dir())
                .await
                .with_context(|| {
                    format!("cannot open blob folder {}", cfg.blobs_dir().display())
                })?,
        ),
    };
    Ok(Backends {
        store: Arc::new(sql.clone()),
        sql,
        blobs,
    })
}

use aima_store::WorkspaceRepo as _;

pub fn media_tools(cfg: &Config) -> MediaTools {
    let m = &cfg.media;
    let defaults = aima_media::MediaLimits::default();
    MediaTools::new(
        m.ffmpeg.clone(),
        m.ffprobe.clone(),
        aima_media::MediaLimits {
            max_pixels: m.max_pixels.max(1),
            max_side: m.max_side.max(1),
            max_memory_bytes: m.max_memory_mb.saturating_mul(1024 * 1024),
            max_probes: if m.max_probes == 0 {
                defaults.max_probes
            } else {
                m.max_probes
            },
        },
    )
}

pub fn worker_config(cfg: &Config, concurrency: usize) -> WorkerConfig {
    WorkerConfig {
        concurrency,
        lease: Duration::from_secs(cfg.workers.lease_seconds),
        heartbeat: Duration::from_secs(cfg.workers.heartbeat_seconds),
        poll_interval: Duration::from_millis(cfg.workers.poll_interval_ms.max(10)),
        retry_backoff: Duration::from_secs(cfg.workers.retry_backoff_seconds),
        max_attempts: cfg.workers.max_attempts,
        scratch_dir: cfg.scratch_dir(),
        owner: WorkerConfig::default_owner(),
        capabilities: cfg.workers.capabilities.clone(),
        budget: cfg.budget(),
    }
}

/// A metrics recorder for this process; installed once, later calls reuse it.
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: std::sync::OnceLock<Option<PrometheusHandle>> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .install_recorder()
                .map_err(|e| tracing::warn!(error = %e, "metrics are off"))
                .ok()
        })
        .clone()
}

/// Search as configured (`[search]`), on `store`.
pub fn searcher(cfg: &Config, store: Arc<dyn aima_store::Store>) -> aima_search::Searcher {
    aima_search::Searcher::new(
        store,
        cfg.model_manager(),
        Some(cfg.search.text_model.clone()),
    )
    .with_clip(Some(cfg.search.clip_model.clone()))
}

/// The ask seam: the local model, a remote one if configured, the tools
/// over `store` and search.
pub fn asker(cfg: &Config, store: Arc<dyn aima_store::Store>) -> aima_ask::Asker {
    aima_ask::Asker::new(
        store.clone(),
        Arc::new(searcher(cfg, store)),
        cfg.model_manager(),
        cfg.llm.local_model.clone(),
    )
    .with_remote(cfg.llm.remote())
    .with_utc_offset(cfg.llm.utc_offset_minutes)
}

/// A server that is listening, with its in-process workers.
pub struct Running {
    pub addr: SocketAddr,
    pub shutdown: CancellationToken,
    pub task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Binds, then serves in the background until `shutdown` is cancelled.
/// Binding first lets callers (and tests) use port 0.
pub async fn start_server(cfg: Config) -> anyhow::Result<Running> {
    let backends = open_backends(&cfg).await?;
    let listener = TcpListener::bind(&cfg.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.server.listen))?;
    let addr = listener.local_addr()?;
    let loopback = addr.ip().is_loopback();
    let allow_anonymous = cfg.server.allow_anonymous;
    if allow_anonymous && !loopback {
        if !cfg.server.force_anonymous {
            anyhow::bail!(
                "refusing to listen on {addr} with anonymous access on: anyone who reaches it would be an admin. \
                 Set server.allow_anonymous = false (AIMA__SERVER__ALLOW_ANONYMOUS=false) and sign in with users \
                 (aima admin create-user) or keys (aima admin create-key), or listen on 127.0.0.1; \
                 --force-anonymous (server.force_anonymous) listens anyway"
            );
        }
        tracing::warn!(%addr, "anonymous access on a non-loopback address (server.force_anonymous): anyone who reaches it is an admin");
    }
    let registry = Registry::builtin();
    let tools = media_tools(&cfg);
    let shutdown = CancellationToken::new();

    let worker = (cfg.workers.count > 0).then(|| {
        Arc::new(Worker::new(
            backends.store.clone(),
            backends.blobs.clone(),
            registry.clone(),
            tools.clone(),
            cfg.model_manager(),
            worker_config(&cfg, cfg.workers.count),
        ))
    });
    let state = AppState::new(aima_server::Services {
        store: backends.store.clone(),
        blobs: backends.blobs.clone(),
        registry,
        tools,
        models: cfg.model_manager(),
        settings: Arc::new(ServerSettings {
            max_upload_bytes: cfg.server.max_upload_bytes,
            allow_anonymous,
            default_workspace: cfg.server.default_workspace.clone(),
            max_attempts: cfg.workers.max_attempts,
            budget: cfg.budget(),
            billing: cfg.billing(),
            default_pipeline: cfg.pipeline.default.clone(),
            admin_workspaces: cfg.server.admin_workspaces.clone(),
            default_models: cfg.default_models(),
            session_seconds: cfg.auth.session_hours.max(1) * 3600,
            webhooks_allow_private: cfg.webhooks.allow_private,
            metrics_token: (!cfg.server.metrics_token.is_empty())
                .then(|| cfg.server.metrics_token.clone()),
            allowed_hosts: cfg.server.allowed_hosts.clone(),
            allowed_origins: cfg.server.allowed_origins.clone(),
            trusted_proxies: aima_server::parse_networks(&cfg.server.trusted_proxies)
                .map_err(|e| anyhow::anyhow!("server.trusted_proxies: {e}"))?,
            ..ServerSettings::default()
        }),
        wake: worker.as_ref().map(|w| w.waker()),
        metrics: metrics_handle(),
        modes: Default::default(),
        searcher: searcher(&cfg, backends.store.clone()),
        asker: Arc::new(asker(&cfg, backends.store.clone())),
        pulls: Default::default(),
        limits: Arc::new(aima_server::LoginLimits::new(
            cfg.auth.login_attempts_per_account,
            cfg.auth.login_attempts_per_address,
        )),
        health: Some(Arc::new(crate::doctor::ServerReport(cfg.clone()))),
    });
    let dispatcher = aima_webhooks::Dispatcher::new(
        backends.store.clone(),
        aima_webhooks::Settings {
            allow_private: cfg.webhooks.allow_private,
            timeout: Duration::from_secs_f64(cfg.webhooks.timeout_seconds.clamp(0.1, 600.0)),
            max_attempts: cfg.webhooks.max_attempts.max(1),
            retry_base: Duration::from_secs_f64(cfg.webhooks.retry_seconds.clamp(0.01, 3600.0)),
            ..aima_webhooks::Settings::default()
        },
    )
    .context("cannot make the webhooks' HTTP client")?;
    let indexer = (cfg.search.indexer && !cfg.search.text_model.is_empty()).then(|| {
        Arc::new(aima_search::TextIndexer::new(
            backends.store.clone(),
            cfg.model_manager(),
            &cfg.search.text_model,
        ))
    });
    let provisioner = if cfg.autoscale.pools.is_empty() {
        None
    } else {
        let server_url = if cfg.autoscale.server_url.is_empty() {
            format!("http://{addr}")
        } else {
            cfg.autoscale.server_url.clone()
        };
        let p = aima_autoscale::Provisioner::new(
            backends.store.clone(),
            aima_autoscale::Settings {
                server_url,
                interval: Duration::from_millis(cfg.autoscale.interval_ms),
                notify: cfg.server.admin_workspaces.clone(),
                budget: cfg.budget(),
                log_dir: cfg.data_dir.join("autoscale"),
            },
            &cfg.autoscale,
        )
        .map_err(anyhow::Error::msg)?;
        tracing::info!(
            pools = cfg.autoscale.pools.len(),
            "autoscale: workers are started when jobs wait"
        );
        Some(p)
    };
    // Budgets in money: alerts and the blocks of spent budgets.
    let monitor = cfg
        .billing()
        .filter(|_| cfg.billing.monthly_budget > 0.0 || cfg.billing.daily_budget > 0.0)
        .map(|b| {
            aima_billing::Monitor::new(
                backends.store.clone(),
                b,
                cfg.server.admin_workspaces.clone(),
            )
        });
    let webui_dir =
        (!cfg.server.webui_dir.is_empty()).then(|| std::path::PathBuf::from(&cfg.server.webui_dir));
    if let Some(dir) = &webui_dir {
        anyhow::ensure!(
            dir.join("index.html").is_file(),
            "server.webui_dir {}: no index.html there (build the UI with `npm --prefix ui run build`)",
            dir.display()
        );
    } else if !aima_webui::built() {
        tracing::warn!("this binary was built without its web UI: / explains how to build it");
    }
    let app = aima_server::router_with_ui(state, Some(aima_webui::router(webui_dir)));
    tracing::info!(%addr, workers = cfg.workers.count, anonymous = allow_anonymous, "aima listening on http://{addr}");
    startup_summary(&cfg, addr).await;

    let grace = Duration::from_secs(cfg.server.shutdown_grace_seconds);
    let token = shutdown.clone();
    let sql = backends.sql.clone();
    let (gc_store, gc_blobs) = (backends.store.clone(), backends.blobs.clone());
    let task = tokio::spawn(async move {
        let workers = worker.map(|w| tokio::spawn(w.run(token.clone())));
        // Blobs of deleted media that their request did not get to remove.
        let janitor = tokio::spawn(aima_server::janitor::run(gc_store, gc_blobs, token.clone()));
        let indexer = indexer.map(|i| tokio::spawn(i.run(token.clone())));
        let webhooks = tokio::spawn(dispatcher.run(token.clone()));
        let provisioner = provisioner.map(|p| tokio::spawn(p.run(token.clone())));
        let monitor = monitor.map(|m| tokio::spawn(m.run(token.clone())));
        let server_token = token.clone();
        // The client's address reaches handlers (sign-in limits, audit log).
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let serve = axum::serve(listener, app)
            .with_graceful_shutdown(async move { server_token.cancelled().await });
        serve.await.context("server failed")?;
        // Open SSE streams and slow clients do not hold the process past the grace time.
        if let Some(w) = workers {
            if tokio::time::timeout(grace, w).await.is_err() {
                tracing::warn!("workers did not stop within the grace period");
            }
        }
        if let Some(i) = indexer {
            let _ = tokio::time::timeout(grace, i).await;
        }
        let _ = tokio::time::timeout(grace, webhooks).await;
        let _ = tokio::time::timeout(grace, janitor).await;
        for task in [provisioner, monitor].into_iter().flatten() {
            let _ = tokio::time::timeout(grace, task).await;
        }
        sql.close().await;
        tracing::info!("stopped");
        Ok(())
    });
    Ok(Running {
        addr,
        shutdown,
        task,
    })
}

/// What a person starting `aima serve` wants to know: where the API, its
/// documentation and the data are, what an upload runs by default, and
/// which of the models that needs are missing (with the command that
/// fetches them).
async fn startup_summary(cfg: &Config, addr: SocketAddr) {
    tracing::info!("API: http://{addr}/api/v1 (documentation: http://{addr}/docs)");
    let database = aima_store::redact_url(&cfg.database_url());
    tracing::info!(
        "data: {} (database {database}, blobs: {})",
        cfg.data_dir.display(),
        if cfg.blobs.backend == "s3" {
            "S3"
        } else {
            "local folder"
        }
    );
    let models = cfg.model_manager();
    tracing::info!(
        "models: {}; uploads without a pipeline run: {}",
        models.dir().display(),
        if cfg.pipeline.default.is_empty() {
            "nothing".to_string()
        } else {
            cfg.pipeline.default.join(",")
        }
    );
    // Pulls (from the admin page too) write there: said now, not at the
    // first pull.
    let folder = crate::doctor::writable("models folder", models.dir(), "models.dir");
    if folder.outcome == crate::doctor::Outcome::Fail {
        tracing::warn!(
            "models folder not writable: {}; pulls will fail until you {}",
            folder.detail,
            folder.fix.unwrap_or_default()
        );
    }
    if cfg.workers.count == 0 {
        return; // this process runs no analyzer
    }
    let mut missing = Vec::new();
    for name in cfg.default_models() {
        match models.status(&name).await {
            Ok(s) if s.state == aima_models::State::Installed => {}
            _ => missing.push(name),
        }
    }
    if missing.is_empty() {
        tracing::info!("default models: all installed");
    } else {
        tracing::warn!(
            "default models missing: {}; the stages that need them fail with model_missing (the others still run) until `aima models pull --default`",
            missing.join(", ")
        );
    }
}

/// Serves a worker's metrics until `shutdown`; returns the bound address.
pub async fn serve_worker_metrics(
    addr: &str,
    handle: PrometheusHandle,
    shutdown: CancellationToken,
) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    let app = aima_server::worker_metrics_router(handle);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
    });
    Ok(bound)
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
