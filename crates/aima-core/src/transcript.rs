//! Transcript exports: SRT, WebVTT and plain text from time-coded segments.

use serde::{Deserialize, Serialize};

/// One piece of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TranscriptFormat {
    Json,
    Srt,
    Vtt,
    Txt,
}

impl TranscriptFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(Self::Json),
            "srt" => Some(Self::Srt),
            "vtt" => Some(Self::Vtt),
            "txt" | "text" => Some(Self::Txt),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Srt => "application/x-subrip; charset=utf-8",
            Self::Vtt => "text/vtt; charset=utf-8",
            Self::Txt => "text/plain; charset=utf-8",
        }
    }
}

fn stamp(seconds: f64, sep: char) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}{sep}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Cue text must not contain a blank line (it would end the cue), nor, in
/// WebVTT, the arrow that marks timings.
fn cue_text(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .replace("-->", "->")
}

/// The transcript segments among a media's insights, in time order.
pub fn segments_from_insights<'a>(
    insights: impl IntoIterator<Item = &'a crate::Insight>,
) -> Vec<Segment> {
    let mut out: Vec<Segment> = insights
        .into_iter()
        .filter(|i| i.analyzer == "transcribe" && i.kind == "transcript_segment")
        .map(|i| Segment {
            start: i.start,
            end: i.end.unwrap_or(i.start),
            text: i.data["text"]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_string(),
        })
        .collect();
    out.sort_by(|a, b| a.start.total_cmp(&b.start));
    out
}

/// Renders segments in a text format (`Json` gives `{"segments": [...], "text"}`).
pub fn render(format: TranscriptFormat, segments: &[Segment]) -> String {
    match format {
        TranscriptFormat::Srt => to_srt(segments),
        TranscriptFormat::Vtt => to_vtt(segments),
        TranscriptFormat::Txt => to_txt(segments),
        TranscriptFormat::Json => serde_json::json!({
            "text": segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" "),
            "segments": segments,
        })
        .to_string(),
    }
}

pub fn to_srt(segments: &[Segment]) -> String {
    let mut out = String::new();
    for (i, s) in segments.iter().enumerate() {
        out.push_str(&format!(
            "{}\n{} --> {}\n{}\n\n",
            i + 1,
            stamp(s.start, ','),
            stamp(s.end, ','),
            cue_text(&s.text)
        ));
    }
    out
}

pub fn to_vtt(segments: &[Segment]) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for s in segments {
        out.push_str(&format!(
            "{} --> {}\n{}\n\n",
            stamp(s.start, '.'),
            stamp(s.end, '.'),
            cue_text(&s.text)
        ));
    }
    out
}

pub fn to_txt(segments: &[Segment]) -> String {
    let mut out = segments
        .iter()
        .map(|s| s.text.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs() -> Vec<Segment> {
        vec![
            Segment {
                start: 0.0,
                end: 2.5,
                text: " Hello there.".into(),
            },
            Segment {
                start: 3661.25,
                end: 3662.0,
                text: "Two\n\nlines --> here".into(),
            },
        ]
    }

    #[test]
    fn srt() {
        assert_eq!(
            to_srt(&segs()),
            "1\n00:00:00,000 --> 00:00:02,500\nHello there.\n\n2\n01:01:01,250 --> 01:01:02,000\nTwo\nlines -> here\n\n"
        );
    }

    #[test]
    fn vtt_and_txt() {
        let v = to_vtt(&segs());
        assert!(v.starts_with("WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nHello there.\n\n"));
        assert_eq!(to_txt(&segs()), "Hello there.\nTwo\n\nlines --> here\n");
        assert_eq!(TranscriptFormat::parse("vtt"), Some(TranscriptFormat::Vtt));
        assert_eq!(TranscriptFormat::parse("doc"), None);
    }
}
