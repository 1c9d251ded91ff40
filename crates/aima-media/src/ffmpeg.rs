use std::path::{Path, PathBuf};
use std::process::Stdio;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::{tail_lines, MediaError, MediaTools, Result};

/// How keyframes are chosen and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyframeOptions {
    /// ffmpeg's scene-change score (0..1) above which a frame starts a new scene.
    pub scene_threshold: f64,
    /// Take a frame at least this often (seconds) even without a scene change.
    pub max_interval: Option<f64>,
    /// Never more than this many keyframes per media.
    pub max_frames: u32,
    /// Thumbnail width in pixels (never upscaled).
    pub thumb_width: u32,
}

impl Default for KeyframeOptions {
    fn default() -> Self {
        Self {
            scene_threshold: 0.3,
            max_interval: Some(30.0),
            max_frames: 500,
            thumb_width: 320,
        }
    }
}

/// One keyframe written as a JPEG thumbnail.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyframe {
    /// 0-based position among the keyframes of this media.
    pub index: u32,
    /// Seconds from the start of the media.
    pub time: f64,
    pub path: PathBuf,
}

/// Reads `pts_time:12.34` from one of showinfo's log lines.
fn showinfo_time(line: &str) -> Option<f64> {
    if !line.contains("Parsed_showinfo") || !line.contains(" n:") {
        return None;
    }
    let rest = &line[line.find("pts_time:")? + "pts_time:".len()..];
    rest.split_whitespace().next()?.parse().ok()
}

/// ffmpeg's arguments up to the output options, for the frames of the first
/// video stream of `input` taken at the first frame, at each scene change
/// above `scene_threshold` and at least every `max_interval` seconds (0:
/// never), each logged by `showinfo` (its time) and then put through
/// `scale`; at most `max_frames`. `xerror` stops at the first decoding
/// error.
pub(crate) fn sampled_frames_args(
    input_args: Vec<std::ffi::OsString>,
    input: &Path,
    scene_threshold: f64,
    max_interval: f64,
    scale: &str,
    max_frames: u32,
    xerror: bool,
) -> Vec<std::ffi::OsString> {
    let mut select = format!("eq(n,0)+gt(scene,{scene_threshold:.4})");
    if max_interval > 0.0 {
        select.push_str(&format!("+gte(t-prev_selected_t,{max_interval:.3})"));
    }
    let filter = format!("select='{select}',showinfo,{scale}");
    let mut args: Vec<std::ffi::OsString> =
        ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "info"]
            .iter()
            .map(Into::into)
            .collect();
    if xerror {
        args.push("-xerror".into());
    }
    args.extend(input_args);
    args.push("-i".into());
    args.push(input.into());
    for a in [
        "-map",
        "0:v:0",
        "-an",
        "-sn",
        "-dn",
        "-vf",
        &filter,
        "-fps_mode",
        "vfr",
        "-frames:v",
    ] {
        args.push(a.into());
    }
    args.push(max_frames.max(1).to_string().into());
    args
}

/// Reads ffmpeg's stderr: each `showinfo` line gives a kept frame's time,
/// in order, to `on_time`; the last few other lines are returned to explain
/// a failure.
pub(crate) fn read_showinfo(
    stderr: tokio::process::ChildStderr,
    mut on_time: impl FnMut(f64) + Send + 'static,
) -> tokio::task::JoinHandle<String> {
    tokio::spawn(async move {
        let mut other = std::collections::VecDeque::new();
        let mut reader = BufReader::new(stderr);
        let mut buf = Vec::new();
        while let Ok(n) = reader.read_until(b'\n', &mut buf).await {
            if n == 0 {
                break;
            }
            let line = String::from_utf8_lossy(&buf).into_owned();
            buf.clear();
            if let Some(t) = showinfo_time(&line) {
                on_time(t);
            } else if !line.contains("Parsed_showinfo") {
                other.push_back(line);
                if other.len() > 20 {
                    other.pop_front();
                }
            }
        }
        other.into_iter().collect::<String>()
    })
}

/// Reads ffmpeg's `-progress` key `out_time_us=1234567` as seconds.
fn progress_time(line: &str) -> Option<f64> {
    let v = line
        .strip_prefix("out_time_us=")
        .or_else(|| line.strip_prefix("out_time_ms="))?;
    let us: f64 = v.trim().parse().ok()?;
    (us >= 0.0).then_some(us / 1_000_000.0)
}

impl MediaTools {
    /// Decodes the first `seconds` of every stream and fails on the first
    /// decoding error: a quick check that catches corrupt or truncated data
    /// that ffprobe's header read lets through.
    pub async fn decode_check(&self, input: &Path, seconds: f64) -> Result<()> {
        let output = self
            .command(&self.ffmpeg)?
            .args(["-nostdin", "-hide_banner", "-v", "error", "-xerror", "-t"])
            .arg(format!("{seconds:.3}"))
            .args(self.input_args())
            .arg("-i")
            .arg(input)
            .args(["-map", "0:v?", "-map", "0:a?", "-f", "null", "-"])
            .stdin(Stdio::null())
            .output()
            .await
            .map_err(|source| MediaError::ToolMissing {
                tool: crate::tool_name(&self.ffmpeg),
                source,
            })?;
        if output.status.success() {
            Ok(())
        } else {
            Err(MediaError::Corrupt(tail_lines(
                &String::from_utf8_lossy(&output.stderr),
                3,
            )))
        }
    }

