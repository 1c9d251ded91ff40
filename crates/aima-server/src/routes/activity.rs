//! Activity: the original `POST /log_activity`, the listing of activity with
//! modes, labelling, and where the time goes.

use std::collections::BTreeMap;

use aima_core::activity::{
    effective_durations, log_bucket_id, ActivityRecord, APP_ACTIVITY_TYPE, MAX_BATCH,
};
use aima_core::{ErrorCode, Event, EventQuery, NewBucket, StoredEvent};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::extract::{parse_time, Json, Query};
use crate::{AppState, Caller};

/// `/log_activity` sits outside `/api/v1`, where the original service had it.
pub fn log_router() -> Router<AppState> {
    Router::new()
        .route("/log_activity", post(log_activity))
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Logged {
    /// Records stored.
    pub inserted: usize,
    /// Ids of the stored events, in the order of the records.
    pub ids: Vec<i64>,
    /// The predicted mode of each record, when a mode model is active.
    pub modes: Vec<Option<String>>,
}

/// Receive workplace activity: one record, an array of records, or
/// `{"records": [...]}`. Every record is checked before any is stored.
pub async fn log_activity(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<Value>,
) -> ApiResult<(StatusCode, axum::Json<Logged>)> {
    let items = match body {
        Value::Array(items) => items,
        Value::Object(mut o) if o.contains_key("records") => match o.remove("records") {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(ApiError::new(
                    ErrorCode::InvalidActivity,
                    "records must be an array",
                ))
            }
        },
        obj @ Value::Object(_) => vec![obj],
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidActivity,
                "send a record, an array of records or {\"records\": [...]}",
            ))
        }
    };
    if items.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidActivity, "no records"));
    }
    if items.len() > MAX_BATCH {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("{} records; at most {MAX_BATCH} per request", items.len()),
        ));
    }
    let now = aima_store::now_ms();
    // Records by bucket (one per host), in request order.
    let mut buckets: BTreeMap<String, Vec<(usize, Event)>> = BTreeMap::new();
    for (i, item) in items.into_iter().enumerate() {
        let record: ActivityRecord = serde_json::from_value(item)
            .map_err(|e| ApiError::new(ErrorCode::InvalidActivity, format!("record {i}: {e}")))?;
        let bucket = log_bucket_id(record.hostname.as_deref())?;
        let event = record.into_event(now).map_err(|e| {
            let mut err = ApiError::from(e);
            err.message = format!("record {i}: {}", err.message);
            err
        })?;
        buckets.entry(bucket).or_default().push((i, event));
    }
    let total: usize = buckets.values().map(Vec::len).sum();
    let mut ids = vec![0i64; total];
    let mut modes = vec![None; total];
    for (bucket, events) in buckets {
        let host = bucket.strip_prefix("aima-log_").unwrap_or("unknown");
        state
            .store
            .create_bucket(
                &caller.workspace,
                &NewBucket {
                    id: bucket.clone(),
                    btype: APP_ACTIVITY_TYPE.into(),
                    client: "aima-log-activity".into(),
                    hostname: host.into(),
                    data: serde_json::json!({}),
                },
            )
            .await?;
        let plain: Vec<Event> = events.iter().map(|(_, e)| e.clone()).collect();
        let labels = state
            .modes
            .labels(
                state.store.as_ref(),
                &caller.workspace,
                &bucket,
                &plain,
                crate::modes::Active::Unknown,
            )
            .await;
        let rows: Vec<(Event, Option<aima_core::ModeLabel>)> =
            plain.into_iter().zip(labels).collect();
        let new_ids = state
            .store
            .insert_events(&caller.workspace, &bucket, &rows)
            .await?;
        for (((i, _), id), (_, label)) in events.iter().zip(new_ids).zip(rows) {
            ids[*i] = id;
            modes[*i] = label.map(|l| l.mode);
        }
    }
    metrics::counter!("aima_activity_events_total", "via" => "log_activity")
        .increment(total as u64);
    Ok((
        StatusCode::CREATED,
        axum::Json(Logged {
            inserted: total,
            ids,
            modes,
        }),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ActivityQuery {
    /// Unix milliseconds or RFC 3339: events that end after this.
    #[param(schema_with = crate::openapi::time_param)]
    start: Option<String>,
    /// Unix milliseconds or RFC 3339: events that begin before this.
    #[param(schema_with = crate::openapi::time_param)]
    end: Option<String>,
    bucket: Option<String>,
    /// 1-1000, default 100.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    #[param(schema_with = crate::openapi::event_cursor_param)]
    cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    pub items: Vec<StoredEvent>,
    pub next_cursor: Option<String>,
}

/// An optional time parameter: Unix milliseconds or RFC 3339.
pub(crate) fn opt_time(name: &str, v: &Option<String>) -> ApiResult<Option<i64>> {
    v.as_deref().map(|s| parse_time(name, s)).transpose()
}

/// Activity events with their modes, newest first.
#[utoipa::path(
    get, path = "/api/v1/activity", operation_id = "listActivity", tag = "activity", params(ActivityQuery),
    responses((status = 200, body = EventPage), (status = 400, body = crate::ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ActivityQuery>,
) -> ApiResult<axum::Json<EventPage>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "limit must be 1 to 1000",
        ));
    }
    let before = match &q.cursor {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| ApiError::new(ErrorCode::InvalidParameter, "cursor is not valid"))?,
        ),
        None => None,
    };
    let mut items = state
        .store
        .list_events(
            &caller.workspace,
            &EventQuery {
                bucket: q.bucket.clone(),
                before,
                start: opt_time("start", &q.start)?,
                end: opt_time("end", &q.end)?,
                limit: Some(limit as i64 + 1),
            },
        )
        .await?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|e| hex_cursor(e.timestamp, e.id))
    } else {
        None
    };
    Ok(axum::Json(EventPage { items, next_cursor }))
}

