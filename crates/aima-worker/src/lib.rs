//! The job loop: claim a job, hold its lease with heartbeats, run its
//! pipeline stage by stage, persist insights as they come, and end the job
//! exactly once.
//!
//! Architecture invariant: a worker changes a job only through writes fenced
//! by its lease token. A worker that lost its lease (it stalled past the
//! lease, the job was cancelled or deleted) can no longer write anything, so
//! a job taken over by another worker ends exactly once.

pub mod remote;
mod sink;
pub mod source;
pub mod tasks;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aima_analyzers::{AnalyzerError, AnalyzerInput, Registry};
use aima_blobs::BlobStore;
use aima_core::{ErrorCode, ErrorInfo, JobState, Lease, StageState, StageStatus};
use aima_media::MediaTools;
use aima_store::{FailureKind, Fenced, Store};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use sink::StoreSink;
pub use source::{DbSource, JobSource, SourceError};

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs run at once by this process.
    pub concurrency: usize,
    /// How long a lease lasts without a heartbeat.
    pub lease: Duration,
    /// How often a running job renews its lease (well under `lease`).
    pub heartbeat: Duration,
    /// How often an idle worker looks for work when nothing wakes it.
    pub poll_interval: Duration,
    /// First delay before a transient failure is retried; doubles per attempt.
    pub retry_backoff: Duration,
    pub max_attempts: i64,
    /// Scratch space for analyzers.
    pub scratch_dir: PathBuf,
    /// Names this worker in leases and logs.
    pub owner: String,
    /// What this worker has (e.g. `gpu`); stages that require a capability
    /// it lacks are handed back for another worker.
    pub capabilities: Vec<String>,
    /// A daily budget of busy seconds for workers with a capability.
    pub budget: Option<aima_store::Budget>,
}

impl WorkerConfig {
    pub fn default_owner() -> String {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "host".into());
        format!("{host}:{}", std::process::id())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Source(#[from] SourceError),
}

/// What one turn of the loop did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A job was run to an end or handed back; its id and the state it was left in.
    Ran {
        job_id: String,
        state: Option<JobState>,
    },
    /// Nothing to do.
    Empty,
}

pub struct Worker {
    source: Arc<dyn JobSource>,
    registry: Registry,
    tools: MediaTools,
    models: aima_models::ModelManager,
    config: WorkerConfig,
    wake: Arc<Notify>,
    activity: Arc<Activity>,
}

/// When this worker last had a job, and how many it runs now.
#[derive(Debug)]
struct Activity {
    refused: std::sync::atomic::AtomicBool,
    running: std::sync::atomic::AtomicUsize,
    last_busy: Mutex<Instant>,
}

impl Worker {
    pub fn new(
        store: Arc<dyn Store>,
        blobs: Arc<dyn BlobStore>,
        registry: Registry,
        tools: MediaTools,
        models: aima_models::ModelManager,
        config: WorkerConfig,
    ) -> Self {
        Self::with_source(
            Arc::new(DbSource {
                store,
                blobs,
                budget: config.budget.clone(),
            }),
            registry,
            tools,
            models,
            config,
        )
    }

    /// A worker on any job source (the database, or a server's worker API).
    pub fn with_source(
        source: Arc<dyn JobSource>,
        registry: Registry,
        tools: MediaTools,
        models: aima_models::ModelManager,
        config: WorkerConfig,
    ) -> Self {
        Self {
            source,
            registry,
            tools,
            models,
            config,
            wake: Arc::new(Notify::new()),
            activity: Arc::new(Activity {
                refused: std::sync::atomic::AtomicBool::new(false),
                running: std::sync::atomic::AtomicUsize::new(0),
                last_busy: Mutex::new(Instant::now()),
            }),
        }
    }

