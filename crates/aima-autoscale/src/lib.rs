//! The provisioner: starts workers with a capability (a GPU) when jobs wait
//! for it, and stops them when idle.
//!
//! Every `aima serve` with `[[autoscale.pools]]` runs one; only the one
//! holding the `autoscale` lease in the database acts, so several servers
//! on one database start no duplicates. Each turn, per pool:
//!
//! 1. the workers it started (rows of `provisioned_workers`) are checked
//!    against the provider and their own announcements: one that announced
//!    itself is connected; one that is gone is `stopped`; one that never
//!    announced itself within `connect_timeout_seconds` has `failed`;
//! 2. when nothing has waited for or run with the capability for
//!    `idle_stop_seconds`, workers older than `min_lifetime_seconds` stop;
//! 3. when jobs wait (the oldest for `queue_wait_seconds`, or more than
//!    `queue_length` of them) and fewer than `max_workers` run, one worker
//!    starts, with a worker token of its own; a worker still connecting
//!    counts as taking one waiting job, so a slow start is not answered
//!    with a storm of starts. A failed start backs off (doubling), and with
//!    `fallback = "cpu"` the waiting jobs go to any worker meanwhile.
//!
//! Each start, stop and failure is recorded with its webhook event in one
//! transaction (`worker.started`, `worker.stopped`, `provision.failed`, to
//! the admin workspaces), appended to the audit log and counted in the
//! metrics. The state lives in the database, so a restarted server finds
//! the workers its predecessor started.

pub mod config;
pub mod provider;

use std::sync::Arc;
use std::time::{Duration, Instant};

use aima_store::{NewAudit, NewProvisioned, Provisioned, Store, StoreError, WorkerEnd};
use tokio_util::sync::CancellationToken;

pub use config::{AutoscaleConfig, Fallback, PoolConfig, ProviderKind};
pub use provider::{CommandProvider, LocalProvider, Provider, StartSpec};

/// The lease only one server holds at a time.
const LEASE: &str = "autoscale";
/// Back-off never grows past this.
const MAX_BACKOFF: Duration = Duration::from_secs(1800);
/// A worker not heard from for this long is gone (workers announce every
/// 30 s), when the provider cannot tell.
const SILENT_MS: i64 = 90_000;

/// What the provisioner needs from the server's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where started workers reach the server.
    pub server_url: String,
    pub interval: Duration,
    /// Workspaces told of worker events (webhooks, audit log): the admin
    /// workspaces.
    pub notify: Vec<String>,
    /// A daily budget of busy seconds (`workers.budget_*`): once spent, no
    /// worker with its capability is started that day.
    pub budget: Option<aima_store::Budget>,
    /// Where `local` workers write their logs.
    pub log_dir: std::path::PathBuf,
}

struct Pool {
    config: PoolConfig,
    provider: Box<dyn Provider>,
    /// Failed starts in a row, and when the next may be tried.
    failures: u32,
    next_start: Option<Instant>,
    /// Since when nothing has waited for or run with the capability.
    idle_since: Option<Instant>,
}

pub struct Provisioner {
    store: Arc<dyn Store>,
    settings: Settings,
    pools: Vec<Pool>,
    /// This server, as the lease names it.
    owner: String,
}

impl Provisioner {
    pub fn new(
        store: Arc<dyn Store>,
        settings: Settings,
        config: &AutoscaleConfig,
    ) -> Result<Self, String> {
        config.validate()?;
        let mut pools = Vec::new();
        for p in &config.pools {
            let provider: Box<dyn Provider> = match p.provider {
                ProviderKind::Local => Box::new(
                    LocalProvider::new(p, settings.log_dir.clone())
                        .map_err(|e| format!("autoscale.pools {:?}: {e}", p.pool_name()))?,
                ),
                ProviderKind::Command => Box::new(CommandProvider::new(p)),
            };
            pools.push(Pool {
                config: p.clone(),
                provider,
                failures: 0,
                next_start: None,
                idle_since: None,
            });
        }
        Ok(Self {
            store,
            settings,
            pools,
            owner: format!("{}:{}", hostname(), uuid::Uuid::new_v4()),
        })
    }

