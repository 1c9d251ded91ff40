//! Text search benchmark: what indexing costs per stored insight and how
//! fast a search answers, at 10k, 100k and 1M transcript segments, on
//! SQLite (FTS5) and PostgreSQL (tsvector + GIN), beside tantivy (the
//! engine under Quickwit and many self-hosted search tools, from its Python
//! wheel) on the same sentences and queries, in the same run.
//!
//! Segments are generated sentences (8 to 16 words drawn from a 5,000-word
//! vocabulary with Zipf's law, as speech is), inserted in batches the way
//! insights are (the index kept by the database's triggers or generated
//! column). Queries, through `SearchRepo::search_text` (the route's query,
//! without HTTP), top 20 by relevance: a common word, a rare word, two words,
//! a prefix. Run with `bash scripts/bench-search.sh`, which writes the table
//! into BENCHMARKS.md. `AIMA_BENCH_SEARCH_SIZES=10000,100000` picks sizes.

mod common;

use std::io::Write;
use std::time::Instant;

use aima_core::search::{parse_query, SearchQuery, SearchSort};
use aima_store::{SearchRepo, SqlStore};
use common::{percentile, postgres_db};
use rand::{Rng, SeedableRng};

const VOCABULARY: usize = 5_000;
const QUERIES: usize = 200;
const BATCH: usize = 500;

/// Pronounceable made-up words, the same for every run.
fn vocabulary() -> Vec<String> {
    let (c, v) = (b"bcdfgklmnprstvz", b"aeiou");
    (0..VOCABULARY)
        .map(|i| {
            let mut n = i + 7;
            let mut w = String::new();
            for _ in 0..(2 + i % 3) {
                w.push(c[n % c.len()] as char);
                n /= c.len();
                w.push(v[n % v.len()] as char);
                n = n / v.len() + i;
            }
            format!("{w}{}", i % 10)
        })
        .collect()
}

/// A word by Zipf's law over the vocabulary's ranks.
fn zipf(rng: &mut impl Rng, words: &[String]) -> String {
    let h: f64 = (1..=words.len()).map(|r| 1.0 / r as f64).sum();
    let mut x = rng.gen::<f64>() * h;
    for (r, w) in words.iter().enumerate() {
        x -= 1.0 / (r + 1) as f64;
        if x <= 0.0 {
            return w.clone();
        }
    }
    words[words.len() - 1].clone()
}

