use serde::{Deserialize, Serialize};

/// The life of a job. `Succeeded`, `Failed` and `Cancelled` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        JobState::Queued,
        JobState::Running,
        JobState::Succeeded,
        JobState::Failed,
        JobState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Succeeded | JobState::Failed | JobState::Cancelled
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StageState {
    Pending,
    Running,
    Done,
    Failed,
}

/// Progress of one stage of a job, kept in the job row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StageStatus {
    pub name: String,
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
    pub state: StageState,
    /// 0 to 1.
    pub progress: f64,
    /// Unix milliseconds.
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// The capability a worker needs for this stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

/// The capability the job's next stage needs: what a worker must have to
/// claim the job now (empty: any worker).
pub fn next_requirement(stages: &[StageStatus]) -> String {
    stages
        .iter()
        .find(|s| s.state != StageState::Done)
        .and_then(|s| s.requires.clone())
        .unwrap_or_default()
}

impl StageStatus {
    pub fn pending(spec: &crate::StageSpec) -> Self {
        Self {
            requires: spec.requires.clone(),
            name: spec.name.clone(),
            options: spec.options.clone(),
            state: StageState::Pending,
            progress: 0.0,
            started_at: None,
            finished_at: None,
        }
    }
}

/// Overall progress of a job: the mean of its stages' progress, in 0..=1.
pub fn overall_progress(stages: &[StageStatus]) -> f64 {
    if stages.is_empty() {
        return 0.0;
    }
    let sum: f64 = stages
        .iter()
        .map(|s| match s.state {
            StageState::Done => 1.0,
            _ => s.progress.clamp(0.0, 1.0),
        })
        .sum();
    (sum / stages.len() as f64).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StageSpec;

    #[test]
    fn progress_is_mean_of_stages() {
        let mut a = StageStatus::pending(&StageSpec::new("a"));
        let mut b = StageStatus::pending(&StageSpec::new("b"));
        assert_eq!(overall_progress(&[a.clone(), b.clone()]), 0.0);
        a.state = StageState::Done;
        b.progress = 0.5;
        assert!((overall_progress(&[a, b]) - 0.75).abs() < 1e-9);
        assert_eq!(overall_progress(&[]), 0.0);
    }

    #[test]
    fn states_round_trip() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        assert!(JobState::Cancelled.is_final());
        assert!(!JobState::Running.is_final());
    }
}

/// A job as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Job {
    pub id: String,
    pub workspace: String,
    /// The media the pipeline runs on; none for workspace jobs (training a
    /// mode model).
    pub media_id: Option<String>,
    pub state: JobState,
    /// 0 to 1.
    pub progress: f64,
    pub stages: Vec<StageStatus>,
    pub attempts: i64,
    pub max_attempts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::ErrorInfo>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub updated_at: i64,
}

/// A job handed to a worker, with the token that fences its writes: once the
/// lease is lost (expired and taken by another worker, or the job cancelled),
/// every write made with the old token is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Lease {
    pub job: Job,
    pub token: String,
}
