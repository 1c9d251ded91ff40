//! OpenAI's chat API, so that existing chat clients talk to AIMA as a
//! model: `GET /v1/models` and `POST /v1/chat/completions` (streaming and
//! not). Without `tools` the tools run inside AIMA on the caller's
//! workspace and the final message carries `citations`; with `tools` AIMA
//! is a function-calling model that calls them (see `aima_ask::serve`).
//! These routes follow OpenAI's document, not AIMA's (errors keep AIMA's
//! JSON shape).

use std::convert::Infallible;

use aima_ask::serve::{ChatMessage, Completion};
use aima_core::ErrorCode;
use axum::extract::State;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::{AppState, Caller};

/// The model name AIMA answers as.
pub const MODEL: &str = "aima";
/// Most messages a chat may carry.
const MAX_MESSAGES: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/models", get(models))
        .route("/v1/chat/completions", post(completions))
}

async fn models(_caller: Caller) -> axum::Json<Value> {
    axum::Json(
        json!({"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "aima"}]}),
    )
}

#[derive(Debug, Deserialize)]
struct ChatRequest {
    model: String,
    messages: Vec<ChatMessage>,
    #[serde(default)]
    stream: bool,
    #[serde(default)]
    tools: Option<Vec<Value>>,
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

async fn completions(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<ChatRequest>,
) -> ApiResult<Response> {
    if req.model != MODEL && req.model != state.asker.local_model() {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("there is no model {:?}: use {MODEL:?}", req.model),
        ));
    }
    if req.messages.is_empty() || req.messages.len() > MAX_MESSAGES {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("messages: 1 to {MAX_MESSAGES}"),
        ));
    }
    let tools: Option<Vec<String>> = req.tools.as_ref().map(|ts| {
        ts.iter()
            .filter_map(|t| {
                t.pointer("/function/name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect()
    });
    let completion = state
        .asker
        .complete(&caller.workspace, &req.messages, tools.as_deref(), |_| {})
        .await?;
    let id = format!("chatcmpl-{}", uuid::Uuid::new_v4().simple());
    let created = now_s();
    let model = req.model.clone();
    let (message, finish) = match &completion {
        Completion::ToolCalls(calls) => (
            json!({"role": "assistant", "content": Value::Null, "tool_calls": tool_calls(calls)}),
            "tool_calls",
        ),
        Completion::Message {
            text,
            citations,
            refused,
        } => (
            json!({"role": "assistant", "content": text, "citations": citations, "refused": refused}),
            "stop",
        ),
    };
    if !req.stream {
        return Ok(axum::Json(json!({
            "id": id, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }))
        .into_response());
    }
    // The answer is written at once; it streams in OpenAI's chunks, a few
    // words each, the citations on the last.
    let chunk = |delta: Value, finish: Value, extra: Option<(&str, Value)>| {
        let mut c = json!({"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
        if let Some((k, v)) = extra {
            c[k] = v;
        }
        Event::default().data(c.to_string())
    };
    let mut events = vec![chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
        None,
    )];
    match completion {
        Completion::ToolCalls(calls) => {
            let mut tc = tool_calls(&calls);
            for (i, c) in tc.iter_mut().enumerate() {
                c["index"] = json!(i);
            }
            events.push(chunk(json!({"tool_calls": tc}), Value::Null, None));
            events.push(chunk(json!({}), json!("tool_calls"), None));
        }
        Completion::Message {
            text, citations, ..
        } => {
            let words: Vec<&str> = text.split_inclusive(' ').collect();
            for piece in words.chunks(4) {
                events.push(chunk(json!({"content": piece.concat()}), Value::Null, None));
            }
            events.push(chunk(
                json!({}),
                json!("stop"),
                Some(("citations", json!(citations))),
            ));
        }
    }
    events.push(Event::default().data("[DONE]"));
    let stream = futures::stream::iter(events.into_iter().map(Ok::<_, Infallible>));
    Ok(Sse::new(stream).into_response())
}

fn tool_calls(calls: &[(String, String)]) -> Vec<Value> {
    calls
        .iter()
        .map(|(name, args)| {
            json!({"id": format!("call_{}", uuid::Uuid::new_v4().simple()), "type": "function",
                   "function": {"name": name, "arguments": args}})
        })
        .collect()
}
