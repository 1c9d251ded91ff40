//! Sentence embeddings for search by meaning: a `text_embedding` catalog
//! entry turns a text into one unit-length vector. Two engines behind one
//! type, chosen by the model's files: multilingual-e5-small in its 4-bit
//! file (`model.e5s1`, [`e5`], the default: 100 languages, German and
//! English in one space) and BERT-style ONNX models (`model.onnx` with a
//! `tokenizer.json`, [`onnx`]: all-MiniLM-L6-v2, English). The indexer
//! embeds what transcript segments and OCR lines say as passages; the
//! search route embeds queries.

pub mod e5;
pub mod onnx;

use std::sync::Arc;

use aima_core::ErrorCode;
use aima_models::{ModelKind, ModelManager};

use crate::{vision, AnalyzerError};

pub use e5::Role;

/// Texts per run: large enough to amortise a run, small enough that a
/// batch padded to its longest text stays cheap.
pub const BATCH: usize = 32;

/// The file that makes a model an e5 one.
pub const E5_FILE: &str = "model.e5s1";

#[derive(Clone)]
enum Engine {
    Onnx(onnx::OnnxEmbedder),
    E5(Arc<e5::E5>),
}

/// A loaded sentence-embedding model (cheap to clone; what it loaded is
/// shared).
#[derive(Clone)]
pub struct TextEmbedder {
    name: String,
    engine: Engine,
}

impl std::fmt::Debug for TextEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextEmbedder")
            .field("name", &self.name)
            .finish()
    }
}

/// An e5 model loaded once per process and file (the search route and the
/// indexer share it: about 160 MB each otherwise), kept while in use.
fn load_e5(path: &std::path::Path) -> Result<Arc<e5::E5>, String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock, Weak};
    static LOADED: OnceLock<Mutex<HashMap<std::path::PathBuf, Weak<e5::E5>>>> = OnceLock::new();
    let loaded = LOADED.get_or_init(Default::default);
    let mut map = loaded.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(m) = map.get(path).and_then(Weak::upgrade) {
        return Ok(m);
    }
    let m = Arc::new(e5::E5::load(path)?);
    map.insert(path.to_path_buf(), Arc::downgrade(&m));
    Ok(m)
}

impl TextEmbedder {
    /// Loads the installed model `name` (`model_missing` if it is not
    /// installed, `invalid_pipeline` if it is no text-embedding model).
    pub async fn load(models: &ModelManager, name: &str) -> Result<Self, AnalyzerError> {
        let entry = match models.catalog().get(name) {
            Some(e) if e.kind == ModelKind::TextEmbedding => e,
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
        };
        let engine = if entry.files.iter().any(|f| f.name == E5_FILE) {
            let path = models
                .installed_file(name, E5_FILE)
                .await
                .map_err(|e| AnalyzerError::abort(ErrorCode::ModelMissing, e.to_string()))?;
            let model = tokio::task::spawn_blocking(move || load_e5(&path))
                .await
                .map_err(|e| AnalyzerError::Retry(format!("loading failed: {e}")))?
                .map_err(|e| {
                    AnalyzerError::abort(
                        ErrorCode::ModelMissing,
                        format!("model {name:?} cannot be read: {e}"),
                    )
                })?;
            Engine::E5(model)
        } else {
            Engine::Onnx(onnx::OnnxEmbedder::load(models, name).await?)
        };
        Ok(Self {
            name: name.to_string(),
            engine,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The least cosine similarity at which a text is taken as related to
    /// a query. Each model spreads its similarities differently: MiniLM's
    /// unrelated texts sit near 0, e5's near 0.77 (it was trained with a
    /// low temperature), measured in BENCHMARKS.md ("Search by meaning").
    pub fn min_similarity(&self) -> f64 {
        match self.engine {
            Engine::Onnx(_) => 0.25,
            Engine::E5(_) => 0.81,
        }
    }

    /// Unit-length vectors, one per text, in batches of [`BATCH`]
    /// (blocking: call it from a blocking task). `role` says whether the
    /// texts are searched for (queries) or searched (passages); models
    /// without the distinction ignore it.
    pub fn embed(&self, texts: &[String], role: Role) -> Result<Vec<Vec<f32>>, AnalyzerError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            out.extend(match &self.engine {
                Engine::Onnx(m) => m.embed_batch(batch)?,
                Engine::E5(m) => m.embed(batch, role).map_err(|e| {
                    AnalyzerError::abort(
                        ErrorCode::AnalyzerFailed,
                        format!("the text-embedding model failed: {e}"),
                    )
                })?,
            });
        }
        Ok(out)
    }

    /// [`Self::embed`] off the async threads.
    pub async fn embed_async(
        &self,
        texts: Vec<String>,
        role: Role,
    ) -> Result<Vec<Vec<f32>>, AnalyzerError> {
        let me = self.clone();
        vision::blocking(move || me.embed(&texts, role)).await
    }
}
