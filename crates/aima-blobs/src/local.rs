use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::StreamExt;
use tokio_util::io::ReaderStream;

use crate::{validate_key, BlobError, BlobStore, LocalBlob, Result};

/// Blobs as files under one folder: `<root>/<key>`. Staging files live in
/// `<root>/.staging`, on the same file system, so `put_file` is a rename.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
    staging: PathBuf,
}

impl LocalBlobStore {
    pub async fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let staging = root.join(".staging");
        tokio::fs::create_dir_all(&staging)
            .await
            .map_err(|e| io(".staging", e))?;
        Ok(Self { root, staging })
    }

    fn path(&self, key: &str) -> Result<PathBuf> {
        validate_key(key)?;
        Ok(self.root.join(key))
    }
}

fn io(key: &str, source: std::io::Error) -> BlobError {
    if source.kind() == std::io::ErrorKind::NotFound {
        BlobError::NotFound(key.to_string())
    } else {
        BlobError::Io {
            key: key.to_string(),
            source,
        }
    }
}

async fn ensure_parent(path: &Path, key: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| io(key, e))?;
    }
    Ok(())
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    fn staging_dir(&self) -> &Path {
        &self.staging
    }

    async fn put_file(&self, key: &str, file: &Path) -> Result<()> {
        let dest = self.path(key)?;
        ensure_parent(&dest, key).await?;
        match tokio::fs::rename(file, &dest).await {
            Ok(()) => Ok(()),
            // Another file system (a staging file made elsewhere): copy to a
            // temporary name beside the destination, then rename.
            Err(e) if e.raw_os_error() == Some(18) => {
                let tmp = dest.with_extension(format!("tmp-{}", uuid::Uuid::new_v4()));
                tokio::fs::copy(file, &tmp).await.map_err(|e| io(key, e))?;
                tokio::fs::rename(&tmp, &dest)
                    .await
                    .map_err(|e| io(key, e))?;
                tokio::fs::remove_file(file).await.map_err(|e| io(key, e))
            }
            Err(e) => Err(io(key, e)),
        }
    }

    async fn put_bytes(&self, key: &str, bytes: Bytes) -> Result<()> {
        let dest = self.path(key)?;
        ensure_parent(&dest, key).await?;
        let tmp = self.staging.join(format!("put-{}", uuid::Uuid::new_v4()));
        tokio::fs::write(&tmp, &bytes)
            .await
            .map_err(|e| io(key, e))?;
        if let Err(e) = tokio::fs::rename(&tmp, &dest).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io(key, e));
        }
        Ok(())
    }

    async fn exists(&self, key: &str) -> Result<bool> {
        tokio::fs::try_exists(self.path(key)?)
            .await
            .map_err(|e| io(key, e))
    }

    async fn size(&self, key: &str) -> Result<u64> {
        let meta = tokio::fs::metadata(self.path(key)?)
            .await
            .map_err(|e| io(key, e))?;
        Ok(meta.len())
    }

    async fn local(&self, key: &str) -> Result<LocalBlob> {
        let path = self.path(key)?;
        if !tokio::fs::try_exists(&path).await.map_err(|e| io(key, e))? {
            return Err(BlobError::NotFound(key.to_string()));
        }
        Ok(LocalBlob { path, _temp: None })
    }

    async fn stream(&self, key: &str) -> Result<BoxStream<'static, std::io::Result<Bytes>>> {
        let file = tokio::fs::File::open(self.path(key)?)
            .await
            .map_err(|e| io(key, e))?;
        Ok(ReaderStream::new(file).boxed())
    }

    async fn stream_range(
        &self,
        key: &str,
        range: std::ops::Range<u64>,
    ) -> Result<BoxStream<'static, std::io::Result<Bytes>>> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let mut file = tokio::fs::File::open(self.path(key)?)
            .await
            .map_err(|e| io(key, e))?;
        file.seek(std::io::SeekFrom::Start(range.start))
            .await
            .map_err(|e| io(key, e))?;
        let len = range.end.saturating_sub(range.start);
        Ok(ReaderStream::new(file.take(len)).boxed())
    }

    async fn delete(&self, key: &str) -> Result<()> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(key, e)),
        }
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<()> {
        match tokio::fs::remove_dir_all(self.path(prefix)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(prefix, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_read_delete() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| io("tmp", e))?;
        let store = LocalBlobStore::open(dir.path()).await?;
        let staged = store.staging_dir().join("x");
        tokio::fs::write(&staged, b"hello")
            .await
            .map_err(|e| io("x", e))?;
        store.put_file("media/sha256/ab/abc", &staged).await?;
        assert!(!staged.exists());
        assert_eq!(store.size("media/sha256/ab/abc").await?, 5);
        let mut s = store.stream("media/sha256/ab/abc").await?;
        let mut got = Vec::new();
        while let Some(chunk) = s.next().await {
            got.extend_from_slice(&chunk.map_err(|e| io("x", e))?);
        }
        assert_eq!(got, b"hello");
        store
            .put_bytes("artifacts/m/j/a.jpg", Bytes::from_static(b"j"))
            .await?;
        store.delete_prefix("artifacts/m").await?;
        assert!(!store.exists("artifacts/m/j/a.jpg").await?);
        store.delete("media/sha256/ab/abc").await?;
        store.delete("media/sha256/ab/abc").await?;
        assert!(matches!(
            store.local("media/sha256/ab/abc").await,
            Err(BlobError::NotFound(_))
        ));
        assert!(matches!(
            store.put_bytes("../escape", Bytes::new()).await,
            Err(BlobError::InvalidKey(_))
        ));
        Ok(())
    }
}
