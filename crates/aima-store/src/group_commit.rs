//! Group commit of activity writes: the heartbeats and event inserts that a
//! store receives at the same time share one transaction, and each caller
//! gets its answer only after that transaction committed.
//!
//! Why: ActivityWatch watchers send a heartbeat every few seconds each, and
//! a transaction per heartbeat makes concurrent writers queue on the
//! database (SQLite's one writer, or the commit's log flush on PostgreSQL):
//! measured in issue 17, AIMA's heartbeat rate *fell* from 909/s at one
//! client to 265/s at 50. aw-server-rust batches the same way in its
//! datastore worker, but answers before its batch is committed; here an
//! answer always means "stored".
//!
//! How (leader and followers, no background task to keep alive): a write
//! joins the queue, then waits for either its answer or the **turn**. Who
//! gets the turn takes everything queued (up to [`MAX_BATCH`]) and applies
//! it in one transaction on a spawned task, which holds the turn until it
//! has committed and answered every write of the batch. While one batch
//! commits, the next gathers: the window is the previous commit's duration,
//! so a lone writer waits for nothing and fifty share a commit. The batch
//! runs on its own task so that a caller that goes away (a client hanging
//! up) cannot cancel a transaction others wait on.
//!
//! The order of writes in a batch is their arrival order, and each is
//! applied exactly as it would be alone (heartbeat merge included: a later
//! heartbeat of the same bucket sees the earlier one). If the batch fails
//! as a whole (a database error, a PostgreSQL deadlock between two servers'
//! batches), nothing of it was stored, and each write is retried in a
//! transaction of its own, so one bad write never fails its neighbours.
//!
//! The transaction itself ([`apply`]) is written once, over [`WriteDb`]: the
//! pool's connections here (PostgreSQL), or on SQLite the connection that
//! `sqlite_writer`'s thread owns, which runs each batch with no hand-off
//! per statement.

use aima_core::activity::{heartbeat_merge, ACTIVITY_BUCKET_TYPES};
use aima_core::{Event, ModeLabel, StoredEvent};
use sqlx::{AnyPool, Row};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;

use crate::error::{Result, StoreError};
use crate::events::{
    active_mode_version_sql, event_from_row, insert_event_sql, HeartbeatOutcome, EVENT_COLS,
};
use crate::sql::{begin_write, t, Arg, Dialect, Sql};

/// A database an activity batch is written to, one transaction at a time:
/// [`WriteDb::begin`], the batch's statements (each run as given, the SQL
/// being the same for every backend, and its rows read into plain values),
/// then [`WriteDb::commit`] or [`WriteDb::rollback`].
pub(crate) trait WriteDb {
    /// Begins a transaction that holds the write lock from its start.
    async fn begin(&mut self) -> Result<()>;
    /// The `(workspace_id, id, btype)` rows a statement returns.
    async fn bucket_rows(&mut self, q: &Sql) -> Result<Vec<(String, String, String)>>;
    /// The `(part, event)` rows a statement returns (`part` and
    /// [`EVENT_COLS`]).
    async fn event_rows(&mut self, q: &Sql) -> Result<Vec<(i64, StoredEvent)>>;
    /// The `id` an insert returns.
    async fn insert(&mut self, q: &Sql) -> Result<i64>;
    /// The `version` column of the one row a statement returns, if any.
    async fn version(&mut self, q: &Sql) -> Result<Option<i64>>;
    async fn execute(&mut self, q: &Sql) -> Result<()>;
    async fn commit(&mut self) -> Result<()>;
    /// Ends the transaction, if one is open, storing nothing of it.
    async fn rollback(&mut self);
}

/// The pool's connections (what PostgreSQL's batches run on).
struct Pooled {
    pool: AnyPool,
    dialect: Dialect,
    tx: Option<sqlx::Transaction<'static, sqlx::Any>>,
}

