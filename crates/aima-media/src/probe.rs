use std::path::Path;

use aima_core::MediaKind;
use serde::{Deserialize, Serialize};

use crate::{tail_lines, MediaError, MediaTools, Result};

/// What ffprobe says about a file, reduced to what AIMA uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeInfo {
    pub kind: MediaKind,
    /// ffprobe's container name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub container: String,
    pub duration: Option<f64>,
    pub bit_rate: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub streams: Vec<StreamInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamInfo {
    pub index: i64,
    /// `video`, `audio`, `subtitle`, `data`...
    pub kind: String,
    pub codec: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub frame_rate: Option<f64>,
    pub sample_rate: Option<i64>,
    pub channels: Option<i64>,
    pub duration: Option<f64>,
    /// A cover picture inside an audio file, not a video track.
    pub attached_pic: bool,
}

// The parts of ffprobe's JSON we read.
#[derive(Deserialize)]
struct RawProbe {
    #[serde(default)]
    streams: Vec<RawStream>,
    format: Option<RawFormat>,
}

#[derive(Deserialize)]
struct RawFormat {
    format_name: Option<String>,
    duration: Option<String>,
    bit_rate: Option<String>,
}

#[derive(Deserialize)]
struct RawStream {
    index: i64,
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<i64>,
    height: Option<i64>,
    avg_frame_rate: Option<String>,
    sample_rate: Option<String>,
    channels: Option<i64>,
    duration: Option<String>,
    disposition: Option<RawDisposition>,
}

#[derive(Deserialize)]
struct RawDisposition {
    #[serde(default)]
    attached_pic: i64,
}

fn parse_rate(s: &str) -> Option<f64> {
    match s.split_once('/') {
        Some((n, d)) => {
            let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
            (d > 0.0 && n > 0.0).then(|| n / d)
        }
        None => s.parse().ok().filter(|v: &f64| *v > 0.0),
    }
}

