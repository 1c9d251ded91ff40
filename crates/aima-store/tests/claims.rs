//! Queue semantics straight against the store, on SQLite and (when the test
//! command started one) PostgreSQL: concurrent claimers each get a different
//! job, expired leases are taken over, and writes under a lost lease are
//! refused.

use std::collections::HashSet;
use std::sync::Arc;

use aima_core::{ErrorCode, ErrorInfo, Insight, MediaKind, NewMedia};
use aima_store::{FailureKind, Fenced, InsightRepo, JobRepo, MediaRepo};

mod common;
use common::{job, media, stores};

#[tokio::test]
async fn concurrent_claimers_never_share_a_job() {
    for (store, _dir) in stores().await {
        let store = Arc::new(store);
        let m = media(&store, 1).await;
        let mut ids = HashSet::new();
        for _ in 0..60 {
            ids.insert(job(&store, &m, 3).await);
        }
        let mut tasks = Vec::new();
        for w in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(lease) = store
                    .claim_job(&format!("w{w}"), 60_000)
                    .await
                    .expect("claim")
                {
                    assert_eq!(
                        store
                            .complete_job(&lease.job.id, &lease.token, &lease.job.stages)
                            .await
                            .expect("complete"),
                        Fenced::Ok
                    );
                    mine.push(lease.job.id);
                }
                mine
            }));
        }
        let mut claimed = Vec::new();
        for t in tasks {
            claimed.extend(t.await.expect("task"));
        }
        assert_eq!(claimed.len(), 60, "{:?}", store.dialect());
        assert_eq!(claimed.iter().cloned().collect::<HashSet<_>>(), ids);
    }
}

#[tokio::test]
async fn expired_leases_are_taken_over_and_fence_the_old_worker() {
    for (store, _dir) in stores().await {
        let m = media(&store, 2).await;
        let id = job(&store, &m, 2).await;
        let old = store
            .claim_job("old", 1)
            .await
            .expect("claim")
            .expect("a job");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let new = store
            .claim_job("new", 60_000)
            .await
            .expect("claim")
            .expect("taken over");
        assert_eq!(new.job.id, id);
        assert_eq!(new.job.attempts, 2);
        let insight = Insight {
            analyzer: "probe".into(),
            kind: "media_info".into(),
            start: 0.0,
            end: None,
            data: serde_json::json!({}),
            artifact: None,
            key: "k".into(),
        };
        // The old worker can write nothing any more.
        assert_eq!(
            store
                .put_insight(&old.job, &old.token, &insight)
                .await
                .expect("put"),
            Fenced::LeaseLost
        );
        assert_eq!(
            store.heartbeat(&id, &old.token, 1000).await.expect("hb"),
            Fenced::LeaseLost
        );
        assert_eq!(
            store
                .complete_job(&id, &old.token, &old.job.stages)
                .await
                .expect("c"),
            Fenced::LeaseLost
        );
        // The new one can, once per key.
        assert_eq!(
            store
                .put_insight(&new.job, &new.token, &insight)
                .await
                .expect("put"),
            Fenced::Ok
        );
        assert_eq!(
            store
                .put_insight(&new.job, &new.token, &insight)
                .await
                .expect("put"),
            Fenced::Ok
        );
        let listed = store
            .list_insights("w", &m, &Default::default())
            .await
            .expect("list");
        assert_eq!(listed.len(), 1);
        // A transient failure on the last attempt fails the job for good.
        let err = ErrorInfo::new(ErrorCode::AnalyzerFailed, "boom");
        assert_eq!(
            store
                .fail_job(
                    &id,
                    &new.token,
                    FailureKind::Retry { retry_after_ms: 0 },
                    &err,
                    &new.job.stages
                )
                .await
                .expect("fail"),
            Fenced::Ok
        );
        let j = store.get_job("w", &id).await.expect("get");
        assert_eq!(j.state, aima_core::JobState::Failed);
        assert_eq!(j.error.map(|e| e.code), Some(ErrorCode::AnalyzerFailed));
        assert!(store.claim_job("any", 1000).await.expect("claim").is_none());
    }
}

#[tokio::test]
async fn a_vanished_worker_on_the_last_attempt_fails_the_job() {
    for (store, _dir) in stores().await {
        let m = media(&store, 3).await;
        let id = job(&store, &m, 1).await;
        let _lease = store
            .claim_job("gone", 1)
            .await
            .expect("claim")
            .expect("job");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(store
            .claim_job("next", 1000)
            .await
            .expect("claim")
            .is_none());
        let j = store.get_job("w", &id).await.expect("get");
        assert_eq!(j.state, aima_core::JobState::Failed);
        assert_eq!(j.error.map(|e| e.code), Some(ErrorCode::WorkerLost));
    }
}

