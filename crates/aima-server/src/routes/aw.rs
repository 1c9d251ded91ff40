//! An ActivityWatch-compatible REST API under `/api/0`, so that
//! ActivityWatch's watchers and its `aw-client` package send to AIMA
//! unchanged: info, buckets, events, heartbeats, export and import.
//!
//! Shapes follow aw-server: timestamps are RFC 3339 strings, durations
//! seconds, bucket listings a map by id. Creating a bucket that exists
//! answers 304 (clients create their buckets at every start); deleting one
//! needs `?force=1`, as on aw-server outside testing mode.

use std::collections::BTreeMap;

use aima_core::activity::{
    format_rfc3339_ms, parse_timestamp, validate_bucket_id, validate_event, MAX_BATCH,
};
use aima_core::{Bucket, ErrorCode, Event, EventQuery, NewBucket, StoredEvent};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::routes::activity::opt_time;
use crate::{AppState, Caller};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/0/info", get(info))
        .route("/api/0/buckets", get(list_buckets))
        .route("/api/0/buckets/", get(list_buckets))
        .route(
            "/api/0/buckets/{bucket}",
            get(get_bucket).post(create_bucket).delete(delete_bucket),
        )
        .route(
            "/api/0/buckets/{bucket}/events",
            get(get_events).post(insert_events),
        )
        .route("/api/0/buckets/{bucket}/events/count", get(count_events))
        .route(
            "/api/0/buckets/{bucket}/events/{event}",
            get(get_event).delete(delete_event),
        )
        .route("/api/0/buckets/{bucket}/heartbeat", post(heartbeat))
        .route("/api/0/buckets/{bucket}/export", get(export_bucket))
        .route("/api/0/export", get(export_all))
        .route("/api/0/import", post(import))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
}

async fn info(State(state): State<AppState>) -> axum::Json<Value> {
    let hostname = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "aima".into());
    axum::Json(serde_json::json!({
        "hostname": hostname,
        "version": format!("aima {}", env!("CARGO_PKG_VERSION")),
        "testing": false,
        "device_id": state.settings.default_workspace,
    }))
}

/// A bucket as aw-server shows it.
#[derive(Debug, Serialize, Deserialize)]
struct AwBucket {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(rename = "type")]
    btype: String,
    client: String,
    hostname: String,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    data: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_updated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    events: Option<Vec<AwEvent>>,
}

