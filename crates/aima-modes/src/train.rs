//! Training: stratified k-fold cross-validation of every candidate against
//! the majority-class baseline, then the winner refitted on all labelled
//! events.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::classifier::{Algorithm, Classifier, FitError};
use crate::features::{Activity, FeatureSpace};
use crate::ModeModel;

#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Folds of the cross-validation (fewer when a class has fewer events).
    pub folds: usize,
    /// Events each mode needs at least: fewer cannot be cross-validated.
    pub min_per_class: usize,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            folds: 5,
            min_per_class: 3,
            seed: 42,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("no labelled activity: label events with a mode first")]
    NoLabels,
    #[error("every labelled event has the mode {0:?}: label at least two modes")]
    SingleClass(String),
    #[error("mode {mode:?} has {count} labelled events; each mode needs at least {min} to be cross-validated")]
    TooFew {
        mode: String,
        count: usize,
        min: usize,
    },
    #[error("training failed: {0}")]
    Fit(#[from] FitError),
    #[error("prediction failed during validation: {0}")]
    Predict(String),
}

/// Cross-validated quality of one algorithm (out-of-fold predictions of
/// all folds pooled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub algorithm: Algorithm,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// Per mode, in `TrainReport::classes` order.
    pub f1: Vec<f64>,
    /// `confusion[true][predicted]`, in `TrainReport::classes` order.
    pub confusion: Vec<Vec<usize>>,
    pub fold_accuracy: Vec<f64>,
}

/// What a training found, stored with the model version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    pub samples: usize,
    pub classes: Vec<String>,
    pub class_counts: Vec<usize>,
    pub folds: usize,
    pub features: usize,
    pub baseline: Evaluation,
    pub candidates: Vec<Evaluation>,
    pub chosen: Algorithm,
    /// Whether the chosen model's macro-F1 is above the baseline's.
    pub beats_baseline: bool,
    /// No synthetic samples are added: the model learns only what was labelled.
    pub augmentation: String,
    pub warnings: Vec<String>,
}

impl TrainReport {
    pub fn chosen_evaluation(&self) -> Option<&Evaluation> {
        self.candidates.iter().find(|e| e.algorithm == self.chosen)
    }
}

/// Trains on labelled activities. `progress` receives 0..=1.
pub fn train(
    acts: &[Activity],
    labels: &[String],
    options: &TrainOptions,
    progress: &mut dyn FnMut(f64),
) -> Result<(ModeModel, TrainReport), TrainError> {
    if acts.is_empty() {
        return Err(TrainError::NoLabels);
    }
    let mut classes: Vec<String> = labels.to_vec();
    classes.sort();
    classes.dedup();
    if classes.len() < 2 {
        return Err(TrainError::SingleClass(classes[0].clone()));
    }
    let y: Vec<usize> = labels
        .iter()
        .map(|l| classes.binary_search(l).unwrap_or(0))
        .collect();
    let mut counts = vec![0usize; classes.len()];
    for &k in &y {
        counts[k] += 1;
    }
    for (c, &n) in counts.iter().enumerate() {
        if n < options.min_per_class.max(2) {
            return Err(TrainError::TooFew {
                mode: classes[c].clone(),
                count: n,
                min: options.min_per_class.max(2),
            });
        }
    }
    let min_count = counts.iter().copied().min().unwrap_or(0);
    let folds = options.folds.clamp(2, 10).min(min_count);
    let fold_of = stratified_folds(&y, classes.len(), folds, options.seed);

    let mut warnings = Vec::new();
    if acts.len() < 50 {
        warnings.push(format!(
            "only {} labelled events: the cross-validation estimates are noisy",
            acts.len()
        ));
    }
    let max = counts.iter().copied().max().unwrap_or(0);
    if max > 10 * min_count {
        warnings.push(format!(
            "the modes are imbalanced ({max} events against {min_count}): compare macro-F1, not accuracy"
        ));
    }

    let algorithms: Vec<Algorithm> = std::iter::once(Algorithm::Majority)
        .chain(Algorithm::CANDIDATES)
        .collect();
    let total_fits = (algorithms.len() * folds + 1) as f64;
    let mut done = 0.0;
    let mut evaluations = Vec::new();
    for &alg in &algorithms {
        let mut predicted = vec![0usize; acts.len()];
        let mut fold_accuracy = Vec::new();
        for f in 0..folds {
            let train_idx: Vec<usize> = (0..acts.len()).filter(|&i| fold_of[i] != f).collect();
            let test_idx: Vec<usize> = (0..acts.len()).filter(|&i| fold_of[i] == f).collect();
            // The vocabularies are learned from the training folds only, so
            // nothing of the held-out fold leaks into its own evaluation.
            let train_acts: Vec<Activity> = train_idx.iter().map(|&i| acts[i].clone()).collect();
            let space = FeatureSpace::fit(&train_acts);
            let rows: Vec<Vec<f64>> = train_acts.iter().map(|a| space.row(a)).collect();
            let ys: Vec<usize> = train_idx.iter().map(|&i| y[i]).collect();
            let model = Classifier::fit(alg, &rows, &ys, classes.len(), options.seed + f as u64)?;
            let test_rows: Vec<Vec<f64>> = test_idx.iter().map(|&i| space.row(&acts[i])).collect();
            let proba = model
                .predict_proba(&test_rows)
                .map_err(TrainError::Predict)?;
            let mut right = 0;
            for (&i, p) in test_idx.iter().zip(&proba) {
                predicted[i] = argmax(p);
                if predicted[i] == y[i] {
                    right += 1;
                }
            }
            fold_accuracy.push(right as f64 / test_idx.len().max(1) as f64);
            done += 1.0;
            progress(done / total_fits);
        }
        evaluations.push(evaluate(alg, &y, &predicted, classes.len(), fold_accuracy));
    }
    let baseline = evaluations.remove(0);
    // The best macro-F1 wins; ties go to the earlier candidate.
    let best = evaluations
        .iter()
        .enumerate()
        .max_by(|a, b| {
            a.1.macro_f1
                .total_cmp(&b.1.macro_f1)
                .then_with(|| b.0.cmp(&a.0))
        })
        .map(|(_, e)| e.clone())
        .unwrap_or_else(|| baseline.clone());
    let beats_baseline = best.macro_f1 > baseline.macro_f1;
    let chosen = if beats_baseline {
        best.algorithm
    } else {
        warnings.push(
            "no classifier beat the majority-class baseline: the model predicts the most frequent mode"
                .into(),
        );
        Algorithm::Majority
    };

    let space = FeatureSpace::fit(acts);
    let rows: Vec<Vec<f64>> = acts.iter().map(|a| space.row(a)).collect();
    let classifier = Classifier::fit(chosen, &rows, &y, classes.len(), options.seed)?;
    progress(1.0);
    let report = TrainReport {
        samples: acts.len(),
        classes: classes.clone(),
        class_counts: counts,
        folds,
        features: space.width(),
        baseline,
        candidates: evaluations,
        chosen,
        beats_baseline,
        augmentation: "none".into(),
        warnings,
    };
    Ok((
        ModeModel {
            format: ModeModel::FORMAT,
            classes,
            features: space,
            algorithm: chosen,
            classifier,
        },
        report,
    ))
}

