//! Vector search benchmark: what search by meaning costs per stored text
//! (the embedding by the real model, and the vector's insert) and how fast
//! and how exactly it answers at 10k, 100k and 1M vectors, on SQLite
//! (sqlite-vec, exact) and PostgreSQL (pgvector HNSW with iterative scans),
//! beside faiss (exact `IndexFlatIP` and `IndexHNSWFlat`, from the
//! `faiss-cpu` wheel) on the same vectors and queries, in the same run.
//!
//! Vectors are 384-dimensional like all-MiniLM-L6-v2's, drawn from 2,000
//! Gaussian clusters (a point's cosine to its centre about 0.86, to
//! another point of its cluster about 0.74, like paraphrases) and normalised (embedding a million texts with the
//! model would take hours here; the cost of embedding is measured on its
//! own, on 512 generated sentences). Queries are 100 new points of the same
//! clusters; recall@10 is against exact search computed here. AIMA's rows
//! go through `SearchRepo::search_semantic` (the route's query, without
//! HTTP), top 10. Run with `bash scripts/bench-vectors.sh`, which writes
//! the table into BENCHMARKS.md. `AIMA_BENCH_VECTOR_SIZES=10000,100000`
//! picks sizes; `AIMA_BENCH_POSTGRES_MAX=100000` leaves PostgreSQL out of
//! larger ones.

mod common;

use std::io::Write;
use std::time::Instant;

use aima_core::search::SearchQuery;
use aima_store::{SearchRepo, SqlStore, VectorRepo};
use common::{percentile, postgres_db};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

const DIMS: usize = 384;
const CLUSTERS: usize = 2_000;
const QUERIES: usize = 100;
const K: usize = 10;
const BATCH: usize = 500;
const MODEL: &str = "bench";

fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= n);
    v
}

/// `n` points around fixed cluster centres (seeded), and `QUERIES` more.
fn points(n: usize, seed: u64, centres: &[Vec<f32>]) -> Vec<Vec<f32>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let noise = Normal::new(0.0f32, 0.03).expect("normal");
    (0..n)
        .map(|_| {
            let c = &centres[rng.gen_range(0..centres.len())];
            normalised(c.iter().map(|x| x + noise.sample(&mut rng)).collect())
        })
        .collect()
}

fn centres() -> Vec<Vec<f32>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let unit = Normal::new(0.0f32, 1.0).expect("normal");
    (0..CLUSTERS)
        .map(|_| normalised((0..DIMS).map(|_| unit.sample(&mut rng)).collect()))
        .collect()
}

/// The exact top `K` by inner product (cosine: all unit length).
fn exact(data: &[Vec<f32>], q: &[f32]) -> Vec<usize> {
    let mut scored: Vec<(usize, f32)> = data
        .iter()
        .enumerate()
        .map(|(i, v)| (i, v.iter().zip(q).map(|(a, b)| a * b).sum()))
        .collect();
    scored.select_nth_unstable_by(K, |a, b| b.1.total_cmp(&a.1));
    scored.truncate(K);
    scored.into_iter().map(|(i, _)| i).collect()
}

fn recall(found: &[usize], truth: &[usize]) -> f64 {
    found.iter().filter(|i| truth.contains(i)).count() as f64 / K as f64
}

