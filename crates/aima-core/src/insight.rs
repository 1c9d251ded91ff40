use serde::{Deserialize, Serialize};

/// One time-coded finding of an analyzer, as the analyzer emits it.
///
/// `key` identifies the insight within its job and analyzer (for example the
/// frame number of a keyframe). The store writes each key at most once, which
/// makes a retried job idempotent: the insights an interrupted attempt already
/// saved are kept, and re-emitting them does not duplicate them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Insight {
    pub analyzer: String,
    pub kind: String,
    /// Seconds from the start of the media.
    pub start: f64,
    /// Seconds from the start of the media, where the insight spans time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<f64>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// Name of a file the analyzer stored beside the media (a thumbnail...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<String>,
    #[serde(skip)]
    pub key: String,
}

/// An insight as stored and served, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredInsight {
    pub id: i64,
    pub media_id: String,
    pub job_id: String,
    #[serde(flatten)]
    pub insight: Insight,
    /// A person's verdict on it; a rejected insight leaves search, exports
    /// and person clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
}

/// A person's verdict on an insight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Review {
    Confirmed,
    Rejected,
}

impl Review {
    pub fn as_str(self) -> &'static str {
        match self {
            Review::Confirmed => "confirmed",
            Review::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "confirmed" => Some(Review::Confirmed),
            "rejected" => Some(Review::Rejected),
            _ => None,
        }
    }
}

/// Filters of an insight listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InsightFilter {
    pub analyzer: Option<String>,
    pub kind: Option<String>,
    /// Keep insights that end at or after this second.
    pub from: Option<f64>,
    /// Keep insights that start at or before this second.
    pub to: Option<f64>,
    /// Also list insights a person rejected (left out by default).
    pub include_rejected: bool,
}
