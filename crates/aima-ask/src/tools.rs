//! The tools an answer is computed by. They only read the store (and the
//! search indexes through the [`Searcher`]); none of them writes. Each has
//! a name, a description and a JSON schema of its arguments, which is what
//! a remote model is sent as `tools`; a call's arguments are checked
//! (unknown fields, names no mode has, dates in the future) before it
//! runs, and a failed check is a [`Facts::Invalid`] the model can read.

use std::collections::BTreeMap;

use aima_core::activity::{effective_durations, format_rfc3339_ms, StoredEvent};
use aima_core::search::{parse_query, SearchMode, SearchQuery, SearchSort};
use aima_core::InsightFilter;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::{Duration, Weekday};

use crate::period::{parse_date, Period};
use crate::{AskError, Context};

/// Most events one call reads.
const MAX_EVENTS: i64 = 1_000_000;
/// Event ids one activity citation names (the count names them all).
pub const CITED_EVENTS: usize = 50;
/// The longest period a call may ask about.
const MAX_PERIOD_DAYS: i64 = 3660;

/// What activity is grouped or filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    #[default]
    Mode,
    App,
    Site,
    Title,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Mode => "mode",
            Subject::App => "app",
            Subject::Site => "site",
            Subject::Title => "title",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PeakBy {
    #[default]
    Weekday,
    Hour,
}

/// Time in one period, in total or for one name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ActivityArgs {
    #[serde(default)]
    pub by: Subject,
    /// One mode, app, site (host) or words of a window title; none: every one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First day, `YYYY-MM-DD` (local); none: from the first event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Last day, `YYYY-MM-DD` (local, included); none: up to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PeakArgs {
    #[serde(default)]
    pub by: PeakBy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TopAppsArgs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    pub query: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonArgs {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaArgs {
    /// The media's id or file name.
    pub media: String,
}

/// A call of one tool with its arguments, as a model writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "arguments", rename_all = "snake_case")]
pub enum ToolCall {
    ActivityTime(ActivityArgs),
    ActivityPeak(PeakArgs),
    TopApps(TopAppsArgs),
    ActivityTrend(ActivityArgs),
    CurrentMode(NoArgs),
    SearchMedia(SearchArgs),
    PersonAppearances(PersonArgs),
    SummarizeMedia(MediaArgs),
}

impl ToolCall {
    pub fn name(&self) -> &'static str {
        match self {
            ToolCall::ActivityTime(_) => "activity_time",
            ToolCall::ActivityPeak(_) => "activity_peak",
            ToolCall::TopApps(_) => "top_apps",
            ToolCall::ActivityTrend(_) => "activity_trend",
            ToolCall::CurrentMode(_) => "current_mode",
            ToolCall::SearchMedia(_) => "search_media",
            ToolCall::PersonAppearances(_) => "person_appearances",
            ToolCall::SummarizeMedia(_) => "summarize_media",
        }
    }

    pub fn arguments(&self) -> Value {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("arguments").cloned())
            .unwrap_or_else(|| json!({}))
    }

    /// A call from a model's name and JSON arguments: unknown tools and
    /// arguments a schema does not allow are refused with a message.
    pub fn from_parts(name: &str, arguments: &str) -> Result<ToolCall, String> {
        let args: Value = if arguments.trim().is_empty() {
            json!({})
        } else {
            serde_json::from_str(arguments).map_err(|e| format!("arguments are not JSON: {e}"))?
        };
        if !TOOL_NAMES.contains(&name) {
            return Err(format!(
                "there is no tool {name:?}; tools: {}",
                TOOL_NAMES.join(", ")
            ));
        }
        serde_json::from_value(json!({"name": name, "arguments": args}))
            .map_err(|e| format!("invalid arguments for {name}: {e}"))
    }
}

pub const TOOL_NAMES: [&str; 8] = [
    "activity_time",
    "activity_peak",
    "top_apps",
    "activity_trend",
    "current_mode",
    "search_media",
    "person_appearances",
    "summarize_media",
];

