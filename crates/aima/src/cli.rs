//! The `aima` command line.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aima_analyzers::Registry;
use aima_core::Pipeline;
use aima_worker::Worker;
use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use tokio_util::sync::CancellationToken;

use crate::app;
use crate::config::{Config, Overrides, DEFAULT_CONFIG_TOML};

#[derive(Debug, Parser)]
#[command(
    name = "aima",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("AIMA_COMMIT"), ")"),
    about = "AIMA: media and activity insight, self-hosted"
)]
pub struct Cli {
    /// Configuration file (TOML). Default: $AIMA_CONFIG, else ~/.config/aima/config.toml if present.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Models folder (shared by every data directory).
    #[arg(long, global = true, value_name = "DIR")]
    models_dir: Option<PathBuf>,
    /// Data directory (database, blobs, scratch).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// Log format.
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API with in-process workers.
    Serve {
        /// HOST:PORT to listen on.
        #[arg(long)]
        listen: Option<String>,
        /// In-process workers (0: only queue jobs).
        #[arg(long)]
        workers: Option<usize>,
        /// Serve the web UI from this folder (e.g. ui/dist) instead of the
        /// one built into the binary.
        #[arg(long, value_name = "DIR")]
        webui_dir: Option<String>,
        /// Listen on a non-loopback address although anonymous access is on
        /// (`server.allow_anonymous`): anyone who reaches it is an admin.
        #[arg(long)]
        force_anonymous: bool,
    },
    /// Run workers only, on the same database and data directory as a server.
    Worker {
        /// Jobs run at once.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
        /// Serve this worker's Prometheus metrics on HOST:PORT (/metrics).
        #[arg(long, value_name = "HOST:PORT")]
        metrics_listen: Option<String>,
        /// Exit (status 0) after this long with nothing to run, e.g. `10m`,
        /// `90s`, `1h`: lets a rented GPU machine switch itself off.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        exit_when_idle: Option<Duration>,
        /// Pull jobs from this server over HTTP(S) instead of the database
        /// (a worker on another machine); needs --token.
        #[arg(long, value_name = "URL", requires = "token")]
        server: Option<String>,
        /// A worker token (aima admin create-worker-token).
        #[arg(long, env = "AIMA_WORKER_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// A capability this worker has, e.g. `gpu` (repeat the flag); stages
        /// that require it are routed here.
        #[arg(long = "capability", value_name = "NAME")]
        capabilities: Vec<String>,
        /// Names this worker in leases, logs and `GET /api/v1/workers`
        /// (default: HOST:PID).
        #[arg(long, env = "AIMA_WORKER_NAME")]
        name: Option<String>,
    },
    /// Run a pipeline on a local file, without a server, and print the insights.
    Analyze {
        file: PathBuf,
        /// Analyzers, comma-separated, e.g. probe,keyframes.
        #[arg(long, default_value = "probe")]
        pipeline: String,
        /// Options per analyzer as JSON, e.g. '{"transcribe": {"quantization": "q8_0"}}'.
        #[arg(long, value_name = "JSON")]
        options: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
        format: OutputFormat,
        /// Copy artifacts (thumbnails...) into this folder.
        #[arg(long, value_name = "DIR")]
        artifacts: Option<PathBuf>,
        /// Run the stages one after another, each decoding the media
        /// itself, instead of together on one decoder: less memory at once,
        /// slower (how AIMA ran before; BENCHMARKS.md compares both).
        #[arg(long)]
        one_by_one: bool,
    },
    /// Watch this desktop (X11): send the active window, idle time and
    /// input activity to a server as ActivityWatch heartbeats; buffered on
    /// disk while the server is unreachable.
    Watch {
        /// The AIMA server (default: http:// + server.listen).
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// API key (needed unless the server is on loopback).
        #[arg(long, env = "AIMA_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Seconds between samples.
        #[arg(long, default_value_t = 30.0)]
        interval: f64,
        /// Seconds without input after which the user counts as idle.
        #[arg(long, default_value_t = 180.0)]
        idle_after: f64,
        /// X display (default: $DISPLAY).
        #[arg(long)]
        display: Option<String>,
        /// Where heartbeats wait while the server is away (default: DATA_DIR/watch-spool.jsonl).
        #[arg(long, value_name = "FILE")]
        spool: Option<PathBuf>,
        /// Names this machine's bucket (default: the host name).
        #[arg(long)]
        hostname: Option<String>,
    },
    /// Search what was said, shown or named in a workspace's media (the
    /// same hits as `GET /api/v1/search`), straight from the database;
    /// `aima search reindex` rebuilds the index of search by meaning.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Search {
        #[command(subcommand)]
        action: Option<SearchCommand>,
        /// Words, `prefix*` and `"a phrase"`; every term must match.
        #[arg(required = true)]
        query: Option<String>,
        /// `hybrid` (words and meaning), `text` or `semantic`.
        #[arg(long, value_enum, default_value_t = SearchModeArg::Hybrid)]
        mode: SearchModeArg,
        #[arg(long, default_value = aima_core::DEFAULT_WORKSPACE)]
        workspace: String,
        /// Only insights of this analyzer (transcribe, ocr, objects, clip).
        #[arg(long)]
        analyzer: Option<String>,
        #[arg(long)]
        media_id: Option<String>,
        /// Newest media first instead of best match first.
        #[arg(long)]
        by_date: bool,
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
        limit: u32,
        /// `json` (the API's `{"items": [...]}`) or `text` (a hit per line, matches in [brackets]).
        #[arg(long, value_enum, default_value_t = SearchFormat::Text)]
        format: SearchFormat,
    },
    /// Ask a question in English or German about the workspace's activity
    /// and media; prints the answer and its citations (the same answer as
    /// `POST /api/v1/ask`), straight from the database.
    Ask {
        question: String,
        #[arg(long, default_value = aima_core::DEFAULT_WORKSPACE)]
        workspace: String,
        /// Your offset from UTC in minutes (default: `llm.utc_offset_minutes`).
        #[arg(long, allow_hyphen_values = true)]
        utc_offset_minutes: Option<i32>,
        /// Print the API's JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Models: list, fetch, verify, remove.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Check what AIMA needs (ffmpeg, models, database, disk, the server)
    /// and say what to do about what is missing; exit 1 if anything is.
    Doctor,
    /// Administration: workspaces and API keys.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Show configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
enum SearchCommand {
    /// Embeds every transcript segment and OCR line again with the
    /// configured `search.text_model` (after changing it, or with `--all`
    /// to rebuild), showing progress. Servers keep answering meanwhile:
    /// texts are queued and embedded in small transactions.
    Reindex {
        /// Every text, not only those without a vector of the current model.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SearchModeArg {
    Hybrid,
    Text,
    Semantic,
}

impl From<SearchModeArg> for aima_core::search::SearchMode {
    fn from(m: SearchModeArg) -> Self {
        match m {
            SearchModeArg::Hybrid => Self::Hybrid,
            SearchModeArg::Text => Self::Text,
            SearchModeArg::Semantic => Self::Semantic,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SearchFormat {
    Json,
    Text,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputFormat {
    /// Every insight, as the API's `{"items": [...]}`.
    Json,
    /// One insight per line.
    Text,
    /// The transcript as SubRip subtitles.
    Srt,
    /// The transcript as WebVTT subtitles.
    Vtt,
    /// The transcript as plain text.
    Txt,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a token for a remote worker (`aima worker --server URL --token T`),
    /// granted the jobs of the given workspaces; printed once, stored hashed.
    CreateWorkerToken {
        /// A unique name for the worker (shown in leases and logs).
        #[arg(long)]
        name: String,
        /// Workspaces whose jobs it may pull (repeat the flag).
        #[arg(long = "workspace", required = true)]
        workspaces: Vec<String>,
    },
    /// Revoke a worker token by id or name: it stops working at its next request.
    RevokeWorkerToken { id_or_name: String },
    /// Create an API key for a workspace (created if new) and print it once.
    CreateKey {
        #[arg(long, default_value = aima_core::DEFAULT_WORKSPACE)]
        workspace: String,
        /// A label to recognise the key by.
        #[arg(long, default_value = "cli")]
        name: String,
        /// What the key may do: viewer, editor or admin.
        #[arg(long, default_value = "admin")]
        role: String,
    },
    /// Create a user with a role in a workspace (created if new), the
    /// password read from the first line of standard input; for a user that
    /// exists, give it the role in that workspace (its password unchanged).
    CreateUser {
        #[arg(long, default_value = aima_core::DEFAULT_WORKSPACE)]
        workspace: String,
        #[arg(long)]
        name: String,
        /// viewer, editor or admin.
        #[arg(long)]
        role: String,
    },
}

#[derive(Debug, Subcommand)]
enum ModelsCommand {
    /// Every known model: kind, size, license, installed or not.
    List,
    /// Fetch models (and re-fetch any file that is missing or corrupt).
    Pull {
        #[arg(required_unless_present = "default")]
        names: Vec<String>,
        /// Every model the default pipeline (`pipeline.default`) needs.
        #[arg(long)]
        default: bool,
    },
    /// Re-hash installed models (all installed ones when none are named).
    Verify { names: Vec<String> },
    /// Remove an installed model.
    Rm { name: String },
    /// Print an installed model's folder.
    Path { name: String },
    /// Print a model's catalog entry as JSON: files, sources, and each image
    /// model's descriptor (input, layout, colours, normalisation, decoder).
    Show { name: String },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print a complete, commented configuration file with the defaults.
    Default,
    /// Print the configuration in effect (passwords hidden).
    Show,
}

/// `90s`, `10m`, `1h 30m` (humantime's syntax), between 1 ms and 30 days.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s.trim())
        .map_err(|e| format!("{s:?} is not a duration like 90s, 10m or 1h: {e}"))?;
    if d < Duration::from_millis(1) || d > Duration::from_secs(30 * 86_400) {
        return Err(format!("{s:?} must be between 1 ms and 30 days"));
    }
    Ok(d)
}

fn init_logging(cfg: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        // whisper.cpp reports model details at info level: keep them for debug.
        .or_else(|_| EnvFilter::try_new(format!("{},whisper_rs=warn", cfg.log.level)))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = if cfg.log.format == "json" {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder.compact().try_init()
    };
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Config(ConfigCommand::Default) = cli.command {
        print!("{DEFAULT_CONFIG_TOML}");
        return Ok(());
    }
    let (listen, workers, webui_dir, force_anonymous) = match &cli.command {
        Command::Serve {
            listen,
            workers,
            webui_dir,
            force_anonymous,
        } => (
            listen.clone(),
            *workers,
            webui_dir.clone(),
            force_anonymous.then_some(true),
        ),
        _ => (None, None, None, None),
    };
    let overrides = Overrides {
        data_dir: cli.data_dir.clone(),
        listen,
        webui_dir,
        force_anonymous,
        database: cli.database.clone(),
        workers,
        models_dir: cli.models_dir.clone(),
        log_format: cli.log_format.map(|f| match f {
            LogFormat::Text => "text".into(),
            LogFormat::Json => "json".into(),
        }),
    };
    let cfg = Config::load(cli.config.as_deref(), &overrides)?;
    init_logging(&cfg);
    aima_analyzers::vision::set_threads(cfg.workers.inference_threads);

    match cli.command {
        Command::Config(ConfigCommand::Default) => Ok(()),
        Command::Config(ConfigCommand::Show) => {
            print!("{}", cfg.to_redacted_toml());
            Ok(())
        }
        Command::Serve { .. } => {
            let running = app::start_server(cfg).await?;
            let shutdown = running.shutdown.clone();
            tokio::spawn(async move {
                app::shutdown_signal().await;
                tracing::info!(
                    "shutting down: no new requests or jobs; running jobs go back to the queue"
                );
                shutdown.cancel();
            });
            running.task.await.context("server task failed")?
        }
        Command::Worker {
            concurrency,
            metrics_listen,
            exit_when_idle,
            server,
            token,
            capabilities,
            name,
        } => {
            if let Some(n) = &name {
                if n.trim().is_empty() || n.len() > 100 || n.chars().any(char::is_control) {
                    bail!("--name must be 1-100 characters, none of them control characters");
                }
            }
            for c in &capabilities {
                if let Err(m) = aima_core::validate_capability(c) {
                    bail!("--capability: {m}");
                }
            }
            let mut wcfg = app::worker_config(&cfg, concurrency.max(1));
            if let Some(n) = name {
                wcfg.owner = n;
            }
            for c in capabilities {
                if !wcfg.capabilities.contains(&c) {
                    wcfg.capabilities.push(c);
                }
            }
            let mut backends = None;
            let worker = match (server, token) {
                (Some(server), Some(token)) => {
                    tokio::fs::create_dir_all(cfg.scratch_dir()).await?;
                    let source = aima_worker::remote::HttpSource::new(
                        &server,
                        &token,
                        &cfg.scratch_dir().join("downloads"),
                    )?;
                    tracing::info!(%server, "pulling jobs over HTTP");
                    Arc::new(Worker::with_source(
                        Arc::new(source),
                        Registry::builtin(),
                        app::media_tools(&cfg),
                        cfg.model_manager(),
                        wcfg,
                    ))
                }
                _ => {
                    let b = app::open_backends(&cfg).await?;
                    let w = Arc::new(Worker::new(
                        b.store.clone(),
                        b.blobs.clone(),
                        Registry::builtin(),
                        app::media_tools(&cfg),
                        cfg.model_manager(),
                        wcfg,
                    ));
                    backends = Some(b);
                    w
                }
            };
            let shutdown = CancellationToken::new();
            let token = shutdown.clone();
            tokio::spawn(async move {
                app::shutdown_signal().await;
                tracing::info!("shutting down: running jobs go back to the queue");
                token.cancel();
            });
            if let Some(addr) = metrics_listen {
                let handle = app::metrics_handle().context("metrics are not available")?;
                let bound = app::serve_worker_metrics(&addr, handle, shutdown.clone()).await?;
                tracing::info!(%bound, "worker metrics on http://{bound}/metrics");
            }
            if let Some(limit) = exit_when_idle {
                worker.exit_when_idle(limit, shutdown.clone());
            }
            tracing::info!(concurrency, "aima worker started");
            worker.clone().run(shutdown).await;
            if let Some(b) = backends {
                b.sql.close().await;
            }
            if worker.refused() {
                bail!("the server refused this worker's token (revoked or unknown)");
            }
            Ok(())
        }
        Command::Analyze {
            file,
            pipeline,
            options,
            format,
            artifacts,
            one_by_one,
        } => {
            let schedule = match one_by_one {
                true => aima_analyzers::Schedule::OneByOne,
                false => aima_analyzers::Schedule::Together,
            };
            let options = options.as_deref();
            analyze(&cfg, file, &pipeline, options, format, artifacts, schedule).await
        }
        Command::Watch {
            server,
            token,
            interval,
            idle_after,
            display,
            spool,
            hostname,
        } => {
            if !(0.1..=3600.0).contains(&interval) || !(1.0..=86_400.0).contains(&idle_after) {
                bail!("--interval must be 0.1 to 3600 seconds and --idle-after 1 to 86400");
            }
            let hostname = hostname.unwrap_or_else(|| {
                std::fs::read_to_string("/etc/hostname")
                    .map(|h| h.trim().to_string())
                    .unwrap_or_else(|_| "localhost".into())
            });
            aima_core::activity::validate_bucket_id(&format!("aima-watch_{hostname}"))
                .map_err(|e| anyhow::anyhow!("--hostname: {e}"))?;
            let watch = aima_watch::WatchConfig {
                server: server.unwrap_or_else(|| format!("http://{}", cfg.server.listen)),
                token,
                hostname,
                interval: Duration::from_secs_f64(interval),
                idle_after: Duration::from_secs_f64(idle_after),
                spool: spool.unwrap_or_else(|| cfg.data_dir.join("watch-spool.jsonl")),
            };
            let mut probe = aima_watch::x11::X11Probe::connect(display.as_deref())?;
            let shutdown = CancellationToken::new();
            let token = shutdown.clone();
            tokio::spawn(async move {
                app::shutdown_signal().await;
                token.cancel();
            });
            tracing::info!(server = %watch.server, bucket = %watch.bucket(), "aima watch started");
            aima_watch::run(watch, &mut probe, shutdown).await?;
            Ok(())
        }
        Command::Models(cmd) => models(&cfg, cmd).await,
        Command::Doctor => {
            let checks = crate::doctor::run(&cfg).await;
            print!("{}", crate::doctor::render(&checks));
            let failed = checks
                .iter()
                .filter(|c| c.outcome == crate::doctor::Outcome::Fail)
                .count();
            if failed > 0 {
                bail!("{failed} check(s) failed: see above for what to do");
            }
            Ok(())
        }
        Command::Admin(AdminCommand::CreateWorkerToken { name, workspaces }) => {
            for w in &workspaces {
                if let Err(m) = aima_core::validate_workspace(w) {
                    bail!(m);
                }
            }
            if name.trim().is_empty() || name.len() > 100 {
                bail!("--name must be 1-100 characters");
            }
            let backends = app::open_backends(&cfg).await?;
            let token = aima_store::generate_api_key().replacen("aima_", "aimaw_", 1);
            backends
                .store
                .create_worker_token(&name, &workspaces, &aima_store::hash_api_key(&token))
                .await?;
            backends.sql.close().await;
            println!("{token}");
            eprintln!("worker token {name:?} for {workspaces:?} created; it is shown only once.");
            Ok(())
        }
        Command::Admin(AdminCommand::RevokeWorkerToken { id_or_name }) => {
            let backends = app::open_backends(&cfg).await?;
            let r = backends.store.revoke_worker_token(&id_or_name).await;
            backends.sql.close().await;
            match r {
                Ok(()) => {
                    eprintln!("worker token {id_or_name:?} revoked");
                    Ok(())
                }
                Err(aima_store::StoreError::NotFound) => {
                    bail!("no active worker token {id_or_name:?}")
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Search {
            action: Some(SearchCommand::Reindex { all }),
            ..
        } => reindex(&cfg, all).await,
        Command::Search {
            action: None,
            query,
            mode,
            workspace,
            analyzer,
            media_id,
            by_date,
            limit,
            format,
        } => {
            let query = query.unwrap_or_default();
            let terms = aima_core::search::parse_query(&query).map_err(anyhow::Error::msg)?;
            let q = aima_core::SearchQuery {
                terms,
                analyzer,
                media_id,
                person_id: None,
                kind: None,
                created_after: None,
                created_before: None,
                sort: if by_date {
                    aima_core::SearchSort::Date
                } else {
                    aima_core::SearchSort::Relevance
                },
                min_score: 0.0,
                offset: 0,
                limit,
            };
            let backends = app::open_backends(&cfg).await?;
            let searcher = app::searcher(&cfg, backends.store.clone());
            let hits = searcher.search(&workspace, mode.into(), &query, &q).await;
            backends.sql.close().await;
            print_hits(&hits?, format)
        }
        Command::Ask {
            question,
            workspace,
            utc_offset_minutes,
            json,
        } => {
            let backends = app::open_backends(&cfg).await?;
            let asker = app::asker(&cfg, backends.store.clone());
            let q = aima_ask::Question {
                text: question,
                utc_offset_minutes,
                now_ms: None,
            };
            let answer = asker.ask(&workspace, &q, |_| {}).await;
            backends.sql.close().await;
            let answer = answer?;
            if json {
                println!("{}", serde_json::to_string_pretty(&answer)?);
            } else {
                println!("{}", answer.answer);
                for c in &answer.citations {
                    println!("[{}] {}", c.id, c.text);
                }
            }
            Ok(())
        }
        Command::Admin(AdminCommand::CreateKey {
            workspace,
            name,
            role,
        }) => {
            let role = member_args(&workspace, &name, &role)?;
            let backends = app::open_backends(&cfg).await?;
            let key = aima_store::generate_api_key();
            backends
                .store
                .create_key(&aima_store::NewKey {
                    workspace: workspace.clone(),
                    name,
                    key_hash: aima_store::hash_api_key(&key),
                    prefix: aima_store::key_prefix(&key),
                    role,
                    user_id: None,
                    expires_at: None,
                })
                .await?;
            backends.sql.close().await;
            println!("{key}");
            eprintln!(
                "API key ({role}) for workspace {workspace:?} created; it is shown only once."
            );
            Ok(())
        }
        Command::Admin(AdminCommand::CreateUser {
            workspace,
            name,
            role,
        }) => {
            let role = member_args(&workspace, &name, &role)?;
            let backends = app::open_backends(&cfg).await?;
            let result = async {
                if let Some(existing) = backends.store.credentials(&name).await? {
                    backends
                        .store
                        .add_member(&workspace, &existing.user_id, role)
                        .await?;
                    eprintln!("user {name:?} is now {role} in workspace {workspace:?} (password unchanged)");
                    return anyhow::Ok(());
                }
                let mut password = String::new();
                std::io::stdin().read_line(&mut password)?;
                let password = password.trim_end_matches(['\r', '\n']);
                if let Some(problem) = aima_server::check_password(password) {
                    bail!("{problem} (the password is read from the first line of standard input)");
                }
                let hash = aima_server::hash_password(password).map_err(anyhow::Error::msg)?;
                let user = backends
                    .store
                    .create_user(&workspace, &name, &hash, role)
                    .await?;
                println!("{}", user.id);
                eprintln!("user {name:?} created, {role} in workspace {workspace:?}");
                Ok(())
            }
            .await;
            backends.sql.close().await;
            result
        }
    }
}

/// The workspace, name and role of `create-key` and `create-user`, checked.
fn member_args(workspace: &str, name: &str, role: &str) -> anyhow::Result<aima_core::Role> {
    if let Err(m) = aima_core::validate_workspace(workspace) {
        bail!(m);
    }
    if !aima_core::valid_name(name) {
        bail!("--name: {}", aima_core::NAME_RULE);
    }
    aima_core::Role::parse(role).ok_or_else(|| anyhow::anyhow!("--role is viewer, editor or admin"))
}

async fn models(cfg: &Config, cmd: ModelsCommand) -> anyhow::Result<()> {
    use aima_models::State;
    let manager = cfg
        .model_manager()
        .with_progress(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match cmd {
        ModelsCommand::List => {
            let models = manager.list().await?;
            // Columns as wide as their longest entry.
            let rows: Vec<[String; 6]> = models
                .iter()
                .map(|m| {
                    let label = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
                    [
                        m.name.clone(),
                        label(serde_json::to_value(m.kind).unwrap_or_default()),
                        format!("{:.1} MB", m.size as f64 / 1e6),
                        // Long licence notes in full: `aima models show NAME`.
                        if m.license.chars().count() > 24 {
                            format!("{}…", m.license.chars().take(23).collect::<String>())
                        } else {
                            m.license.clone()
                        },
                        label(serde_json::to_value(m.state).unwrap_or_default()),
                        if m.state == State::Installed {
                            m.path.display().to_string()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect();
            let header = ["NAME", "KIND", "SIZE", "LICENSE", "STATE", "PATH"].map(String::from);
            let width = |i: usize| {
                std::iter::once(&header)
                    .chain(&rows)
                    .map(|r| r[i].chars().count())
                    .max()
                    .unwrap_or(0)
            };
            let (w0, w1, w2, w3, w4) = (width(0), width(1), width(2), width(3), width(4));
            for r in std::iter::once(&header).chain(&rows) {
                let line = format!(
                    "{:<w0$} {:<w1$} {:>w2$}  {:<w3$} {:<w4$} {}",
                    r[0], r[1], r[2], r[3], r[4], r[5]
                );
                println!("{}", line.trim_end());
            }
            Ok(())
        }
        ModelsCommand::Pull { mut names, default } => {
            if default {
                for m in cfg.default_models() {
                    if !names.contains(&m) {
                        names.push(m);
                    }
                }
            }
            // Every model is tried, whatever happens to the one before: a
            // source that is down costs that model, not the rest.
            let mut rows = Vec::new();
            for name in &names {
                let before = manager.status(name).await.map(|s| s.state);
                let row = match manager.pull(name).await {
                    Ok(dir) if matches!(before, Ok(State::Installed)) => {
                        ("already installed", dir.display().to_string())
                    }
                    Ok(dir) => ("installed", dir.display().to_string()),
                    Err(e) => ("FAILED", e.to_string().replace("\n  ", "; ")),
                };
                match row.0 {
                    "FAILED" => eprintln!("{name}: FAILED: {}", row.1),
                    done => eprintln!("{name}: {done} in {}", row.1),
                }
                rows.push((name.clone(), row.0, row.1));
            }
            let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(5);
            println!("{:<width$}  {:<17}  detail", "model", "result");
            for (name, result, detail) in &rows {
                println!("{name:<width$}  {result:<17}  {detail}");
            }
            let failed = rows.iter().filter(|r| r.1 == "FAILED").count();
            if failed > 0 {
                bail!(
                    "{failed} of {} model(s) could not be installed; the others are ready. \
                     Try again later, or install a failed one from a file: \
                     models.local_dirs (see `aima models show NAME` for its sources)",
                    rows.len()
                );
            }
            Ok(())
        }
        ModelsCommand::Verify { names } => {
            let names = if names.is_empty() {
                manager
                    .list()
                    .await?
                    .into_iter()
                    .filter(|m| m.state != State::Missing)
                    .map(|m| m.name)
                    .collect()
            } else {
                names
            };
            let mut bad = 0;
            for name in names {
                let v = manager.verify(&name).await?;
                if v.bad.is_empty() {
                    println!("{name}: ok");
                } else {
                    bad += 1;
                    println!(
                        "{name}: CORRUPT ({}); run `aima models pull {name}`",
                        v.bad.join(", ")
                    );
                }
            }
            if bad > 0 {
                bail!("{bad} model(s) failed verification");
            }
            Ok(())
        }
        ModelsCommand::Rm { name } => {
            manager.remove(&name).await?;
            eprintln!("{name}: removed");
            Ok(())
        }
        ModelsCommand::Path { name } => {
            let status = manager.status(&name).await?;
            if status.state != State::Installed {
                bail!("model {name:?} is not installed; fetch it with `aima models pull {name}`");
            }
            println!("{}", status.path.display());
            Ok(())
        }
        ModelsCommand::Show { name } => {
            let Some(entry) = manager.catalog().get(&name) else {
                bail!(
                    "unknown model {name:?}; known models: {}",
                    manager.catalog().names().join(", ")
                );
            };
            println!("{}", serde_json::to_string_pretty(entry)?);
            Ok(())
        }
    }
}

async fn analyze(
    cfg: &Config,
    file: PathBuf,
    pipeline: &str,
    options: Option<&str>,
    format: OutputFormat,
    artifacts: Option<PathBuf>,
    schedule: aima_analyzers::Schedule,
) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let mut pipeline = Pipeline::parse_list(pipeline)?;
    if let Some(json) = options {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
            .context("--options must be a JSON object of analyzer options")?;
        for (name, opts) in map {
            let stage = pipeline
                .0
                .iter_mut()
                .find(|s| s.name == name)
                .with_context(|| {
                    format!("--options names {name:?}, which is not in the pipeline")
                })?;
            stage.options = opts;
        }
    }
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    tokio::spawn(async move {
        app::shutdown_signal().await;
        token.cancel();
    });
    let insights = aima_analyzers::analyze_file_with(
        &file,
        &pipeline,
        &Registry::builtin(),
        &app::media_tools(cfg),
        &cfg.model_manager(),
        artifacts.as_deref(),
        schedule,
        &cancel,
    )
    .await?;
    match format {
        OutputFormat::Json => {
            let out = serde_json::json!({ "items": insights });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        OutputFormat::Srt | OutputFormat::Vtt | OutputFormat::Txt => {
            use aima_core::transcript::{render, segments_from_insights, TranscriptFormat};
            let f = match format {
                OutputFormat::Srt => TranscriptFormat::Srt,
                OutputFormat::Vtt => TranscriptFormat::Vtt,
                _ => TranscriptFormat::Txt,
            };
            print!("{}", render(f, &segments_from_insights(&insights)));
        }
        OutputFormat::Text => {
            for i in insights {
                let end = i.end.map(|e| format!("-{}", clock(e))).unwrap_or_default();
                println!(
                    "{}{end}\t{}\t{}\t{}",
                    clock(i.start),
                    i.analyzer,
                    i.kind,
                    i.data
                );
            }
        }
    }
    Ok(())
}

/// `aima search reindex`: queue, then embed until nothing is pending.
async fn reindex(cfg: &Config, all: bool) -> anyhow::Result<()> {
    if cfg.search.text_model.is_empty() {
        bail!("search by meaning is off: search.text_model is empty");
    }
    let backends = app::open_backends(cfg).await?;
    let indexer = aima_search::TextIndexer::new(
        backends.store.clone(),
        cfg.model_manager(),
        &cfg.search.text_model,
    );
    indexer
        .requeue(all, |last| eprint!("\rqueued texts up to insight {last}"))
        .await?;
    eprintln!();
    let done = indexer
        .drain(|s| eprint!("\r{} indexed, {} pending   ", s.indexed, s.pending))
        .await;
    eprintln!();
    backends.sql.close().await;
    let done = done?;
    println!(
        "{} texts have vectors of {}",
        done.indexed, cfg.search.text_model
    );
    Ok(())
}

fn print_hits(hits: &[aima_core::SearchHit], format: SearchFormat) -> anyhow::Result<()> {
    match format {
        SearchFormat::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({ "items": hits }))?
            );
        }
        SearchFormat::Text => {
            for h in hits {
                // The matches in [brackets], by character offset.
                let mut text = String::new();
                for (i, c) in h.text.chars().enumerate() {
                    if h.marks.iter().any(|m| m[1] == i) {
                        text.push(']');
                    }
                    if h.marks.iter().any(|m| m[0] == i) {
                        text.push('[');
                    }
                    text.push(c);
                }
                if h.marks.iter().any(|m| m[1] == h.text.chars().count()) {
                    text.push(']');
                }
                let end = h.end.map(|e| format!("-{}", clock(e))).unwrap_or_default();
                println!(
                    "{}\t{}{end}\t{}\t{}",
                    h.media_id,
                    clock(h.start),
                    h.analyzer.as_deref().unwrap_or(&h.kind),
                    text
                );
            }
        }
    }
    Ok(())
}

/// `HH:MM:SS.mmm`
fn clock(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_format() {
        assert_eq!(clock(0.0), "00:00:00.000");
        assert_eq!(clock(3725.5), "01:02:05.500");
    }

    #[test]
    fn cli_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        for bad in ["", "ten", "40d", "-1s", "0s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
