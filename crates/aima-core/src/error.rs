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
    MediaTooLarge => ("media_too_large", 413),
    HostNotAllowed => ("host_not_allowed", 403),
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

/// Replaces absolute file paths and `file:` URLs in a tool's or a library's
/// message with `<path>`, so an error a client sees says what went wrong,
/// not where on the server (the full text stays in the server's log).
pub fn redact_paths(text: &str) -> String {
    const BEFORE: &[char] = &['(', '[', '{', '\'', '"', '=', ':', ',', '`', '<'];
    const ENDS: &[char] = &[')', ']', '}', '\'', '"', ',', ';', '`', '>'];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('/') {
        let (head, tail) = rest.split_at(i);
        let starts_token = head
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || BEFORE.contains(&c));
        let end = tail
            .find(|c: char| c.is_whitespace() || ENDS.contains(&c))
            .unwrap_or(tail.len());
        let token = &tail[..end];
        // A path has a second segment ("/a/b"), or is a file: URL.
        let is_path = starts_token
            && token.len() > 1
            && (token[1..].contains('/') || head.ends_with("file:"));
        if is_path {
            out.push_str(head.strip_suffix("file:").unwrap_or(head));
            // Keep a trailing ':' that ends a tool's "path: reason".
            let kept = token.strip_suffix(':').map(|_| ":").unwrap_or("");
            out.push_str("<path>");
            out.push_str(kept);
            rest = &tail[end..];
        } else {
            out.push_str(head);
            out.push('/');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_redacted() {
        assert_eq!(
            redact_paths("/var/lib/aima/blobs/media/sha256/53/53ef: Invalid data found"),
            "<path>: Invalid data found"
        );
        assert_eq!(
            redact_paths("cannot read /root/.cache/aima/models/x.onnx (No such file)"),
            "cannot read <path> (No such file)"
        );
        assert_eq!(
            redact_paths("Opening 'file:///etc/passwd' for reading"),
            "Opening '<path>' for reading"
        );
        assert_eq!(
            redact_paths("[in#0/mov,mp4 @ 0x55] moov atom not found"),
            "[in#0/mov,mp4 @ 0x55] moov atom not found"
        );
        assert_eq!(redact_paths("1/2 of 3 / 4"), "1/2 of 3 / 4");
        assert_eq!(redact_paths("path=\"/tmp/a/b\""), "path=\"<path>\"");
    }

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
