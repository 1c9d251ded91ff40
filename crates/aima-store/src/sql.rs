use std::str::FromStr;
use std::time::Duration;

use aima_core::{
    page::SortOrder, Cursor, ErrorCode, ErrorInfo, Insight, InsightFilter, Job, JobState, Lease,
    Media, MediaFilter, MediaKind, NewMedia, PageRequest, StageStatus, StoredInsight,
};
use async_trait::async_trait;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use crate::{
    now_ms, ClaimScope, FailureKind, Fenced, InsightRepo, JobRepo, MediaRepo, NewJob, Page, Result,
    Store, StoreError, WorkspaceRepo,
};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Dialect::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    fn migrator(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// Hides a password in a database URL before it reaches a log or an error.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{}:***{}", &url[..s], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The store over SQLite or PostgreSQL. Cheap to clone: a pool inside.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) dialect: Dialect,
    /// How close (cosine) a new face must be to a person to join it.
    pub(crate) face_match: f32,
    /// Concurrent activity writes, committed together.
    pub(crate) activity_writes: std::sync::Arc<crate::group_commit::GroupCommit>,
}

impl SqlStore {
    /// How close (cosine, 0 to 1) a new face must be to a person's centroid
    /// to join that person; else it starts a new one.
    pub fn with_face_match_threshold(mut self, threshold: f32) -> Self {
        self.face_match = threshold;
        self
    }

    /// Serializes writers of one content hash for the rest of the
    /// transaction: a PostgreSQL advisory lock on the hash (every server on
    /// the database sees it); on SQLite a write that takes the database's
    /// single write lock.
    async fn lock_bytes(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        sha256: &str,
    ) -> Result<()> {
        // The first 15 hex digits fit a positive BIGINT.
        let key = i64::from_str_radix(sha256.get(..15).unwrap_or("0"), 16).unwrap_or(0);
        self.lock_key(tx, key).await
    }

    /// Serializes writers of a workspace's persons for the rest of the
    /// transaction (same mechanism as [`SqlStore::lock_bytes`], under a
    /// negative key so it never meets a content hash's).
    pub(crate) async fn lock_persons(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        workspace: &str,
    ) -> Result<()> {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(format!("persons:{workspace}").as_bytes());
        let mut b = [0u8; 8];
        b.copy_from_slice(&digest[..8]);
        let key = -((i64::from_be_bytes(b) & i64::MAX).max(1));
        self.lock_key(tx, key).await
    }

