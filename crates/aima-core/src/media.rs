use serde::{Deserialize, Serialize};

/// What a piece of media is, as decided by probing it (never by its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Video,
    Audio,
    Image,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Image => "image",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "video" => Some(MediaKind::Video),
            "audio" => Some(MediaKind::Audio),
            "image" => Some(MediaKind::Image),
            _ => None,
        }
    }
}

impl std::fmt::Display for MediaKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest file name we keep, in characters (as the API document can say).
pub const MAX_FILENAME_CHARS: usize = 255;

/// A client-supplied file name is metadata only (blobs are stored by hash), but
/// it is shown in UIs, exports and `Content-Disposition` headers, so names that
/// could be read as paths or that hide control characters are refused.
pub fn validate_filename(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("file name is empty".into());
    }
    if name.chars().count() > MAX_FILENAME_CHARS {
        return Err(format!(
            "file name is longer than {MAX_FILENAME_CHARS} characters"
        ));
    }
    if name.chars().any(|c| c.is_control()) {
        return Err("file name contains NUL or control characters".into());
    }
    if name.contains('/') || name.contains('\\') {
        return Err("file name must not contain path separators".into());
    }
    if name == "." || name == ".." {
        return Err("file name must not be '.' or '..'".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames() {
        assert!(validate_filename("holiday clip (1).mp4").is_ok());
        assert!(validate_filename("été.jpg").is_ok());
        for bad in [
            "",
            "../etc/passwd",
            "a/b.mp4",
            "a\\b",
            "a\0b",
            "a\nb",
            "\u{7f}",
            "..",
        ] {
            assert!(validate_filename(bad).is_err(), "{bad:?} accepted");
        }
        assert!(validate_filename(&"x".repeat(256)).is_err());
        // Characters, not bytes: the API document can state that.
        assert!(validate_filename(&"é".repeat(255)).is_ok());
    }

    #[test]
    fn kinds_round_trip() {
        for k in [MediaKind::Video, MediaKind::Audio, MediaKind::Image] {
            assert_eq!(MediaKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(MediaKind::parse("text"), None);
    }
}

/// A stored piece of media, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Media {
    pub id: String,
    pub workspace: String,
    /// Hex SHA-256 of the bytes; the same bytes in one workspace are one media.
    pub sha256: String,
    pub kind: MediaKind,
    pub filename: Option<String>,
    pub size: i64,
    /// Seconds; absent for still images.
    pub duration: Option<f64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// What ffprobe found: container, streams, codecs.
    #[schema(value_type = Object)]
    pub probe: serde_json::Value,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// What a new media row needs; the store adds id and time.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMedia {
    pub workspace: String,
    pub sha256: String,
    pub kind: MediaKind,
    pub filename: Option<String>,
    pub size: i64,
    pub duration: Option<f64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub probe: serde_json::Value,
}

/// Filters of a media listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaFilter {
    pub kind: Option<MediaKind>,
    /// Unix milliseconds, inclusive.
    pub created_after: Option<i64>,
    /// Unix milliseconds, exclusive.
    pub created_before: Option<i64>,
}
