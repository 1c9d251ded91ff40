//! Storage for AIMA: small traits per concern, composed into one [`Store`].
//!
//! Architecture invariant: only this crate knows SQL. Callers see domain types
//! from `aima-core` and [`StoreError`]; no sqlx type crosses this boundary
//! except as the source of an error.
//!
//! One implementation, [`SqlStore`], serves SQLite and PostgreSQL through
//! sqlx's `Any` driver: the schema uses types both read the same way (BIGINT
//! milliseconds, TEXT ids and JSON), every query uses `$N` placeholders (which
//! both drivers accept), and the few places where the dialects differ
//! (row locking when claiming a job, identity columns) are switched on
//! [`Dialect`]. Each backend owns its migrations under `migrations/`.

mod activity;
mod frames;
mod group_commit;
mod persons;
mod search;
mod sql;
mod team;

use aima_core::{Appearance, FaceRecord, Person, Review};
use aima_core::{
    Bucket, ErrorInfo, Event, EventQuery, Insight, InsightFilter, Job, Lease, Media, MediaFilter,
    ModeInfo, ModeLabel, ModeModelInfo, NewBucket, NewMedia, PageRequest, StageSpec, StageStatus,
    StoredEvent, StoredInsight,
};
use async_trait::async_trait;

pub use frames::{FrameRepo, SimilarMedia};
pub use search::{FrameSearchRepo, SearchRepo, TextIndexStatus, VectorRepo};
pub use sql::{redact_url, Dialect, SqlStore};
pub use team::{
    Attempt, AuditEntry, AuditFilter, Credentials, Delivery, DueDelivery, KeyAuth, KeyRecord,
    KeyUser, NewAudit, NewKey, SessionRecord, TeamRepo, UserChange, UserRecord, Webhook,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("unsupported database URL {0:?}: use sqlite:// or postgres://")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether trying again later may succeed: the database could not be
    /// reached or was busy (no connection free in time, a lost connection,
    /// SQLite busy or locked, a PostgreSQL deadlock, serialization failure
    /// or lock timeout, or a server shutting down). Everything else is a
    /// fault to be fixed, not waited out.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(e) => match e {
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
                sqlx::Error::Database(db) => matches!(
                    db.code().as_deref(),
                    // SQLite: BUSY, LOCKED (and their extended codes' base).
                    Some("5" | "6" | "261" | "517" | "262")
                    // PostgreSQL: serialization failure, deadlock, lock not
                    // available, admin shutdown, cannot connect now.
                    | Some("40001" | "40P01" | "55P03" | "57P01" | "57P03")
                ),
                _ => false,
            },
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One page of a listing and the cursor of the next, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// What a heartbeat did, once stored.
#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatOutcome {
    /// The bucket's event the heartbeat extended or started.
    pub event: StoredEvent,
    /// Whether it extended the latest event (else it started a new one).
    pub merged: bool,
    /// The bucket's type (`currentwindow`, `afkstatus`, ...).
    pub bucket_type: String,
}

/// Result of a write made under a lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fenced {
    /// The write was made (or was already there: insights are idempotent).
    Ok,
    /// The lease is gone: the job was cancelled, deleted, or taken by another
    /// worker after this one missed its heartbeats. Stop working on it.
    LeaseLost,
}

/// How a failed attempt ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Transient: queue the job again after `retry_after_ms`, while attempts remain.
    Retry { retry_after_ms: i64 },
    /// The input is bad: fail the job now.
    Abort,
}

/// Removes what a deleted media left in the blob store: its artifacts
/// (by media id), and the bytes of its content hash when the second
/// argument names it. Called by `collect_garbage` while it holds the hash's
/// lock, so an upload of the same bytes on any server either comes before
/// (and the bytes stay in use: the hash is not named) or after (and puts
/// them back, since uploads record their row before they put their bytes).
pub type BlobDropper = dyn Fn(
        String,
        Option<String>,
    ) -> futures::future::BoxFuture<'static, std::result::Result<(), String>>
    + Send
    + Sync;

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

/// A worker token's grant: the workspaces whose jobs it may pull and report.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerGrant {
    pub id: String,
    pub name: String,
    pub workspaces: Vec<String>,
}

