//! Blobs in an S3-compatible bucket (AWS S3, MinIO, Garage, Ceph, R2…)
//! through the `object_store` crate: `<prefix>/<key>` objects.
//!
//! Large files go up as multipart uploads straight from disk, a part at a
//! time; nothing is read whole into memory. An object appears only when its
//! upload completes, so readers see the old blob or the new one. Analyzers
//! need a local file: `local` downloads to a temporary file in the staging
//! folder, removed when the returned guard drops.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload, WriteMultipart};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{validate_key, BlobError, BlobStore, LocalBlob, Result};

/// Where the bucket is and how to reach it. Credentials left empty come from
/// the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, …).
#[derive(Debug, Clone, Default)]
pub struct S3Config {
    pub bucket: String,
    /// Prefix of every key inside the bucket (empty: the bucket's root).
    pub prefix: String,
    /// For S3-compatible servers: `http://127.0.0.1:9000`. Empty: AWS.
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Path-style requests (`endpoint/bucket/key`), as most S3-compatible
    /// servers want; AWS itself takes virtual-hosted style.
    pub path_style: bool,
}

/// Part size of multipart uploads.
const PART: usize = 8 * 1024 * 1024;
/// Parts in flight at once per upload.
const PARTS_IN_FLIGHT: usize = 4;

#[derive(Debug, Clone)]
pub struct S3BlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    staging: PathBuf,
    description: String,
}

fn remote(key: &str, e: object_store::Error) -> BlobError {
    match e {
        object_store::Error::NotFound { .. } => BlobError::NotFound(key.to_string()),
        other => BlobError::Io {
            key: key.to_string(),
            source: std::io::Error::other(other),
        },
    }
}

fn local_io(key: &str, source: std::io::Error) -> BlobError {
    BlobError::Io {
        key: key.to_string(),
        source,
    }
}

impl S3BlobStore {
    /// Connects (lazily: the first request reaches the server) and makes
    /// the local staging folder.
    pub async fn open(cfg: &S3Config, staging: impl Into<PathBuf>) -> Result<Self> {
        let mut b = AmazonS3Builder::from_env().with_bucket_name(&cfg.bucket);
        if !cfg.region.is_empty() {
            b = b.with_region(&cfg.region);
        }
        if !cfg.endpoint.is_empty() {
            b = b
                .with_endpoint(&cfg.endpoint)
                .with_allow_http(cfg.endpoint.starts_with("http://"));
        }
        if !cfg.access_key_id.is_empty() {
            b = b
                .with_access_key_id(&cfg.access_key_id)
                .with_secret_access_key(&cfg.secret_access_key);
        }
        b = b.with_virtual_hosted_style_request(!cfg.path_style);
        let store = b.build().map_err(|e| remote("(configuration)", e))?;
        let staging = staging.into();
        tokio::fs::create_dir_all(&staging)
            .await
            .map_err(|e| local_io(".staging", e))?;
        Ok(Self {
            store: Arc::new(store),
            prefix: cfg.prefix.trim_matches('/').to_string(),
            staging,
            description: format!("s3://{}/{}", cfg.bucket, cfg.prefix.trim_matches('/')),
        })
    }

    /// `s3://bucket/prefix`, for logs.
    pub fn describe(&self) -> &str {
        &self.description
    }