impl From<Bucket> for AwBucket {
    fn from(b: Bucket) -> Self {
        AwBucket {
            name: None,
            created: Some(format_rfc3339_ms(b.created)),
            last_updated: b.last_updated.map(format_rfc3339_ms),
            id: b.id,
            btype: b.btype,
            client: b.client,
            hostname: b.hostname,
            data: if b.data.is_null() {
                Value::Object(Map::new())
            } else {
                b.data
            },
            events: None,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct AwEvent {
    #[serde(default)]
    id: Option<i64>,
    timestamp: Value,
    #[serde(default)]
    duration: Option<f64>,
    #[serde(default)]
    data: Map<String, Value>,
}

impl From<StoredEvent> for AwEvent {
    fn from(e: StoredEvent) -> Self {
        AwEvent {
            id: Some(e.id),
            timestamp: Value::String(format_rfc3339_ms(e.timestamp)),
            duration: Some(e.duration),
            data: e.data,
        }
    }
}

impl AwEvent {
    fn into_event(self, now: i64) -> ApiResult<Event> {
        let e = Event {
            id: None,
            timestamp: parse_timestamp(&self.timestamp, now)?,
            duration: self.duration.unwrap_or(0.0),
            data: self.data,
        };
        validate_event(&e, now)?;
        Ok(e)
    }
}

fn bucket_not_found(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::BucketNotFound,
        format!("there is no bucket {id:?}"),
    )
}

fn map_bucket_err(id: &str) -> impl Fn(aima_store::StoreError) -> ApiError + '_ {
    move |e| match e {
        aima_store::StoreError::NotFound => bucket_not_found(id),
        other => other.into(),
    }
}

async fn list_buckets(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<BTreeMap<String, AwBucket>>> {
    let buckets = state.store.list_buckets(&caller.workspace).await?;
    Ok(axum::Json(
        buckets
            .into_iter()
            .map(|b| (b.id.clone(), AwBucket::from(b)))
            .collect(),
    ))
}

async fn get_bucket(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<AwBucket>> {
    let b = find_bucket(&state, &caller.workspace, &id).await?;
    Ok(axum::Json(b.into()))
}

#[derive(Debug, Deserialize)]
struct CreateBucket {
    #[serde(rename = "type")]
    btype: String,
    client: String,
    hostname: String,
    #[serde(default)]
    data: Option<Value>,
}

async fn create_bucket(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<CreateBucket>,
) -> ApiResult<StatusCode> {
    validate_bucket_id(&id)?;
    for (name, v) in [
        ("type", &req.btype),
        ("client", &req.client),
        ("hostname", &req.hostname),
    ] {
        if v.len() > 256 {
            return Err(ApiError::new(
                ErrorCode::FieldTooLong,
                format!("{name} is longer than 256 bytes"),
            ));
        }
    }
    let created = state
        .store
        .create_bucket(
            &caller.workspace,
            &NewBucket {
                id,
                btype: req.btype,
                client: req.client,
                hostname: req.hostname,
                data: req.data.unwrap_or_else(|| Value::Object(Map::new())),
            },
        )
        .await?;
    Ok(if created {
        StatusCode::OK
    } else {
        StatusCode::NOT_MODIFIED
    })
}

#[derive(Debug, Deserialize)]
struct ForceQuery {
    force: Option<String>,
}

async fn delete_bucket(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ForceQuery>,
) -> ApiResult<axum::Json<Value>> {
    if !matches!(q.force.as_deref(), Some("1") | Some("true")) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "deleting a bucket deletes its events: confirm with ?force=1",
        ));
    }
    state
        .store
        .delete_bucket(&caller.workspace, &id)
        .await
        .map_err(map_bucket_err(&id))?;
    Ok(axum::Json(serde_json::json!({})))
}

#[derive(Debug, Deserialize)]
struct EventsQuery {
    start: Option<String>,
    end: Option<String>,
    limit: Option<i64>,
}

impl EventsQuery {
    fn to_query(&self, bucket: &str) -> ApiResult<EventQuery> {
        Ok(EventQuery {
            bucket: Some(bucket.to_string()),
            before: None,
            start: opt_time("start", &self.start)?,
            end: opt_time("end", &self.end)?,
            limit: self.limit.filter(|l| *l >= 0),
        })
    }
}

/// The bucket, or `bucket_not_found` (also for another workspace's).
async fn find_bucket(state: &AppState, workspace: &str, id: &str) -> ApiResult<Bucket> {
    state
        .store
        .get_bucket(workspace, id)
        .await
        .map_err(map_bucket_err(id))
}

async fn ensure_bucket(state: &AppState, workspace: &str, id: &str) -> ApiResult<()> {
    bucket_type(state, workspace, id).await.map(|_| ())
}

/// The bucket's type, or the ActivityWatch 404 (cheaper than `find_bucket`).
async fn bucket_type(state: &AppState, workspace: &str, id: &str) -> ApiResult<String> {
    state
        .store
        .bucket_type(workspace, id)
        .await
        .map_err(map_bucket_err(id))
}

async fn get_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<EventsQuery>,
) -> ApiResult<axum::Json<Vec<AwEvent>>> {
    ensure_bucket(&state, &caller.workspace, &id).await?;
    let events = state
        .store
        .list_events(&caller.workspace, &q.to_query(&id)?)
        .await?;
    Ok(axum::Json(events.into_iter().map(AwEvent::from).collect()))
}

async fn count_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<EventsQuery>,
) -> ApiResult<axum::Json<i64>> {
    ensure_bucket(&state, &caller.workspace, &id).await?;
    let n = state
        .store
        .count_events(&caller.workspace, &q.to_query(&id)?)
        .await?;
    Ok(axum::Json(n))
}

