//! The foundation every repository builds on, importing nothing else of
//! the crate but its error: the dialect, the `$N` query builder and its
//! arguments, keyset paging, lease fencing, ids and time, and the vector
//! expressions that differ between sqlite-vec and pgvector.
//!
//! sqlx's QueryBuilder writes `?` placeholders for the Any driver, which
//! PostgreSQL rejects; [`Sql`] numbers them `$N`, which both drivers accept.

use aima_core::page::SortOrder;
use aima_core::{Cursor, PageRequest};

use crate::error::{Result, StoreError};

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
}

/// How a SQLite commit is made durable (`PRAGMA synchronous`; the
/// database is always in WAL mode).
///
/// - `Normal` (the default): a commit is written to the WAL file before it
///   is answered, and the WAL is flushed to disk at each checkpoint. A
///   process that is killed or crashes loses nothing it answered; a power
///   loss or an operating-system crash can lose the commits since the last
///   checkpoint (never corrupting the database).
/// - `Full`: the WAL is also flushed to disk at every commit, before it is
///   answered, so an answered write survives a power loss too, at the cost
///   of an fsync per commit (shared by the writes of one group commit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    #[default]
    Normal,
    Full,
}

impl SqliteSync {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "normal" => Some(Self::Normal),
            "full" => Some(Self::Full),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Full => "full",
        }
    }

    /// The pragmas every SQLite connection of the store runs when it
    /// opens: the pool's and the activity writer's. WAL lets readers run
    /// beside the one writer; `busy_timeout` makes a writer wait for the
    /// lock (another process, or another connection) instead of failing at
    /// once.
    pub(crate) fn pragmas(self) -> [&'static str; 4] {
        [
            "PRAGMA journal_mode = WAL",
            "PRAGMA busy_timeout = 15000",
            match self {
                Self::Normal => "PRAGMA synchronous = NORMAL",
                Self::Full => "PRAGMA synchronous = FULL",
            },
            "PRAGMA foreign_keys = ON",
        ]
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

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

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

    /// The statement's text, placeholders numbered `$1`, `$2`, ... in the
    /// order of [`Sql::args`].
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn args(&self) -> &[Arg] {
        &self.args
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

/// One page of a listing and the cursor of the next, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
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

pub(crate) fn cursor(created_at: i64, id: &str) -> Cursor {
    Cursor {
        created_at,
        id: id.to_string(),
    }
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

pub(crate) fn fenced(rows: u64) -> Fenced {
    if rows > 0 {
        Fenced::Ok
    } else {
        Fenced::LeaseLost
    }
}

/// How each engine makes a vector of [`vector_text`]: the SQL before and
/// after the bound text.
pub(crate) fn vector_from_text(dialect: Dialect) -> (&'static str, &'static str) {
    match dialect {
        Dialect::Sqlite => ("vec_f32(", ")"),
        Dialect::Postgres => ("CAST(", " AS vector)"),
    }
}

/// Pushes the cosine distance between the vector `column` and `vector`
/// (bound as text) in the engine's syntax: sqlite-vec's function or
/// pgvector's operator, the one an HNSW index answers.
pub(crate) fn push_distance<'a>(
    sql: &'a mut Sql,
    dialect: Dialect,
    column: &str,
    vector: &[f32],
) -> &'a mut Sql {
    let (open, close) = vector_from_text(dialect);
    match dialect {
        Dialect::Sqlite => sql.push(&format!("vec_distance_cosine({column}, {open}")),
        Dialect::Postgres => sql.push(&format!("({column} <=> {open}")),
    }
    .bind(t(&vector_text(vector)))
    .push(&format!("{close})"))
}

/// A vector as sqlite-vec's JSON and pgvector's text both read it.
pub(crate) fn vector_text(v: &[f32]) -> String {
    let mut s = String::with_capacity(v.len() * 10 + 2);
    s.push('[');
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        // Non-finite values are no vector: stored as 0.
        let x = if x.is_finite() { *x } else { 0.0 };
        s.push_str(&x.to_string());
    }
    s.push(']');
    s
}

/// Begins a transaction that writes. On SQLite it takes the write lock at
/// once (`BEGIN IMMEDIATE`), waiting up to `busy_timeout` for it. A
/// deferred `BEGIN` takes it at the first write, and SQLite answers
/// "database is locked" at once, without waiting, when that connection
/// already holds a read snapshot (1 to 9 renames answered 503 per run of
/// the persons' hang-up test). PostgreSQL's row locks need nothing of the
/// kind.
pub(crate) async fn begin_write(
    pool: &sqlx::AnyPool,
    dialect: Dialect,
) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    Ok(match dialect {
        Dialect::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        Dialect::Postgres => pool.begin().await?,
    })
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
