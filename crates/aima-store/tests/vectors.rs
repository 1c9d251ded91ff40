//! The text-vector index straight against the store, on SQLite (sqlite-vec)
//! and PostgreSQL (pgvector): the indexer's queue, nearest first, filters
//! inside the query, and vectors leaving with their insight.

use aima_core::search::SearchQuery;
use aima_core::{Insight, Review};
use aima_store::{
    Fenced, FrameRepo, InsightRepo, JobRepo, MediaRepo, PersonRepo, SearchRepo, SqlStore,
    TextIndexStatus, VectorRepo,
};

mod common;
use common::{job, media, stores};

const DIMS: usize = 384;
const MODEL: &str = "m";

/// A unit vector between axes `a` and `b`, closer to `a` the larger `w`.
fn vector(a: usize, b: usize, w: f32) -> Vec<f32> {
    let mut v = vec![0.0; DIMS];
    v[a] = w;
    v[b] = (1.0 - w * w).sqrt();
    v
}

fn line(key: &str, start: f64, text: &str) -> Insight {
    Insight {
        analyzer: "ocr".into(),
        kind: "text".into(),
        start,
        end: Some(start + 1.0),
        data: serde_json::json!({ "text": text }),
        artifact: None,
        key: key.into(),
    }
}

/// Stores `lines` as insights of a finished job on a new media.
async fn stored(store: &SqlStore, n: usize, lines: &[Insight]) -> String {
    let m = media(store, n).await;
    let id = job(store, &m, 1).await;
    let lease = loop {
        let lease = store
            .claim_job("w", 60_000)
            .await
            .expect("claim")
            .expect("job");
        if lease.job.id == id {
            break lease;
        }
    };
    for l in lines {
        let put = store.put_insight(&lease.job, &lease.token, l).await;
        assert_eq!(put.expect("put"), Fenced::Ok);
    }
    m
}

fn query(limit: u32) -> SearchQuery {
    SearchQuery {
        limit,
        ..SearchQuery::default()
    }
}

#[tokio::test]
async fn vectors_are_queued_found_nearest_first_and_leave_with_their_insight() {
    for (store, _dir) in stores().await {
        let m1 = stored(
            &store,
            1,
            &[
                line("a", 1.0, "espresso machine"),
                line("b", 2.0, "tax form"),
            ],
        )
        .await;
        let m2 = stored(&store, 2, &[line("c", 3.0, "coffee grinder")]).await;

        // Every stored line waits for the indexer, oldest first.
        let pending = store.pending_texts(10).await.expect("pending");
        let texts: Vec<_> = pending.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["espresso machine", "tax form", "coffee grinder"]);
        let ids: Vec<i64> = pending.iter().map(|(id, _)| *id).collect();
        let status = store
            .text_index_status(Some("w"), MODEL)
            .await
            .expect("status");
        assert_eq!(
            status,
            TextIndexStatus {
                indexed: 0,
                pending: 3
            }
        );

        // Coffee things near axis 0, the tax form near axis 5.
        let vectors = vec![
            (ids[0], vector(0, 1, 0.99)),
            (ids[1], vector(5, 6, 0.99)),
            (ids[2], vector(0, 2, 0.9)),
        ];
        store.put_text_vectors(MODEL, &vectors).await.expect("put");
        assert!(store.pending_texts(10).await.expect("pending").is_empty());
        let status = store
            .text_index_status(Some("w"), MODEL)
            .await
            .expect("status");
        assert_eq!(
            status,
            TextIndexStatus {
                indexed: 3,
                pending: 0
            }
        );
        // Another workspace counts nothing.
        let other = store
            .text_index_status(Some("x"), MODEL)
            .await
            .expect("status");
        assert_eq!(other, TextIndexStatus::default());

        let coffee = vector(0, 3, 1.0);
        let hits = store
            .search_semantic("w", MODEL, &coffee, &query(10))
            .await
            .expect("search");
        let found: Vec<_> = hits.iter().map(|h| h.text.as_str()).collect();
        // The tax form is orthogonal (similarity 0): still a hit at min_score 0.
        assert_eq!(found, ["espresso machine", "coffee grinder", "tax form"]);
        assert!((hits[0].score - 0.99).abs() < 1e-3, "{hits:?}");
        assert_eq!(hits[0].start, 1.0);
        assert!(hits[0].marks.is_empty());

        // Filters apply inside the query and still fill the page.
        let only_m2 = SearchQuery {
            media_id: Some(m2.clone()),
            ..query(1)
        };
        let hits = store
            .search_semantic("w", MODEL, &coffee, &only_m2)
            .await
            .expect("search");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].text, "coffee grinder");
        let close = SearchQuery {
            min_score: 0.5,
            ..query(10)
        };
        let hits = store
            .search_semantic("w", MODEL, &coffee, &close)
            .await
            .expect("search");
        assert_eq!(hits.len(), 2);
        // Pages follow each other.
        let second = SearchQuery {
            offset: 1,
            ..query(1)
        };
        let hits = store
            .search_semantic("w", MODEL, &coffee, &second)
            .await
            .expect("search");
        assert_eq!(hits[0].text, "coffee grinder");
        // Another workspace, another model: nothing.
        assert!(store
            .search_semantic("x", MODEL, &coffee, &query(10))
            .await
            .expect("x")
            .is_empty());
        assert!(store
            .search_semantic("w", "other", &coffee, &query(10))
            .await
            .expect("o")
            .is_empty());

        // A rejected line leaves; a deleted media takes its vectors along.
        store
            .review_insight("w", ids[0], Some(Review::Rejected))
            .await
            .expect("review");
        let hits = store
            .search_semantic("w", MODEL, &coffee, &query(10))
            .await
            .expect("search");
        assert_eq!(hits[0].text, "coffee grinder");
        store.delete_media("w", &m1).await.expect("delete");
        let status = store
            .text_index_status(Some("w"), MODEL)
            .await
            .expect("status");
        assert_eq!(
            status,
            TextIndexStatus {
                indexed: 1,
                pending: 0
            }
        );

        // A reindex for another model queues what that model has not
        // embedded, in steps; `all` queues everything again.
        let mut after = 0;
        while let Some(last) = store
            .requeue_texts("new", false, after, 1)
            .await
            .expect("requeue")
        {
            after = last;
        }
        assert_eq!(store.pending_texts(10).await.expect("pending").len(), 1);
        store
            .put_text_vectors("new", &[(ids[2], vector(0, 2, 0.9))])
            .await
            .expect("put");
        assert_eq!(
            store.requeue_texts("new", false, 0, 10).await.expect("r"),
            Some(ids[2])
        );
        assert!(store.pending_texts(10).await.expect("pending").is_empty());
        store
            .requeue_texts("new", true, 0, 10)
            .await
            .expect("requeue all");
        assert_eq!(store.pending_texts(10).await.expect("pending").len(), 1);
        // A vector for an insight deleted meanwhile is skipped, not an error.
        store
            .put_text_vectors("new", &[(ids[0], vector(0, 1, 0.5))])
            .await
            .expect("deleted insight skipped");
        let _ = MediaRepo::get_media(&store, "w", &m2)
            .await
            .expect("m2 kept");
    }
}

