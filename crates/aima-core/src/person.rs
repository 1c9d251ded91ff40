//! Persons: face tracks (from the `faces` analyzer) clustered across the
//! media of a workspace, and the rule that assigns a face to a person.

use serde::{Deserialize, Serialize};

/// Faces whose embedding is at least this close (cosine) to a person's
/// centroid join that person. The packaged FaceRes model measures 0.92-0.96
/// for one person and 0.31-0.35 for two; ArcFace exports sit lower for one
/// person (about 0.5-0.8), so users of those set it lower.
pub const DEFAULT_MATCH_THRESHOLD: f32 = 0.6;

/// A person: the faces a workspace's clustering (and its users) put together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Person {
    pub id: String,
    /// Given by a user; `None` until then.
    pub name: Option<String>,
    /// Face tracks assigned to this person.
    pub faces: i64,
    /// Media those faces are in.
    pub media: i64,
    /// The face shown for this person (its insight id), the earliest one.
    pub cover: Option<FaceRecord>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One face track and where it belongs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FaceRecord {
    /// The `face` insight's id.
    pub insight_id: i64,
    pub media_id: String,
    pub person_id: Option<String>,
    pub start: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<f64>,
    /// The face thumbnail's artifact name (under the media's artifacts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
    /// A user put it here (moved or split): clustering never moves it.
    pub pinned: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimeRange {
    pub start: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<f64>,
}

/// Where a person appears in one media.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Appearance {
    pub media_id: String,
    pub filename: Option<String>,
    pub ranges: Vec<TimeRange>,
}

/// Unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return -1.0;
    }
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The sum of some embeddings of one length (`None` when there are none);
/// its direction is their centroid. Persons store it, so that a new face
/// is one addition.
pub fn sum<'a>(embeddings: impl IntoIterator<Item = &'a [f32]>) -> Option<Vec<f32>> {
    let mut total: Option<Vec<f32>> = None;
    for e in embeddings {
        match &mut total {
            None => total = Some(e.to_vec()),
            Some(s) if s.len() == e.len() => s.iter_mut().zip(e).for_each(|(a, b)| *a += b),
            Some(_) => {}
        }
    }
    total
}

/// The unit-length mean of some embeddings (`None` when there are none).
pub fn centroid<'a>(embeddings: impl IntoIterator<Item = &'a [f32]>) -> Option<Vec<f32>> {
    sum(embeddings).map(|mut s| {
        normalize(&mut s);
        s
    })
}

/// Merges sorted, possibly overlapping time ranges into disjoint ones.
pub fn merge_ranges(mut ranges: Vec<TimeRange>) -> Vec<TimeRange> {
    ranges.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut out: Vec<TimeRange> = Vec::new();
    for r in ranges {
        if let Some(last) = out.last_mut() {
            let last_end = last.end.unwrap_or(last.start);
            if r.start <= last_end {
                last.end = match (last.end, r.end) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                continue;
            }
        }
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_centroid_is_the_unit_mean() {
        let a = [1.0, 0.0];
        let b = [0.0, 1.0];
        let c = centroid([&a[..], &b[..]]).unwrap_or_default();
        assert!((c[0] - c[1]).abs() < 1e-6 && (cosine(&c, &c) - 1.0).abs() < 1e-6);
        assert_eq!(centroid(std::iter::empty()), None);
    }

    #[test]
    fn ranges_merge() {
        let r = |s: f64, e: Option<f64>| TimeRange { start: s, end: e };
        let merged = merge_ranges(vec![
            r(5.0, Some(7.0)),
            r(0.0, Some(3.0)),
            r(2.0, Some(4.0)),
            r(9.0, None),
        ]);
        assert_eq!(
            merged,
            vec![r(0.0, Some(4.0)), r(5.0, Some(7.0)), r(9.0, None)]
        );
    }
}
