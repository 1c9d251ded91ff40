//! Search by meaning across languages: recall of the text models on the
//! texts and queries of `retrieval.json` (German and English, no content
//! word shared between a query and the text it is about), per direction
//! (German query to German text, English to German, English to English),
//! and what embedding a text costs. Prints a Markdown table; run by
//! scripts/bench-language.sh, which writes it into BENCHMARKS.md.
//! Needs AIMA_BENCH_MODELS_DIR with `multilingual-e5-small`,
//! `minilm-l6-int8` and `onnxruntime` installed.

use std::time::Instant;

use aima_analyzers::embed::{Role, TextEmbedder};
use serde_json::Value;

const MODELS: [&str; 2] = ["multilingual-e5-small", "minilm-l6-int8"];

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[tokio::main]
async fn main() {
    let Ok(dir) = std::env::var("AIMA_BENCH_MODELS_DIR") else {
        eprintln!("set AIMA_BENCH_MODELS_DIR to a models folder with {MODELS:?} (scripts/bench-language.sh does)");
        std::process::exit(2);
    };
    let data: Value = serde_json::from_str(include_str!("retrieval.json")).expect("retrieval.json");
    let docs: Vec<(String, String)> = data["docs"]
        .as_object()
        .expect("docs")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let queries = data["queries"].as_array().cloned().unwrap_or_default();
    let sets = ["DE to DE", "EN to DE", "EN to EN"];
    let models = aima_models::ModelManager::new(&dir, vec![], "python3");
    let mut table = String::from(
        "| text model | queries | recall@1 | recall@10 | MRR | embedding µs per text |\n|---|---|---|---|---|---|\n",
    );
    for name in MODELS {
        let e = TextEmbedder::load(&models, name)
            .await
            .unwrap_or_else(|err| panic!("load {name}: {err}"));
        let texts: Vec<String> = docs.iter().map(|(_, t)| t.clone()).collect();
        e.embed_async(texts[..4].to_vec(), Role::Passage)
            .await
            .expect("warm up");
        let t0 = Instant::now();
        let vectors = e
            .embed_async(texts.clone(), Role::Passage)
            .await
            .expect("embed");
        let per = t0.elapsed().as_secs_f64() * 1e6 / texts.len() as f64;
        for set in sets {
            let (mut r1, mut r10, mut mrr, mut n) = (0.0, 0.0, 0.0, 0.0);
            for q in queries.iter().filter(|q| q["set"] == set) {
                let about: Vec<&str> = q["about"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let v = e
                    .embed_async(
                        vec![q["q"].as_str().unwrap_or_default().to_string()],
                        Role::Query,
                    )
                    .await
                    .expect("query");
                let mut ranked: Vec<(f32, &str)> = vectors
                    .iter()
                    .zip(&docs)
                    .map(|(d, (id, _))| (cosine(&v[0], d), id.as_str()))
                    .collect();
                ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
                // The first text the query is about: its rank.
                let rank = ranked
                    .iter()
                    .position(|(_, id)| about.contains(id))
                    .map_or(usize::MAX, |p| p + 1);
                r1 += f64::from(u8::from(rank == 1));
                r10 += f64::from(u8::from(rank <= 10));
                mrr += if rank == usize::MAX {
                    0.0
                } else {
                    1.0 / rank as f64
                };
                n += 1.0;
            }
            table.push_str(&format!(
                "| `{name}` | {set} ({n}) | {:.2} | {:.2} | {:.2} | {per:.0} |\n",
                r1 / n,
                r10 / n,
                mrr / n
            ));
        }
    }
    print!("{table}");
}
