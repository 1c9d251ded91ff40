//! ffprobe and ffmpeg, run as child processes.
//!
//! Architecture invariant: this is the only crate that starts media tools.
//! Processes are spawned directly (no shell, so no quoting bugs and no
//! injection through file names), with `kill_on_drop`, so a cancelled or
//! dropped analysis never leaves an ffmpeg behind.

mod audio;
mod ffmpeg;
mod frames;
mod limits;
mod probe;

use std::path::PathBuf;
use std::sync::Arc;

pub use audio::{AudioStream, SAMPLE_RATE};
pub use ffmpeg::{Keyframe, KeyframeEvent, KeyframeOptions};
pub use frames::{FrameSampling, FrameStream, RawFrame};
pub use limits::{prlimit, MediaLimits, ACCEPTED_FORMATS};
pub use probe::{ProbeInfo, StreamInfo};

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{tool} could not be started ({source}); install ffmpeg or set media.ffmpeg / media.ffprobe")]
    ToolMissing {
        tool: String,
        #[source]
        source: std::io::Error,
    },
    #[error("not a readable audio, video or image file: {0}")]
    Unsupported(String),
    #[error("the media is corrupt or truncated: {0}")]
    Corrupt(String),
    /// Larger than [`MediaLimits`] allow (pixels, sides): refused before
    /// anything decodes it.
    #[error("{0}")]
    TooLarge(String),
    #[error("cancelled")]
    Cancelled,
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = MediaError> = std::result::Result<T, E>;

/// Where the media tools are, and the bounds every run of them keeps.
/// Defaults to `ffmpeg` and `ffprobe` on `PATH` with [`MediaLimits`]'
/// defaults.
#[derive(Debug, Clone)]
pub struct MediaTools {
    pub ffmpeg: PathBuf,
    pub ffprobe: PathBuf,
    limits: MediaLimits,
    /// Probes running at once (uploads arrive in parallel; each probe is a
    /// process whose memory the limits bound, and this bounds their number).
    probes: Arc<tokio::sync::Semaphore>,
    /// Frame decoders started ([`MediaTools::frames`]), by this value and
    /// its clones: what a shared decode saves is seen here.
    frame_decoders: Arc<std::sync::atomic::AtomicUsize>,
}

impl Default for MediaTools {
    fn default() -> Self {
        Self::new("ffmpeg", "ffprobe", MediaLimits::default())
    }
}

/// A running ffmpeg with its output pipes.
pub(crate) struct Piped {
    pub child: tokio::process::Child,
    pub stdout: tokio::process::ChildStdout,
    pub stderr: tokio::process::ChildStderr,
}

impl MediaTools {
    pub fn new(
        ffmpeg: impl Into<PathBuf>,
        ffprobe: impl Into<PathBuf>,
        limits: MediaLimits,
    ) -> Self {
        let probes = Arc::new(tokio::sync::Semaphore::new(limits.max_probes.max(1)));
        Self {
            ffmpeg: ffmpeg.into(),
            ffprobe: ffprobe.into(),
            limits,
            probes,
            frame_decoders: Default::default(),
        }
    }

    /// How many frame decoders (ffmpeg processes sampling a video's
    /// frames) these tools and their clones have started.
    pub fn frame_decoders_started(&self) -> usize {
        self.frame_decoders
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn limits(&self) -> &MediaLimits {
        &self.limits
    }

    /// Starts ffmpeg with `args` (no shell), stdin closed, stdout and stderr
    /// piped, killed if dropped, under the memory limit.
    pub(crate) fn spawn_ffmpeg(&self, args: &[std::ffi::OsString]) -> Result<Piped> {
        use std::process::Stdio;
        let mut child = self
            .command(&self.ffmpeg)?
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| MediaError::ToolMissing {
                tool: crate::tool_name(&self.ffmpeg),
                source,
            })?;
        let missing = || MediaError::Io(std::io::Error::other("ffmpeg pipes were not captured"));
        let stdout = child.stdout.take().ok_or_else(missing)?;
        let stderr = child.stderr.take().ok_or_else(missing)?;
        Ok(Piped {
            child,
            stdout,
            stderr,
        })
    }
}

/// A tool as an error names it: `ffmpeg`, not where it is on the server
/// (the configured path is in `media.ffmpeg`).
pub(crate) fn tool_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Keeps the last lines of a tool's stderr for error messages, without
/// letting a chatty tool grow memory without bound, and without the
/// server's paths (ffmpeg starts its messages with the input's path).
pub(crate) fn tail_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(n);
    let text = aima_core::redact_paths(&lines[start..].join("; "));
    // "<path>: reason" says no more than "reason".
    text.replace("<path>: ", "")
}
