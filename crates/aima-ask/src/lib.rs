//! Ask: questions in English or German answered from the workspace's own
//! data. An answer is *computed* by read-only tools ([`tools`]) and
//! *written* by templates ([`answer`]); a language model only understands
//! the question. Locally a deterministic reader ([`parse`]) settles the
//! tool, its names and its period, and the local model ([`llm`]) only picks
//! among tools where the reader is unsure, decoding restricted to the
//! tools' names. A remote OpenAI-compatible model ([`remote`]) may plan
//! instead: it gets the same tools, its calls are checked, and its answer
//! is kept only when every number in it comes from a tool; otherwise the
//! local path answers. So every number is right and cited.

pub mod answer;
mod llama;
pub mod llm;
pub mod parse;
pub mod period;
pub mod remote;
pub mod serve;
pub mod tools;

use std::sync::Arc;
use std::time::Duration;

use aima_core::{ErrorCode, MediaFilter, PageRequest, SortOrder};
use aima_models::ModelManager;
use aima_search::{SearchError, Searcher};
use aima_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::OnceCell;

pub use llm::LocalLlm;
pub use parse::{Lang, Plan, Refusal, Vocab};
pub use period::Clock;
pub use remote::RemoteConfig;
pub use tools::{Citation, Source, ToolCall, ToolOutput};

/// The longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 2000;
/// The GGUF file of a language model in the model manager.
pub const LLM_FILE: &str = "model.gguf";

#[derive(Debug, thiserror::Error)]
pub enum AskError {
    #[error("{0}")]
    InvalidQuestion(String),
    #[error("the language model {0} is not installed: run `aima models pull {0}`")]
    ModelMissing(String),
    #[error("the language model failed: {0}")]
    Model(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

impl AskError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AskError::InvalidQuestion(_) => ErrorCode::InvalidQuestion,
            AskError::ModelMissing(_) => ErrorCode::ModelMissing,
            AskError::Model(_) => ErrorCode::Internal,
            AskError::Store(_) => ErrorCode::Internal,
            AskError::Search(SearchError::Store(_) | SearchError::Embed(_)) => ErrorCode::Internal,
            AskError::Search(_) => ErrorCode::ModelMissing,
        }
    }
}

/// A question and where it is asked from.
#[derive(Debug, Clone, Default)]
pub struct Question {
    pub text: String,
    /// The asker's UTC offset in minutes; `None`: the configured one.
    pub utc_offset_minutes: Option<i32>,
    /// Answer as of this moment (Unix ms); `None`: now.
    pub now_ms: Option<i64>,
}

/// A tool the answer called.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ToolUse {
    pub name: String,
    #[schema(value_type = Object)]
    pub arguments: Value,
    /// False when the call could not run as written (an unknown mode, a
    /// period in the future...); `error` says why.
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An answer and what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    pub answer: String,
    /// Every fact of the answer, numbered as its `[n]`.
    pub citations: Vec<Citation>,
    pub tools: Vec<ToolUse>,
    /// The language model that read the question.
    pub model: String,
    pub language: Lang,
    /// The question was outside what the tools answer (or asked for a
    /// change or a secret): the answer says what can be asked.
    pub refused: bool,
    /// Who chose the tool: `reader` (the deterministic reader of
    /// questions), `model` (the local model, where the reader was unsure)
    /// or `remote` (the configured remote model).
    pub planner: Planner,
    /// Set when a configured remote model failed and the local model
    /// answered instead: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Planner {
    Reader,
    Model,
    Remote,
}

/// What happens while an answer is made, for streaming.
#[derive(Debug, Clone)]
pub enum Progress {
    Tool(ToolUse),
    Text(String),
}

/// What the tools read: the store, the search seam, one workspace, the
/// asker's clock. Names of the workspace are read once per question.
pub struct Context<'a> {
    pub store: &'a dyn Store,
    pub searcher: &'a Searcher,
    pub workspace: &'a str,
    pub clock: Clock,
    vocab: OnceCell<Vocab>,
}

impl<'a> Context<'a> {
    pub fn new(
        store: &'a dyn Store,
        searcher: &'a Searcher,
        workspace: &'a str,
        clock: Clock,
    ) -> Self {
        Self {
            store,
            searcher,
            workspace,
            clock,
            vocab: OnceCell::new(),
        }
    }

    /// With names given (a served model reads them from the prompt).
    pub fn with_vocab(self, vocab: Vocab) -> Self {
        let _ = self.vocab.set(vocab);
        self
    }

    /// The workspace's names; an unreadable part is left empty (the
    /// tools then say a name is unknown rather than fail).
    pub async fn vocab(&self) -> &Vocab {
        self.vocab
            .get_or_init(|| async {
                match load_vocab(self.store, self.workspace).await {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!(error = %e, "reading the workspace's names failed");
                        Vocab::default()
                    }
                }
            })
            .await
    }
}