/// The tools as OpenAI's `tools` list: name, description, JSON schema.
pub fn definitions() -> Value {
    let date = |what: &str| json!({"type": "string", "format": "date", "description": what});
    let period = || {
        json!({
            "start": date("First day, YYYY-MM-DD, local time; omit for all the data"),
            "end": date("Last day (included), YYYY-MM-DD, local time; omit for up to today"),
        })
    };
    let with = |mut base: Value, more: Value| {
        if let (Some(b), Some(m)) = (base.as_object_mut(), more.as_object()) {
            b.extend(m.clone());
        }
        base
    };
    let subject = json!({"by": {"type": "string", "enum": ["mode", "app", "site", "title"], "description": "What to count time of"},
                         "name": {"type": "string", "description": "One mode, app, web site (host) or words of a window title; omit for a breakdown"}});
    let tool = |name: &str, description: &str, properties: Value, required: &[&str]| {
        json!({"type": "function", "function": {"name": name, "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required, "additionalProperties": false}}})
    };
    json!([
        tool("activity_time", "Time spent per mode, app, site or window title in a period (or for one of them).", with(subject.clone(), period()), &[]),
        tool("activity_peak", "When activity happens most: time per weekday or hour of the day, optionally of one mode or app.",
            with(json!({"by": {"type": "string", "enum": ["weekday", "hour"]}, "mode": {"type": "string"}, "app": {"type": "string"}}), period()), &[]),
        tool("top_apps", "The apps used most in a period, optionally within one mode.",
            with(json!({"mode": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 20}}), period()), &[]),
        tool("activity_trend", "Time in a period compared with the period of the same length just before it.", with(subject, period()), &["start", "end"]),
        tool("current_mode", "The mode of the latest activity: what the user is doing now.", json!({}), &[]),
        tool("search_media", "Where in the media something is said or shown: time-coded hits.",
            json!({"query": {"type": "string", "minLength": 1}, "limit": {"type": "integer", "minimum": 1, "maximum": 10}}), &["query"]),
        tool("person_appearances", "In which media and when a named person appears.", json!({"name": {"type": "string", "minLength": 1}}), &["name"]),
        tool("summarize_media", "A summary of one media: its transcript and what was found, with times.", json!({"media": {"type": "string", "description": "The media's id or file name"}}), &["media"]),
    ])
}

/// Where a fact comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// An aggregate of activity events.
    Activity {
        /// What is counted: `mode`, `app`, `site`, `title`, `weekday`, `hour`.
        by: String,
        /// The mode, app, site or title (none: all).
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// RFC 3339, included.
        start: String,
        /// RFC 3339, excluded.
        end: String,
        seconds: f64,
        /// Events counted.
        events: i64,
        /// The first of them (at most 50).
        event_ids: Vec<i64>,
    },
    /// One event (the current mode).
    Event {
        event_id: i64,
        bucket: String,
        timestamp: String,
    },
    /// A moment of a media: an insight or a person's appearance.
    Media {
        media_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
        start: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        end: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        insight_id: Option<i64>,
    },
}

/// A cited fact: what it says (`text`, with every number of it) and
/// where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Citation {
    /// Its number in the answer: `[1]`.
    pub id: usize,
    pub text: String,
    pub source: Source,
}

/// A ranked name and its seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    pub name: String,
    pub seconds: f64,
    /// Index into the output's citations.
    pub cite: usize,
}

/// A media moment found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moment {
    pub media_id: String,
    pub filename: Option<String>,
    pub start: f64,
    pub end: Option<f64>,
    pub text: String,
    pub cite: usize,
}

/// What a tool found, for the answer's templates (and, as JSON, for a
/// remote model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Facts {
    Time {
        by: Subject,
        name: Option<String>,
        period: Option<Period>,
        seconds: f64,
        events: i64,
        /// Without a name: every mode, app... best first.
        breakdown: Vec<Ranked>,
    },
    Peak {
        by: PeakBy,
        filter: Option<String>,
        period: Option<Period>,
        ranking: Vec<Ranked>,
    },
    TopApps {
        mode: Option<String>,
        period: Option<Period>,
        ranking: Vec<Ranked>,
    },
    Trend {
        by: Subject,
        name: Option<String>,
        current: Period,
        previous: Period,
        current_seconds: f64,
        previous_seconds: f64,
    },
    Current {
        mode: Option<String>,
        model: bool,
        app: Option<String>,
        at: String,
        minutes_ago: i64,
    },
    Found {
        query: String,
        moments: Vec<Moment>,
    },
    Appearances {
        name: String,
        /// The person's name as stored, when one matched.
        person: Option<String>,
        moments: Vec<Moment>,
    },
    Summary {
        media_id: String,
        filename: Option<String>,
        kind: String,
        duration: Option<f64>,
        segments: i64,
        excerpts: Vec<Moment>,
        counts: Vec<(String, i64)>,
        persons: Vec<String>,
    },
    NoData,
    /// The call could not run as written: what was wrong, and what exists.
    Invalid {
        code: String,
        /// The value at fault (a mode, a person, a media), if one.
        value: Option<String>,
        message: String,
        known: Vec<String>,
    },
}

