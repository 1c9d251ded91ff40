//! The API's extractors: the one place where a request that cannot be read
//! (path, query string, JSON body) becomes the documented JSON error with a
//! stable code. Handlers take these, never axum's bare `Path`, `Query` or
//! `Json`, whose rejections are plain text.

use aima_core::ErrorCode;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Path<T>` answering `invalid_parameter` (400) on a segment that does not
/// parse, e.g. an id beyond the 64-bit range.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e: PathRejection| ApiError::new(ErrorCode::InvalidParameter, e.body_text()))
    }
}

/// `Query<T>` answering `invalid_parameter` (400) on a bad query string.
/// A parameter given empty (`cursor=`) counts as absent, as the document
/// says, so that generated clients which send every optional parameter
/// work; unknown parameters are refused where the target type says so
/// (`deny_unknown_fields`).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        fn bad(e: impl std::fmt::Display) -> ApiError {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("invalid query string: {e}"),
            )
        }
        let raw = parts.uri.query().unwrap_or_default();
        let given: Vec<(String, String)> = serde_urlencoded::from_str(raw).map_err(bad)?;
        let kept: Vec<(String, String)> =
            given.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let cleaned = serde_urlencoded::to_string(&kept).map_err(bad)?;
        serde_urlencoded::from_str::<T>(&cleaned)
            .map(Query)
            .map_err(bad)
    }
}

/// `Json<T>` answering `invalid_json` (400) on a malformed or mistyped body,
/// `unsupported_content_type` (415) without `Content-Type:
/// application/json` and `payload_too_large` (413) over the route's limit.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|j| Json(j.0))
            .map_err(json_rejection)
    }
}

fn json_rejection(e: JsonRejection) -> ApiError {
    let code = match &e {
        JsonRejection::MissingJsonContentType(_) => ErrorCode::UnsupportedContentType,
        JsonRejection::BytesRejection(_) if e.status().as_u16() == 413 => {
            ErrorCode::PayloadTooLarge
        }
        _ => ErrorCode::InvalidJson,
    };
    ApiError::new(code, e.body_text())
}

/// The times the API takes, in Unix milliseconds: years 1 to 9999, as RFC
/// 3339 can write them (and as the document says).
pub const TIME_RANGE_MS: std::ops::RangeInclusive<i64> = -62_135_596_800_000..=253_402_300_799_999;

/// Accepts Unix milliseconds or an RFC 3339 time, in [`TIME_RANGE_MS`].
pub fn parse_time(name: &str, value: &str) -> Result<i64, ApiError> {
    let ms = match value.parse::<i64>() {
        Ok(ms) => ms,
        Err(_) => {
            time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
                .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
                .map_err(|_| {
                    ApiError::new(
                        ErrorCode::InvalidParameter,
                        format!("{name} must be Unix milliseconds or an RFC 3339 time"),
                    )
                })?
        }
    };
    if !TIME_RANGE_MS.contains(&ms) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("{name} must be between years 1 and 9999"),
        ));
    }
    Ok(ms)
}
