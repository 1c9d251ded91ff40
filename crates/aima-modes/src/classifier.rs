//! The candidate classifiers, all from smartcore, behind one enum that gives
//! class probabilities.
//!
//! smartcore 0.7 has extremely randomized trees only as a regressor
//! (`ExtraTreesRegressor`; its classifier forests always split on the best
//! threshold). A regression forest fitted one-vs-rest on each class's 0/1
//! indicator is a classifier: on a 0/1 target the squared-error split
//! criterion is the Gini impurity (the variance p(1-p) is half the binary
//! Gini), and the mean of the leaves is the class probability. So extra
//! trees and random forests here are one-vs-rest regression forests, with
//! their probabilities normalized across classes; nothing is written by hand
//! but this glue.

use serde::{Deserialize, Serialize};
use smartcore::ensemble::extra_trees_regressor::{
    ExtraTreesRegressor, ExtraTreesRegressorParameters,
};
use smartcore::ensemble::random_forest_regressor::{
    RandomForestRegressor, RandomForestRegressorParameters,
};
use smartcore::linalg::basic::arrays::Array;
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::metrics::distance::euclidian::Euclidian;
use smartcore::neighbors::knn_classifier::{KNNClassifier, KNNClassifierParameters};
use smartcore::neighbors::KNNWeightFunction;
use smartcore::tree::decision_tree_classifier::{
    DecisionTreeClassifier, DecisionTreeClassifierParameters,
};

pub type Matrix = DenseMatrix<f64>;
type Etr = ExtraTreesRegressor<f64, f64, Matrix, Vec<f64>>;
type Rfr = RandomForestRegressor<f64, f64, Matrix, Vec<f64>>;
type Dtc = DecisionTreeClassifier<f64, u32, Matrix, Vec<u32>>;
type Knn = KNNClassifier<f64, u32, Matrix, Vec<u32>, Euclidian<f64>>;

/// The algorithms tried at every training, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// Always the most frequent class: the baseline every model must beat.
    Majority,
    ExtraTrees,
    RandomForest,
    DecisionTree,
    /// k nearest neighbours on standardized features.
    Knn,
}

