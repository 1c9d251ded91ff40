//! Jobs: creation, claiming under a lease, progress and the ends of a job
//! (each queues its webhook event in the same transaction), retries and busy
//! time per worker and workspace.

use aima_core::{
    Cursor, ErrorCode, ErrorInfo, Job, JobState, Lease, PageRequest, StageSpec, StageStatus,
};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::sql::{
    corrupt, fenced, into_page, new_id, now_ms, push_page, t, Arg, Dialect, Fenced, Page, Sql,
};
use crate::store::SqlStore;

/// How a failed attempt ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Transient: queue the job again after `retry_after_ms`, while attempts remain.
    Retry { retry_after_ms: i64 },
    /// The input is bad: fail the job now.
    Abort,
}

/// Which jobs a claim may take.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimScope {
    /// Only these workspaces (None: all).
    pub workspaces: Option<Vec<String>>,
    /// Only jobs on a media (not workspace jobs).
    pub media_only: bool,
    /// What the claiming worker has: jobs whose next stage requires another
    /// capability are left for other workers.
    pub capabilities: Vec<String>,
    /// A daily budget of busy seconds for workers with a capability: once
    /// spent (UTC day), such workers get nothing more that day.
    pub budget: Option<Budget>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub capability: String,
    pub seconds_per_day: f64,
}

/// Busy seconds of one worker with one capability (`cpu` for none) on one
/// UTC day (days since 1970-01-01).
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    pub day: i64,
    pub worker: String,
    pub capability: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub workspace: String,
    /// None for a workspace job (its stages are tasks, not analyzers).
    pub media_id: Option<String>,
    pub pipeline: Vec<StageSpec>,
    pub max_attempts: i64,
}

