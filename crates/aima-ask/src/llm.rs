//! The local language model: a GGUF file of the llama family (the default
//! is SmolLM2-135M-Instruct) run by candle, a pure-Rust runtime. candle has
//! no ggml inside, so it links beside whisper.cpp's (the `whisper-cpp`
//! feature) without two copies of ggml (see ARCHITECTURE.md).
//!
//! Two uses: [`LocalLlm::generate`] (greedy, for plain chat) and
//! [`LocalLlm::choose`], decoding constrained to a closed set of answers
//! (an enum of a tool's JSON schema): the model only ever picks one of
//! them, so a small model cannot write an argument no tool takes.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::llama::ModelWeights;
use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use tokenizers::models::bpe::BPE;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{AddedToken, Tokenizer};

/// Tokens a prompt plus its answer may take (the model's context is 8k;
/// prompts here are short, and a long one is cut from the front).
const MAX_CONTEXT: usize = 2048;

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("cannot read the model {0}: {1}")]
    Load(String, String),
    #[error("inference failed: {0}")]
    Inference(String),
}

impl From<candle_core::Error> for LlmError {
    fn from(e: candle_core::Error) -> Self {
        LlmError::Inference(e.to_string())
    }
}

/// A message of a chat, for the model's chat template (ChatML).
#[derive(Debug, Clone)]
pub struct Turn<'a> {
    pub role: &'a str,
    pub content: &'a str,
}

/// A loaded model: weights shared by every call (each call clones the
/// model, which copies only the handles, and starts from an empty cache).
#[derive(Clone)]
pub struct LocalLlm {
    weights: Arc<ModelWeights>,
    tokenizer: Arc<Tokenizer>,
    end_of_turn: u32,
    name: String,
}

impl std::fmt::Debug for LocalLlm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalLlm")
            .field("name", &self.name)
            .finish()
    }
}

