//! Persons straight against the store, on SQLite and PostgreSQL: faces
//! cluster incrementally across media, concurrent jobs never split one new
//! person in two, and names, merges, splits, moves and reviews hold.

use std::sync::Arc;

use aima_core::{Insight, InsightFilter, PageRequest, Review};
use aima_store::{Fenced, InsightRepo, JobRepo, PersonRepo, SqlStore};

mod common;
use common::{job, media, stores};

/// A unit vector near axis `who` (8 dimensions), a little different per `n`.
fn embedding(who: usize, n: usize) -> Vec<f64> {
    let mut v = vec![0.02 * (n % 3) as f64; 8];
    v[who] = 1.0;
    v
}

fn face(key: &str, start: f64, e: Vec<f64>) -> Insight {
    Insight {
        analyzer: "faces".into(),
        kind: "face".into(),
        start,
        end: Some(start + 1.0),
        data: serde_json::json!({"score": 0.9, "embedding": e}),
        artifact: Some(format!("faces/{key}.jpg")),
        key: key.into(),
    }
}

/// A running job on a new media, with its lease token.
async fn running(store: &SqlStore, n: usize) -> (aima_core::Job, String, String) {
    let m = media(store, n).await;
    let id = job(store, &m, 3).await;
    loop {
        let lease = store
            .claim_job("w", 60_000)
            .await
            .expect("claim")
            .expect("a job");
        if lease.job.id == id {
            return (lease.job, lease.token, m);
        }
    }
}

#[tokio::test]
async fn faces_cluster_into_persons_that_users_can_edit() {
    for (store, _dir) in stores().await {
        // Media 1: A twice (two tracks), B once. Media 2: A again.
        let (j1, tok1, m1) = running(&store, 101).await;
        for (k, who, s) in [("a1", 0, 0.0), ("b1", 1, 2.0), ("a2", 0, 5.0)] {
            assert_eq!(
                store
                    .put_insight(&j1, &tok1, &face(k, s, embedding(who, s as usize)))
                    .await
                    .expect("put"),
                Fenced::Ok
            );
        }
        // The same key again (a retried job) adds nothing.
        store
            .put_insight(&j1, &tok1, &face("a1", 0.0, embedding(0, 0)))
            .await
            .expect("again");
        let (j2, tok2, m2) = running(&store, 102).await;
        store
            .put_insight(&j2, &tok2, &face("a3", 1.0, embedding(0, 1)))
            .await
            .expect("put");

        let page = store
            .list_persons("w", &PageRequest::default())
            .await
            .expect("list");
        assert_eq!(page.items.len(), 2, "{:?}", page.items);
        let a = page
            .items
            .iter()
            .find(|p| p.faces == 3)
            .expect("A has three faces")
            .clone();
        let b = page
            .items
            .iter()
            .find(|p| p.faces == 1)
            .expect("B has one")
            .clone();
        assert_eq!(a.media, 2);
        assert!(a
            .cover
            .as_ref()
            .is_some_and(|c| c.artifact.as_deref() == Some("faces/a1.jpg")));
        // The embedding lives in the face index, not in the insight.
        let listed = store
            .list_insights("w", &m1, &InsightFilter::default())
            .await
            .expect("insights");
        assert_eq!(listed.len(), 3);
        assert!(listed
            .iter()
            .all(|i| i.insight.data.get("embedding").is_none()));

        // Appearances: per media, ranges merged.
        let apps = store.appearances("w", &a.id).await.expect("appearances");
        assert_eq!(apps.len(), 2);
        let on1 = apps.iter().find(|x| x.media_id == m1).expect("media 1");
        assert_eq!(on1.ranges.len(), 2);
        assert_eq!((on1.ranges[0].start, on1.ranges[0].end), (0.0, Some(1.0)));
        assert!(apps.iter().any(|x| x.media_id == m2));

        // Name, then merge B into A: the name stays, B is gone.
        let named = store
            .rename_person("w", &a.id, Some("Eileen"))
            .await
            .expect("rename");
        assert_eq!(named.name.as_deref(), Some("Eileen"));
        let merged = store.merge_persons("w", &a.id, &b.id).await.expect("merge");
        assert_eq!(merged.faces, 4);
        assert!(store.get_person("w", &b.id).await.is_err());
        assert!(
            store.merge_persons("w", &a.id, &a.id).await.is_err(),
            "not into itself"
        );

        // Split B's face back out: a new person with exactly that face, pinned.
        let faces = store
            .person_faces("w", &a.id, 100, None)
            .await
            .expect("faces");
        let b_face = faces
            .iter()
            .find(|f| f.artifact.as_deref() == Some("faces/b1.jpg"))
            .expect("b1");
        let split = store
            .split_person("w", &a.id, &[b_face.insight_id])
            .await
            .expect("split");
        assert_eq!(split.faces, 1);
        assert_eq!(store.get_person("w", &a.id).await.expect("a").faces, 3);
        let moved_back = store
            .person_faces("w", &split.id, 10, None)
            .await
            .expect("faces");
        assert!(moved_back[0].pinned);
        // Splitting a face that is not the person's is refused.
        assert!(store
            .split_person("w", &split.id, &[faces[0].insight_id])
            .await
            .is_err());

        // Move a face of A to a person of its own, then back.
        let a3 = faces
            .iter()
            .find(|f| f.media_id == m2)
            .expect("a3")
            .insight_id;
        let alone = store.move_face("w", a3, None).await.expect("move");
        let alone_id = alone.person_id.clone().expect("a person");
        assert_ne!(alone_id, a.id);
        store
            .move_face("w", a3, Some(&a.id))
            .await
            .expect("move back");
        assert!(
            store.get_person("w", &alone_id).await.is_err(),
            "an emptied person is removed"
        );

        // Rejecting a face takes it out of its person, search and exports;
        // un-rejecting puts it back by clustering.
        let reviewed = store
            .review_insight("w", a3, Some(Review::Rejected))
            .await
            .expect("review");
        assert_eq!(reviewed.review, Some(Review::Rejected));
        assert_eq!(store.get_person("w", &a.id).await.expect("a").faces, 2);
        assert!(store
            .list_insights("w", &m2, &InsightFilter::default())
            .await
            .expect("list")
            .is_empty());
        let all = InsightFilter {
            include_rejected: true,
            ..Default::default()
        };
        assert_eq!(
            store
                .list_insights("w", &m2, &all)
                .await
                .expect("list")
                .len(),
            1
        );
        assert!(store
            .appearances("w", &a.id)
            .await
            .expect("apps")
            .iter()
            .all(|x| x.media_id != m2));
        store.review_insight("w", a3, None).await.expect("unreview");
        assert_eq!(store.get_person("w", &a.id).await.expect("a").faces, 3);
        // A rejected face moved into a person counts again there (a person
        // that holds a face its pages leave out would be a contradiction).
        store
            .review_insight("w", a3, Some(Review::Rejected))
            .await
            .expect("reject");
        let moved = store
            .move_face("w", a3, Some(&a.id))
            .await
            .expect("move a rejected face");
        assert_eq!(moved.person_id.as_deref(), Some(a.id.as_str()));
        assert_eq!(store.get_person("w", &a.id).await.expect("a").faces, 3);
        assert!(store
            .appearances("w", &a.id)
            .await
            .expect("apps")
            .iter()
            .any(|x| x.media_id == m2));
        let listed = store
            .list_insights("w", &m2, &InsightFilter::default())
            .await
            .expect("list");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].review, None);
        assert!(store
            .review_insight("w", 999_999, Some(Review::Confirmed))
            .await
            .is_err());
        // Another workspace sees none of it.
        assert!(store.get_person("other", &a.id).await.is_err());
        assert!(store
            .list_persons("other", &PageRequest::default())
            .await
            .expect("list")
            .items
            .is_empty());
    }
}