impl Pooled {
    fn new(pool: &AnyPool, dialect: Dialect) -> Self {
        Self {
            pool: pool.clone(),
            dialect,
            tx: None,
        }
    }

    fn tx(&mut self) -> Result<&mut sqlx::AnyConnection> {
        match self.tx.as_mut() {
            Some(tx) => Ok(&mut **tx),
            None => Err(StoreError::Conflict("no transaction open".into())),
        }
    }
}

impl WriteDb for Pooled {
    async fn begin(&mut self) -> Result<()> {
        self.tx = Some(begin_write(&self.pool, self.dialect).await?);
        Ok(())
    }

    async fn bucket_rows(&mut self, q: &Sql) -> Result<Vec<(String, String, String)>> {
        q.query()
            .fetch_all(self.tx()?)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("workspace_id")?,
                    row.try_get("id")?,
                    row.try_get("btype")?,
                ))
            })
            .collect()
    }

    async fn event_rows(&mut self, q: &Sql) -> Result<Vec<(i64, StoredEvent)>> {
        q.query()
            .fetch_all(self.tx()?)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("part")?, event_from_row(row)?)))
            .collect()
    }

    async fn insert(&mut self, q: &Sql) -> Result<i64> {
        Ok(q.query().fetch_one(self.tx()?).await?.try_get("id")?)
    }

    async fn version(&mut self, q: &Sql) -> Result<Option<i64>> {
        match q.query().fetch_optional(self.tx()?).await? {
            Some(row) => Ok(Some(row.try_get("version")?)),
            None => Ok(None),
        }
    }

    async fn execute(&mut self, q: &Sql) -> Result<()> {
        q.query().execute(self.tx()?).await?;
        Ok(())
    }

    async fn commit(&mut self) -> Result<()> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        Ok(())
    }

    async fn rollback(&mut self) {
        // Dropped, sqlx rolls it back (queued on the connection).
        self.tx.take();
    }
}

/// The most writes one transaction takes (bounds how long SQLite's write
/// lock is held by one batch).
pub(crate) const MAX_BATCH: usize = 512;

/// An activity write waiting for its transaction.
pub(crate) enum Write {
    Heartbeat {
        workspace: String,
        bucket: String,
        event: Event,
        pulsetime: f64,
    },
    Insert {
        workspace: String,
        bucket: String,
        events: Vec<(Event, Option<ModeLabel>)>,
    },
}

impl Write {
    fn bucket(&self) -> (&str, &str) {
        match self {
            Write::Heartbeat {
                workspace, bucket, ..
            }
            | Write::Insert {
                workspace, bucket, ..
            } => (workspace, bucket),
        }
    }
}

/// What a write did, once committed.
pub(crate) enum Written {
    Heartbeat(HeartbeatOutcome),
    Inserted(Vec<i64>),
}

/// A write and where its answer goes.
pub(crate) struct Pending {
    pub(crate) write: Write,
    pub(crate) answer: oneshot::Sender<Result<Written>>,
}

/// The answer of a write whose batch died before answering it (a panic):
/// its transaction was not committed.
pub(crate) fn interrupted() -> StoreError {
    StoreError::Conflict("the activity write was interrupted; send it again".into())
}