fn parse_f64(s: &Option<String>) -> Option<f64> {
    s.as_deref()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// Turns ffprobe's JSON into [`ProbeInfo`], deciding the media kind.
pub fn interpret(json: &[u8]) -> Result<ProbeInfo> {
    let raw: RawProbe = serde_json::from_slice(json)
        .map_err(|e| MediaError::Unsupported(format!("unreadable ffprobe output: {e}")))?;
    let format = raw
        .format
        .ok_or_else(|| MediaError::Unsupported("no container found".into()))?;
    let container = format.format_name.unwrap_or_default();
    if !crate::limits::accepted_container(&container) {
        return Err(MediaError::Unsupported(format!(
            "{container} is not an audio, video or image format AIMA analyses; \
             it accepts {}",
            crate::ACCEPTED_FORMATS
        )));
    }
    let streams: Vec<StreamInfo> = raw
        .streams
        .iter()
        .map(|s| StreamInfo {
            index: s.index,
            kind: s.codec_type.clone().unwrap_or_else(|| "unknown".into()),
            codec: s.codec_name.clone(),
            width: s.width,
            height: s.height,
            frame_rate: s.avg_frame_rate.as_deref().and_then(parse_rate),
            sample_rate: s.sample_rate.as_deref().and_then(|v| v.parse().ok()),
            channels: s.channels,
            duration: parse_f64(&s.duration),
            attached_pic: s.disposition.as_ref().is_some_and(|d| d.attached_pic == 1),
        })
        .collect();
    let video = streams
        .iter()
        .find(|s| s.kind == "video" && !s.attached_pic && s.width.unwrap_or(0) > 0);
    let has_audio = streams.iter().any(|s| s.kind == "audio");
    // Still images come through ffmpeg's image demuxers (`image2`, `png_pipe`,
    // `jpeg_pipe`, ...). An animated GIF or WebP is treated as an image too:
    // its first frame is what a person sees in a list.
    let is_image_container = container == "image2"
        || container.ends_with("_pipe")
        || container == "gif"
        || container == "webp";
    let duration = parse_f64(&format.duration);
    let kind = match (video, has_audio) {
        (Some(_), _) if is_image_container => MediaKind::Image,
        (Some(_), _) => MediaKind::Video,
        (None, true) => MediaKind::Audio,
        (None, false) => {
            return Err(MediaError::Unsupported(
                "the file has no audio, video or image stream".into(),
            ))
        }
    };
    if kind != MediaKind::Image && !duration.is_some_and(|d| d > 0.0) {
        return Err(MediaError::Unsupported(
            "the file has no playable duration".into(),
        ));
    }
    if let Some(v) = video {
        if v.codec.as_deref() == Some("ansi") {
            return Err(MediaError::Unsupported("text is not media".into()));
        }
    }
    Ok(ProbeInfo {
        kind,
        container,
        duration: if kind == MediaKind::Image {
            None
        } else {
            duration
        },
        bit_rate: format.bit_rate.as_deref().and_then(|b| b.parse().ok()),
        width: video.and_then(|v| v.width),
        height: video.and_then(|v| v.height),
        streams,
    })
}

impl MediaTools {
    /// Probes a file. A file ffprobe cannot read as media is `Unsupported`;
    /// an image or video above [`crate::MediaLimits`] is `TooLarge`,
    /// refused from its header before a decoder allocates its pixels.
    /// At most `max_probes` run at once; the others wait.
    pub async fn probe(&self, path: &Path) -> Result<ProbeInfo> {
        let _turn = self
            .probes
            .acquire()
            .await
            .map_err(|_| MediaError::Io(std::io::Error::other("probes closed")))?;
        self.check_header(path)?;
        let output = self
            .command(&self.ffprobe)?
            .args([
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
            ])
            .args(self.input_args())
            .arg("-i")
            .arg(path)
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .map_err(|source| MediaError::ToolMissing {
                tool: crate::tool_name(&self.ffprobe),
                source,
            })?;
        if !output.status.success() {
            let err = String::from_utf8_lossy(&output.stderr);
            // The decoder's pixel limit, or a format outside the list.
            if err.contains("exceeds specified max pixel count") {
                return Err(self.too_large("its frames are"));
            }
            if err.contains("not on whitelist") {
                return Err(MediaError::Unsupported(format!(
                    "the format is not one AIMA analyses; it accepts {}",
                    crate::ACCEPTED_FORMATS
                )));
            }
            let reason = tail_lines(&err, 2);
            // ffprobe prefixes messages with the file path: keep only the reason.
            let reason = reason
                .rsplit_once(": ")
                .map(|(_, r)| r.to_string())
                .unwrap_or(reason);
            return Err(MediaError::Unsupported(if reason.is_empty() {
                "ffprobe could not read it".into()
            } else {
                reason
            }));
        }
        let info = interpret(&output.stdout)?;
        for s in info.streams.iter().filter(|s| s.kind == "video") {
            self.check_dimensions(
                s.width.unwrap_or(0).max(0) as u64,
                s.height.unwrap_or(0).max(0) as u64,
            )?;
        }
        Ok(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from ffprobe 5.1 on files made by ffmpeg (trimmed to the fields read).
    const MP4: &str = r#"{"streams":[
        {"index":0,"codec_type":"video","codec_name":"h264","width":320,"height":240,"avg_frame_rate":"25/1","duration":"2.000000","disposition":{"attached_pic":0}},
        {"index":1,"codec_type":"audio","codec_name":"aac","sample_rate":"44100","channels":1,"duration":"2.000000","disposition":{"attached_pic":0}}],
        "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"2.000000","bit_rate":"123456"}}"#;
    const PNG: &str = r#"{"streams":[{"index":0,"codec_type":"video","codec_name":"png","width":64,"height":48,"avg_frame_rate":"0/0"}],
        "format":{"format_name":"png_pipe"}}"#;
    const MP3_WITH_COVER: &str = r#"{"streams":[
        {"index":0,"codec_type":"audio","codec_name":"mp3","sample_rate":"16000","channels":1},
        {"index":1,"codec_type":"video","codec_name":"mjpeg","width":300,"height":300,"disposition":{"attached_pic":1}}],
        "format":{"format_name":"mp3","duration":"3.5"}}"#;
    const TTY: &str = r#"{"streams":[{"index":0,"codec_type":"video","codec_name":"ansi","width":640,"height":400}],
        "format":{"format_name":"tty","duration":"0.1"}}"#;

    #[test]
    fn kinds() {
        let v = interpret(MP4.as_bytes()).ok();
        assert_eq!(v.as_ref().map(|p| p.kind), Some(MediaKind::Video));
        assert_eq!(v.as_ref().and_then(|p| p.width), Some(320));
        assert_eq!(v.as_ref().and_then(|p| p.streams[0].frame_rate), Some(25.0));
        let i = interpret(PNG.as_bytes()).ok();
        assert_eq!(i.as_ref().map(|p| p.kind), Some(MediaKind::Image));
        assert_eq!(i.as_ref().and_then(|p| p.duration), None);
        let a = interpret(MP3_WITH_COVER.as_bytes()).ok();
        assert_eq!(a.as_ref().map(|p| p.kind), Some(MediaKind::Audio));
        assert_eq!(a.as_ref().and_then(|p| p.width), None);
    }

    #[test]
    fn refuses_text_and_empty() {
        assert!(matches!(
            interpret(TTY.as_bytes()),
            Err(MediaError::Unsupported(_))
        ));
        assert!(matches!(
            interpret(br#"{"streams":[],"format":{"format_name":"mp3"}}"#),
            Err(MediaError::Unsupported(_))
        ));
        assert!(matches!(
            interpret(b"not json"),
            Err(MediaError::Unsupported(_))
        ));
    }
}
