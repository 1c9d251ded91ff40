//! `/api/v1/media`: upload, list, get, download, delete; insights and artifacts.

use aima_blobs::{artifacts_prefix, media_key};
use aima_core::{
    validate_filename, ErrorCode, InsightFilter, Media, MediaFilter, MediaKind, NewMedia,
    PageRequest, Pipeline, SortOrder, StoredInsight,
};
use aima_store::NewJob;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::error::{ApiError, ApiResult, OrNotFound};
use crate::extract::{parse_time, Path, Query};
use crate::{AppState, Caller};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// Analyzers to run, comma-separated (e.g. `probe,keyframes`). Absent or
    /// empty: the server's default pipeline (`pipeline.default` in its
    /// configuration), less the analyzers that do not run on this kind of
    /// media. `none`: no analysis.
    #[param(schema_with = crate::openapi::pipeline_param)]
    pipeline: Option<String>,
    /// File name to record for a raw-body upload (multipart uploads carry
    /// their own): up to 255 characters, no control characters or path
    /// separators, not `.` or `..`.
    #[param(
        max_length = 255,
        pattern = "^([^\\x00-\\x1f\\x7f-\\x9f/\\\\]*[^.\\x00-\\x1f\\x7f-\\x9f/\\\\][^\\x00-\\x1f\\x7f-\\x9f/\\\\]*|\\.\\.\\.+)?$"
    )]
    filename: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadResponse {
    /// The media id.
    pub id: String,
    /// The job queued for the pipeline (the one given, or the default), if any.
    pub job_id: Option<String>,
    /// False when the same bytes were already in this workspace: the existing media is returned.
    pub created: bool,
    pub media: Media,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MediaPage {
    pub items: Vec<Media>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InsightList {
    pub items: Vec<StoredInsight>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// 1 to 500, default 50.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    #[param(schema_with = crate::openapi::cursor_param)]
    cursor: Option<String>,
    /// By creation time: `desc` (newest first, default) or `asc`.
    order: Option<SortOrder>,
    kind: Option<MediaKind>,
    /// Created at or after (Unix ms or RFC 3339).
    #[param(schema_with = crate::openapi::time_param)]
    created_after: Option<String>,
    /// Created before (Unix ms or RFC 3339).
    #[param(schema_with = crate::openapi::time_param)]
    created_before: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InsightQuery {
    analyzer: Option<String>,
    kind: Option<String>,
    /// Seconds: keep insights that end at or after this time.
    from: Option<f64>,
    /// Seconds: keep insights that start at or before this time.
    to: Option<f64>,
    /// Also list insights a person rejected (default: false).
    include_rejected: Option<bool>,
    /// `json` (default) or `csv`: one row per insight with its time, the
    /// common fields (label or text, score, box) and the whole data as JSON.
    #[param(pattern = "^(json|csv)?$")]
    format: Option<String>,
}

/// A file being received: hashed and counted as it streams to a staging
/// file, which is removed if the upload does not complete.
pub(crate) struct Staged {
    pub(crate) path: tempfile::TempPath,
    sha256: String,
    size: u64,
}

pub(crate) async fn stage<S, E>(state: &AppState, stream: S) -> ApiResult<Staged>
where
    S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    stage_at_most(state, stream, state.settings.max_upload_bytes).await
}

/// [`stage`] with a limit of its own (`payload_too_large` past it).
pub(crate) async fn stage_at_most<S, E>(
    state: &AppState,
    mut stream: S,
    limit: u64,
) -> ApiResult<Staged>
where
    S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let path = tempfile::Builder::new()
        .prefix("upload-")
        .tempfile_in(state.blobs.staging_dir())
        .map_err(ApiError::internal)?
        .into_temp_path();
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .await
        .map_err(ApiError::internal)?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ErrorCode::BadRequest,
                format!("the upload was interrupted: {e}"),
            )
        })?;
        size += chunk.len() as u64;
        if size > limit {
            // Dropping `path` removes what was written so far.
            return Err(too_large(limit));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    file.sync_all().await.map_err(ApiError::internal)?;
    if size == 0 {
        return Err(ApiError::new(ErrorCode::EmptyUpload, "the upload is empty"));
    }
    Ok(Staged {
        path,
        sha256: hex::encode(hasher.finalize()),
        size,
    })
}

