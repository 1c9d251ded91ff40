//! `aima doctor`: what a newcomer would otherwise find out one error at a
//! time, checked at once, each with what to do about it. Changes nothing:
//! the database is opened as it is (no migration, no new file).

use std::path::Path;
use std::time::Duration;

use aima_store::Store as _;

use crate::config::Config;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Works, with a limit worth knowing.
    Warn,
    /// Something AIMA needs is missing or broken.
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub outcome: Outcome,
    /// What was found.
    pub detail: String,
    /// What to do, when there is something to do.
    pub fix: Option<String>,
}

fn check(name: &str, outcome: Outcome, detail: impl Into<String>, fix: Option<String>) -> Check {
    Check {
        name: name.into(),
        outcome,
        detail: detail.into(),
        fix,
    }
}

/// Every check, in the order a newcomer meets them.
pub async fn run(cfg: &Config) -> Vec<Check> {
    let mut out = checks_of_this_process(cfg).await;
    out.insert(out.len() - 1, server(cfg).await);
    out
}

/// The checks a running server makes of itself (`GET
/// /api/v1/health/details`): all but whether a server answers, which its
/// answer shows.
pub struct ServerReport(pub Config);

impl aima_server::health::HealthReport for ServerReport {
    fn checks(
        &self,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Vec<aima_server::health::HealthCheck>> + Send + '_>,
    > {
        Box::pin(async move {
            use aima_server::health::{HealthCheck, HealthOutcome};
            checks_of_this_process(&self.0)
                .await
                .into_iter()
                .map(|c| HealthCheck {
                    name: c.name,
                    outcome: match c.outcome {
                        Outcome::Ok => HealthOutcome::Ok,
                        Outcome::Warn => HealthOutcome::Warn,
                        Outcome::Fail => HealthOutcome::Fail,
                    },
                    detail: c.detail,
                    fix: c.fix,
                })
                .collect()
        })
    }
}

/// Every check but whether a server answers (the last is anonymous access).
async fn checks_of_this_process(cfg: &Config) -> Vec<Check> {
    let mut out = Vec::new();
    let tools = crate::app::media_tools(cfg);
    for (tool, version) in tools.versions().await {
        out.push(match version {
            Ok(v) => check(&tool, Outcome::Ok, v, None),
            Err(e) => check(
                &tool,
                Outcome::Fail,
                e.to_string(),
                Some(format!(
                    "install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg), or set media.{tool} to where it is"
                )),
            ),
        });
    }
    out.push(match aima_media::prlimit() {
        Some(p) => check(
            "memory limit",
            Outcome::Ok,
            format!(
                "{} MiB per ffmpeg/ffprobe process ({})",
                cfg.media.max_memory_mb,
                p.display()
            ),
            None,
        ),
        None => check(
            "memory limit",
            Outcome::Warn,
            "prlimit not found: ffmpeg and ffprobe run without a memory limit",
            Some("install util-linux".into()),
        ),
    });
    out.push(ctranslate2());

    // The models the default pipeline needs (ONNX Runtime among them).
    let manager = cfg.model_manager();
    for name in cfg.default_models() {
        out.push(match manager.status(&name).await {
            Ok(s) if s.state == aima_models::State::Installed => {
                check(&name, Outcome::Ok, "installed", None)
            }
            Ok(s) => check(
                &name,
                Outcome::Fail,
                format!("{:?}", s.state).to_lowercase(),
                Some(format!("aima models pull {name}")),
            ),
            Err(e) => check(&name, Outcome::Fail, e.to_string(), None),
        });
    }
    out.push(writable("models folder", &cfg.models.dir, "models.dir"));

    out.push(database(cfg).await);
    out.push(writable("data folder", &cfg.data_dir, "data_dir"));
    for (what, dir) in [
        ("disk (data)", cfg.data_dir.clone()),
        ("disk (models)", cfg.models.dir.clone()),
    ] {
        out.push(free_disk(what, &dir).await);
    }
    out.push(if cfg.server.allow_anonymous {
        check(
            "anonymous access",
            Outcome::Ok,
            "on: requests without a key act as admin of the default workspace (loopback only; see SECURITY.md)",
            None,
        )
    } else {
        check(
            "anonymous access",
            Outcome::Ok,
            "off: requests need a key or a session",
            None,
        )
    });
    out
}

/// The CTranslate2 library this process loaded (the transcription engine).
fn ctranslate2() -> Check {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    match maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .find(|p| p.contains("libctranslate2"))
    {
        Some(path) => check("CTranslate2", Outcome::Ok, path.to_string(), None),
        // Linked statically (the `ctranslate2-source` feature): in the binary.
        None => check("CTranslate2", Outcome::Ok, "built into this binary", None),
    }
}

/// Whether this user can write in `dir`, or create it (tried in the
/// nearest folder that exists, with a file removed at once).
pub(crate) fn writable(name: &str, dir: &Path, setting: &str) -> Check {
    let existing = dir.ancestors().find(|d| d.is_dir()).unwrap_or(dir);
    let file = existing.join(format!(".aima-doctor-{}", std::process::id()));
    let probe = std::fs::write(&file, b"probe").and_then(|_| std::fs::remove_file(&file));
    let note = if existing == dir {
        "writable"
    } else {
        "to be created; its parent is writable"
    };
    match probe {
        Ok(()) => check(
            name,
            Outcome::Ok,
            format!("{} ({note})", dir.display()),
            None,
        ),
        Err(e) => check(
            name,
            Outcome::Fail,
            format!("{}: {e}", existing.display()),
            Some(format!("make it writable for this user, or set {setting}")),
        ),
    }
}

async fn database(cfg: &Config) -> Check {
    let url = cfg.database_url();
    let shown = aima_store::redact_url(&url);
    if let Some(file) = url.strip_prefix("sqlite://") {
        let file = file.split('?').next().unwrap_or(file);
        if !Path::new(file).exists() {
            return check(
                "database",
                Outcome::Warn,
                format!("{shown}: not created yet"),
                Some("aima serve creates it".into()),
            );
        }
    }
    match aima_store::SqlStore::connect_existing(&url).await {
        Ok(store) => {
            let ready = store.ready().await;
            store.close().await;
            match ready {
                Ok(()) => check(
                    "database",
                    Outcome::Ok,
                    format!("{shown}: migrations applied{}", durability(cfg, &url)),
                    None,
                ),
                Err(e) => check(
                    "database",
                    Outcome::Warn,
                    format!("{shown}: {e}"),
                    Some("aima serve applies the missing migrations at start".into()),
                ),
            }
        }
        Err(e) => check(
            "database",
            Outcome::Fail,
            format!("{shown}: {e}"),
            Some("check database.url (AIMA__DATABASE__URL) and that the server runs".into()),
        ),
    }
}

/// What an answered write survives, on SQLite (PostgreSQL keeps its own
/// `fsync` and `synchronous_commit`).
fn durability(cfg: &Config, url: &str) -> &'static str {
    if !url.starts_with("sqlite:") {
        return "";
    }
    match cfg.sqlite_sync() {
        aima_store::SqliteSync::Normal => {
            "; synchronous=normal: a killed process loses no answered write, a power loss \
             can lose the last ones (database.sqlite_synchronous = \"full\" to keep them)"
        }
        aima_store::SqliteSync::Full => {
            "; synchronous=full: an answered write survives a killed process and a power loss"
        }
    }
}

