//! The `events` table, shared by the activity repository and the group
//! commit that writes it: columns, row reader, the insert, and the range and
//! activity-bucket conditions of reads.

use aima_core::activity::{ACTIVITY_BUCKET_TYPES, MAX_DURATION_S};
use aima_core::{Event, LabelSource, ModeLabel, StoredEvent};
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::Result;
use crate::sql::{corrupt, t, Arg, Sql};

/// What a heartbeat did, once stored.
#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatOutcome {
    /// The bucket's event the heartbeat extended or started.
    pub event: StoredEvent,
    /// Whether it extended the latest event (else it started a new one).
    pub merged: bool,
    /// The bucket's type (`currentwindow`, `afkstatus`, ...).
    pub bucket_type: String,
    /// For a heartbeat that started a new event in an activity bucket, the
    /// workspace's active mode model version as its transaction saw it
    /// (`None`: no model is active, or the heartbeat needs no label), read
    /// in the batch's transaction so that labelling the event costs no
    /// query of its own.
    pub mode_version: Option<i64>,
}

/// The end of an event in milliseconds, in SQL both dialects read alike.
pub(crate) const END_MS: &str = "(ts + CAST(duration * 1000 AS BIGINT))";

pub(crate) const EVENT_COLS: &str =
    "id, bucket_id, ts, duration, data, mode, mode_source, mode_confidence, model_version";

pub(crate) fn event_from_row(row: &AnyRow) -> Result<StoredEvent> {
    EventColumns {
        id: row.try_get("id")?,
        bucket: row.try_get("bucket_id")?,
        ts: row.try_get("ts")?,
        duration: row.try_get("duration")?,
        data: row.try_get("data")?,
        mode: row.try_get("mode")?,
        mode_source: row.try_get("mode_source")?,
        mode_confidence: row.try_get("mode_confidence")?,
        model_version: row.try_get("model_version")?,
    }
    .into_event()
}

/// The [`EVENT_COLS`] of one row as the database gives them, whichever
/// driver read them (sqlx's, or the SQLite writer's own connection).
pub(crate) struct EventColumns {
    pub(crate) id: i64,
    pub(crate) bucket: String,
    pub(crate) ts: i64,
    pub(crate) duration: f64,
    pub(crate) data: String,
    pub(crate) mode: Option<String>,
    pub(crate) mode_source: Option<String>,
    pub(crate) mode_confidence: Option<f64>,
    pub(crate) model_version: Option<i64>,
}

impl EventColumns {
    pub(crate) fn into_event(self) -> Result<StoredEvent> {
        let data: Map<String, Value> =
            serde_json::from_str(&self.data).map_err(|e| corrupt("event data", e))?;
        let mode = match (self.mode, self.mode_source) {
            (Some(mode), Some(source)) => Some(ModeLabel {
                mode,
                source: LabelSource::parse(&source)
                    .ok_or_else(|| corrupt("label source", &source))?,
                confidence: self.mode_confidence,
                model_version: self.model_version,
            }),
            _ => None,
        };
        Ok(StoredEvent {
            id: self.id,
            bucket: self.bucket,
            timestamp: self.ts,
            duration: self.duration,
            data,
            mode,
        })
    }
}

pub(crate) fn data_json(data: &Map<String, Value>) -> Result<String> {
    serde_json::to_string(data).map_err(|e| corrupt("event data", e))
}

/// Appends the values `mode, source, confidence, version`.
pub(crate) fn push_label(q: &mut Sql, label: &Option<ModeLabel>) {
    let l = label.as_ref();
    q.bind(Arg::OptText(l.map(|l| l.mode.clone())))
        .push(", ")
        .bind(Arg::OptText(l.map(|l| l.source.as_str().to_string())))
        .push(", ")
        .bind(Arg::OptFloat(l.and_then(|l| l.confidence)))
        .push(", ")
        .bind(Arg::OptInt(l.and_then(|l| l.model_version)));
}

pub(crate) fn insert_event_sql(
    workspace: &str,
    bucket: &str,
    e: &Event,
    label: &Option<ModeLabel>,
) -> Result<Sql> {
    let mut q = Sql::new(
        "INSERT INTO events (workspace_id, bucket_id, ts, duration, data, mode, mode_source, \
         mode_confidence, model_version) VALUES (",
    );
    q.bind(t(workspace))
        .push(", ")
        .bind(t(bucket))
        .push(", ")
        .bind(Arg::Int(e.timestamp))
        .push(", ")
        .bind(Arg::Float(e.duration))
        .push(", ")
        .bind(t(&data_json(&e.data)?))
        .push(", ");
    push_label(&mut q, label);
    q.push(") RETURNING id");
    Ok(q)
}

/// The version of the workspace's active mode model (a `version` column,
/// no row when none is active).
pub(crate) fn active_mode_version_sql(workspace: &str) -> Sql {
    let mut q = Sql::new("SELECT version FROM mode_models WHERE workspace_id = ");
    q.bind(t(workspace)).push(" AND active = 1");
    q
}

/// Adds the activity-bucket condition (`bucket_id IN (activity buckets)`).
pub(crate) fn push_activity_buckets(q: &mut Sql, workspace: &str) {
    q.push(" AND bucket_id IN (SELECT id FROM buckets WHERE workspace_id = ")
        .bind(t(workspace))
        .push(" AND btype IN (");
    for (i, ty) in ACTIVITY_BUCKET_TYPES.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(t(ty));
    }
    q.push("))");
}

/// Events overlapping the half-open range `[start, end)`: they begin before
/// `end` and end after `start` (a point event counts if it lies inside).
pub(crate) fn push_range(q: &mut Sql, start: Option<i64>, end: Option<i64>) {
    if let Some(start) = start {
        // No event lasts longer than MAX_DURATION_S (validated on the way
        // in): this bound lets the (workspace_id, ts) index skip older rows.
        q.push(" AND ts >= ").bind(Arg::Int(
            start.saturating_sub((MAX_DURATION_S * 1000.0) as i64),
        ));
        q.push(&format!(" AND ({END_MS} > "))
            .bind(Arg::Int(start))
            .push(" OR ts >= ")
            .bind(Arg::Int(start))
            .push(")");
    }
    if let Some(end) = end {
        q.push(" AND ts < ").bind(Arg::Int(end));
    }
}
