//! Search by meaning (`mode=semantic`, and `hybrid`, the default) on SQLite
//! (sqlite-vec) and PostgreSQL (pgvector), with the real int8
//! all-MiniLM-L6-v2: a spoken paraphrase and an OCR line found by meaning
//! at their times, filters, the index kept in step with reviews,
//! re-analysis, deletes and workspaces, the CLI, and a reindex.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::*;

const ESPRESSO: &str = "The espresso machine in the kitchen is broken again.";
const INVOICE: &str = "Please send the invoice to the customer by Friday.";

async fn search(app: &TestApp, query: &str) -> Vec<Value> {
    let (s, v) = app.get_json(&format!("/api/v1/search?{query}")).await;
    assert_eq!(s, 200, "{query}: {v}");
    v["items"].as_array().cloned().unwrap_or_default()
}

/// Waits until the indexer has embedded every stored text; answers the
/// status.
async fn upload_speech(app: &TestApp, wav: &std::path::Path) -> String {
    let (up, job) = app
        .upload_and_wait(wav, "?pipeline=probe,transcribe", Duration::from_secs(180))
        .await;
    assert_eq!(job["state"], "succeeded", "{job}");
    up["id"].as_str().unwrap_or_default().to_string()
}

/// `aima search ARGS` against the test's database and models.
async fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut cli = tokio::process::Command::new(env!("CARGO_BIN_EXE_aima"));
    cli.arg("search")
        .args(args)
        .arg("--data-dir")
        .arg(&app.config.data_dir)
        .env("AIMA_CONFIG", "/nonexistent")
        .env("AIMA__MODELS__DIR", &app.config.models.dir);
    if !app.config.database.url.is_empty() {
        cli.args(["--database", &app.config.database.url]);
    }
    let out = cli.output().await.expect("aima search");
    assert!(
        out.status.success(),
        "aima search {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test]
async fn paraphrases_are_found_by_meaning_at_their_time() {
    let dir = tempfile::tempdir().expect("tmp");
    let espresso = speak(dir.path(), "espresso.wav", "en-us", ESPRESSO);
    let invoice = speak(dir.path(), "invoice.wav", "en-us", INVOICE);
    let slide = budget_slide(dir.path());
    let ocr = json!([{"name": "ocr", "options": {"frames": {"max_interval": 0.5}}}]);
    for backend in backends() {
        let app = spawn_with_models(backend).await;
        let kitchen = upload_speech(&app, &espresso).await;
        let office = upload_speech(&app, &invoice).await;
        let r = app.upload(&slide, "?pipeline=none").await;
        assert_eq!(r.status().as_u16(), 201);
        let up: Value = r.json().await.unwrap_or_default();
        let deck = up["id"].as_str().unwrap_or_default().to_string();
        let job = app
            .run_job(&deck, ocr.clone(), Duration::from_secs(300))
            .await;
        assert_eq!(job["state"], "succeeded", "{job}");
        let status = indexed(&app).await;
        assert_eq!(status["text_model"], "multilingual-e5-small", "{status}");
        assert_eq!(status["text_model_installed"], true, "{status}");

        // No word in common: text search finds nothing, meaning finds the
        // segment, at its time, and nothing unrelated.
        assert!(search(&app, "q=coffee%20maker&mode=text").await.is_empty());
        let found = search(&app, "q=coffee%20maker&mode=semantic").await;
        assert_eq!(found.len(), 1, "{backend:?}: {found:?}");
        let h = &found[0];
        assert_eq!(h["media_id"], kitchen.as_str());
        assert_eq!(
            (h["analyzer"].as_str(), h["kind"].as_str()),
            (Some("transcribe"), Some("transcript_segment"))
        );
        assert!(
            h["text"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase()
                .contains("espresso"),
            "{h}"
        );
        let (start, end) = (h["start"].as_f64().unwrap_or(-1.0), h["end"].as_f64());
        assert!(
            start >= 0.0 && end.is_some_and(|e| e > start && e < 6.0),
            "{h}"
        );
        let score = h["score"].as_f64().unwrap_or(0.0);
        assert!(score > 0.35 && score < 1.0, "{h}");
        assert_eq!(h["marks"], json!([]));

        // An OCR line by meaning, at the time it is shown; the analyzer
        // filter applies inside the index query.
        let found = search(
            &app,
            "q=money%20plan%20for%20spring&mode=semantic&analyzer=ocr",
        )
        .await;
        assert_eq!(found.len(), 1, "{backend:?}: {found:?}");
        assert_eq!(found[0]["media_id"], deck.as_str());
        assert_eq!(found[0]["text"], "Budget approved for April");
        assert!(
            found[0]["start"].as_f64().unwrap_or(0.0) >= 0.5,
            "{found:?}"
        );
        let only_office = search(
            &app,
            &format!("q=coffee%20maker&mode=semantic&media_id={office}"),
        )
        .await;
        assert!(only_office.is_empty(), "{only_office:?}");

        // Hybrid (the default) has both: a word match and a paraphrase,
        // the word match first when both lists agree.
        let found = search(&app, "q=invoice%20for%20a%20client").await;
        assert_eq!(found[0]["media_id"], office.as_str(), "{found:?}");
        let found = search(&app, "q=coffee%20maker").await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["media_id"], kitchen.as_str());

        // The CLI finds the same.
        let out = cli(
            &app,
            &["coffee maker", "--mode", "semantic", "--format", "json"],
        )
        .await;
        let v: Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["items"][0]["media_id"], kitchen.as_str(), "{v}");

        // Another workspace sees nothing, not even in counts.
        let other = create_key(&app, "team-b");
        for path in [
            "/api/v1/search?q=coffee%20maker&mode=semantic",
            "/api/v1/search/status",
        ] {
            let r = app
                .client
                .get(app.url(path))
                .bearer_auth(&other)
                .send()
                .await
                .expect("get");
            let v: Value = r.json().await.unwrap_or_default();
            assert!(
                v["items"].as_array().is_some_and(|i| i.is_empty()) || v["indexed"] == 0,
                "{path}: {v}"
            );
        }

        // A rejected segment leaves; a re-analysis replaces its vectors; a
        // deleted media takes them along.
        let id = search(&app, "q=coffee%20maker&mode=semantic").await[0]["insight_id"].clone();
        let r = app
            .client
            .patch(app.url(&format!("/api/v1/insights/{id}")))
            .json(&json!({"review": "rejected"}))
            .send()
            .await
            .expect("review");
        assert_eq!(r.status().as_u16(), 200);
        assert!(search(&app, "q=coffee%20maker&mode=semantic")
            .await
            .is_empty());
        let job = app
            .run_job(
                &kitchen,
                json!("probe,transcribe"),
                Duration::from_secs(180),
            )
            .await;
        assert_eq!(job["state"], "succeeded", "{job}");
        indexed(&app).await;
        let found = search(&app, "q=coffee%20maker&mode=semantic").await;
        assert_eq!(found.len(), 1, "{backend:?}: {found:?}");
        assert_ne!(found[0]["insight_id"], id);
        let before = indexed(&app).await["indexed"].as_u64().unwrap_or(0);
        let r = app
            .client
            .delete(app.url(&format!("/api/v1/media/{kitchen}")))
            .send()
            .await
            .expect("delete");
        assert_eq!(r.status().as_u16(), 204);
        assert!(search(&app, "q=coffee%20maker&mode=semantic")
            .await
            .is_empty());
        let (_, status) = app.get_json("/api/v1/search/status").await;
        assert!(status["indexed"].as_u64().unwrap_or(0) < before, "{status}");

        // A reindex embeds every text again, with progress, and search
        // still finds what it found.
        let out = cli(&app, &["reindex", "--all"]).await;
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            said.contains("texts have vectors of multilingual-e5-small"),
            "{said}"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("0 pending"));
        let found = search(
            &app,
            "q=money%20plan%20for%20spring&mode=semantic&analyzer=ocr",
        )
        .await;
        assert_eq!(found.len(), 1, "{found:?}");
    }
}

#[tokio::test]
async fn without_its_model_meaning_is_a_clear_error_and_hybrid_is_text() {
    for backend in backends() {
        let app = spawn_with(Options {
            backend,
            ..Options::default()
        })
        .await;
        let (s, v) = app.get_json("/api/v1/search?q=coffee&mode=semantic").await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (503, Some("model_missing")),
            "{v}"
        );
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("multilingual-e5-small"),
            "{v}"
        );
        let (s, v) = app.get_json("/api/v1/search?q=coffee").await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = app.get_json("/api/v1/search/status").await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["text_model_installed"], false, "{v}");
        let (s, v) = app.get_json("/api/v1/search?q=coffee&mode=fuzzy").await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (400, Some("invalid_parameter")),
            "{v}"
        );
    }
}
