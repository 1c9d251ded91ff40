//! From activity events to numbers: the application, words of the window
//! title, the URL's domain, hour of day, weekday, input activity, idleness,
//! how long the event lasts and how long the session has run.
//!
//! The vocabularies (which applications, words and domains get a column) are
//! learned from the training events and kept in the model, so that a
//! prediction builds exactly the columns the model was trained on.

use std::collections::{HashMap, HashSet};

use aima_core::activity::effective_durations;
use aima_core::StoredEvent;
use serde::{Deserialize, Serialize};

/// A gap longer than this between events (or an idle event) starts a new session.
pub const SESSION_GAP_MS: i64 = 5 * 60 * 1000;

const MAX_APPS: usize = 40;
const MAX_TOKENS: usize = 80;
const MAX_DOMAINS: usize = 25;

/// What the model knows of one event, before vocabularies apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub app: String,
    pub title: String,
    pub domain: Option<String>,
    /// Unix milliseconds.
    pub timestamp: i64,
    /// Seconds the event covers (point samples: until the next one).
    pub duration: f64,
    pub mouse: f64,
    pub keyboard: f64,
    pub idle: bool,
    /// Seconds since the session began.
    pub session: f64,
}

/// Turns stored events into activities. `events` must be sorted by bucket
/// then time (as `ActivityRepo::activity_events` returns them); sessions are
/// computed over all buckets together.
pub fn activities(events: &[StoredEvent]) -> Vec<Activity> {
    let durations = effective_durations(events);
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| (events[i].timestamp, events[i].id));
    let mut session = vec![0.0; events.len()];
    let (mut start, mut last_end) = (i64::MIN, i64::MIN);
    for &i in &order {
        let e = &events[i];
        let idle = e
            .data
            .get("idle")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if start == i64::MIN || e.timestamp - last_end > SESSION_GAP_MS || idle {
            start = e.timestamp;
        }
        session[i] = (e.timestamp - start) as f64 / 1000.0;
        let end = e.timestamp + (durations[i] * 1000.0) as i64;
        last_end = last_end.max(end);
    }
    events
        .iter()
        .zip(durations)
        .zip(session)
        .map(|((e, duration), session)| activity_of(e, duration, session))
        .collect()
}

/// One event, with its duration and session length already known.
pub fn activity_of(e: &StoredEvent, duration: f64, session: f64) -> Activity {
    let text = |k: &str| {
        e.data
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let num = |k: &str| e.data.get(k).and_then(|v| v.as_f64()).unwrap_or(0.0);
    Activity {
        app: text("app").to_lowercase(),
        title: text("title"),
        domain: e.data.get("url").and_then(|v| v.as_str()).and_then(domain),
        timestamp: e.timestamp,
        duration,
        mouse: num("mouse"),
        keyboard: num("keyboard"),
        idle: e
            .data
            .get("idle")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        session,
    }
}

/// The host of a URL without `www.`; None if it does not parse.
pub fn domain(u: &str) -> Option<String> {
    let parsed = url::Url::parse(u)
        .or_else(|_| url::Url::parse(&format!("https://{u}")))
        .ok()?;
    let host = parsed.host_str()?.to_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

/// Lower-case words of two characters or more, not numbers.
pub fn tokens(title: &str) -> impl Iterator<Item = String> + '_ {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(|w| w.to_lowercase())
}

/// The columns of the feature matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpace {
    pub apps: Vec<String>,
    pub tokens: Vec<String>,
    pub domains: Vec<String>,
}

/// Numeric columns after the vocabularies, in order.
const NUMERIC: &[&str] = &[
    "hour_sin",
    "hour_cos",
    "hour",
    "weekday",
    "weekend",
    "log_mouse",
    "log_keyboard",
    "idle",
    "log_duration",
    "log_session_minutes",
];

impl FeatureSpace {
    /// Learns the vocabularies: the most frequent applications, title words
    /// (in at least two events) and domains.
    pub fn fit(acts: &[Activity]) -> Self {
        fn top(counts: HashMap<String, usize>, min: usize, max: usize) -> Vec<String> {
            let mut v: Vec<_> = counts.into_iter().filter(|(_, n)| *n >= min).collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v.into_iter().take(max).map(|(k, _)| k).collect()
        }
        let (mut apps, mut toks, mut doms) = (HashMap::new(), HashMap::new(), HashMap::new());
        for a in acts {
            *apps.entry(a.app.clone()).or_insert(0) += 1;
            for t in tokens(&a.title).collect::<HashSet<_>>() {
                *toks.entry(t).or_insert(0) += 1;
            }
            if let Some(d) = &a.domain {
                *doms.entry(d.clone()).or_insert(0) += 1;
            }
        }
        Self {
            apps: top(apps, 1, MAX_APPS),
            tokens: top(toks, 2, MAX_TOKENS),
            domains: top(doms, 1, MAX_DOMAINS),
        }
    }

