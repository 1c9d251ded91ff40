//! `/api/v1/search`: time-coded search over a workspace's insights, by
//! their words (transcript segments, OCR lines, object and CLIP labels,
//! file and person names), by meaning (transcript segments and OCR lines,
//! through the sentence-embedding model), or both fused.

use aima_core::search::{parse_query, PersonMatch, SearchHit, SearchMode, SearchQuery, SearchSort};
use aima_core::{ErrorCode, MediaKind};
use aima_core::{Pipeline, StageSpec};
use aima_search::SearchError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::OrNotFound;
use crate::error::{ApiError, ApiResult};
use crate::extract::{parse_time, Path, Query};
use crate::{AppState, Caller};

const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;
/// Deepest a cursor may reach: past it, refine the query.
const MAX_OFFSET: u32 = 10_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words (stemmed: `meetings` finds `meeting`), `prefix*` and `"a
    /// phrase"`; every term must match; case and accents do not matter.
    /// Up to 1000 characters; without letters or digits it finds nothing.
    #[param(min_length = 1, max_length = 1000)]
    q: String,
    /// Only insights of this analyzer (`transcribe`, `ocr`, `objects`, `clip`).
    analyzer: Option<String>,
    media_id: Option<String>,
    /// Only media in which this person appears (a face of theirs).
    person_id: Option<String>,
    /// Only media of this kind.
    kind: Option<MediaKind>,
    /// Media created at or after (Unix ms or RFC 3339).
    #[param(schema_with = crate::openapi::time_param)]
    created_after: Option<String>,
    /// Media created before (Unix ms or RFC 3339).
    #[param(schema_with = crate::openapi::time_param)]
    created_before: Option<String>,
    /// `hybrid` (default: words and meaning, fused by reciprocal rank;
    /// words only while no text-embedding model is installed), `text` or
    /// `semantic` (transcript segments and OCR lines close in meaning).
    mode: Option<SearchMode>,
    /// `relevance` (default) or `date` (newest media first).
    sort: Option<SearchSort>,
    /// Leave out hits scoring below (0 to 1): the text score of a word
    /// match, the cosine similarity of a match by meaning (in `hybrid`,
    /// applied to each before fusion).
    #[param(minimum = 0.0, maximum = 1.0)]
    min_score: Option<f64>,
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// From `next_cursor` of the previous page of the same search.
    #[param(pattern = "^([0-9a-f]{2})*$")]
    cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    /// Pass as `cursor` (with the same search) for the next page; absent on
    /// the last.
    pub next_cursor: Option<String>,
}

/// A cursor is the next offset and a digest of the search it belongs to,
/// so that it cannot continue another search.
fn cursor(search: &str, offset: u32) -> String {
    hex::encode(format!("{offset}:{search}"))
}

fn offset_from(cursor: Option<&str>, search: &str) -> Result<u32, ApiError> {
    let Some(c) = cursor else { return Ok(0) };
    let bad = || {
        ApiError::new(
            ErrorCode::InvalidParameter,
            "cursor is not one of this search",
        )
    };
    let raw = String::from_utf8(hex::decode(c).map_err(|_| bad())?).map_err(|_| bad())?;
    let (offset, of) = raw.split_once(':').ok_or_else(bad)?;
    if of != search {
        return Err(bad());
    }
    offset.parse().map_err(|_| bad())
}

