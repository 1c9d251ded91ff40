//! The one table of machine-readable error codes and their HTTP statuses.
//!
//! Clients rely on the `code` strings: never rename one, only add.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($( $variant:ident => ($code:literal, $status:literal) ),* $(,)?) => {
        /// A stable error code. `as_str` is what clients see; `http_status`
        /// is the status the server answers with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode { $( $variant ),* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$( ErrorCode::$variant ),*];

            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code ),* }
            }

            pub fn http_status(self) -> u16 {
                match self { $( ErrorCode::$variant => $status ),* }
            }
        }
    };
}

error_codes! {
    BadRequest => ("bad_request", 400),
    InvalidJson => ("invalid_json", 400),
    InvalidParameter => ("invalid_parameter", 400),
    InvalidFilename => ("invalid_filename", 400),
    InvalidPipeline => ("invalid_pipeline", 400),
    UnknownAnalyzer => ("unknown_analyzer", 400),
    AnalyzerNotApplicable => ("analyzer_not_applicable", 400),
    EmptyUpload => ("empty_upload", 400),
    UnsupportedMedia => ("unsupported_media", 415),
    PayloadTooLarge => ("payload_too_large", 413),
    MissingApiKey => ("missing_api_key", 401),
    InvalidApiKey => ("invalid_api_key", 401),
    NotFound => ("not_found", 404),
    MediaNotFound => ("media_not_found", 404),
    JobNotFound => ("job_not_found", 404),
    ArtifactNotFound => ("artifact_not_found", 404),
    MethodNotAllowed => ("method_not_allowed", 405),
    InvalidJobState => ("invalid_job_state", 409),
    CorruptMedia => ("corrupt_media", 422),
    AnalyzerFailed => ("analyzer_failed", 500),
    ModelMissing => ("model_missing", 503),
    WorkerLost => ("worker_lost", 500),
    Unavailable => ("unavailable", 503),
    Internal => ("internal", 500),
    InvalidTimestamp => ("invalid_timestamp", 400),
    FieldTooLong => ("field_too_long", 400),
    InvalidActivity => ("invalid_activity", 400),
    BucketNotFound => ("bucket_not_found", 404),
    BucketExists => ("bucket_exists", 409),
    EventNotFound => ("event_not_found", 404),
    ModeNotFound => ("mode_not_found", 404),
    ModeExists => ("mode_exists", 409),
    InsufficientLabels => ("insufficient_labels", 409),
    NoModeModel => ("no_mode_model", 409),
    ModelVersionNotFound => ("model_version_not_found", 404),
    PersonNotFound => ("person_not_found", 404),
    FaceNotFound => ("face_not_found", 404),
    InsightNotFound => ("insight_not_found", 404),
    InvalidPersonEdit => ("invalid_person_edit", 409),
    UnsupportedContentType => ("unsupported_content_type", 415),
    Forbidden => ("forbidden", 403),
    InvalidQuery => ("invalid_query", 400),
    NoFaceFound => ("no_face_found", 422),
    InvalidQuestion => ("invalid_question", 400),
    RangeNotSatisfiable => ("range_not_satisfiable", 416),
    ModelNotFound => ("model_not_found", 404),
    InvalidCredentials => ("invalid_credentials", 401),
    InvalidSession => ("invalid_session", 401),
    TooManyRequests => ("too_many_requests", 429),
    UserExists => ("user_exists", 409),
    UserNotFound => ("user_not_found", 404),
    LastAdmin => ("last_admin", 409),
    KeyNotFound => ("key_not_found", 404),
    WebhookNotFound => ("webhook_not_found", 404),
    DeliveryNotFound => ("delivery_not_found", 404),
    InvalidWebhookUrl => ("invalid_webhook_url", 400),
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `error` object of every error body and of a failed job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorInfo {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorInfo {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_serialize_as_their_string() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            let json = serde_json::to_string(code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert!((400..600).contains(&code.http_status()));
        }
    }
}
