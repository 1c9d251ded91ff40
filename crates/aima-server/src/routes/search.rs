//! `/api/v1/search`: time-coded text search over a workspace's insights
//! (transcript segments, OCR lines, object and CLIP labels).

use aima_core::search::{parse_query, SearchHit, SearchQuery, SearchSort};
use aima_core::{ErrorCode, MediaKind};
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::extract::{parse_time, Query};
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
    /// `relevance` (default) or `date` (newest media first).
    sort: Option<SearchSort>,
    /// Leave out hits scoring below (0 to 1).
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

/// Time-coded hits for words said, shown or named in the workspace's media.
#[utoipa::path(
    get, path = "/api/v1/search", operation_id = "search", tag = "search", params(SearchParams),
    responses(
        (status = 200, body = SearchPage),
        (status = 400, description = "A bad query (`invalid_query`) or parameter (`invalid_parameter`)", body = crate::ErrorBody)
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
    // What the cursor is bound to: the search, not the page size.
    let digest = hex::encode(
        &Sha256::digest(format!(
            "{query:?}",
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
        .store
        .search_text(&caller.workspace, &SearchQuery { offset, ..query })
        .await?;
    let next_cursor = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        cursor(&digest, offset + limit)
    });
    Ok(axum::Json(SearchPage { items, next_cursor }))
}
