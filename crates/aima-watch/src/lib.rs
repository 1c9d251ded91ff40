//! `aima watch`: a desktop watcher for Linux. Every interval it samples the
//! active window, idle time and input activity (on X11, see [`x11`]) and
//! sends the interval as an ActivityWatch heartbeat to an AIMA server
//! (bucket `aima-watch_<host>`, type `app.activity`), so identical
//! consecutive samples merge into one event.
//!
//! Nothing is lost while the server is unreachable: heartbeats go to a spool
//! file first (pre-merged with the same rule the server applies, so it stays
//! small), written atomically, and are replayed in order once the server
//! answers. A heartbeat leaves the spool only after the server accepted it.

pub mod spool;
pub mod x11;

use std::path::PathBuf;
use std::time::Duration;

use aima_core::activity::{format_rfc3339_ms, APP_ACTIVITY_TYPE};
use aima_core::Event;
use serde_json::{json, Map, Value};
use tokio_util::sync::CancellationToken;

pub use spool::Spool;

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("X11: {0}")]
    X11(String),
    #[error("spool {path}: {source}")]
    Spool {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the server refused the watcher: {0}")]
    Refused(String),
}

/// One look at the desktop.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The application (window class).
    pub app: String,
    pub title: String,
    /// Milliseconds since the last input, when the display says.
    pub idle_ms: Option<u64>,
    /// Key presses since the last sample, when the display reports them.
    pub keyboard: Option<u64>,
    /// Clicks and pointer motions since the last sample.
    pub mouse: Option<u64>,
}

/// Where samples come from: X11 here; a test or another platform may plug
/// in its own.
pub trait Probe: Send {
    fn sample(&mut self) -> Result<Sample, WatchError>;
}

#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// Base URL of the AIMA server, e.g. `http://127.0.0.1:8080`.
    pub server: String,
    pub token: Option<String>,
    pub hostname: String,
    pub interval: Duration,
    /// No input for this long counts as idle.
    pub idle_after: Duration,
    pub spool: PathBuf,
}

impl WatchConfig {
    pub fn bucket(&self) -> String {
        format!("aima-watch_{}", self.hostname)
    }
}

/// The heartbeat for a sample taken at `now_ms`: it covers the interval
/// that just ended.
pub fn heartbeat(sample: &Sample, now_ms: i64, cfg: &WatchConfig) -> Event {
    let interval_ms = cfg.interval.as_millis() as i64;
    let mut data = Map::new();
    data.insert("app".into(), json!(sample.app));
    data.insert("title".into(), json!(sample.title));
    let idle = sample
        .idle_ms
        .is_some_and(|ms| ms >= cfg.idle_after.as_millis() as u64);
    data.insert("idle".into(), json!(idle));
    if let Some(k) = sample.keyboard {
        data.insert("keyboard".into(), json!(k));
    }
    if let Some(m) = sample.mouse {
        data.insert("mouse".into(), json!(m));
    }
    Event {
        id: None,
        timestamp: now_ms - interval_ms,
        duration: cfg.interval.as_secs_f64(),
        data,
    }
}

/// Heartbeats merge when the next starts within this many seconds of the
/// end of the last: one interval and a second of slack.
pub fn pulsetime(cfg: &WatchConfig) -> f64 {
    cfg.interval.as_secs_f64() + 1.0
}

struct Sender {
    http: reqwest::Client,
    cfg: WatchConfig,
    bucket_ready: bool,
}

/// Why a send did not go through.
enum SendError {
    /// Unreachable, timed out, or a server error: keep it and try later.
    Later(String),
    /// The server refused it for good (bad token, bad request).
    Refused(String),
}