    /// What this worker can run: its capabilities, analyzers, and the
    /// models installed where it runs.
    pub async fn info(&self) -> aima_core::worker_api::WorkerInfo {
        let models = self
            .models
            .list()
            .await
            .map(|l| {
                l.into_iter()
                    .filter(|m| m.state == aima_models::State::Installed)
                    .map(|m| m.name)
                    .collect()
            })
            .unwrap_or_default();
        aima_core::worker_api::WorkerInfo {
            name: self.config.owner.clone(),
            capabilities: self.config.capabilities.clone(),
            analyzers: self.registry.all().map(|a| a.name().to_string()).collect(),
            models,
        }
    }

    /// Whether the job source refused this worker (a revoked token).
    pub fn refused(&self) -> bool {
        self.activity
            .refused
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How long this worker has had nothing to run (zero while it runs a job).
    pub fn idle_for(&self) -> Duration {
        if self
            .activity
            .running
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0
        {
            return Duration::ZERO;
        }
        self.activity
            .last_busy
            .lock()
            .map(|t| t.elapsed())
            .unwrap_or_default()
    }

    /// Cancels `shutdown` once the worker has been idle for `limit`, so that
    /// a machine rented for heavy work can switch itself off
    /// (`aima worker --exit-when-idle`). Checks every second.
    pub fn exit_when_idle(self: &Arc<Self>, limit: Duration, shutdown: CancellationToken) {
        let worker = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_millis(1000).min(limit)) => {}
                }
                let idle = worker.idle_for();
                if idle >= limit {
                    tracing::info!(idle_seconds = idle.as_secs(), "idle long enough; exiting");
                    shutdown.cancel();
                    return;
                }
            }
        });
    }

    /// Notifying this wakes idle loops at once (the server does it when it
    /// queues a job), instead of at their next poll.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Runs `concurrency` loops until `shutdown`; running jobs are handed
    /// back to the queue (their finished stages and insights are kept).
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        // Announce what this worker can run now and every 30 s (also its
        // sign of life for `GET /api/v1/workers`).
        {
            let worker = self.clone();
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                loop {
                    let info = worker.info().await;
                    if let Err(e) = worker.source.announce(&info).await {
                        tracing::debug!(error = %e, "could not announce this worker");
                    }
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(30)) => {}
                    }
                }
            });
        }
        let mut loops = Vec::new();
        for i in 0..self.config.concurrency.max(1) {
            let worker = self.clone();
            let shutdown = shutdown.clone();
            loops.push(tokio::spawn(async move {
                tracing::debug!(slot = i, owner = %worker.config.owner, "worker loop started");
                worker.run_loop(shutdown).await
            }));
        }
        for l in loops {
            let _ = l.await;
        }
    }

    async fn run_loop(&self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            match self.run_once(&shutdown).await {
                Ok(Outcome::Ran { .. }) => continue,
                Ok(Outcome::Empty) => {}
                Err(WorkerError::Source(SourceError::Refused(msg))) => {
                    // A revoked or unknown worker token: retrying cannot help.
                    tracing::error!(%msg, "the server refused this worker; stopping");
                    self.activity
                        .refused
                        .store(true, std::sync::atomic::Ordering::SeqCst);
                    shutdown.cancel();
                    break;
                }
                Err(e) => tracing::warn!(error = %e, "could not claim a job; will retry"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
    }

    /// Claims one job and runs it to an end. Tests call this until the queue
    /// is empty instead of sleeping.
    pub async fn run_once(&self, shutdown: &CancellationToken) -> Result<Outcome, WorkerError> {
        let lease_ms = self.config.lease.as_millis() as i64;
        let Some(lease) = self
            .source
            .claim(
                &self.config.owner,
                lease_ms,
                self.config.poll_interval,
                &self.config.capabilities,
            )
            .await?
        else {
            return Ok(Outcome::Empty);
        };
        let job_id = lease.job.id.clone();
        let span = tracing::info_span!("job", id = %job_id, attempt = lease.job.attempts);
        self.activity
            .running
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let state = tracing::Instrument::instrument(self.execute(lease, shutdown), span).await;
        if let Ok(mut t) = self.activity.last_busy.lock() {
            *t = Instant::now();
        }
        self.activity
            .running
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        Ok(Outcome::Ran { job_id, state })
    }

    async fn execute(&self, lease: Lease, shutdown: &CancellationToken) -> Option<JobState> {
        let started = Instant::now();
        let Lease { job, token } = lease;
        tracing::info!(
            media = job.media_id.as_deref().unwrap_or("-"),
            "job started"
        );
        let stages = Arc::new(Mutex::new(job.stages.clone()));
        let cancel = CancellationToken::new();
        let lost = CancellationToken::new();

        // The keeper renews the lease and writes progress; it cancels the job
        // when the lease is gone or the process is shutting down.
        let keeper = {
            let store = self.source.clone();
            let (job_id, token) = (job.id.clone(), token.clone());
            let (stages, cancel, lost, shutdown) = (
                stages.clone(),
                cancel.clone(),
                lost.clone(),
                shutdown.clone(),
            );
            let lease_ms = self.config.lease.as_millis() as i64;
            let heartbeat = self.config.heartbeat;
            tokio::spawn(async move {
                let mut last_beat = Instant::now();
                let mut last_written: Option<Vec<StageStatus>> = None;
                let mut tick = tokio::time::interval(Duration::from_millis(500).min(heartbeat));
                loop {
                    tokio::select! {
                        _ = cancel.cancelled() => break,
                        _ = shutdown.cancelled() => { cancel.cancel(); break; }
                        _ = tick.tick() => {}
                    }
                    let snapshot = stages.lock().map(|s| s.clone()).unwrap_or_default();
                    let result = if last_written.as_ref() != Some(&snapshot) {
                        let r = store.update_stages(&job_id, &token, &snapshot).await;
                        last_written = Some(snapshot);
                        r
                    } else if last_beat.elapsed() >= heartbeat {
                        store.heartbeat(&job_id, &token, lease_ms).await
                    } else {
                        continue;
                    };
                    match result {
                        Ok(Fenced::Ok) => last_beat = Instant::now(),
                        Ok(Fenced::LeaseLost) => {
                            tracing::warn!(
                                "lease lost (cancelled, deleted or taken over); stopping"
                            );
                            lost.cancel();
                            cancel.cancel();
                            break;
                        }
                        Err(e) => tracing::warn!(error = %e, "heartbeat failed; will retry"),
                    }
                }
            })
        };

        let result = self.run_stages(&job, &token, &stages, &cancel).await;
        cancel.cancel();
        let _ = keeper.await;
        let final_stages = stages.lock().map(|s| s.clone()).unwrap_or_default();

        let (write, state) = match result {
            Ok(Flow::Done) => (
                self.source
                    .complete_job(&job.id, &token, &final_stages)
                    .await,
                // Succeeded, or partial when stages failed alone.
                Some(aima_core::job::ended(&final_stages).0),
            ),
            Ok(Flow::HandOff(capability)) => {
                tracing::info!(%capability, "next stage needs a capability this worker lacks: job handed back");
                // The stages done so far are saved; the release keeps them.
                let _ = self
                    .source
                    .update_stages(&job.id, &token, &final_stages)
                    .await;
                (
                    self.source.release_job(&job.id, &token).await,
                    Some(JobState::Queued),
                )
            }
            Err(_) if lost.is_cancelled() => (Ok(Fenced::LeaseLost), None),
            Err(AnalyzerError::LeaseLost) => (Ok(Fenced::LeaseLost), None),
            Err(AnalyzerError::Cancelled) if shutdown.is_cancelled() => {
                tracing::info!("shutting down: job handed back to the queue");
                (
                    self.source.release_job(&job.id, &token).await,
                    Some(JobState::Queued),
                )
            }
            Err(AnalyzerError::Cancelled) => (Ok(Fenced::LeaseLost), None),
            Err(AnalyzerError::Retry(message)) => {
                let backoff = self.config.retry_backoff.as_millis() as i64
                    * 2i64.pow(job.attempts.clamp(1, 10) as u32 - 1);
                tracing::warn!(%message, "job failed; will retry if attempts remain");
                // Clients see the job's error: what went wrong, not where
                // on this machine (the log above keeps the whole text).
                let info =
                    ErrorInfo::new(ErrorCode::AnalyzerFailed, aima_core::redact_paths(&message));
                let w = self
                    .source
                    .fail_job(
                        &job.id,
                        &token,
                        FailureKind::Retry {
                            retry_after_ms: backoff,
                        },
                        &info,
                        &final_stages,
                    )
                    .await;
                let state = if job.attempts < job.max_attempts {
                    JobState::Queued
                } else {
                    JobState::Failed
                };
                (w, Some(state))
            }
            Err(AnalyzerError::Abort { code, message }) => {
                tracing::warn!(%code, %message, "job failed on bad input");
                let info = ErrorInfo::new(code, aima_core::redact_paths(&message));
                (
                    self.source
                        .fail_job(&job.id, &token, FailureKind::Abort, &info, &final_stages)
                        .await,
                    Some(JobState::Failed),
                )
            }
        };
        let state = match write {
            Ok(Fenced::Ok) => state,
            Ok(Fenced::LeaseLost) => None,
            Err(e) => {
                // The lease will expire and another attempt will take the job.
                tracing::error!(error = %e, "could not record the job's end");
                None
            }
        };
        if let Some(s) = state.filter(|s| s.is_final()) {
            metrics::counter!("aima_jobs_finished_total", "state" => s.as_str()).increment(1);
            metrics::histogram!("aima_job_duration_seconds", "state" => s.as_str())
                .record(started.elapsed().as_secs_f64());
        }
        tracing::info!(
            state = state.map(|s| s.as_str()).unwrap_or("lost"),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "job ended"
        );
        state
    }

    async fn run_stages(
        &self,
        job: &aima_core::Job,
        token: &str,
        stages: &Arc<Mutex<Vec<StageStatus>>>,
        cancel: &CancellationToken,
    ) -> Result<Flow, AnalyzerError> {
        if job.media_id.is_none() {
            return self
                .run_tasks(job, token, stages, cancel)
                .await
                .map(|()| Flow::Done);
        }
        let (media, blob) = match self.source.media(job, token).await {
            Ok(m) => m,
            Err(SourceError::NotFound(_)) => return Err(AnalyzerError::LeaseLost),
            Err(e) => return Err(AnalyzerError::Retry(e.to_string())),
        };
        // The stages to run now: the unfinished ones up to the first that
        // needs a capability this worker lacks (the job is handed back
        // there, as its `requires` says).
        let mut now = Vec::new();
        let mut hand_off = None;
        for (i, spec) in job.stages.iter().enumerate() {
            if spec.state == StageState::Done || spec.failed_alone() {
                continue; // finished (or failed alone) in an earlier attempt
            }
            if let Some(c) = spec
                .requires
                .as_ref()
                .filter(|c| !self.config.capabilities.contains(c))
            {
                hand_off = Some(c.clone());
                break;
            }
            let analyzer = self.registry.get(&spec.name).ok_or_else(|| {
                AnalyzerError::abort(
                    ErrorCode::UnknownAnalyzer,
                    format!("this worker has no analyzer {:?}", spec.name),
                )
            })?;
            now.push((i, analyzer));
        }
        if cancel.is_cancelled() {
            return Err(AnalyzerError::Cancelled);
        }
        // They run together (aima_analyzers::run_together), image stages on
        // one decoder; the first to fail cancels the others.
        let batch = cancel.child_token();
        let specs: Vec<_> = now
            .iter()
            .map(|(i, _)| (job.stages[*i].name.as_str(), &job.stages[*i].options))
            .collect();
        let feeds = aima_analyzers::frame_feeds(
            &self.registry,
            &specs,
            blob.path(),
            media.kind,
            &self.tools,
            &batch,
        );
        let runs = now
            .into_iter()
            .zip(feeds)
            .map(|((i, analyzer), feed)| {
                let run = StageRun {
                    job,
                    token,
                    stages,
                    index: i,
                    media: &media,
                    path: blob.path(),
                    cancel,
                    batch: &batch,
                };
                Box::pin(self.run_stage(run, analyzer, feed)) as futures::future::BoxFuture<'_, _>
            })
            .collect();
        aima_analyzers::run_together(runs, &batch)
            .await
            .map_err(|(_, e)| e)?;
        Ok(match hand_off {
            Some(c) => Flow::HandOff(c),
            None => Flow::Done,
        })
    }

    /// One stage: runs its analyzer with its own sink and records its end.
    async fn run_stage(
        &self,
        run: StageRun<'_>,
        analyzer: Arc<dyn aima_analyzers::Analyzer>,
        frames: Option<aima_analyzers::vision::FrameFeed>,
    ) -> Result<(), AnalyzerError> {
        let StageRun {
            job,
            token,
            stages,
            index: i,
            media,
            path,
            cancel,
            batch,
        } = run;
        let spec = &job.stages[i];
        set_stage(stages, i, |s| {
            s.state = StageState::Running;
            s.progress = 0.0;
            s.started_at = Some(aima_store::now_ms());
        });
        let work = tempfile::Builder::new()
            .prefix("aima-stage-")
            .tempdir_in(&self.config.scratch_dir)
            .map_err(|e| AnalyzerError::Retry(format!("no scratch space: {e}")))?;
        let stage_started = Instant::now();
        let mut sink = StoreSink::new(
            self.source.clone(),
            job.clone(),
            token.to_string(),
            stages.clone(),
            i,
        );
        let input = AnalyzerInput {
            media_path: path,
            kind: media.kind,
            duration: media.duration,
            options: &spec.options,
            work_dir: work.path(),
            tools: &self.tools,
            models: &self.models,
            cancel: batch,
            frames,
        };
        let result = analyzer.run(input, &mut sink).await;
        metrics::histogram!("aima_stage_duration_seconds", "analyzer" => spec.name.clone())
            .record(stage_started.elapsed().as_secs_f64());
        if let Err(AnalyzerError::Abort { code, message }) = &result {
            if !fails_the_job(*code) {
                // A failure of this stage alone (its model is missing, its
                // analyzer cannot read this media): recorded on the stage,
                // and the other stages go on; the job ends partial.
                tracing::warn!(stage = %spec.name, %code, %message, "stage failed alone");
                let error = ErrorInfo::new(*code, aima_core::redact_paths(message));
                set_stage(stages, i, |s| {
                    s.state = StageState::Failed;
                    s.error = Some(error);
                    s.finished_at = Some(aima_store::now_ms());
                });
                let snapshot = stages.lock().map(|s| s.clone()).unwrap_or_default();
                return match self.source.update_stages(&job.id, token, &snapshot).await {
                    Ok(Fenced::Ok) => Ok(()),
                    Ok(Fenced::LeaseLost) => Err(AnalyzerError::LeaseLost),
                    Err(e) => Err(AnalyzerError::Retry(e.to_string())),
                };
            }
        }
        if let Err(e) = result {
            // Stopped because another stage failed: not this stage's
            // failure; it runs again with the job's retry.
            let stopped = matches!(e, AnalyzerError::Cancelled) && !cancel.is_cancelled();
            set_stage(stages, i, |s| {
                if stopped {
                    s.state = StageState::Pending;
                    s.progress = 0.0;
                    s.started_at = None;
                } else {
                    s.state = StageState::Failed;
                    s.finished_at = Some(aima_store::now_ms());
                }
            });
            return Err(e);
        }
        set_stage(stages, i, |s| {
            s.state = StageState::Done;
            s.progress = 1.0;
            s.finished_at = Some(aima_store::now_ms());
        });
        let snapshot = stages.lock().map(|s| s.clone()).unwrap_or_default();
        match self
            .source
            .finish_stage(&job.id, token, &spec.name, &snapshot)
            .await
        {
            Ok(Fenced::Ok) => Ok(()),
            Ok(Fenced::LeaseLost) => Err(AnalyzerError::LeaseLost),
            Err(e) => Err(AnalyzerError::Retry(e.to_string())),
        }
    }
}

/// A failure for good that concerns the media itself (it cannot be read
/// at all), so no stage can give anything: the whole job fails. Any other
/// (a model missing, an analyzer's error on this media, options it
/// refuses) fails its stage alone.
fn fails_the_job(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::CorruptMedia
            | ErrorCode::UnsupportedMedia
            | ErrorCode::MediaTooLarge
            | ErrorCode::EmptyUpload
            | ErrorCode::PayloadTooLarge
    )
}

