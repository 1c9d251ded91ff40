//! Sentence embeddings for search by meaning: a BERT-style model on ONNX
//! Runtime (all-MiniLM-L6-v2 by default, a `text_embedding` catalog entry)
//! turns a text into one unit-length vector, the mean of its tokens' last
//! hidden states (sentence-transformers' pooling). The indexer embeds what
//! transcript segments and OCR lines say; the search route embeds queries.

use std::sync::Arc;

use aima_core::ErrorCode;
use aima_models::{ModelKind, ModelManager};
use ndarray::Array2;

use crate::vision::{self, SharedSession};
use crate::AnalyzerError;

/// Longest input in tokens: the model was trained on 256 (longer text is
/// cut, as sentence-transformers does).
const MAX_TOKENS: usize = 256;
/// Texts per run: large enough to amortise a run, small enough that a
/// batch padded to its longest text stays cheap.
pub const BATCH: usize = 32;

/// A loaded sentence-embedding model (cheap to clone; sessions and
/// tokenizers are shared per process).
#[derive(Clone)]
pub struct TextEmbedder {
    name: String,
    session: SharedSession,
    tokenizer: Arc<tokenizers::Tokenizer>,
}

impl std::fmt::Debug for TextEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextEmbedder")
            .field("name", &self.name)
            .finish()
    }
}

impl TextEmbedder {
    /// Loads the installed model `name` (`model_missing` if it is not
    /// installed, `invalid_pipeline` if it is no text-embedding model).
    pub async fn load(models: &ModelManager, name: &str) -> Result<Self, AnalyzerError> {
        match models.catalog().get(name).map(|e| e.kind) {
            Some(ModelKind::TextEmbedding) => {}
            Some(_) => {
                return Err(AnalyzerError::abort(
                    ErrorCode::InvalidPipeline,
                    format!("model {name:?} is not a text-embedding model"),
                ))
            }
            None => {
                return Err(AnalyzerError::abort(
                    ErrorCode::ModelMissing,
                    format!("no model {name:?} in the catalog"),
                ))
            }
        }
        let (session, _) = vision::load_session(models, name, "model.onnx").await?;
        // Our own padding (the batch's longest text) and truncation,
        // whatever the file configures.
        let mut tokenizer = (*vision::tokenizer(models, name).await?).clone();
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| {
                AnalyzerError::abort(ErrorCode::ModelMissing, format!("bad tokenizer: {e}"))
            })?;
        Ok(Self {
            name: name.to_string(),
            session,
            tokenizer: Arc::new(tokenizer),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Unit-length vectors, one per text, in batches of [`BATCH`]
    /// (blocking: call it from a blocking task).
    pub fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AnalyzerError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            out.extend(self.embed_batch(batch)?);
        }
        Ok(out)
    }

    /// [`Self::embed`] off the async threads.
    pub async fn embed_async(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, AnalyzerError> {
        let me = self.clone();
        vision::blocking(move || me.embed(&texts)).await
    }

    fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AnalyzerError> {
        if texts.is_empty() {
            return Ok(vec![]);
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| {
                AnalyzerError::abort(ErrorCode::AnalyzerFailed, format!("cannot tokenize: {e}"))
            })?;
        let n = texts.len();
        let len = encodings
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(1)
            .max(1);
        let mut ids = Array2::<i64>::zeros((n, len));
        let mut mask = Array2::<i64>::zeros((n, len));
        let types = Array2::<i64>::zeros((n, len));
        for (row, enc) in encodings.iter().enumerate() {
            for (col, id) in enc.get_ids().iter().enumerate() {
                ids[[row, col]] = i64::from(*id);
                mask[[row, col]] = 1;
            }
        }
        let err = vision::infer_err("the text-embedding model");
        let mut session = vision::lock(&self.session);
        let outputs = session
            .run(ort::inputs![
                "input_ids" => ort::value::TensorRef::from_array_view(&ids).map_err(&err)?,
                "attention_mask" => ort::value::TensorRef::from_array_view(&mask).map_err(&err)?,
                "token_type_ids" => ort::value::TensorRef::from_array_view(&types).map_err(&err)?,
            ])
            .map_err(&err)?;
        let hidden =
            vision::read_output(&outputs, "last_hidden_state", "the text-embedding model")?;
        let [rows, seq, dims] = hidden.shape[..] else {
            return Err(AnalyzerError::abort(
                ErrorCode::AnalyzerFailed,
                format!("last_hidden_state has shape {:?}", hidden.shape),
            ));
        };
        if rows != n || seq != len || dims == 0 {
            return Err(AnalyzerError::abort(
                ErrorCode::AnalyzerFailed,
                format!("last_hidden_state has shape {:?}", hidden.shape),
            ));
        }
        // Mean over the tokens the mask keeps, then unit length.
        Ok((0..n)
            .map(|row| {
                let mut sum = vec![0f32; dims];
                let mut count = 0f32;
                for col in 0..len {
                    if mask[[row, col]] == 1 {
                        let at = (row * len + col) * dims;
                        sum.iter_mut()
                            .zip(&hidden.values[at..at + dims])
                            .for_each(|(s, v)| *s += v);
                        count += 1.0;
                    }
                }
                sum.iter_mut().for_each(|s| *s /= count.max(1.0));
                vision::faces::normalized(&sum)
            })
            .collect())
    }
}