/// Inserts one OCR-line insight per vector (insight ids 1..=n in order)
/// and its vector through `VectorRepo::put_text_vectors`, as the indexer
/// does; answers the seconds the vectors took.
async fn load(store: &SqlStore, url: &str, data: &[Vec<f32>]) -> f64 {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("connect");
    pool.execute(
        "INSERT INTO workspaces (id, created_at) VALUES ('default', 0) ON CONFLICT DO NOTHING",
    )
    .await
    .expect("workspace");
    pool.execute(
        "INSERT INTO media (id, workspace_id, sha256, kind, size, probe, created_at) \
         VALUES ('m', 'default', 'x', 'image', 1, '{}', 0) ON CONFLICT DO NOTHING",
    )
    .await
    .expect("media");
    for (b, chunk) in data.chunks(BATCH).enumerate() {
        let mut sql = String::from(
            "INSERT INTO insights (workspace_id, media_id, job_id, analyzer, kind, ikey, start_s, data, created_at) VALUES ",
        );
        for i in 0..chunk.len() {
            let n = b * BATCH + i;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "('default', 'm', 'j', 'ocr', 'text', 'l{n}', {n}, '{{\"text\":\"line {n}\"}}', 0)"
            ));
        }
        pool.execute(sql.as_str()).await.expect("insert");
    }
    pool.close().await;
    let t0 = Instant::now();
    let mut next = 0usize;
    loop {
        let pending = store.pending_texts(BATCH as u32).await.expect("pending");
        if pending.is_empty() {
            break;
        }
        let rows: Vec<(i64, Vec<f32>)> = pending
            .iter()
            .map(|(id, _)| {
                // Insight ids follow insertion order from 1.
                let i = (*id - 1) as usize;
                next += 1;
                (*id, data[i].clone())
            })
            .collect();
        store.put_text_vectors(MODEL, &rows).await.expect("put");
    }
    assert_eq!(next, data.len());
    let s = t0.elapsed().as_secs_f64();
    // What autovacuum would have done by now: the planner's statistics
    // (without them PostgreSQL misjudges the joins and skips the index).
    let pool = sqlx::AnyPool::connect(url).await.expect("connect");
    pool.execute("ANALYZE").await.expect("analyze");
    pool.close().await;
    s
}

/// Latencies (sorted, ms) and mean recall@10.
async fn measure(store: &SqlStore, queries: &[Vec<f32>], truth: &[Vec<usize>]) -> (Vec<f64>, f64) {
    let (mut ms, mut r) = (Vec::new(), 0.0);
    for (q, t) in queries.iter().zip(truth) {
        let query = SearchQuery {
            limit: K as u32,
            ..SearchQuery::default()
        };
        let t0 = Instant::now();
        let hits = store
            .search_semantic("default", MODEL, q, &query)
            .await
            .expect("search");
        ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        let found: Vec<usize> = hits
            .iter()
            .filter_map(|h| h.insight_id.map(|id| (id - 1) as usize))
            .collect();
        r += recall(&found, t);
    }
    ms.sort_by(f64::total_cmp);
    (ms, r / queries.len() as f64)
}

fn row(engine: &str, n: usize, load_s: f64, ms: &[f64], recall: f64) -> String {
    format!(
        "| {engine} | {n} | {:.1} | {:.2} | {:.2} | {recall:.3} |\n",
        load_s * 1e6 / n as f64,
        percentile(ms, 0.5),
        percentile(ms, 0.99)
    )
}