    /// Runs until `shutdown`, then gives the lease up. The workers it
    /// started keep running (a `local` worker exits when idle; the next
    /// server to hold the lease finds them).
    pub async fn run(mut self, shutdown: CancellationToken) {
        let mut leading = false;
        loop {
            match self.turn(&mut leading).await {
                Ok(()) => {}
                Err(e) => tracing::warn!(error = %e, "autoscale: a turn failed; trying again"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(self.settings.interval) => {}
            }
        }
        if leading {
            let _ = self.store.drop_lease(LEASE, &self.owner).await;
        }
    }

    /// One look at every pool, if this server holds the lease.
    pub async fn turn(&mut self, leading: &mut bool) -> Result<(), StoreError> {
        // Long enough that a start command of a few seconds does not
        // outlive it; a server that dies is replaced within this.
        let ttl = (self.settings.interval.as_millis() as i64 * 5).max(30_000);
        let lead = self.store.hold_lease(LEASE, &self.owner, ttl).await?;
        if lead != *leading {
            tracing::info!(owner = %self.owner, lead, "autoscale: lease {}", if lead { "taken" } else { "lost" });
            *leading = lead;
        }
        metrics::gauge!("aima_autoscale_leader").set(if lead { 1.0 } else { 0.0 });
        if !lead {
            return Ok(());
        }
        for i in 0..self.pools.len() {
            self.pool_turn(i).await?;
        }
        Ok(())
    }

    async fn pool_turn(&mut self, i: usize) -> Result<(), StoreError> {
        let name = self.pools[i].config.pool_name().to_string();
        let capability = self.pools[i].config.capability.clone();
        let now = aima_store::now_ms();

        // 1. The workers it started: connected, gone, or never connected.
        let live = self.store.live_provisioned(Some(&name)).await?;
        let alive = match self.pools[i].provider.alive(&live).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(pool = %name, error = %e, "autoscale: cannot list workers; going by their heartbeats");
                None
            }
        };
        let connect_ms = self.pools[i].config.connect_timeout_seconds as i64 * 1000;
        let mut running = Vec::new();
        for mut w in live {
            let heard = w.last_seen.is_some_and(|t| t >= w.started_at);
            if heard && w.connected_at.is_none() {
                self.store.provisioned_connected(&w.id).await?;
                w.connected_at = Some(now);
                tracing::info!(pool = %name, worker = %w.id, seconds = (now - w.started_at) as f64 / 1000.0, "autoscale: worker connected");
            }
            // A row still `starting` may be another server's start in
            // progress (its lease lost mid-command): not gone before that
            // command could have timed out.
            let start_ms = self.pools[i].config.command_timeout_seconds as i64 * 1000 + 10_000;
            let gone = match &alive {
                Some(_) if w.state == "starting" && now - w.started_at < start_ms => false,
                Some(set) => !set.contains(&w.id),
                None => heard && w.last_seen.is_some_and(|t| t < now - SILENT_MS),
            };
            if gone {
                let (end, reason) = if w.state == "starting" {
                    (WorkerEnd::Failed, "the server stopped while starting it")
                } else if heard {
                    (WorkerEnd::Stopped, "exited")
                } else {
                    (WorkerEnd::Failed, "exited before it connected")
                };
                if end == WorkerEnd::Failed {
                    self.failed_start(i);
                }
                self.ended(&w, end, reason).await?;
                continue;
            }
            if !heard && now - w.started_at > connect_ms {
                let reason = format!(
                    "never connected within {} s",
                    self.pools[i].config.connect_timeout_seconds
                );
                if let Err(e) = self.pools[i].provider.stop(&w).await {
                    tracing::warn!(pool = %name, worker = %w.id, error = %e, "autoscale: could not stop a worker that never connected");
                }
                self.failed_start(i);
                self.ended(&w, WorkerEnd::Failed, &reason).await?;
                continue;
            }
            running.push(w);
        }
        metrics::gauge!("aima_autoscale_workers", "pool" => name.clone()).set(running.len() as f64);