/// Time-coded hits for what is said, shown or named in the workspace's
/// media, by words, by meaning, or both.
#[utoipa::path(
    get, path = "/api/v1/search", operation_id = "search", tag = "search", params(SearchParams),
    responses(
        (status = 200, body = SearchPage),
        (status = 400, description = "A bad query (`invalid_query`) or parameter (`invalid_parameter`)", body = crate::ErrorBody),
        (status = 503, description = "`mode=semantic` without its model (`model_missing`)", body = crate::ErrorBody)
    )
)]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<SearchParams>,
) -> ApiResult<axum::Json<SearchPage>> {
    let terms = parse_query(&p.q).map_err(|m| ApiError::new(ErrorCode::InvalidQuery, m))?;
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let min_score = p.min_score.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&min_score) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "min_score must be between 0 and 1",
        ));
    }
    let time =
        |name: &str, v: &Option<String>| v.as_deref().map(|v| parse_time(name, v)).transpose();
    let query = SearchQuery {
        terms,
        analyzer: p.analyzer.clone(),
        media_id: p.media_id.clone(),
        person_id: p.person_id.clone(),
        kind: p.kind,
        created_after: time("created_after", &p.created_after)?,
        created_before: time("created_before", &p.created_before)?,
        sort: p.sort.unwrap_or_default(),
        min_score,
        offset: 0,
        limit: limit + 1,
    };
    let mode = p.mode.unwrap_or_default();
    // What the cursor is bound to: the search, not the page size.
    let digest = hex::encode(
        &Sha256::digest(format!(
            "{mode:?} {query:?}",
            query = SearchQuery {
                limit: 0,
                ..query.clone()
            }
        ))[..8],
    );
    let offset = offset_from(p.cursor.as_deref(), &digest)?;
    if offset > MAX_OFFSET {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "cursor is past the deepest page: refine the search",
        ));
    }
    let mut items = state
        .searcher
        .search(
            &caller.workspace,
            mode,
            &p.q,
            &SearchQuery { offset, ..query },
        )
        .await?;
    let next_cursor = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        cursor(&digest, offset + limit)
    });
    Ok(axum::Json(SearchPage { items, next_cursor }))
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Store(e) => e.into(),
            SearchError::MeaningOff | SearchError::ModelMissing(_) => {
                ApiError::new(ErrorCode::ModelMissing, e.to_string())
            }
            SearchError::Embed(_) => ApiError::internal(e),
        }
    }
}

/// How far the index of search by meaning is, for the caller's workspace.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchStatus {
    /// The sentence-embedding model; null when search by meaning is off.
    pub text_model: Option<String>,
    /// Whether that model is installed on this server (queries need it).
    pub text_model_installed: bool,
    /// Transcript segments and OCR lines with a vector of that model.
    pub indexed: u64,
    /// Waiting for the indexer.
    pub pending: u64,
    /// The CLIP model whose text tower matches queries to frames; null
    /// when none is configured.
    pub image_model: Option<String>,
    /// Whether it is installed (frames are searched only then).
    pub image_model_installed: bool,
}

/// The state of search by meaning: its model and the indexer's progress.
#[utoipa::path(
    get, path = "/api/v1/search/status", operation_id = "search_status", tag = "search",
    responses((status = 200, body = SearchStatus))
)]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<SearchStatus>> {
    let s = state.searcher.status(&caller.workspace).await?;
    Ok(axum::Json(SearchStatus {
        text_model: s.model,
        text_model_installed: s.installed,
        indexed: s.index.indexed,
        pending: s.index.pending,
        image_model: s.image_model,
        image_model_installed: s.image_model_installed,
    }))
}

/// Largest image face search takes.
const MAX_FACE_IMAGE_BYTES: u64 = 20 * 1024 * 1024;
const DEFAULT_FACE_MATCHES: u32 = 10;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FaceSearchParams {
    /// The face model to find faces with; it should be the one the
    /// workspace's faces were found with (default: the `faces` analyzer's).
    model: Option<String>,
    /// 1 to 100 persons, default 10.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonMatches {
    pub items: Vec<PersonMatch>,
}

