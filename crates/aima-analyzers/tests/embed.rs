//! The sentence-embedding model of search by meaning, on the real int8
//! all-MiniLM-L6-v2 (from its wheel): paraphrases land close, unrelated
//! text far, in batches as alone, and the vectors match ONNX Runtime's own
//! Python run of the same model with the same pooling.

use aima_analyzers::embed::{TextEmbedder, BATCH};
use aima_analyzers::vision::faces::cosine;

mod common;

async fn embedder() -> TextEmbedder {
    let models = common::packaged("aima-embed-models", &["onnxruntime", "minilm-l6-int8"]).await;
    TextEmbedder::load(&models, "minilm-l6-int8")
        .await
        .expect("load")
}

fn texts(t: &[&str]) -> Vec<String> {
    t.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn paraphrases_are_close_and_unrelated_text_is_far() {
    let e = embedder().await;
    let v = e
        .embed_async(texts(&[
            "coffee maker",
            "The espresso machine on the counter is broken.",
            "Please fill in the tax form before Friday.",
            "a cat",
            "a kitten",
        ]))
        .await
        .expect("embed");
    assert_eq!(v.len(), 5);
    for x in &v {
        assert_eq!(x.len(), 384);
        let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
    }
    let espresso = cosine(&v[0], &v[1]);
    let tax = cosine(&v[0], &v[2]);
    assert!(
        espresso > 0.4 && espresso > tax + 0.3,
        "espresso {espresso}, tax {tax}"
    );
    // Related words closer than unrelated sentences (0.76 measured here).
    let cat = cosine(&v[3], &v[4]);
    assert!(cat > 0.6 && cat > tax + 0.3, "cat/kitten {cat}");
}

#[tokio::test]
async fn a_text_embeds_the_same_alone_and_in_a_padded_batch() {
    let e = embedder().await;
    let long = "word ".repeat(400);
    let mut batch = texts(&["short", "a much longer sentence that pads the short one"]);
    batch.push(long.clone());
    batch.extend((0..BATCH).map(|i| format!("filler {i}")));
    let together = e.embed_async(batch).await.expect("batch");
    let alone = e.embed_async(texts(&["short"])).await.expect("alone");
    assert!(cosine(&together[0], &alone[0]) > 0.9999);
    // Longer than the model's 256 tokens: cut, not refused.
    let cut = e.embed_async(vec![long]).await.expect("long");
    assert!(cosine(&together[2], &cut[0]) > 0.9999);
    assert_eq!(together.len(), BATCH + 3);
    assert!(e.embed_async(vec![]).await.expect("none").is_empty());
}

#[tokio::test]
async fn vectors_match_onnx_runtime_in_python() {
    let e = embedder().await;
    let sentence = "Wann arbeite ich am meisten?";
    let ours = e.embed_async(texts(&[sentence])).await.expect("embed");
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("aima-embed-models/minilm-l6-int8");
    // The reference: ONNX Runtime's Python API, the tokenizers package,
    // mean pooling over the attention mask, unit length.
    let script = r#"
import sys, json, numpy as np, onnxruntime as ort, tokenizers
d, text = sys.argv[1], sys.argv[2]
tok = tokenizers.Tokenizer.from_file(d + "/tokenizer.json")
tok.no_padding(); tok.no_truncation()
enc = tok.encode(text)
ids = np.array([enc.ids], dtype=np.int64)
mask = np.ones_like(ids)
s = ort.InferenceSession(d + "/model.onnx")
h = s.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0][0]
v = h.mean(axis=0)
print(json.dumps((v / np.linalg.norm(v)).tolist()))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&dir)
        .arg(sentence)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "the reference needs onnxruntime, numpy and tokenizers (scripts/test.sh installs them): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference: Vec<f32> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(reference.len(), 384);
    let c = cosine(&ours[0], &reference);
    assert!(c > 0.9999, "cosine to the reference {c}");
}
