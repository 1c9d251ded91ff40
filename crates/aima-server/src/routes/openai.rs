//! `POST /v1/audio/transcriptions`, compatible with OpenAI's API, so that
//! existing OpenAI clients transcribe with AIMA unchanged (point their base
//! URL at AIMA and use an AIMA API key).

use aima_analyzers::transcribe::{SegmentData, DEFAULT_MODEL};
use aima_core::{ErrorCode, MediaKind, Pipeline, StageSpec};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use futures::StreamExt;

use crate::error::{ApiError, ApiResult};
use crate::routes::media::stage;
use crate::{AppState, Caller};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/audio/transcriptions", post(transcriptions))
}

#[derive(Default)]
struct Form {
    staged: Option<crate::routes::media::Staged>,
    model: Option<String>,
    language: Option<String>,
    response_format: Option<String>,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter, message)
}

async fn transcriptions(
    State(state): State<AppState>,
    _caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = multer::parse_boundary(content_type).map_err(|_| {
        ApiError::new(
            ErrorCode::BadRequest,
            "send multipart/form-data with a `file` field",
        )
    })?;
    let mut multipart = multer::Multipart::new(body.into_data_stream(), boundary);
    let mut form = Form::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::new(ErrorCode::BadRequest, format!("bad multipart request: {e}")))?
    {
        match field.name().unwrap_or_default() {
            "file" => form.staged = Some(stage(&state, field.boxed()).await?),
            name @ ("model" | "language" | "response_format" | "prompt" | "temperature") => {
                let name = name.to_string();
                let value = field
                    .text()
                    .await
                    .map_err(|e| ApiError::new(ErrorCode::BadRequest, e.to_string()))?;
                match name.as_str() {
                    "model" => form.model = Some(value),
                    "language" => form.language = Some(value).filter(|v| !v.is_empty()),
                    "response_format" => form.response_format = Some(value),
                    _ => {} // accepted for compatibility; greedy decoding ignores them
                }
            }
            _ => {
                // Unknown fields are drained and ignored, as OpenAI does.
                let mut f = field;
                while let Some(chunk) = f.next().await {
                    chunk.map_err(|e| ApiError::new(ErrorCode::BadRequest, e.to_string()))?;
                }
            }
        }
    }
    let staged = form
        .staged
        .ok_or_else(|| bad("the `file` field is required"))?;
    let format = form.response_format.unwrap_or_else(|| "json".into());
    if !["json", "text", "srt", "verbose_json", "vtt"].contains(&format.as_str()) {
        return Err(bad(
            "response_format must be json, text, srt, verbose_json or vtt",
        ));
    }
    // OpenAI's model name means "the default Whisper model" here.
    let model = match form.model.as_deref() {
        None | Some("whisper-1") => DEFAULT_MODEL.to_string(),
        Some(m) => m.to_string(),
    };
    let mut options = serde_json::json!({ "model": model });
    if let Some(l) = &form.language {
        options["language"] = serde_json::Value::String(l.clone());
    }
    let pipeline = Pipeline(vec![StageSpec {
        name: "transcribe".into(),
        options,
        requires: None,
    }]);
    state
        .registry
        .check(&pipeline, None)
        .map_err(|r| ApiError::new(r.code, r.message))?;
    let info = super::analyze::probe(&state, &staged.path).await?;
    if info.kind == MediaKind::Image {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMedia,
            "an image has no speech",
        ));
    }
    let insights = super::analyze::run(&state, &staged.path, &pipeline).await?;
    let segments: Vec<(f64, f64, SegmentData)> = insights
        .into_iter()
        .filter(|i| i.kind == "transcript_segment")
        .filter_map(|i| {
            Some((
                i.start,
                i.end.unwrap_or(i.start),
                serde_json::from_value(i.data).ok()?,
            ))
        })
        .collect();
    let text = segments
        .iter()
        .map(|(_, _, d)| d.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let plain: Vec<aima_core::transcript::Segment> = segments
        .iter()
        .map(|(s, e, d)| aima_core::transcript::Segment {
            start: *s,
            end: *e,
            text: d.text.clone(),
            language: Some(d.language.clone()),
            language_probability: d.language_probability,
        })
        .collect();
    use aima_core::transcript::{languages, to_srt, to_vtt};
    Ok(match format.as_str() {
        "text" => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{text}\n"),
        )
            .into_response(),
        "srt" => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            to_srt(&plain),
        )
            .into_response(),
        "vtt" => (
            [(header::CONTENT_TYPE, "text/vtt; charset=utf-8")],
            to_vtt(&plain),
        )
            .into_response(),
        "verbose_json" => {
            // The language spoken longest (a media may change language:
            // each segment says its own).
            let language = languages(&plain)
                .first()
                .map(|l| language_name(&l.language))
                .unwrap_or("english");
            let words: Vec<serde_json::Value> = segments
                .iter()
                .flat_map(|(_, _, d)| d.words.iter())
                .map(|w| serde_json::json!({"word": w.word, "start": w.start, "end": w.end}))
                .collect();
            let segs: Vec<serde_json::Value> = segments
                .iter()
                .enumerate()
                .map(|(i, (s, e, d))| {
                    serde_json::json!({
                        "id": i, "seek": 0, "start": s, "end": e, "text": d.text, "tokens": [],
                        "temperature": 0.0,
                        "avg_logprob": (d.confidence.max(1e-6) as f64).ln(),
                        "compression_ratio": 1.0,
                        "no_speech_prob": d.no_speech_probability,
                        "language": d.language,
                    })
                })
                .collect();
            axum::Json(serde_json::json!({
                "task": "transcribe",
                "language": language,
                "duration": info.duration.unwrap_or(0.0),
                "text": text,
                "segments": segs,
                "words": words,
            }))
            .into_response()
        }
        _ => axum::Json(serde_json::json!({ "text": text })).into_response(),
    })
}

/// OpenAI reports languages by English name in verbose JSON.
fn language_name(code: &str) -> &'static str {
    whisper_lang_name(code).unwrap_or("unknown")
}

fn whisper_lang_name(code: &str) -> Option<&'static str> {
    let id = aima_analyzers::transcribe::lang_id(code)?;
    aima_analyzers::transcribe::lang_name(id)
}
