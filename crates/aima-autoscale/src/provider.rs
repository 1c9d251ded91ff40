//! Providers: how a pool's workers are started, stopped and found again.
//!
//! `local` runs `aima worker` processes on this machine; `command` runs the
//! shell commands a pool configures (a cloud's CLI, `docker compose`), the
//! escape hatch for any other place a worker can run.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use aima_store::Provisioned;
use async_trait::async_trait;
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use tokio::io::AsyncReadExt;

use crate::config::PoolConfig;

/// What a provider needs to start one worker.
#[derive(Debug, Clone)]
pub struct StartSpec {
    /// The worker's name (it announces itself with it) and its row's id.
    pub id: String,
    pub pool: String,
    pub capability: String,
    pub server_url: String,
    /// The worker token made for it (revoked when it ends).
    pub token: String,
    pub idle_stop_seconds: u64,
}

#[async_trait]
pub trait Provider: Send + Sync {
    /// Starts a worker; what the provider calls it (a process id, a
    /// machine's id). An error is said as it should appear in the audit
    /// log and the webhook.
    async fn start(&self, spec: &StartSpec) -> Result<String, String>;
    /// Stops a worker it started (also one a previous server started).
    async fn stop(&self, worker: &Provisioned) -> Result<(), String>;
    /// Which of these workers still run, by id; `None` if the provider
    /// cannot tell (then heartbeats decide).
    async fn alive(&self, workers: &[Provisioned]) -> Result<Option<HashSet<String>>, String>;
}

/// `aima worker` processes on this machine, each in a process group of its
/// own (a terminal's Ctrl-C for the server does not reach them) and left
/// running when the server stops: a restarted server finds them again by
/// their process ids and command lines.
pub struct LocalProvider {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    log_dir: PathBuf,
    /// The processes this server started, reaped as they exit.
    children: Mutex<HashMap<String, tokio::process::Child>>,
}

impl LocalProvider {
    pub fn new(pool: &PoolConfig, log_dir: PathBuf) -> std::io::Result<Self> {
        let program = match &pool.program {
            Some(p) => p.clone(),
            None => std::env::current_exe()?,
        };
        Ok(Self {
            program,
            args: pool.args.clone(),
            env: pool.env.clone().into_iter().collect(),
            log_dir,
            children: Mutex::new(HashMap::new()),
        })
    }

    fn pid(worker: &Provisioned) -> Option<i32> {
        worker.provider_ref.as_deref()?.parse().ok()
    }

    /// Whether `pid` is a live process started for worker `id`: its
    /// command line names the worker (a reused process id does not).
    fn running(&self, pid: i32, id: &str) -> bool {
        // Reap first, so that an exited child is not seen as a zombie.
        if let Ok(mut children) = self.children.lock() {
            if let Some(child) = children.get_mut(id) {
                if !matches!(child.try_wait(), Ok(None)) {
                    children.remove(id);
                    return false;
                }
            }
        }
        match std::fs::read(format!("/proc/{pid}/cmdline")) {
            Ok(cmdline) => cmdline.split(|b| *b == 0).any(|arg| arg == id.as_bytes()),
            Err(_) => false,
        }
    }
}

#[async_trait]
impl Provider for LocalProvider {
    async fn start(&self, spec: &StartSpec) -> Result<String, String> {
        std::fs::create_dir_all(&self.log_dir)
            .map_err(|e| format!("cannot create {}: {e}", self.log_dir.display()))?;
        let log_path = self.log_dir.join(format!("{}.log", spec.id));
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let err = log
            .try_clone()
            .map_err(|e| format!("cannot open {}: {e}", log_path.display()))?;
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.args([
            "worker",
            "--server",
            &spec.server_url,
            "--name",
            &spec.id,
            "--capability",
            &spec.capability,
            "--exit-when-idle",
            &format!("{}s", spec.idle_stop_seconds),
        ])
        .args(&self.args)
        .envs(self.env.iter().map(|(k, v)| (k, v)))
        .env("AIMA_WORKER_TOKEN", &spec.token)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err)
        .process_group(0);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let pid = child
            .id()
            .ok_or_else(|| "the worker exited at once".to_string())?;
        if let Ok(mut children) = self.children.lock() {
            children.insert(spec.id.clone(), child);
        }
        Ok(pid.to_string())
    }

    async fn stop(&self, worker: &Provisioned) -> Result<(), String> {
        let Some(pid) = Self::pid(worker) else {
            return Ok(());
        };
        if !self.running(pid, &worker.id) {
            return Ok(());
        }
        // SIGTERM: the worker hands its running jobs back and exits.
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if !self.running(pid, &worker.id) {
                return Ok(());
            }
        }
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        Ok(())
    }

    async fn alive(&self, workers: &[Provisioned]) -> Result<Option<HashSet<String>>, String> {
        Ok(Some(
            workers
                .iter()
                .filter(|w| Self::pid(w).is_some_and(|pid| self.running(pid, &w.id)))
                .map(|w| w.id.clone())
                .collect(),
        ))
    }
}

/// The pool's `start`, `stop` and `list` commands, run by `sh -c` with the
/// worker's details in the environment. The commands are the operator's
/// configuration (like a systemd unit's), not anything a client sends.
pub struct CommandProvider {
    start: String,
    stop: String,
    list: String,
    timeout: Duration,
    /// The last `list` (when, Unix ms; the ids it printed): a cloud's CLI
    /// is asked at most every [`LIST_EVERY_MS`], not at every turn.
    listed: Mutex<Option<(i64, HashSet<String>)>>,
}

/// How often the `list` command runs at most.
const LIST_EVERY_MS: i64 = 30_000;