/// What a stage of a running job needs from its job.
struct StageRun<'a> {
    job: &'a aima_core::Job,
    token: &'a str,
    stages: &'a Arc<Mutex<Vec<StageStatus>>>,
    index: usize,
    media: &'a aima_core::Media,
    path: &'a std::path::Path,
    /// The job's token (cancelled by a cancel, a lost lease or shutdown).
    cancel: &'a CancellationToken,
    /// The stages' token: also cancelled when another stage fails.
    batch: &'a CancellationToken,
}

/// How a run of a job's stages ended, when it did not fail.
enum Flow {
    Done,
    /// The next stage needs this capability, which this worker lacks.
    HandOff(String),
}

impl Worker {
    /// The stages of a workspace job, each a task of [`tasks`].
    async fn run_tasks(
        &self,
        job: &aima_core::Job,
        token: &str,
        stages: &Arc<Mutex<Vec<StageStatus>>>,
        cancel: &CancellationToken,
    ) -> Result<(), AnalyzerError> {
        for (i, spec) in job.stages.iter().enumerate() {
            if spec.state == StageState::Done {
                continue;
            }
            if cancel.is_cancelled() {
                return Err(AnalyzerError::Cancelled);
            }
            set_stage(stages, i, |s| {
                s.state = StageState::Running;
                s.progress = 0.0;
                s.started_at = Some(aima_store::now_ms());
            });
            let started = Instant::now();
            let result = match spec.name.as_str() {
                tasks::TRAIN_MODES => match self.source.store() {
                    Some(store) => tasks::train_modes(&store, job, token, stages, i).await,
                    None => Err(AnalyzerError::Retry(
                        "a remote worker cannot train modes; a worker beside the database will"
                            .into(),
                    )),
                },
                other => Err(AnalyzerError::abort(
                    ErrorCode::UnknownAnalyzer,
                    format!("this worker has no task {other:?}"),
                )),
            };
            metrics::histogram!("aima_stage_duration_seconds", "analyzer" => spec.name.clone())
                .record(started.elapsed().as_secs_f64());
            let finished = aima_store::now_ms();
            set_stage(stages, i, |s| {
                s.state = if result.is_ok() {
                    StageState::Done
                } else {
                    StageState::Failed
                };
                if result.is_ok() {
                    s.progress = 1.0;
                }
                s.finished_at = Some(finished);
            });
            result?;
        }
        Ok(())
    }
}

fn set_stage(stages: &Arc<Mutex<Vec<StageStatus>>>, i: usize, f: impl FnOnce(&mut StageStatus)) {
    if let Ok(mut s) = stages.lock() {
        if let Some(stage) = s.get_mut(i) {
            f(stage);
        }
    }
}
