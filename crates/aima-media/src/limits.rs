//! What a media file may make the tools do: read only its own bytes, and
//! only within bounds of size and memory.
//!
//! Every ffmpeg and ffprobe run gets the same input options
//! ([`MediaTools::input_args`]): only the demuxers of media AIMA analyses
//! (`-format_whitelist`, so a DASH manifest, HLS playlist or concat script
//! cannot be opened, whatever the file is called, and none of them can make
//! the tool open another file or a URL), only the `file` protocol, and a
//! decoder limit on pixels per frame (`-max_pixels`). Each run is started
//! under `prlimit --data` (util-linux), so a decoder that allocates anyway
//! fails inside the child instead of taking the machine's memory. Images
//! are measured from their header first ([`MediaTools::check_header`]),
//! before any decoder sees them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::{MediaError, MediaTools, Result};

/// The bounds every run of ffmpeg and ffprobe keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaLimits {
    /// Largest frame or image, in pixels (width × height).
    pub max_pixels: u64,
    /// Longest side of a frame or image, in pixels.
    pub max_side: u64,
    /// Memory (data segment) one ffmpeg or ffprobe process may use, in
    /// bytes; 0: no limit.
    pub max_memory_bytes: u64,
    /// Probes running at once; more wait their turn.
    pub max_probes: usize,
}

impl Default for MediaLimits {
    fn default() -> Self {
        Self {
            // 8K × 8K: a 64-megapixel photo passes, a decompression bomb
            // declaring 16000 × 16000 does not.
            max_pixels: 8192 * 8192,
            max_side: 16_384,
            max_memory_bytes: 2 * 1024 * 1024 * 1024,
            max_probes: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        }
    }
}

/// ffmpeg's demuxers for the media AIMA analyses, by their names. Anything
/// else (playlists, manifests, scripts, subtitles, text, raw data) is
/// refused by name at the probe and cannot be opened by any run.
const DEMUXERS: &[&str] = &[
    // Video (and their audio-only twins: m4a is mov, mka is matroska).
    "mov",
    "matroska",
    "avi",
    "flv",
    "mpegts",
    "mpeg",
    "asf",
    "mxf",
    "ogg",
    "nut",
    "ivf",
    "m4v",
    "h264",
    "hevc",
    "mjpeg",
    "dv", // Audio.
    "wav",
    "w64",
    "mp3",
    "flac",
    "aac",
    "ac3",
    "eac3",
    "amr",
    "aiff",
    "caf",
    "wv",
    "ape",
    "tta",
    "au",
    "dts",
    "truehd",
    "mpc",
    "mpc8", // Images.
    "image2",
    "png_pipe",
    "jpeg_pipe",
    "webp_pipe",
    "gif",
    "gif_pipe",
    "bmp_pipe",
    "tiff_pipe",
    "j2k_pipe",
    "qoi_pipe",
    "ppm_pipe",
    "pgm_pipe",
    "pam_pipe",
];

/// What a person reads in a refusal: the formats AIMA accepts.
pub const ACCEPTED_FORMATS: &str = "MP4/MOV/M4A, Matroska/WebM, AVI, FLV, MPEG-TS/PS, WMV/ASF, MXF, Ogg/Opus, NUT, IVF, raw H.264/HEVC/MJPEG, DV, WAV, MP3, FLAC, AAC, AC-3, AMR, AIFF, CAF, WavPack, APE, TTA, AU, DTS, TrueHD, Musepack, and PNG, JPEG, WebP, GIF, BMP, TIFF, JPEG 2000, QOI, PPM/PGM/PAM images";

/// Whether ffprobe's `format_name` (e.g. `mov,mp4,m4a,3gp,3g2,mj2`) is one
/// of [`DEMUXERS`]: any of its comma-separated names, as ffmpeg's own
/// whitelist matches it.
pub(crate) fn accepted_container(format_name: &str) -> bool {
    format_name.split(',').any(|n| DEMUXERS.contains(&n))
}

/// A program by name on `PATH` (or the path itself, if it has a `/`).
fn find_program(name: &Path) -> Option<PathBuf> {
    if name.components().count() > 1 {
        return name.is_file().then(|| name.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// util-linux's `prlimit`, if this machine has it (every Debian and
/// Ubuntu does: util-linux is essential there); without it the tools run
/// with no memory limit (`aima doctor` says so).
pub fn prlimit() -> Option<&'static Path> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let found = find_program(Path::new("prlimit"))
                .or_else(|| find_program(Path::new("/usr/bin/prlimit")));
            if found.is_none() {
                tracing::warn!(
                    "prlimit (util-linux) not found: ffmpeg and ffprobe run without a memory limit"
                );
            }
            found
        })
        .as_deref()
}

