//! Language end to end, on both databases, with the default models (Whisper
//! base, multilingual-e5-small): German speech read by espeak-ng in a video
//! with a German caption comes back German, at its seconds, and is found by
//! a German word, a German paraphrase and an English query; English beside
//! it stays English; a media that changes language has both; the
//! `language` option and its bad values; the exports and the
//! OpenAI-compatible endpoint say the language.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::helpers::*;

/// Sentences Whisper base hears in espeak-ng's German (robotic: these keep
/// their key words; "Quartalsbericht" came back "Quartus-Bericht",
/// "Rechnung" "Echnung").
const GERMAN: [&str; 3] = [
    "Wir fahren morgen mit dem Zug nach Berlin.",
    "Die Kaffeemaschine in der Küche ist wieder kaputt.",
    "Meine Schwester wohnt in Hamburg.",
];
const ENGLISH: &str = "The budget for the new office comes up next week.";
/// A white slide with a German caption, `wav` as its sound (MP4).
fn captioned_video(wav: &Path, out: &Path) -> PathBuf {
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=white:s=1280x720:r=5:d=120",
        "-i",
        wav.to_str().expect("utf-8 path"),
        "-vf",
        "drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:text='Quartalsbericht März – Küche':fontsize=56:fontcolor=black:x=100:y=300,format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-shortest",
        out.to_str().expect("utf-8 path"),
    ]);
    out.to_path_buf()
}

