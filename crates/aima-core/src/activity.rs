//! Workplace activity: buckets and events as ActivityWatch models them, the
//! original `/log_activity` record, heartbeat merging, validation, and the
//! effective duration of point samples.
//!
//! Times are Unix milliseconds (ActivityWatch itself keeps millisecond
//! resolution); durations are seconds as `f64`, as on ActivityWatch's wire.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Longest accepted text fields of an activity record, in bytes. A window
/// title is rarely over a few hundred bytes; a megabyte is an error, not data.
pub const MAX_APP_BYTES: usize = 512;
pub const MAX_TITLE_BYTES: usize = 4096;
pub const MAX_URL_BYTES: usize = 8192;
/// Largest `data` object of one ActivityWatch event, serialized.
pub const MAX_EVENT_DATA_BYTES: usize = 32 * 1024;
/// Longest duration of one event: a week. Longer is a client bug.
pub const MAX_DURATION_S: f64 = 7.0 * 86_400.0;
/// How far in the future a timestamp may be (clock skew between machines).
pub const MAX_FUTURE_MS: i64 = 24 * 3_600_000;
/// Most records in one `/log_activity` batch or one events insert.
pub const MAX_BATCH: usize = 10_000;
/// A point sample (duration 0) lasts until the next sample of its bucket, but
/// at most this long: a gap longer than this is time the client was off.
pub const MAX_SAMPLE_GAP_S: f64 = 300.0;

/// Bucket types whose events describe what the user is doing, and so feed the
/// mode classifier and the analytics: ActivityWatch's window watcher and
/// AIMA's own records.
pub const ACTIVITY_BUCKET_TYPES: &[&str] = &["currentwindow", APP_ACTIVITY_TYPE];
/// The type of the buckets `/log_activity` and `aima watch` write.
pub const APP_ACTIVITY_TYPE: &str = "app.activity";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActivityError {
    #[error("{0}")]
    InvalidTimestamp(String),
    #[error("{0}")]
    TooLong(String),
    #[error("{0}")]
    Invalid(String),
}

/// A bucket: a stream of events from one watcher on one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Bucket {
    pub id: String,
    #[serde(rename = "type")]
    pub btype: String,
    pub client: String,
    pub hostname: String,
    /// Unix milliseconds.
    pub created: i64,
    #[schema(value_type = Object)]
    pub data: Value,
    /// Unix milliseconds of the end of its latest event, if any.
    pub last_updated: Option<i64>,
}

/// An event: something true from `timestamp` for `duration` seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: Option<i64>,
    /// Unix milliseconds.
    pub timestamp: i64,
    /// Seconds, never negative.
    pub duration: f64,
    pub data: Map<String, Value>,
}

impl Event {
    pub fn end_ms(&self) -> i64 {
        self.timestamp + (self.duration * 1000.0).round() as i64
    }
}

/// An event as stored, with its bucket and its mode label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredEvent {
    pub id: i64,
    pub bucket: String,
    /// Unix milliseconds.
    pub timestamp: i64,
    pub duration: f64,
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
    pub mode: Option<ModeLabel>,
}

/// The mode of an event and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModeLabel {
    pub mode: String,
    pub source: LabelSource,
    /// For a predicted mode, the model's probability for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// For a predicted mode, the model version that predicted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_version: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LabelSource {
    /// Set by a person: training data.
    User,
    /// Predicted by a model: replaced by a person's correction.
    Model,
}

impl LabelSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LabelSource::User => "user",
            LabelSource::Model => "model",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(LabelSource::User),
            "model" => Some(LabelSource::Model),
            _ => None,
        }
    }
}

/// ActivityWatch's heartbeat merge: when the heartbeat carries the same data
/// and starts within `pulsetime` seconds after the end of the last event (and
/// not before its start), the last event is extended to cover it; otherwise
/// the heartbeat becomes a new event. Same rule as aw-server and
/// `aw_transform.heartbeat_merge`: a heartbeat that ends earlier never
/// shortens the event.
pub fn heartbeat_merge(last: &Event, heartbeat: &Event, pulsetime: f64) -> Option<Event> {
    if last.data != heartbeat.data || last.duration < 0.0 {
        return None;
    }
    let window_end = last.end_ms() + (pulsetime * 1000.0).round() as i64;
    if heartbeat.timestamp < last.timestamp || heartbeat.timestamp > window_end {
        return None;
    }
    let new_duration =
        (heartbeat.timestamp - last.timestamp) as f64 / 1000.0 + heartbeat.duration.max(0.0);
    let duration = last.duration.max(new_duration);
    if duration > MAX_DURATION_S {
        // No event outgrows the longest duration accepted (a week): the
        // heartbeat starts a new one.
        return None;
    }
    let mut merged = last.clone();
    merged.duration = duration;
    Some(merged)
}