fn frame(key: &str, start: f64, embedding: &[f64]) -> Insight {
    Insight {
        analyzer: "clip".into(),
        kind: "labels".into(),
        start,
        end: None,
        data: serde_json::json!({ "labels": [{"label": "x", "score": 1.0}], "embedding": embedding }),
        artifact: None,
        key: key.into(),
    }
}

#[tokio::test]
async fn similar_media_rank_by_their_closest_frame() {
    for (store, _dir) in stores().await {
        let a = stored(
            &store,
            11,
            &[
                frame("a0", 0.0, &[1.0, 0.0, 0.0]),
                frame("a5", 5.0, &[0.0, 1.0, 0.0]),
            ],
        )
        .await;
        let b = stored(
            &store,
            12,
            &[
                frame("b2", 2.0, &[0.9, 0.1, 0.0]),
                frame("b4", 4.0, &[0.0, 0.0, 1.0]),
            ],
        )
        .await;
        let c = stored(&store, 13, &[frame("c1", 1.0, &[0.0, 0.95, 0.05])]).await;
        // Another CLIP model's size never compares.
        stored(&store, 14, &[frame("d0", 0.0, &[1.0, 1.0, 0.0, 0.0])]).await;

        // The media as a whole (its frames' mean): B's frame at 2 s, then C.
        let all = store
            .similar_media("w", &a, None, 10)
            .await
            .expect("similar");
        let order: Vec<(&str, f64)> = all.iter().map(|s| (s.media_id.as_str(), s.start)).collect();
        assert_eq!(order, [(b.as_str(), 2.0), (c.as_str(), 1.0)]);
        assert!((all[0].score - 0.78).abs() < 0.01, "{all:?}");
        // One moment: the frame nearest 4.8 s (green) finds C first.
        let moment = store
            .similar_media("w", &a, Some(4.8), 1)
            .await
            .expect("similar");
        assert_eq!(moment.len(), 1);
        assert_eq!(moment[0].media_id, c);
        assert!(moment[0].score > 0.99, "{moment:?}");
        // The embedding left the insight for the index.
        let insights = store
            .list_insights("w", &a, &aima_core::InsightFilter::default())
            .await
            .expect("insights");
        assert!(insights
            .iter()
            .all(|i| i.insight.data.get("embedding").is_none()));
        // A rejected frame leaves; unknown and other workspaces' media are 404.
        let c_frame = store
            .list_insights("w", &c, &aima_core::InsightFilter::default())
            .await
            .expect("insights")[0]
            .id;
        store
            .review_insight("w", c_frame, Some(Review::Rejected))
            .await
            .expect("review");
        let all = store
            .similar_media("w", &a, None, 10)
            .await
            .expect("similar");
        assert_eq!(all.len(), 1, "{all:?}");
        assert!(store.similar_media("w", "nope", None, 10).await.is_err());
        assert!(store.similar_media("x", &a, None, 10).await.is_err());
    }
}
