//! `[autoscale]`: the pools of workers the provisioner may start, as the
//! configuration file (and `AIMA__AUTOSCALE__*`) gives them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AutoscaleConfig {
    /// One entry per capability whose workers AIMA starts and stops.
    pub pools: Vec<PoolConfig>,
    /// The URL a started worker reaches this server at (default:
    /// `http://` + `server.listen`).
    pub server_url: String,
    /// How often the provisioner looks at the queue, in milliseconds.
    pub interval_ms: u64,
}

impl Default for AutoscaleConfig {
    fn default() -> Self {
        Self {
            pools: Vec::new(),
            server_url: String::new(),
            interval_ms: 2_000,
        }
    }
}

/// How a pool starts its workers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// `aima worker` processes on this machine.
    Local,
    /// The pool's `start`, `stop` and `list` shell commands.
    Command,
}

/// What happens to a capability's jobs while no worker with it can be
/// started (the provider failed and the pool waits out its back-off).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Fallback {
    /// They wait; the failure is in the audit log, the webhooks and
    /// `GET /api/v1/workers`.
    #[default]
    None,
    /// They run on any worker (every AIMA analyzer runs on a CPU, slower).
    Cpu,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PoolConfig {
    /// Names the pool (default: its capability).
    #[serde(default)]
    pub name: String,
    /// The capability its workers have: jobs whose next stage requires it
    /// are what the pool serves (`"requires": "gpu"` in a pipeline).
    pub capability: String,
    pub provider: ProviderKind,
    #[serde(default = "one")]
    pub max_workers: usize,
    /// Start a worker when the longest-waiting job has waited this long.
    #[serde(default = "thirty")]
    pub queue_wait_seconds: u64,
    /// ... or at once when more than this many jobs wait (0: only by time).
    #[serde(default)]
    pub queue_length: u64,
    /// Stop a worker when nothing has waited for or run with the capability
    /// for this long (a `local` worker also exits by itself after it).
    #[serde(default = "three_hundred")]
    pub idle_stop_seconds: u64,
    /// A worker is not stopped before it has run this long, so that a
    /// machine paid by the hour is not started for one short job and
    /// stopped at once.
    #[serde(default)]
    pub min_lifetime_seconds: u64,
    /// A started worker that has not announced itself after this long has
    /// failed: it is stopped, and the pool backs off.
    #[serde(default = "three_hundred")]
    pub connect_timeout_seconds: u64,
    /// Longest run of a `start`, `stop` or `list` command.
    #[serde(default = "one_twenty")]
    pub command_timeout_seconds: u64,
    /// The first wait after a failed start; it doubles with each failure in
    /// a row, up to half an hour.
    #[serde(default = "thirty")]
    pub backoff_seconds: u64,
    #[serde(default)]
    pub fallback: Fallback,
    /// `command`: starts one worker. It gets `AIMA_SERVER_URL`,
    /// `AIMA_WORKER_TOKEN`, `AIMA_WORKER_NAME`, `AIMA_POOL`,
    /// `AIMA_CAPABILITY` and `AIMA_IDLE_STOP_SECONDS`; the last line it
    /// prints names the worker for `stop` and `list` (e.g. an instance id).
    #[serde(default)]
    pub start: String,
    /// `command`: stops the worker named by `AIMA_WORKER_ID` (and
    /// `AIMA_WORKER_NAME`).
    #[serde(default)]
    pub stop: String,
    /// `command`, optional: prints the ids of the workers still running,
    /// one per line (without it, a worker counts as gone when it has not
    /// been heard from for 90 s).
    #[serde(default)]
    pub list: String,
    /// `local`: the program to run (default: this `aima` binary).
    #[serde(default)]
    pub program: Option<PathBuf>,
    /// `local`: more arguments after `aima worker --server ... --capability
    /// ...`, e.g. `["--concurrency", "2"]`.
    #[serde(default)]
    pub args: Vec<String>,
    /// `local`: more environment for the worker, e.g. `CUDA_VISIBLE_DEVICES`.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

fn one() -> usize {
    1
}
fn thirty() -> u64 {
    30
}
fn one_twenty() -> u64 {
    120
}
fn three_hundred() -> u64 {
    300
}

impl PoolConfig {
    /// The pool's name: its own, or its capability's.
    pub fn pool_name(&self) -> &str {
        if self.name.is_empty() {
            &self.capability
        } else {
            &self.name
        }
    }

    /// What is wrong with this pool, said for its `[[autoscale.pools]]` entry.
    pub fn validate(&self) -> Result<(), String> {
        let at = format!("autoscale.pools {:?}", self.pool_name());
        aima_core::validate_capability(&self.capability).map_err(|m| format!("{at}: {m}"))?;
        if !self.name.is_empty() {
            aima_core::validate_capability(&self.name).map_err(|_| {
                format!("{at}: a pool's name has 1-32 characters of a-z, 0-9, '_' or '-'")
            })?;
        }
        if !(1..=1000).contains(&self.max_workers) {
            return Err(format!("{at}: max_workers must be 1 to 1000"));
        }
        let day = 86_400;
        for (name, v, min) in [
            ("idle_stop_seconds", self.idle_stop_seconds, 1),
            ("connect_timeout_seconds", self.connect_timeout_seconds, 1),
            ("command_timeout_seconds", self.command_timeout_seconds, 1),
            ("backoff_seconds", self.backoff_seconds, 1),
            ("queue_wait_seconds", self.queue_wait_seconds, 0),
            ("min_lifetime_seconds", self.min_lifetime_seconds, 0),
        ] {
            if v < min || v > day {
                return Err(format!("{at}: {name} must be {min} to {day}"));
            }
        }
        match self.provider {
            ProviderKind::Command => {
                if self.start.trim().is_empty() || self.stop.trim().is_empty() {
                    return Err(format!(
                        "{at}: the command provider needs a `start` and a `stop` command"
                    ));
                }
                if self.program.is_some() || !self.args.is_empty() || !self.env.is_empty() {
                    return Err(format!(
                        "{at}: `program`, `args` and `env` are the local provider's; a command sets its own"
                    ));
                }
            }
            ProviderKind::Local => {
                if !self.start.is_empty() || !self.stop.is_empty() || !self.list.is_empty() {
                    return Err(format!(
                        "{at}: `start`, `stop` and `list` are the command provider's"
                    ));
                }
            }
        }
        Ok(())
    }
}

impl AutoscaleConfig {
    /// Checks every pool, and that no two share a name or a capability.
    pub fn validate(&self) -> Result<(), String> {
        if !(100..=60_000).contains(&self.interval_ms) {
            return Err("autoscale.interval_ms must be 100 to 60000".into());
        }
        let mut names = std::collections::HashSet::new();
        let mut caps = std::collections::HashSet::new();
        for p in &self.pools {
            p.validate()?;
            if !names.insert(p.pool_name()) {
                return Err(format!(
                    "autoscale.pools: two pools named {:?}",
                    p.pool_name()
                ));
            }
            if !caps.insert(p.capability.as_str()) {
                return Err(format!(
                    "autoscale.pools: two pools for capability {:?} (one pool per capability)",
                    p.capability
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(toml_like: serde_json::Value) -> Result<PoolConfig, String> {
        serde_json::from_value(toml_like).map_err(|e| e.to_string())
    }

    #[test]
    fn checks_pools() {
        let ok = pool(serde_json::json!({"capability": "gpu", "provider": "local"}));
        assert_eq!(ok.as_ref().map(|p| p.validate()), Ok(Ok(())));
        assert_eq!(ok.as_ref().map(|p| p.pool_name()), Ok("gpu"));
        let bad = [
            serde_json::json!({"capability": "GPU", "provider": "local"}),
            serde_json::json!({"capability": "gpu", "provider": "local", "max_workers": 0}),
            serde_json::json!({"capability": "gpu", "provider": "command", "start": "x"}),
            serde_json::json!({"capability": "gpu", "provider": "local", "start": "x"}),
            serde_json::json!({"capability": "gpu", "provider": "local", "backoff_seconds": 0}),
            serde_json::json!({"capability": "gpu", "provider": "local", "name": "a b"}),
        ];
        for b in bad {
            let p = pool(b.clone()).expect("parses");
            assert!(p.validate().is_err(), "{b}");
        }
        assert!(pool(serde_json::json!({"capability": "gpu", "provider": "ssh"})).is_err());
        assert!(pool(
            serde_json::json!({"capability": "gpu", "provider": "local", "max_worker": 2})
        )
        .is_err());
        let p = pool(serde_json::json!({"capability": "gpu", "provider": "local"})).expect("pool");
        let twice = AutoscaleConfig {
            pools: vec![p.clone(), p],
            ..AutoscaleConfig::default()
        };
        assert!(twice.validate().is_err());
    }
}