/// The original service's record, `POST /log_activity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActivityRecord {
    /// RFC 3339 (`2026-11-22T09:30:00Z`) or Unix seconds.
    #[schema(value_type = String, example = "2026-11-22T09:30:00Z")]
    pub timestamp: Value,
    /// The application in front (process or window class).
    #[serde(alias = "app")]
    #[schema(min_length = 1)]
    pub application: String,
    #[serde(default, alias = "title")]
    pub window_title: String,
    /// Mouse events (moves, clicks, scrolls) in the sample period.
    #[serde(default)]
    pub mouse_activity: f64,
    /// Key presses in the sample period.
    #[serde(default)]
    pub keyboard_activity: f64,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub idle: bool,
    /// Seconds the record covers. Without it the record is a point sample
    /// that lasts until the next one (at most 5 minutes).
    #[serde(default)]
    pub duration: Option<f64>,
    /// The machine it comes from; records of each host go to their own bucket.
    #[serde(default)]
    pub hostname: Option<String>,
}

impl ActivityRecord {
    /// Checks every field and turns the record into an event of an
    /// `app.activity` bucket. `now_ms` bounds timestamps in the future.
    pub fn into_event(self, now_ms: i64) -> Result<Event, ActivityError> {
        let timestamp = parse_timestamp(&self.timestamp, now_ms)?;
        check_len("application", &self.application, MAX_APP_BYTES)?;
        check_len("window_title", &self.window_title, MAX_TITLE_BYTES)?;
        if let Some(url) = &self.url {
            check_len("url", url, MAX_URL_BYTES)?;
        }
        if self.application.trim().is_empty() {
            return Err(ActivityError::Invalid(
                "application must not be empty".into(),
            ));
        }
        for (name, v) in [
            ("mouse_activity", self.mouse_activity),
            ("keyboard_activity", self.keyboard_activity),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(ActivityError::Invalid(format!(
                    "{name} must be a number >= 0, got {v}"
                )));
            }
        }
        let duration = check_duration(self.duration.unwrap_or(0.0))?;
        let mut data = Map::new();
        data.insert("app".into(), Value::String(self.application));
        data.insert("title".into(), Value::String(self.window_title));
        if let Some(url) = self.url.filter(|u| !u.is_empty()) {
            data.insert("url".into(), Value::String(url));
        }
        data.insert("mouse".into(), self.mouse_activity.into());
        data.insert("keyboard".into(), self.keyboard_activity.into());
        data.insert("idle".into(), Value::Bool(self.idle));
        Ok(Event {
            id: None,
            timestamp,
            duration,
            data,
        })
    }
}

/// The bucket `/log_activity` writes the records of one host to.
pub fn log_bucket_id(hostname: Option<&str>) -> Result<String, ActivityError> {
    let host = hostname.unwrap_or("unknown");
    let id = format!("aima-log_{host}");
    validate_bucket_id(&id)?;
    Ok(id)
}

/// Bucket ids appear in URLs: printable, no slashes, at most 256 bytes.
pub fn validate_bucket_id(id: &str) -> Result<(), ActivityError> {
    let ok = !id.is_empty()
        && id.len() <= 256
        && id
            .chars()
            .all(|c| !c.is_control() && c != '/' && c != '\\' && c != '?' && c != '#');
    if ok {
        Ok(())
    } else {
        Err(ActivityError::Invalid(format!(
            "bucket id {:?} must be 1-256 printable characters without '/', '\\', '?' or '#'",
            truncate(id, 80)
        )))
    }
}

/// Checks an ActivityWatch event: timestamp, duration, size of its data.
pub fn validate_event(e: &Event, now_ms: i64) -> Result<(), ActivityError> {
    check_timestamp_ms(e.timestamp, now_ms)?;
    check_duration(e.duration)?;
    let size = serde_json::to_string(&e.data).map(|s| s.len()).unwrap_or(0);
    if size > MAX_EVENT_DATA_BYTES {
        return Err(ActivityError::TooLong(format!(
            "event data is {size} bytes; at most {MAX_EVENT_DATA_BYTES} are accepted"
        )));
    }
    Ok(())
}