/// Events page by (timestamp, id), in the same opaque cursor as the other
/// listings.
fn hex_cursor(ts: i64, id: i64) -> String {
    aima_core::Cursor {
        created_at: ts,
        id: id.to_string(),
    }
    .encode()
}

fn decode_cursor(s: &str) -> Option<(i64, i64)> {
    let c = aima_core::Cursor::decode(s)?;
    Some((c.created_at, c.id.parse().ok()?))
}

/// Label a time range, or listed events, with a mode.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelRequest {
    pub mode: String,
    /// RFC 3339 or Unix milliseconds; with `end`, labels every activity
    /// event that overlaps the range.
    #[schema(value_type = Option<String>)]
    pub start: Option<Value>,
    #[schema(value_type = Option<String>)]
    pub end: Option<Value>,
    #[serde(default)]
    pub event_ids: Vec<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Labelled {
    pub labelled: i64,
}

fn time_value(name: &str, v: &Value) -> ApiResult<i64> {
    match v {
        Value::String(s) => parse_time(name, s),
        Value::Number(n) => n.as_i64().ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidTimestamp,
                format!("{name} must be Unix milliseconds"),
            )
        }),
        _ => Err(ApiError::new(
            ErrorCode::InvalidTimestamp,
            format!("{name} must be RFC 3339 or Unix milliseconds"),
        )),
    }
}