/// Most events, persons and media the names are read from.
const VOCAB_EVENTS: i64 = 20_000;
const VOCAB_ROWS: u32 = 500;

async fn load_vocab(store: &dyn Store, ws: &str) -> Result<Vocab, StoreError> {
    let modes = store
        .list_modes(ws)
        .await?
        .into_iter()
        .map(|m| m.name)
        .collect();
    let mut apps = std::collections::BTreeSet::new();
    let mut sites = std::collections::BTreeSet::new();
    for e in store.activity_events(ws, None, None, VOCAB_EVENTS).await? {
        if let Some(a) = e.data.get("app").and_then(|v| v.as_str()) {
            apps.insert(a.to_string());
        }
        if let Some(h) = e
            .data
            .get("url")
            .and_then(|v| v.as_str())
            .and_then(tools::host)
        {
            sites.insert(h);
        }
    }
    let page = PageRequest {
        limit: VOCAB_ROWS,
        after: None,
        order: SortOrder::Desc,
    };
    let persons = store
        .list_persons(ws, &page)
        .await?
        .items
        .into_iter()
        .filter_map(|p| p.name.map(|n| (p.id, n)))
        .collect();
    let media = store
        .list_media(ws, &MediaFilter::default(), &page)
        .await?
        .items
        .into_iter()
        .filter_map(|m| m.filename.map(|f| (m.id, f)))
        .collect();
    Ok(Vocab {
        modes,
        apps: apps.into_iter().collect(),
        sites: sites.into_iter().collect(),
        persons,
        media,
    })
}

/// Checks a question: not empty, not too long, text (no control
/// characters or undecodable bytes).
pub fn check_question(text: &str) -> Result<&str, AskError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AskError::InvalidQuestion("the question is empty".into()));
    }
    if t.chars().count() > MAX_QUESTION_CHARS {
        return Err(AskError::InvalidQuestion(format!(
            "a question has at most {MAX_QUESTION_CHARS} characters"
        )));
    }
    if t.chars()
        .any(|c| (c.is_control() && !matches!(c, '\n' | '\t' | '\r')) || c == '\u{FFFD}')
    {
        return Err(AskError::InvalidQuestion(
            "the question is not text (control characters or undecodable bytes)".into(),
        ));
    }
    Ok(t)
}

/// The ask seam the API, the CLI and the OpenAI-compatible endpoint share.
pub struct Asker {
    store: Arc<dyn Store>,
    searcher: Arc<Searcher>,
    models: ModelManager,
    local_model: String,
    remote: Option<RemoteConfig>,
    default_offset: i32,
    llm: OnceCell<LocalLlm>,
}

impl Asker {
    pub fn new(
        store: Arc<dyn Store>,
        searcher: Arc<Searcher>,
        models: ModelManager,
        local_model: impl Into<String>,
    ) -> Self {
        Self {
            store,
            searcher,
            models,
            local_model: local_model.into(),
            remote: None,
            default_offset: 0,
            llm: OnceCell::new(),
        }
    }

    pub fn with_remote(mut self, remote: Option<RemoteConfig>) -> Self {
        self.remote = remote;
        self
    }

    pub fn with_utc_offset(mut self, minutes: i32) -> Self {
        self.default_offset = minutes;
        self
    }

    pub fn local_model(&self) -> &str {
        &self.local_model
    }

    /// The local model, loaded once.
    pub async fn llm(&self) -> Result<&LocalLlm, AskError> {
        self.llm
            .get_or_try_init(|| async {
                let path = self
                    .models
                    .installed_file(&self.local_model, LLM_FILE)
                    .await
                    .map_err(|_| AskError::ModelMissing(self.local_model.clone()))?;
                let name = self.local_model.clone();
                tokio::task::spawn_blocking(move || LocalLlm::load(&name, &path))
                    .await
                    .map_err(|e| AskError::Model(e.to_string()))?
                    .map_err(|e| AskError::Model(e.to_string()))
            })
            .await
    }

