//! [`SqlStore`]: the pool, its dialect and the connection set-up (SQLite
//! pragmas, PostgreSQL's cancel-safety check on release), migrations at
//! start, and the advisory locks that serialize writers of one content hash
//! or one workspace's persons.

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection, Executor, Row};
use std::str::FromStr;
use std::time::Duration;

use crate::error::Result;
use crate::group_commit::{Write, Written};
use crate::sql::{Arg, Dialect, Sql, SqliteSync};
use crate::sqlite_writer::SqliteWriter;

/// The store over SQLite or PostgreSQL. Cheap to clone: a pool inside.
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) dialect: Dialect,
    /// How close (cosine) a new face must be to a person to join it.
    pub(crate) face_match: f32,
    /// Concurrent activity writes, committed together (PostgreSQL; SQLite
    /// when its file is not known, an in-memory database).
    pub(crate) activity_writes: std::sync::Arc<crate::group_commit::GroupCommit>,
    /// SQLite's file, for the activity writer's own connection.
    sqlite_file: Option<std::path::PathBuf>,
    /// SQLite's activity writer, started by the first activity write.
    sqlite_writer: std::sync::Arc<tokio::sync::OnceCell<SqliteWriter>>,
    sqlite_sync: SqliteSync,
}

impl SqlStore {
    /// How close (cosine, 0 to 1) a new face must be to a person's centroid
    /// to join that person; else it starts a new one.
    pub fn with_face_match_threshold(mut self, threshold: f32) -> Self {
        self.face_match = threshold;
        self
    }

    /// Begins a transaction that writes ([`crate::sql::begin_write`]).
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        crate::sql::begin_write(&self.pool, self.dialect).await
    }

    /// Serializes writers of one content hash for the rest of the
    /// transaction: a PostgreSQL advisory lock on the hash (every server on
    /// the database sees it); on SQLite a write that takes the database's
    /// single write lock.
    pub(crate) async fn lock_bytes(
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

    pub(crate) async fn lock_key(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        key: i64,
    ) -> Result<()> {
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

    /// Connects and applies migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        Self::connect_with(url, max_connections, SqliteSync::default()).await
    }

    /// [`SqlStore::connect`], with SQLite's commits made durable as `sync`
    /// says (ignored on PostgreSQL, which keeps its own settings).
    pub async fn connect_with(url: &str, max_connections: u32, sync: SqliteSync) -> Result<Self> {
        Self::open(url, max_connections, true, sync).await
    }

    /// Connects to a database that must exist already, and changes
    /// nothing (no migrations, no new SQLite file): for `aima doctor`,
    /// whose [`Store::ready`] then says what is missing.
    pub async fn connect_existing(url: &str) -> Result<Self> {
        Self::open(url, 1, false, SqliteSync::default()).await
    }

    async fn open(
        url: &str,
        max_connections: u32,
        migrate: bool,
        sync: SqliteSync,
    ) -> Result<Self> {
        let dialect = Dialect::from_url(url)?;
        sqlx::any::install_default_drivers();
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30));
        if dialect == Dialect::Sqlite {
            // Vector distances for search by meaning, in every connection.
            aima_sqlite_vec::register();
            // WAL, the busy timeout and the durability `sync` asks for
            // (`SqliteSync`: NORMAL by default, durable against a process
            // dying, which is the failure we design for).
            options = options.after_connect(move |conn, _meta| {
                Box::pin(async move {
                    for pragma in sync.pragmas() {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            });
            // The same cancel safety on SQLite. A request dropped inside a
            // transaction leaves its rollback queued on sqlx's SQLite worker;
            // the connection is back in the pool before the worker has run
            // it, still counting a transaction, and the next `begin` there
            // opens a savepoint inside it (or, with `BEGIN IMMEDIATE`, fails:
            // 147 "begin_with at non-zero transaction depth" in one run of
            // the persons' hang-up test before this check). The ping lets
            // the worker run what is queued (commands run in order); a
            // connection that still counts a transaction after it (a `BEGIN`
            // whose answer nobody heard, which sqlx can leave counted) is
            // closed, so SQLite rolls back what it held, and replaced.
            options = options.after_release(|conn, _meta| {
                Box::pin(async move {
                    conn.ping().await?;
                    if conn.is_in_transaction() {
                        tracing::warn!(
                            "a pooled connection came back inside a transaction: closed"
                        );
                        return Ok(false);
                    }
                    Ok(true)
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
            // request). Sent as one simple-protocol message (a bare string):
            // through the extended protocol (Parse, Bind, Execute) the
            // statement's time is taken at a later message than the
            // implicit transaction's, so the two differ under load even
            // outside any block (1,717 needless rollbacks, each a server
            // warning, in one run of the persons' hang-up test). One round
            // trip per release.
            options = options.after_release(|conn, _meta| {
                Box::pin(async move {
                    let stray: bool = conn
                        .fetch_one("SELECT now() <> statement_timestamp()")
                        .await?
                        .try_get(0)?;
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
        let sqlite_file = match dialect {
            Dialect::Sqlite if !url.contains(":memory:") && !url.contains("mode=memory") => Some(
                sqlx::sqlite::SqliteConnectOptions::from_str(&url)?
                    .get_filename()
                    .to_path_buf(),
            ),
            _ => None,
        };
        let pool = options.connect(&url).await?;
        if migrate {
            crate::migrations::migrator(dialect)
                .await?
                .run(&pool)
                .await?;
        }
        Ok(Self {
            pool,
            dialect,
            face_match: aima_core::person::DEFAULT_MATCH_THRESHOLD,
            activity_writes: Default::default(),
            sqlite_file,
            sqlite_writer: Default::default(),
            sqlite_sync: sync,
        })
    }

    /// Applies an activity write with those that arrive with it, and
    /// returns once their transaction has committed: on SQLite through its
    /// activity writer, on PostgreSQL through the group commit.
    pub(crate) async fn submit_activity(&self, write: Write) -> Result<Written> {
        let Some(file) = &self.sqlite_file else {
            return self
                .activity_writes
                .submit(&self.pool, self.dialect, write)
                .await;
        };
        let writer = self
            .sqlite_writer
            .get_or_try_init(|| async {
                SqliteWriter::start(
                    file,
                    self.sqlite_sync,
                    self.activity_writes.commit_counter(),
                )
            })
            .await?;
        writer.submit(write).await
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Transactions that the activity writes' group commit has committed
    /// since the store opened (a batch of concurrent heartbeats is one).
    pub fn activity_commits(&self) -> u64 {
        self.activity_writes.commits()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The writer's connection has the durability the store was opened
    /// with, as the pool's connections have.
    #[tokio::test]
    async fn the_writer_syncs_as_the_pool_does() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("s.db");
        let url = format!("sqlite://{}", file.display());
        for (sync, want) in [(SqliteSync::Normal, 1), (SqliteSync::Full, 2)] {
            let store = SqlStore::connect_with(&url, 2, sync).await.expect("store");
            let pooled: i64 = sqlx::Row::try_get(
                &sqlx::query("PRAGMA synchronous")
                    .fetch_one(&store.pool)
                    .await
                    .expect("pragma"),
                0,
            )
            .expect("value");
            let writer: i64 = crate::sqlite_writer::open(&file, sync)
                .expect("open")
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .expect("pragma");
            assert_eq!((pooled, writer), (want, want), "{sync:?}");
            store.close().await;
        }
    }
}
