//! Stores for the store tests: SQLite always, PostgreSQL when the test
//! command started one (required when it says so).

#![allow(dead_code)]

use aima_core::{MediaKind, NewMedia, StageSpec};
use aima_store::{JobRepo, MediaRepo, NewJob, SqlStore};

pub async fn stores() -> Vec<(SqlStore, tempfile::TempDir)> {
    stores_and_urls()
        .await
        .into_iter()
        .map(|(s, d, _)| (s, d))
        .collect()
}

/// [`stores`], each with its database's URL (for what a client other than
/// AIMA reads from the database).
pub async fn stores_and_urls() -> Vec<(SqlStore, tempfile::TempDir, String)> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    out.push((SqlStore::connect(&url, 8).await.expect("sqlite"), dir, url));
    if let Ok(base) = std::env::var("AIMA_TEST_POSTGRES_URL") {
        use sqlx::Connection;
        let name = format!("aima_q_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&base).await.expect("pg");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create");
        let (prefix, _) = base.rsplit_once('/').expect("db");
        let url = format!("{prefix}/{name}");
        out.push((
            SqlStore::connect(&url, 8).await.expect("postgres"),
            tempfile::tempdir().expect("tmp"),
            url,
        ));
    } else if std::env::var("AIMA_TEST_REQUIRE_POSTGRES").as_deref() == Ok("1") {
        panic!("AIMA_TEST_REQUIRE_POSTGRES=1 but AIMA_TEST_POSTGRES_URL is not set");
    }
    out
}

pub async fn media(store: &SqlStore, n: usize) -> String {
    let (m, created) = store
        .insert_or_get_media(NewMedia {
            workspace: "w".into(),
            sha256: format!("{n:064x}"),
            kind: MediaKind::Audio,
            filename: None,
            size: 1,
            duration: Some(1.0),
            width: None,
            height: None,
            probe: serde_json::json!({}),
        })
        .await
        .expect("media");
    assert!(created);
    // As an upload does once the bytes are in.
    store.mark_media_stored("w", &m.id).await.expect("stored");
    m.id
}

pub async fn job(store: &SqlStore, media_id: &str, max_attempts: i64) -> String {
    store
        .create_job(NewJob {
            workspace: "w".into(),
            media_id: Some(media_id.into()),
            pipeline: vec![StageSpec::new("probe")],
            max_attempts,
        })
        .await
        .expect("job")
        .id
}