impl Algorithm {
    pub const CANDIDATES: [Algorithm; 4] = [
        Algorithm::ExtraTrees,
        Algorithm::RandomForest,
        Algorithm::DecisionTree,
        Algorithm::Knn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Majority => "majority",
            Algorithm::ExtraTrees => "extra_trees",
            Algorithm::RandomForest => "random_forest",
            Algorithm::DecisionTree => "decision_tree",
            Algorithm::Knn => "knn",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{algorithm}: {message}")]
pub struct FitError {
    pub algorithm: &'static str,
    pub message: String,
}

/// A fitted classifier over classes `0..n_classes`.
#[derive(Debug, Serialize, Deserialize)]
pub enum Classifier {
    Majority {
        class: usize,
        n_classes: usize,
    },
    ExtraTrees(Vec<Etr>),
    RandomForest(Vec<Rfr>),
    /// `seen`: the classes present when fitting, in the order of the
    /// model's probability columns (smartcore keeps them sorted).
    DecisionTree {
        tree: Dtc,
        seen: Vec<usize>,
        n_classes: usize,
    },
    Knn {
        knn: Knn,
        seen: Vec<usize>,
        mean: Vec<f64>,
        std: Vec<f64>,
        n_classes: usize,
    },
}

const TREES: usize = 40;
const MAX_DEPTH: u16 = 14;

impl Classifier {
    pub fn fit(
        algorithm: Algorithm,
        rows: &[Vec<f64>],
        y: &[usize],
        n_classes: usize,
        seed: u64,
    ) -> Result<Self, FitError> {
        let err = |e: smartcore::error::Failed| FitError {
            algorithm: algorithm.as_str(),
            message: e.to_string(),
        };
        Ok(match algorithm {
            Algorithm::Majority => {
                let mut counts = vec![0usize; n_classes];
                for &k in y {
                    counts[k] += 1;
                }
                let class = (0..n_classes)
                    .max_by_key(|&c| (counts[c], usize::MAX - c))
                    .unwrap_or(0);
                Classifier::Majority { class, n_classes }
            }
            Algorithm::ExtraTrees => {
                let x = matrix(rows).map_err(err)?;
                let params = ExtraTreesRegressorParameters::default()
                    .with_n_trees(TREES)
                    .with_max_depth(MAX_DEPTH)
                    .with_min_samples_leaf(1)
                    .with_seed(seed);
                Classifier::ExtraTrees(
                    one_vs_rest(y, n_classes, |t| Etr::fit(&x, t, params.clone())).map_err(err)?,
                )
            }
            Algorithm::RandomForest => {
                let x = matrix(rows).map_err(err)?;
                let params = RandomForestRegressorParameters::default()
                    .with_n_trees(TREES)
                    .with_max_depth(MAX_DEPTH)
                    .with_min_samples_leaf(1)
                    .with_seed(seed);
                Classifier::RandomForest(
                    one_vs_rest(y, n_classes, |t| Rfr::fit(&x, t, params.clone())).map_err(err)?,
                )
            }
            Algorithm::DecisionTree => {
                let x = matrix(rows).map_err(err)?;
                let yy: Vec<u32> = y.iter().map(|&k| k as u32).collect();
                let params = DecisionTreeClassifierParameters::default()
                    .with_max_depth(MAX_DEPTH)
                    .with_min_samples_leaf(2);
                Classifier::DecisionTree {
                    tree: Dtc::fit(&x, &yy, params).map_err(err)?,
                    seen: seen_classes(y),
                    n_classes,
                }
            }
            Algorithm::Knn => {
                let (mean, std) = standardizer(rows);
                let scaled: Vec<Vec<f64>> = rows.iter().map(|r| scale(r, &mean, &std)).collect();
                let x = matrix(&scaled).map_err(err)?;
                let yy: Vec<u32> = y.iter().map(|&k| k as u32).collect();
                let params = KNNClassifierParameters::default()
                    .with_k(7.min(rows.len()))
                    .with_weight(KNNWeightFunction::Distance);
                Classifier::Knn {
                    knn: Knn::fit(&x, &yy, params).map_err(err)?,
                    seen: seen_classes(y),
                    mean,
                    std,
                    n_classes,
                }
            }
        })
    }

    /// Class probabilities per row; each row sums to 1.
    pub fn predict_proba(&self, rows: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, String> {
        let e = |e: smartcore::error::Failed| e.to_string();
        let n = rows.len();
        let mut out = match self {
            Classifier::Majority { class, n_classes } => {
                let mut p = vec![0.0; *n_classes];
                p[*class] = 1.0;
                vec![p; n]
            }
            Classifier::ExtraTrees(forests) => {
                let x = matrix(rows).map_err(e)?;
                transpose(
                    &forests
                        .iter()
                        .map(|f| f.predict(&x))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(e)?,
                    n,
                )
            }
            Classifier::RandomForest(forests) => {
                let x = matrix(rows).map_err(e)?;
                transpose(
                    &forests
                        .iter()
                        .map(|f| f.predict(&x))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(e)?,
                    n,
                )
            }
            Classifier::DecisionTree {
                tree,
                seen,
                n_classes,
            } => {
                let x = matrix(rows).map_err(e)?;
                let p = tree.predict_proba(&x).map_err(e)?;
                // The tree knows only the classes it saw; map them back.
                (0..n)
                    .map(|i| {
                        let mut row = vec![0.0; *n_classes];
                        for (j, c) in seen.iter().enumerate() {
                            row[*c] = *p.get((i, j));
                        }
                        row
                    })
                    .collect()
            }
            Classifier::Knn {
                knn,
                seen,
                mean,
                std,
                n_classes,
            } => {
                let scaled: Vec<Vec<f64>> = rows.iter().map(|r| scale(r, mean, std)).collect();
                let x = matrix(&scaled).map_err(e)?;
                let p = knn.predict_proba(&x).map_err(e)?;
                p.into_iter()
                    .map(|pr| {
                        let mut row = vec![0.0; *n_classes];
                        for (c, v) in seen.iter().zip(pr) {
                            row[*c] = v;
                        }
                        row
                    })
                    .collect()
            }
        };
        for row in &mut out {
            normalize(row);
        }
        Ok(out)
    }
}

/// One model per class, fitted on that class's 0/1 indicator.
fn one_vs_rest<M>(
    y: &[usize],
    n_classes: usize,
    mut fit: impl FnMut(&Vec<f64>) -> Result<M, smartcore::error::Failed>,
) -> Result<Vec<M>, smartcore::error::Failed> {
    (0..n_classes)
        .map(|c| {
            let target: Vec<f64> = y.iter().map(|&k| if k == c { 1.0 } else { 0.0 }).collect();
            fit(&target)
        })
        .collect()
}

fn seen_classes(y: &[usize]) -> Vec<usize> {
    let mut seen = y.to_vec();
    seen.sort_unstable();
    seen.dedup();
    seen
}

fn matrix(rows: &[Vec<f64>]) -> Result<Matrix, smartcore::error::Failed> {
    DenseMatrix::from_2d_vec(&rows.to_vec())
}

fn transpose(per_class: &[Vec<f64>], n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| per_class.iter().map(|c| c[i].max(0.0)).collect())
        .collect()
}

fn normalize(row: &mut [f64]) {
    let sum: f64 = row.iter().sum();
    if sum > 0.0 {
        row.iter_mut().for_each(|p| *p /= sum);
    } else if !row.is_empty() {
        let u = 1.0 / row.len() as f64;
        row.iter_mut().for_each(|p| *p = u);
    }
}

fn standardizer(rows: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let width = rows.first().map(|r| r.len()).unwrap_or(0);
    let n = rows.len().max(1) as f64;
    let mut mean = vec![0.0; width];
    for r in rows {
        for (m, v) in mean.iter_mut().zip(r) {
            *m += v / n;
        }
    }
    let mut var = vec![0.0; width];
    for r in rows {
        for ((s, v), m) in var.iter_mut().zip(r).zip(&mean) {
            *s += (v - m) * (v - m) / n;
        }
    }
    let std = var
        .into_iter()
        .map(|v| if v > 1e-12 { v.sqrt() } else { 1.0 })
        .collect();
    (mean, std)
}

fn scale(row: &[f64], mean: &[f64], std: &[f64]) -> Vec<f64> {
    row.iter()
        .zip(mean)
        .zip(std)
        .map(|((v, m), s)| (v - m) / s)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_separates_two_clusters() {
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for i in 0..30 {
            let f = i as f64 / 30.0;
            rows.push(vec![f, 0.0, 1.0]);
            y.push(0);
            rows.push(vec![5.0 + f, 1.0, 0.0]);
            y.push(1);
        }
        for alg in Algorithm::CANDIDATES {
            let c = Classifier::fit(alg, &rows, &y, 2, 7).expect("fits");
            let p = c
                .predict_proba(&[vec![0.5, 0.0, 1.0], vec![5.5, 1.0, 0.0]])
                .expect("predicts");
            assert!(p[0][0] > 0.5 && p[1][1] > 0.5, "{alg:?}: {p:?}");
            assert!((p[0].iter().sum::<f64>() - 1.0).abs() < 1e-9);
            let json = serde_json::to_string(&c).expect("serializes");
            let back: Classifier = serde_json::from_str(&json).expect("deserializes");
            assert_eq!(
                back.predict_proba(&[vec![5.5, 1.0, 0.0]]).expect("p"),
                p[1..].to_vec()
            );
        }
        let m = Classifier::fit(Algorithm::Majority, &rows, &[1; 60], 2, 0).expect("fits");
        assert_eq!(
            m.predict_proba(&[vec![0.0; 3]]).expect("p"),
            vec![vec![0.0, 1.0]]
        );
    }
}
