//! The text indexer: embeds what stored transcript segments and OCR lines
//! say, for search by meaning. Insights are stored `vector_pending`; the
//! indexer takes the oldest pending ones in batches, embeds them with the
//! configured sentence-embedding model and writes their vectors, clearing
//! the flag in the same transaction (see `aima_store::VectorRepo`). The
//! queue is the database, so nothing is lost when a process dies, several
//! processes may index side by side (a vector is written twice at worst),
//! and a reindex is a requeue.

use std::sync::Arc;
use std::time::Duration;

use aima_analyzers::embed::{Role, TextEmbedder, BATCH};
use aima_analyzers::AnalyzerError;
use aima_core::ErrorCode;
use aima_models::ModelManager;
use aima_store::{Store, StoreError, TextIndexStatus};
use tokio_util::sync::CancellationToken;

/// Texts taken per step: a few model batches.
const STEP: u32 = (BATCH * 4) as u32;
/// How often an idle indexer looks for new texts.
const IDLE: Duration = Duration::from_secs(2);
/// How long it waits after an error (the model missing, the database away).
const BACKOFF: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Model(#[from] AnalyzerError),
}

impl IndexError {
    /// The model is not installed: a user's step, not a failure.
    pub fn is_model_missing(&self) -> bool {
        matches!(
            self,
            IndexError::Model(AnalyzerError::Abort {
                code: ErrorCode::ModelMissing,
                ..
            })
        )
    }
}

pub struct TextIndexer {
    store: Arc<dyn Store>,
    models: ModelManager,
    model: String,
    embedder: tokio::sync::OnceCell<TextEmbedder>,
}

impl TextIndexer {
    pub fn new(store: Arc<dyn Store>, models: ModelManager, model: &str) -> Self {
        Self {
            store,
            models,
            model: model.to_string(),
            embedder: tokio::sync::OnceCell::new(),
        }
    }

    async fn embedder(&self) -> Result<&TextEmbedder, AnalyzerError> {
        self.embedder
            .get_or_try_init(|| TextEmbedder::load(&self.models, &self.model))
            .await
    }

    /// Embeds one step of pending texts; answers how many.
    pub async fn step(&self) -> Result<usize, IndexError> {
        let pending = self.store.pending_texts(STEP).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let embedder = self.embedder().await?;
        let (ids, texts): (Vec<i64>, Vec<String>) = pending.into_iter().unzip();
        let vectors = embedder.embed_async(texts, Role::Passage).await?;
        let rows: Vec<(i64, Vec<f32>)> = ids.into_iter().zip(vectors).collect();
        self.store.put_text_vectors(&self.model, &rows).await?;
        metrics::counter!("aima_text_vectors_total").increment(rows.len() as u64);
        Ok(rows.len())
    }

    /// Indexes until `shutdown`, waiting when nothing is pending. A missing
    /// model is said once and looked for again later. First, texts with no
    /// vector of this model (the default model changed, or the
    /// configuration did) are queued again: they are embedded anew, and
    /// until then search by meaning leaves them out rather than comparing
    /// vectors of two models.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let mut queued = 0u64;
        if let Err(e) = self.requeue(false, |_| queued += 1).await {
            tracing::warn!(error = %e, "could not queue texts without a vector of {}", self.model);
        } else if queued > 0 {
            tracing::info!(model = %self.model, "texts without a vector of this model are queued to be embedded");
        }
        let mut said_missing = false;
        loop {
            let wait = match self.step().await {
                Ok(0) => IDLE,
                Ok(_) => continue,
                Err(e) if e.is_model_missing() => {
                    if !said_missing {
                        tracing::info!(model = %self.model, "search by meaning waits for its model: aima models pull {}", self.model);
                        said_missing = true;
                    }
                    BACKOFF
                }
                Err(e) => {
                    tracing::warn!(error = %e, "text indexing failed; trying again later");
                    BACKOFF
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Queues every text again for this model: those without its vector,
    /// or all with `all`. `progress` hears how far (insight ids looked at).
    pub async fn requeue(
        &self,
        all: bool,
        mut progress: impl FnMut(i64),
    ) -> Result<(), IndexError> {
        let mut after = 0;
        while let Some(last) = self
            .store
            .requeue_texts(&self.model, all, after, 10_000)
            .await?
        {
            after = last;
            progress(last);
        }
        Ok(())
    }

    /// Indexes until nothing is pending, telling `progress` after each step.
    pub async fn drain(
        &self,
        mut progress: impl FnMut(TextIndexStatus),
    ) -> Result<TextIndexStatus, IndexError> {
        loop {
            let n = self.step().await?;
            let status = self.store.text_index_status(None, &self.model).await?;
            progress(status);
            if n == 0 {
                return Ok(status);
            }
        }
    }
}
