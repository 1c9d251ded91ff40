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

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use aima_core::activity::heartbeat_merge;
use aima_core::{Event, ModeLabel, StoredEvent};
use sqlx::{AnyPool, Row};
use tokio::sync::oneshot;

use crate::activity::{event_from_row, insert_event_sql, EVENT_COLS};
use crate::sql::{t, Sql};
use crate::{HeartbeatOutcome, Result, StoreError};

/// The most writes one transaction takes (bounds how long SQLite's write
/// lock is held by one batch).
const MAX_BATCH: usize = 512;

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

struct Pending {
    write: Write,
    answer: oneshot::Sender<Result<Written>>,
}

/// The queue and the turn of one store (shared by its clones).
#[derive(Default)]
pub(crate) struct GroupCommit {
    queue: Mutex<Vec<Pending>>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

impl GroupCommit {
    /// Applies `write` in the next transaction and returns once it has
    /// committed (or failed).
    pub(crate) async fn submit(&self, pool: &AnyPool, write: Write) -> Result<Written> {
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
                    return r.unwrap_or_else(|_| Err(StoreError::Conflict(
                        "the activity write was interrupted; send it again".into(),
                    )));
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
                    let task = tokio::spawn(async move {
                        run_batch(&pool, batch).await;
                        drop(turn);
                    });
                    let _ = task.await;
                }
            }
        }
    }
}

/// Applies a batch in one transaction and answers every write of it; falls
/// back to a transaction per write when the batch as a whole fails.
async fn run_batch(pool: &AnyPool, batch: Vec<Pending>) {
    let writes: Vec<&Write> = batch.iter().map(|p| &p.write).collect();
    let results = match apply(pool, &writes).await {
        Ok(results) => results,
        Err(e) if writes.len() == 1 => vec![Err(e)],
        Err(e) => {
            tracing::debug!(error = %e, writes = writes.len(), "activity batch failed; one by one");
            let mut results = Vec::with_capacity(writes.len());
            for w in &writes {
                results.push(match apply(pool, std::slice::from_ref(w)).await {
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

/// One transaction over `writes`. `Err` when it failed as a whole (nothing
/// stored); per-write `Err`s (an unknown bucket) stored nothing for that
/// write and leave the others alone.
async fn apply(pool: &AnyPool, writes: &[&Write]) -> Result<Vec<Result<Written>>> {
    let mut tx = pool.begin().await?;
    // Lock each bucket once, in a stable order: two servers' batches over
    // the same buckets then wait for each other instead of deadlocking.
    let buckets: BTreeSet<(&str, &str)> = writes.iter().map(|w| w.bucket()).collect();
    let mut exists = HashMap::new();
    for (workspace, bucket) in buckets {
        let btype = lock_bucket(&mut tx, workspace, bucket).await?;
        exists.insert((workspace, bucket), btype);
    }
    // The latest event of each bucket as this transaction has left it
    // (`None`: the bucket is empty), so that heartbeats of one bucket in a
    // batch read it once.
    let mut latest: HashMap<(&str, &str), Option<StoredEvent>> = HashMap::new();
    let mut results = Vec::with_capacity(writes.len());
    for w in writes {
        let key = w.bucket();
        let Some(Some(btype)) = exists.get(&key) else {
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
                    None => latest_event(&mut tx, workspace, bucket).await?,
                };
                let (stored, merged) =
                    heartbeat(&mut tx, workspace, bucket, last, event, *pulsetime).await?;
                latest.insert(key, Some(stored.clone()));
                results.push(Ok(Written::Heartbeat(HeartbeatOutcome {
                    event: stored,
                    merged,
                    bucket_type: btype.clone(),
                })));
            }
            Write::Insert {
                workspace,
                bucket,
                events,
            } => {
                let mut ids = Vec::with_capacity(events.len());
                for (e, label) in events {
                    let q = insert_event_sql(workspace, bucket, e, label)?;
                    ids.push(q.query().fetch_one(&mut *tx).await?.try_get("id")?);
                }
                // Inserted events may be newer than the latest seen.
                latest.remove(&key);
                results.push(Ok(Written::Inserted(ids)));
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}

/// Takes the bucket's row lock for the rest of the transaction and returns
/// its type, or `None` when the workspace has no such bucket. A write
/// first: SQLite then holds its write lock from the start (a read that
/// later writes can fail to upgrade), PostgreSQL locks the row.
pub(crate) async fn lock_bucket(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    workspace: &str,
    bucket: &str,
) -> Result<Option<String>> {
    let mut q = Sql::new("UPDATE buckets SET created_at = created_at WHERE workspace_id = ");
    q.bind(t(workspace))
        .push(" AND id = ")
        .bind(t(bucket))
        .push(" RETURNING btype");
    Ok(match q.query().fetch_optional(&mut **tx).await? {
        Some(row) => Some(row.try_get("btype")?),
        None => None,
    })
}

async fn latest_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    workspace: &str,
    bucket: &str,
) -> Result<Option<StoredEvent>> {
    let mut q = Sql::new(&format!(
        "SELECT {EVENT_COLS} FROM events WHERE workspace_id = "
    ));
    q.bind(t(workspace))
        .push(" AND bucket_id = ")
        .bind(t(bucket))
        .push(" ORDER BY ts DESC, id DESC LIMIT 1");
    match q.query().fetch_optional(&mut **tx).await? {
        Some(row) => Ok(Some(event_from_row(&row)?)),
        None => Ok(None),
    }
}

/// ActivityWatch's heartbeat against the bucket's latest event `last`:
/// extends it or inserts a new event. Returns the event and whether it
/// merged.
async fn heartbeat(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    workspace: &str,
    bucket: &str,
    last: Option<StoredEvent>,
    event: &Event,
    pulsetime: f64,
) -> Result<(StoredEvent, bool)> {
    let merged = last.and_then(|l| {
        let as_event = Event {
            id: Some(l.id),
            timestamp: l.timestamp,
            duration: l.duration,
            data: l.data.clone(),
        };
        heartbeat_merge(&as_event, event, pulsetime).map(|m| (l, m.duration))
    });
    if let Some((last, duration)) = merged {
        let mut q = Sql::new("UPDATE events SET duration = ");
        q.bind(crate::sql::Arg::Float(duration))
            .push(" WHERE id = ")
            .bind(crate::sql::Arg::Int(last.id));
        q.query().execute(&mut **tx).await?;
        return Ok((StoredEvent { duration, ..last }, true));
    }
    let q = insert_event_sql(workspace, bucket, event, &None)?;
    let id: i64 = q.query().fetch_one(&mut **tx).await?.try_get("id")?;
    Ok((
        StoredEvent {
            id,
            bucket: bucket.to_string(),
            timestamp: event.timestamp,
            duration: event.duration,
            data: event.data.clone(),
            mode: None,
        },
        false,
    ))
}
