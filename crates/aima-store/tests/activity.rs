//! Activity writes under concurrency, straight against the store, on SQLite
//! and (when the test command started one) PostgreSQL: heartbeats and
//! inserts that share a transaction (group commit) give exactly what one
//! client sending them one by one would, a write that cannot be stored
//! fails alone, and on SQLite the activity writer's own connection shares
//! the database's one write lock with every other writer.

use std::sync::Arc;

use aima_core::{Event, EventQuery, LabelSource, ModeLabel, NewBucket};
use aima_store::{ActivityRepo, Dialect, SqlStore, StoreError};

mod common;
use common::{stores, stores_and_urls};

fn event(ts: i64, app: &str) -> Event {
    let mut data = serde_json::Map::new();
    data.insert("app".into(), app.into());
    Event {
        id: None,
        timestamp: ts,
        duration: 0.0,
        data,
    }
}

async fn bucket(store: &SqlStore, id: &str) {
    store
        .create_bucket(
            "w",
            &NewBucket {
                id: id.into(),
                btype: "currentwindow".into(),
                client: "t".into(),
                hostname: "h".into(),
                data: serde_json::json!({}),
            },
        )
        .await
        .expect("bucket");
}

async fn events_of(store: &SqlStore, id: &str) -> Vec<(i64, f64, String)> {
    let mut got: Vec<_> = store
        .list_events(
            "w",
            &EventQuery {
                bucket: Some(id.into()),
                ..Default::default()
            },
        )
        .await
        .expect("list")
        .into_iter()
        .map(|e| {
            (
                e.timestamp,
                e.duration,
                e.data["app"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    got.sort_by_key(|e| e.0);
    got
}

/// 32 watchers, each with its own bucket, send 30 heartbeats one after
/// another (the app changes every tenth) while all of them run at once:
/// each bucket holds three events of 9 s, as if it had been alone. And 16
/// clients heartbeating one bucket at once with the same data merge into
/// one event, whatever order their heartbeats arrive in. They share
/// commits: at least four heartbeats to a commit on average.
#[tokio::test]
async fn concurrent_heartbeats_merge_as_one_client_would() {
    const T0: i64 = 1_700_000_000_000;
    for (store, _dir) in stores().await {
        let store = Arc::new(store);
        for b in 0..32 {
            bucket(&store, &format!("b{b}")).await;
        }
        bucket(&store, "shared").await;
        // The shared bucket's event starts at T0; every later heartbeat is
        // inside its pulse window, so order does not matter.
        store
            .heartbeat_event("w", "shared", &event(T0, "editor"), 60.0)
            .await
            .expect("first");
        let mut tasks = Vec::new();
        for b in 0..32 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let id = format!("b{b}");
                for i in 0..30i64 {
                    let app = ["editor", "browser", "terminal"][(i / 10) as usize];
                    let out = store
                        .heartbeat_event("w", &id, &event(T0 + i * 1000, app), 5.0)
                        .await
                        .expect("heartbeat");
                    assert_eq!(out.merged, i % 10 != 0, "{id} heartbeat {i}");
                    assert_eq!(out.bucket_type, "currentwindow");
                    assert_eq!(out.event.timestamp, T0 + (i / 10) * 10_000);
                }
            }));
        }
        for c in 0..16i64 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 1..=20i64 {
                    let ts = T0 + ((i * 16 + c) % 300) * 100;
                    let out = store
                        .heartbeat_event("w", "shared", &event(ts, "editor"), 60.0)
                        .await
                        .expect("heartbeat");
                    assert!(out.merged);
                    assert_eq!(out.event.timestamp, T0);
                }
            }));
        }
        let before = store.activity_commits();
        for t in tasks {
            t.await.expect("task");
        }
        // The group commit shares commits: far fewer transactions than the
        // 1,280 heartbeats (one by one, each would be its own).
        let commits = store.activity_commits() - before;
        println!(
            "{:?}: 1280 heartbeats in {commits} commits",
            store.dialect()
        );
        assert!(
            commits > 0 && commits <= 1280 / 4,
            "{commits} commits for 1280 heartbeats on {:?}",
            store.dialect()
        );
        for b in 0..32 {
            assert_eq!(
                events_of(&store, &format!("b{b}")).await,
                vec![
                    (T0, 9.0, "editor".into()),
                    (T0 + 10_000, 9.0, "browser".into()),
                    (T0 + 20_000, 9.0, "terminal".into()),
                ],
                "bucket b{b} on {:?}",
                store.dialect()
            );
        }
        assert_eq!(
            events_of(&store, "shared").await,
            vec![(T0, 29.9, "editor".into())],
            "{:?}",
            store.dialect()
        );
    }
}

