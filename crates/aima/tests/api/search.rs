//! Text search (`GET /api/v1/search`) on SQLite (FTS5) and PostgreSQL
//! (tsvector): a spoken word and a word on a slide found at their times,
//! stemming, prefixes, phrases, accents, filters, pages, and the index kept
//! in step with reviews, re-analysis, deletes and workspaces.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::*;

const SPOKEN: &str = "The budget for April is approved. Please open the shared document.";

/// A search by words only (meaning has tests of its own: `meaning.rs`).
async fn search(app: &TestApp, query: &str) -> Value {
    let (s, v) = app
        .get_json(&format!("/api/v1/search?mode=text&{query}"))
        .await;
    assert_eq!(s, 200, "{query}: {v}");
    v
}

fn hits(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

/// The marked words of a hit, as the client would cut them out.
fn marked(hit: &Value) -> Vec<String> {
    let text: Vec<char> = hit["text"].as_str().unwrap_or_default().chars().collect();
    hit["marks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let (s, e) = (
                m[0].as_u64().unwrap_or(0) as usize,
                m[1].as_u64().unwrap_or(0) as usize,
            );
            text.get(s..e)
                .map(|c| c.iter().collect())
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn words_said_and_shown_are_found_at_their_time() {
    let dir = tempfile::tempdir().expect("tmp");
    let speech = speak(dir.path(), "talk.wav", "en-us", SPOKEN);
    let slide = budget_slide(dir.path());
    let ocr = json!([{"name": "ocr", "options": {"frames": {"max_interval": 0.5}}}]);
    for backend in backends() {
        let app = spawn_with_models(backend).await;
        let (up, job) = app
            .upload_and_wait(
                &speech,
                "?pipeline=probe,transcribe",
                Duration::from_secs(180),
            )
            .await;
        assert_eq!(job["state"], "succeeded", "{job}");
        let talk = up["id"].as_str().unwrap_or_default().to_string();
        let r = app.upload(&slide, "?pipeline=none").await;
        assert_eq!(r.status().as_u16(), 201);
        let up: Value = r.json().await.unwrap_or_default();
        let deck = up["id"].as_str().unwrap_or_default().to_string();
        let job = app
            .run_job(&deck, ocr.clone(), Duration::from_secs(300))
            .await;
        assert_eq!(job["state"], "succeeded", "{job}");

        // The spoken word, in its segment, at its time.
        let v = search(&app, "q=document").await;
        let found = hits(&v);
        assert_eq!(found.len(), 1, "{backend:?}: {v}");
        let h = &found[0];
        assert_eq!(h["media_id"], talk.as_str());
        assert_eq!(
            (h["analyzer"].as_str(), h["kind"].as_str()),
            (Some("transcribe"), Some("transcript_segment"))
        );
        let (start, end) = (
            h["start"].as_f64().unwrap_or(-1.0),
            h["end"].as_f64().unwrap_or(-1.0),
        );
        assert!(start >= 0.0 && end > start && end < 10.0, "{h}");
        assert_eq!(marked(h), ["document"], "{h}");
        assert!(
            h["score"].as_f64().is_some_and(|s| s > 0.0 && s < 1.0),
            "{h}"
        );

        // The word on the slide, from the second it appears.
        let v = search(&app, "q=budget&analyzer=ocr").await;
        let found = hits(&v);
        assert_eq!(found.len(), 1, "{backend:?}: {v}");
        assert_eq!(found[0]["media_id"], deck.as_str());
        let start = found[0]["start"].as_f64().unwrap_or(-1.0);
        assert!((0.5..=1.5).contains(&start), "{}", found[0]);
        assert_eq!(marked(&found[0]), ["Budget"]);

        // Said and shown: both, one page at a time.
        let v = search(&app, "q=budget&limit=1").await;
        assert_eq!(hits(&v).len(), 1);
        let next = v["next_cursor"].as_str().unwrap_or_default().to_string();
        assert!(!next.is_empty(), "{v}");
        let v2 = search(&app, &format!("q=budget&limit=1&cursor={next}")).await;
        assert_eq!(hits(&v2).len(), 1);
        assert!(v2["next_cursor"].is_null(), "{v2}");
        let both: Vec<Value> = [&v, &v2]
            .iter()
            .map(|p| hits(p)[0]["media_id"].clone())
            .collect();
        assert!(
            both.contains(&json!(talk)) && both.contains(&json!(deck)),
            "{both:?}"
        );
        // A cursor belongs to its search.
        let (s, e) = app
            .get_json(&format!("/api/v1/search?q=april&limit=1&cursor={next}"))
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (400, Some("invalid_parameter")),
            "{e}"
        );

        // The CLI prints the same hits, matches in brackets.
        let mut cli = tokio::process::Command::new(env!("CARGO_BIN_EXE_aima"));
        cli.args(["search", "budget", "--mode", "text", "--format", "text"])
            .arg("--data-dir")
            .arg(&app.config.data_dir)
            .env("AIMA_CONFIG", "/nonexistent");
        if !app.config.database.url.is_empty() {
            cli.args(["--database", &app.config.database.url]);
        }
        let out = cli.output().await.expect("aima search");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines.iter().any(|l| l.starts_with(&talk)
                && l.contains("\ttranscribe\t")
                && l.to_lowercase().contains("[budget]")),
            "{text}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&deck) && l.contains("\tocr\t[Budget] approved for April")),
            "{text}"
        );

        // Stemming, prefixes, phrases, case and accents.
        for q in [
            "documents",
            "DOCU*",
            "d%C3%B3cument",
            "%22shared%20document%22",
        ] {
            assert_eq!(
                hits(&search(&app, &format!("q={q}")).await).len(),
                1,
                "{backend:?}: {q}"
            );
        }
        for q in ["%22document%20shared%22", "invoice", "budget%20invoice"] {
            assert_eq!(
                hits(&search(&app, &format!("q={q}")).await).len(),
                0,
                "{backend:?}: {q}"
            );
        }
        // Filters.
        assert_eq!(hits(&search(&app, "q=budget&kind=audio").await).len(), 1);
        assert_eq!(
            hits(&search(&app, &format!("q=budget&media_id={deck}")).await).len(),
            1
        );
        assert_eq!(
            hits(&search(&app, "q=document&analyzer=ocr").await).len(),
            0
        );
        assert_eq!(hits(&search(&app, "q=budget&sort=date").await).len(), 2);
        assert_eq!(hits(&search(&app, "q=budget&min_score=1").await).len(), 0);

        // A re-analysis replaces the slide's hits instead of adding to them.
        let job = app
            .run_job(&deck, ocr.clone(), Duration::from_secs(300))
            .await;
        assert_eq!(job["state"], "succeeded", "{job}");
        let found = hits(&search(&app, "q=budget&analyzer=ocr").await);
        assert_eq!(found.len(), 1, "{backend:?}: {found:?}");
        // A rejected line leaves search.
        let id = found[0]["insight_id"].as_i64().unwrap_or_default();
        let r = app
            .client
            .patch(app.url(&format!("/api/v1/insights/{id}")))
            .json(&json!({"review": "rejected"}))
            .send()
            .await
            .expect("review");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(hits(&search(&app, "q=budget&analyzer=ocr").await).len(), 0);

        // Another workspace finds nothing.
        let other = create_key(&app, "team-b");
        let r = app
            .client
            .get(app.url("/api/v1/search?q=budget"))
            .bearer_auth(other)
            .send()
            .await
            .expect("search");
        let v: Value = r.json().await.unwrap_or_default();
        assert_eq!(hits(&v).len(), 0, "{v}");

        // A deleted media leaves search.
        let r = app
            .client
            .delete(app.url(&format!("/api/v1/media/{talk}")))
            .send()
            .await
            .expect("delete");
        assert_eq!(r.status().as_u16(), 204);
        assert_eq!(
            hits(&search(&app, "q=document").await).len(),
            0,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn bad_queries_are_clear_errors() {
    for backend in backends() {
        let app = spawn_with(Options {
            backend,
            ..Options::default()
        })
        .await;
        // Engine syntax is plain text: answered, never an error of the engine.
        for q in [
            "%22",
            "a*%20*",
            "NEAR(a%20b)",
            "title%3Ax",
            "%22unbalanced",
            "-x%20OR%20y",
            "%5E%24",
        ] {
            let (s, v) = app.get_json(&format!("/api/v1/search?q={q}")).await;
            assert_eq!(s, 200, "{backend:?} {q}: {v}");
        }
        // Nothing to search for finds nothing.
        let (s, v) = app.get_json("/api/v1/search?q=%3A%3A%3A").await;
        assert_eq!((s, hits(&v).len()), (200, 0), "{v}");
        let long = "w".repeat(10_000);
        for (query, status, code) in [
            ("q=".to_string(), 400, "invalid_parameter"),
            (format!("q={long}"), 400, "invalid_query"),
            ("q=x&limit=0".to_string(), 400, "invalid_parameter"),
            ("q=x&min_score=2".to_string(), 400, "invalid_parameter"),
            ("q=x&sort=size".to_string(), 400, "invalid_parameter"),
            ("q=x&colour=red".to_string(), 400, "invalid_parameter"),
            ("q=x&cursor=zz".to_string(), 400, "invalid_parameter"),
        ] {
            let (s, v) = app.get_json(&format!("/api/v1/search?{query}")).await;
            assert_eq!(
                (s, v["error"]["code"].as_str()),
                (status, Some(code)),
                "{backend:?} {query}: {v}"
            );
        }
    }
}

#[tokio::test]
async fn file_names_and_person_names_are_found() {
    for backend in backends() {
        let app = spawn_with_models(backend).await;
        // A media by its file name: separators are spaces to search.
        let image = png_image(app.data.path(), "chart.png");
        let r = app
            .upload(&image, "?pipeline=none&filename=Quarterly_review-2026.png")
            .await;
        assert_eq!(r.status().as_u16(), 201);
        let chart: Value = r.json().await.unwrap_or_default();
        let v = search(&app, "q=quarterly%20reviews").await;
        let found = hits(&v);
        assert_eq!(found.len(), 1, "{backend:?}: {v}");
        let h = &found[0];
        assert_eq!(h["media_id"], chart["id"]);
        assert_eq!(h["kind"], "filename");
        assert!(h["insight_id"].is_null() && h["analyzer"].is_null(), "{h}");
        assert_eq!(h["text"], "Quarterly_review-2026.png");
        assert_eq!(marked(h), ["Quarterly", "review"], "{h}");
        // An analyzer filter leaves file names out.
        assert_eq!(
            hits(&search(&app, "q=quarterly&analyzer=ocr").await).len(),
            0
        );

        // A person by name: each of their face tracks, where it is.
        let r = app
            .upload(&sample_image("astronaut.png"), "?pipeline=none")
            .await;
        let photo: Value = r.json().await.unwrap_or_default();
        let photo = photo["id"].as_str().unwrap_or_default().to_string();
        let job = app
            .run_job(&photo, with_fixtures("faces"), Duration::from_secs(300))
            .await;
        assert_eq!(job["state"], "succeeded", "{job}");
        let (_, persons) = app.get_json("/api/v1/persons").await;
        let person = persons["items"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let rename = |name: &str| {
            app.client
                .patch(app.url(&format!("/api/v1/persons/{person}")))
                .json(&json!({ "name": name }))
                .send()
        };
        assert_eq!(
            rename("Ada Lovelace")
                .await
                .expect("name")
                .status()
                .as_u16(),
            200
        );
        let v = search(&app, "q=lovelace").await;
        let found = hits(&v);
        assert_eq!(found.len(), 1, "{backend:?}: {v}");
        assert_eq!(
            (found[0]["kind"].as_str(), found[0]["analyzer"].as_str()),
            (Some("face"), Some("faces"))
        );
        assert_eq!(found[0]["media_id"], photo.as_str());
        assert_eq!(marked(&found[0]), ["Lovelace"]);
        // Hits only in media where the person appears: the photo, not the chart.
        assert_eq!(
            hits(&search(&app, &format!("q=quarterly&person_id={person}")).await).len(),
            0
        );
        assert_eq!(
            hits(&search(&app, &format!("q=lovelace&person_id={person}")).await).len(),
            1
        );
        // By creation time of the media.
        assert_eq!(
            hits(&search(&app, "q=quarterly&created_after=2000-01-01T00:00:00Z").await).len(),
            1
        );
        assert_eq!(
            hits(&search(&app, "q=quarterly&created_before=2000-01-01T00:00:00Z").await).len(),
            0
        );
        // A new name replaces the old one in search.
        assert_eq!(
            rename("Grace Hopper")
                .await
                .expect("name")
                .status()
                .as_u16(),
            200
        );
        assert_eq!(
            hits(&search(&app, "q=lovelace").await).len(),
            0,
            "{backend:?}"
        );
        assert_eq!(
            hits(&search(&app, "q=hopper").await).len(),
            1,
            "{backend:?}"
        );
    }
}
