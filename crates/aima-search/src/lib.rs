//! Search, the one seam the API and the CLI search through: by words (the
//! store's full-text index), by meaning (a sentence embedding of the query
//! against the store's text vectors) or both, fused by reciprocal rank
//! (`aima_core::search::fuse`). The indexes themselves live in the
//! database (`aima_store::SearchRepo`, `VectorRepo`): FTS5 and sqlite-vec
//! on SQLite, `tsvector` and pgvector on PostgreSQL. [`index`] keeps the
//! text vectors filled.

pub mod index;

use std::sync::Arc;

use aima_analyzers::embed::{Role, TextEmbedder};
use aima_analyzers::vision::clip::ClipModel;
use aima_analyzers::AnalyzerError;
use aima_core::search::{fuse, PersonAppearance, PersonMatch, SearchHit, SearchMode, SearchQuery};
use aima_core::ErrorCode;
use aima_models::ModelManager;
use aima_store::{Store, StoreError, TextIndexStatus};

pub use index::TextIndexer;

/// How deep fused lists go: each list is fetched this far, and a fused
/// search pages through at most this many hits.
pub const FUSION_DEPTH: u32 = 200;

/// A frame matches a query through CLIP's text tower from this cosine
/// similarity on: CLIP's text-image similarities are lower than text-text
/// ones (about 0.25 to 0.35 for a fitting caption with ViT-B/32).
pub const MIN_IMAGE_SIMILARITY: f64 = 0.2;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Search by meaning is turned off (`search.text_model` is empty).
    #[error("search by meaning is off on this server (search.text_model is empty)")]
    MeaningOff,
    /// The text-embedding model is not installed.
    #[error("search by meaning needs its model: {0}")]
    ModelMissing(String),
    /// The model failed on the query.
    #[error("embedding the query failed: {0}")]
    Embed(AnalyzerError),
}

impl From<AnalyzerError> for SearchError {
    fn from(e: AnalyzerError) -> Self {
        match e {
            AnalyzerError::Abort {
                code: ErrorCode::ModelMissing,
                message,
            } => SearchError::ModelMissing(message),
            other => SearchError::Embed(other),
        }
    }
}

/// Where search by meaning stands for a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeaningStatus {
    /// None: search by meaning is off.
    pub model: Option<String>,
    pub installed: bool,
    pub index: TextIndexStatus,
    /// The CLIP model that matches queries to frames; None: not configured.
    pub image_model: Option<String>,
    pub image_model_installed: bool,
}

/// Runs searches; cheap to clone (the query model is loaded once, on the
/// first search by meaning).
#[derive(Clone)]
pub struct Searcher {
    store: Arc<dyn Store>,
    models: ModelManager,
    text_model: Option<String>,
    embedder: Arc<tokio::sync::OnceCell<TextEmbedder>>,
    /// The CLIP model whose text tower matches queries to frames, when it
    /// is installed.
    clip_model: Option<String>,
    clip: Arc<tokio::sync::OnceCell<ClipModel>>,
}

impl Searcher {
    /// `text_model` None (or empty): search by meaning is off.
    pub fn new(store: Arc<dyn Store>, models: ModelManager, text_model: Option<String>) -> Self {
        Self {
            store,
            models,
            text_model: text_model.filter(|m| !m.is_empty()),
            embedder: Default::default(),
            clip_model: None,
            clip: Default::default(),
        }
    }

    /// Also matches queries to frames through this CLIP model's text tower
    /// (when it is installed; `None` or empty: never).
    pub fn with_clip(mut self, clip_model: Option<String>) -> Self {
        self.clip_model = clip_model.filter(|m| !m.is_empty());
        self
    }

    /// Hits of `q` in `workspace`: `q.limit` from `q.offset` on. `text` is
    /// what the user typed (embedded for meaning; `q.terms` is its parse).
    /// A query without terms finds nothing in any mode, nor a match by
    /// meaning below the text model's least similarity
    /// ([`TextEmbedder::min_similarity`]). `Hybrid` without an installed
    /// model is text search.
    pub async fn search(
        &self,
        workspace: &str,
        mode: SearchMode,
        text: &str,
        q: &SearchQuery,
    ) -> Result<Vec<SearchHit>, SearchError> {
        if q.terms.is_empty() {
            return Ok(vec![]);
        }
        // Lists are fetched to a fixed depth, fused (when there are
        // several), then the page is cut: fused ranks depend on the depth,
        // so every page of one search fuses the same lists (no hit repeated
        // or skipped between pages). Fused results end at that depth.
        let deep = SearchQuery {
            offset: 0,
            limit: FUSION_DEPTH.max(q.offset + q.limit),
            ..q.clone()
        };
        let lists = match mode {
            SearchMode::Text => return Ok(self.store.search_text(workspace, q).await?),
            SearchMode::Semantic => self.by_meaning(workspace, text, &deep).await?,
            SearchMode::Hybrid => {
                let mut lists = vec![self.store.search_text(workspace, &deep).await?];
                match self.by_meaning(workspace, text, &deep).await {
                    Ok(more) => lists.extend(more),
                    // Without its model, hybrid is text search (the status
                    // route says why).
                    Err(SearchError::MeaningOff | SearchError::ModelMissing(_)) => {}
                    // The database failing fails the search; a model
                    // failing leaves the words.
                    Err(SearchError::Store(e)) => return Err(SearchError::Store(e)),
                    Err(e) => {
                        tracing::warn!(error = %e, "search by meaning failed; answering by words")
                    }
                }
                lists
            }
        };
        let hits: Vec<SearchHit> = if lists.len() == 1 {
            lists.into_iter().flatten().collect()
        } else {
            fuse(lists, q.sort)
                .into_iter()
                .take(FUSION_DEPTH as usize)
                .collect()
        };
        Ok(hits
            .into_iter()
            .skip(q.offset as usize)
            .take(q.limit as usize)
            .collect())
    }

