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

    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .unwrap_or_default();
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