/// Free space where `dir` lives, from `df` (POSIX output, 1024-byte blocks).
async fn free_disk(name: &str, dir: &Path) -> Check {
    let existing = dir.ancestors().find(|d| d.is_dir()).unwrap_or(dir);
    let out = tokio::process::Command::new("df")
        .args(["-Pk"])
        .arg(existing)
        .output()
        .await;
    let free_kib = out.ok().and_then(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .nth(1)
            .and_then(|l| l.split_whitespace().nth(3))
            .and_then(|v| v.parse::<u64>().ok())
    });
    match free_kib {
        Some(kib) if kib < 2 * 1024 * 1024 => check(
            name,
            Outcome::Warn,
            format!(
                "{:.1} GiB free at {}",
                kib as f64 / 1048576.0,
                dir.display()
            ),
            Some("models take about 1 GiB, media as much as you upload: free some space".into()),
        ),
        Some(kib) => check(
            name,
            Outcome::Ok,
            format!(
                "{:.1} GiB free at {}",
                kib as f64 / 1048576.0,
                dir.display()
            ),
            None,
        ),
        None => check(
            name,
            Outcome::Warn,
            format!("could not measure {}", dir.display()),
            None,
        ),
    }
}

/// Whether a server answers at `server.listen`.
async fn server(cfg: &Config) -> Check {
    let listen = &cfg.server.listen;
    let host = listen
        .replace("0.0.0.0", "127.0.0.1")
        .replace("[::]", "[::1]");
    let url = format!("http://{host}/healthz");
    let answer = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .map(|c| c.get(&url).send());
    match answer {
        Ok(send) => match send.await {
            Ok(r) if r.status().is_success() => check(
                "server",
                Outcome::Ok,
                format!("answers at http://{listen}"),
                None,
            ),
            Ok(r) => check(
                "server",
                Outcome::Warn,
                format!("http://{listen}/healthz answered {}", r.status()),
                None,
            ),
            Err(_) => check(
                "server",
                Outcome::Warn,
                format!("nothing answers at http://{listen}"),
                Some("start it: aima serve".into()),
            ),
        },
        Err(e) => check("server", Outcome::Warn, e.to_string(), None),
    }
}

/// The report as text: one line a check, with what to do beneath.
pub fn render(checks: &[Check]) -> String {
    let width = checks
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(4);
    let mut s = String::new();
    for c in checks {
        let mark = match c.outcome {
            Outcome::Ok => "ok  ",
            Outcome::Warn => "WARN",
            Outcome::Fail => "FAIL",
        };
        s.push_str(&format!("{mark}  {:<width$}  {}\n", c.name, c.detail));
        if let Some(fix) = &c.fix {
            s.push_str(&format!("      {:<width$}  -> {fix}\n", ""));
        }
    }
    s
}
