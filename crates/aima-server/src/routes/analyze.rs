//! Running analyzers on a file a request brought (OpenAI's transcription
//! endpoint, face search), in the request: probe it, run a pipeline, and
//! answer each failure with the error a client can act on.

use std::path::Path;

use aima_core::{ErrorCode, Insight, Pipeline};
use aima_media::ProbeInfo;
use tokio_util::sync::CancellationToken;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// What the file is; a file no tool can read is `unsupported_media`, one
/// above the size limits `media_too_large`.
pub(crate) async fn probe(state: &AppState, file: &Path) -> ApiResult<ProbeInfo> {
    state.tools.probe(file).await.map_err(media_error)
}

/// The answer to a media tool's refusal.
pub(crate) fn media_error(e: aima_media::MediaError) -> ApiError {
    use aima_media::MediaError;
    match e {
        MediaError::ToolMissing { .. } | MediaError::Io(_) => ApiError::internal(e),
        MediaError::TooLarge(m) => ApiError::new(ErrorCode::MediaTooLarge, m),
        other => ApiError::new(ErrorCode::UnsupportedMedia, other.to_string()),
    }
}

/// Runs `pipeline` on `file`; dropping the future (the client went away)
/// cancels the analyzers.
pub(crate) async fn run(
    state: &AppState,
    file: &Path,
    pipeline: &Pipeline,
) -> ApiResult<Vec<Insight>> {
    let cancel = CancellationToken::new();
    let _guard = cancel.clone().drop_guard();
    aima_analyzers::analyze_file(
        file,
        pipeline,
        &state.registry,
        &state.tools,
        &state.models,
        None,
        &cancel,
    )
    .await
    .map_err(|e| match e {
        aima_analyzers::LocalError::Analyzer {
            error: aima_analyzers::AnalyzerError::Abort { code, message },
            ..
        } => ApiError::new(code, message),
        aima_analyzers::LocalError::Media(m) => media_error(m),
        other => ApiError::internal(other),
    })
}