/// A tool's result: its facts and the citations they point into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolOutput {
    pub tool: String,
    pub arguments: Value,
    pub facts: Facts,
    pub citations: Vec<Citation>,
}

fn invalid(code: &str, value: Option<&str>, message: String, known: Vec<String>) -> Facts {
    Facts::Invalid {
        code: code.into(),
        value: value.map(str::to_string),
        message,
        known,
    }
}

/// `3 h 05 min`, `12 min`, `45 s`: durations as the answers write them
/// (minutes rounded, seconds only under a minute).
pub fn fmt_duration(seconds: f64) -> String {
    let s = seconds.round() as i64;
    if s < 60 {
        return format!("{s} s");
    }
    let m = (seconds / 60.0).round() as i64;
    if m < 60 {
        format!("{m} min")
    } else {
        format!("{} h {:02} min", m / 60, m % 60)
    }
}

/// `1:05` or `1:02:03`: a moment of a media.
pub fn fmt_clock(seconds: f64) -> String {
    let s = seconds.max(0.0).floor() as i64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn event_key(e: &StoredEvent, by: Subject) -> Option<String> {
    let s = |k: &str| e.data.get(k).and_then(|v| v.as_str()).map(str::to_string);
    match by {
        Subject::Mode => Some(
            e.mode
                .as_ref()
                .map(|l| l.mode.clone())
                .unwrap_or_else(|| "unlabelled".into()),
        ),
        Subject::App => s("app"),
        Subject::Site => s("url").and_then(|u| host(&u)),
        Subject::Title => s("title"),
    }
}

/// The host of a URL without `www.`.
pub fn host(u: &str) -> Option<String> {
    let parsed = url::Url::parse(u)
        .or_else(|_| url::Url::parse(&format!("https://{u}")))
        .ok()?;
    let h = parsed.host_str()?.to_lowercase();
    Some(h.strip_prefix("www.").unwrap_or(&h).to_string())
}

fn matches(by: Subject, key: &str, name: &str) -> bool {
    let (k, n) = (key.to_lowercase(), name.trim().to_lowercase());
    match by {
        Subject::Mode | Subject::App => k == n,
        Subject::Site => {
            let n = n.strip_prefix("www.").unwrap_or(&n);
            k == n || k.ends_with(&format!(".{n}")) || k.split('.').next() == Some(n)
        }
        Subject::Title => k.contains(&n),
    }
}

/// An event's seconds inside `[start, end)`.
fn clipped(e: &StoredEvent, secs: f64, start: i64, end: i64) -> f64 {
    let from = e.timestamp.max(start);
    let to = (e.timestamp + (secs * 1000.0).round() as i64).min(end);
    ((to - from).max(0) as f64) / 1000.0
}

/// Counted activity: seconds and event ids per key.
#[derive(Default)]
struct Tally {
    seconds: f64,
    ids: Vec<i64>,
    events: i64,
}

impl Tally {
    fn add(&mut self, id: i64, secs: f64) {
        self.seconds += secs;
        self.events += 1;
        if self.ids.len() < CITED_EVENTS {
            self.ids.push(id);
        }
    }
}

// A call that cannot run answers its `Facts::Invalid` as the error: made
// once per call, so its size does not matter.
#[allow(clippy::result_large_err)]
impl Context<'_> {
    /// The period of a call's dates: `None` for all time; checks order,
    /// length and the future.
    fn period(
        &self,
        start: &Option<String>,
        end: &Option<String>,
    ) -> Result<Option<Period>, Facts> {
        let date = |s: &Option<String>, which: &str| -> Result<Option<time::Date>, Facts> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => parse_date(s).map(Some).ok_or_else(|| {
                    invalid(
                        "invalid_date",
                        Some(s),
                        format!("{which} {s:?} is not a date (YYYY-MM-DD)"),
                        vec![],
                    )
                }),
            }
        };
        let today = self.clock.today();
        match (date(start, "start")?, date(end, "end")?) {
            (None, None) => Ok(None),
            (first, last) => {
                let last = last.unwrap_or(today);
                let first = first.unwrap_or(last - Duration::days(MAX_PERIOD_DAYS - 1));
                if first > last {
                    return Err(invalid(
                        "invalid_period",
                        None,
                        "the period starts after it ends".into(),
                        vec![],
                    ));
                }
                if first > today {
                    return Err(invalid(
                        "period_in_future",
                        None,
                        "the period has not begun yet: there is no activity in it".into(),
                        vec![],
                    ));
                }
                if (last - first).whole_days() >= MAX_PERIOD_DAYS {
                    return Err(invalid(
                        "invalid_period",
                        None,
                        format!("a period is at most {MAX_PERIOD_DAYS} days"),
                        vec![],
                    ));
                }
                Ok(Some(Period { first, last }))
            }
        }
    }

    fn range(&self, p: &Option<Period>) -> (Option<i64>, Option<i64>) {
        match p {
            Some(p) => {
                let (s, e) = p.range_ms(&self.clock);
                (Some(s), Some(e))
            }
            None => (None, None),
        }
    }

    /// Checks a mode name against the workspace's modes (and the labels
    /// its events carry), case-insensitively; returns the stored spelling.
    async fn known_mode(&self, name: &str) -> Result<String, Facts> {
        let modes = self.vocab().await.modes.clone();
        modes
            .iter()
            .find(|m| m.eq_ignore_ascii_case(name.trim()))
            .cloned()
            .ok_or_else(|| {
                invalid(
                    "unknown_mode",
                    Some(name.trim()),
                    format!("there is no mode {:?}", name.trim()),
                    modes.clone(),
                )
            })
    }

    /// Activity of a period grouped by `key` (events it gives `None` are
    /// left out): seconds inside the period, events and their first ids.
    /// Idle events never count.
    async fn tally(
        &self,
        p: &Option<Period>,
        key: impl Fn(&StoredEvent) -> Option<String>,
    ) -> Result<(BTreeMap<String, Tally>, (i64, i64)), AskError> {
        let (s, e) = self.range(p);
        let events = self
            .store
            .activity_events(self.workspace, s, e, MAX_EVENTS)
            .await?;
        let secs = effective_durations(&events);
        let (s, e) = (s.unwrap_or(i64::MIN), e.unwrap_or(self.clock.now_ms));
        let mut per: BTreeMap<String, Tally> = BTreeMap::new();
        for (ev, d) in events.iter().zip(secs) {
            if is_idle(ev) {
                continue;
            }
            let d = clipped(ev, d, s, e);
            if d <= 0.0 {
                continue;
            }
            if let Some(k) = key(ev) {
                per.entry(k).or_default().add(ev.id, d);
            }
        }
        Ok((per, (s, e)))
    }

    /// A mode argument checked, or the facts saying it is unknown.
    async fn mode_arg(&self, m: &Option<String>) -> Result<Option<String>, Facts> {
        match m.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => self.known_mode(m).await.map(Some),
            None => Ok(None),
        }
    }

    /// Runs one call. Store failures are errors; a call that cannot run as
    /// written answers [`Facts::Invalid`].
    pub async fn run(&self, call: &ToolCall) -> Result<ToolOutput, AskError> {
        let mut citations = Vec::new();
        let facts = match self.facts(call, &mut citations).await? {
            Ok(f) => f,
            Err(f) => {
                citations.clear();
                f
            }
        };
        Ok(ToolOutput {
            tool: call.name().into(),
            arguments: call.arguments(),
            facts,
            citations,
        })
    }

    async fn facts(
        &self,
        call: &ToolCall,
        cites: &mut Vec<Citation>,
    ) -> Result<Result<Facts, Facts>, AskError> {
        Ok(match call {
            ToolCall::ActivityTime(a) => self.time(a, cites).await?,
            ToolCall::ActivityTrend(a) => self.trend(a, cites).await?,
            ToolCall::ActivityPeak(a) => self.peak(a, cites).await?,
            ToolCall::TopApps(a) => self.top_apps(a, cites).await?,
            ToolCall::CurrentMode(_) => self.current(cites).await?,
            ToolCall::SearchMedia(a) => self.search(a, cites).await?,
            ToolCall::PersonAppearances(a) => self.person(a, cites).await?,
            ToolCall::SummarizeMedia(a) => self.summary(a, cites).await?,
        })
    }

    fn activity_cite(
        &self,
        cites: &mut Vec<Citation>,
        by: &str,
        name: Option<&str>,
        range: (i64, i64),
        t: &Tally,
        text: String,
    ) -> usize {
        let (first, last) = self.bounds(range);
        cites.push(Citation {
            id: 0,
            text,
            source: Source::Activity {
                by: by.into(),
                name: name.map(str::to_string),
                start: first,
                end: last,
                seconds: (t.seconds * 1000.0).round() / 1000.0,
                events: t.events,
                event_ids: t.ids.clone(),
            },
        });
        cites.len() - 1
    }

    fn bounds(&self, (s, e): (i64, i64)) -> (String, String) {
        let clamp = |ms: i64| ms.clamp(0, 253_402_300_799_000);
        (
            format_rfc3339_ms(clamp(s)),
            format_rfc3339_ms(clamp(e.min(self.clock.now_ms))),
        )
    }

    async fn time(
        &self,
        a: &ActivityArgs,
        cites: &mut Vec<Citation>,
    ) -> Result<Result<Facts, Facts>, AskError> {
        let period = match self.period(&a.start, &a.end) {
            Ok(p) => p,
            Err(f) => return Ok(Err(f)),
        };
        let name = match self.subject_name(a).await {
            Ok(n) => n,
            Err(f) => return Ok(Err(f)),
        };
        let by = a.by;
        let (per, range) = self
            .tally(&period, |ev| {
                let k = event_key(ev, by)?;
                match &name {
                    Some(n) => matches(by, &k, n).then(|| n.clone()),
                    None => Some(k),
                }
            })
            .await?;
        let dates = period
            .map(|p| p.dates())
            .unwrap_or_else(|| "all data".into());
        let mut ranked: Vec<_> = per.into_iter().collect();
        ranked.sort_by(|x, y| y.1.seconds.total_cmp(&x.1.seconds));
        let (mut seconds, mut events, mut breakdown) = (0.0, 0, Vec::new());
        for (k, t) in ranked.into_iter().take(10) {
            let text = format!("{} {k}: {}, {dates}", by.as_str(), fmt_duration(t.seconds));
            let cite = self.activity_cite(cites, by.as_str(), Some(&k), range, &t, text);
            seconds += t.seconds;
            events += t.events;
            breakdown.push(Ranked {
                name: k,
                seconds: t.seconds,
                cite,
            });
        }
        if name.is_some() {
            breakdown.clear();
        }
        Ok(Ok(Facts::Time {
            by,
            name,
            period,
            seconds,
            events,
            breakdown,
        }))
    }

    /// The name of an activity call, a mode checked against the modes.
    async fn subject_name(&self, a: &ActivityArgs) -> Result<Option<String>, Facts> {
        match a.by {
            Subject::Mode => self.mode_arg(&a.name).await,
            _ => Ok(a.name.clone().filter(|n| !n.trim().is_empty())),
        }
    }

    async fn trend(
        &self,
        a: &ActivityArgs,
        cites: &mut Vec<Citation>,
    ) -> Result<Result<Facts, Facts>, AskError> {
        let current = match self.period(&a.start, &a.end) {
            Ok(Some(p)) => p,
            Ok(None) => {
                // A trend needs a period: this week by default.
                let today = self.clock.today();
                let first =
                    today - Duration::days(today.weekday().number_days_from_monday() as i64);
                Period {
                    first,
                    last: first + Duration::days(6),
                }
            }
            Err(f) => return Ok(Err(f)),
        };
        let name = match self.subject_name(a).await {
            Ok(n) => n,
            Err(f) => return Ok(Err(f)),
        };
        let previous = current.previous();
        let by = a.by;
        let what = name
            .as_deref()
            .map(|n| format!("{} {n}", by.as_str()))
            .unwrap_or_else(|| "all activity".into());
        let mut seconds = [0.0; 2];
        for (i, p) in [current, previous].into_iter().enumerate() {
            let (per, range) = self
                .tally(&Some(p), |ev| {
                    let k = event_key(ev, by)?;
                    name.as_ref()
                        .is_none_or(|n| matches(by, &k, n))
                        .then(String::new)
                })
                .await?;
            let t = per.into_values().next().unwrap_or_default();
            seconds[i] = t.seconds;
            let text = format!("{what}: {}, {}", fmt_duration(t.seconds), p.dates());
            self.activity_cite(cites, by.as_str(), name.as_deref(), range, &t, text);
        }
        Ok(Ok(Facts::Trend {
            by,
            name,
            current,
            previous,
            current_seconds: seconds[0],
            previous_seconds: seconds[1],
        }))
    }

    async fn peak(
        &self,
        a: &PeakArgs,
        cites: &mut Vec<Citation>,
    ) -> Result<Result<Facts, Facts>, AskError> {
        let period = match self.period(&a.start, &a.end) {
            Ok(p) => p,
            Err(f) => return Ok(Err(f)),
        };
        let mode = match self.mode_arg(&a.mode).await {
            Ok(m) => m,
            Err(f) => return Ok(Err(f)),
        };
        let app = a.app.clone().filter(|s| !s.trim().is_empty());
        let by = a.by;
        let (per, range) = self
            .tally(&period, |ev| {
                let keep = |s: Subject, want: &Option<String>| {
                    want.as_ref()
                        .is_none_or(|w| event_key(ev, s).is_some_and(|k| matches(s, &k, w)))
                };
                if !keep(Subject::Mode, &mode) || !keep(Subject::App, &app) {
                    return None;
                }
                let local = self.clock.local(ev.timestamp);
                Some(match by {
                    PeakBy::Weekday => weekday_en(local.weekday()).to_string(),
                    PeakBy::Hour => format!("{:02}:00", local.hour()),
                })
            })
            .await?;
        let filter = mode.or(app);
        let mut ranked: Vec<_> = per.into_iter().collect();
        ranked.sort_by(|x, y| y.1.seconds.total_cmp(&x.1.seconds));
        let by_name = match by {
            PeakBy::Weekday => "weekday",
            PeakBy::Hour => "hour",
        };
        let what = filter.as_deref().unwrap_or("all activity");
        let dates = period
            .map(|p| p.dates())
            .unwrap_or_else(|| "all data".into());
        let mut ranking = Vec::new();
        for (k, t) in ranked.into_iter().take(3) {
            let text = format!("{what}, {k}: {}, {dates}", fmt_duration(t.seconds));
            let cite = self.activity_cite(cites, by_name, Some(&k), range, &t, text);
            ranking.push(Ranked {
                name: k,
                seconds: t.seconds,
                cite,
            });
        }
        Ok(Ok(Facts::Peak {
            by,
            filter,
            period,
            ranking,
        }))
    }

    async fn top_apps(
        &self,
        a: &TopAppsArgs,
        cites: &mut Vec<Citation>,
    ) -> Result<Result<Facts, Facts>, AskError> {
        let period = match self.period(&a.start, &a.end) {
            Ok(p) => p,
            Err(f) => return Ok(Err(f)),
        };
        let mode = match self.mode_arg(&a.mode).await {
            Ok(m) => m,
            Err(f) => return Ok(Err(f)),
        };
        let (per, range) = self
            .tally(&period, |ev| {
                let in_mode = mode.as_ref().is_none_or(|m| {
                    event_key(ev, Subject::Mode).is_some_and(|k| matches(Subject::Mode, &k, m))
                });
                in_mode.then(|| event_key(ev, Subject::App)).flatten()
            })
            .await?;
        let mut ranked: Vec<_> = per.into_iter().collect();
        ranked.sort_by(|x, y| y.1.seconds.total_cmp(&x.1.seconds));
        let dates = period
            .map(|p| p.dates())
            .unwrap_or_else(|| "all data".into());
        let within = mode
            .as_deref()
            .map(|m| format!(" in mode {m}"))
            .unwrap_or_default();
        let mut ranking = Vec::new();
        for (k, t) in ranked
            .into_iter()
            .take(a.limit.unwrap_or(3).clamp(1, 20) as usize)
        {
            let text = format!("app {k}{within}: {}, {dates}", fmt_duration(t.seconds));
            let cite = self.activity_cite(cites, "app", Some(&k), range, &t, text);
            ranking.push(Ranked {
                name: k,
                seconds: t.seconds,
                cite,
            });
        }
        Ok(Ok(Facts::TopApps {
            mode,
            period,
            ranking,
        }))
    }

    async fn current(&self, cites: &mut Vec<Citation>) -> Result<Result<Facts, Facts>, AskError> {
        let latest = self
            .store
            .activity_events(self.workspace, None, Some(self.clock.now_ms), 1)
            .await?;
        let Some(ev) = latest.into_iter().next() else {
            return Ok(Ok(Facts::NoData));
        };
        let at = format_rfc3339_ms(ev.timestamp);
        let mode = ev.mode.as_ref().map(|l| l.mode.clone());
        let model = ev
            .mode
            .as_ref()
            .is_some_and(|l| l.source == aima_core::activity::LabelSource::Model);
        let app = event_key(&ev, Subject::App);
        let end_ms = ev.timestamp + (ev.duration * 1000.0).round() as i64;
        let minutes_ago = ((self.clock.now_ms - end_ms).max(0) as f64 / 60_000.0).round() as i64;
        let text = format!(
            "latest event at {at}: mode {}, app {}",
            mode.as_deref().unwrap_or("none"),
            app.as_deref().unwrap_or("unknown")
        );
        cites.push(Citation {
            id: 0,
            text,
            source: Source::Event {
                event_id: ev.id,
                bucket: ev.bucket.clone(),
                timestamp: at.clone(),
            },
        });
        Ok(Ok(Facts::Current {
            mode,
            model,
            app,
            at,
            minutes_ago,
        }))
    }

    fn moment_cite(&self, cites: &mut Vec<Citation>, m: &mut Moment, insight_id: Option<i64>) {
        let name = m.filename.clone().unwrap_or_else(|| m.media_id.clone());
        let when = match m.end {
            Some(e) if e > m.start => format!("{}–{}", fmt_clock(m.start), fmt_clock(e)),
            _ => fmt_clock(m.start),
        };
        let text = if m.text.is_empty() {
            format!("{name} at {when}")
        } else {
            format!("{name} at {when}: “{}”", m.text)
        };
        cites.push(Citation {
            id: 0,
            text,
            source: Source::Media {
                media_id: m.media_id.clone(),
                filename: m.filename.clone(),
                start: m.start,
                end: m.end,
                insight_id,
            },
        });
        m.cite = cites.len() - 1;
    }

    async fn filename(&self, media_id: &str) -> Option<String> {
        self.store
            .get_media(self.workspace, media_id)
            .await
            .ok()
            .and_then(|m| m.filename)
    }

    async fn search(
        &self,
        a: &SearchArgs,
        cites: &mut Vec<Citation>,
    ) -> Result<Result<Facts, Facts>, AskError> {
        let query = a.query.trim();
        let terms = match parse_query(query) {
            Ok(t) if !t.is_empty() => t,
            _ => {
                return Ok(Err(invalid(
                    "invalid_query",
                    Some(query),
                    format!("nothing to search for in {query:?}"),
                    vec![],
                )))
            }
        };
        let q = SearchQuery {
            terms,
            analyzer: None,
            media_id: None,
            person_id: None,
            kind: None,
            created_after: None,
            created_before: None,
            sort: SearchSort::Relevance,
            min_score: 0.0,
            offset: 0,
            limit: a.limit.unwrap_or(3).clamp(1, 10),
        };
        let hits = self
            .searcher
            .search(self.workspace, SearchMode::Hybrid, query, &q)
            .await?;
        let mut moments = Vec::new();
        for h in hits.into_iter().filter(|h| h.insight_id.is_some()) {
            let mut m = Moment {
                filename: self.filename(&h.media_id).await,
                media_id: h.media_id,
                start: h.start,
                end: h.end,
                text: h.text,
                cite: 0,
            };
            self.moment_cite(cites, &mut m, h.insight_id);
            moments.push(m);
        }
        Ok(Ok(Facts::Found {
            query: query.into(),
            moments,
        }))
    }

    async fn person(
        &self,
        a: &PersonArgs,
        cites: &mut Vec<Citation>,
    ) -> Result<Result<Facts, Facts>, AskError> {
        let wanted = a.name.trim().to_lowercase();
        let persons = self.vocab().await.persons.clone();
        let found = persons.iter().find(|(_, n)| {
            let n = n.to_lowercase();
            n == wanted || n.split_whitespace().next() == Some(wanted.as_str())
        });
        let Some((id, stored)) = found else {
            let known = persons.iter().map(|(_, n)| n.clone()).collect();
            return Ok(Err(invalid(
                "person_not_found",
                Some(a.name.trim()),
                format!("no person is named {:?}", a.name.trim()),
                known,
            )));
        };
        let mut moments = Vec::new();
        for app in self.store.appearances(self.workspace, id).await? {
            for r in app.ranges.iter().take(3) {
                let mut m = Moment {
                    media_id: app.media_id.clone(),
                    filename: app.filename.clone(),
                    start: r.start,
                    end: r.end,
                    text: String::new(),
                    cite: 0,
                };
                self.moment_cite(cites, &mut m, None);
                moments.push(m);
            }
        }
        Ok(Ok(Facts::Appearances {
            name: a.name.trim().into(),
            person: Some(stored.clone()),
            moments,
        }))
    }

    async fn summary(
        &self,
        a: &MediaArgs,
        cites: &mut Vec<Citation>,
    ) -> Result<Result<Facts, Facts>, AskError> {
        let wanted = a.media.trim().to_lowercase();
        let media = self.vocab().await.media.clone();
        let hit = media.iter().find(|(id, f)| {
            let f = f.to_lowercase();
            *id == wanted
                || f == wanted
                || f.rsplit_once('.').map(|(stem, _)| stem) == Some(wanted.as_str())
        });
        let Some((id, _)) = hit else {
            let known = media.iter().map(|(_, f)| f.clone()).collect();
            return Ok(Err(invalid(
                "media_not_found",
                Some(a.media.trim()),
                format!("no media is called {:?}", a.media.trim()),
                known,
            )));
        };
        let m = self.store.get_media(self.workspace, id).await?;
        let insights = self
            .store
            .list_insights(self.workspace, id, &InsightFilter::default())
            .await?;
        let mut counts: BTreeMap<String, i64> = BTreeMap::new();
        let mut segments = Vec::new();
        for i in &insights {
            *counts.entry(i.insight.kind.clone()).or_default() += 1;
            if i.insight.kind == "transcript_segment" {
                segments.push(i);
            }
        }
        // First the media itself: what it is and what was found in it.
        let name = m.filename.clone().unwrap_or_else(|| id.clone());
        let kind = serde_json::to_value(m.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut overview = vec![kind.clone()];
        if let Some(d) = m.duration {
            overview.push(fmt_clock(d));
        }
        overview.extend(
            counts
                .iter()
                .map(|(k, n)| format!("{n} {}", k.replace('_', " "))),
        );
        cites.push(Citation {
            id: 0,
            text: format!("{name}: {}", overview.join(", ")),
            source: Source::Media {
                media_id: id.clone(),
                filename: m.filename.clone(),
                start: 0.0,
                end: m.duration,
                insight_id: None,
            },
        });
        // Up to five segments spread over the media, in order.
        let n = segments.len();
        let picks: Vec<usize> = if n <= 5 {
            (0..n).collect()
        } else {
            (0..5).map(|k| k * (n - 1) / 4).collect()
        };
        let mut excerpts = Vec::new();
        for k in picks {
            let seg = segments[k];
            let text = seg
                .insight
                .data
                .get("text")
                .and_then(|t| t.as_str())
                .unwrap_or("")
                .trim()
                .to_string();
            let mut mo = Moment {
                media_id: id.clone(),
                filename: m.filename.clone(),
                start: seg.insight.start,
                end: seg.insight.end,
                text,
                cite: 0,
            };
            self.moment_cite(cites, &mut mo, Some(seg.id));
            excerpts.push(mo);
        }
        let persons = self.vocab().await.persons.clone();
        let mut in_media = Vec::new();
        for (pid, name) in persons {
            if self
                .store
                .appearances(self.workspace, &pid)
                .await?
                .iter()
                .any(|a| a.media_id == *id)
            {
                in_media.push(name);
            }
        }
        let persons = in_media;
        let counts = counts
            .into_iter()
            .filter(|(k, _)| k != "transcript_segment")
            .collect();
        Ok(Ok(Facts::Summary {
            media_id: id.clone(),
            filename: m.filename,
            kind,
            duration: m.duration,
            segments: n as i64,
            excerpts,
            counts,
            persons,
        }))
    }
}

fn is_idle(e: &StoredEvent) -> bool {
    e.data.get("idle").and_then(|v| v.as_bool()) == Some(true)
}

pub fn weekday_en(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}
