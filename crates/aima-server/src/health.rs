//! `GET /api/v1/health/details`: the server's own checks, each with what to
//! do, for admins. The checks themselves live with the configuration that
//! knows what to check (the `aima` crate's doctor, chosen at start-up);
//! this crate only serves what a [`HealthReport`] finds.

use futures::future::BoxFuture;
use serde::Serialize;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthOutcome {
    Ok,
    /// Works, with a limit worth knowing.
    Warn,
    /// Something AIMA needs is missing or broken.
    Fail,
}

/// One check: what was looked at, what was found, what to do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HealthCheck {
    /// `ffmpeg`, a model's name, `database`, `disk (data)`, ...
    pub name: String,
    pub outcome: HealthOutcome,
    /// What was found.
    pub detail: String,
    /// What to do, when there is something to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// The checks of a running server (the tools, the default models, the
/// database and its migrations, free disk, anonymous access).
pub trait HealthReport: Send + Sync {
    fn checks(&self) -> BoxFuture<'_, Vec<HealthCheck>>;
}

/// All checks, and the worst outcome among them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HealthDetails {
    /// `fail` if any check failed, else `warn` if any warned, else `ok`.
    pub status: HealthOutcome,
    pub checks: Vec<HealthCheck>,
}

impl HealthDetails {
    pub fn new(checks: Vec<HealthCheck>) -> Self {
        let worst = |o: HealthOutcome| checks.iter().any(|c| c.outcome == o);
        let status = if worst(HealthOutcome::Fail) {
            HealthOutcome::Fail
        } else if worst(HealthOutcome::Warn) {
            HealthOutcome::Warn
        } else {
            HealthOutcome::Ok
        };
        Self { status, checks }
    }
}