    fn path(&self, key: &str) -> Result<ObjectPath> {
        validate_key(key)?;
        let full = if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.prefix)
        };
        ObjectPath::parse(&full).map_err(|_| BlobError::InvalidKey(key.to_string()))
    }

    /// Checks that the bucket answers (a listing of at most one object).
    pub async fn check(&self) -> Result<()> {
        let prefix = (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.as_str()));
        let mut list = self.store.list(prefix.as_ref());
        match list.next().await {
            Some(Err(e)) => Err(remote("(bucket)", e)),
            _ => Ok(()),
        }
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    fn staging_dir(&self) -> &Path {
        &self.staging
    }

    async fn put_file(&self, key: &str, file: &Path) -> Result<()> {
        let path = self.path(key)?;
        let mut f = tokio::fs::File::open(file)
            .await
            .map_err(|e| local_io(key, e))?;
        let len = f.metadata().await.map_err(|e| local_io(key, e))?.len();
        if len as usize <= PART {
            let mut buf = Vec::with_capacity(len as usize);
            f.read_to_end(&mut buf)
                .await
                .map_err(|e| local_io(key, e))?;
            self.store
                .put(&path, PutPayload::from(buf))
                .await
                .map_err(|e| remote(key, e))?;
        } else {
            let upload = self
                .store
                .put_multipart(&path)
                .await
                .map_err(|e| remote(key, e))?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
            let mut buf = vec![0u8; 1024 * 1024];
            loop {
                let n = f.read(&mut buf).await.map_err(|e| local_io(key, e))?;
                if n == 0 {
                    break;
                }
                writer
                    .wait_for_capacity(PARTS_IN_FLIGHT)
                    .await
                    .map_err(|e| remote(key, e))?;
                writer.write(&buf[..n]);
            }
            // On an error the upload is aborted by `finish` (parts removed).
            writer.finish().await.map_err(|e| remote(key, e))?;
        }
        // The staged file is consumed, as a rename would.
        tokio::fs::remove_file(file)
            .await
            .map_err(|e| local_io(key, e))?;
        Ok(())
    }

    async fn put_bytes(&self, key: &str, bytes: Bytes) -> Result<()> {
        let path = self.path(key)?;
        self.store
            .put(&path, PutPayload::from(bytes))
            .await
            .map_err(|e| remote(key, e))?;
        Ok(())
    }

    async fn exists(&self, key: &str) -> Result<bool> {
        match self.store.head(&self.path(key)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(remote(key, e)),
        }
    }

    async fn size(&self, key: &str) -> Result<u64> {
        let meta = self
            .store
            .head(&self.path(key)?)
            .await
            .map_err(|e| remote(key, e))?;
        Ok(meta.size)
    }

    async fn local(&self, key: &str) -> Result<LocalBlob> {
        let mut stream = self.stream(key).await?;
        let temp = tempfile::Builder::new()
            .prefix("blob-")
            .tempfile_in(&self.staging)
            .map_err(|e| local_io(key, e))?;
        let (std_file, temp_path) = temp.into_parts();
        let mut file = tokio::fs::File::from_std(std_file);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| local_io(key, e))?;
            file.write_all(&chunk).await.map_err(|e| local_io(key, e))?;
        }
        file.flush().await.map_err(|e| local_io(key, e))?;
        Ok(LocalBlob {
            path: temp_path.to_path_buf(),
            _temp: Some(temp_path),
        })
    }

    async fn stream(&self, key: &str) -> Result<BoxStream<'static, std::io::Result<Bytes>>> {
        let got = self
            .store
            .get(&self.path(key)?)
            .await
            .map_err(|e| remote(key, e))?;
        Ok(got.into_stream().map_err(std::io::Error::other).boxed())
    }

    async fn stream_range(
        &self,
        key: &str,
        range: std::ops::Range<u64>,
    ) -> Result<BoxStream<'static, std::io::Result<Bytes>>> {
        let options = object_store::GetOptions {
            range: Some(object_store::GetRange::Bounded(range)),
            ..Default::default()
        };
        let got = self
            .store
            .get_opts(&self.path(key)?, options)
            .await
            .map_err(|e| remote(key, e))?;
        Ok(got.into_stream().map_err(std::io::Error::other).boxed())
    }

    async fn delete(&self, key: &str) -> Result<()> {
        match self.store.delete(&self.path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(remote(key, e)),
        }
    }

    async fn delete_prefix(&self, prefix: &str) -> Result<()> {
        let dir = self.path(prefix)?;
        let locations = self.store.list(Some(&dir)).map_ok(|m| m.location).boxed();
        let mut deleted = self.store.delete_stream(locations);
        while let Some(r) = deleted.next().await {
            match r {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(remote(prefix, e)),
            }
        }
        Ok(())
    }
}