/// Writes to a bucket that does not exist (or is another workspace's) fail
/// with `NotFound`, while the heartbeats and inserts sent at the same time
/// are stored.
#[tokio::test]
async fn a_write_that_cannot_be_stored_fails_alone() {
    const T0: i64 = 1_700_000_000_000;
    for (store, _dir) in stores().await {
        let store = Arc::new(store);
        bucket(&store, "ok").await;
        let mut tasks = Vec::new();
        for c in 0..24i64 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                match c % 3 {
                    0 => {
                        let r = store
                            .heartbeat_event("w", "missing", &event(T0, "x"), 5.0)
                            .await;
                        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
                        let r = store
                            .insert_events("other", "ok", &[(event(T0, "x"), None)])
                            .await;
                        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
                        0
                    }
                    1 => {
                        let ids = store
                            .insert_events(
                                "w",
                                "ok",
                                &[
                                    (event(T0 + c * 10_000, "a"), None),
                                    (event(T0 + c * 10_000 + 1000, "b"), None),
                                ],
                            )
                            .await
                            .expect("insert");
                        assert_eq!(ids.len(), 2);
                        2
                    }
                    _ => {
                        store
                            .heartbeat_event("w", "ok", &event(T0 + c * 10_000 + 5000, "c"), 0.0)
                            .await
                            .expect("heartbeat");
                        1
                    }
                }
            }));
        }
        let mut stored = 0;
        for t in tasks {
            stored += t.await.expect("task");
        }
        assert_eq!(stored, 24);
        assert_eq!(
            events_of(&store, "ok").await.len(),
            24,
            "{:?}",
            store.dialect()
        );
    }
}

/// On SQLite, activity writes go through a connection of their own
/// (`sqlite_writer`). While another client of the file holds the write
/// lock, a heartbeat waits for it (it is not answered, and not lost), then
/// commits; the other client's write is kept too. What the writer reads
/// back (a labelled event's mode, its confidence and model version) is what
/// the pool's connections read.
#[tokio::test]
async fn sqlite_activity_writes_wait_for_the_write_lock_and_keep_labels() {
    use sqlx::{Connection, Executor};
    const T0: i64 = 1_700_000_000_000;
    for (store, _dir, url) in stores_and_urls().await {
        if store.dialect() != Dialect::Sqlite {
            continue;
        }
        let store = Arc::new(store);
        bucket(&store, "b").await;
        let label = ModeLabel {
            mode: "deep work".into(),
            source: LabelSource::Model,
            confidence: Some(0.75),
            model_version: Some(3),
        };
        store
            .insert_events("w", "b", &[(event(T0, "editor"), Some(label.clone()))])
            .await
            .expect("insert");
        // Another client takes the write lock and writes.
        let mut other = sqlx::SqliteConnection::connect(&url).await.expect("other");
        other.execute("BEGIN IMMEDIATE").await.expect("lock");
        other
            .execute("UPDATE buckets SET hostname = 'elsewhere' WHERE id = 'b'")
            .await
            .expect("write");
        let beat = {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .heartbeat_event("w", "b", &event(T0 + 4000, "editor"), 10.0)
                    .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(
            !beat.is_finished(),
            "answered while another writer held the lock"
        );
        other.execute("COMMIT").await.expect("commit");
        let out = beat.await.expect("task").expect("heartbeat");
        assert!(out.merged);
        assert_eq!(out.event.timestamp, T0);
        assert_eq!(out.event.duration, 4.0);
        assert_eq!(out.event.mode.as_ref(), Some(&label));
        assert_eq!(
            events_of(&store, "b").await,
            vec![(T0, 4.0, "editor".into())]
        );
        let stored = store
            .list_events("w", &EventQuery::default())
            .await
            .expect("list");
        assert_eq!(stored[0].mode.as_ref(), Some(&label));
        assert_eq!(
            store.get_bucket("w", "b").await.expect("bucket").hostname,
            "elsewhere"
        );
    }
}
