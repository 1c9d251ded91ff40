//! Modes: what the user is doing (their own names: Work, Meeting, Relax…),
//! learned from activity they labelled.
//!
//! - [`features`]: events to feature rows (vocabularies learned per model);
//! - [`classifier`]: the candidates (extremely randomized trees, random
//!   forest, decision tree, k-NN, all smartcore) and the majority baseline;
//! - [`train`]: stratified k-fold cross-validation, choice of the best,
//!   refit on everything;
//! - [`ModeModel`]: what a model version stores and how it predicts.
//!
//! Architecture invariant: no IO. The worker loads events from the store,
//! calls [`train::train`], and saves [`ModeModel::to_json`] as a version.

pub mod classifier;
pub mod features;
pub mod synth;
pub mod train;

use serde::{Deserialize, Serialize};

pub use classifier::{Algorithm, Classifier};
pub use features::{activities, Activity, FeatureSpace};
pub use train::{train, TrainError, TrainOptions, TrainReport};

/// One version of a workspace's mode model.
#[derive(Debug, Serialize, Deserialize)]
pub struct ModeModel {
    /// Bumped when the stored shape changes; older versions are refused
    /// with a clear error rather than misread.
    pub format: u32,
    pub classes: Vec<String>,
    pub features: FeatureSpace,
    pub algorithm: Algorithm,
    pub classifier: Classifier,
}

/// A predicted mode and how sure the model is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub mode: String,
    /// The model's probability for `mode`, 0 to 1.
    pub confidence: f64,
    /// Every mode's probability, most likely first.
    pub probabilities: Vec<(String, f64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("stored mode model is unreadable: {0}")]
    Corrupt(String),
    #[error("stored mode model has format {0}; this build reads format {1}: train a new version")]
    Format(u32, u32),
    #[error("prediction failed: {0}")]
    Predict(String),
}

impl ModeModel {
    pub const FORMAT: u32 = 1;

    pub fn to_json(&self) -> Result<String, ModelError> {
        serde_json::to_string(self).map_err(|e| ModelError::Corrupt(e.to_string()))
    }

    pub fn from_json(s: &str) -> Result<Self, ModelError> {
        #[derive(Deserialize)]
        struct Header {
            format: u32,
        }
        let header: Header =
            serde_json::from_str(s).map_err(|e| ModelError::Corrupt(e.to_string()))?;
        if header.format != Self::FORMAT {
            return Err(ModelError::Format(header.format, Self::FORMAT));
        }
        serde_json::from_str(s).map_err(|e| ModelError::Corrupt(e.to_string()))
    }

    pub fn predict(&self, acts: &[Activity]) -> Result<Vec<Prediction>, ModelError> {
        if acts.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<Vec<f64>> = acts.iter().map(|a| self.features.row(a)).collect();
        let proba = self
            .classifier
            .predict_proba(&rows)
            .map_err(ModelError::Predict)?;
        Ok(proba
            .into_iter()
            .map(|p| {
                let mut probabilities: Vec<(String, f64)> =
                    self.classes.iter().cloned().zip(p).collect();
                probabilities.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                let (mode, confidence) = probabilities[0].clone();
                Prediction {
                    mode,
                    confidence,
                    probabilities,
                }
            })
            .collect())
    }
}
