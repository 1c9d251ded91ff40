//! Workspace jobs: work on a workspace's data rather than one media. Their
//! stages name tasks, not analyzers. One task so far: `train_modes`.

use std::sync::{Arc, Mutex};

use aima_analyzers::AnalyzerError;
use aima_core::{ErrorCode, Job, LabelSource, ModeLabel, StageStatus};
use aima_modes::{activities, train, TrainError, TrainOptions};
use aima_store::Store;

/// The task that trains a new version of the workspace's mode model.
pub const TRAIN_MODES: &str = "train_modes";
/// Most activity events a training reads (the latest ones).
pub const MAX_TRAINING_EVENTS: i64 = 200_000;

/// Trains on every event a person labelled, keeps the best candidate as a
/// new active version, then labels the events no person labelled with it.
pub(crate) async fn train_modes(
    store: &Arc<dyn Store>,
    job: &Job,
    token: &str,
    stages: &Arc<Mutex<Vec<StageStatus>>>,
    index: usize,
) -> Result<(), AnalyzerError> {
    let retry = |e: aima_store::StoreError| AnalyzerError::Retry(e.to_string());
    let events = store
        .activity_events(&job.workspace, None, None, MAX_TRAINING_EVENTS)
        .await
        .map_err(retry)?;
    let acts = activities(&events);
    let (mut train_acts, mut labels) = (Vec::new(), Vec::new());
    for (e, a) in events.iter().zip(&acts) {
        if let Some(l) = e.mode.as_ref().filter(|l| l.source == LabelSource::User) {
            train_acts.push(a.clone());
            labels.push(l.mode.clone());
        }
    }
    tracing::info!(
        events = events.len(),
        labelled = labels.len(),
        "training modes"
    );
    let progress_stages = stages.clone();
    let (model, report) = tokio::task::spawn_blocking(move || {
        let mut progress = |p: f64| {
            if let Ok(mut s) = progress_stages.lock() {
                if let Some(stage) = s.get_mut(index) {
                    // Training is 90 % of the work; labelling the rest.
                    stage.progress = 0.9 * p;
                }
            }
        };
        train(
            &train_acts,
            &labels,
            &TrainOptions::default(),
            &mut progress,
        )
    })
    .await
    .map_err(|e| AnalyzerError::Retry(format!("training thread failed: {e}")))?
    .map_err(|e| match e {
        TrainError::NoLabels | TrainError::SingleClass(_) | TrainError::TooFew { .. } => {
            AnalyzerError::abort(ErrorCode::InsufficientLabels, e.to_string())
        }
        other => AnalyzerError::abort(ErrorCode::AnalyzerFailed, other.to_string()),
    })?;
    let metrics = serde_json::to_value(&report)
        .map_err(|e| AnalyzerError::abort(ErrorCode::Internal, e.to_string()))?;
    let json = model
        .to_json()
        .map_err(|e| AnalyzerError::abort(ErrorCode::Internal, e.to_string()))?;
    let version = store
        .save_mode_model(&job.id, token, model.algorithm.as_str(), &metrics, &json)
        .await
        .map_err(retry)?
        .ok_or(AnalyzerError::LeaseLost)?;
    tracing::info!(
        version,
        algorithm = model.algorithm.as_str(),
        samples = report.samples,
        "mode model saved"
    );

    // Label what no person labelled with the new version.
    let (ids, unlabelled): (Vec<i64>, Vec<_>) = events
        .iter()
        .zip(acts)
        .filter(|(e, _)| e.mode.as_ref().map(|l| l.source) != Some(LabelSource::User))
        .map(|(e, a)| (e.id, a))
        .unzip();
    let predictions = tokio::task::spawn_blocking(move || model.predict(&unlabelled))
        .await
        .map_err(|e| AnalyzerError::Retry(format!("prediction thread failed: {e}")))?
        .map_err(|e| AnalyzerError::abort(ErrorCode::AnalyzerFailed, e.to_string()))?;
    let labels: Vec<(i64, ModeLabel)> = ids
        .into_iter()
        .zip(predictions)
        .map(|(id, p)| {
            (
                id,
                ModeLabel {
                    mode: p.mode,
                    source: LabelSource::Model,
                    confidence: Some(p.confidence),
                    model_version: Some(version),
                },
            )
        })
        .collect();
    for chunk in labels.chunks(2000) {
        store
            .set_predictions(&job.workspace, chunk)
            .await
            .map_err(retry)?;
    }
    Ok(())
}