impl Sender {
    fn request(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.cfg.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn ensure_bucket(&mut self) -> Result<(), SendError> {
        if self.bucket_ready {
            return Ok(());
        }
        let url = format!(
            "{}/api/0/buckets/{}",
            self.cfg.server.trim_end_matches('/'),
            self.cfg.bucket()
        );
        let body = json!({"client": "aima-watch", "type": APP_ACTIVITY_TYPE, "hostname": self.cfg.hostname});
        let r = self
            .request(self.http.post(url).json(&body))
            .send()
            .await
            .map_err(|e| SendError::Later(e.to_string()))?;
        check(r).await?;
        self.bucket_ready = true;
        Ok(())
    }

    async fn send(&mut self, e: &Event) -> Result<(), SendError> {
        self.ensure_bucket().await?;
        let url = format!(
            "{}/api/0/buckets/{}/heartbeat?pulsetime={}",
            self.cfg.server.trim_end_matches('/'),
            self.cfg.bucket(),
            pulsetime(&self.cfg)
        );
        let body = json!({
            "timestamp": format_rfc3339_ms(e.timestamp),
            "duration": e.duration,
            "data": Value::Object(e.data.clone()),
        });
        let r = self
            .request(self.http.post(url).json(&body))
            .send()
            .await
            .map_err(|e| SendError::Later(e.to_string()))?;
        check(r).await
    }
}

async fn check(r: reqwest::Response) -> Result<(), SendError> {
    let status = r.status();
    if status.is_success() || status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(());
    }
    let body = r.text().await.unwrap_or_default();
    let msg = format!("{status}: {}", body.chars().take(300).collect::<String>());
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        Err(SendError::Later(msg))
    } else {
        Err(SendError::Refused(msg))
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Samples and sends until `shutdown`. Samples taken while the server is
/// away are spooled and replayed in order. Returns an error only when the
/// server refuses the watcher (a bad token): retrying cannot help then.
pub async fn run(
    cfg: WatchConfig,
    probe: &mut dyn Probe,
    shutdown: CancellationToken,
) -> Result<(), WatchError> {
    let mut spool = Spool::open(&cfg.spool)?;
    if !spool.is_empty() {
        tracing::info!(
            pending = spool.len(),
            "replaying heartbeats kept while the server was away"
        );
    }
    let mut sender = Sender {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| WatchError::Refused(e.to_string()))?,
        cfg: cfg.clone(),
        bucket_ready: false,
    };
    let mut tick = tokio::time::interval(cfg.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await; // the first tick is immediate: start a full interval
    let mut offline = false;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tick.tick() => {}
        }
        match probe.sample() {
            Ok(sample) => {
                let hb = heartbeat(&sample, now_ms(), &cfg);
                spool.push(hb, pulsetime(&cfg))?;
            }
            Err(e) => tracing::warn!(error = %e, "could not sample the desktop"),
        }
        // Send everything pending, oldest first; stop at the first failure.
        while let Some(e) = spool.front().cloned() {
            match sender.send(&e).await {
                Ok(()) => {
                    spool.pop_front()?;
                    if offline {
                        tracing::info!("server reachable again");
                        offline = false;
                    }
                }
                Err(SendError::Later(msg)) => {
                    if !offline {
                        tracing::warn!(error = %msg, "server unreachable; keeping heartbeats on disk");
                        offline = true;
                    }
                    break;
                }
                Err(SendError::Refused(msg)) => return Err(WatchError::Refused(msg)),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> WatchConfig {
        WatchConfig {
            server: "http://127.0.0.1:9".into(),
            token: None,
            hostname: "h".into(),
            interval: Duration::from_secs(5),
            idle_after: Duration::from_secs(60),
            spool: PathBuf::from("/nonexistent"),
        }
    }

    #[test]
    fn a_heartbeat_covers_the_interval_that_ended() {
        let s = Sample {
            app: "Xmessage".into(),
            title: "Alpha".into(),
            idle_ms: Some(61_000),
            keyboard: Some(3),
            mouse: None,
        };
        let e = heartbeat(&s, 100_000, &cfg());
        assert_eq!(e.timestamp, 95_000);
        assert_eq!(e.duration, 5.0);
        assert_eq!(e.data["idle"], json!(true));
        assert_eq!(e.data["keyboard"], json!(3));
        assert!(!e.data.contains_key("mouse"), "unknown is not zero");
    }
}