/// A statement first run with missing values and then with values (an
/// unlabelled event, then one with a predicted mode and confidence) works on
/// every backend: sqlx's Any driver binds a NULL float as float4, and
/// PostgreSQL then refuses the float8 of the next run of the cached statement.
#[tokio::test]
async fn missing_then_present_values_bind_alike() {
    use aima_core::{Event, LabelSource, ModeLabel, NewBucket};
    use aima_store::ActivityRepo;
    for (store, _dir) in stores().await {
        let bucket = NewBucket {
            id: "b".into(),
            btype: "app.activity".into(),
            client: "t".into(),
            hostname: "h".into(),
            data: serde_json::json!({}),
        };
        store.create_bucket("w", &bucket).await.expect("bucket");
        for n in 0..24i64 {
            let event = Event {
                id: None,
                timestamp: 1_000_000 + n * 1000,
                duration: 1.0,
                data: serde_json::Map::new(),
            };
            let label = (n % 2 == 1).then(|| ModeLabel {
                mode: "Work".into(),
                source: LabelSource::Model,
                confidence: Some(0.25 + n as f64 / 100.0),
                model_version: Some(n),
            });
            store
                .insert_events("w", "b", &[(event, label.clone())])
                .await
                .expect("insert");
            let got = store
                .list_events("w", &Default::default())
                .await
                .expect("list");
            assert_eq!(got[0].mode, label);
        }
    }
}