impl MediaTools {
    /// The first line of `ffmpeg -version` and of `ffprobe -version`, or
    /// why it could not be had.
    pub async fn versions(&self) -> [(String, Result<String>); 2] {
        [
            (
                crate::tool_name(&self.ffmpeg),
                self.version(&self.ffmpeg).await,
            ),
            (
                crate::tool_name(&self.ffprobe),
                self.version(&self.ffprobe).await,
            ),
        ]
    }

    async fn version(&self, tool: &Path) -> Result<String> {
        let out = self
            .command(tool)?
            .arg("-version")
            .output()
            .await
            .map_err(|source| MediaError::ToolMissing {
                tool: crate::tool_name(tool),
                source,
            })?;
        if !out.status.success() {
            return Err(MediaError::Unsupported(crate::tail_lines(
                &String::from_utf8_lossy(&out.stderr),
                2,
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string())
    }

    /// A command for `tool`, started under the memory limit. Rust's safe
    /// process API cannot set a child's rlimit (that takes `pre_exec`,
    /// which is `unsafe`, forbidden in this workspace), so `prlimit` sets
    /// it and then becomes the tool (same process, so `kill_on_drop` still
    /// reaches it).
    /// The tool is looked up first, so a missing one is `ToolMissing`
    /// whether or not `prlimit` stands in front of it.
    pub(crate) fn command(&self, tool: &Path) -> Result<tokio::process::Command> {
        let found = find_program(tool).ok_or_else(|| MediaError::ToolMissing {
            tool: crate::tool_name(tool),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        })?;
        let mut cmd = match (self.limits.max_memory_bytes, prlimit()) {
            (0, _) | (_, None) => tokio::process::Command::new(found),
            (bytes, Some(prlimit)) => {
                let mut c = tokio::process::Command::new(prlimit);
                c.arg(format!("--data={bytes}")).arg("--").arg(found);
                c
            }
        };
        cmd.kill_on_drop(true);
        Ok(cmd)
    }

    /// The options that go before every `-i`: only media demuxers, only
    /// local files, no frame above the pixel limit.
    pub(crate) fn input_args(&self) -> Vec<OsString> {
        vec![
            "-protocol_whitelist".into(),
            "file".into(),
            "-format_whitelist".into(),
            DEMUXERS.join(",").into(),
            "-max_pixels".into(),
            self.limits
                .max_pixels
                .min(i32::MAX as u64)
                .to_string()
                .into(),
        ]
    }

    /// Refuses dimensions above the limits.
    pub(crate) fn check_dimensions(&self, width: u64, height: u64) -> Result<()> {
        let l = &self.limits;
        if width > l.max_side || height > l.max_side || width.saturating_mul(height) > l.max_pixels
        {
            return Err(self.too_large(&format!("{width} × {height} pixels is")));
        }
        Ok(())
    }

    /// The refusal of something larger than the limits, `what` naming it.
    pub(crate) fn too_large(&self, what: &str) -> MediaError {
        let l = &self.limits;
        MediaError::TooLarge(format!(
            "{what} larger than this server accepts (at most {} pixels, {} on a side: \
             media.max_pixels, media.max_side)",
            l.max_pixels, l.max_side
        ))
    }

    /// Measures an image from its header alone (PNG, JPEG, GIF, WebP, TIFF,
    /// BMP, AVIF/HEIF, PSD, ...) and refuses one above the limits before
    /// any decoder allocates its pixels. Files that are not images pass.
    pub(crate) fn check_header(&self, path: &Path) -> Result<()> {
        match imagesize::size(path) {
            Ok(size) => self.check_dimensions(size.width as u64, size.height as u64),
            Err(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_allowed_by_name() {
        assert!(accepted_container("mov,mp4,m4a,3gp,3g2,mj2"));
        assert!(accepted_container("matroska,webm"));
        assert!(accepted_container("png_pipe"));
        for refused in [
            "dash",
            "hls",
            "concat",
            "tty",
            "srt",
            "ffmetadata",
            "data",
            "",
        ] {
            assert!(!accepted_container(refused), "{refused}");
        }
    }
}
