//! A remote OpenAI-compatible model as the planner: it is sent the
//! question, the workspace's names and the tools; it calls tools (each call
//! checked, then run here, on this workspace's data) for at most a few
//! rounds and writes the answer. The answer is kept only if it rests on
//! the tools: at least one ran, and every number it writes is in a
//! citation (or the question). Anything else (a timeout, a 500, malformed
//! JSON, invented arguments it does not correct, an ungrounded number) is
//! an `Err` with the reason, and the local path answers.
//!
//! [`prompt_context`] / [`read_context`] are the two ends of the system
//! prompt's data lines, so that AIMA's own `/v1/chat/completions`, serving
//! as such a model, reads the same names and clock.

use std::time::Duration;

use serde_json::{json, Value};

use crate::parse::{Lang, Vocab};
use crate::period::Clock;
use crate::tools::{self, ToolCall, ToolOutput};
use crate::{answer, tool_use, Answer, Citation, Context};

/// Where the remote model is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct RemoteConfig {
    /// The API's base URL, up to `/v1` (`…/chat/completions` is added).
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    pub timeout: Duration,
    /// Rounds of tool calls before the model must answer.
    pub max_rounds: usize,
}

const RULES: &str = "You answer questions about the user's own data in AIMA (activity per mode, app, site and window; media: transcripts, text, persons). \
Answer only through the tools: call them, then write a short answer in the question's language using only the numbers, names and times the tool results give, \
citing each fact with the [n] of its citation. Never invent a number. Dates are YYYY-MM-DD in the user's time zone. \
If a question is about anything else, say what you can answer instead.";

/// The data lines of a system prompt: the clock and the workspace's names.
pub fn prompt_context(clock: &Clock, vocab: &Vocab) -> String {
    let names = |v: Vec<&str>| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.join(", ")
        }
    };
    format!(
        "Now: {}\nUTC offset minutes: {}\nToday: {}\nModes: {}\nApps: {}\nSites: {}\nPersons: {}\nMedia: {}",
        aima_core::activity::format_rfc3339_ms(clock.now_ms),
        clock.offset_minutes,
        crate::period::fmt_date(clock.today()),
        names(vocab.modes.iter().map(String::as_str).collect()),
        names(vocab.apps.iter().map(String::as_str).collect()),
        names(vocab.sites.iter().map(String::as_str).collect()),
        names(vocab.persons.iter().map(|p| p.1.as_str()).collect()),
        names(vocab.media.iter().map(|m| m.1.as_str()).collect()),
    )
}

/// The clock and names of a system prompt written by [`prompt_context`];
/// lines it lacks stay empty (the clock then is `fallback`).
pub fn read_context(system: &str, fallback: Clock) -> (Clock, Vocab) {
    let mut clock = fallback;
    let mut vocab = Vocab::default();
    for line in system.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        let list = || -> Vec<String> {
            if v == "(none)" {
                vec![]
            } else {
                v.split(", ")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            }
        };
        match k.trim() {
            "Now" => {
                if let Ok(ms) = aima_core::activity::parse_rfc3339_ms(v) {
                    clock.now_ms = ms;
                }
            }
            "UTC offset minutes" => {
                if let Ok(m) = v.parse::<i32>() {
                    if (-840..=840).contains(&m) {
                        clock.offset_minutes = m;
                    }
                }
            }
            "Modes" => vocab.modes = list(),
            "Apps" => vocab.apps = list(),
            "Sites" => vocab.sites = list(),
            "Persons" => {
                vocab.persons = list()
                    .into_iter()
                    .enumerate()
                    .map(|(i, n)| (i.to_string(), n))
                    .collect()
            }
            "Media" => {
                vocab.media = list()
                    .into_iter()
                    .enumerate()
                    .map(|(i, n)| (i.to_string(), n))
                    .collect()
            }
            _ => {}
        }
    }
    (clock, vocab)
}

/// The numbers a text writes (digit runs).
pub fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Numbers of `answer` found in none of `allowed`, without citation
/// markers (`[3]`).
pub fn ungrounded(answer: &str, allowed: &[&str]) -> Vec<String> {
    let mut marks = String::new();
    let mut depth = false;
    for c in answer.chars() {
        match c {
            '[' => depth = true,
            ']' => depth = false,
            _ if depth && c.is_ascii_digit() => {}
            _ => marks.push(c),
        }
    }
    let pool: Vec<String> = allowed.iter().flat_map(|a| numbers(a)).collect();
    numbers(&marks)
        .into_iter()
        .filter(|n| {
            !pool
                .iter()
                .any(|p| p == n || p.trim_start_matches('0') == n.trim_start_matches('0'))
        })
        .collect()
}