/// Persons whose faces match the faces in an image, best first.
#[utoipa::path(
    post, path = "/api/v1/search/faces", operation_id = "search_faces", tag = "search",
    params(FaceSearchParams),
    request_body(content = crate::routes::media::FileBytes, content_type = "application/octet-stream", description = "One image (JPEG, PNG, ...) as the raw body, at most 20 MiB; sent as application/octet-stream or image/*"),
    responses(
        (status = 200, body = PersonMatches),
        (status = 415, description = "Not an image (`unsupported_media`)", body = crate::ErrorBody),
        (status = 422, description = "No face in the image (`no_face_found`)", body = crate::ErrorBody),
        (status = 503, description = "The face model is not installed (`model_missing`)", body = crate::ErrorBody)
    )
)]
pub async fn faces(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<FaceSearchParams>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<axum::Json<PersonMatches>> {
    let limit = p.limit.unwrap_or(DEFAULT_FACE_MATCHES);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !(content_type.is_empty()
        || content_type.starts_with("image/")
        || content_type.starts_with("application/octet-stream"))
    {
        return Err(ApiError::new(
            ErrorCode::UnsupportedContentType,
            "send the image itself as the body (image/* or application/octet-stream)",
        ));
    }
    let mut options = serde_json::json!({});
    if let Some(m) = &p.model {
        options["model"] = serde_json::Value::String(m.clone());
    }
    let pipeline = Pipeline(vec![StageSpec {
        name: "faces".into(),
        options,
        requires: None,
    }]);
    state
        .registry
        .check(&pipeline, Some(MediaKind::Image))
        .map_err(|r| ApiError::new(r.code, r.message))?;
    let staged =
        crate::routes::media::stage_at_most(&state, body.into_data_stream(), MAX_FACE_IMAGE_BYTES)
            .await?;
    let info = super::analyze::probe(&state, &staged.path).await?;
    if info.kind != MediaKind::Image {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMedia,
            format!("face search takes an image, not {}", info.kind.as_str()),
        ));
    }
    let insights = super::analyze::run(&state, &staged.path, &pipeline).await?;
    let faces: Vec<(Vec<f32>, Option<f32>)> = insights
        .iter()
        .filter(|i| i.kind == "face")
        .filter_map(|i| {
            let e: Vec<f32> = serde_json::from_value(i.data.get("embedding")?.clone()).ok()?;
            let threshold = i
                .data
                .get("match_threshold")
                .and_then(|t| t.as_f64())
                .map(|t| t as f32);
            Some((e, threshold))
        })
        .collect();
    if faces.is_empty() {
        return Err(ApiError::new(
            ErrorCode::NoFaceFound,
            "no face was found in the image",
        ));
    }
    let items = state
        .searcher
        .persons_like(&caller.workspace, &faces, limit as usize)
        .await?;
    Ok(axum::Json(PersonMatches { items }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SimilarParams {
    /// Seconds into the media: media like this moment (its nearest
    /// frame) rather than like the whole media.
    #[param(minimum = 0.0)]
    start: Option<f64>,
    /// 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Another media like the one asked about, at its most similar moment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SimilarItem {
    pub media_id: String,
    /// Seconds into that media: its frame closest to the source.
    pub start: f64,
    /// Cosine similarity of the CLIP frame embeddings (0 to 1).
    pub score: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SimilarPage {
    /// Best first; empty when the media has no CLIP frames (run the
    /// `clip` analyzer on it).
    pub items: Vec<SimilarItem>,
}

/// Other media that look like this one (or like one moment of it), by the
/// CLIP embeddings of their frames.
#[utoipa::path(
    get, path = "/api/v1/media/{id}/similar", operation_id = "similarMedia", tag = "search",
    params(("id" = String, Path, description = "The media"), SimilarParams),
    responses(
        (status = 200, body = SimilarPage),
        (status = 404, description = "No such media (`media_not_found`)", body = crate::ErrorBody)
    )
)]
pub async fn similar(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(p): Query<SimilarParams>,
) -> ApiResult<axum::Json<SimilarPage>> {
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    if p.start.is_some_and(|s| !s.is_finite() || s < 0.0) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "start must be a number of seconds, 0 or more",
        ));
    }
    let items = state
        .store
        .similar_media(&caller.workspace, &id, p.start, limit)
        .await
        .or_not_found(ErrorCode::MediaNotFound, "media")?
        .into_iter()
        .map(|s| SimilarItem {
            media_id: s.media_id,
            start: s.start,
            score: s.score,
        })
        .collect();
    Ok(axum::Json(SimilarPage { items }))
}