/// An upload of bytes that a delete is dropping at that very moment (the
/// delete found them unused): the upload's row waits for the delete to end,
/// then its bytes go back, so no media row is ever left without its bytes.
/// Deleting every media of some bytes drops them once, with the last one.
/// On every backend.
#[tokio::test]
async fn shared_bytes_survive_an_upload_racing_a_delete() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    for (store, _dir) in stores().await {
        let store = Arc::new(store);
        let new_media = |ws: &str, sha: &str| NewMedia {
            workspace: ws.into(),
            sha256: sha.into(),
            kind: MediaKind::Audio,
            filename: None,
            size: 1,
            duration: None,
            width: None,
            height: None,
            probe: serde_json::json!({}),
        };
        let sha = format!("{:064x}", 4242);
        let present = Arc::new(AtomicBool::new(true));
        let drops = Arc::new(AtomicUsize::new(0));
        let (first, _) = store
            .insert_or_get_media(new_media("w0", &sha))
            .await
            .expect("insert");
        store
            .mark_media_stored("w0", &first.id)
            .await
            .expect("stored");
        let dropping = Arc::new(tokio::sync::Notify::new());
        let dropper: Box<aima_store::BlobDropper> = {
            let (p, d, n) = (present.clone(), drops.clone(), dropping.clone());
            Box::new(move |_media, bytes| {
                let (p, d, n) = (p.clone(), d.clone(), n.clone());
                Box::pin(async move {
                    if bytes.is_some() {
                        n.notify_one(); // the upload starts now, mid-drop
                        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                        p.store(false, Ordering::SeqCst);
                        d.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(())
                })
            })
        };
        let upload = {
            let (store, present, dropping, media) = (
                store.clone(),
                present.clone(),
                dropping.clone(),
                new_media("w1", &sha),
            );
            tokio::spawn(async move {
                dropping.notified().await;
                // As the server does: the row, then the bytes, then the
                // row marked stored.
                let (m, _) = store.insert_or_get_media(media).await.expect("insert");
                present.store(true, Ordering::SeqCst);
                store.mark_media_stored("w1", &m.id).await.expect("stored");
            })
        };
        store.delete_media("w0", &first.id).await.expect("delete");
        // The bytes stay until the deletion has committed; then they go.
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        let collected = store
            .collect_garbage(Some(&first.id), 1, &dropper)
            .await
            .expect("collect");
        assert_eq!(collected, 1);
        upload.await.expect("upload");
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert!(
            present.load(Ordering::SeqCst),
            "the second upload's media is left without its bytes"
        );

        // Two users of the bytes: only the last delete drops them.
        let (third, _) = store
            .insert_or_get_media(new_media("w2", &sha))
            .await
            .expect("insert");
        store
            .mark_media_stored("w2", &third.id)
            .await
            .expect("stored");
        let page = store
            .list_media(
                "w1",
                &Default::default(),
                &aima_core::PageRequest::default(),
            )
            .await
            .expect("list");
        let second = page.items[0].id.clone();
        let plain: Box<aima_store::BlobDropper> = {
            let d = drops.clone();
            Box::new(move |_media, bytes| {
                let d = d.clone();
                Box::pin(async move {
                    if bytes.is_some() {
                        d.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(())
                })
            })
        };
        store.delete_media("w1", &second).await.expect("delete");
        store
            .collect_garbage(None, 10, &plain)
            .await
            .expect("collect");
        assert_eq!(drops.load(Ordering::SeqCst), 1, "still used in w2");
        store.delete_media("w2", &third.id).await.expect("delete");
        // A step that fails stays queued, and is done by the next round.
        let failing: Box<aima_store::BlobDropper> =
            Box::new(|_, _| Box::pin(async { Err("the blob store is down".to_string()) }));
        assert_eq!(
            store
                .collect_garbage(None, 10, &failing)
                .await
                .expect("collect"),
            0
        );
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(
            store
                .collect_garbage(None, 10, &plain)
                .await
                .expect("collect"),
            1
        );
        assert_eq!(drops.load(Ordering::SeqCst), 2, "the last one drops them");
        assert_eq!(
            store
                .collect_garbage(None, 10, &plain)
                .await
                .expect("collect"),
            0,
            "nothing left queued"
        );
    }
}

/// A process killed between an upload's media row and its bytes: the row
/// is never listed, read or analysed, an upload of the same bytes finishes
/// it, and otherwise it is forgotten (its bytes, if any were put, queued
/// for removal) once the grace has passed. On every backend.
#[tokio::test]
async fn an_upload_that_died_before_its_bytes_is_never_seen_and_is_forgotten() {
    use aima_core::{PageRequest, StageSpec};
    use aima_store::NewJob;
    use aima_store::StoreError;
    for (store, _dir) in stores().await {
        let new_media = |sha: &str| NewMedia {
            workspace: "w".into(),
            sha256: sha.into(),
            kind: MediaKind::Audio,
            filename: Some("talk.wav".into()),
            size: 1,
            duration: None,
            width: None,
            height: None,
            probe: serde_json::json!({}),
        };
        let job_for = |id: &str| NewJob {
            workspace: "w".into(),
            media_id: Some(id.into()),
            pipeline: vec![StageSpec::new("probe")],
            max_attempts: 1,
        };
        let listed = |store: &aima_store::SqlStore| {
            let store = store.clone();
            async move {
                store
                    .list_media("w", &Default::default(), &PageRequest::default())
                    .await
                    .expect("list")
                    .items
                    .into_iter()
                    .map(|m| m.id)
                    .collect::<Vec<_>>()
            }
        };
        // Two uploads whose process died after the row.
        let (dead, created) = store
            .insert_or_get_media(new_media(&format!("{:064x}", 1)))
            .await
            .expect("insert");
        assert!(created);
        let (healed, _) = store
            .insert_or_get_media(new_media(&format!("{:064x}", 2)))
            .await
            .expect("insert");
        for id in [&dead.id, &healed.id] {
            assert!(matches!(
                store.get_media("w", id).await,
                Err(StoreError::NotFound)
            ));
            assert!(matches!(
                store.create_job(job_for(id)).await,
                Err(StoreError::NotFound)
            ));
        }
        assert_eq!(listed(&store).await, Vec::<String>::new());
        // The same bytes uploaded again: the same row, finished this time.
        let (again, created) = store
            .insert_or_get_media(new_media(&format!("{:064x}", 2)))
            .await
            .expect("insert");
        assert!(!created);
        assert_eq!(again.id, healed.id);
        store
            .mark_media_stored("w", &again.id)
            .await
            .expect("stored");
        assert_eq!(listed(&store).await, vec![healed.id.clone()]);
        store
            .create_job(job_for(&healed.id))
            .await
            .expect("a job for it");

        // An upload whose put failed forgets its own row at once, and only
        // that one; a stored row is never forgotten.
        let (failed, _) = store
            .insert_or_get_media(new_media(&format!("{:064x}", 3)))
            .await
            .expect("insert");
        let forget_now = |id: String| {
            let store = store.clone();
            async move {
                store
                    .forget_unstored_media(Some(&id), i64::MAX, 1)
                    .await
                    .expect("forget")
            }
        };
        assert_eq!(forget_now(healed.id.clone()).await, 0, "a stored media");
        assert_eq!(forget_now(failed.id.clone()).await, 1);
        assert_eq!(listed(&store).await, vec![healed.id.clone()]);
        // Within the grace nothing is forgotten (an upload may be slow).
        let made = dead.created_at;
        assert_eq!(
            store
                .forget_unstored_media(None, made, 10)
                .await
                .expect("forget"),
            0
        );
        // After it, only the dead one, and its bytes are queued.
        assert_eq!(
            store
                .forget_unstored_media(None, made + 1, 10)
                .await
                .expect("forget"),
            1
        );
        assert_eq!(
            store
                .forget_unstored_media(None, made + 1, 10)
                .await
                .expect("forget"),
            0
        );
        assert_eq!(listed(&store).await, vec![healed.id.clone()]);
        let dropped = Arc::new(std::sync::Mutex::new(Vec::new()));
        let dropper: Box<aima_store::BlobDropper> = {
            let dropped = dropped.clone();
            Box::new(move |media, bytes| {
                let dropped = dropped.clone();
                Box::pin(async move {
                    dropped.lock().expect("lock").push((media, bytes));
                    Ok(())
                })
            })
        };
        assert_eq!(
            store
                .collect_garbage(None, 10, &dropper)
                .await
                .expect("collect"),
            2
        );
        let mut dropped = dropped.lock().expect("lock").clone();
        dropped.sort();
        let mut want = vec![
            (dead.id.clone(), Some(format!("{:064x}", 1))),
            (failed.id.clone(), Some(format!("{:064x}", 3))),
        ];
        want.sort();
        assert_eq!(dropped, want);
    }
}