/// The queue and the turn of one store (shared by its clones).
#[derive(Default)]
pub(crate) struct GroupCommit {
    queue: Mutex<Vec<Pending>>,
    turn: Arc<tokio::sync::Mutex<()>>,
    /// Transactions the group has committed: fewer than the writes when
    /// they share commits (what the group is for).
    commits: Arc<AtomicU64>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

/// Applies `write` in a transaction of its own, on a task of its own (so a
/// caller that goes away cannot cancel it mid-transaction), beside any
/// batch: for PostgreSQL's inserts, which row locks let commit side by side
/// (through the group, batches of 100 events at 50 clients fell from 212
/// to 65 requests/s: BENCHMARKS.md).
pub(crate) async fn alone(pool: &AnyPool, dialect: Dialect, write: Write) -> Result<Written> {
    let pool = pool.clone();
    let task = tokio::spawn(async move {
        let mut db = Pooled::new(&pool, dialect);
        let mut results = apply(&mut db, &[&write]).await?;
        results.pop().unwrap_or(Err(StoreError::NotFound))
    });
    task.await.unwrap_or_else(|_| Err(interrupted()))
}

impl GroupCommit {
    /// Applies `write` in the next transaction and returns once it has
    /// committed (or failed).
    pub(crate) async fn submit(
        &self,
        pool: &AnyPool,
        dialect: Dialect,
        write: Write,
    ) -> Result<Written> {
        let (answer, mut answered) = oneshot::channel();
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Pending { write, answer });
        loop {
            tokio::select! {
                biased;
                r = &mut answered => {
                    // A dropped answer means the batch's task died (a panic):
                    // its transaction was not committed.
                    return r.unwrap_or_else(|_| Err(interrupted()));
                }
                turn = self.turn.clone().lock_owned() => {
                    let batch: Vec<Pending> = {
                        let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
                        let n = q.len().min(MAX_BATCH);
                        q.drain(..n).collect()
                    };
                    // Empty: a batch that had ours has just answered it.
                    if batch.is_empty() {
                        continue;
                    }
                    let pool = pool.clone();
                    let commits = self.commits.clone();
                    let task = tokio::spawn(async move {
                        let mut db = Pooled::new(&pool, dialect);
                        run_batch(&mut db, batch, &commits).await;
                        drop(turn);
                    });
                    let _ = task.await;
                }
            }
        }
    }

    /// Transactions committed so far.
    pub(crate) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// The counter of [`GroupCommit::commits`], for another writer of the
    /// same store to count its commits in.
    pub(crate) fn commit_counter(&self) -> Arc<AtomicU64> {
        self.commits.clone()
    }
}

/// Applies a batch in one transaction and answers every write of it; falls
/// back to a transaction per write when the batch as a whole fails.
pub(crate) async fn run_batch(db: &mut impl WriteDb, batch: Vec<Pending>, commits: &AtomicU64) {
    let writes: Vec<&Write> = batch.iter().map(|p| &p.write).collect();
    let committed = |r: Result<Vec<Result<Written>>>| {
        if r.is_ok() {
            commits.fetch_add(1, Ordering::Relaxed);
        }
        r
    };
    let results = match committed(apply(db, &writes).await) {
        Ok(results) => results,
        Err(e) if writes.len() == 1 => vec![Err(e)],
        Err(e) => {
            tracing::debug!(error = %e, writes = writes.len(), "activity batch failed; one by one");
            let mut results = Vec::with_capacity(writes.len());
            for w in &writes {
                let one = committed(apply(db, std::slice::from_ref(w)).await);
                results.push(match one {
                    Ok(mut r) => r.pop().unwrap_or(Err(StoreError::NotFound)),
                    Err(e) => Err(e),
                });
            }
            results
        }
    };
    tracing::trace!(writes = writes.len(), "activity batch done");
    for (p, r) in batch.into_iter().zip(results) {
        let _ = p.answer.send(r);
    }
}

/// Most terms in one statement (SQLite allows 500 in a compound select).
const CHUNK: usize = 200;

/// One transaction over `writes`. `Err` when it failed as a whole (nothing
/// stored); per-write `Err`s (an unknown bucket) stored nothing for that
/// write and leave the others alone.
///
/// Statements per batch, not per write, where the writes allow: one locks
/// every bucket of the batch, one reads the latest event of each bucket
/// that gets a heartbeat, and the durations of merged events are written by
/// one update at the end (a merge only lengthens an event). A new event is
/// an insert of its own, since later heartbeats may merge into it.
async fn apply(db: &mut impl WriteDb, writes: &[&Write]) -> Result<Vec<Result<Written>>> {
    db.begin().await?;
    let results = apply_in(db, writes).await;
    if results.is_err() {
        db.rollback().await;
    }
    results
}

