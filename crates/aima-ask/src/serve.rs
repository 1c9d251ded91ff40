//! AIMA as an OpenAI-compatible model (`/v1/chat/completions`). Without
//! `tools` in the request, a chat's last question is asked here, on the
//! caller's workspace, and the answer carries its citations. With `tools`
//! (another AIMA, or any client, planning with its own tools), this is a
//! function-calling model: it reads the question with the deterministic
//! reader and the local model (names and clock from the system prompt's
//! data lines, [`crate::remote::prompt_context`]), calls one of the tools
//! it was given, and writes the answer from the tool results it gets back.

use serde::Deserialize;
use serde_json::Value;

use crate::parse::{self, Plan};
use crate::remote::read_context;
use crate::tools::ToolOutput;
use crate::{answer, check_question, Answer, AskError, Asker, Citation, Progress, Question};

/// One message of a chat, as OpenAI's API writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatMessage {
    pub role: String,
    /// Text, or a list of parts (`{"type": "text", "text": ...}`).
    #[serde(default)]
    pub content: Option<Value>,
    #[serde(default)]
    pub tool_call_id: Option<String>,
    #[serde(default)]
    pub tool_calls: Option<Value>,
    #[serde(default)]
    pub name: Option<String>,
}

impl ChatMessage {
    pub fn text(&self) -> String {
        match &self.content {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(parts)) => parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        }
    }
}

/// What the model says back.
#[derive(Debug, Clone)]
pub enum Completion {
    /// Call these tools (name, JSON arguments).
    ToolCalls(Vec<(String, String)>),
    /// The answer, with its citations.
    Message {
        text: String,
        citations: Vec<Citation>,
        refused: bool,
    },
}

impl Asker {
    /// A chat completion for `workspace`. `tools` are the functions the
    /// caller offers (their names); `None` runs AIMA's own tools here.
    pub async fn complete(
        &self,
        workspace: &str,
        messages: &[ChatMessage],
        tools: Option<&[String]>,
        progress: impl FnMut(Progress) + Send,
    ) -> Result<Completion, AskError> {
        let question = messages
            .iter()
            .rev()
            .find(|m| m.role == "user")
            .map(ChatMessage::text)
            .ok_or_else(|| AskError::InvalidQuestion("the chat has no user message".into()))?;
        let question = check_question(&question)?.to_string();
        let Some(offered) = tools else {
            let a: Answer = self
                .ask(
                    workspace,
                    &Question {
                        text: question,
                        ..Default::default()
                    },
                    progress,
                )
                .await?;
            return Ok(Completion::Message {
                text: a.answer,
                citations: a.citations,
                refused: a.refused,
            });
        };
        let llm = self.llm().await?;
        let system: String = messages
            .iter()
            .filter(|m| m.role == "system")
            .map(ChatMessage::text)
            .collect::<Vec<_>>()
            .join("\n");
        let (clock, vocab) = read_context(&system, self.clock(&Question::default())?);
        let lang = parse::language(&question);
        let plan = parse::plan(&question, &vocab, &clock);

        // Tool results since the last call: write the answer from them.
        let results: Vec<&ChatMessage> = messages
            .iter()
            .rev()
            .take_while(|m| m.role == "tool")
            .collect();
        if !results.is_empty() {
            let label = match &plan {
                Plan::Call { period, .. } | Plan::Unsure { period, .. } => period.clone(),
                Plan::Refuse(_) => None,
            };
            let mut parts = Vec::new();
            let mut citations = Vec::new();
            for m in results.into_iter().rev() {
                match serde_json::from_str::<ToolOutput>(&m.text()) {
                    Ok(out) => {
                        let offset = out
                            .citations
                            .first()
                            .map(|c| c.id.saturating_sub(1))
                            .unwrap_or(citations.len());
                        parts.push(answer::render(lang, label.as_ref(), &out, offset));
                        citations.extend(out.citations.iter().cloned());
                    }
                    Err(_) => parts.push(match lang {
                        parse::Lang::De => {
                            "Ein Werkzeug hat kein lesbares Ergebnis geliefert.".to_string()
                        }
                        parse::Lang::En => "A tool gave no result I can read.".to_string(),
                    }),
                }
            }
            return Ok(Completion::Message {
                text: parts.join(" "),
                citations,
                refused: false,
            });
        }
        match self.settle(llm, &question, plan).await? {
            Ok((call, _)) if offered.iter().any(|t| t == call.name()) => Ok(Completion::ToolCalls(
                vec![(call.name().to_string(), call.arguments().to_string())],
            )),
            Ok(_) => Ok(Completion::Message {
                text: match lang {
                    parse::Lang::De => "Für diese Frage fehlt mir ein passendes Werkzeug.".into(),
                    parse::Lang::En => "None of the tools offered answers this question.".into(),
                },
                citations: vec![],
                refused: true,
            }),
            Err(why) => Ok(Completion::Message {
                text: answer::refusal(lang, why),
                citations: vec![],
                refused: true,
            }),
        }
    }
}
