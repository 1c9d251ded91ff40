//! A BERT-style sentence model on ONNX Runtime (all-MiniLM-L6-v2): one
//! unit-length vector per text, the mean of its tokens' last hidden states
//! (sentence-transformers' pooling).

use std::sync::Arc;

use aima_core::ErrorCode;
use aima_models::ModelManager;
use ndarray::Array2;

use crate::vision::{self, SharedSession};
use crate::AnalyzerError;

/// Longest input in tokens: the model was trained on 256 (longer text is
/// cut, as sentence-transformers does).
const MAX_TOKENS: usize = 256;

/// A loaded ONNX sentence model (cheap to clone; sessions and tokenizers
/// are shared per process).
#[derive(Clone)]
pub struct OnnxEmbedder {
    session: SharedSession,
    tokenizer: Arc<tokenizers::Tokenizer>,
}

impl OnnxEmbedder {
    /// Loads the installed model `name` (`model.onnx` and `tokenizer.json`).
    pub async fn load(models: &ModelManager, name: &str) -> Result<Self, AnalyzerError> {
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
            session,
            tokenizer: Arc::new(tokenizer),
        })
    }

    /// Unit-length vectors of one batch (blocking).
    pub fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AnalyzerError> {
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
