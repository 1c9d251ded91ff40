//! Domain types shared by every AIMA crate.
//!
//! Architecture invariant: this crate does no IO (no files, no network, no
//! database, no clock). It holds plain data, validation rules and the table of
//! error codes, so that the server, the worker and the CLI agree on them.

pub mod activity;
pub mod error;
pub mod insight;
pub mod job;
pub mod media;
pub mod page;
pub mod person;
pub mod pipeline;
pub mod search;
pub mod team;
pub mod transcript;
pub mod worker_api;

/// RFC 4180 quoting, and a leading `'` against formula injection in
/// spreadsheets (application names, OCR text, transcripts and labels are
/// user-controlled text).
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub use activity::{
    ActivityRecord, Bucket, Event, EventQuery, LabelSource, ModeInfo, ModeLabel, ModeModelInfo,
    NewBucket, StoredEvent,
};
pub use error::{redact_paths, ErrorCode, ErrorInfo};
pub use insight::{Insight, InsightFilter, Review, StoredInsight};
pub use job::{next_requirement, overall_progress, Job, JobState, Lease, StageState, StageStatus};
pub use media::{validate_filename, Media, MediaFilter, MediaKind, NewMedia};
pub use page::{Cursor, PageRequest, SortOrder};
pub use person::{Appearance, FaceRecord, Person, TimeRange};
pub use pipeline::{validate_capability, Pipeline, PipelineError, StageSpec};
pub use search::{SearchHit, SearchMode, SearchQuery, SearchSort, SearchTerm};
pub use team::{valid_name, Role, NAME_RULE, WEBHOOK_EVENTS};

/// The workspace every single-user installation starts with.
pub const DEFAULT_WORKSPACE: &str = "default";

/// Workspace names are short slugs, so that they can appear in URLs, logs and
/// file paths without escaping.
pub fn validate_workspace(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "workspace name {name:?} must be 1-64 characters of a-z, 0-9, '-' or '_'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_names() {
        assert!(validate_workspace("default").is_ok());
        assert!(validate_workspace("team-2_b").is_ok());
        assert!(validate_workspace("").is_err());
        assert!(validate_workspace("Team").is_err());
        assert!(validate_workspace("../x").is_err());
        assert!(validate_workspace(&"a".repeat(65)).is_err());
    }
}