fn check_len(name: &str, value: &str, max: usize) -> Result<(), ActivityError> {
    if value.len() > max {
        Err(ActivityError::TooLong(format!(
            "{name} is {} bytes; at most {max} are accepted",
            value.len()
        )))
    } else {
        Ok(())
    }
}

fn check_duration(d: f64) -> Result<f64, ActivityError> {
    if !d.is_finite() || d < 0.0 {
        return Err(ActivityError::Invalid(format!(
            "duration must be a number of seconds >= 0, got {d}"
        )));
    }
    if d > MAX_DURATION_S {
        return Err(ActivityError::Invalid(format!(
            "duration {d} s is longer than a week"
        )));
    }
    Ok(d)
}

/// Parses an RFC 3339 string or a number of Unix seconds.
pub fn parse_timestamp(v: &Value, now_ms: i64) -> Result<i64, ActivityError> {
    let ms = match v {
        Value::String(s) => parse_rfc3339_ms(s)?,
        Value::Number(n) => {
            let secs = n.as_f64().unwrap_or(f64::NAN);
            if !secs.is_finite() {
                return Err(ActivityError::InvalidTimestamp(format!(
                    "timestamp {n} is not a number of seconds"
                )));
            }
            (secs * 1000.0).round() as i64
        }
        other => {
            return Err(ActivityError::InvalidTimestamp(format!(
                "timestamp must be an RFC 3339 string or Unix seconds, got {other}"
            )))
        }
    };
    check_timestamp_ms(ms, now_ms)?;
    Ok(ms)
}

pub fn parse_rfc3339_ms(s: &str) -> Result<i64, ActivityError> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| {
            ActivityError::InvalidTimestamp(format!(
                "timestamp {:?} is not RFC 3339 ({e})",
                truncate(s, 64)
            ))
        })?;
    Ok((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// `2026-11-22T09:30:00.123+00:00`, as ActivityWatch writes timestamps.
pub fn format_rfc3339_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+00:00"
    );
    t.format(&fmt).unwrap_or_default()
}