#[tokio::test]
async fn concurrent_jobs_find_one_new_person_once() {
    for (store, _dir) in stores().await {
        let store = Arc::new(store);
        let mut tasks = Vec::new();
        for n in 0..6 {
            let (j, tok, _) = running(&store, 200 + n).await;
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .put_insight(&j, &tok, &face("x", 0.0, embedding(3, n)))
                    .await
                    .expect("put")
            }));
        }
        for t in tasks {
            assert_eq!(t.await.expect("task"), Fenced::Ok);
        }
        let page = store
            .list_persons("w", &PageRequest::default())
            .await
            .expect("list");
        assert_eq!(page.items.len(), 1, "{:?}", page.items);
        assert_eq!(page.items[0].faces, 6);
        assert_eq!(page.items[0].media, 6);
    }
}

/// Stores two faces of person `who` (0.9986 apart) through `store` in a
/// job of its own; returns how many persons the workspace then has.
async fn persons_after_two_faces(store: &SqlStore, job: usize, who: usize) -> usize {
    let (j, t, _) = running(store, job).await;
    for n in 0..2 {
        store
            .put_insight(
                &j,
                &t,
                &face(&format!("{who}-{n}"), n as f64, embedding(who, n)),
            )
            .await
            .expect("put");
    }
    store
        .list_persons("w", &PageRequest::default())
        .await
        .expect("list")
        .items
        .len()
}

#[tokio::test]
async fn a_face_clusters_with_the_threshold_its_model_names() {
    for (store, _dir) in stores().await {
        // Two faces 0.9986 apart join at the configured default, but not
        // when their embedding model names a stricter threshold: the
        // model's wins.
        let (j, t, _) = running(&store, 401).await;
        for n in 0..2 {
            let mut f = face(&format!("strict-{n}"), n as f64, embedding(7, n));
            f.data["match_threshold"] = serde_json::json!(0.9995);
            store.put_insight(&j, &t, &f).await.expect("put");
        }
        let page = store
            .list_persons("w", &PageRequest::default())
            .await
            .expect("list");
        assert_eq!(page.items.len(), 2, "{:?}", page.items);
    }
}

#[tokio::test]
async fn the_match_threshold_is_the_configured_one() {
    for (store, _dir) in stores().await {
        // 0.9986 apart: two persons at a strict 0.9995, one at the default.
        let strict = store.clone().with_face_match_threshold(0.9995);
        assert_eq!(persons_after_two_faces(&strict, 301, 5).await, 2);
        assert_eq!(
            persons_after_two_faces(&store, 302, 6).await,
            3,
            "the default joins them"
        );
    }
}