    pub fn width(&self) -> usize {
        self.apps.len() + 1 + self.tokens.len() + self.domains.len() + NUMERIC.len()
    }

    /// Column names, for explanations and debugging.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.apps.iter().map(|a| format!("app={a}")).collect();
        names.push("app=other".into());
        names.extend(self.tokens.iter().map(|t| format!("title~{t}")));
        names.extend(self.domains.iter().map(|d| format!("domain={d}")));
        names.extend(NUMERIC.iter().map(|s| s.to_string()));
        names
    }

    pub fn row(&self, a: &Activity) -> Vec<f64> {
        let mut row = vec![0.0; self.width()];
        let app_col = self
            .apps
            .iter()
            .position(|x| *x == a.app)
            .unwrap_or(self.apps.len());
        row[app_col] = 1.0;
        let base = self.apps.len() + 1;
        let words: HashSet<String> = tokens(&a.title).collect();
        for (i, t) in self.tokens.iter().enumerate() {
            if words.contains(t) {
                row[base + i] = 1.0;
            }
        }
        let base = base + self.tokens.len();
        if let Some(d) = &a.domain {
            if let Some(i) = self.domains.iter().position(|x| x == d) {
                row[base + i] = 1.0;
            }
        }
        let base = base + self.domains.len();
        // Hours and weekdays in UTC: a constant offset to local time changes
        // nothing a tree or a distance learns (daylight saving shifts it by an hour).
        let secs = a.timestamp.div_euclid(1000);
        let hour = (secs.rem_euclid(86_400)) as f64 / 3600.0;
        let weekday = ((secs.div_euclid(86_400) + 3).rem_euclid(7)) as f64; // 0 = Monday
        let angle = hour / 24.0 * std::f64::consts::TAU;
        let numeric = [
            angle.sin(),
            angle.cos(),
            hour,
            weekday,
            if weekday >= 5.0 { 1.0 } else { 0.0 },
            a.mouse.max(0.0).ln_1p(),
            a.keyboard.max(0.0).ln_1p(),
            if a.idle { 1.0 } else { 0.0 },
            a.duration.max(0.0).ln_1p(),
            (a.session.max(0.0) / 60.0).ln_1p(),
        ];
        row[base..base + NUMERIC.len()].copy_from_slice(&numeric);
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(id: i64, ts: i64, app: &str, title: &str, url: Option<&str>) -> StoredEvent {
        let mut data = serde_json::Map::new();
        data.insert("app".into(), json!(app));
        data.insert("title".into(), json!(title));
        if let Some(u) = url {
            data.insert("url".into(), json!(u));
        }
        StoredEvent {
            id,
            bucket: "b".into(),
            timestamp: ts,
            duration: 60.0,
            data,
            mode: None,
        }
    }

    #[test]
    fn sessions_restart_after_a_gap() {
        let evs = vec![
            ev(1, 0, "Code", "main.rs - aima", None),
            ev(2, 60_000, "Code", "lib.rs - aima", None),
            ev(
                3,
                60_000 + 60_000 + SESSION_GAP_MS + 1,
                "Firefox",
                "News",
                None,
            ),
        ];
        let acts = activities(&evs);
        assert_eq!(acts[0].session, 0.0);
        assert_eq!(acts[1].session, 60.0);
        assert_eq!(acts[2].session, 0.0);
        assert_eq!(acts[0].app, "code");
    }

    #[test]
    fn rows_have_the_learned_columns() {
        let evs = vec![
            ev(1, 0, "Code", "main.rs - aima", None),
            ev(2, 1, "Code", "lib.rs - aima", None),
            ev(3, 2, "Firefox", "Budget", Some("https://www.example.org/x")),
        ];
        let acts = activities(&evs);
        let fs = FeatureSpace::fit(&acts);
        assert_eq!(fs.apps, vec!["code", "firefox"]);
        assert!(fs.tokens.contains(&"aima".to_string()));
        assert_eq!(fs.domains, vec!["example.org"]);
        let row = fs.row(&acts[2]);
        assert_eq!(row.len(), fs.width());
        assert_eq!(fs.names().len(), fs.width());
        assert_eq!(row[1], 1.0, "firefox column");
        // 1970-01-01 was a Thursday.
        let wd = fs.names().iter().position(|n| n == "weekday").unwrap_or(0);
        assert_eq!(row[wd], 3.0);
    }
}
