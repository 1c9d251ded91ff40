use std::time::Duration;

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn health_readiness_metrics_and_request_ids() {
    let app = spawn_app().await;
    let (s, v) = app.get_json("/healthz").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ok")));
    let (s, v) = app.get_json("/readyz").await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ready")));

    let image = png_image(app.data.path(), "m.png");
    let media: Value = app
        .upload(&image, "?pipeline=probe")
        .await
        .json()
        .await
        .unwrap_or_default();
    app.wait_job(
        media["job_id"].as_str().unwrap_or_default(),
        Duration::from_secs(30),
    )
    .await;

    let metrics = app.get_text("/metrics").await;
    for needle in [
        "aima_http_requests_total{method=\"POST\",route=\"/api/v1/media\",status=\"201\"}",
        "aima_jobs{state=\"succeeded\"}",
        "aima_queue_depth 0",
        "aima_job_duration_seconds",
        "aima_stage_duration_seconds",
    ] {
        assert!(metrics.contains(needle), "missing {needle} in\n{metrics}");
    }

    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .expect("h");
    assert_eq!(r.headers()["x-request-id"], "trace-me-42");
    let r = app.client.get(app.url("/healthz")).send().await.expect("h");
    assert_eq!(
        r.headers()["x-request-id"].len(),
        36,
        "a UUID is made when none is sent"
    );
}

#[tokio::test]
async fn readiness_fails_without_migrations_and_after_shutdown() {
    let mut app = spawn_with(Options {
        workers: 0,
        ..Options::default()
    })
    .await;
    let (s, _) = app.get_json("/readyz").await;
    assert_eq!(s, 200);
    // Someone rolled the schema back under a running server.
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&app.config.database.url)
        .await
        .expect("open db");
    sqlx::query("DELETE FROM _sqlx_migrations")
        .execute(&mut conn)
        .await
        .expect("delete");
    let (s, v) = app.get_json("/readyz").await;
    assert_eq!(s, 503, "{v}");
    assert_eq!(v["error"]["code"], "unavailable");
    assert!(
        !v.to_string().contains("migrations applied"),
        "internal detail leaked: {v}"
    );
    let (s, _) = app.get_json("/healthz").await;
    assert_eq!(s, 200, "alive even when not ready");
    app.stop().await;
    let r = reqwest::Client::new().get(app.url("/healthz")).send().await;
    assert!(r.is_err(), "the server stopped listening after shutdown");
}

#[tokio::test]
async fn openapi_is_generated_and_committed() {
    let app = spawn_app().await;
    let (s, spec) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(s, 200);
    assert!(spec["openapi"]
        .as_str()
        .unwrap_or_default()
        .starts_with("3.1"));
    for path in [
        "/api/v1/media",
        "/api/v1/media/{id}/insights",
        "/api/v1/jobs/{id}",
        "/api/v1/jobs/{id}/events",
        "/api/v1/jobs/{id}/cancel",
    ] {
        assert!(
            spec["paths"][path].is_object(),
            "{path} missing from the spec"
        );
    }
    let generated = aima_server::openapi_json();
    let committed_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("AIMA_UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(&committed_path, format!("{generated}\n")).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert_eq!(
        committed.trim_end(),
        generated.trim_end(),
        "docs/openapi.json is stale: run the tests with AIMA_UPDATE_OPENAPI=1 and commit it"
    );
    let docs = app.client.get(app.url("/docs")).send().await.expect("docs");
    assert_eq!(docs.status().as_u16(), 200);
    assert!(docs.text().await.unwrap_or_default().contains("AIMA API"));
}

/// The README and the manual (`docs/*.md`) name only routes the OpenAPI
/// document has and commands the binary knows: a renamed route or
/// subcommand fails here, not in a reader's shell.
#[test]
fn the_manual_names_only_routes_and_commands_that_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/openapi.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let templates: Vec<Vec<String>> = spec["paths"]
        .as_object()
        .map(|p| {
            p.keys()
                .map(|k| k.split('/').map(String::from).collect())
                .collect()
        })
        .unwrap_or_default();
    assert!(templates.len() > 40);
    let mut pages = vec![root.join("README.md")];
    for e in std::fs::read_dir(root.join("docs")).expect("docs/") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "md") {
            pages.push(p);
        }
    }
    assert!(pages.len() >= 15, "{pages:?}");
    let mut commands = std::collections::BTreeSet::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap_or_default();
        // Routes: /api/v1/... up to a character no path has.
        for (i, _) in text.match_indices("/api/v1/") {
            let route: String = text[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "/{}_.-".contains(*c))
                .collect();
            let route = route.trim_end_matches(['.', '/']);
            let segments: Vec<&str> = route.split('/').collect();
            if segments.len() <= 3 {
                continue; // "/api/v1/" itself
            }
            // The document itself is served beside what it describes.
            let known = route == "/api/v1/openapi.json"
                || templates.iter().any(|t| {
                    t.len() == segments.len()
                        && t.iter()
                            .zip(&segments)
                            .all(|(t, s)| t == s || t.starts_with('{'))
                });
            assert!(
                known,
                "{}: {route} is not in the OpenAPI document",
                page.display()
            );
        }
        // Commands: `aima WORD [WORD]` in shell lines.
        for line in text.lines() {
            let mut rest = line;
            while let Some(i) = rest.find("aima ") {
                let before = rest[..i].chars().last();
                rest = &rest[i + 5..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '/') {
                    continue;
                }
                let words: Vec<&str> = rest
                    .split_whitespace()
                    .take(2)
                    .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
                    .collect();
                if let Some(first) = words.first() {
                    commands.insert(words.iter().take(2).copied().collect::<Vec<_>>().join(" "));
                    commands.insert(first.to_string());
                }
            }
        }
    }
    // Each command, and each command with its subcommand, has a --help.
    let known_top: Vec<String> = {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_aima"))
            .arg("--help")
            .output()
            .expect("aima --help");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                l.strip_prefix("  ")
                    .and_then(|l| l.split_whitespace().next())
            })
            .map(String::from)
            .collect()
    };
    let mut checked = 0;
    for cmd in &commands {
        let words: Vec<&str> = cmd.split(' ').collect();
        if !known_top.iter().any(|k| k == words[0]) {
            // Prose ("aima is", "aima serves"), not a command.
            continue;
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_aima"))
            .args(&words)
            .arg("--help")
            .env("AIMA_CONFIG", "/nonexistent")
            .output()
            .expect("aima --help");
        // A second word that is an argument (a file, a question) is fine
        // when the first is a command without subcommands.
        let ok = out.status.success()
            || (words.len() == 2
                && std::process::Command::new(env!("CARGO_BIN_EXE_aima"))
                    .args([words[0], "--help"])
                    .output()
                    .map(|o| {
                        o.status.success()
                            && !String::from_utf8_lossy(&o.stdout).contains("Commands:")
                    })
                    .unwrap_or(false));
        assert!(
            ok,
            "the manual names `aima {cmd}`, which the binary does not know"
        );
        checked += 1;
    }
    assert!(checked >= 15, "{commands:?}");
}