/// A pipeline that was given (`Some(None)`: `none`), or absent (`None`).
type AskedPipeline = Option<Option<Pipeline>>;

/// The checks of an upload that need no byte of its body: the pipeline, the
/// file name, and the declared size.
fn check_before_body(
    state: &AppState,
    q: UploadQuery,
    headers: &HeaderMap,
) -> ApiResult<(AskedPipeline, Option<String>)> {
    let pipeline = match q.pipeline.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("none") => Some(None),
        Some(p) => {
            let p = Pipeline::parse_list(p)
                .map_err(|e| ApiError::new(ErrorCode::InvalidPipeline, e.to_string()))?;
            state.registry.check(&p, None).map_err(rejection)?;
            Some(Some(p))
        }
    };
    let filename = check_filename(q.filename)?;
    let limit = state.settings.max_upload_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Multipart framing adds a little; the exact limit is enforced on the file's bytes.
    if declared.is_some_and(|len| len > limit.saturating_add(64 * 1024)) {
        return Err(too_large(limit));
    }
    Ok((pipeline, filename))
}

/// Reads and drops, in the background, what a client is still sending
/// after its upload was refused before its body was read, as nginx's
/// lingering close does: a server that closes with the body unsent makes a
/// reverse proxy in front answer 502 (or reset the stream) instead of
/// passing the refusal on. Bounded: at most 30 s and `limit` plus 1 MiB,
/// then the connection is closed.
fn linger(body: Body, limit: u64) {
    const MAX_SECONDS: u64 = 30;
    tokio::spawn(async move {
        let mut stream = body.into_data_stream();
        let mut left = limit.saturating_add(1024 * 1024);
        let drain = async {
            while let Some(Ok(chunk)) = stream.next().await {
                left = left.saturating_sub(chunk.len() as u64);
                if left == 0 {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(MAX_SECONDS), drain).await;
    });
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("the upload is larger than the limit of {limit} bytes"),
    )
}

pub(crate) fn check_filename(name: Option<String>) -> ApiResult<Option<String>> {
    match name {
        Some(n) => validate_filename(&n)
            .map(|_| Some(n))
            .map_err(|m| ApiError::new(ErrorCode::InvalidFilename, m)),
        None => Ok(None),
    }
}

fn rejection(r: aima_analyzers::PipelineRejection) -> ApiError {
    ApiError::new(r.code, r.message)
}

/// A file's bytes, as the document names them (a binary string, so that
/// generated clients send a file, not a list of numbers).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileBytes(Vec<u8>);

/// Upload media: multipart (`file` field) or the raw body.
///
/// Streamed to disk, hashed (SHA-256), probed with ffprobe. The same bytes
/// uploaded again to the same workspace give the same media back (200).
#[utoipa::path(
    post, path = "/api/v1/media", operation_id = "uploadMedia", tag = "media",
    params(UploadQuery),
    request_body(content = FileBytes, description = "The file, as the raw body (or as the `file` field of multipart/form-data)", content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Created", body = UploadResponse),
        (status = 200, description = "These bytes were already uploaded", body = UploadResponse),
        (status = 400, body = crate::ErrorBody), (status = 401, body = crate::ErrorBody),
        (status = 413, description = "Larger than `server.max_upload_bytes` (`payload_too_large`), or an image or video larger than `media.max_pixels` / `media.max_side` (`media_too_large`)", body = crate::ErrorBody),
        (status = 415, description = "Not an audio, video or image format AIMA analyses (`unsupported_media`); the message lists those it accepts", body = crate::ErrorBody),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    // Everything that can be checked before reading the body is checked
    // first; a refusal then lets the client finish sending (see `linger`).
    let (pipeline, mut filename) = match check_before_body(&state, q, &headers) {
        Ok(checked) => checked,
        Err(e) => {
            linger(body, state.settings.max_upload_bytes);
            return Err(e);
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");

    let staged = if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type).map_err(|e| {
            ApiError::new(ErrorCode::BadRequest, format!("bad multipart request: {e}"))
        })?;
        let mut multipart = multer::Multipart::new(body.into_data_stream(), boundary);
        let mut staged = None;
        while let Some(field) = multipart.next_field().await.map_err(|e| {
            ApiError::new(ErrorCode::BadRequest, format!("bad multipart request: {e}"))
        })? {
            if field.name() == Some("file") || field.file_name().is_some() {
                if let Some(name) = field.file_name() {
                    filename = check_filename(Some(name.to_string()))?;
                }
                staged = Some(stage(&state, field.boxed()).await?);
                break;
            }
        }
        staged.ok_or_else(|| {
            ApiError::new(
                ErrorCode::BadRequest,
                "the multipart request has no `file` field",
            )
        })?
    } else {
        stage(&state, body.into_data_stream()).await?
    };

    let info = super::analyze::probe(&state, &staged.path).await?;
    // Given: checked against the kind. Absent: the default for the kind.
    let pipeline = match pipeline {
        Some(Some(p)) => {
            state
                .registry
                .check(&p, Some(info.kind))
                .map_err(rejection)?;
            Some(p)
        }
        Some(None) => None,
        None => state
            .registry
            .default_pipeline(&state.settings.default_pipeline, info.kind),
    };
    let probe = serde_json::to_value(&info).map_err(ApiError::internal)?;
    // The row goes in before the bytes, under the content hash's lock in
    // the database: a delete of another media with the same bytes (on this
    // server or another) then either sees this row and keeps the bytes, or
    // removes them before this row exists, and this upload puts them back.
    // From the row to the bytes and the job, on a task of its own: a client
    // hanging up cannot leave a row whose bytes were never put.
    let new = NewMedia {
        workspace: caller.workspace.clone(),
        sha256: staged.sha256.clone(),
        kind: info.kind,
        filename,
        size: staged.size as i64,
        duration: info.duration,
        width: info.width,
        height: info.height,
        probe,
    };
    let task = state.clone();
    let (media, created, job_id) = tokio::spawn(async move {
        let state = task;
        let (media, created) = state.store.insert_or_get_media(new).await?;
        if let Err(e) = state
            .blobs
            .put_file(&media_key(&staged.sha256), &staged.path)
            .await
        {
            // The row (not stored yet) goes at once, and the bytes the
            // failed put may have left; the janitor would, hours later.
            if created
                && state
                    .store
                    .forget_unstored_media(Some(&media.id), i64::MAX, 1)
                    .await
                    .is_ok_and(|n| n == 1)
            {
                let drop = crate::janitor::dropper(state.blobs.clone());
                let _ = state.store.collect_garbage(Some(&media.id), 1, &drop).await;
            }
            return Err(e.into());
        }
        state
            .store
            .mark_media_stored(&caller.workspace, &media.id)
            .await?;
        let job_id = match pipeline {
            Some(p) => Some(queue_job(&state, &caller, &media.id, p).await?.id),
            None => None,
        };
        Ok::<_, ApiError>((media, created, job_id))
    })
    .await
    .map_err(ApiError::internal)??;
    metrics::counter!("aima_media_uploaded_total", "created" => created.to_string()).increment(1);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        axum::Json(UploadResponse {
            id: media.id.clone(),
            job_id,
            created,
            media,
        }),
    )
        .into_response())
}