impl CommandProvider {
    pub fn new(pool: &PoolConfig) -> Self {
        Self {
            start: pool.start.clone(),
            stop: pool.stop.clone(),
            list: pool.list.clone(),
            timeout: Duration::from_secs(pool.command_timeout_seconds),
            listed: Mutex::new(None),
        }
    }
}

/// Runs `command` by `sh -c` in a process group of its own; its standard
/// output if it exits 0 within `timeout`, else what went wrong (the tail
/// of its standard error). On a timeout the whole group is killed, so a
/// hanging command leaves nothing behind.
pub async fn run_shell(
    command: &str,
    env: &[(&str, &str)],
    timeout: Duration,
) -> Result<String, String> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    let pid = child.id();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let run = async {
        // At most 64 KiB of each: a provider's id, a list of ids, an error.
        let mut out = Vec::new();
        let mut err = Vec::new();
        let read_out = async {
            if let Some(s) = stdout.as_mut() {
                let _ = s.take(65_536).read_to_end(&mut out).await;
            }
        };
        let read_err = async {
            if let Some(s) = stderr.as_mut() {
                let _ = s.take(65_536).read_to_end(&mut err).await;
            }
        };
        let (_, _, status) = tokio::join!(read_out, read_err, child.wait());
        (status, out, err)
    };
    match tokio::time::timeout(timeout, run).await {
        Ok((Ok(status), out, err)) => {
            if status.success() {
                Ok(String::from_utf8_lossy(&out).into_owned())
            } else {
                let err = String::from_utf8_lossy(&err);
                let tail: String = err.trim().chars().rev().take(300).collect();
                let tail: String = tail.chars().rev().collect();
                Err(format!("exited with {status}: {tail}"))
            }
        }
        Ok((Err(e), _, _)) => Err(format!("cannot wait for it: {e}")),
        Err(_) => {
            if let Some(pid) = pid {
                let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGKILL);
            }
            Err(format!("timed out after {} s", timeout.as_secs()))
        }
    }
}

#[async_trait]
impl Provider for CommandProvider {
    async fn start(&self, spec: &StartSpec) -> Result<String, String> {
        let idle = spec.idle_stop_seconds.to_string();
        let out = run_shell(
            &self.start,
            &[
                ("AIMA_SERVER_URL", &spec.server_url),
                ("AIMA_WORKER_TOKEN", &spec.token),
                ("AIMA_WORKER_NAME", &spec.id),
                ("AIMA_POOL", &spec.pool),
                ("AIMA_CAPABILITY", &spec.capability),
                ("AIMA_IDLE_STOP_SECONDS", &idle),
            ],
            self.timeout,
        )
        .await
        .map_err(|e| format!("start: {e}"))?;
        // The last line it printed names the worker; none: its name.
        let id = out
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or(&spec.id);
        Ok(id.chars().take(200).collect())
    }

    async fn stop(&self, worker: &Provisioned) -> Result<(), String> {
        let id = worker.provider_ref.as_deref().unwrap_or(&worker.id);
        run_shell(
            &self.stop,
            &[
                ("AIMA_WORKER_ID", id),
                ("AIMA_WORKER_NAME", &worker.id),
                ("AIMA_POOL", &worker.pool),
                ("AIMA_CAPABILITY", &worker.capability),
            ],
            self.timeout,
        )
        .await
        .map(|_| ())
        .map_err(|e| format!("stop: {e}"))
    }

    async fn alive(&self, workers: &[Provisioned]) -> Result<Option<HashSet<String>>, String> {
        if self.list.trim().is_empty() || workers.is_empty() {
            return Ok(None);
        }
        let now = aima_store::now_ms();
        let cached = self
            .listed
            .lock()
            .ok()
            .and_then(|l| l.clone())
            .filter(|(at, _)| now - at < LIST_EVERY_MS);
        let (at, listed) = match cached {
            Some(c) => c,
            None => {
                let out = run_shell(&self.list, &[], self.timeout)
                    .await
                    .map_err(|e| format!("list: {e}"))?;
                let listed: HashSet<String> = out.lines().map(|l| l.trim().to_string()).collect();
                if let Ok(mut l) = self.listed.lock() {
                    *l = Some((now, listed.clone()));
                }
                (now, listed)
            }
        };
        Ok(Some(
            workers
                .iter()
                // One started after the last list is not in it yet.
                .filter(|w| {
                    w.started_at >= at
                        || listed.contains(w.provider_ref.as_deref().unwrap_or(&w.id))
                })
                .map(|w| w.id.clone())
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shell_commands_answer_fail_and_time_out() {
        let t = Duration::from_secs(5);
        assert_eq!(
            run_shell("echo \"$A\"", &[("A", "hello")], t).await,
            Ok("hello\n".into())
        );
        let e = run_shell("echo broken >&2; exit 3", &[], t).await;
        assert!(
            e.as_ref()
                .is_err_and(|e| e.contains("broken") && e.contains('3')),
            "{e:?}"
        );
        // A command that hangs, and a child of it, are killed at the timeout.
        let marker = format!("/tmp/aima-autoscale-{}", std::process::id());
        let started = std::time::Instant::now();
        let e = run_shell(
            &format!("(sleep 3; touch {marker}) & sleep 30"),
            &[],
            Duration::from_millis(500),
        )
        .await;
        assert!(e.is_err_and(|e| e.contains("timed out")));
        assert!(started.elapsed() < Duration::from_secs(3));
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert!(
            !std::path::Path::new(&marker).exists(),
            "the hanging command's child outlived the timeout"
        );
    }
}