    /// The lists a search by meaning has: transcript segments and OCR lines
    /// by the text model, frames by CLIP's text tower (when installed).
    /// Neither available: the text model's error.
    async fn by_meaning(
        &self,
        workspace: &str,
        text: &str,
        q: &SearchQuery,
    ) -> Result<Vec<Vec<SearchHit>>, SearchError> {
        let mut lists = Vec::new();
        let mut unavailable = None;
        match self.embed(text).await {
            Ok((model, vector, floor)) => {
                let q = SearchQuery {
                    min_score: q.min_score.max(floor),
                    ..q.clone()
                };
                lists.push(
                    self.store
                        .search_semantic(workspace, &model, &vector, &q)
                        .await?,
                );
            }
            Err(e @ (SearchError::MeaningOff | SearchError::ModelMissing(_))) => {
                unavailable = Some(e)
            }
            Err(e) => return Err(e),
        }
        // Frames are a bonus: a CLIP model failing leaves the texts' hits.
        let frames = match self.embed_for_frames(text).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "matching frames through CLIP failed");
                None
            }
        };
        if let Some(vector) = frames {
            let q = SearchQuery {
                min_score: q.min_score.max(MIN_IMAGE_SIMILARITY),
                ..q.clone()
            };
            lists.push(self.store.search_frames(workspace, &vector, &q).await?);
        }
        match unavailable {
            Some(e) if lists.is_empty() => Err(e),
            _ => Ok(lists),
        }
    }

    /// The query through CLIP's text tower, if a CLIP model is configured
    /// and installed. The query is embedded as typed (no prompt template:
    /// users type what they look for, not a label).
    async fn embed_for_frames(&self, text: &str) -> Result<Option<Vec<f32>>, SearchError> {
        let Some(model) = self.clip_model.as_deref() else {
            return Ok(None);
        };
        // Looked for until it is installed, then loaded once.
        let clip = match self.clip.get() {
            Some(clip) => clip,
            None if !self.installed(Some(model)).await => return Ok(None),
            None => {
                self.clip
                    .get_or_try_init(|| ClipModel::load(&self.models, model))
                    .await?
            }
        };
        let c = clip.clone();
        let texts = vec![text.to_string()];
        let mut vectors = aima_analyzers::vision::blocking(move || c.embed_texts(&texts)).await?;
        Ok(vectors.pop())
    }

    /// The query's vector, the model that made it and that model's least
    /// similarity for a match.
    async fn embed(&self, text: &str) -> Result<(String, Vec<f32>, f64), SearchError> {
        let model = self.text_model.as_deref().ok_or(SearchError::MeaningOff)?;
        let embedder = self
            .embedder
            .get_or_try_init(|| TextEmbedder::load(&self.models, model))
            .await?;
        let vector = embedder
            .embed_async(vec![text.to_string()], Role::Query)
            .await?
            .pop()
            .unwrap_or_default();
        Ok((model.to_string(), vector, embedder.min_similarity()))
    }

    /// The persons whose faces match any of `faces` (embeddings, each with
    /// its model's match threshold), best first, at most `limit`, each with
    /// every time range it appears in.
    pub async fn persons_like(
        &self,
        workspace: &str,
        faces: &[(Vec<f32>, Option<f32>)],
        limit: usize,
    ) -> Result<Vec<PersonMatch>, SearchError> {
        let mut best: Vec<(String, f32)> = Vec::new();
        for (embedding, threshold) in faces {
            for (id, score) in self
                .store
                .persons_near(workspace, embedding, *threshold)
                .await?
            {
                match best.iter_mut().find(|(p, _)| *p == id) {
                    Some((_, s)) => *s = s.max(score),
                    None => best.push((id, score)),
                }
            }
        }
        best.sort_by(|a, b| b.1.total_cmp(&a.1));
        best.truncate(limit);
        let mut out = Vec::with_capacity(best.len());
        for (id, score) in best {
            let person = self.store.get_person(workspace, &id).await?;
            let appearances = self
                .store
                .appearances(workspace, &id)
                .await?
                .into_iter()
                .flat_map(|a| {
                    a.ranges.into_iter().map(move |r| PersonAppearance {
                        media_id: a.media_id.clone(),
                        start: r.start,
                        end: r.end,
                    })
                })
                .collect();
            out.push(PersonMatch {
                person_id: id,
                name: person.name,
                score: (f64::from(score).clamp(0.0, 1.0) * 1e6).round() / 1e6,
                appearances,
            });
        }
        Ok(out)
    }

    /// The model of search by meaning, whether it is installed, and how far
    /// the workspace's texts are indexed.
    pub async fn status(&self, workspace: &str) -> Result<MeaningStatus, SearchError> {
        let index = match &self.text_model {
            Some(model) => self.store.text_index_status(Some(workspace), model).await?,
            None => TextIndexStatus::default(),
        };
        Ok(MeaningStatus {
            installed: self.installed(self.text_model.as_deref()).await,
            model: self.text_model.clone(),
            index,
            image_model_installed: self.installed(self.clip_model.as_deref()).await,
            image_model: self.clip_model.clone(),
        })
    }

    async fn installed(&self, model: Option<&str>) -> bool {
        match model {
            Some(m) => matches!(
                self.models.status(m).await,
                Ok(s) if s.state == aima_models::State::Installed
            ),
            None => false,
        }
    }
}