/// [`apply`] inside its transaction, to the commit.
async fn apply_in(tx: &mut impl WriteDb, writes: &[&Write]) -> Result<Vec<Result<Written>>> {
    let buckets: BTreeSet<(&str, &str)> = writes.iter().map(|w| w.bucket()).collect();
    let types = lock_buckets(tx, &buckets).await?;
    // The latest event of each bucket as this transaction has left it
    // (`None`: the bucket is empty).
    let beating: BTreeSet<(&str, &str)> = writes
        .iter()
        .filter(|w| matches!(w, Write::Heartbeat { .. }) && types.contains_key(&w.bucket()))
        .map(|w| w.bucket())
        .collect();
    let mut latest = latest_events(tx, &beating).await?;
    // Durations of merged events, written at the end.
    let mut lengthened: HashMap<i64, f64> = HashMap::new();
    let mut results = Vec::with_capacity(writes.len());
    for w in writes {
        let key = w.bucket();
        let Some(btype) = types.get(&key) else {
            results.push(Err(StoreError::NotFound));
            continue;
        };
        match w {
            Write::Heartbeat {
                workspace,
                bucket,
                event,
                pulsetime,
            } => {
                let last = match latest.get(&key) {
                    Some(last) => last.clone(),
                    // An insert of this batch made it unknown: read again,
                    // with what this batch lengthened.
                    None => latest_events(tx, &BTreeSet::from([key]))
                        .await?
                        .remove(&key)
                        .flatten()
                        .map(|mut e| {
                            if let Some(d) = lengthened.get(&e.id) {
                                e.duration = *d;
                            }
                            e
                        }),
                };
                let (stored, merged) = match merge(last, event, *pulsetime) {
                    Some(e) => {
                        lengthened.insert(e.id, e.duration);
                        (e, true)
                    }
                    None => (insert_new(tx, workspace, bucket, event).await?, false),
                };
                latest.insert(key, Some(stored.clone()));
                results.push(Ok(Written::Heartbeat(HeartbeatOutcome {
                    event: stored,
                    merged,
                    bucket_type: btype.clone(),
                    mode_version: None,
                })));
            }
            Write::Insert {
                workspace,
                bucket,
                events,
            } => {
                let mut ids = Vec::with_capacity(events.len());
                for (e, label) in events {
                    ids.push(
                        tx.insert(&insert_event_sql(workspace, bucket, e, label)?)
                            .await?,
                    );
                }
                // Inserted events may be newer than the latest seen.
                latest.remove(&key);
                results.push(Ok(Written::Inserted(ids)));
            }
        }
    }
    // The active mode version, once per workspace, for the new events that
    // the server labels.
    let mut versions: HashMap<String, Option<i64>> = HashMap::new();
    for (w, r) in writes.iter().zip(results.iter_mut()) {
        let (Write::Heartbeat { workspace, .. }, Ok(Written::Heartbeat(out))) = (w, r) else {
            continue;
        };
        if out.merged || !ACTIVITY_BUCKET_TYPES.contains(&out.bucket_type.as_str()) {
            continue;
        }
        let version = match versions.get(workspace) {
            Some(v) => *v,
            None => {
                let v = tx.version(&active_mode_version_sql(workspace)).await?;
                versions.insert(workspace.clone(), v);
                v
            }
        };
        out.mode_version = version;
    }
    let lengthened: Vec<(i64, f64)> = lengthened.into_iter().collect();
    for chunk in lengthened.chunks(CHUNK) {
        let mut q = Sql::new("UPDATE events SET duration = CASE id");
        for (id, d) in chunk {
            q.push(" WHEN ")
                .bind(Arg::Int(*id))
                .push(" THEN ")
                .bind(Arg::Float(*d));
        }
        q.push(" END WHERE id IN (");
        for (i, (id, _)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(Arg::Int(*id));
        }
        q.push(")");
        tx.execute(&q).await?;
    }
    tx.commit().await?;
    Ok(results)
}

