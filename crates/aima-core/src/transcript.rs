//! Transcript exports: SRT, WebVTT, CSV and plain text from time-coded
//! segments, and the languages a transcript is in.

use serde::{Deserialize, Serialize};

/// One piece of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub text: String,
    /// ISO 639-1 code of the language the segment was heard in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// How sure language detection was (0 to 1); absent where the language
    /// was set or assumed rather than detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_probability: Option<f32>,
}

/// A detected language less likely than this is reported as uncertain.
pub const UNCERTAIN_LANGUAGE: f32 = 0.5;

/// One language of a transcript: how long it is spoken and how sure its
/// detection was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LanguageShare {
    /// ISO 639-1 code.
    pub language: String,
    /// Seconds of segments in this language.
    pub seconds: f64,
    pub segments: u32,
    /// Mean detection probability over its detected segments; absent when
    /// the language was set by the job or assumed by an English-only model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f32>,
    /// The detection was unsure (probability below 0.5): the transcript may
    /// be in a language the model does not know well, or not speech.
    pub uncertain: bool,
}

/// The languages of `segments`, the most spoken first.
pub fn languages(segments: &[Segment]) -> Vec<LanguageShare> {
    let mut out: Vec<(LanguageShare, f32, u32)> = Vec::new();
    for s in segments {
        let Some(lang) = &s.language else { continue };
        let i = match out.iter().position(|(l, ..)| &l.language == lang) {
            Some(i) => i,
            None => {
                out.push((
                    LanguageShare {
                        language: lang.clone(),
                        seconds: 0.0,
                        segments: 0,
                        probability: None,
                        uncertain: false,
                    },
                    0.0,
                    0,
                ));
                out.len() - 1
            }
        };
        let (share, sum, detected) = &mut out[i];
        share.seconds += (s.end - s.start).max(0.0);
        share.segments += 1;
        if let Some(p) = s.language_probability {
            *sum += p;
            *detected += 1;
        }
    }
    let mut out: Vec<LanguageShare> = out
        .into_iter()
        .map(|(mut share, sum, detected)| {
            if detected > 0 {
                let p = sum / detected as f32;
                share.probability = Some(p);
                share.uncertain = p < UNCERTAIN_LANGUAGE;
            }
            share.seconds = (share.seconds * 1000.0).round() / 1000.0;
            share
        })
        .collect();
    out.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TranscriptFormat {
    Json,
    Srt,
    Vtt,
    Csv,
    Txt,
}

impl TranscriptFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(Self::Json),
            "srt" => Some(Self::Srt),
            "vtt" => Some(Self::Vtt),
            "csv" => Some(Self::Csv),
            "txt" | "text" => Some(Self::Txt),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Srt => "application/x-subrip; charset=utf-8",
            Self::Vtt => "text/vtt; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
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
            language: i.data["language"].as_str().map(str::to_string),
            language_probability: i.data["language_probability"].as_f64().map(|p| p as f32),
        })
        .collect();
    out.sort_by(|a, b| a.start.total_cmp(&b.start));
    out
}

/// Renders segments in a text format (`Json` gives `{"text", "language",
/// "languages", "segments"}`).
pub fn render(format: TranscriptFormat, segments: &[Segment]) -> String {
    match format {
        TranscriptFormat::Srt => to_srt(segments),
        TranscriptFormat::Vtt => to_vtt(segments),
        TranscriptFormat::Csv => to_csv(segments),
        TranscriptFormat::Txt => to_txt(segments),
        TranscriptFormat::Json => {
            let languages = languages(segments);
            serde_json::json!({
                "text": segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" "),
                "language": languages.first().map(|l| l.language.as_str()),
                "languages": languages,
                "segments": segments,
            })
            .to_string()
        }
    }
}

