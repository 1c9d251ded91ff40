//! The wire format of the worker API (`/api/worker/v1`), shared by the
//! server and remote workers so the two cannot drift apart.

use serde::{Deserialize, Serialize};

use crate::{ErrorInfo, Insight, Job, StageStatus};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimRequest {
    /// Names the worker in leases and logs.
    pub owner: String,
    pub lease_ms: i64,
    /// Long-poll: how long the server may wait for a job (at most 30 s).
    #[serde(default)]
    pub wait_ms: u64,
    /// What this worker has (e.g. `gpu`): stages that require one of these
    /// are routed to it.
    #[serde(default)]
    pub capabilities: Vec<String>,
}

/// A claimed job and the lease token that fences every later write.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claimed {
    pub job: Job,
    pub token: String,
}

/// Heartbeat, progress, stage end, completion and release.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LeaseBody {
    pub token: String,
    #[serde(default)]
    pub lease_ms: i64,
    #[serde(default)]
    pub stages: Vec<StageStatus>,
    /// For a stage end: the analyzer that finished.
    #[serde(default)]
    pub analyzer: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailBody {
    pub token: String,
    /// Retry after this long; absent: the input is bad, fail now.
    pub retry_after_ms: Option<i64>,
    pub error: ErrorInfo,
    #[serde(default)]
    pub stages: Vec<StageStatus>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InsightBody {
    pub token: String,
    pub insight: Insight,
    /// The insight's idempotency key (not part of its public form).
    pub key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenQuery {
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FencedReply {
    /// False: the lease is gone (cancelled, deleted, taken over); stop.
    pub ok: bool,
}

/// What a worker announces about itself: what it can run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkerInfo {
    pub name: String,
    pub capabilities: Vec<String>,
    pub analyzers: Vec<String>,
    /// Models installed where it runs.
    pub models: Vec<String>,
}

/// A worker as the server knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkerSeen {
    #[serde(flatten)]
    pub info: WorkerInfo,
    /// Unix milliseconds.
    pub last_seen: i64,
    /// `autoscale` for a worker the provisioner started (absent for one
    /// started by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_by: Option<String>,
    /// The `[[autoscale.pools]]` entry that started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
}