/// The cost of embedding: the real model on generated sentences, as the
/// indexer batches them.
async fn embedding_cost() -> Option<String> {
    let dir = std::env::var("AIMA_BENCH_MODELS_DIR").ok()?;
    let models = aima_models::ModelManager::new(&dir, vec![], "python3");
    let embedder = aima_analyzers::embed::TextEmbedder::load(&models, "minilm-l6-int8")
        .await
        .ok()?;
    let words = [
        "the", "budget", "meeting", "is", "moved", "to", "friday", "please", "send", "report",
        "coffee", "machine", "customer", "invoice", "slide", "numbers", "quarter", "plan",
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let texts: Vec<String> = (0..512)
        .map(|_| {
            let n = rng.gen_range(8..=16);
            (0..n)
                .map(|_| words[rng.gen_range(0..words.len())])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    embedder
        .embed_async(texts[..32].to_vec(), aima_analyzers::embed::Role::Passage)
        .await
        .ok()?; // warm up
    let t0 = Instant::now();
    embedder
        .embed_async(texts.clone(), aima_analyzers::embed::Role::Passage)
        .await
        .ok()?;
    let per = t0.elapsed().as_secs_f64() * 1e6 / texts.len() as f64;
    Some(format!(
        "Embedding a transcript segment or OCR line (8-16 words) with `minilm-l6-int8` in batches of 32: **{per:.0} µs** per text ({:.0} texts/s on this machine), the indexer's main cost per stored text.\n\n",
        1e6 / per
    ))
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::var("AIMA_BENCH_VECTOR_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let pg = std::env::var("AIMA_BENCH_POSTGRES_URL").ok();
    let pg_max: usize = std::env::var("AIMA_BENCH_POSTGRES_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let centres = centres();
    let queries = points(QUERIES, 99, &centres);
    let dir = tempfile::tempdir().expect("tmp");
    let mut table = String::from(
        "| engine | vectors | index µs per vector | search p50 ms | search p99 ms | recall@10 |\n|---|---|---|---|---|---|\n",
    );
    for &n in &sizes {
        let data = points(n, 1, &centres);
        let truth: Vec<Vec<usize>> = queries.iter().map(|q| exact(&data, q)).collect();
        // SQLite (sqlite-vec, exact).
        let db = dir.path().join(format!("v{n}.db"));
        let url = format!("sqlite://{}?mode=rwc", db.display());
        let store = SqlStore::connect(&url, 2).await.expect("sqlite");
        let s = load(&store, &url, &data).await;
        let (ms, r) = measure(&store, &queries, &truth).await;
        eprintln!(
            "sqlite {n}: {s:.1} s, p50 {:.1} ms, recall {r:.3}",
            percentile(&ms, 0.5)
        );
        table.push_str(&row("AIMA, SQLite sqlite-vec (exact)", n, s, &ms, r));
        drop(store);
        let _ = std::fs::remove_file(&db);
        // PostgreSQL (pgvector HNSW, iterative scans), up to the size whose
        // one-by-one index inserts this machine finishes in reasonable time.
        if let Some(base) = pg.as_ref().filter(|_| n <= pg_max) {
            let url = postgres_db(base).await;
            let store = SqlStore::connect(&url, 2).await.expect("postgres");
            let s = load(&store, &url, &data).await;
            let (ms, r) = measure(&store, &queries, &truth).await;
            eprintln!(
                "postgres {n}: {s:.1} s, p50 {:.1} ms, recall {r:.3}",
                percentile(&ms, 0.5)
            );
            table.push_str(&row("AIMA, PostgreSQL pgvector HNSW", n, s, &ms, r));
        }
        // faiss, on the same vectors and queries.
        let vfile = dir.path().join("vectors.f32");
        let qfile = dir.path().join("queries.f32");
        let tfile = dir.path().join("truth.json");
        for (file, rows) in [(&vfile, &data), (&qfile, &queries)] {
            let mut f = std::io::BufWriter::new(std::fs::File::create(file).expect("file"));
            for v in rows.iter() {
                for x in v {
                    f.write_all(&x.to_le_bytes()).expect("write");
                }
            }
        }
        std::fs::write(&tfile, serde_json::to_string(&truth).expect("json")).expect("truth");
        let out = std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../scripts/bench-vectors-faiss.py"
            ))
            .args([&vfile, &qfile, &tfile])
            .arg(DIMS.to_string())
            .output()
            .expect("python3 scripts/bench-vectors-faiss.py");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("faiss: {}", String::from_utf8_lossy(&out.stderr)));
        for (name, key) in [
            ("faiss 1.15 IndexFlatIP (exact), in process", "flat"),
            (
                "faiss 1.15 IndexHNSWFlat (M 16, efSearch 100), in process",
                "hnsw",
            ),
        ] {
            let mut ms: Vec<f64> = v[key]["ms"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_f64())
                .collect();
            ms.sort_by(f64::total_cmp);
            table.push_str(&row(
                name,
                n,
                v[key]["load_s"].as_f64().unwrap_or(0.0),
                &ms,
                v[key]["recall"].as_f64().unwrap_or(0.0),
            ));
        }
    }
    let cost = embedding_cost().await.unwrap_or_else(|| {
        "Embedding cost not measured (set AIMA_BENCH_MODELS_DIR to a models folder with `minilm-l6-int8` and `onnxruntime`).\n\n".into()
    });
    print!("{cost}{table}");
    common::write_table(
        "vectors",
        "(384-d unit vectors around 2,000 seeded Gaussian centres; 100 queries of the same clusters; top 10, recall against exact search; AIMA through `SearchRepo::search_semantic`, index cost through `VectorRepo::put_text_vectors` in batches of 500; faiss through its Python binding, whose call overhead is included)",
        &format!("{cost}{table}"),
    );
}
