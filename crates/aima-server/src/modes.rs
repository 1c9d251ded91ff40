//! The active mode model of each workspace, loaded once and shared by
//! requests until a new version becomes active, and the labelling of new
//! activity with it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aima_core::{Event, LabelSource, ModeLabel, StoredEvent};
use aima_modes::{activities, ModeModel, Prediction};
use aima_store::Store;

use crate::error::ApiError;

/// How far back a prediction looks for context (the session's length, which
/// counts in log-minutes, so two hours tell nearly all).
const CONTEXT_MS: i64 = 2 * 3_600_000;
const CONTEXT_EVENTS: i64 = 1_000;

/// Which mode model version is active, when the caller knows it already
/// (a heartbeat's transaction read it: `HeartbeatOutcome::mode_version`).
#[derive(Debug, Clone, Copy)]
pub enum Active {
    /// Read it from the store.
    Unknown,
    /// This version (`None`: no model is active).
    Known(Option<i64>),
}

#[derive(Default)]
pub struct ModeCache {
    models: Mutex<HashMap<String, (i64, Arc<ModeModel>)>>,
}

impl std::fmt::Debug for ModeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ModeCache")
    }
}

impl ModeCache {
    /// The active model of a workspace and its version, if one is active.
    pub async fn active(
        &self,
        store: &dyn Store,
        workspace: &str,
    ) -> Result<Option<(i64, Arc<ModeModel>)>, ApiError> {
        let version = store.active_mode_version(workspace).await?;
        self.model(store, workspace, version).await
    }

    /// The workspace's model of `version` (the active one, read by the
    /// caller), loaded once.
    async fn model(
        &self,
        store: &dyn Store,
        workspace: &str,
        version: Option<i64>,
    ) -> Result<Option<(i64, Arc<ModeModel>)>, ApiError> {
        let Some(version) = version else {
            return Ok(None);
        };
        if let Some((v, m)) = self
            .models
            .lock()
            .ok()
            .and_then(|c| c.get(workspace).cloned())
        {
            if v == version {
                return Ok(Some((v, m)));
            }
        }
        let (_, json) = store.get_mode_model(workspace, Some(version)).await?;
        let model = tokio::task::spawn_blocking(move || ModeModel::from_json(&json))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
        let model = Arc::new(model);
        if let Ok(mut c) = self.models.lock() {
            c.insert(workspace.to_string(), (version, model.clone()));
        }
        Ok(Some((version, model)))
    }

    /// Predicts the modes of new events of `bucket`, in the context of the
    /// workspace's recent activity. None for each when no model is active.
    pub async fn predict(
        &self,
        store: &dyn Store,
        workspace: &str,
        bucket: &str,
        events: &[Event],
        active: Active,
    ) -> Result<Option<(i64, Vec<Prediction>)>, ApiError> {
        if events.is_empty() {
            return Ok(None);
        }
        let version = match active {
            Active::Unknown => store.active_mode_version(workspace).await?,
            Active::Known(v) => v,
        };
        let Some((version, model)) = self.model(store, workspace, version).await? else {
            return Ok(None);
        };
        let min = events.iter().map(|e| e.timestamp).min().unwrap_or(0);
        let max = events.iter().map(|e| e.timestamp).max().unwrap_or(0);
        let mut all = store
            .recent_activity(workspace, min - CONTEXT_MS, max + 1, CONTEXT_EVENTS)
            .await?;
        // New events get negative ids, to find them again after sorting.
        all.extend(events.iter().enumerate().map(|(i, e)| StoredEvent {
            id: -1 - i as i64,
            bucket: bucket.to_string(),
            timestamp: e.timestamp,
            duration: e.duration,
            data: e.data.clone(),
            mode: None,
        }));
        all.sort_by(|a, b| {
            (a.bucket.as_str(), a.timestamp, a.id).cmp(&(b.bucket.as_str(), b.timestamp, b.id))
        });
        let acts = activities(&all);
        let mut mine = vec![None; events.len()];
        for (e, a) in all.iter().zip(acts) {
            if e.id < 0 {
                mine[(-1 - e.id) as usize] = Some(a);
            }
        }
        let mine: Vec<_> = mine.into_iter().flatten().collect();
        let predictions = model.predict(&mine).map_err(ApiError::internal)?;
        Ok(Some((version, predictions)))
    }

    /// Mode labels for new events: predictions when a model is active. A
    /// failure to predict is logged and leaves the events unlabelled; it
    /// never loses the activity.
    pub async fn labels(
        &self,
        store: &dyn Store,
        workspace: &str,
        bucket: &str,
        events: &[Event],
        active: Active,
    ) -> Vec<Option<ModeLabel>> {
        match self.predict(store, workspace, bucket, events, active).await {
            Ok(Some((version, predictions))) => predictions
                .into_iter()
                .map(|p| {
                    Some(ModeLabel {
                        mode: p.mode,
                        source: LabelSource::Model,
                        confidence: Some(p.confidence),
                        model_version: Some(version),
                    })
                })
                .collect(),
            Ok(None) => vec![None; events.len()],
            Err(e) => {
                tracing::warn!(error = ?e, "could not predict modes; activity kept unlabelled");
                vec![None; events.len()]
            }
        }
    }
}