async fn search(app: &TestApp, query: &str) -> Vec<Value> {
    let (s, v) = app.get_json(&format!("/api/v1/search?{query}")).await;
    assert_eq!(s, 200, "{query}: {v}");
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn segments(app: &TestApp, id: &str) -> Vec<Value> {
    let (s, v) = app
        .get_json(&format!(
            "/api/v1/media/{id}/insights?analyzer=transcribe&kind=transcript_segment"
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().cloned().unwrap_or_default()
}

async fn upload(app: &TestApp, file: &Path, pipeline: &str) -> String {
    let (up, job) = app
        .upload_and_wait(file, pipeline, Duration::from_secs(300))
        .await;
    assert_eq!(job["state"], "succeeded", "{job}");
    up["id"].as_str().unwrap_or_default().to_string()
}

/// The word of `segs` that contains `needle` (lowercase), with its start.
fn word_at(segs: &[Value], needle: &str) -> Option<f64> {
    segs.iter()
        .flat_map(|s| s["data"]["words"].as_array().cloned().unwrap_or_default())
        .find(|w| {
            w["word"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase()
                .contains(needle)
        })
        .and_then(|w| w["start"].as_f64())
}

/// Whether `hit` lies in `media` within `span` (seconds, one second of slack).
fn hit_in(hit: &Value, media: &str, span: (f64, f64)) -> bool {
    let start = hit["start"].as_f64().unwrap_or(-99.0);
    hit["media_id"] == media && start >= span.0 - 1.0 && start <= span.1 + 1.0
}

#[tokio::test]
async fn german_media_is_transcribed_found_and_exported_in_german() {
    let dir = tempfile::tempdir().expect("tmp");
    let (german, times) = read_aloud(
        dir.path(),
        "de",
        &GERMAN.iter().map(|t| ("de", *t)).collect::<Vec<_>>(),
    );
    let video = captioned_video(&german, &dir.path().join("bericht.mp4"));
    let (english, _) = read_aloud(dir.path(), "en", &[("en-us", ENGLISH)]);
    for backend in backends() {
        let app = spawn_with_models(backend).await;
        let de = upload(&app, &video, "?pipeline=probe,transcribe,ocr").await;
        let en = upload(&app, &english, "?pipeline=probe,transcribe").await;

        // The media says which language it speaks, detected with confidence.
        let (_, media) = app.get_json(&format!("/api/v1/media/{de}")).await;
        let langs = media["languages"].as_array().cloned().unwrap_or_default();
        assert_eq!(langs.len(), 1, "{backend:?}: {media}");
        assert_eq!(langs[0]["language"], "de", "{media}");
        assert_eq!(langs[0]["uncertain"], false, "{media}");
        assert!(
            langs[0]["probability"].as_f64().unwrap_or(0.0) >= 0.5,
            "{media}"
        );
        assert!(langs[0]["seconds"].as_f64().unwrap_or(0.0) > 5.0, "{media}");
        let (_, media) = app.get_json(&format!("/api/v1/media/{en}")).await;
        assert_eq!(media["languages"][0]["language"], "en", "{media}");
        assert_eq!(media["languages"].as_array().map(Vec::len), Some(1));

        // Every segment is German, and key words are at their seconds.
        let segs = segments(&app, &de).await;
        assert!(segs.len() >= 3, "{segs:?}");
        for s in &segs {
            assert_eq!(s["data"]["language"], "de", "{s}");
        }
        let text: String = segs
            .iter()
            .map(|s| s["data"]["text"].as_str().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ");
        for (word, sentence) in [("zug", 0), ("berlin", 0), ("küche", 1), ("hamburg", 2)] {
            let at = word_at(&segs, word).unwrap_or_else(|| panic!("no {word:?} in {text:?}"));
            let (from, to) = times[sentence];
            assert!(
                at >= from - 0.5 && at <= to + 0.5,
                "{word:?} at {at} s, said between {from} and {to}: {text}"
            );
        }
        // No English words invented for German speech.
        for english in [" the ", " and ", " machine "] {
            assert!(
                !format!(" {} ", text.to_lowercase()).contains(english),
                "{text}"
            );
        }

        // Found by a German word (umlaut exact), at its time; the caption too.
        let found = search(&app, "q=K%C3%BCche&mode=text").await;
        assert!(
            found
                .iter()
                .any(|h| h["kind"] == "transcript_segment" && hit_in(h, &de, times[1])),
            "{found:?}"
        );
        assert!(
            found.iter().any(|h| h["kind"] == "text"),
            "the caption: {found:?}"
        );
        // German inflections find the words heard (Snowball's stems): the
        // plural, the genitive.
        for (query, sentence) in [("Z%C3%BCge", 0), ("K%C3%BCchen", 1), ("Hamburgs", 2)] {
            let found = search(&app, &format!("q={query}&mode=text")).await;
            assert!(
                found
                    .iter()
                    .any(|h| h["kind"] == "transcript_segment" && hit_in(h, &de, times[sentence])),
                "{backend:?} {query}: {found:?}"
            );
        }
        let found = search(&app, "q=Quartalsbericht&mode=text").await;
        assert!(
            found
                .iter()
                .any(|h| h["media_id"] == de.as_str() && h["kind"] == "text"),
            "{found:?}"
        );

        // By meaning: a German paraphrase and English queries find the
        // German sentence first; the English media is found in English.
        indexed(&app).await;
        for (query, sentence) in [
            ("Bahnreise%20in%20die%20Hauptstadt", 0),
            ("train%20trip%20to%20the%20capital", 0),
            ("broken%20coffee%20maker", 1),
            ("Kaffeeautomat%20f%C3%BCrs%20B%C3%BCro", 1),
            ("where%20does%20my%20sister%20live", 2),
            ("Wohnort%20der%20Schwester", 2),
        ] {
            let found = search(&app, &format!("q={query}&mode=semantic")).await;
            assert!(
                found
                    .first()
                    .is_some_and(|h| hit_in(h, &de, times[sentence])),
                "{backend:?} {query}: {found:?}"
            );
        }
        let found = search(
            &app,
            "q=Ausgaben%20f%C3%BCr%20das%20neue%20B%C3%BCro&mode=semantic",
        )
        .await;
        assert_eq!(
            found.first().map(|h| &h["media_id"]),
            Some(&Value::from(en.as_str())),
            "{found:?}"
        );

        // The exports say the language.
        let r = app
            .client
            .get(app.url(&format!("/api/v1/media/{de}/transcript?format=vtt")))
            .send()
            .await
            .expect("vtt");
        let vtt = r.text().await.unwrap_or_default();
        assert!(vtt.starts_with("WEBVTT\nLanguage: de\n\n"), "{vtt}");
        let r = app
            .client
            .get(app.url(&format!("/api/v1/media/{de}/transcript?format=csv")))
            .send()
            .await
            .expect("csv");
        assert!(r
            .headers()
            .get("content-type")
            .is_some_and(|c| c.to_str().unwrap_or_default().starts_with("text/csv")));
        let csv = r.text().await.unwrap_or_default();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("start,end,language,text"));
        assert!(lines.all(|l| l.split(',').nth(2) == Some("de")), "{csv}");
        let (_, json) = app
            .get_json(&format!("/api/v1/media/{de}/transcript"))
            .await;
        assert_eq!(json["language"], "de", "{json}");
        assert_eq!(json["segments"][0]["language"], "de", "{json}");
    }
}

#[tokio::test]
async fn a_media_that_changes_language_has_both_and_the_option_forces_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let (mixed, times) = read_aloud(
        dir.path(),
        "mixed",
        &[("de", GERMAN[0]), ("en-us", ENGLISH)],
    );
    for backend in backends() {
        let app = spawn_with_models(backend).await;
        let id = upload(&app, &mixed, "?pipeline=probe,transcribe").await;
        let (_, media) = app.get_json(&format!("/api/v1/media/{id}")).await;
        let mut langs: Vec<&str> = media["languages"]
            .as_array()
            .map(|a| a.iter().filter_map(|l| l["language"].as_str()).collect())
            .unwrap_or_default();
        langs.sort_unstable();
        assert_eq!(langs, ["de", "en"], "{backend:?}: {media}");
        let segs = segments(&app, &id).await;
        let english = segs
            .iter()
            .find(|s| s["data"]["language"] == "en")
            .unwrap_or_else(|| panic!("{segs:?}"));
        assert!(
            english["start"].as_f64().unwrap_or(0.0) >= times[1].0 - 0.5,
            "{english}"
        );
        assert!(english["data"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("budget"));
        // WebVTT marks the cue in the other language.
        let r = app
            .client
            .get(app.url(&format!("/api/v1/media/{id}/transcript?format=vtt")))
            .send()
            .await
            .expect("vtt");
        let vtt = r.text().await.unwrap_or_default();
        assert!(vtt.contains("<lang "), "{vtt}");

        // The option forces a language: no detection, no probability.
        let job = app
            .run_job(
                &id,
                serde_json::json!([{"name": "transcribe", "options": {"language": "de"}}]),
                Duration::from_secs(300),
            )
            .await;
        assert_eq!(job["state"], "succeeded", "{job}");
        let segs = segments(&app, &id).await;
        assert!(!segs.is_empty());
        for s in &segs {
            assert_eq!(s["data"]["language"], "de", "{s}");
            assert!(s["data"].get("language_probability").is_none(), "{s}");
        }
        let (_, media) = app.get_json(&format!("/api/v1/media/{id}")).await;
        assert_eq!(media["languages"][0]["uncertain"], false, "{media}");

        // Bad values are refused when the job is made, with a stable code.
        for bad in [
            serde_json::json!("xx"),
            serde_json::json!(""),
            serde_json::json!("german"),
            serde_json::json!(7),
        ] {
            let r = app
                .client
                .post(app.url("/api/v1/jobs"))
                .json(&serde_json::json!({"media_id": id, "pipeline": [{"name": "transcribe", "options": {"language": bad}}]}))
                .send()
                .await
                .expect("job");
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap_or_default();
            assert!((400..500).contains(&status), "{bad}: {status} {v}");
            assert_eq!(v["error"]["code"], "invalid_pipeline", "{bad}: {v}");
        }
        // An English-only model asked for German says which model can.
        let job = app
            .run_job(
                &id,
                serde_json::json!([{"name": "transcribe", "options": {"model": "faster-whisper-tiny.en", "language": "de"}}]),
                Duration::from_secs(120),
            )
            .await;
        assert_eq!(job["state"], "failed", "{job}");
        assert_eq!(job["error"]["code"], "invalid_pipeline", "{job}");
        assert!(
            job["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("faster-whisper-base"),
            "{job}"
        );
    }
}

#[tokio::test]
async fn the_openai_endpoint_names_the_language_it_heard() {
    let dir = tempfile::tempdir().expect("tmp");
    let (german, _) = read_aloud(dir.path(), "de", &[("de", GERMAN[0]), ("de", GERMAN[1])]);
    let app = spawn_with_models(Backend::Sqlite).await;
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(std::fs::read(&german).expect("wav"))
                .file_name("de.wav"),
        )
        .text("model", "whisper-1")
        .text("response_format", "verbose_json");
    let r = app
        .client
        .post(app.url("/v1/audio/transcriptions"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap_or_default();
    assert_eq!(v["language"], "german", "{v}");
    assert_eq!(v["segments"][0]["language"], "de", "{v}");
    assert!(
        v["text"].as_str().unwrap_or_default().contains("Berlin"),
        "{v}"
    );
}