    /// Writes scene-change keyframes of `input` as JPEG thumbnails into
    /// `out_dir`, sending each one on `events` as soon as its file is
    /// complete (so a caller can save it before the rest are found), with
    /// progress as a share of `duration`. Returns how many were written.
    pub async fn keyframes(
        &self,
        input: &Path,
        out_dir: &Path,
        opts: &KeyframeOptions,
        duration: Option<f64>,
        cancel: &CancellationToken,
        events: mpsc::Sender<KeyframeEvent>,
    ) -> Result<usize> {
        let scale = format!("scale='min({w},iw)':-2", w = opts.thumb_width.max(16));
        let mut args = sampled_frames_args(
            self.input_args(),
            input,
            opts.scene_threshold,
            opts.max_interval.unwrap_or(0.0),
            &scale,
            opts.max_frames,
            false,
        );
        let pattern = out_dir.join("kf-%06d.jpg");
        for a in [
            "-q:v",
            "4",
            "-progress",
            "pipe:1",
            "-stats_period",
            "0.25",
            "-y",
        ] {
            args.push(a.into());
        }
        args.push(pattern.into());
        let crate::Piped {
            mut child,
            stdout,
            stderr,
        } = self.spawn_ffmpeg(&args)?;
        let times = Arc::new(Mutex::new(Vec::<f64>::new()));
        let err_task = {
            let times = times.clone();
            read_showinfo(stderr, move |t| {
                if let Ok(mut v) = times.lock() {
                    v.push(t);
                }
            })
        };

        // stdout: `-progress` blocks. `frame=N` says N files are complete.
        let mut sent = 0usize;
        let mut written = 0usize;
        let send_ready = |upto: usize, sent: &mut usize| {
            let known = times.lock().map(|v| v.clone()).unwrap_or_default();
            let mut ready = Vec::new();
            while *sent < upto.min(known.len()) {
                ready.push(Keyframe {
                    index: *sent as u32,
                    time: known[*sent],
                    path: out_dir.join(format!("kf-{:06}.jpg", *sent + 1)),
                });
                *sent += 1;
            }
            ready
        };
        let mut lines = BufReader::new(stdout).lines();
        let status = loop {
            tokio::select! {
                _ = cancel.cancelled() => {
                    let _ = child.kill().await;
                    return Err(MediaError::Cancelled);
                }
                line = lines.next_line() => match line {
                    Ok(Some(line)) => {
                        if let Some(n) = line.strip_prefix("frame=").and_then(|n| n.trim().parse::<usize>().ok()) {
                            written = n;
                        } else if let (Some(t), Some(d)) = (progress_time(&line), duration) {
                            if d > 0.0 {
                                let _ = events.send(KeyframeEvent::Progress((t / d).clamp(0.0, 1.0))).await;
                            }
                        } else if line.starts_with("progress=continue") {
                            // The newest file may still be open: hold it back one block.
                            for kf in send_ready(written.saturating_sub(1), &mut sent) {
                                if events.send(KeyframeEvent::Frame(kf)).await.is_err() {
                                    // The receiver gave up (it failed to save): stop ffmpeg.
                                    let _ = child.kill().await;
                                    return Err(MediaError::Cancelled);
                                }
                            }
                        }
                    }
                    // stdout closed: ffmpeg is ending.
                    _ => break child.wait().await?,
                }
            }
        };
        let log = err_task
            .await
            .map_err(|e| MediaError::Io(std::io::Error::other(e.to_string())))?;
        if !status.success() {
            return Err(MediaError::Corrupt(format!(
                "ffmpeg could not decode the video ({})",
                tail_lines(&log, 3)
            )));
        }
        // ffmpeg has exited: every file it wrote is complete.
        let mut files = 0;
        while tokio::fs::try_exists(out_dir.join(format!("kf-{:06}.jpg", files + 1))).await? {
            files += 1;
        }
        for kf in send_ready(files, &mut sent) {
            let _ = events.send(KeyframeEvent::Frame(kf)).await;
        }
        if sent == 0 {
            return Err(MediaError::Corrupt(format!(
                "no frame could be decoded ({})",
                tail_lines(&log, 3)
            )));
        }
        let _ = events.send(KeyframeEvent::Progress(1.0)).await;
        Ok(sent)
    }
}

/// What [`MediaTools::keyframes`] reports while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyframeEvent {
    /// Share of the media processed, 0..1.
    Progress(f64),
    /// A keyframe whose file is complete.
    Frame(Keyframe),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_showinfo_and_progress() {
        let line = "[Parsed_showinfo_1 @ 0x55d5] n:   3 pts:  76800 pts_time:6.4     duration:512 fmt:yuv420p";
        assert_eq!(showinfo_time(line), Some(6.4));
        assert_eq!(
            showinfo_time("[Parsed_showinfo_1 @ 0x55d5] config in time_base: 1/12800"),
            None
        );
        assert_eq!(showinfo_time("frame=1 pts_time:3"), None);
        assert_eq!(progress_time("out_time_us=2500000"), Some(2.5));
        assert_eq!(progress_time("out_time_us=N/A"), None);
        assert_eq!(progress_time("progress=end"), None);
    }
}