/// Label activity with a mode: a person's label, used to train the next
/// model version; it replaces any predicted mode.
#[utoipa::path(
    post, path = "/api/v1/activity/labels", operation_id = "labelActivity", tag = "activity", request_body = LabelRequest,
    responses((status = 200, body = Labelled), (status = 400, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody))
)]
pub async fn label(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<LabelRequest>,
) -> ApiResult<axum::Json<Labelled>> {
    let range = match (&req.start, &req.end) {
        (Some(s), Some(e)) => {
            let (s, e) = (time_value("start", s)?, time_value("end", e)?);
            if e <= s {
                return Err(ApiError::new(
                    ErrorCode::InvalidParameter,
                    "end must be after start",
                ));
            }
            Some((s, e))
        }
        (None, None) => None,
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "give both start and end, or neither",
            ))
        }
    };
    if range.is_none() && req.event_ids.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "give a time range (start, end) or event_ids",
        ));
    }
    if req.event_ids.len() > MAX_BATCH {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("at most {MAX_BATCH} event_ids per request"),
        ));
    }
    let labelled = state
        .store
        .label_events(&caller.workspace, &req.mode, range, &req.event_ids)
        .await
        .map_err(|e| match e {
            aima_store::StoreError::NotFound => ApiError::new(
                ErrorCode::ModeNotFound,
                format!("mode {:?} does not exist: create it first", req.mode),
            ),
            aima_store::StoreError::Conflict(m) => ApiError::new(ErrorCode::EventNotFound, m),
            other => other.into(),
        })?;
    Ok(axum::Json(Labelled { labelled }))
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SummaryBy {
    Mode,
    App,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SummaryPeriod {
    Total,
    Hour,
    Weekday,
    Day,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    #[param(schema_with = crate::openapi::time_param)]
    start: Option<String>,
    #[param(schema_with = crate::openapi::time_param)]
    end: Option<String>,
    /// `mode` (default) or `app`.
    by: Option<SummaryBy>,
    /// `total` (default), `hour` (0-23), `weekday` (Monday…), `day` (date).
    period: Option<SummaryPeriod>,
    /// Minutes east of UTC for hours, weekdays and days (default 0).
    #[param(minimum = -840, maximum = 840)]
    utc_offset_minutes: Option<i32>,
    /// `json` (default) or `csv`.
    #[param(pattern = "^(json|csv)?$")]
    format: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SummaryRow {
    /// The mode (or `unlabelled`) or the application.
    pub key: String,
    /// The hour, weekday or day; `total` for the whole range.
    pub period: String,
    pub seconds: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub by: SummaryBy,
    pub period: SummaryPeriod,
    pub total_seconds: f64,
    pub rows: Vec<SummaryRow>,
}

/// Most events a summary reads.
const SUMMARY_EVENTS: i64 = 1_000_000;
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Time per mode or per application, in total or by hour of day, weekday
/// or day; JSON or CSV.
#[utoipa::path(
    get, path = "/api/v1/activity/summary", operation_id = "summarizeActivity", tag = "activity", params(SummaryQuery),
    responses(
        (status = 200, description = "JSON, or CSV with `format=csv`", content((Summary = "application/json"), (String = "text/csv"))),
        (status = 400, body = crate::ErrorBody)
    )
)]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SummaryQuery>,
) -> ApiResult<Response> {
    let by = q.by.unwrap_or(SummaryBy::Mode);
    let period = q.period.unwrap_or(SummaryPeriod::Total);
    let offset = q.utc_offset_minutes.unwrap_or(0);
    if !(-14 * 60..=14 * 60).contains(&offset) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "utc_offset_minutes must be within ±840",
        ));
    }
    let csv = super::wants_csv(q.format.as_deref())?;
    let events = state
        .store
        .activity_events(
            &caller.workspace,
            opt_time("start", &q.start)?,
            opt_time("end", &q.end)?,
            SUMMARY_EVENTS,
        )
        .await?;
    let durations = effective_durations(&events);
    let mut sums: BTreeMap<(String, String), f64> = BTreeMap::new();
    for (e, secs) in events.iter().zip(durations) {
        let key = match by {
            SummaryBy::Mode => e
                .mode
                .as_ref()
                .map(|l| l.mode.clone())
                .unwrap_or_else(|| "unlabelled".into()),
            SummaryBy::App => e
                .data
                .get("app")
                .and_then(|v| v.as_str())
                .unwrap_or("unknown")
                .to_string(),
        };
        let local = e.timestamp.div_euclid(1000) + offset as i64 * 60;
        let period_key = match period {
            SummaryPeriod::Total => "total".to_string(),
            SummaryPeriod::Hour => format!("{:02}", local.rem_euclid(86_400) / 3600),
            SummaryPeriod::Weekday => {
                WEEKDAYS[(local.div_euclid(86_400) + 3).rem_euclid(7) as usize].to_string()
            }
            SummaryPeriod::Day => {
                aima_core::activity::format_rfc3339_ms(local * 1000)[..10].to_string()
            }
        };
        *sums.entry((key, period_key)).or_default() += secs;
    }
    let rows: Vec<SummaryRow> = sums
        .into_iter()
        .map(|((key, period), seconds)| SummaryRow {
            key,
            period,
            seconds: (seconds * 1000.0).round() / 1000.0,
        })
        .collect();
    let total_seconds = rows.iter().map(|r| r.seconds).sum();
    if csv {
        let mut out = String::from("key,period,seconds\n");
        for r in &rows {
            out.push_str(&format!(
                "{},{},{}\n",
                super::csv_field(&r.key),
                r.period,
                r.seconds
            ));
        }
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response());
    }
    Ok(axum::Json(Summary {
        by,
        period,
        total_seconds,
        rows,
    })
    .into_response())
}