pub(crate) async fn queue_job(
    state: &AppState,
    caller: &Caller,
    media_id: &str,
    pipeline: Pipeline,
) -> ApiResult<aima_core::Job> {
    let job = state
        .store
        .create_job(NewJob {
            workspace: caller.workspace.clone(),
            media_id: Some(media_id.to_string()),
            pipeline: pipeline.0,
            max_attempts: state.settings.max_attempts,
        })
        .await
        .or_not_found(ErrorCode::MediaNotFound, "media")?;
    if let Some(wake) = &state.wake {
        wake.notify_one();
    }
    Ok(job)
}

/// List media, newest first, with filters and cursor pagination.
#[utoipa::path(
    get, path = "/api/v1/media", operation_id = "listMedia", tag = "media", params(ListQuery),
    responses((status = 200, body = MediaPage), (status = 400, body = crate::ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<MediaPage>> {
    let page = PageRequest::new(q.limit, q.cursor.as_deref(), q.order.unwrap_or_default())
        .map_err(|m| ApiError::new(ErrorCode::InvalidParameter, m))?;
    let filter = MediaFilter {
        kind: q.kind,
        created_after: q
            .created_after
            .as_deref()
            .map(|v| parse_time("created_after", v))
            .transpose()?,
        created_before: q
            .created_before
            .as_deref()
            .map(|v| parse_time("created_before", v))
            .transpose()?,
    };
    let page = state
        .store
        .list_media(&caller.workspace, &filter, &page)
        .await?;
    Ok(axum::Json(MediaPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// One media, with the languages of its transcript.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MediaDetail {
    #[serde(flatten)]
    pub media: Media,
    /// The languages heard in it (its transcript's), the most spoken
    /// first; empty until it is transcribed, or when nothing was said.
    pub languages: Vec<aima_core::transcript::LanguageShare>,
}

/// One media.
#[utoipa::path(
    get, path = "/api/v1/media/{id}", operation_id = "getMedia", tag = "media",
    responses((status = 200, body = MediaDetail), (status = 404, body = crate::ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<MediaDetail>> {
    let media = state
        .store
        .get_media(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::MediaNotFound, "media")?;
    let segments = transcript_segments(&state, &caller.workspace, &id).await?;
    Ok(axum::Json(MediaDetail {
        media,
        languages: aima_core::transcript::languages(&segments),
    }))
}

/// A media's transcript segments, in time order.
async fn transcript_segments(
    state: &AppState,
    workspace: &str,
    id: &str,
) -> ApiResult<Vec<aima_core::transcript::Segment>> {
    let filter = InsightFilter {
        analyzer: Some("transcribe".into()),
        kind: Some("transcript_segment".into()),
        ..Default::default()
    };
    let items = state.store.list_insights(workspace, id, &filter).await?;
    Ok(aima_core::transcript::segments_from_insights(
        items.iter().map(|i| &i.insight),
    ))
}

/// Delete a media with its jobs, insights, artifacts and (unless another
/// media shares them) its bytes.
#[utoipa::path(
    delete, path = "/api/v1/media/{id}", operation_id = "deleteMedia", tag = "media",
    responses((status = 204, description = "Deleted"), (status = 404, body = crate::ErrorBody))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    // On a task of its own: a client hanging up cannot stop it between the
    // commit and the blobs (the request only awaits it).
    tokio::spawn(async move {
        state
            .store
            .delete_media(&caller.workspace, &id)
            .await
            .or_not_found(ErrorCode::MediaNotFound, "media")?;
        // The deletion has committed; its blobs go now, or, if this fails,
        // by the janitor's next round.
        let drop = crate::janitor::dropper(state.blobs.clone());
        if let Err(e) = state.store.collect_garbage(Some(&id), 1, &drop).await {
            tracing::warn!(error = %e, "blobs of a deleted media left for the janitor");
        }
        Ok(StatusCode::NO_CONTENT)
    })
    .await
    .map_err(ApiError::internal)?
}

/// The media's bytes, with its MIME type (from the container ffprobe
/// found) so a browser can play it. `Range: bytes=...` gives a part (206):
/// players seek without reading the whole file. `?download=true` asks the
/// browser to save it (`Content-Disposition: attachment`).
#[utoipa::path(
    get, path = "/api/v1/media/{id}/content", operation_id = "getMediaContent", tag = "media", params(ContentQuery),
    responses(
        (status = 200, description = "The bytes, as the media's own type (`video/mp4`, `audio/wav`, `image/png`...; `application/octet-stream` when unknown)"),
        (status = 206, description = "The bytes of the range asked for"),
        (status = 404, body = crate::ErrorBody),
        (status = 416, description = "The range is outside the media (`range_not_satisfiable`)", body = crate::ErrorBody)
    )
)]
pub async fn content(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<ContentQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let media = state
        .store
        .get_media(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::MediaNotFound, "media")?;
    let key = media_key(&media.sha256);
    let size = media.size.max(0) as u64;
    let name = media.filename.clone().unwrap_or_else(|| media.id.clone());
    // Names were validated on upload; quotes and backslashes are still escaped.
    let disposition = format!(
        "{}; filename=\"{}\"",
        if q.download.unwrap_or(false) {
            "attachment"
        } else {
            "inline"
        },
        name.replace('\\', "\\\\").replace('"', "\\\"")
    );
    let mut out = HeaderMap::new();
    let text = |v: &str| header::HeaderValue::from_str(v).map_err(ApiError::internal);
    out.insert(header::CONTENT_TYPE, text(mime_of(&media))?);
    out.insert(header::CONTENT_DISPOSITION, text(&disposition)?);
    out.insert(header::ACCEPT_RANGES, text("bytes")?);
    out.insert(header::CACHE_CONTROL, text("private, max-age=3600")?);
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(r) => byte_range(r, size)?,
        None => None,
    };
    let Some(range) = range else {
        out.insert(header::CONTENT_LENGTH, text(&size.to_string())?);
        let stream = state.blobs.stream(&key).await?;
        return Ok((out, Body::from_stream(stream)).into_response());
    };
    out.insert(
        header::CONTENT_LENGTH,
        text(&(range.end - range.start).to_string())?,
    );
    out.insert(
        header::CONTENT_RANGE,
        text(&format!("bytes {}-{}/{size}", range.start, range.end - 1))?,
    );
    let stream = state.blobs.stream_range(&key, range).await?;
    Ok((StatusCode::PARTIAL_CONTENT, out, Body::from_stream(stream)).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContentQuery {
    /// `true`: `Content-Disposition: attachment` (save); default inline (play).
    download: Option<bool>,
}

/// One range of `Range: bytes=a-b`, `a-` or `-n` within `size` bytes, as
/// `start..end`. Several ranges are answered with the whole file (None),
/// as RFC 9110 allows; a range outside the file is 416.
fn byte_range(header: &str, size: u64) -> ApiResult<Option<std::ops::Range<u64>>> {
    let unsatisfiable = || {
        ApiError::new(
            ErrorCode::RangeNotSatisfiable,
            format!("range {header:?} is outside the media's {size} bytes"),
        )
    };
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (a, b) = (a.trim(), b.trim());
    let range = match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        (Some(start), Some(last)) if start <= last => start..(last + 1).min(size),
        (Some(start), None) if b.is_empty() => start..size,
        (None, Some(n)) if a.is_empty() => size.saturating_sub(n)..size,
        _ => return Ok(None),
    };
    if range.start >= size || range.is_empty() {
        return Err(unsatisfiable());
    }
    Ok(Some(range))
}

/// The MIME type a browser plays the media as, from ffprobe's container.
fn mime_of(media: &Media) -> &'static str {
    let container = media.probe["container"].as_str().unwrap_or_default();
    let has = |name: &str| container.split(',').any(|c| c == name);
    match media.kind {
        MediaKind::Video if has("mp4") || has("mov") => "video/mp4",
        MediaKind::Video if has("webm") || has("matroska") => "video/webm",
        MediaKind::Video if has("ogg") => "video/ogg",
        MediaKind::Video if has("avi") => "video/x-msvideo",
        MediaKind::Audio if has("wav") => "audio/wav",
        MediaKind::Audio if has("mp3") => "audio/mpeg",
        MediaKind::Audio if has("ogg") => "audio/ogg",
        MediaKind::Audio if has("flac") => "audio/flac",
        MediaKind::Audio if has("mp4") || has("m4a") => "audio/mp4",
        MediaKind::Audio if has("webm") || has("matroska") => "audio/webm",
        MediaKind::Image if has("png_pipe") => "image/png",
        MediaKind::Image if has("jpeg_pipe") || has("mjpeg") => "image/jpeg",
        MediaKind::Image if has("webp_pipe") => "image/webp",
        MediaKind::Image if has("gif") => "image/gif",
        MediaKind::Image if has("bmp_pipe") => "image/bmp",
        _ => "application/octet-stream",
    }
}

/// A small picture of the media for lists: the image itself, or the first
/// keyframe of a video (once the keyframes analyzer ran).
#[utoipa::path(
    get, path = "/api/v1/media/{id}/thumbnail", operation_id = "getMediaThumbnail", tag = "media",
    responses(
        (status = 200, description = "A JPEG (`image/jpeg`), or the image itself"),
        (status = 404, description = "No such media (`media_not_found`) or no keyframe yet (`artifact_not_found`)", body = crate::ErrorBody)
    )
)]
pub async fn thumbnail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let media = state
        .store
        .get_media(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::MediaNotFound, "media")?;
    let (key, mime) = if media.kind == MediaKind::Image {
        (media_key(&media.sha256), mime_of(&media))
    } else {
        let filter = InsightFilter {
            kind: Some("keyframe".into()),
            ..Default::default()
        };
        let frames = state
            .store
            .list_insights(&caller.workspace, &id, &filter)
            .await?;
        let artifact = frames
            .iter()
            .find_map(|i| i.insight.artifact.clone())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::ArtifactNotFound,
                    "no keyframe yet: analyse the media with `keyframes`",
                )
            })?;
        (
            format!("{}/{artifact}", artifacts_prefix(&id)),
            "image/jpeg",
        )
    };
    let stream = state.blobs.stream(&key).await?;
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The faces found in a media, each with the person it belongs to.
#[utoipa::path(
    get, path = "/api/v1/media/{id}/faces", operation_id = "listMediaFaces", tag = "persons",
    responses((status = 200, body = crate::routes::persons::FaceList), (status = 404, body = crate::ErrorBody))
)]
pub async fn faces(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<crate::routes::persons::FaceList>> {
    state
        .store
        .get_media(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::MediaNotFound, "media")?;
    let items = state.store.media_faces(&caller.workspace, &id).await?;
    Ok(axum::Json(crate::routes::persons::FaceList {
        items,
        next_after: None,
    }))
}

/// Every insight of a media, ordered by time, with filters.
#[utoipa::path(
    get, path = "/api/v1/media/{id}/insights", operation_id = "listInsights", tag = "media", params(InsightQuery),
    responses(
        (status = 200, description = "JSON, or CSV with `format=csv`", content((InsightList = "application/json"), (String = "text/csv"))),
        (status = 404, body = crate::ErrorBody)
    )
)]
pub async fn insights(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<InsightQuery>,
) -> ApiResult<Response> {
    let csv = super::wants_csv(q.format.as_deref())?;
    state
        .store
        .get_media(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::MediaNotFound, "media")?;
    for (name, v) in [("from", q.from), ("to", q.to)] {
        if v.is_some_and(|v| !v.is_finite()) {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("{name} must be a number of seconds"),
            ));
        }
    }
    let filter = InsightFilter {
        analyzer: q.analyzer,
        kind: q.kind,
        from: q.from,
        to: q.to,
        include_rejected: q.include_rejected.unwrap_or(false),
    };
    let items = state
        .store
        .list_insights(&caller.workspace, &id, &filter)
        .await?;
    if csv {
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            insights_csv(&items),
        )
            .into_response());
    }
    Ok(axum::Json(InsightList { items }).into_response())
}