/// Fold of each sample: each class's samples are shuffled and dealt round
/// the folds, so every fold has each class in proportion.
pub fn stratified_folds(y: &[usize], n_classes: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut fold_of = vec![0usize; y.len()];
    let mut next = 0usize;
    for c in 0..n_classes {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
        idx.shuffle(&mut rng);
        for i in idx {
            fold_of[i] = next % folds;
            next += 1;
        }
    }
    fold_of
}

pub fn argmax(p: &[f64]) -> usize {
    p.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(i, _)| i)
        .unwrap_or(0)
}

/// Accuracy, per-class and macro F1, and the confusion matrix.
pub fn evaluate(
    algorithm: Algorithm,
    y: &[usize],
    predicted: &[usize],
    n_classes: usize,
    fold_accuracy: Vec<f64>,
) -> Evaluation {
    let mut confusion = vec![vec![0usize; n_classes]; n_classes];
    for (&t, &p) in y.iter().zip(predicted) {
        confusion[t][p] += 1;
    }
    let right: usize = (0..n_classes).map(|c| confusion[c][c]).sum();
    let f1: Vec<f64> = (0..n_classes)
        .map(|c| {
            let tp = confusion[c][c] as f64;
            let actual: usize = confusion[c].iter().sum();
            let predicted: usize = confusion.iter().map(|row| row[c]).sum();
            if tp == 0.0 {
                0.0
            } else {
                let precision = tp / predicted as f64;
                let recall = tp / actual as f64;
                2.0 * precision * recall / (precision + recall)
            }
        })
        .collect();
    Evaluation {
        algorithm,
        accuracy: right as f64 / y.len().max(1) as f64,
        macro_f1: f1.iter().sum::<f64>() / n_classes.max(1) as f64,
        f1,
        confusion,
        fold_accuracy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified() {
        let y: Vec<usize> = (0..100).map(|i| if i < 80 { 0 } else { 1 }).collect();
        let f = stratified_folds(&y, 2, 5, 1);
        for fold in 0..5 {
            let zeros = (0..100).filter(|&i| f[i] == fold && y[i] == 0).count();
            let ones = (0..100).filter(|&i| f[i] == fold && y[i] == 1).count();
            assert_eq!((zeros, ones), (16, 4));
        }
    }

    #[test]
    fn metrics_by_hand() {
        // true:      0 0 0 1 1 2
        // predicted: 0 0 1 1 1 0
        let e = evaluate(
            Algorithm::Knn,
            &[0, 0, 0, 1, 1, 2],
            &[0, 0, 1, 1, 1, 0],
            3,
            vec![],
        );
        assert!((e.accuracy - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(
            e.confusion,
            vec![vec![2, 1, 0], vec![0, 2, 0], vec![1, 0, 0]]
        );
        // class 0: p=2/3 r=2/3 f1=2/3; class 1: p=2/3 r=1 f1=0.8; class 2: 0.
        assert!((e.macro_f1 - (2.0 / 3.0 + 0.8) / 3.0).abs() < 1e-12);
    }
}