async fn post(client: &reqwest::Client, cfg: &RemoteConfig, body: &Value) -> Result<Value, String> {
    let url = format!("{}/chat/completions", cfg.base_url.trim_end_matches('/'));
    let mut req = client.post(&url).json(body);
    if let Some(key) = &cfg.api_key {
        req = req.bearer_auth(key);
    }
    let resp = req.send().await.map_err(|e| {
        if e.is_timeout() {
            format!(
                "the remote model did not answer within {} s",
                cfg.timeout.as_secs()
            )
        } else {
            "the remote model could not be reached".to_string()
        }
    })?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!(
            "the remote model answered HTTP {}",
            status.as_u16()
        ));
    }
    let bytes = resp
        .bytes()
        .await
        .map_err(|_| "the remote model's answer broke off".to_string())?;
    serde_json::from_slice(&bytes).map_err(|_| "the remote model's answer is not JSON".to_string())
}

/// Asks the remote model; `Err` is why its answer is not used.
pub async fn answer(
    cfg: &RemoteConfig,
    ctx: &Context<'_>,
    question: &str,
    lang: Lang,
) -> Result<Answer, String> {
    let client = reqwest::Client::builder()
        .timeout(cfg.timeout)
        .build()
        .map_err(|e| e.to_string())?;
    let system = format!("{RULES}\n{}", prompt_context(&ctx.clock, ctx.vocab().await));
    let mut messages = vec![
        json!({"role": "system", "content": system}),
        json!({"role": "user", "content": question}),
    ];
    let mut outputs: Vec<ToolOutput> = Vec::new();
    let mut citations: Vec<Citation> = Vec::new();
    let mut uses = Vec::new();
    for round in 0..=cfg.max_rounds {
        let mut body = json!({"model": cfg.model, "messages": messages, "temperature": 0});
        if round < cfg.max_rounds {
            body["tools"] = tools::definitions();
        }
        let resp = post(&client, cfg, &body).await?;
        let msg = resp
            .pointer("/choices/0/message")
            .filter(|m| m.is_object())
            .ok_or("the remote model's answer has no message")?
            .clone();
        let calls = msg
            .get("tool_calls")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        // At most four calls a round, each answered.
        let calls: Vec<Value> = calls.into_iter().take(4).collect();
        if calls.is_empty() {
            let content = msg
                .get("content")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_string();
            if content.is_empty() {
                return Err("the remote model answered nothing".into());
            }
            if outputs
                .iter()
                .all(|o| matches!(o.facts, tools::Facts::Invalid { .. }))
            {
                return Err("the remote model answered without a tool that ran".into());
            }
            let mut allowed: Vec<&str> = citations.iter().map(|c| c.text.as_str()).collect();
            allowed.push(question);
            let bad = ungrounded(&content, &allowed);
            if !bad.is_empty() {
                return Err(format!(
                    "the remote model wrote numbers no tool gave: {}",
                    bad.join(", ")
                ));
            }
            let mut content = content;
            if !citations.is_empty() && !content.contains('[') {
                let refs: Vec<String> = citations.iter().map(|c| format!("[{}]", c.id)).collect();
                content = format!("{content} {}", refs.join(" "));
            }
            return Ok(Answer {
                answer: content,
                citations,
                tools: uses,
                model: cfg.model.clone(),
                language: lang,
                refused: false,
                planner: crate::Planner::Remote,
                fallback: None,
            });
        }
        messages.push(json!({"role": "assistant", "content": msg.get("content").cloned().unwrap_or(Value::Null), "tool_calls": calls}));
        for c in &calls {
            let id = c
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("call")
                .to_string();
            let name = c
                .pointer("/function/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let args = c
                .pointer("/function/arguments")
                .and_then(Value::as_str)
                .unwrap_or("{}");
            let content = match ToolCall::from_parts(name, args) {
                Err(e) => {
                    uses.push(crate::ToolUse {
                        name: name.chars().take(64).collect(),
                        arguments: Value::Null,
                        ok: false,
                        error: Some(e.clone()),
                    });
                    json!({"error": e}).to_string()
                }
                Ok(call) => {
                    let mut out = ctx.run(&call).await.map_err(|e| e.to_string())?;
                    out.citations = answer::number(&out.citations, citations.len());
                    citations.extend(out.citations.iter().cloned());
                    uses.push(tool_use(&out));
                    let text = serde_json::to_string(&out).unwrap_or_default();
                    outputs.push(out);
                    text
                }
            };
            messages.push(json!({"role": "tool", "tool_call_id": id, "content": content}));
        }
    }
    Err(format!(
        "the remote model gave no answer within {} rounds",
        cfg.max_rounds
    ))
}