/// Insights as CSV: time, where they come from, the fields most analyzers
/// share (`label` or `text`, a score, a box as fractions of the frame), and
/// the whole `data` as JSON for the rest (keypoints, words...).
fn insights_csv(items: &[StoredInsight]) -> String {
    use super::csv_field;
    let mut out =
        String::from("id,analyzer,kind,start,end,review,label,score,x,y,w,h,artifact,data\n");
    for i in items {
        let d = &i.insight.data;
        let label = d["label"]
            .as_str()
            .or_else(|| d["text"].as_str())
            .unwrap_or_default();
        let score = ["score", "confidence", "max_score"]
            .iter()
            .find_map(|k| d[*k].as_f64());
        let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        let b = &d["box"];
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            i.id,
            csv_field(&i.insight.analyzer),
            csv_field(&i.insight.kind),
            i.insight.start,
            num(i.insight.end),
            i.review.map(|r| r.as_str()).unwrap_or_default(),
            csv_field(label),
            num(score),
            num(b["x"].as_f64()),
            num(b["y"].as_f64()),
            num(b["w"].as_f64()),
            num(b["h"].as_f64()),
            csv_field(i.insight.artifact.as_deref().unwrap_or_default()),
            csv_field(&d.to_string()),
        ));
    }
    out
}