    async fn lock_key(&self, tx: &mut sqlx::Transaction<'_, sqlx::Any>, key: i64) -> Result<()> {
        match self.dialect {
            Dialect::Postgres => {
                let mut q = Sql::new("SELECT pg_advisory_xact_lock(");
                q.bind(Arg::Int(key)).push(")");
                q.query().execute(&mut **tx).await?;
            }
            Dialect::Sqlite => {
                sqlx::query("UPDATE workspaces SET created_at = created_at WHERE 0 = 1")
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// Runs an update that may end a job and, in the same transaction,
    /// queues the webhook event of the state it ended in.
    async fn end_job(&self, update: Sql, job_id: &str) -> Result<Fenced> {
        let mut tx = self.pool.begin().await?;
        let rows = update.query().execute(&mut *tx).await?.rows_affected();
        if rows > 0 {
            crate::team::queue_job_event(&mut tx, job_id).await?;
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

    /// Connects and applies migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        Self::open(url, max_connections, true).await
    }

    /// Connects to a database that must exist already, and changes
    /// nothing (no migrations, no new SQLite file): for `aima doctor`,
    /// whose [`Store::ready`] then says what is missing.
    pub async fn connect_existing(url: &str) -> Result<Self> {
        Self::open(url, 1, false).await
    }

    async fn open(url: &str, max_connections: u32, migrate: bool) -> Result<Self> {
        let dialect = Dialect::from_url(url)?;
        sqlx::any::install_default_drivers();
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30));
        if dialect == Dialect::Sqlite {
            // Vector distances for search by meaning, in every connection.
            aima_sqlite_vec::register();
            // WAL lets readers run beside the one writer; busy_timeout makes a
            // writer wait for the lock (another process, or another pool
            // connection) instead of failing at once. NORMAL sync is durable
            // against a process dying, which is the failure we design for.
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA busy_timeout = 15000",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA foreign_keys = ON",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            });
        }
        if dialect == Dialect::Postgres {
            // Cancel safety for every request, by construction: sqlx 0.8
            // can hand back a connection whose `BEGIN` was cancelled in
            // flight (a client hung up) still inside that transaction,
            // unaware of it (sqlx issues 4385 and 4393, fixed upstream by
            // PR 4394 after 0.8.6); the next request's single-statement
            // write would join it, be answered 2xx, and be rolled back
            // later. So a connection coming back to the pool is asked
            // whether it is inside a transaction block, and rolled back if
            // so. `now()` is the transaction's start, `statement_timestamp()`
            // this statement's: they differ only inside a block begun
            // earlier (a plain `ROLLBACK` each time would log a warning per
            // request). One round trip per release.
            options = options.after_release(|conn, _meta| {
                Box::pin(async move {
                    let stray: bool = sqlx::query_scalar("SELECT now() <> statement_timestamp()")
                        .fetch_one(&mut *conn)
                        .await?;
                    if stray {
                        tracing::warn!(
                            "a pooled connection came back inside a transaction: rolled back"
                        );
                        sqlx::query("ROLLBACK").execute(&mut *conn).await?;
                    }
                    Ok(true)
                })
            });
        }
        let url = if dialect == Dialect::Sqlite && !url.contains("mode=") {
            let sep = if url.contains('?') { '&' } else { '?' };
            let mode = if migrate { "rwc" } else { "rw" };
            format!("{url}{sep}mode={mode}")
        } else {
            url.to_string()
        };
        // Validate the URL shape with the typed parser first: its errors are clearer.
        if dialect == Dialect::Postgres {
            sqlx::postgres::PgConnectOptions::from_str(&url)?;
        }
        let pool = options.connect(&url).await?;
        if migrate {
            dialect.migrator().run(&pool).await?;
        }
        Ok(Self {
            pool,
            dialect,
            face_match: aima_core::person::DEFAULT_MATCH_THRESHOLD,
            activity_writes: Default::default(),
        })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

// ---------------------------------------------------------------------------
// A small query builder. sqlx's QueryBuilder writes `?` placeholders for the
// Any driver, which PostgreSQL rejects; this one numbers them `$N`, which both
// drivers accept.

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
    Float(f64),
    OptFloat(Option<f64>),
}

#[derive(Default, Clone)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub(crate) fn new(text: &str) -> Self {
        Self {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub(crate) fn bind(&mut self, arg: Arg) -> &mut Self {
        // A missing value is written as a NULL literal, never bound: sqlx
        // 0.8's Any driver binds a NULL float as PostgreSQL float4 (its
        // Real/Double mapping is swapped), and a statement cached with that
        // type then rejects the next, non-NULL, float8 value.
        if matches!(
            arg,
            Arg::OptText(None) | Arg::OptInt(None) | Arg::OptFloat(None)
        ) {
            self.text.push_str("NULL");
            return self;
        }
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// The lease check every write of a running job ends with: the row is
    /// changed only while this token still holds it.
    pub(crate) fn fence(&mut self, job_id: &str, token: &str) -> &mut Self {
        self.push(" WHERE id = ")
            .bind(t(job_id))
            .push(" AND lease_token = ")
            .bind(t(token))
            .push(" AND state = 'running'")
    }

    pub(crate) fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for arg in &self.args {
            q = match arg {
                Arg::Text(v) => q.bind(v.clone()),
                Arg::OptText(v) => q.bind(v.clone()),
                Arg::Int(v) => q.bind(*v),
                Arg::OptInt(v) => q.bind(*v),
                Arg::Float(v) => q.bind(*v),
                Arg::OptFloat(v) => q.bind(*v),
            };
        }
        q
    }
}

pub(crate) fn t(s: &str) -> Arg {
    Arg::Text(s.to_string())
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

// ---------------------------------------------------------------------------
// Row mapping

const MEDIA_COLS: &str =
    "id, workspace_id, sha256, kind, filename, size, duration, width, height, probe, created_at";

fn media_from_row(row: &AnyRow) -> Result<Media> {
    let kind: String = row.try_get("kind")?;
    let probe: String = row.try_get("probe")?;
    Ok(Media {
        id: row.try_get("id")?,
        workspace: row.try_get("workspace_id")?,
        sha256: row.try_get("sha256")?,
        kind: MediaKind::parse(&kind).ok_or_else(|| corrupt("media kind", &kind))?,
        filename: row.try_get("filename")?,
        size: row.try_get("size")?,
        duration: row.try_get("duration")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
        probe: serde_json::from_str(&probe).map_err(|e| corrupt("media probe", e))?,
        created_at: row.try_get("created_at")?,
    })
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

pub(crate) const INSIGHT_COLS: &str =
    "id, media_id, job_id, analyzer, kind, ikey, start_s, end_s, data, artifact, review";

pub(crate) fn insight_from_row(row: &AnyRow) -> Result<StoredInsight> {
    let data: String = row.try_get("data")?;
    let review: Option<String> = row.try_get("review")?;
    Ok(StoredInsight {
        review: review.as_deref().and_then(aima_core::Review::parse),
        id: row.try_get("id")?,
        media_id: row.try_get("media_id")?,
        job_id: row.try_get("job_id")?,
        insight: Insight {
            analyzer: row.try_get("analyzer")?,
            kind: row.try_get("kind")?,
            start: row.try_get("start_s")?,
            end: row.try_get("end_s")?,
            data: serde_json::from_str(&data).map_err(|e| corrupt("insight data", e))?,
            artifact: row.try_get("artifact")?,
            key: row.try_get("ikey")?,
        },
    })
}

fn stages_json(stages: &[StageStatus]) -> Result<String> {
    serde_json::to_string(stages).map_err(|e| corrupt("job stages", e))
}

/// Adds the keyset condition and order of a page, and fetches one row more
/// than asked to learn whether there is a next page.
pub(crate) fn push_page(sql: &mut Sql, page: &PageRequest) {
    push_page_on(sql, page, "")
}

/// [`push_page`] on the `created_at` and `id` of the table aliased `on`
/// (`"p."`), for queries that join.
pub(crate) fn push_page_on(sql: &mut Sql, page: &PageRequest, on: &str) {
    let (cmp, dir) = match page.order {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    };
    if let Some(c) = &page.after {
        sql.push(&format!(" AND ({on}created_at {cmp} "))
            .bind(Arg::Int(c.created_at))
            .push(&format!(" OR ({on}created_at = "))
            .bind(Arg::Int(c.created_at))
            .push(&format!(" AND {on}id {cmp} "))
            .bind(t(&c.id))
            .push("))");
    }
    sql.push(&format!(
        " ORDER BY {on}created_at {dir}, {on}id {dir} LIMIT "
    ))
    .bind(Arg::Int(page.limit as i64 + 1));
}

pub(crate) fn into_page<T>(
    mut items: Vec<T>,
    page: &PageRequest,
    key: impl Fn(&T) -> Cursor,
) -> Page<T> {
    let next_cursor = if items.len() > page.limit as usize {
        items.truncate(page.limit as usize);
        items.last().map(|last| key(last).encode())
    } else {
        None
    };
    Page { items, next_cursor }
}

pub(crate) fn fenced(rows: u64) -> Fenced {
    if rows > 0 {
        Fenced::Ok
    } else {
        Fenced::LeaseLost
    }
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl SqlStore {
    /// Writes an insight if the lease is held and its key is new; the number
    /// of rows written.
    pub(crate) async fn insert_insight<'e, E>(
        &self,
        exec: E,
        job: &Job,
        token: &str,
        insight: &Insight,
    ) -> Result<u64>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let data = serde_json::to_string(&insight.data).map_err(|e| corrupt("insight data", e))?;
        // INSERT ... SELECT ... WHERE: the insight is written only while the
        // lease is held, in the same statement that checks it. (SQLite needs
        // the WHERE for the upsert clause to parse after a SELECT.)
        let mut q = Sql::new(
            "INSERT INTO insights (workspace_id, media_id, job_id, analyzer, kind, ikey, start_s, \
             end_s, data, artifact, created_at) SELECT workspace_id, media_id, id, ",
        );
        q.bind(t(&insight.analyzer))
            .push(", ")
            .bind(t(&insight.kind))
            .push(", ")
            .bind(t(&insight.key))
            .push(", ")
            .bind(Arg::Float(insight.start))
            .push(", ")
            .bind(Arg::OptFloat(insight.end))
            .push(", ")
            .bind(t(&data))
            .push(", ")
            .bind(Arg::OptText(insight.artifact.clone()))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(" FROM jobs")
            .fence(&job.id, token)
            .push(" ON CONFLICT (job_id, analyzer, ikey) DO NOTHING");
        Ok(q.query().execute(exec).await?.rows_affected())
    }
}

// ---------------------------------------------------------------------------

#[async_trait]
impl WorkspaceRepo for SqlStore {
    async fn ensure_workspace(&self, workspace: &str) -> Result<()> {
        let mut q = Sql::new("INSERT INTO workspaces (id, created_at) VALUES (");
        q.bind(t(workspace))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(") ON CONFLICT (id) DO NOTHING");
        q.query().execute(&self.pool).await?;
        Ok(())
    }
}

/// Queues what a media leaves in the blob store (its artifacts, and its
/// bytes unless another media uses them) for `collect_garbage`, in the
/// transaction that removes its row.
async fn queue_blob_gc(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    media_id: &str,
    sha256: &str,
) -> Result<()> {
    let mut q = Sql::new("INSERT INTO blob_gc (media_id, sha256, queued_at) VALUES (");
    q.bind(t(media_id))
        .push(", ")
        .bind(t(sha256))
        .push(", ")
        .bind(Arg::Int(now_ms()))
        .push(") ON CONFLICT (media_id) DO NOTHING");
    q.query().execute(&mut **tx).await?;
    Ok(())
}

#[async_trait]
impl MediaRepo for SqlStore {
    async fn insert_or_get_media(&self, new: NewMedia) -> Result<(Media, bool)> {
        self.ensure_workspace(&new.workspace).await?;
        let probe = serde_json::to_string(&new.probe).map_err(|e| corrupt("probe", e))?;
        // Not stored until the upload has put the bytes (mark_media_stored).
        let mut q = Sql::new(&format!(
            "INSERT INTO media ({MEDIA_COLS}, stored) VALUES ("
        ));
        q.bind(t(&new_id()))
            .push(", ")
            .bind(t(&new.workspace))
            .push(", ")
            .bind(t(&new.sha256))
            .push(", ")
            .bind(t(new.kind.as_str()))
            .push(", ")
            .bind(Arg::OptText(new.filename.clone()))
            .push(", ")
            .bind(Arg::Int(new.size))
            .push(", ")
            .bind(Arg::OptFloat(new.duration))
            .push(", ")
            .bind(Arg::OptInt(new.width))
            .push(", ")
            .bind(Arg::OptInt(new.height))
            .push(", ")
            .bind(t(&probe))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(", 0) ON CONFLICT (workspace_id, sha256) DO NOTHING");
        // Under the content hash's lock (see delete_media).
        let mut tx = self.pool.begin().await?;
        self.lock_bytes(&mut tx, &new.sha256).await?;
        let created = q.query().execute(&mut *tx).await?.rows_affected() > 0;
        let mut q = Sql::new(&format!(
            "SELECT {MEDIA_COLS} FROM media WHERE workspace_id = "
        ));
        q.bind(t(&new.workspace))
            .push(" AND sha256 = ")
            .bind(t(&new.sha256));
        let row = q.query().fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok((media_from_row(&row)?, created))
    }

    async fn get_media(&self, workspace: &str, id: &str) -> Result<Media> {
        let mut q = Sql::new(&format!(
            "SELECT {MEDIA_COLS} FROM media WHERE workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND id = ")
            .bind(t(id))
            .push(" AND stored = 1");
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => media_from_row(&row),
            None => Err(StoreError::NotFound),
        }
    }

    async fn list_media(
        &self,
        workspace: &str,
        filter: &MediaFilter,
        page: &PageRequest,
    ) -> Result<Page<Media>> {
        let mut q = Sql::new(&format!(
            "SELECT {MEDIA_COLS} FROM media WHERE workspace_id = "
        ));
        q.bind(t(workspace)).push(" AND stored = 1");
        if let Some(kind) = filter.kind {
            q.push(" AND kind = ").bind(t(kind.as_str()));
        }
        if let Some(after) = filter.created_after {
            q.push(" AND created_at >= ").bind(Arg::Int(after));
        }
        if let Some(before) = filter.created_before {
            q.push(" AND created_at < ").bind(Arg::Int(before));
        }
        push_page(&mut q, page);
        let rows = q.query().fetch_all(&self.pool).await?;
        let items = rows
            .iter()
            .map(media_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(into_page(items, page, |m| Cursor {
            created_at: m.created_at,
            id: m.id.clone(),
        }))
    }

    async fn delete_media(&self, workspace: &str, id: &str) -> Result<Media> {
        let media = self.get_media(workspace, id).await?;
        let mut tx = self.pool.begin().await?;
        // A write first, so that SQLite takes its write lock at the first
        // statement (a read-then-write transaction can fail to upgrade);
        // PostgreSQL takes the content hash's lock.
        self.lock_bytes(&mut tx, &media.sha256).await?;
        for table in ["insights", "jobs"] {
            let mut q = Sql::new(&format!("DELETE FROM {table} WHERE media_id = "));
            q.bind(t(id));
            q.query().execute(&mut *tx).await?;
        }
        let mut q = Sql::new("DELETE FROM media WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // The blobs go once this commits (collect_garbage).
        queue_blob_gc(&mut tx, id, &media.sha256).await?;
        let data = serde_json::json!({
            "resource": {"type": "media", "id": id},
            "media": {"id": id, "filename": media.filename, "sha256": media.sha256},
        });
        crate::team::queue_event(&mut tx, workspace, "media.deleted", data).await?;
        tx.commit().await?;
        Ok(media)
    }

    async fn mark_media_stored(&self, workspace: &str, id: &str) -> Result<()> {
        let mut q = Sql::new("UPDATE media SET stored = 1 WHERE workspace_id = ");
        q.bind(t(workspace))
            .push(" AND id = ")
            .bind(t(id))
            .push(" AND stored = 0");
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    async fn forget_unstored_media(
        &self,
        media_id: Option<&str>,
        created_before: i64,
        limit: i64,
    ) -> Result<usize> {
        let mut q = Sql::new("SELECT id, sha256 FROM media WHERE stored = 0 AND created_at < ");
        q.bind(Arg::Int(created_before));
        if let Some(id) = media_id {
            q.push(" AND id = ").bind(t(id));
        }
        q.push(" ORDER BY created_at LIMIT ")
            .bind(Arg::Int(limit.max(1)));
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut forgotten = 0;
        for row in rows {
            let id: String = row.try_get("id")?;
            let sha256: String = row.try_get("sha256")?;
            let mut tx = self.pool.begin().await?;
            self.lock_bytes(&mut tx, &sha256).await?;
            // Still unstored: an upload of the same bytes may have finished
            // it meanwhile.
            let mut q = Sql::new("DELETE FROM media WHERE id = ");
            q.bind(t(&id)).push(" AND stored = 0");
            if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
                continue;
            }
            // Its bytes, if some were put, go as a deleted media's do.
            queue_blob_gc(&mut tx, &id, &sha256).await?;
            tx.commit().await?;
            forgotten += 1;
        }
        Ok(forgotten)
    }

    async fn collect_garbage(
        &self,
        media_id: Option<&str>,
        limit: i64,
        drop: &crate::BlobDropper,
    ) -> Result<usize> {
        let mut q = Sql::new("SELECT media_id, sha256 FROM blob_gc");
        if let Some(id) = media_id {
            q.push(" WHERE media_id = ").bind(t(id));
        }
        q.push(" ORDER BY queued_at LIMIT ")
            .bind(Arg::Int(limit.max(1)));
        let queued = q.query().fetch_all(&self.pool).await?;
        let mut done = 0;
        for row in queued {
            let id: String = row.try_get("media_id")?;
            let sha256: String = row.try_get("sha256")?;
            let mut tx = self.pool.begin().await?;
            // No upload of these bytes records its row while this runs.
            self.lock_bytes(&mut tx, &sha256).await?;
            let mut q = Sql::new("SELECT COUNT(*) AS n FROM media WHERE sha256 = ");
            q.bind(t(&sha256));
            let users: i64 = q.query().fetch_one(&mut *tx).await?.try_get("n")?;
            let bytes = (users == 0).then(|| sha256.clone());
            if let Err(e) = drop(id.clone(), bytes).await {
                // Stays queued; the transaction rolls back on drop.
                tracing::warn!(media = %id, error = %e, "blobs of a deleted media not removed yet");
                continue;
            }
            let mut q = Sql::new("DELETE FROM blob_gc WHERE media_id = ");
            q.bind(t(&id));
            q.query().execute(&mut *tx).await?;
            tx.commit().await?;
            done += 1;
        }
        Ok(done)
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
                let mut q = Sql::new(
                    "SELECT COALESCE(SUM(seconds), 0.0) AS s FROM worker_usage WHERE day = ",
                );
                q.bind(Arg::Int(now_ms().div_euclid(86_400_000)))
                    .push(" AND capability = ")
                    .bind(t(&b.capability));
                let spent: f64 = q.query().fetch_one(&self.pool).await?.try_get("s")?;
                if spent >= b.seconds_per_day {
                    tracing::info!(capability = %b.capability, spent, "daily budget spent; nothing dispatched");
                    return Ok(None);
                }
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

    async fn usage(&self, workspace: Option<&str>, since_day: i64) -> Result<Vec<crate::Usage>> {
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
                Ok(crate::Usage {
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
            .bind(t(job.state.as_str()));
        let n = q.query().execute(&self.pool).await?.rows_affected();
        let job = self.get_job(workspace, id).await?;
        if n == 0 {
            return Err(conflict(&job));
        }
        Ok(job)
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

#[async_trait]
impl InsightRepo for SqlStore {
    async fn put_insight(&self, job: &Job, token: &str, insight: &Insight) -> Result<Fenced> {
        if let Some((insight, embedding)) = crate::persons::face_parts(insight) {
            return self.put_face(job, token, &insight, embedding).await;
        }
        if let Some((insight, vector)) = crate::persons::embedding_parts(insight, "labels") {
            return self.put_frame(job, token, &insight, vector).await;
        }
        let n = self.insert_insight(&self.pool, job, token, insight).await?;
        if n > 0 {
            return Ok(Fenced::Ok);
        }
        // Nothing written: either the key was already saved (fine) or the lease is gone.
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM jobs");
        q.fence(&job.id, token);
        let held: i64 = q.query().fetch_one(&self.pool).await?.try_get("n")?;
        Ok(fenced(held as u64))
    }

    async fn list_insights(
        &self,
        workspace: &str,
        media_id: &str,
        filter: &InsightFilter,
    ) -> Result<Vec<StoredInsight>> {
        let mut q = Sql::new(&format!(
            "SELECT {INSIGHT_COLS} FROM insights WHERE workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND media_id = ")
            .bind(t(media_id));
        if let Some(a) = &filter.analyzer {
            q.push(" AND analyzer = ").bind(t(a));
        }
        if let Some(k) = &filter.kind {
            q.push(" AND kind = ").bind(t(k));
        }
        if !filter.include_rejected {
            q.push(" AND (review IS NULL OR review <> 'rejected')");
        }
        if let Some(from) = filter.from {
            q.push(" AND COALESCE(end_s, start_s) >= ")
                .bind(Arg::Float(from));
        }
        if let Some(to) = filter.to {
            q.push(" AND start_s <= ").bind(Arg::Float(to));
        }
        q.push(" ORDER BY start_s, analyzer, id");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(insight_from_row).collect()
    }

    async fn artifact_exists(
        &self,
        workspace: &str,
        media_id: &str,
        artifact: &str,
    ) -> Result<bool> {
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM insights WHERE workspace_id = ");
        q.bind(t(workspace))
            .push(" AND media_id = ")
            .bind(t(media_id))
            .push(" AND artifact = ")
            .bind(t(artifact));
        let n: i64 = q.query().fetch_one(&self.pool).await?.try_get("n")?;
        Ok(n > 0)
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn ready(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE success = ");
        q.push(match self.dialect {
            Dialect::Sqlite => "1",
            Dialect::Postgres => "TRUE",
        });
        let applied: i64 = q.query().fetch_one(&self.pool).await?.try_get("n")?;
        let known = self.dialect.migrator().iter().count() as i64;
        if applied < known {
            return Err(StoreError::Conflict(format!(
                "{applied} of {known} migrations applied"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://aima:secret@db:5432/aima"),
            "postgres://aima:***@db:5432/aima"
        );
        assert_eq!(redact_url("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
    }

    #[test]
    fn dialects() {
        assert_eq!(
            Dialect::from_url("sqlite://x.db").ok(),
            Some(Dialect::Sqlite)
        );
        assert_eq!(
            Dialect::from_url("postgresql://h/db").ok(),
            Some(Dialect::Postgres)
        );
        assert!(Dialect::from_url("mysql://h/db").is_err());
    }
}
