//! Blob storage: media bytes and analyzer artifacts (thumbnails, ...).
//!
//! Architecture invariant: callers name blobs by key (`media/sha256/ab/abcd…`,
//! `artifacts/<media>/<job>/<name>`); only this crate turns keys into paths or
//! object names. The local folder is the default backend; [`S3BlobStore`]
//! keeps blobs in an S3-compatible bucket through `object_store`.

mod local;
mod s3;

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;

pub use local::LocalBlobStore;
pub use s3::{S3BlobStore, S3Config};

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob not found: {0}")]
    NotFound(String),
    #[error("invalid blob key: {0:?}")]
    InvalidKey(String),
    #[error("blob I/O error on {key}: {source}")]
    Io {
        key: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = BlobError> = std::result::Result<T, E>;

/// A blob readable as a local file for as long as this value lives. A remote
/// store downloads to a temporary file that is removed on drop.
#[derive(Debug)]
pub struct LocalBlob {
    path: PathBuf,
    _temp: Option<tempfile::TempPath>,
}

impl LocalBlob {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A temporary file (a download) that is removed when this drops.
    pub fn temporary(path: tempfile::TempPath) -> Self {
        Self {
            path: path.to_path_buf(),
            _temp: Some(path),
        }
    }
}

#[async_trait]
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// A folder for files being written before they are `put_file`d, on the
    /// same file system as the store where that matters, so the final move is
    /// a rename.
    fn staging_dir(&self) -> &Path;
    /// Moves a complete local file into the store under `key`, replacing any
    /// blob there. The move is atomic: readers see the old blob or the new one.
    async fn put_file(&self, key: &str, file: &Path) -> Result<()>;
    async fn put_bytes(&self, key: &str, bytes: Bytes) -> Result<()>;
    async fn exists(&self, key: &str) -> Result<bool>;
    async fn size(&self, key: &str) -> Result<u64>;
    async fn local(&self, key: &str) -> Result<LocalBlob>;
    /// The blob's bytes as a stream, for downloads.
    async fn stream(&self, key: &str) -> Result<BoxStream<'static, std::io::Result<Bytes>>>;
    /// The bytes `range` of a blob (within its size), for HTTP range
    /// requests: players seek in large media without reading all of it.
    async fn stream_range(
        &self,
        key: &str,
        range: std::ops::Range<u64>,
    ) -> Result<BoxStream<'static, std::io::Result<Bytes>>>;
    /// Deletes a blob; deleting a missing blob is not an error.
    async fn delete(&self, key: &str) -> Result<()>;
    /// Deletes every blob whose key starts with `prefix/`.
    async fn delete_prefix(&self, prefix: &str) -> Result<()>;
}

/// The key of media bytes: content-addressed, fanned out by the first two hex
/// digits so that no folder grows too large.
pub fn media_key(sha256_hex: &str) -> String {
    let fan = sha256_hex.get(..2).unwrap_or("00");
    format!("media/sha256/{fan}/{sha256_hex}")
}

/// The folder of everything analyzers stored for one media.
pub fn artifacts_prefix(media_id: &str) -> String {
    format!("artifacts/{media_id}")
}

/// Keys are made by AIMA, never taken from users, but they are still checked:
/// relative, `/`-separated, no empty, `.` or `..` segments, plain characters.
pub fn validate_key(key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= 512
        && key.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        });
    if ok {
        Ok(())
    } else {
        Err(BlobError::InvalidKey(key.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(media_key("abcdef"), "media/sha256/ab/abcdef");
        assert!(validate_key("artifacts/m1/j1/kf-000001.jpg").is_ok());
        for bad in [
            "", "/abs", "a//b", "a/../b", "..", "a/./b", "a b", "a\0b", "a\\b",
        ] {
            assert!(validate_key(bad).is_err(), "{bad:?}");
        }
    }
}