#[async_trait]
pub trait JobRepo: Send + Sync {
    async fn create_job(&self, new: NewJob) -> Result<Job>;
    async fn get_job(&self, workspace: &str, id: &str) -> Result<Job>;
    /// Reads a job whatever its workspace (for workers).
    async fn get_job_any(&self, id: &str) -> Result<Job>;
    async fn list_jobs(
        &self,
        workspace: &str,
        media_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Job>>;
    /// Takes the oldest runnable job: queued and due, or running with an
    /// expired lease. Jobs whose lease expired on their last attempt are
    /// failed with `worker_lost` first.
    async fn claim_job(&self, owner: &str, lease_ms: i64) -> Result<Option<Lease>>;
    /// `claim_job` limited to some workspaces, or to media jobs (a remote
    /// worker's token grants workspaces; it cannot train modes).
    async fn claim_job_scoped(
        &self,
        owner: &str,
        lease_ms: i64,
        scope: &ClaimScope,
    ) -> Result<Option<Lease>>;
    async fn heartbeat(&self, job_id: &str, token: &str, lease_ms: i64) -> Result<Fenced>;
    /// Whether `token` holds the running job's lease now.
    async fn lease_held(&self, job_id: &str, token: &str) -> Result<bool>;
    /// Busy seconds per day, worker and capability, from day `since` on.
    /// Busy seconds from `since_day` on: of one workspace's jobs (no
    /// worker named), or of every worker (`None`: server-wide).
    async fn usage(&self, workspace: Option<&str>, since_day: i64) -> Result<Vec<Usage>>;
    /// Busy seconds of workers with `capability` today (UTC), what a daily
    /// budget is checked against.
    async fn busy_seconds_today(&self, capability: &str) -> Result<f64>;
    async fn update_stages(
        &self,
        job_id: &str,
        token: &str,
        stages: &[StageStatus],
    ) -> Result<Fenced>;
    /// Marks a stage done and drops that analyzer's insights of the same
    /// media from earlier jobs: a new analysis replaces the old one, but only
    /// once it has finished.
    async fn finish_stage(
        &self,
        job_id: &str,
        token: &str,
        analyzer: &str,
        stages: &[StageStatus],
    ) -> Result<Fenced>;
    async fn complete_job(
        &self,
        job_id: &str,
        token: &str,
        stages: &[StageStatus],
    ) -> Result<Fenced>;
    async fn fail_job(
        &self,
        job_id: &str,
        token: &str,
        kind: FailureKind,
        error: &ErrorInfo,
        stages: &[StageStatus],
    ) -> Result<Fenced>;
    /// Gives a job back to the queue without counting the attempt (graceful shutdown).
    async fn release_job(&self, job_id: &str, token: &str) -> Result<Fenced>;
    /// Cancels a queued or running job; `Conflict` if it already ended.
    async fn cancel_job(&self, workspace: &str, id: &str) -> Result<Job>;
    /// Queues a job that ended `partial` or `failed` again to run its
    /// failed stages (and any that never ran), keeping those that are done
    /// and their insights; its attempts start over. `Conflict` for any
    /// other state.
    async fn retry_job(&self, workspace: &str, id: &str) -> Result<Job>;
    /// Number of jobs in each state, over all workspaces (for metrics).
    async fn job_counts(&self) -> Result<Vec<(String, i64)>>;
}

const JOB_COLS: &str = "id, workspace_id, media_id, state, stages, progress, attempts, \
    max_attempts, lease_token, error_code, error_message, created_at, started_at, finished_at, \
    updated_at";

fn job_from_row(row: &AnyRow) -> Result<Job> {
    let state: String = row.try_get("state")?;
    let stages: String = row.try_get("stages")?;
    let error_code: Option<String> = row.try_get("error_code")?;
    let error_message: Option<String> = row.try_get("error_message")?;
    let error = match error_code {
        Some(code) => {
            let code: ErrorCode = serde_json::from_value(serde_json::Value::String(code.clone()))
                .unwrap_or(ErrorCode::Internal);
            Some(ErrorInfo::new(code, error_message.unwrap_or_default()))
        }
        None => None,
    };
    let state = JobState::parse(&state).ok_or_else(|| corrupt("job state", &state))?;
    Ok(Job {
        id: row.try_get("id")?,
        workspace: row.try_get("workspace_id")?,
        media_id: row.try_get("media_id")?,
        state,
        progress: row.try_get("progress")?,
        stages: serde_json::from_str(&stages).map_err(|e| corrupt("job stages", e))?,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        // A job that ended keeps the error of its last failed attempt only if it failed.
        error: if state == JobState::Succeeded {
            None
        } else {
            error
        },
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn stages_json(stages: &[StageStatus]) -> Result<String> {
    serde_json::to_string(stages).map_err(|e| corrupt("job stages", e))
}

impl SqlStore {
    /// Runs an update that may end a job and, in the same transaction,
    /// queues the webhook event of the state it ended in.
    async fn end_job(&self, update: Sql, job_id: &str) -> Result<Fenced> {
        let mut tx = self.begin_write().await?;
        let rows = update.query().execute(&mut *tx).await?.rows_affected();
        if rows > 0 {
            crate::outbox::queue_job_event(&mut tx, job_id).await?;
        }
        tx.commit().await?;
        Ok(fenced(rows))
    }

    /// Adds the time a lease has been held to its worker's and its job's
    /// workspace's busy seconds (per capability the worker announced; `cpu`
    /// for none), before the lease ends.
    async fn record_usage(&self, job_id: &str, token: &str) -> Result<()> {
        let mut q =
            Sql::new("SELECT workspace_id, lease_owner, lease_caps, lease_started_at FROM jobs");
        q.fence(job_id, token);
        let Some(row) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(());
        };
        let workspace: String = row.try_get("workspace_id")?;
        let owner: Option<String> = row.try_get("lease_owner")?;
        let caps: String = row.try_get("lease_caps")?;
        let started: Option<i64> = row.try_get("lease_started_at")?;
        let (Some(owner), Some(started)) = (owner, started) else {
            return Ok(());
        };
        let now = now_ms();
        let seconds = (now - started).max(0) as f64 / 1000.0;
        let caps: Vec<&str> = caps.split(',').filter(|c| !c.is_empty()).collect();
        let caps = if caps.is_empty() { vec!["cpu"] } else { caps };
        let tables = [
            ("worker_usage", "worker", &owner),
            ("workspace_usage", "workspace_id", &workspace),
        ];
        for cap in caps {
            crate::billing::span_insert(&workspace, &owner, cap, started, now.max(started))
                .query()
                .execute(&self.pool)
                .await?;
            for (table, column, key) in tables {
                let mut q = Sql::new(&format!(
                    "INSERT INTO {table} (day, {column}, capability, seconds) VALUES ("
                ));
                q.bind(Arg::Int(now.div_euclid(86_400_000)))
                    .push(", ")
                    .bind(t(key))
                    .push(", ")
                    .bind(t(cap))
                    .push(", ")
                    .bind(Arg::Float(seconds))
                    .push(&format!(
                        ") ON CONFLICT (day, {column}, capability) DO UPDATE SET seconds = \
                         {table}.seconds + excluded.seconds"
                    ));
                q.query().execute(&self.pool).await?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl JobRepo for SqlStore {
    async fn create_job(&self, new: NewJob) -> Result<Job> {
        let id = new_id();
        let now = now_ms();
        let stages: Vec<StageStatus> = new.pipeline.iter().map(StageStatus::pending).collect();
        let mut q = Sql::new(
            "INSERT INTO jobs (id, workspace_id, media_id, state, stages, progress, attempts, \
             max_attempts, run_after, created_at, updated_at, requires) SELECT ",
        );
        // A media job is inserted only if its media exists in the workspace;
        // a workspace job only if the workspace exists.
        let source = match &new.media_id {
            Some(_) => ", workspace_id, id, 'queued', ",
            None => ", id, NULL, 'queued', ",
        };
        q.bind(t(&id))
            .push(source)
            .bind(t(&stages_json(&stages)?))
            .push(", 0, 0, ")
            .bind(Arg::Int(new.max_attempts.max(1)))
            .push(", ")
            .bind(Arg::Int(now))
            .push(", ")
            .bind(Arg::Int(now))
            .push(", ")
            .bind(Arg::Int(now))
            .push(", ")
            .bind(t(&aima_core::next_requirement(&stages)));
        match &new.media_id {
            Some(media_id) => q
                .push(" FROM media WHERE workspace_id = ")
                .bind(t(&new.workspace))
                .push(" AND id = ")
                .bind(t(media_id))
                .push(" AND stored = 1"),
            None => q
                .push(" FROM workspaces WHERE id = ")
                .bind(t(&new.workspace)),
        };
        if q.query().execute(&self.pool).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.get_job(&new.workspace, &id).await
    }

    async fn get_job(&self, workspace: &str, id: &str) -> Result<Job> {
        let mut q = Sql::new(&format!(
            "SELECT {JOB_COLS} FROM jobs WHERE workspace_id = "
        ));
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => job_from_row(&row),
            None => Err(StoreError::NotFound),
        }
    }

    async fn get_job_any(&self, id: &str) -> Result<Job> {
        let mut q = Sql::new(&format!("SELECT {JOB_COLS} FROM jobs WHERE id = "));
        q.bind(t(id));
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => job_from_row(&row),
            None => Err(StoreError::NotFound),
        }
    }

    async fn list_jobs(
        &self,
        workspace: &str,
        media_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Job>> {
        let mut q = Sql::new(&format!(
            "SELECT {JOB_COLS} FROM jobs WHERE workspace_id = "
        ));
        q.bind(t(workspace));
        if let Some(m) = media_id {
            q.push(" AND media_id = ").bind(t(m));
        }
        push_page(&mut q, page);
        let rows = q.query().fetch_all(&self.pool).await?;
        let items = rows.iter().map(job_from_row).collect::<Result<Vec<_>>>()?;
        Ok(into_page(items, page, |j| Cursor {
            created_at: j.created_at,
            id: j.id.clone(),
        }))
    }

    async fn busy_seconds_today(&self, capability: &str) -> Result<f64> {
        let mut q =
            Sql::new("SELECT COALESCE(SUM(seconds), 0.0) AS s FROM worker_usage WHERE day = ");
        q.bind(Arg::Int(now_ms().div_euclid(86_400_000)))
            .push(" AND capability = ")
            .bind(t(capability));
        Ok(q.query().fetch_one(&self.pool).await?.try_get("s")?)
    }

    async fn claim_job(&self, owner: &str, lease_ms: i64) -> Result<Option<Lease>> {
        self.claim_job_scoped(owner, lease_ms, &ClaimScope::default())
            .await
    }

    async fn claim_job_scoped(
        &self,
        owner: &str,
        lease_ms: i64,
        scope: &ClaimScope,
    ) -> Result<Option<Lease>> {
        if scope.workspaces.as_ref().is_some_and(|w| w.is_empty()) {
            return Ok(None);
        }
        if let Some(b) = &scope.budget {
            if scope.capabilities.contains(&b.capability) {
                let spent = self.busy_seconds_today(&b.capability).await?;
                if spent >= b.seconds_per_day {
                    tracing::info!(capability = %b.capability, spent, "daily budget spent; nothing dispatched");
                    return Ok(None);
                }
            }
        }
        if !scope.capabilities.is_empty() {
            // A capability whose budget in money is spent (`budget_blocks`,
            // kept by the billing monitor): such workers get nothing.
            let mut q = Sql::new("SELECT capability FROM budget_blocks WHERE until > ");
            q.bind(Arg::Int(now_ms())).push(" AND capability IN (");
            for (i, c) in scope.capabilities.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(t(c));
            }
            q.push(")");
            if let Some(r) = q.query().fetch_optional(&self.pool).await? {
                let capability: String = r.try_get("capability")?;
                tracing::info!(%capability, "budget spent; nothing dispatched");
                return Ok(None);
            }
        }
        let now = now_ms();
        // Jobs whose worker vanished on their last allowed attempt end here.
        let mut q = Sql::new(
            "UPDATE jobs SET state = 'failed', error_code = 'worker_lost', error_message = \
             'the worker running this job stopped answering on its last attempt', \
             lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, finished_at = ",
        );
        q.bind(Arg::Int(now))
            .push(", updated_at = ")
            .bind(Arg::Int(now))
            .push(" WHERE state = 'running' AND lease_expires_at < ")
            .bind(Arg::Int(now))
            .push(" AND attempts >= max_attempts");
        let mut lost =
            Sql::new("SELECT id FROM jobs WHERE state = 'running' AND lease_expires_at < ");
        lost.bind(Arg::Int(now))
            .push(" AND attempts >= max_attempts");
        let lost: Vec<String> = lost
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        for id in lost {
            // One job at a time, each with its `job.failed` event.
            let mut one = q.clone();
            one.push(" AND id = ").bind(t(&id));
            self.end_job(one, &id).await?;
        }

        let token = uuid::Uuid::new_v4().to_string();
        let lock = match self.dialect {
            // SQLite runs one writer at a time, so the UPDATE below is atomic.
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let mut q =
            Sql::new("UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_token = ");
        q.bind(t(&token))
            .push(", lease_owner = ")
            .bind(t(owner))
            .push(", lease_expires_at = ")
            .bind(Arg::Int(now + lease_ms))
            .push(", lease_started_at = ")
            .bind(Arg::Int(now))
            .push(", lease_caps = ")
            .bind(t(&scope.capabilities.join(",")))
            .push(", started_at = COALESCE(started_at, ")
            .bind(Arg::Int(now))
            .push("), updated_at = ")
            .bind(Arg::Int(now))
            .push(" WHERE id = (SELECT id FROM jobs WHERE ((state = 'queued' AND run_after <= ")
            .bind(Arg::Int(now))
            .push(") OR (state = 'running' AND lease_expires_at < ")
            .bind(Arg::Int(now))
            .push(")) AND attempts < max_attempts");
        if scope.media_only {
            q.push(" AND media_id IS NOT NULL");
        }
        q.push(" AND (requires = ''");
        for c in &scope.capabilities {
            q.push(" OR requires = ").bind(t(c));
        }
        q.push(")");
        if let Some(ws) = &scope.workspaces {
            q.push(" AND workspace_id IN (");
            for (i, w) in ws.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(t(w));
            }
            q.push(")");
        }
        q.push(" ORDER BY created_at, id LIMIT 1")
            .push(lock)
            .push(&format!(") RETURNING {JOB_COLS}"));
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => Ok(Some(Lease {
                job: job_from_row(&row)?,
                token,
            })),
            None => Ok(None),
        }
    }

    async fn usage(&self, workspace: Option<&str>, since_day: i64) -> Result<Vec<Usage>> {
        // A workspace's own rows carry no worker (other workspaces' jobs
        // run on the same workers).
        let mut q = match workspace {
            Some(ws) => {
                let mut q = Sql::new(
                    "SELECT day, '' AS worker, capability, seconds FROM workspace_usage \
                     WHERE workspace_id = ",
                );
                q.bind(t(ws)).push(" AND day >= ");
                q
            }
            None => {
                Sql::new("SELECT day, worker, capability, seconds FROM worker_usage WHERE day >= ")
            }
        };
        q.bind(Arg::Int(since_day))
            .push(" ORDER BY day, worker, capability");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Usage {
                    day: r.try_get("day")?,
                    worker: r.try_get("worker")?,
                    capability: r.try_get("capability")?,
                    seconds: r.try_get("seconds")?,
                })
            })
            .collect()
    }

    async fn lease_held(&self, job_id: &str, token: &str) -> Result<bool> {
        let mut q = Sql::new("SELECT id FROM jobs");
        q.fence(job_id, token);
        Ok(q.query().fetch_optional(&self.pool).await?.is_some())
    }

    async fn heartbeat(&self, job_id: &str, token: &str, lease_ms: i64) -> Result<Fenced> {
        let now = now_ms();
        let mut q = Sql::new("UPDATE jobs SET lease_expires_at = ");
        q.bind(Arg::Int(now + lease_ms)).fence(job_id, token);
        Ok(fenced(q.query().execute(&self.pool).await?.rows_affected()))
    }

    async fn update_stages(
        &self,
        job_id: &str,
        token: &str,
        stages: &[StageStatus],
    ) -> Result<Fenced> {
        let mut q = Sql::new("UPDATE jobs SET stages = ");
        q.bind(t(&stages_json(stages)?))
            .push(", progress = ")
            .bind(Arg::Float(aima_core::overall_progress(stages)))
            .push(", requires = ")
            .bind(t(&aima_core::next_requirement(stages)))
            .push(", updated_at = ")
            .bind(Arg::Int(now_ms()))
            .fence(job_id, token);
        Ok(fenced(q.query().execute(&self.pool).await?.rows_affected()))
    }

    async fn finish_stage(
        &self,
        job_id: &str,
        token: &str,
        analyzer: &str,
        stages: &[StageStatus],
    ) -> Result<Fenced> {
        if self.update_stages(job_id, token, stages).await? == Fenced::LeaseLost {
            return Ok(Fenced::LeaseLost);
        }
        let mut q = Sql::new(
            "DELETE FROM insights WHERE media_id = (SELECT media_id FROM jobs WHERE id = ",
        );
        q.bind(t(job_id))
            .push(") AND analyzer = ")
            .bind(t(analyzer))
            .push(" AND job_id <> ")
            .bind(t(job_id));
        q.query().execute(&self.pool).await?;
        Ok(Fenced::Ok)
    }

    async fn complete_job(
        &self,
        job_id: &str,
        token: &str,
        stages: &[StageStatus],
    ) -> Result<Fenced> {
        self.record_usage(job_id, token).await?;
        let now = now_ms();
        // Succeeded, or partial (failed) when stages failed alone.
        let (state, error) = aima_core::job::ended(stages);
        let mut q = Sql::new("UPDATE jobs SET state = ");
        q.bind(t(state.as_str()))
            .push(", progress = 1, stages = ")
            .bind(t(&stages_json(stages)?))
            .push(
                ", lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, error_code = ",
            )
            .bind(Arg::OptText(
                error.as_ref().map(|e| e.code.as_str().to_string()),
            ))
            .push(", error_message = ")
            .bind(Arg::OptText(error.as_ref().map(|e| e.message.clone())))
            .push(", finished_at = ")
            .bind(Arg::Int(now))
            .push(", updated_at = ")
            .bind(Arg::Int(now))
            .fence(job_id, token);
        self.end_job(q, job_id).await
    }

    async fn fail_job(
        &self,
        job_id: &str,
        token: &str,
        kind: FailureKind,
        error: &ErrorInfo,
        stages: &[StageStatus],
    ) -> Result<Fenced> {
        self.record_usage(job_id, token).await?;
        let now = now_ms();
        let (retry, run_after) = match kind {
            FailureKind::Retry { retry_after_ms } => (1, now + retry_after_ms),
            FailureKind::Abort => (0, now),
        };
        let mut q = Sql::new("UPDATE jobs SET state = CASE WHEN ");
        q.bind(Arg::Int(retry))
            .push(" = 1 AND attempts < max_attempts THEN 'queued' ELSE 'failed' END, finished_at = CASE WHEN ")
            .bind(Arg::Int(retry))
            .push(" = 1 AND attempts < max_attempts THEN NULL ELSE ")
            .bind(Arg::Int(now))
            .push(" END, run_after = ")
            .bind(Arg::Int(run_after))
            .push(", stages = ")
            .bind(t(&stages_json(stages)?))
            .push(", requires = ")
            .bind(t(&aima_core::next_requirement(stages)))
            .push(", progress = ")
            .bind(Arg::Float(aima_core::overall_progress(stages)))
            .push(", error_code = ")
            .bind(t(error.code.as_str()))
            .push(", error_message = ")
            .bind(t(&error.message))
            .push(", lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = ")
            .bind(Arg::Int(now))
            .fence(job_id, token);
        self.end_job(q, job_id).await
    }

    async fn release_job(&self, job_id: &str, token: &str) -> Result<Fenced> {
        self.record_usage(job_id, token).await?;
        let now = now_ms();
        let mut q = Sql::new(
            "UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_token = NULL, \
             lease_owner = NULL, lease_expires_at = NULL, run_after = ",
        );
        q.bind(Arg::Int(now))
            .push(", updated_at = ")
            .bind(Arg::Int(now))
            .fence(job_id, token);
        Ok(fenced(q.query().execute(&self.pool).await?.rows_affected()))
    }

    async fn cancel_job(&self, workspace: &str, id: &str) -> Result<Job> {
        let now = now_ms();
        let mut q = Sql::new(
            "UPDATE jobs SET state = 'cancelled', lease_token = NULL, lease_owner = NULL, \
             lease_expires_at = NULL, finished_at = ",
        );
        q.bind(Arg::Int(now))
            .push(", updated_at = ")
            .bind(Arg::Int(now))
            .push(" WHERE workspace_id = ")
            .bind(t(workspace))
            .push(" AND id = ")
            .bind(t(id))
            .push(" AND state IN ('queued', 'running')");
        let n = q.query().execute(&self.pool).await?.rows_affected();
        let job = self.get_job(workspace, id).await?;
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "job {} already ended as {}",
                job.id,
                job.state.as_str()
            )));
        }
        Ok(job)
    }

    async fn retry_job(&self, workspace: &str, id: &str) -> Result<Job> {
        let job = self.get_job(workspace, id).await?;
        let conflict = |job: &Job| {
            StoreError::Conflict(format!(
                "job {} is {}: only a partial or failed job is retried",
                job.id,
                job.state.as_str()
            ))
        };
        if !matches!(job.state, JobState::Partial | JobState::Failed) {
            return Err(conflict(&job));
        }
        let stages = aima_core::job::retried(&job.stages);
        let now = now_ms();
        let mut q = Sql::new("UPDATE jobs SET state = 'queued', stages = ");
        q.bind(t(&stages_json(&stages)?))
            .push(", progress = ")
            .bind(Arg::Float(aima_core::overall_progress(&stages)))
            .push(", requires = ")
            .bind(t(&aima_core::next_requirement(&stages)))
            .push(
                ", attempts = 0, error_code = NULL, error_message = NULL, finished_at = NULL, \
                 lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, run_after = ",
            )
            .bind(Arg::Int(now))
            .push(", updated_at = ")
            .bind(Arg::Int(now))
            .push(" WHERE workspace_id = ")
            .bind(t(workspace))
            .push(" AND id = ")
            .bind(t(id))
            // Only from the state read: a second retry at the same time finds it queued.
            .push(" AND state = ")
            .bind(t(job.state.as_str()))
            // The answer is the row this update wrote: a worker may claim
            // the job (and even end it again) before a second read.
            .push(&format!(" RETURNING {JOB_COLS}"));
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => job_from_row(&row),
            None => Err(conflict(&self.get_job(workspace, id).await?)),
        }
    }

    async fn job_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("state")?, r.try_get("n")?)))
            .collect()
    }
}