impl LocalLlm {
    /// Loads a GGUF file: its weights and the tokenizer it carries.
    pub fn load(name: &str, path: &Path) -> Result<Self, LlmError> {
        let err =
            |e: &dyn std::fmt::Display| LlmError::Load(path.display().to_string(), e.to_string());
        let mut file = std::fs::File::open(path).map_err(|e| err(&e))?;
        let content = gguf_file::Content::read(&mut file).map_err(|e| err(&e))?;
        let tokenizer = gguf_tokenizer(&content).map_err(|e| err(&e))?;
        let end_of_turn = tokenizer
            .token_to_id("<|im_end|>")
            .ok_or_else(|| err(&"the tokenizer has no <|im_end|> (not a ChatML model)"))?;
        let (content, data) = expanded(&content, &mut file).map_err(|e| err(&e))?;
        let weights =
            ModelWeights::from_gguf(content, &mut std::io::Cursor::new(data), &Device::Cpu)
                .map_err(|e| err(&e))?;
        Ok(Self {
            weights: Arc::new(weights),
            tokenizer: Arc::new(tokenizer),
            end_of_turn,
            name: name.to_string(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The prompt of a chat in the model's template, ready for the
    /// assistant's turn (SmolLM2's ChatML, which its GGUF names).
    pub fn chat_prompt(turns: &[Turn<'_>]) -> String {
        let mut p = String::new();
        for t in turns {
            p.push_str("<|im_start|>");
            p.push_str(t.role);
            p.push('\n');
            p.push_str(t.content);
            p.push_str("<|im_end|>\n");
        }
        p.push_str("<|im_start|>assistant\n");
        p
    }

    fn encode(&self, text: &str) -> Result<Vec<u32>, LlmError> {
        let enc = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| LlmError::Inference(e.to_string()))?;
        let ids = enc.get_ids();
        Ok(ids[ids.len().saturating_sub(MAX_CONTEXT / 2)..].to_vec())
    }

    /// Greedy decoding of at most `max_tokens` after `prompt`, up to the end
    /// of the turn; `on_text` sees each piece as it is decoded.
    pub fn generate(
        &self,
        prompt: &str,
        max_tokens: usize,
        mut on_text: impl FnMut(&str),
    ) -> Result<String, LlmError> {
        let mut model = (*self.weights).clone();
        let prompt_ids = self.encode(prompt)?;
        let mut logits = forward(&mut model, &prompt_ids, 0)?;
        let mut out: Vec<u32> = Vec::new();
        let mut shown = 0;
        let first = prompt_ids.len();
        for pos in first..(first + max_tokens).min(MAX_CONTEXT) {
            let next = argmax(&logits, |_| true);
            if next == self.end_of_turn {
                break;
            }
            out.push(next);
            let text = self.decode(&out)?;
            // Byte-level pieces may end inside a character: wait for it.
            if !text.ends_with('\u{FFFD}') && text.len() > shown {
                on_text(&text[shown..]);
                shown = text.len();
            }
            logits = forward(&mut model, &[next], pos)?;
        }
        self.decode(&out)
    }

    /// Which of `options` the model writes after `prompt`: decoding allowed
    /// only along the options' tokens (a trie), the most likely token at
    /// each step. Returns the option's index.
    pub fn choose(&self, prompt: &str, options: &[&str]) -> Result<usize, LlmError> {
        let mut seqs: Vec<Vec<u32>> = Vec::with_capacity(options.len());
        for o in options {
            seqs.push(self.encode(o)?);
        }
        let mut model = (*self.weights).clone();
        let prompt_ids = self.encode(prompt)?;
        let mut logits = forward(&mut model, &prompt_ids, 0)?;
        let mut pos = prompt_ids.len();
        let mut alive: Vec<usize> = (0..options.len())
            .filter(|&i| !seqs[i].is_empty())
            .collect();
        let mut step = 0;
        loop {
            if alive.is_empty() {
                return Err(LlmError::Inference("no option to choose from".into()));
            }
            // An option complete at this step is taken once nothing longer
            // shares its prefix (options here never prefix each other).
            if let Some(&done) = alive.iter().find(|&&i| seqs[i].len() == step) {
                return Ok(done);
            }
            if alive.len() == 1 {
                return Ok(alive[0]);
            }
            let allowed: Vec<u32> = alive.iter().map(|&i| seqs[i][step]).collect();
            let next = argmax(&logits, |t| allowed.contains(&t));
            alive.retain(|&i| seqs[i][step] == next);
            step += 1;
            logits = forward(&mut model, &[next], pos)?;
            pos += 1;
        }
    }

    fn decode(&self, ids: &[u32]) -> Result<String, LlmError> {
        self.tokenizer
            .decode(ids, true)
            .map_err(|e| LlmError::Inference(e.to_string()))
    }
}

/// The file's tensors as f32, in memory: candle multiplies quantized
/// weights one token at a time on the CPU (a 100-token prompt took 7 s on
/// two cores), f32 weights as one matrix product for the whole prompt
/// (0.9 s). The cost is memory: four bytes a weight (540 MB for 135M).
fn expanded(
    content: &gguf_file::Content,
    file: &mut std::fs::File,
) -> candle_core::Result<(gguf_file::Content, Vec<u8>)> {
    let mut data: Vec<u8> = Vec::new();
    let mut infos = HashMap::with_capacity(content.tensor_infos.len());
    for (name, info) in &content.tensor_infos {
        let q = info.read(file, content.tensor_data_offset, &Device::Cpu)?;
        let f32s = QTensor::quantize(&q.dequantize(&Device::Cpu)?, GgmlDType::F32)?;
        let offset = data.len() as u64;
        data.extend_from_slice(&f32s.data()?);
        infos.insert(
            name.clone(),
            gguf_file::TensorInfo {
                ggml_dtype: GgmlDType::F32,
                shape: info.shape.clone(),
                offset,
            },
        );
    }
    let out = gguf_file::Content {
        magic: content.magic,
        metadata: content.metadata.clone(),
        tensor_infos: infos,
        tensor_data_offset: 0,
    };
    Ok((out, data))
}

fn forward(model: &mut ModelWeights, ids: &[u32], pos: usize) -> Result<Vec<f32>, LlmError> {
    let input = Tensor::new(ids, &Device::Cpu)?.unsqueeze(0)?;
    Ok(model.forward(&input, pos)?.squeeze(0)?.to_vec1::<f32>()?)
}

fn argmax(logits: &[f32], allowed: impl Fn(u32) -> bool) -> u32 {
    let mut best = (0u32, f32::NEG_INFINITY);
    for (i, &l) in logits.iter().enumerate() {
        let i = i as u32;
        if l > best.1 && allowed(i) {
            best = (i, l);
        }
    }
    best.0
}

/// The tokenizer a GGUF file carries (`tokenizer.ggml.*`: a GPT-2 style
/// byte-level BPE for SmolLM2), as a `tokenizers` tokenizer. Written here
/// because no package ships SmolLM2's `tokenizer.json` and the `tokenizers`
/// crate does not read GGUF; the pre-tokenizer is SmolLM2's own (single
/// digits, then byte level without a prefix space).
fn gguf_tokenizer(content: &gguf_file::Content) -> Result<Tokenizer, String> {
    let md = |k: &str| {
        content
            .metadata
            .get(k)
            .ok_or_else(|| format!("the file has no {k}"))
    };
    let model = md("tokenizer.ggml.model")?
        .to_string()
        .map_err(|e| e.to_string())?;
    if model != "gpt2" {
        return Err(format!(
            "tokenizer model {model} is not supported (only gpt2 byte-level BPE)"
        ));
    }
    let tokens = md("tokenizer.ggml.tokens")?
        .to_vec()
        .map_err(|e| e.to_string())?;
    let mut vocab = HashMap::with_capacity(tokens.len());
    let mut specials = Vec::new();
    let types = content
        .metadata
        .get("tokenizer.ggml.token_type")
        .and_then(|v| v.to_vec().ok());
    for (i, t) in tokens.iter().enumerate() {
        let t = t.to_string().map_err(|e| e.to_string())?;
        vocab.insert(t.clone(), i as u32);
        // Type 3: a control token (<|im_start|>, <|im_end|>, ...).
        let control = types
            .and_then(|ty| ty.get(i))
            .and_then(|v| v.to_i32().ok())
            .is_some_and(|ty| ty == 3);
        if control {
            specials.push(AddedToken::from(t.clone(), true));
        }
    }
    let merges = md("tokenizer.ggml.merges")?
        .to_vec()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|m| {
            let m = m.to_string().map_err(|e| e.to_string())?;
            let (a, b) = m
                .split_once(' ')
                .ok_or_else(|| format!("bad merge {m:?}"))?;
            Ok((a.to_string(), b.to_string()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let bpe = BPE::builder()
        .vocab_and_merges(
            vocab
                .into_iter()
                .collect::<tokenizers::models::bpe::Vocab>(),
            merges,
        )
        .build()
        .map_err(|e| e.to_string())?;
    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(Sequence::new(vec![
        Digits::new(true).into(),
        ByteLevel::new(false, true, true).into(),
    ])));
    tokenizer.with_decoder(Some(ByteLevel::default()));
    tokenizer
        .add_special_tokens(specials)
        .map_err(|e| e.to_string())?;
    Ok(tokenizer)
}
