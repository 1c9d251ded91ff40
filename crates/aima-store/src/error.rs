//! The store's one error type, and what a caller may retry.

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
    /// From the SQLite activity writer's own connection (`sqlite_writer`).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
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
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

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
