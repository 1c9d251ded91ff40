//! Sampled video frames as raw RGB, for the vision analyzers.
//!
//! ffmpeg picks frames (the first, every scene change, and at least one per
//! `max_interval` seconds), scales them to fit `max_side`, and writes them as
//! a stream of binary PPM images to a pipe: each PPM carries its own size, so
//! rotated or odd-sized video needs no guessing. `showinfo` on stderr gives
//! each kept frame's time, in the same order.

use std::path::Path;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdout};
use tokio::sync::mpsc;

use crate::{tail_lines, MediaError, MediaTools, Result};

/// Which frames of a video are analysed.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameSampling {
    /// ffmpeg's scene-change score (0..1) above which a frame is taken.
    pub scene_threshold: f64,
    /// Take a frame at least this often (seconds); 0 keeps only scene changes.
    pub max_interval: f64,
    /// Never more than this many frames per media.
    pub max_frames: u32,
    /// Frames larger than this (longest side, pixels) are scaled down.
    pub max_side: u32,
}

impl Default for FrameSampling {
    fn default() -> Self {
        Self {
            scene_threshold: 0.3,
            max_interval: 2.0,
            max_frames: 2_000,
            max_side: 1280,
        }
    }
}

/// One decoded frame, RGB, 3 bytes per pixel, rows top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFrame {
    /// 0-based among the sampled frames.
    pub index: u32,
    /// Seconds from the start of the media (0 for an image).
    pub time: f64,
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

/// Sampled frames of one media, read one at a time from ffmpeg.
pub struct FrameStream {
    child: Child,
    stdout: BufReader<ChildStdout>,
    times: mpsc::UnboundedReceiver<f64>,
    stderr: tokio::task::JoinHandle<String>,
    next: u32,
}

/// The largest frame accepted from the pipe (a bound on memory whatever the
/// options say).
const MAX_PIXELS: u64 = 8192 * 8192;

impl MediaTools {
    /// Starts sampling frames of the first video stream of `input` (an image
    /// is one frame). Decoding errors end the stream with
    /// [`MediaError::Corrupt`].
    pub fn frames(&self, input: &Path, sampling: &FrameSampling) -> Result<FrameStream> {
        let side = sampling.max_side.max(16);
        // Fit inside side x side, never upscale.
        let scale = format!(
            "scale=w='min({side},iw)':h='min({side},ih)':force_original_aspect_ratio=decrease"
        );
        let mut args = crate::ffmpeg::sampled_frames_args(
            self.input_args(),
            input,
            sampling.scene_threshold,
            sampling.max_interval,
            &scale,
            sampling.max_frames,
            true,
        );

        for a in ["-f", "image2pipe", "-c:v", "ppm", "-pix_fmt", "rgb24", "-"] {
            args.push(a.into());
        }
        let crate::Piped {
            child,
            stdout,
            stderr,
        } = self.spawn_ffmpeg(&args)?;
        self.frame_decoders
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, times) = mpsc::unbounded_channel();
        let stderr = crate::ffmpeg::read_showinfo(stderr, move |t| {
            let _ = tx.send(t);
        });
        Ok(FrameStream {
            child,
            stdout: BufReader::with_capacity(1 << 20, stdout),
            times,
            stderr,
            next: 0,
        })
    }
}

impl FrameStream {
    /// The next frame, or `None` at the end of the stream (then call
    /// [`FrameStream::finish`] to learn whether decoding succeeded).
    pub async fn next_frame(&mut self) -> Result<Option<RawFrame>> {
        let Some((width, height)) = read_ppm_header(&mut self.stdout).await? else {
            return Ok(None);
        };
        if u64::from(width) * u64::from(height) > MAX_PIXELS || width == 0 || height == 0 {
            return Err(MediaError::Corrupt(format!(
                "a frame of {width}x{height} pixels is out of bounds"
            )));
        }
        let mut rgb = vec![0u8; width as usize * height as usize * 3];
        self.stdout
            .read_exact(&mut rgb)
            .await
            .map_err(|_| MediaError::Corrupt("a frame was cut short".into()))?;
        // showinfo logs a frame before it is encoded: its time is there or coming.
        let time = self.times.recv().await.unwrap_or(0.0).max(0.0);
        let index = self.next;
        self.next += 1;
        Ok(Some(RawFrame {
            index,
            time,
            width,
            height,
            rgb,
        }))
    }

    /// Waits for ffmpeg to end and reports a decoding failure.
    pub async fn finish(mut self) -> Result<()> {
        let status = self.child.wait().await?;
        let log = self.stderr.await.unwrap_or_default();
        if !status.success() {
            if log.contains("matches no streams") || log.contains("does not contain any stream") {
                return Err(MediaError::Unsupported(
                    "the media has no video stream".into(),
                ));
            }
            return Err(MediaError::Corrupt(format!(
                "the frames could not be decoded ({})",
                tail_lines(&log, 3)
            )));
        }
        if self.next == 0 {
            return Err(MediaError::Corrupt(format!(
                "no frame could be decoded ({})",
                tail_lines(&log, 3)
            )));
        }
        Ok(())
    }
}

/// Reads `P6 <w> <h> <maxval>` and the single whitespace after it; `None`
/// at a clean end of stream.
async fn read_ppm_header<R: AsyncBufReadExt + Unpin>(r: &mut R) -> Result<Option<(u32, u32)>> {
    let mut fields: Vec<u32> = Vec::with_capacity(3);
    let mut magic = [0u8; 2];
    match r.read_exact(&mut magic).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    if &magic != b"P6" {
        return Err(MediaError::Corrupt("ffmpeg wrote no PPM frame".into()));
    }
    let mut token = String::new();
    while fields.len() < 3 {
        let b = r
            .read_u8()
            .await
            .map_err(|_| MediaError::Corrupt("a frame header was cut short".into()))?;
        if b == b'#' {
            let mut comment = Vec::new();
            r.read_until(b'\n', &mut comment).await?;
        } else if b.is_ascii_whitespace() {
            if !token.is_empty() {
                fields.push(
                    token
                        .parse()
                        .map_err(|_| MediaError::Corrupt("bad frame header".into()))?,
                );
                token.clear();
            }
        } else if b.is_ascii_digit() && token.len() < 10 {
            token.push(b as char);
        } else {
            return Err(MediaError::Corrupt("bad frame header".into()));
        }
    }
    if fields[2] != 255 {
        return Err(MediaError::Corrupt(format!(
            "frames of {} levels per channel are not supported",
            fields[2]
        )));
    }
    Ok(Some((fields[0], fields[1])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_ppm_headers() {
        let mut data: &[u8] = b"P6\n# made by hand\n3 2\n255\n";
        let mut r = BufReader::new(&mut data);
        assert_eq!(read_ppm_header(&mut r).await.ok().flatten(), Some((3, 2)));
        let mut empty: &[u8] = b"";
        let mut r = BufReader::new(&mut empty);
        assert!(matches!(read_ppm_header(&mut r).await, Ok(None)));
        let mut bad: &[u8] = b"P5\n3 2\n255\n";
        let mut r = BufReader::new(&mut bad);
        assert!(read_ppm_header(&mut r).await.is_err());
        let mut deep: &[u8] = b"P6 3 2 65535\n";
        let mut r = BufReader::new(&mut deep);
        assert!(read_ppm_header(&mut r).await.is_err());
    }
}