/// One event or a list, as aw-server accepts.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<AwEvent>),
    One(AwEvent),
}

async fn insert_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<OneOrMany>,
) -> ApiResult<axum::Json<Vec<AwEvent>>> {
    let events = match body {
        OneOrMany::Many(v) => v,
        OneOrMany::One(e) => vec![e],
    };
    if events.len() > MAX_BATCH {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("{} events; at most {MAX_BATCH} per request", events.len()),
        ));
    }
    let now = aima_store::now_ms();
    let events = events
        .into_iter()
        .map(|e| e.into_event(now))
        .collect::<ApiResult<Vec<_>>>()?;
    let stored = store_events(&state, &caller.workspace, &id, events).await?;
    metrics::counter!("aima_activity_events_total", "via" => "aw_events")
        .increment(stored.len() as u64);
    Ok(axum::Json(stored.into_iter().map(AwEvent::from).collect()))
}

/// Inserts events with their predicted modes (when the bucket is an
/// activity bucket and a model is active).
async fn store_events(
    state: &AppState,
    workspace: &str,
    bucket: &str,
    events: Vec<Event>,
) -> ApiResult<Vec<StoredEvent>> {
    let btype = bucket_type(state, workspace, bucket).await?;
    let labels = if aima_core::activity::ACTIVITY_BUCKET_TYPES.contains(&btype.as_str()) {
        state
            .modes
            .labels(
                state.store.as_ref(),
                workspace,
                bucket,
                &events,
                crate::modes::Active::Unknown,
            )
            .await
    } else {
        vec![None; events.len()]
    };
    let rows: Vec<_> = events.into_iter().zip(labels).collect();
    let ids = state
        .store
        .insert_events(workspace, bucket, &rows)
        .await
        .map_err(map_bucket_err(bucket))?;
    Ok(rows
        .into_iter()
        .zip(ids)
        .map(|((e, mode), id)| StoredEvent {
            id,
            bucket: bucket.to_string(),
            timestamp: e.timestamp,
            duration: e.duration,
            data: e.data,
            mode,
        })
        .collect())
}

fn parse_event_id(s: &str) -> ApiResult<i64> {
    s.parse().map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("event id {s:?} is not an integer"),
        )
    })
}

async fn get_event(
    State(state): State<AppState>,
    caller: Caller,
    Path((bucket, event)): Path<(String, String)>,
) -> ApiResult<axum::Json<AwEvent>> {
    let id = parse_event_id(&event)?;
    ensure_bucket(&state, &caller.workspace, &bucket).await?;
    let e = state
        .store
        .get_event(&caller.workspace, &bucket, id)
        .await
        .map_err(|e| match e {
            aima_store::StoreError::NotFound => {
                ApiError::new(ErrorCode::EventNotFound, format!("there is no event {id}"))
            }
            other => other.into(),
        })?;
    Ok(axum::Json(e.into()))
}

async fn delete_event(
    State(state): State<AppState>,
    caller: Caller,
    Path((bucket, event)): Path<(String, String)>,
) -> ApiResult<axum::Json<Value>> {
    let id = parse_event_id(&event)?;
    ensure_bucket(&state, &caller.workspace, &bucket).await?;
    state
        .store
        .delete_event(&caller.workspace, &bucket, id)
        .await
        .map_err(|e| match e {
            aima_store::StoreError::NotFound => {
                ApiError::new(ErrorCode::EventNotFound, format!("there is no event {id}"))
            }
            other => other.into(),
        })?;
    Ok(axum::Json(serde_json::json!({})))
}

#[derive(Debug, Deserialize)]
struct HeartbeatQuery {
    pulsetime: Option<String>,
}