fn sentences(n: usize, words: &[String]) -> Vec<String> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    // Zipf by table lookup: a cumulative table makes a million fast.
    let h: Vec<f64> = words
        .iter()
        .enumerate()
        .scan(0.0, |acc, (r, _)| {
            *acc += 1.0 / (r + 1) as f64;
            Some(*acc)
        })
        .collect();
    let total = h[h.len() - 1];
    (0..n)
        .map(|_| {
            let len = rng.gen_range(8..=16);
            (0..len)
                .map(|_| {
                    let x = rng.gen::<f64>() * total;
                    words[h.partition_point(|c| *c < x).min(words.len() - 1)].as_str()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn queries(words: &[String]) -> Vec<String> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    (0..QUERIES)
        .map(|i| match i % 4 {
            0 => words[rng.gen_range(5..50)].clone(),
            1 => words[rng.gen_range(1000..VOCABULARY)].clone(),
            2 => format!("{} {}", zipf(&mut rng, words), zipf(&mut rng, words)),
            _ => format!("{}*", &words[rng.gen_range(50..500)][..3]),
        })
        .collect()
}

/// Inserts the segments as transcript insights of one media, in batches.
async fn load(url: &str, texts: &[String]) -> f64 {
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
         VALUES ('m', 'default', 'x', 'audio', 1, '{}', 0) ON CONFLICT DO NOTHING",
    )
    .await
    .expect("media");
    let t0 = Instant::now();
    for (b, chunk) in texts.chunks(BATCH).enumerate() {
        let mut sql = String::from(
            "INSERT INTO insights (workspace_id, media_id, job_id, analyzer, kind, ikey, start_s, end_s, data, created_at) VALUES ",
        );
        let mut args = Vec::new();
        for (i, text) in chunk.iter().enumerate() {
            let n = b * BATCH + i;
            if i > 0 {
                sql.push(',');
            }
            let p = args.len() * 4;
            sql.push_str(&format!(
                "('default', 'm', 'j', 'transcribe', 'transcript_segment', ${}, ${}, ${}, ${}, 0)",
                p + 1,
                p + 2,
                p + 3,
                p + 4
            ));
            args.push((
                format!("s{n}"),
                n as f64 * 4.0,
                serde_json::json!({ "text": text }).to_string(),
            ));
        }
        let mut q = sqlx::query(&sql);
        for (key, start, data) in &args {
            q = q
                .bind(key.clone())
                .bind(*start)
                .bind(start + 4.0)
                .bind(data.clone());
        }
        q.execute(&pool).await.expect("insert");
    }
    let s = t0.elapsed().as_secs_f64();
    pool.close().await;
    s
}

/// Latencies (sorted, ms) and how many queries found something.
async fn measure(store: &SqlStore, queries: &[String]) -> (Vec<f64>, usize) {
    let (mut ms, mut found) = (Vec::new(), 0);
    for q in queries {
        let query = SearchQuery {
            terms: parse_query(q).expect("query"),
            analyzer: None,
            media_id: None,
            person_id: None,
            kind: None,
            created_after: None,
            created_before: None,
            sort: SearchSort::Relevance,
            min_score: 0.0,
            offset: 0,
            limit: 21,
        };
        let t = Instant::now();
        let hits = store.search_text("default", &query).await.expect("search");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        found += usize::from(!hits.is_empty());
    }
    ms.sort_by(f64::total_cmp);
    (ms, found)
}

fn row(engine: &str, n: usize, load_s: f64, ms: &[f64], found: usize) -> String {
    format!(
        "| {engine} | {n} | {:.1} | {:.2} | {:.2} | {found}/{QUERIES} |\n",
        load_s * 1e6 / n as f64,
        percentile(ms, 0.5),
        percentile(ms, 0.99)
    )
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::var("AIMA_BENCH_SEARCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let pg = std::env::var("AIMA_BENCH_POSTGRES_URL").ok();
    let words = vocabulary();
    let queries = queries(&words);
    let dir = tempfile::tempdir().expect("tmp");
    let mut table = String::from(
        "| engine | segments | index µs per segment | search p50 ms | search p99 ms | queries with hits |\n|---|---|---|---|---|---|\n",
    );
    for &n in &sizes {
        let texts = sentences(n, &words);
        // SQLite (FTS5).
        let db = dir.path().join(format!("s{n}.db"));
        let url = format!("sqlite://{}?mode=rwc", db.display());
        let store = SqlStore::connect(&url, 2).await.expect("sqlite");
        let s = load(&url, &texts).await;
        let (ms, found) = measure(&store, &queries).await;
        eprintln!("sqlite {n}: {s:.1} s, p50 {:.1} ms", percentile(&ms, 0.5));
        table.push_str(&row("AIMA, SQLite FTS5", n, s, &ms, found));
        drop(store);
        // PostgreSQL (tsvector + GIN).
        if let Some(base) = &pg {
            let url = postgres_db(base).await;
            let store = SqlStore::connect(&url, 2).await.expect("postgres");
            let s = load(&url, &texts).await;
            let (ms, found) = measure(&store, &queries).await;
            eprintln!("postgres {n}: {s:.1} s, p50 {:.1} ms", percentile(&ms, 0.5));
            table.push_str(&row("AIMA, PostgreSQL tsvector", n, s, &ms, found));
        }
        // tantivy, on the same sentences and queries.
        let corpus = dir.path().join("corpus.txt");
        let qfile = dir.path().join("queries.txt");
        let mut f = std::fs::File::create(&corpus).expect("corpus");
        for t in &texts {
            writeln!(f, "{t}").expect("write");
        }
        std::fs::write(&qfile, queries.join("\n")).expect("queries");
        let out = std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../scripts/bench-search-tantivy.py"
            ))
            .arg(&corpus)
            .arg(&qfile)
            .output()
            .expect("python3 scripts/bench-search-tantivy.py");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("tantivy: {}", String::from_utf8_lossy(&out.stderr)));
        let mut tms: Vec<f64> = v["ms"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_f64())
            .collect();
        tms.sort_by(f64::total_cmp);
        table.push_str(&row(
            "tantivy 0.27 (Python), in process",
            n,
            v["load_s"].as_f64().unwrap_or(0.0),
            &tms,
            v["found"].as_u64().unwrap_or(0) as usize,
        ));
    }
    print!("{table}");
    common::write_table(
        "search",
        "(generated transcript segments, Zipf over 5,000 words; 200 queries: common word, rare word, two words, prefix; top 20 by relevance; AIMA through `SearchRepo`, tantivy through its Python binding, whose call overhead is included)",
        &table,
    );
}
