//! API errors: one JSON shape, one table of codes (in `aima-core`).

use aima_core::{ErrorCode, ErrorInfo};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// `{"error": {"code": "...", "message": "..."}}`
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorInfo,
}

/// An error as the client sees it. Internal causes are kept apart
/// (`detail`) and logged by middleware, never sent.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub detail: Option<String>,
}

/// Carried in the response extensions so that the logging middleware can log
/// what the client is not told.
#[derive(Debug, Clone)]
pub struct InternalDetail(pub String);

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            detail: None,
        }
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: "internal error; see the server log".into(),
            detail: Some(detail.to_string()),
        }
    }

    pub fn unavailable(detail: impl std::fmt::Display) -> Self {
        Self {
            code: ErrorCode::Unavailable,
            message: "the service is not ready".into(),
            detail: Some(detail.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (
            status,
            Json(ErrorBody {
                error: ErrorInfo::new(self.code, self.message),
            }),
        )
            .into_response();
        if let Some(detail) = self.detail {
            resp.extensions_mut().insert(InternalDetail(detail));
        }
        resp
    }
}

impl From<aima_store::StoreError> for ApiError {
    fn from(e: aima_store::StoreError) -> Self {
        use aima_store::StoreError::*;
        match e {
            NotFound => ApiError::new(ErrorCode::NotFound, "not found"),
            Conflict(m) => ApiError::new(ErrorCode::InvalidJobState, m),
            // 503 only for what a retry may cure; any other database
            // error is a fault (500), never to pass for "busy".
            e @ Database(_) if e.is_transient() => ApiError::unavailable(e),
            other => ApiError::internal(other),
        }
    }
}

impl From<aima_blobs::BlobError> for ApiError {
    fn from(e: aima_blobs::BlobError) -> Self {
        ApiError::internal(e)
    }
}

/// Maps a store `NotFound` to a specific code.
pub trait OrNotFound<T> {
    fn or_not_found(self, code: ErrorCode, what: &str) -> Result<T, ApiError>;
}

impl<T> OrNotFound<T> for Result<T, aima_store::StoreError> {
    fn or_not_found(self, code: ErrorCode, what: &str) -> Result<T, ApiError> {
        self.map_err(|e| match e {
            aima_store::StoreError::NotFound => ApiError::new(code, format!("{what} not found")),
            other => other.into(),
        })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<aima_core::activity::ActivityError> for ApiError {
    fn from(e: aima_core::activity::ActivityError) -> Self {
        use aima_core::activity::ActivityError::*;
        match e {
            InvalidTimestamp(m) => ApiError::new(ErrorCode::InvalidTimestamp, m),
            TooLong(m) => ApiError::new(ErrorCode::FieldTooLong, m),
            Invalid(m) => ApiError::new(ErrorCode::InvalidActivity, m),
        }
    }
}