async fn heartbeat(
    State(state): State<AppState>,
    caller: Caller,
    Path(bucket): Path<String>,
    Query(q): Query<HeartbeatQuery>,
    Json(body): Json<AwEvent>,
) -> ApiResult<axum::Json<AwEvent>> {
    let pulsetime: f64 = match q.pulsetime.as_deref() {
        None => 0.0,
        Some(s) => s
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && (0.0..=86_400.0).contains(p))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidParameter,
                    "pulsetime must be a number of seconds, 0 to 86400",
                )
            })?,
    };
    let now = aima_store::now_ms();
    let event = body.into_event(now)?;
    let aima_store::HeartbeatOutcome {
        event: mut stored,
        merged,
        bucket_type,
        mode_version,
    } = state
        .store
        .heartbeat_event(&caller.workspace, &bucket, &event, pulsetime)
        .await
        .map_err(map_bucket_err(&bucket))?;
    // A merged heartbeat keeps its event's mode; a new event is labelled
    // with the active model, if any (most heartbeats merge: no prediction),
    // whose version the heartbeat's transaction read.
    if !merged && aima_core::activity::ACTIVITY_BUCKET_TYPES.contains(&bucket_type.as_str()) {
        let label = state
            .modes
            .labels(
                state.store.as_ref(),
                &caller.workspace,
                &bucket,
                std::slice::from_ref(&event),
                crate::modes::Active::Known(mode_version),
            )
            .await
            .pop()
            .flatten();
        if let Some(label) = label {
            state
                .store
                .set_predictions(&caller.workspace, &[(stored.id, label.clone())])
                .await?;
            stored.mode = Some(label);
        }
    }
    metrics::counter!("aima_activity_heartbeats_total").increment(1);
    Ok(axum::Json(stored.into()))
}

async fn export_one(state: &AppState, workspace: &str, b: Bucket) -> ApiResult<AwBucket> {
    let events = state
        .store
        .list_events(
            workspace,
            &EventQuery {
                bucket: Some(b.id.clone()),
                ..Default::default()
            },
        )
        .await?;
    let mut out = AwBucket::from(b);
    out.events = Some(events.into_iter().map(AwEvent::from).collect());
    Ok(out)
}

#[derive(Debug, Serialize, Deserialize)]
struct Export {
    buckets: BTreeMap<String, AwBucket>,
}

async fn export_bucket(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Export>> {
    let b = find_bucket(&state, &caller.workspace, &id).await?;
    let one = export_one(&state, &caller.workspace, b).await?;
    Ok(axum::Json(Export {
        buckets: BTreeMap::from([(id, one)]),
    }))
}

async fn export_all(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Export>> {
    let mut buckets = BTreeMap::new();
    for b in state.store.list_buckets(&caller.workspace).await? {
        let id = b.id.clone();
        buckets.insert(id, export_one(&state, &caller.workspace, b).await?);
    }
    Ok(axum::Json(Export { buckets }))
}

/// Imports buckets with their events. Every bucket and event is checked
/// first; a bucket that exists is refused (as aw-server does) before
/// anything is written.
async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<Export>,
) -> ApiResult<Response> {
    let now = aima_store::now_ms();
    let mut plan = Vec::new();
    for (key, b) in body.buckets {
        let id = if b.id.is_empty() { key } else { b.id.clone() };
        validate_bucket_id(&id)?;
        let events = b
            .events
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.into_event(now))
            .collect::<ApiResult<Vec<_>>>()?;
        match state.store.get_bucket(&caller.workspace, &id).await {
            Ok(_) => {
                return Err(ApiError::new(
                    ErrorCode::BucketExists,
                    format!("bucket {id:?} exists: delete it first or import under another id"),
                ))
            }
            Err(aima_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        let new = NewBucket {
            id,
            btype: b.btype,
            client: b.client,
            hostname: b.hostname,
            data: b.data,
        };
        plan.push((new, events));
    }
    for (new, events) in plan {
        state.store.create_bucket(&caller.workspace, &new).await?;
        let rows: Vec<_> = events.into_iter().map(|e| (e, None)).collect();
        for chunk in rows.chunks(MAX_BATCH) {
            state
                .store
                .insert_events(&caller.workspace, &new.id, chunk)
                .await?;
        }
    }
    Ok(StatusCode::OK.into_response())
}
