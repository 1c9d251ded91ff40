//! SQLite's activity writer: one thread that owns a connection of its own
//! and runs each batch of activity writes there, from `BEGIN IMMEDIATE` to
//! `COMMIT`, through rusqlite's calls into SQLite.
//!
//! Why a connection of its own: through sqlx, every statement is a message
//! to the connection's worker thread and an answer back, two wake-ups, and a
//! heartbeat's batch is five or six statements. Profiled at 50 clients
//! (BENCHMARKS.md), 40 % of the server's time was the kernel scheduling
//! those hand-offs, with SQLite itself nearly idle. Here a batch is one
//! hand-off in and one answer out per write.
//!
//! How: writes are queued on a channel; the thread takes the first, then
//! whatever else is queued (up to [`MAX_BATCH`]), and applies them as the
//! group commit does (`group_commit::run_batch`, the same statements and
//! merge), so writes arriving while one batch commits share the next. A
//! caller that goes away only drops its answer: the write is still
//! committed, as through the group commit. SQLite has one writer at a time;
//! the pool's connections and other processes wait for this one (and it for
//! them) through the same `busy_timeout`.

use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc;
use std::sync::Arc;
use tokio::sync::oneshot;

use crate::error::{Result, StoreError};
use crate::events::EventColumns;
use crate::group_commit::{interrupted, run_batch, Pending, Write, WriteDb, Written, MAX_BATCH};
use crate::sql::{Arg, Sql, SqliteSync};
use aima_core::StoredEvent;

/// The writer thread's queue (the thread ends when the last clone of its
/// store is dropped).
#[derive(Debug)]
pub(crate) struct SqliteWriter {
    queue: mpsc::Sender<Pending>,
}

impl SqliteWriter {
    /// Opens the database at `path` (which must exist: the pool has made
    /// and migrated it) and starts the thread. Its committed transactions
    /// are counted in `commits`.
    pub(crate) fn start(path: &Path, sync: SqliteSync, commits: Arc<AtomicU64>) -> Result<Self> {
        let conn = open(path, sync)?;
        let (queue, writes) = mpsc::channel::<Pending>();
        std::thread::Builder::new()
            .name("aima-sqlite-writer".into())
            .spawn(move || run(conn, writes, commits))
            .map_err(|e| StoreError::Conflict(format!("cannot start the SQLite writer: {e}")))?;
        Ok(Self { queue })
    }

    /// Applies `write` in the writer's next transaction and returns once it
    /// has committed (or failed).
    pub(crate) async fn submit(&self, write: Write) -> Result<Written> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(Pending { write, answer })
            .map_err(|_| interrupted())?;
        answered.await.unwrap_or_else(|_| Err(interrupted()))
    }
}

/// The writer's connection, set up as the pool's are (the same pragmas).
pub(crate) fn open(path: &Path, sync: SqliteSync) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    for pragma in sync.pragmas() {
        // `journal_mode` answers with a row: read and dropped.
        conn.query_row(pragma, [], |_| Ok(()))
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(()),
                e => Err(e),
            })?;
    }
    // The lock and latest-event statements differ by the number of
    // buckets in a batch (up to 50 in the benchmark).
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

fn run(mut conn: Connection, writes: mpsc::Receiver<Pending>, commits: Arc<AtomicU64>) {
    while let Ok(first) = writes.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match writes.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        // The statements never wait on anything but SQLite: every future
        // of the batch completes when first polled. A panic drops the
        // batch's answers (each caller hears "interrupted", nothing of it
        // was committed) and the thread goes on with the next.
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            futures::executor::block_on(run_batch(&mut conn, batch, &commits))
        }));
        if done.is_err() {
            tracing::error!("the SQLite activity writer panicked in a batch; its writes failed");
        }
    }
}

/// Runs `q` with its arguments bound in order (`$N` is SQLite's N-th
/// parameter: they are numbered as written).
fn rows<T>(
    tx: &Connection,
    q: &Sql,
    read: impl Fn(&rusqlite::Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = tx.prepare_cached(q.text())?;
    let mut rows = stmt.query(rusqlite::params_from_iter(q.args().iter().map(value)))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(read(row)?);
    }
    Ok(out)
}

fn value(arg: &Arg) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match arg {
        Arg::Text(v) | Arg::OptText(Some(v)) => Value::Text(v.clone()),
        Arg::Int(v) | Arg::OptInt(Some(v)) => Value::Integer(*v),
        Arg::Float(v) | Arg::OptFloat(Some(v)) => Value::Real(*v),
        // `Sql::bind` writes a missing value as a NULL literal.
        Arg::OptText(None) | Arg::OptInt(None) | Arg::OptFloat(None) => Value::Null,
    }
}

impl WriteDb for Connection {
    async fn begin(&mut self) -> Result<()> {
        // A batch that panicked may have left its transaction open.
        self.rollback().await;
        self.execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    async fn bucket_rows(&mut self, q: &Sql) -> Result<Vec<(String, String, String)>> {
        rows(self, q, |r| {
            Ok((r.get("workspace_id")?, r.get("id")?, r.get("btype")?))
        })
    }

    async fn event_rows(&mut self, q: &Sql) -> Result<Vec<(i64, StoredEvent)>> {
        rows(self, q, |r| {
            let event = EventColumns {
                id: r.get("id")?,
                bucket: r.get("bucket_id")?,
                ts: r.get("ts")?,
                duration: r.get("duration")?,
                data: r.get("data")?,
                mode: r.get("mode")?,
                mode_source: r.get("mode_source")?,
                mode_confidence: r.get("mode_confidence")?,
                model_version: r.get("model_version")?,
            }
            .into_event()?;
            Ok((r.get("part")?, event))
        })
    }

    async fn insert(&mut self, q: &Sql) -> Result<i64> {
        rows(self, q, |r| Ok(r.get::<_, i64>("id")?))?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn version(&mut self, q: &Sql) -> Result<Option<i64>> {
        Ok(rows(self, q, |r| Ok(r.get::<_, i64>("version")?))?.pop())
    }

    async fn execute(&mut self, q: &Sql) -> Result<()> {
        rows(self, q, |_| Ok(()))?;
        Ok(())
    }

    async fn commit(&mut self) -> Result<()> {
        Ok(self.execute_batch("COMMIT")?)
    }

    async fn rollback(&mut self) {
        if !self.is_autocommit() {
            if let Err(e) = self.execute_batch("ROLLBACK") {
                tracing::warn!(error = %e, "the SQLite activity writer could not roll back");
            }
        }
    }
}