/// Tokens for remote workers, stored hashed like API keys.
#[async_trait]
pub trait WorkerTokenRepo: Send + Sync {
    async fn create_worker_token(
        &self,
        name: &str,
        workspaces: &[String],
        token_hash: &str,
    ) -> Result<String>;
    /// The grant of a token that exists and is not revoked.
    async fn worker_grant(&self, token_hash: &str) -> Result<Option<WorkerGrant>>;
    /// Revokes a token by id or name; `NotFound` if none matches.
    async fn revoke_worker_token(&self, id_or_name: &str) -> Result<()>;
    /// Records what a worker announced, now.
    async fn announce_worker(&self, info: &aima_core::worker_api::WorkerInfo) -> Result<()>;
    /// Workers heard from since `since_ms`, most recent first.
    async fn list_workers(&self, since_ms: i64) -> Result<Vec<aima_core::worker_api::WorkerSeen>>;
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
pub trait WorkspaceRepo: Send + Sync {
    /// Creates the workspace if it does not exist.
    async fn ensure_workspace(&self, workspace: &str) -> Result<()>;
}

#[async_trait]
pub trait MediaRepo: Send + Sync {
    /// Inserts the media, or returns the one with the same bytes in the same
    /// workspace. The flag tells whether it was created.
    async fn insert_or_get_media(&self, new: NewMedia) -> Result<(Media, bool)>;
    async fn get_media(&self, workspace: &str, id: &str) -> Result<Media>;
    async fn list_media(
        &self,
        workspace: &str,
        filter: &MediaFilter,
        page: &PageRequest,
    ) -> Result<Page<Media>>;
    /// Deletes the media, its jobs and its insights, queues its
    /// `media.deleted` event and what it leaves in the blob store, in one
    /// transaction. The blobs go afterwards ([`MediaRepo::collect_garbage`]),
    /// so a row is never left without its bytes. Returns the deleted row.
    async fn delete_media(&self, workspace: &str, id: &str) -> Result<Media>;
    /// Marks a media whose bytes the upload has put: until then the row
    /// (made by [`MediaRepo::insert_or_get_media`]) is neither listed nor
    /// read, and no job is made for it.
    async fn mark_media_stored(&self, workspace: &str, id: &str) -> Result<()>;
    /// Forgets media rows made before `created_before` (Unix ms) that were
    /// never marked stored (their upload failed to put the bytes, or its
    /// process died between the row and the bytes), `media_id` only if
    /// given, queueing their bytes for [`MediaRepo::collect_garbage`] as a
    /// delete does. Returns how many.
    async fn forget_unstored_media(
        &self,
        media_id: Option<&str>,
        created_before: i64,
        limit: i64,
    ) -> Result<usize>;
    /// Removes what deleted media left in the blob store (`media_id`'s, or
    /// the `limit` oldest), each under its content hash's lock, dropping the
    /// bytes only when no media of any workspace uses them any more (see
    /// [`BlobDropper`]); a step that fails stays queued for the next call.
    /// Returns how many were done.
    async fn collect_garbage(
        &self,
        media_id: Option<&str>,
        limit: i64,
        drop: &BlobDropper,
    ) -> Result<usize>;
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

#[async_trait]
pub trait InsightRepo: Send + Sync {
    /// Saves an insight under a lease; a key already saved for this job and
    /// analyzer is kept as it is.
    async fn put_insight(&self, job: &Job, token: &str, insight: &Insight) -> Result<Fenced>;
    async fn list_insights(
        &self,
        workspace: &str,
        media_id: &str,
        filter: &InsightFilter,
    ) -> Result<Vec<StoredInsight>>;
    /// Whether this media has an insight with this artifact name.
    async fn artifact_exists(
        &self,
        workspace: &str,
        media_id: &str,
        artifact: &str,
    ) -> Result<bool>;
}

/// Persons: face tracks clustered across a workspace, and what users do
/// with them. Faces enter through [`InsightRepo::put_insight`]: a `face`
/// insight with an `embedding` is indexed and joins the closest person (or a
/// new one) in the same transaction.
#[async_trait]
pub trait PersonRepo: Send + Sync {
    /// Persons with at least one face, oldest first.
    async fn list_persons(&self, workspace: &str, page: &PageRequest) -> Result<Page<Person>>;
    async fn get_person(&self, workspace: &str, id: &str) -> Result<Person>;
    /// Names (or, with `None`, unnames) a person.
    async fn rename_person(&self, workspace: &str, id: &str, name: Option<&str>) -> Result<Person>;
    /// Moves every face of `from` into `into` and removes `from`.
    async fn merge_persons(&self, workspace: &str, into: &str, from: &str) -> Result<Person>;
    /// Moves these faces of `id` into a new person; both keep them pinned.
    async fn split_person(&self, workspace: &str, id: &str, faces: &[i64]) -> Result<Person>;
    /// Puts a face into a person, or (with `None`) into a new person of its
    /// own; the face is pinned there.
    async fn move_face(
        &self,
        workspace: &str,
        insight_id: i64,
        person: Option<&str>,
    ) -> Result<FaceRecord>;
    /// A person's faces in time order per media, paged by insight id.
    async fn person_faces(
        &self,
        workspace: &str,
        id: &str,
        limit: u32,
        after: Option<i64>,
    ) -> Result<Vec<FaceRecord>>;
    /// The faces of one media in time order, each with its person.
    async fn media_faces(&self, workspace: &str, media_id: &str) -> Result<Vec<FaceRecord>>;
    /// Every media a person appears in, with merged time ranges.
    async fn appearances(&self, workspace: &str, id: &str) -> Result<Vec<Appearance>>;
    /// Records a user's verdict on an insight. Rejecting a face takes it out
    /// of its person; un-rejecting it lets clustering place it again.
    async fn review_insight(
        &self,
        workspace: &str,
        id: i64,
        review: Option<Review>,
    ) -> Result<StoredInsight>;
    /// Persons whose faces `embedding` matches (their centroid at least
    /// `threshold` similar, or the configured threshold when None), most
    /// similar first, with the similarity.
    async fn persons_near(
        &self,
        workspace: &str,
        embedding: &[f32],
        threshold: Option<f32>,
    ) -> Result<Vec<(String, f32)>>;
}

/// Activity as ActivityWatch models it: buckets of events, per workspace.
#[async_trait]
pub trait ActivityRepo: Send + Sync {
    /// Creates the bucket; false if one with this id exists (left unchanged).
    async fn create_bucket(&self, workspace: &str, new: &NewBucket) -> Result<bool>;
    async fn get_bucket(&self, workspace: &str, id: &str) -> Result<Bucket>;
    async fn list_buckets(&self, workspace: &str) -> Result<Vec<Bucket>>;
    /// The type of a bucket of the workspace (`NotFound` if it has none of
    /// that id): what a write needs, without `get_bucket`'s scan of the
    /// bucket's events for its last update.
    async fn bucket_type(&self, workspace: &str, id: &str) -> Result<String>;
    /// Deletes the bucket and its events.
    async fn delete_bucket(&self, workspace: &str, id: &str) -> Result<()>;
    /// Inserts events into a bucket in one transaction (which concurrent
    /// activity writes may share), each with the mode predicted for it, if
    /// any. Returns their ids in order, once committed.
    async fn insert_events(
        &self,
        workspace: &str,
        bucket: &str,
        events: &[(Event, Option<ModeLabel>)],
    ) -> Result<Vec<i64>>;
    /// ActivityWatch's heartbeat: merges into the bucket's latest event
    /// (see `aima_core::activity::heartbeat_merge`) or inserts a new event.
    /// Heartbeats of one bucket are serialized; concurrent heartbeats and
    /// inserts share a transaction (group commit), and this returns once
    /// that transaction has committed.
    async fn heartbeat_event(
        &self,
        workspace: &str,
        bucket: &str,
        event: &Event,
        pulsetime: f64,
    ) -> Result<HeartbeatOutcome>;
    /// Events overlapping the query's range, newest first.
    async fn list_events(&self, workspace: &str, query: &EventQuery) -> Result<Vec<StoredEvent>>;
    async fn count_events(&self, workspace: &str, query: &EventQuery) -> Result<i64>;
    async fn get_event(&self, workspace: &str, bucket: &str, id: i64) -> Result<StoredEvent>;
    async fn delete_event(&self, workspace: &str, bucket: &str, id: i64) -> Result<()>;
    /// Events of activity buckets (window watchers, `/log_activity`,
    /// `aima watch`) overlapping a range, sorted by bucket then time, at
    /// most `limit` (the latest ones).
    async fn activity_events(
        &self,
        workspace: &str,
        start: Option<i64>,
        end: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StoredEvent>>;
    /// Activity events that begin in `[from, to)` (not those that only
    /// overlap it: a cheap, index-only read), the latest `limit`, sorted by
    /// bucket then time. The context of a prediction.
    async fn recent_activity(
        &self,
        workspace: &str,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>>;
}

/// Modes, their labels on events, and versions of the learned model.
#[async_trait]
pub trait ModeRepo: Send + Sync {
    /// `Conflict` if the mode exists.
    async fn create_mode(&self, workspace: &str, name: &str) -> Result<ModeInfo>;
    async fn list_modes(&self, workspace: &str) -> Result<Vec<ModeInfo>>;
    /// Deletes the mode and clears it from every event.
    async fn delete_mode(&self, workspace: &str, name: &str) -> Result<()>;
    /// Labels, as a person's choice, the activity events overlapping a time
    /// range (or the listed events). `NotFound` if the mode does not exist.
    /// Returns how many events were labelled.
    async fn label_events(
        &self,
        workspace: &str,
        mode: &str,
        range: Option<(i64, i64)>,
        event_ids: &[i64],
    ) -> Result<i64>;
    /// Sets predicted modes on events a person has not labelled.
    async fn set_predictions(&self, workspace: &str, labels: &[(i64, ModeLabel)]) -> Result<()>;
    /// Saves a trained model as the next version and makes it active, under
    /// the training job's lease. Returns the version, or None if the lease
    /// was lost.
    async fn save_mode_model(
        &self,
        job_id: &str,
        token: &str,
        algorithm: &str,
        metrics: &serde_json::Value,
        model: &str,
    ) -> Result<Option<i64>>;
    async fn list_mode_models(&self, workspace: &str) -> Result<Vec<ModeModelInfo>>;
    /// A version's model (the active one if `version` is None).
    async fn get_mode_model(
        &self,
        workspace: &str,
        version: Option<i64>,
    ) -> Result<(ModeModelInfo, String)>;
    async fn active_mode_version(&self, workspace: &str) -> Result<Option<i64>>;
    /// Makes a version the active one (a rollback, or a roll forward).
    async fn activate_mode_model(&self, workspace: &str, version: i64) -> Result<ModeModelInfo>;
}

/// Everything AIMA stores, behind one object chosen at start-up.
#[async_trait]
pub trait Store:
    WorkspaceRepo
    + MediaRepo
    + JobRepo
    + InsightRepo
    + PersonRepo
    + SearchRepo
    + VectorRepo
    + FrameRepo
    + FrameSearchRepo
    + ActivityRepo
    + ModeRepo
    + WorkerTokenRepo
    + TeamRepo
{
    /// The database answers and every migration this build knows is applied.
    async fn ready(&self) -> Result<()>;
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// API keys are long random strings, so a plain SHA-256 is enough to store
/// them safely (a slow password hash protects guessable secrets, which these
/// are not) and lets a key be looked up by its hash in one indexed query.
pub fn hash_api_key(key: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(key.as_bytes()))
}

/// The first characters of a key, kept to tell keys apart in listings
/// (`aima_` and 7 hex digits: too few to guess the rest by).
pub fn key_prefix(key: &str) -> String {
    key.chars().take(12).collect()
}

/// A new API key: a prefix that says what it is, then 32 random bytes in hex.
pub fn generate_api_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("aima_{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database that is busy or gone may answer later (503); a query the
    /// database refuses is a fault (500), however it is reached.
    #[tokio::test]
    async fn only_what_a_retry_may_cure_is_transient() {
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_transient());
        assert!(StoreError::Database(sqlx::Error::PoolClosed).is_transient());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_transient());
        assert!(!StoreError::NotFound.is_transient());
        assert!(!StoreError::Corrupt("x".into()).is_transient());
        // Real SQLite errors: a query it refuses, and a write while another
        // connection holds the write lock (no busy timeout: SQLITE_BUSY).
        let dir = std::env::temp_dir().join(format!("aima-transient-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
        let opts = |url: &str| {
            use std::str::FromStr;
            sqlx::sqlite::SqliteConnectOptions::from_str(url)
                .expect("url")
                .busy_timeout(std::time::Duration::ZERO)
        };
        use sqlx::{Connection, Executor};
        let mut a = sqlx::SqliteConnection::connect_with(&opts(&url))
            .await
            .expect("a");
        let mut b = sqlx::SqliteConnection::connect_with(&opts(&url))
            .await
            .expect("b");
        a.execute("CREATE TABLE t (x INTEGER)")
            .await
            .expect("create");
        let refused = b.execute("SELEC 1").await.expect_err("syntax");
        assert!(!StoreError::from(refused).is_transient());
        a.execute("BEGIN IMMEDIATE").await.expect("lock");
        let busy = b
            .execute("INSERT INTO t VALUES (1)")
            .await
            .expect_err("busy");
        assert!(StoreError::from(busy).is_transient());
        a.execute("ROLLBACK").await.expect("rollback");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