/// A file an analyzer stored (a keyframe thumbnail...), named by an insight's `artifact`.
#[utoipa::path(
    get, path = "/api/v1/media/{id}/artifacts/{job_id}/{name}", operation_id = "getArtifact", tag = "media",
    responses((status = 200, description = "The file"), (status = 404, body = crate::ErrorBody))
)]
pub async fn artifact(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, job_id, name)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let artifact = format!("{job_id}/{name}");
    if !state
        .store
        .artifact_exists(&caller.workspace, &id, &artifact)
        .await?
    {
        return Err(ApiError::new(
            ErrorCode::ArtifactNotFound,
            "artifact not found",
        ));
    }
    let key = format!("{}/{artifact}", artifacts_prefix(&id));
    let stream = state.blobs.stream(&key).await.map_err(|e| match e {
        aima_blobs::BlobError::NotFound(_) => {
            ApiError::new(ErrorCode::ArtifactNotFound, "artifact not found")
        }
        other => other.into(),
    })?;
    let content_type = if name.ends_with(".jpg") {
        "image/jpeg"
    } else if name.ends_with(".png") {
        "image/png"
    } else if name.ends_with(".json") {
        "application/json"
    } else {
        "application/octet-stream"
    };
    Ok((
        [(header::CONTENT_TYPE, content_type)],
        Body::from_stream(stream),
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TranscriptQuery {
    /// `json` (default, with the languages), `srt`, `vtt` (the main
    /// language in its header, cues in others in `<lang>` spans), `csv`
    /// (`start,end,language,text`) or `txt`.
    #[param(pattern = "^(json|srt|vtt|csv|txt)?$")]
    format: Option<String>,
}

/// The media's transcript (from its `transcribe` insights) as JSON, SRT, WebVTT, CSV or text.
#[utoipa::path(
    get, path = "/api/v1/media/{id}/transcript", operation_id = "getTranscript", tag = "media", params(TranscriptQuery),
    responses((status = 200, description = "The transcript in the asked format"), (status = 404, body = crate::ErrorBody), (status = 400, body = crate::ErrorBody))
)]
pub async fn transcript(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<TranscriptQuery>,
) -> ApiResult<Response> {
    use aima_core::transcript::{render, TranscriptFormat};
    let format = match q.format.as_deref() {
        None => TranscriptFormat::Json,
        Some(f) => TranscriptFormat::parse(f).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                "format must be json, srt, vtt, csv or txt",
            )
        })?,
    };
    state
        .store
        .get_media(&caller.workspace, &id)
        .await
        .or_not_found(ErrorCode::MediaNotFound, "media")?;
    let segments = transcript_segments(&state, &caller.workspace, &id).await?;
    Ok((
        [(header::CONTENT_TYPE, format.content_type())],
        render(format, &segments),
    )
        .into_response())
}
