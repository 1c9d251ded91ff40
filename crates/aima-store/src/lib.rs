//! Storage for AIMA: small traits per concern, composed into one [`Store`].
//!
//! Architecture invariant: only this crate knows SQL. Callers see domain types
//! from `aima-core` and [`StoreError`]; no sqlx type crosses this boundary
//! except as the source of an error.
//!
//! One implementation, [`SqlStore`], serves SQLite and PostgreSQL through
//! sqlx's `Any` driver: the schema uses types both read the same way (BIGINT
//! milliseconds, TEXT ids and JSON), every query uses `$N` placeholders (which
//! both drivers accept), and the places where the dialects differ are
//! switched on [`Dialect`]. Each backend owns its migrations under
//! `migrations/`.
//!
//! The modules form layers, each importing only from those below it (the
//! test `tests/module_graph.rs` holds the crate to it; ARCHITECTURE.md has
//! one paragraph per module):
//!
//! 1. `error`, then `sql`: the foundation (dialect, query builder, paging,
//!    fencing, ids and time, vector expressions).
//! 2. Rows and statements shared by several repositories: `migrations`,
//!    `events` (and its `group_commit`, and on SQLite the `sqlite_writer`
//!    thread that runs the group's batches), `outbox` (webhook events queued in
//!    the writer's transaction), `store` ([`SqlStore`] itself: pool,
//!    connection set-up, locks), `insight_rows`.
//! 3. One module per repository: `workspaces`, `media`, `jobs`, `persons`,
//!    `frames`, `insights` (which hands faces to persons and frame vectors to
//!    frames), `search`, `activity`, `modes`, `workers`, `users`, `sessions`,
//!    `keys`, `audit`, `webhooks`, `autoscale` (workers the provisioner
//!    starts, the lease of the server that acts, the demand per capability),
//!    `billing` (busy time as spans, budget alerts and blocks).
//! 4. This file: the [`Store`] they compose.

mod error;
mod sql;

mod events;
mod group_commit;
mod insight_rows;
mod migrations;
mod outbox;
mod sqlite_writer;
mod store;

mod activity;
mod audit;
mod autoscale;
mod billing;
mod frames;
mod insights;
mod jobs;
mod keys;
mod media;
mod modes;
mod persons;
mod search;
mod sessions;
mod users;
mod webhooks;
mod workers;
mod workspaces;

use async_trait::async_trait;
use sqlx::Row;

pub use activity::ActivityRepo;
pub use audit::{AuditEntry, AuditFilter, AuditRepo, NewAudit};
pub use autoscale::{AutoscaleRepo, Demand, NewProvisioned, Provisioned, WorkerEnd};
pub use billing::{BillingRepo, BusyTotal};
pub use error::{Result, StoreError};
pub use events::HeartbeatOutcome;
pub use frames::{FrameRepo, SimilarMedia};
pub use insights::InsightRepo;
pub use jobs::{Budget, ClaimScope, FailureKind, JobRepo, NewJob, Usage};
pub use keys::{
    generate_api_key, hash_api_key, key_prefix, KeyAuth, KeyRecord, KeyRepo, KeyUser, NewKey,
};
pub use media::{BlobDropper, MediaRepo};
pub use modes::ModeRepo;
pub use persons::PersonRepo;
pub use search::{FrameSearchRepo, SearchRepo, TextIndexStatus, VectorRepo};
pub use sessions::{SessionRecord, SessionRepo};
pub use sql::{now_ms, redact_url, Dialect, Fenced, Page, SqliteSync};
pub use store::SqlStore;
pub use users::{Credentials, UserChange, UserRecord, UserRepo};
pub use webhooks::{Attempt, Delivery, DueDelivery, Webhook, WebhookRepo};
pub use workers::{WorkerGrant, WorkerTokenRepo};
pub use workspaces::WorkspaceRepo;

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
    + UserRepo
    + SessionRepo
    + KeyRepo
    + AuditRepo
    + WebhookRepo
    + AutoscaleRepo
    + BillingRepo
{
    /// The database answers and every migration this build knows is applied.
    async fn ready(&self) -> Result<()>;
}

#[async_trait]
impl Store for SqlStore {
    async fn ready(&self) -> Result<()> {
        let pool = &self.pool;
        sqlx::query("SELECT 1").execute(pool).await?;
        let mut q = sql::Sql::new("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE success = ");
        q.push(match self.dialect() {
            Dialect::Sqlite => "1",
            Dialect::Postgres => "TRUE",
        });
        let applied: i64 = q.query().fetch_one(pool).await?.try_get("n")?;
        let known = migrations::count(self.dialect()) as i64;
        if applied < known {
            return Err(StoreError::Conflict(format!(
                "{applied} of {known} migrations applied"
            )));
        }
        Ok(())
    }
}