        // 2. Idle: stop what has lived long enough.
        let demand = self.store.capability_demand(&capability).await?;
        let pool = &mut self.pools[i];
        if demand.queued + demand.running == 0 {
            let since = *pool.idle_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= Duration::from_secs(pool.config.idle_stop_seconds) {
                let min_life = pool.config.min_lifetime_seconds as i64 * 1000;
                for w in running
                    .iter()
                    .filter(|w| w.state == "running" && now - w.started_at >= min_life)
                {
                    let stop = self.pools[i].provider.stop(w).await;
                    let reason = match &stop {
                        Ok(()) => "idle".to_string(),
                        Err(e) => format!("idle; stopping it failed: {e}"),
                    };
                    self.ended(w, WorkerEnd::Stopped, &reason).await?;
                }
            }
            return Ok(());
        }
        pool.idle_since = None;

        // 3. Jobs wait: start one more worker if the rules allow.
        let waited_ms = demand.oldest_queued_at.map(|t| now - t).unwrap_or(0);
        let due = demand.queued > 0
            && (waited_ms >= pool.config.queue_wait_seconds as i64 * 1000
                || (pool.config.queue_length > 0
                    && demand.queued as u64 > pool.config.queue_length));
        if !due {
            return Ok(());
        }
        if let Some(at) = pool.next_start {
            if Instant::now() < at {
                if pool.config.fallback == Fallback::Cpu {
                    self.fall_back(i).await?;
                }
                return Ok(());
            }
        }
        let connecting = running.iter().filter(|w| w.connected_at.is_none()).count() as i64;
        if running.len() >= pool.config.max_workers || demand.queued <= connecting {
            return Ok(());
        }
        if let Some((_, reason)) = self
            .store
            .blocked_capabilities()
            .await?
            .into_iter()
            .find(|(c, _)| *c == capability)
        {
            tracing::info!(pool = %name, %reason, "autoscale: no worker started");
            return Ok(());
        }
        if let Some(b) = &self.settings.budget {
            if b.capability == capability
                && self.store.busy_seconds_today(&capability).await? >= b.seconds_per_day
            {
                tracing::info!(pool = %name, "autoscale: today's budget is spent; no worker started");
                return Ok(());
            }
        }
        self.start(i).await
    }

    async fn start(&mut self, i: usize) -> Result<(), StoreError> {
        let pool = &self.pools[i];
        let name = pool.config.pool_name().to_string();
        let capability = pool.config.capability.clone();
        let id = format!(
            "{name}-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let token = aima_store::generate_api_key().replacen("aima_", "aimaw_", 1);
        let workspaces = self.store.list_workspaces().await?;
        let token_id = self
            .store
            .create_worker_token(
                &format!("autoscale {id}"),
                &workspaces,
                &aima_store::hash_api_key(&token),
            )
            .await?;
        self.store
            .insert_provisioned(&NewProvisioned {
                id: id.clone(),
                pool: name.clone(),
                capability: capability.clone(),
                provider: provider_name(pool.config.provider).into(),
                token_id: token_id.clone(),
            })
            .await?;
        let spec = StartSpec {
            id: id.clone(),
            pool: name.clone(),
            capability: capability.clone(),
            server_url: self.settings.server_url.clone(),
            token,
            idle_stop_seconds: pool.config.idle_stop_seconds,
        };
        let started = Instant::now();
        match pool.provider.start(&spec).await {
            Ok(provider_ref) => {
                let data = event_data(&id, &name, &capability, None);
                self.store
                    .provisioned_running(&id, &provider_ref, &self.settings.notify, data)
                    .await?;
                let pool = &mut self.pools[i];
                pool.failures = 0;
                pool.next_start = None;
                metrics::counter!("aima_autoscale_workers_started_total", "pool" => name.clone())
                    .increment(1);
                tracing::info!(pool = %name, worker = %id, provider_ref, seconds = started.elapsed().as_secs_f64(), "autoscale: worker started");
                self.audit("worker.started", &id, "ok").await;
            }
            Err(reason) => {
                tracing::warn!(pool = %name, worker = %id, %reason, "autoscale: could not start a worker");
                self.failed_start(i);
                let w = Provisioned {
                    id: id.clone(),
                    pool: name,
                    capability,
                    provider: String::new(),
                    provider_ref: None,
                    token_id,
                    state: "starting".into(),
                    started_at: 0,
                    connected_at: None,
                    stopped_at: None,
                    reason: None,
                    last_seen: None,
                };
                self.ended(&w, WorkerEnd::Failed, &reason).await?;
                if self.pools[i].config.fallback == Fallback::Cpu {
                    self.fall_back(i).await?;
                }
            }
        }
        Ok(())
    }

    /// Counts a failed start and sets the back-off.
    fn failed_start(&mut self, i: usize) {
        let pool = &mut self.pools[i];
        pool.failures += 1;
        let wait = Duration::from_secs(pool.config.backoff_seconds)
            .saturating_mul(1 << (pool.failures - 1).min(16))
            .min(MAX_BACKOFF);
        pool.next_start = Some(Instant::now() + wait);
        metrics::counter!("aima_autoscale_provision_failures_total", "pool" => pool.config.pool_name().to_string())
            .increment(1);
        tracing::info!(pool = %pool.config.pool_name(), failures = pool.failures, wait_seconds = wait.as_secs(), "autoscale: backing off");
    }

    /// Hands the waiting jobs of a pool's capability to any worker.
    async fn fall_back(&self, i: usize) -> Result<(), StoreError> {
        let pool = &self.pools[i];
        let n = self.store.drop_requirement(&pool.config.capability).await?;
        if n > 0 {
            tracing::warn!(pool = %pool.config.pool_name(), jobs = n, "autoscale: no worker can be started; the waiting jobs run on any worker (fallback = \"cpu\")");
        }
        Ok(())
    }

    /// Records an end (with its events), revokes the worker's token.
    async fn ended(&self, w: &Provisioned, end: WorkerEnd, reason: &str) -> Result<(), StoreError> {
        let data = event_data(&w.id, &w.pool, &w.capability, Some(reason));
        if self
            .store
            .provisioned_ended(&w.id, end, reason, &self.settings.notify, data)
            .await?
        {
            match self.store.revoke_worker_token(&w.token_id).await {
                Ok(()) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
            if end == WorkerEnd::Failed {
                self.audit("provision.failed", &w.id, "failed").await;
            }
            if w.state == "running" {
                metrics::counter!("aima_autoscale_workers_stopped_total", "pool" => w.pool.clone())
                    .increment(1);
                self.audit("worker.stopped", &w.id, "ok").await;
            }
            tracing::info!(pool = %w.pool, worker = %w.id, reason, "autoscale: worker ended");
        }
        Ok(())
    }

    async fn audit(&self, action: &str, worker: &str, outcome: &str) {
        for ws in &self.settings.notify {
            let entry = NewAudit {
                workspace: ws.clone(),
                actor_kind: "system".into(),
                actor_id: None,
                actor_name: "autoscale".into(),
                action: action.into(),
                method: String::new(),
                route: String::new(),
                resource: Some(format!("worker {worker}")),
                outcome: outcome.into(),
                status: 0,
                address: None,
            };
            if let Err(e) = self.store.append_audit(&entry).await {
                tracing::warn!(error = %e, action, "autoscale: could not write the audit log");
            }
        }
    }
}

fn provider_name(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Local => "local",
        ProviderKind::Command => "command",
    }
}

fn event_data(id: &str, pool: &str, capability: &str, reason: Option<&str>) -> serde_json::Value {
    let mut worker = serde_json::json!({"name": id, "pool": pool, "capability": capability});
    if let (Some(r), Some(o)) = (reason, worker.as_object_mut()) {
        o.insert("reason".into(), r.into());
    }
    serde_json::json!({"resource": {"type": "worker", "id": id}, "worker": worker})
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into())
}