    pub fn clock(&self, q: &Question) -> Result<Clock, AskError> {
        let offset = q.utc_offset_minutes.unwrap_or(self.default_offset);
        if !(-840..=840).contains(&offset) {
            return Err(AskError::InvalidQuestion(
                "utc_offset_minutes must be within ±840".into(),
            ));
        }
        let now_ms = q.now_ms.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
        });
        Ok(Clock {
            now_ms,
            offset_minutes: offset,
        })
    }

    /// Answers a question in `workspace`; `progress` sees each tool call
    /// and each piece of the answer as it is written.
    pub async fn ask(
        &self,
        workspace: &str,
        q: &Question,
        mut progress: impl FnMut(Progress) + Send,
    ) -> Result<Answer, AskError> {
        let text = check_question(&q.text)?;
        let clock = self.clock(q)?;
        // The local model is the default reader: without it, no answer.
        let llm = self.llm().await?;
        let ctx = Context::new(&*self.store, &self.searcher, workspace, clock);
        let lang = parse::language(text);
        let plan = parse::plan(text, ctx.vocab().await, &clock);
        let mut fallback = None;
        if let (Some(remote), false) = (&self.remote, matches!(plan, Plan::Refuse(_))) {
            match remote::answer(remote, &ctx, text, lang).await {
                Ok(mut a) => {
                    for t in &a.tools {
                        progress(Progress::Tool(t.clone()));
                    }
                    progress(Progress::Text(a.answer.clone()));
                    a.language = lang;
                    return Ok(a);
                }
                Err(why) => {
                    tracing::warn!(reason = %why, "the remote model failed; the local model answers");
                    fallback = Some(why);
                }
            }
        }
        let mut a = self
            .answer_locally(llm, &ctx, text, lang, plan, &mut progress)
            .await?;
        a.fallback = fallback;
        Ok(a)
    }

    async fn answer_locally(
        &self,
        llm: &LocalLlm,
        ctx: &Context<'_>,
        text: &str,
        lang: Lang,
        plan: Plan,
        progress: &mut (impl FnMut(Progress) + Send),
    ) -> Result<Answer, AskError> {
        let planner = if matches!(plan, Plan::Unsure { .. }) {
            Planner::Model
        } else {
            Planner::Reader
        };
        let (call, found) = match self.settle(llm, text, plan).await? {
            Ok(settled) => settled,
            Err(why) => {
                let answer = answer::refusal(lang, why);
                progress(Progress::Text(answer.clone()));
                return Ok(Answer {
                    answer,
                    citations: vec![],
                    tools: vec![],
                    model: llm.name().into(),
                    language: lang,
                    refused: true,
                    planner,
                    fallback: None,
                });
            }
        };
        let out = ctx.run(&call).await?;
        let tool = tool_use(&out);
        progress(Progress::Tool(tool.clone()));
        let answer = answer::render(lang, found.as_ref(), &out, 0);
        progress(Progress::Text(answer.clone()));
        Ok(Answer {
            answer,
            citations: answer::number(&out.citations, 0),
            tools: vec![tool],
            model: llm.name().into(),
            language: lang,
            refused: false,
            planner,
            fallback: None,
        })
    }

    /// The call a plan comes to: the reader's, or the model's pick among
    /// the reader's candidates (or none of them: a refusal).
    pub async fn settle(
        &self,
        llm: &LocalLlm,
        text: &str,
        plan: Plan,
    ) -> Result<Result<(ToolCall, Option<period::Found>), Refusal>, AskError> {
        match plan {
            Plan::Call { call, period } => Ok(Ok((call, period))),
            Plan::Refuse(r) => Ok(Err(r)),
            Plan::Unsure { candidates, period } => match pick(llm, text, &candidates).await? {
                Some(call) => Ok(Ok((call, period))),
                None => Ok(Err(Refusal::OutOfScope)),
            },
        }
    }
}

/// The local model picks a tool for a question: decoding restricted to
/// the candidates' names and `none`.
pub async fn pick(
    llm: &LocalLlm,
    question: &str,
    candidates: &[ToolCall],
) -> Result<Option<ToolCall>, AskError> {
    let mut names: Vec<&str> = candidates.iter().map(|c| c.name()).collect();
    names.push("none");
    let system = "You route questions about a person's computer activity to one tool.\n\
        activity_time: how much time was spent (in a mode, an app, a site)\n\
        top_apps: which apps are used most\n\
        activity_peak: on which day or at which hour something happens most\n\
        activity_trend: more or less than before\n\
        none: anything else\n\
        Answer with the tool name only.";
    let prompt = LocalLlm::chat_prompt(&[
        llm::Turn {
            role: "system",
            content: system,
        },
        llm::Turn {
            role: "user",
            content: question,
        },
    ]);
    let llm = llm.clone();
    let options: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let i = tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = options.iter().map(String::as_str).collect();
        llm.choose(&prompt, &refs)
    })
    .await
    .map_err(|e| AskError::Model(e.to_string()))?
    .map_err(|e| AskError::Model(e.to_string()))?;
    Ok(candidates.get(i).cloned())
}

pub fn tool_use(out: &ToolOutput) -> ToolUse {
    let error = match &out.facts {
        tools::Facts::Invalid { message, .. } => Some(message.clone()),
        _ => None,
    };
    ToolUse {
        name: out.tool.clone(),
        arguments: out.arguments.clone(),
        ok: error.is_none(),
        error,
    }
}

/// How long a remote model may take per request, by default.
pub const REMOTE_TIMEOUT: Duration = Duration::from_secs(30);