/// Takes the row lock of each bucket for the rest of the transaction and
/// returns the type of each that exists. A write first: SQLite then holds
/// its write lock from the start (a read that later writes can fail to
/// upgrade), PostgreSQL locks the rows. Two servers' batches over the same
/// buckets wait for each other; should PostgreSQL still see a deadlock, the
/// batch fails as a whole and its writes are retried one by one.
async fn lock_buckets<'a>(
    tx: &mut impl WriteDb,
    buckets: &BTreeSet<(&'a str, &'a str)>,
) -> Result<HashMap<(&'a str, &'a str), String>> {
    let mut types = HashMap::new();
    let list: Vec<_> = buckets.iter().collect();
    for chunk in list.chunks(CHUNK) {
        // Bucket ids are unique per workspace: the workspace and the id
        // together name one row.
        let mut q = Sql::new("UPDATE buckets SET created_at = created_at WHERE ");
        for (i, (workspace, bucket)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push("(workspace_id = ")
                .bind(t(workspace))
                .push(" AND id = ")
                .bind(t(bucket))
                .push(")");
        }
        q.push(" RETURNING workspace_id, id, btype");
        for (w, b, btype) in tx.bucket_rows(&q).await? {
            if let Some(key) = chunk
                .iter()
                .find(|(ws, id)| *ws == w.as_str() && *id == b.as_str())
            {
                types.insert(**key, btype);
            }
        }
    }
    Ok(types)
}

/// The latest event of each of `buckets`, in one statement per chunk (each
/// part reads one row through the `(workspace_id, bucket_id, ts)` index).
async fn latest_events<'a>(
    tx: &mut impl WriteDb,
    buckets: &BTreeSet<(&'a str, &'a str)>,
) -> Result<HashMap<(&'a str, &'a str), Option<StoredEvent>>> {
    let mut latest: HashMap<_, _> = buckets.iter().map(|k| (*k, None)).collect();
    let list: Vec<_> = buckets.iter().collect();
    for chunk in list.chunks(CHUNK) {
        let mut q = Sql::new("");
        for (i, (workspace, bucket)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(" UNION ALL ");
            }
            q.push(&format!(
                "SELECT CAST({i} AS BIGINT) AS part, {EVENT_COLS} FROM \
                 (SELECT {EVENT_COLS} FROM events WHERE workspace_id = "
            ))
            .bind(t(workspace))
            .push(" AND bucket_id = ")
            .bind(t(bucket))
            .push(&format!(" ORDER BY ts DESC, id DESC LIMIT 1) AS l{i}"));
        }
        for (part, event) in tx.event_rows(&q).await? {
            if let Some(key) = usize::try_from(part).ok().and_then(|p| chunk.get(p)) {
                latest.insert(**key, Some(event));
            }
        }
    }
    Ok(latest)
}

/// ActivityWatch's heartbeat against the bucket's latest event `last`: the
/// event lengthened, or `None` when the heartbeat starts a new one.
fn merge(last: Option<StoredEvent>, event: &Event, pulsetime: f64) -> Option<StoredEvent> {
    let last = last?;
    let as_event = Event {
        id: Some(last.id),
        timestamp: last.timestamp,
        duration: last.duration,
        data: last.data.clone(),
    };
    let m = heartbeat_merge(&as_event, event, pulsetime)?;
    Some(StoredEvent {
        duration: m.duration,
        ..last
    })
}

async fn insert_new(
    tx: &mut impl WriteDb,
    workspace: &str,
    bucket: &str,
    event: &Event,
) -> Result<StoredEvent> {
    let id = tx
        .insert(&insert_event_sql(workspace, bucket, event, &None)?)
        .await?;
    Ok(StoredEvent {
        id,
        bucket: bucket.to_string(),
        timestamp: event.timestamp,
        duration: event.duration,
        data: event.data.clone(),
        mode: None,
    })
}