fn check_timestamp_ms(ms: i64, now_ms: i64) -> Result<(), ActivityError> {
    if ms < 0 {
        return Err(ActivityError::InvalidTimestamp(
            "timestamp is before 1970-01-01".into(),
        ));
    }
    if ms > now_ms + MAX_FUTURE_MS {
        return Err(ActivityError::InvalidTimestamp(format!(
            "timestamp {} is more than a day in the future",
            format_rfc3339_ms(ms)
        )));
    }
    Ok(())
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The seconds each event covers: its duration, or for a point sample
/// (duration 0) the time until the next event of the same bucket, at most
/// [`MAX_SAMPLE_GAP_S`]. `events` must be sorted by bucket, then timestamp.
pub fn effective_durations(events: &[StoredEvent]) -> Vec<f64> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if e.duration > 0.0 {
                return e.duration;
            }
            match events.get(i + 1) {
                Some(next) if next.bucket == e.bucket => {
                    ((next.timestamp - e.timestamp) as f64 / 1000.0).clamp(0.0, MAX_SAMPLE_GAP_S)
                }
                _ => 0.0,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(ts: i64, dur: f64, app: &str) -> Event {
        let mut data = Map::new();
        data.insert("app".into(), json!(app));
        Event {
            id: None,
            timestamp: ts,
            duration: dur,
            data,
        }
    }

    #[test]
    fn heartbeats_merge_like_activitywatch() {
        let last = ev(0, 10.0, "a");
        // Within the pulse window: extended to cover the heartbeat.
        let m = heartbeat_merge(&last, &ev(15_000, 0.0, "a"), 10.0).expect("merges");
        assert_eq!(m.timestamp, 0);
        assert!((m.duration - 15.0).abs() < 1e-9);
        // Past the pulse window, different data, or before the event: no merge.
        assert!(heartbeat_merge(&last, &ev(20_001, 0.0, "a"), 10.0).is_none());
        assert!(heartbeat_merge(&last, &ev(5_000, 0.0, "b"), 10.0).is_none());
        assert!(heartbeat_merge(&last, &ev(-1, 0.0, "a"), 10.0).is_none());
        // A heartbeat ending inside the event does not shorten it.
        let m = heartbeat_merge(&last, &ev(2_000, 1.0, "a"), 0.0).expect("merges");
        assert!((m.duration - 10.0).abs() < 1e-9);
    }

    #[test]
    fn records_are_validated() {
        let now = 1_800_000_000_000;
        let rec = |ts: Value, title: String| ActivityRecord {
            timestamp: ts,
            application: "code".into(),
            window_title: title,
            mouse_activity: 3.0,
            keyboard_activity: 10.0,
            url: None,
            idle: false,
            duration: None,
            hostname: None,
        };
        let e = rec(json!("2026-11-22T09:30:00Z"), "main.rs".into())
            .into_event(now)
            .expect("valid");
        assert_eq!(e.timestamp, 1_795_339_800_000);
        assert_eq!(e.data["app"], json!("code"));
        assert!(matches!(
            rec(json!("1969-12-31T23:59:59Z"), "x".into()).into_event(now),
            Err(ActivityError::InvalidTimestamp(_))
        ));
        assert!(matches!(
            rec(json!(now as f64 / 1000.0 + 3.0 * 86400.0), "x".into()).into_event(now),
            Err(ActivityError::InvalidTimestamp(_))
        ));
        assert!(matches!(
            rec(json!("yesterday"), "x".into()).into_event(now),
            Err(ActivityError::InvalidTimestamp(_))
        ));
        assert!(matches!(
            rec(json!(1_700_000_000), "x".repeat(1 << 20)).into_event(now),
            Err(ActivityError::TooLong(_))
        ));
        let mut neg = rec(json!(1_700_000_000), "x".into());
        neg.duration = Some(-1.0);
        assert!(matches!(
            neg.into_event(now),
            Err(ActivityError::Invalid(_))
        ));
    }

    #[test]
    fn timestamps_round_trip() {
        let ms = 1_795_339_800_123;
        let s = format_rfc3339_ms(ms);
        assert_eq!(s, "2026-11-22T09:30:00.123+00:00");
        assert_eq!(parse_rfc3339_ms(&s), Ok(ms));
        assert_eq!(
            parse_rfc3339_ms("2026-11-22T10:30:00.123+01:00"),
            Ok(ms),
            "offsets are honoured"
        );
    }

    #[test]
    fn point_samples_last_until_the_next() {
        let se = |bucket: &str, ts: i64, d: f64| StoredEvent {
            id: 0,
            bucket: bucket.into(),
            timestamp: ts,
            duration: d,
            data: Map::new(),
            mode: None,
        };
        let evs = vec![
            se("a", 0, 0.0),
            se("a", 60_000, 0.0),
            se("a", 3_600_000, 5.0),
            se("b", 0, 0.0),
        ];
        assert_eq!(effective_durations(&evs), vec![60.0, 300.0, 5.0, 0.0]);
    }
}

/// A bucket to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBucket {
    pub id: String,
    pub btype: String,
    pub client: String,
    pub hostname: String,
    pub data: Value,
}

/// Which events to read: a bucket or all, a time range (events that end
/// after `start` and begin before `end`), newest first, at most `limit`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    pub bucket: Option<String>,
    /// Keyset cursor: only events before this (timestamp, id).
    pub before: Option<(i64, i64)>,
    /// Unix milliseconds.
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub limit: Option<i64>,
}

/// A mode a workspace's user has defined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModeInfo {
    pub name: String,
    pub created_at: i64,
    /// Events a person labelled with this mode.
    pub labelled_events: i64,
}

/// Mode names are what users call their modes: short, printable.
pub fn validate_mode_name(name: &str) -> Result<(), ActivityError> {
    let trimmed = name.trim();
    if trimmed.is_empty()
        || trimmed != name
        || name.chars().count() > 64
        || name.chars().any(char::is_control)
    {
        return Err(ActivityError::Invalid(format!(
            "mode name {:?} must be 1-64 printable characters without surrounding spaces",
            truncate(name, 80)
        )));
    }
    Ok(())
}

/// One version of a workspace's mode model, without the model itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModeModelInfo {
    pub version: i64,
    pub created_at: i64,
    /// The training job that made it.
    pub job_id: Option<String>,
    /// The classifier that won the cross-validation.
    pub algorithm: String,
    /// Whether predictions use this version now.
    pub active: bool,
    /// Cross-validation results of every candidate and the baseline.
    #[schema(value_type = Object)]
    pub metrics: Value,
}
