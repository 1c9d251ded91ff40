use serde::{Deserialize, Serialize};

/// The life of a job. `Succeeded`, `Partial`, `Failed` and `Cancelled`
/// are final. `Partial`: it ran to its end, but some stages failed alone
/// (each with its `error`: a model missing, an analyzer's error on this
/// media); the others' insights are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Partial,
    Failed,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 6] = [
        JobState::Queued,
        JobState::Running,
        JobState::Succeeded,
        JobState::Partial,
        JobState::Failed,
        JobState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Partial => "partial",
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
            JobState::Succeeded | JobState::Partial | JobState::Failed | JobState::Cancelled
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
    /// Why this stage failed alone (its job went on with the others and
    /// ends `partial`); a retry of the job's failed stages clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::ErrorInfo>,
}

/// How a job whose stages ran to their end ends: `Succeeded`; `Partial`
/// when some failed alone (the error names each, the first one's code);
/// `Failed` when every stage did.
pub fn ended(stages: &[StageStatus]) -> (JobState, Option<crate::ErrorInfo>) {
    let failed: Vec<&StageStatus> = stages.iter().filter(|s| s.failed_alone()).collect();
    let Some(first) = failed.first().and_then(|s| s.error.as_ref()) else {
        return (JobState::Succeeded, None);
    };
    let message = failed
        .iter()
        .filter_map(|s| {
            s.error
                .as_ref()
                .map(|e| format!("{}: {}", s.name, e.message))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let done = stages.iter().any(|s| s.state == StageState::Done);
    let state = if done {
        JobState::Partial
    } else {
        JobState::Failed
    };
    let message = format!(
        "{} of {} stages failed: {message}",
        failed.len(),
        stages.len()
    );
    (state, Some(crate::ErrorInfo::new(first.code, message)))
}

/// The stages of a job that ended `partial` or `failed`, set to run again:
/// the failed ones (and any that never ran) pending, the done ones kept.
pub fn retried(stages: &[StageStatus]) -> Vec<StageStatus> {
    stages
        .iter()
        .map(|s| {
            if s.state == StageState::Done {
                return s.clone();
            }
            StageStatus {
                state: StageState::Pending,
                progress: 0.0,
                started_at: None,
                finished_at: None,
                error: None,
                ..s.clone()
            }
        })
        .collect()
}

/// The capability the job's next stage needs: what a worker must have to
/// claim the job now (empty: any worker).
pub fn next_requirement(stages: &[StageStatus]) -> String {
    stages
        .iter()
        .find(|s| s.state != StageState::Done && !s.failed_alone())
        .and_then(|s| s.requires.clone())
        .unwrap_or_default()
}

impl StageStatus {
    /// Failed alone, for good: skipped by the job's later attempts, run
    /// again only by a retry of its failed stages.
    pub fn failed_alone(&self) -> bool {
        self.state == StageState::Failed && self.error.is_some()
    }

    pub fn pending(spec: &crate::StageSpec) -> Self {
        Self {
            requires: spec.requires.clone(),
            name: spec.name.clone(),
            options: spec.options.clone(),
            state: StageState::Pending,
            progress: 0.0,
            started_at: None,
            finished_at: None,
            error: None,
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

    #[test]
    fn a_job_ends_by_its_stages() {
        let stage = |name: &str, state: StageState, error: Option<crate::ErrorCode>| StageStatus {
            state,
            error: error.map(|c| crate::ErrorInfo::new(c, format!("{name} went wrong"))),
            ..StageStatus::pending(&StageSpec::new(name))
        };
        let done = stage("ocr", StageState::Done, None);
        let missing = stage(
            "objects",
            StageState::Failed,
            Some(crate::ErrorCode::ModelMissing),
        );
        let broke = stage(
            "faces",
            StageState::Failed,
            Some(crate::ErrorCode::AnalyzerFailed),
        );
        assert_eq!(
            ended(std::slice::from_ref(&done)),
            (JobState::Succeeded, None)
        );
        let (state, error) = ended(&[done.clone(), missing.clone(), broke.clone()]);
        assert_eq!(state, JobState::Partial);
        let error = error.expect("an error");
        assert_eq!(error.code, crate::ErrorCode::ModelMissing);
        assert_eq!(
            error.message,
            "2 of 3 stages failed: objects: objects went wrong; faces: faces went wrong"
        );
        assert_eq!(ended(std::slice::from_ref(&missing)).0, JobState::Failed);
        // A stage failed with its job (no error of its own) runs again in
        // the next attempt: it does not make the job partial.
        let with_job = stage("nsfw", StageState::Failed, None);
        assert!(!with_job.failed_alone());
        assert_eq!(ended(&[done.clone(), with_job]).0, JobState::Succeeded);
        // A retry runs the failed stages again and keeps the done ones.
        let again = retried(&[done.clone(), missing]);
        assert_eq!(again[0], done);
        assert_eq!(
            (again[1].state, again[1].error.is_none()),
            (StageState::Pending, true)
        );
        assert!(JobState::Partial.is_final());
        assert_eq!(JobState::parse("partial"), Some(JobState::Partial));
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
