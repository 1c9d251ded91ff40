//! `POST /api/v1/ask`: a question in English or German, answered from the
//! workspace's own data with citations (`aima_ask`), as JSON or, with
//! `Accept: text/event-stream`, as events while the answer is made.

use std::convert::Infallible;

use aima_ask::{Answer, AskError, Progress, Question};
use aima_core::ErrorCode;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::extract::{parse_time, Json};
use crate::{AppState, Caller};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    /// English or German, 1 to 2000 characters of text (no control
    /// characters).
    #[schema(
        example = "How much time did I spend in meetings last week?",
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFD]*[^\s\x00-\x1F\x7F-\x9F\uFFFD][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFD]*$"
    )]
    pub question: String,
    /// The asker's offset from UTC in minutes (−840 to 840), for "today",
    /// "last week" and hours; default: the server's `llm.utc_offset_minutes`.
    // A JSON number: `60.0` is an integer too.
    #[schema(value_type = Option<i32>, minimum = -840, maximum = 840)]
    pub utc_offset_minutes: Option<f64>,
    /// Answer as of this moment (Unix ms or RFC 3339); default: now.
    #[schema(schema_with = moment_schema)]
    pub now: Option<serde_json::Value>,
}

/// `now`: Unix milliseconds or an RFC 3339 text (or null).
fn moment_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "Answer as of this moment (Unix ms or RFC 3339); default: now.",
        ))
        .build()
        .into()
}

impl From<AskError> for ApiError {
    fn from(e: AskError) -> Self {
        match e {
            AskError::Store(e) => e.into(),
            AskError::Model(_) => ApiError::internal(e),
            AskError::Search(aima_search::SearchError::Store(e)) => e.into(),
            AskError::Search(_) => ApiError::internal(e),
            other => ApiError::new(other.code(), other.to_string()),
        }
    }
}

fn question(req: AskRequest) -> ApiResult<Question> {
    let now_ms = match &req.now {
        // Absent is null in a JSON body; an empty text is not a time
        // (found by schemathesis: it was taken as "now").
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(parse_time("now", s)?),
        // A JSON number: `251757.0` is an integer too (found by
        // schemathesis); a fraction is not.
        Some(serde_json::Value::Number(n)) => Some(
            n.as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidParameter,
                        "now must be Unix milliseconds or RFC 3339",
                    )
                })?,
        ),
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "now must be Unix milliseconds or RFC 3339",
            ))
        }
    };
    let utc_offset_minutes = match req.utc_offset_minutes {
        None => None,
        Some(m) if m.fract() == 0.0 && (-840.0..=840.0).contains(&m) => Some(m as i32),
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "utc_offset_minutes must be a whole number within ±840",
            ))
        }
    };
    Ok(Question {
        text: req.question,
        utc_offset_minutes,
        now_ms,
    })
}

fn wants_events(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"))
}

/// Answers a question from the workspace's activity and media: computed
/// by read-only tools, every number cited. With `Accept:
/// text/event-stream`: `tool` events (each call), `delta` events (the
/// answer's text as it is written), then `done` (the whole answer) or
/// `error` (the JSON error).
#[utoipa::path(
    post, path = "/api/v1/ask", operation_id = "ask", tag = "ask", request_body = AskRequest,
    responses(
        (status = 200, description = "The answer; `text/event-stream` of `tool`, `delta`, `done` and `error` events when asked for", content((Answer = "application/json"), (String = "text/event-stream"))),
        (status = 400, description = "An empty, overlong or binary question (`invalid_question`), a bad `now` or offset", body = crate::ErrorBody),
        (status = 503, description = "The local language model is not installed (`model_missing`)", body = crate::ErrorBody)
    )
)]
pub async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(req): Json<AskRequest>,
) -> ApiResult<Response> {
    let q = question(req)?;
    // A bad question or a missing model is an HTTP error, even when
    // streaming: checked before the stream starts.
    aima_ask::check_question(&q.text)?;
    state.asker.clock(&q)?;
    state.asker.llm().await?;
    if !wants_events(&headers) {
        let a = state.asker.ask(&caller.workspace, &q, |_| {}).await?;
        return Ok(axum::Json(a).into_response());
    }
    Ok(Sse::new(events(state, caller.workspace, q))
        .keep_alive(KeepAlive::default())
        .into_response())
}

fn events(
    state: AppState,
    workspace: String,
    q: Question,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    tokio::spawn(async move {
        let progress = {
            let tx = tx.clone();
            move |p: Progress| {
                let _ = tx.send(match p {
                    Progress::Tool(t) => Event::default()
                        .event("tool")
                        .json_data(&t)
                        .unwrap_or_default(),
                    Progress::Text(t) => Event::default()
                        .event("delta")
                        .json_data(serde_json::json!({"text": t}))
                        .unwrap_or_default(),
                });
            }
        };
        let done = match state.asker.ask(&workspace, &q, progress).await {
            Ok(a) => done_event(&a),
            Err(e) => {
                let e = ApiError::from(e);
                if let Some(d) = &e.detail {
                    tracing::error!(detail = %d, "ask failed");
                }
                let body = crate::ErrorBody {
                    error: aima_core::ErrorInfo::new(e.code, e.message),
                };
                Event::default()
                    .event("error")
                    .json_data(body)
                    .unwrap_or_default()
            }
        };
        let _ = tx.send(done);
    });
    async_stream::stream! {
        while let Some(e) = rx.recv().await {
            yield Ok(e);
        }
    }
}

fn done_event(a: &Answer) -> Event {
    Event::default()
        .event("done")
        .json_data(a)
        .unwrap_or_default()
}