/// `start,end,language,text`, one row per segment (RFC 4180).
pub fn to_csv(segments: &[Segment]) -> String {
    let mut out = String::from("start,end,language,text\n");
    for s in segments {
        out.push_str(&format!(
            "{:.3},{:.3},{},{}\n",
            s.start,
            s.end,
            crate::csv_field(s.language.as_deref().unwrap_or_default()),
            crate::csv_field(s.text.trim())
        ));
    }
    out
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

/// WebVTT with the main language in the header (`Language:`, as the
/// common players read it) and each cue in another language wrapped in a
/// `<lang>` span, WebVTT's own markup for it.
pub fn to_vtt(segments: &[Segment]) -> String {
    let main = languages(segments).into_iter().next().map(|l| l.language);
    let mut out = String::from("WEBVTT\n");
    if let Some(l) = &main {
        out.push_str(&format!("Language: {l}\n"));
    }
    out.push('\n');
    for s in segments {
        // A cue's text may not hold markup of its own: `<` and `&` escaped.
        let text = cue_text(&s.text).replace('&', "&amp;").replace('<', "&lt;");
        let text = match &s.language {
            Some(l) if Some(l) != main.as_ref() => format!("<lang {l}>{text}</lang>"),
            _ => text,
        };
        out.push_str(&format!(
            "{} --> {}\n{}\n\n",
            stamp(s.start, '.'),
            stamp(s.end, '.'),
            text
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
                language: Some("en".into()),
                language_probability: Some(0.9),
            },
            Segment {
                start: 3661.25,
                end: 3662.0,
                text: "Two\n\nlines --> here".into(),
                language: None,
                language_probability: None,
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
        assert!(v.starts_with(
            "WEBVTT\nLanguage: en\n\n00:00:00.000 --> 00:00:02.500\nHello there.\n\n"
        ));
        assert_eq!(to_txt(&segs()), "Hello there.\nTwo\n\nlines --> here\n");
        assert_eq!(TranscriptFormat::parse("vtt"), Some(TranscriptFormat::Vtt));
        assert_eq!(TranscriptFormat::parse("doc"), None);
    }

    #[test]
    fn languages_by_time_with_uncertainty_and_spans() {
        let seg = |start: f64, end: f64, text: &str, l: &str, p: Option<f32>| Segment {
            start,
            end,
            text: text.into(),
            language: Some(l.into()),
            language_probability: p,
        };
        let segs = vec![
            seg(0.0, 4.0, "Guten Tag <b>&", "de", Some(0.9)),
            seg(4.0, 6.0, "Hello, \"world\"", "en", Some(0.3)),
            seg(6.0, 10.0, "=Auf Wiedersehen", "de", Some(0.7)),
        ];
        let l = languages(&segs);
        assert_eq!(l.len(), 2);
        assert_eq!(
            (l[0].language.as_str(), l[0].seconds, l[0].segments),
            ("de", 8.0, 2)
        );
        assert!((l[0].probability.unwrap_or_default() - 0.8).abs() < 1e-6 && !l[0].uncertain);
        assert!(l[1].uncertain, "{l:?}");
        let v = to_vtt(&segs);
        assert!(v.starts_with("WEBVTT\nLanguage: de\n\n"), "{v}");
        assert!(v.contains("Guten Tag &lt;b>&amp;\n"), "{v}");
        assert!(v.contains("<lang en>Hello, \"world\"</lang>"), "{v}");
        let c = to_csv(&segs);
        assert_eq!(
            c,
            "start,end,language,text\n0.000,4.000,de,Guten Tag <b>&\n4.000,6.000,en,\"Hello, \"\"world\"\"\"\n6.000,10.000,de,'=Auf Wiedersehen\n"
        );
        let j: serde_json::Value =
            serde_json::from_str(&render(TranscriptFormat::Json, &segs)).expect("json");
        assert_eq!(j["language"], "de");
        assert_eq!(j["languages"][1]["uncertain"], true);
        assert_eq!(j["segments"][1]["language"], "en");
        // Set, not detected: no probability, never uncertain.
        let set = languages(&[seg(0.0, 1.0, "x", "de", None)]);
        assert_eq!((set[0].probability, set[0].uncertain), (None, false));
    }
}
