//! Answers written from a tool's facts by templates, in English or German.
//! Every number an answer writes is in one of its citations' texts (the
//! tools write those), and every fact carries its citation's `[n]`.

use crate::parse::{Lang, Refusal};
use crate::period::{Found, Period};
use crate::tools::{
    fmt_clock, fmt_duration, Citation, Facts, Moment, PeakBy, Ranked, Subject, ToolOutput,
};

fn weekday_de(en: &str) -> &str {
    match en {
        "Monday" => "Montag",
        "Tuesday" => "Dienstag",
        "Wednesday" => "Mittwoch",
        "Thursday" => "Donnerstag",
        "Friday" => "Freitag",
        "Saturday" => "Samstag",
        "Sunday" => "Sonntag",
        other => other,
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// "Last week (2026-10-26 – 2026-11-01)", "In total".
fn when(lang: Lang, label: Option<&Found>, period: Option<&Period>) -> String {
    match (label, period, lang) {
        (Some(f), Some(p), Lang::En) => format!("{} ({})", capitalise(&f.en), p.dates()),
        (Some(f), Some(p), Lang::De) => format!("{} ({})", capitalise(&f.de), p.dates()),
        (None, Some(p), Lang::En) => format!("From {}", p.dates().replace(" – ", " to ")),
        (None, Some(p), Lang::De) => format!("Vom {}", p.dates().replace(" – ", " bis ")),
        (_, None, Lang::En) => "In total".into(),
        (_, None, Lang::De) => "Insgesamt".into(),
    }
}

fn subject(lang: Lang, by: Subject, name: &str) -> String {
    match (lang, by) {
        (Lang::En, Subject::Mode) => format!("in {name} mode"),
        (Lang::En, Subject::App) => format!("in {name}"),
        (Lang::En, Subject::Site) => format!("on {name}"),
        (Lang::En, Subject::Title) => format!("in windows titled “{name}”"),
        (Lang::De, Subject::Mode) => format!("im Modus {name}"),
        (Lang::De, Subject::App) => format!("mit {name}"),
        (Lang::De, Subject::Site) => format!("auf {name}"),
        (Lang::De, Subject::Title) => format!("in Fenstern mit „{name}“"),
    }
}

fn by_word(lang: Lang, by: Subject) -> &'static str {
    match (lang, by) {
        (Lang::En, Subject::Mode) => "mode",
        (Lang::En, Subject::App) => "app",
        (Lang::En, Subject::Site) => "site",
        (Lang::En, Subject::Title) => "window title",
        (Lang::De, Subject::Mode) => "Modus",
        (Lang::De, Subject::App) => "App",
        (Lang::De, Subject::Site) => "Website",
        (Lang::De, Subject::Title) => "Fenstertitel",
    }
}

fn list(items: &[String], lang: Lang) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => {
            let and = if lang == Lang::En { "and" } else { "und" };
            format!("{} {and} {}", items[..n - 1].join(", "), items[n - 1])
        }
    }
}

/// What can be asked, for refusals.
fn scope(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "I can answer questions about your own data in AIMA: time per mode, app, site or window title; when you are most active; your top apps; this period against the last; your current mode; where something is said or shown in your media, who appears in it, and a summary of one media.",
        Lang::De => "Ich beantworte Fragen zu deinen eigenen Daten in AIMA: Zeit pro Modus, App, Website oder Fenstertitel; wann du am aktivsten bist; deine meistgenutzten Apps; einen Zeitraum im Vergleich zum vorigen; deinen aktuellen Modus; wo in deinen Medien etwas gesagt oder gezeigt wird, wer darin vorkommt, und eine Zusammenfassung eines Mediums.",
    }
}

pub fn refusal(lang: Lang, why: Refusal) -> String {
    let lead = match (lang, why) {
        (Lang::En, Refusal::OutOfScope) => "I cannot answer that from your data.",
        (Lang::En, Refusal::Action) => "I only read your data and never change anything, so I cannot do that.",
        (Lang::En, Refusal::Injection) => "I answer only through AIMA's read-only tools and never reveal keys, passwords or my instructions.",
        (Lang::De, Refusal::OutOfScope) => "Das kann ich aus deinen Daten nicht beantworten.",
        (Lang::De, Refusal::Action) => "Ich lese deine Daten nur und ändere nie etwas, deshalb kann ich das nicht tun.",
        (Lang::De, Refusal::Injection) => "Ich antworte nur über die lesenden Werkzeuge von AIMA und gebe nie Schlüssel, Passwörter oder meine Anweisungen preis.",
    };
    format!("{lead} {}", scope(lang))
}

/// The answer to one tool's output. `offset` is the number of citations
/// already in the answer: this output's `[n]` continue after them.
pub fn render(lang: Lang, label: Option<&Found>, out: &ToolOutput, offset: usize) -> String {
    let c = |i: usize| format!("[{}]", offset + i + 1);
    let de = lang == Lang::De;
    match &out.facts {
        Facts::Time {
            by,
            name: Some(n),
            period,
            seconds,
            events,
            ..
        } => {
            let w = when(lang, label, period.as_ref());
            let s = subject(lang, *by, n);
            if *events == 0 {
                return if de {
                    format!("{w}: Ich finde keine Zeit {s}.")
                } else {
                    format!("{w}: I found no time {s}.")
                };
            }
            if de {
                format!(
                    "{w} hast du {} {s} verbracht {}.",
                    fmt_duration(*seconds),
                    c(0)
                )
            } else {
                format!("{w} you spent {} {s} {}.", fmt_duration(*seconds), c(0))
            }
        }
        Facts::Time {
            by,
            period,
            breakdown,
            ..
        } => {
            let w = when(lang, label, period.as_ref());
            if breakdown.is_empty() {
                return if de {
                    format!("{w}: Ich finde keine Aktivität.")
                } else {
                    format!("{w}: I found no activity.")
                };
            }
            let items: Vec<String> = breakdown
                .iter()
                .map(|r| format!("{} {} {}", r.name, fmt_duration(r.seconds), c(r.cite)))
                .collect();
            if de {
                format!("{w}, nach {}: {}.", by_word(lang, *by), items.join("; "))
            } else {
                format!("{w}, by {}: {}.", by_word(lang, *by), items.join("; "))
            }
        }
        Facts::Peak {
            by,
            filter,
            period,
            ranking,
        } => {
            let w = when(lang, label, period.as_ref());
            if ranking.is_empty() {
                return if de {
                    format!("{w}: Ich finde keine Aktivität dafür.")
                } else {
                    format!("{w}: I found no activity for that.")
                };
            }
            let name = |r: &Ranked| match (by, de) {
                (PeakBy::Weekday, true) => weekday_de(&r.name).to_string(),
                (PeakBy::Weekday, false) => r.name.clone(),
                (PeakBy::Hour, true) => format!("um {}", r.name),
                (PeakBy::Hour, false) => format!("at {}", r.name),
            };
            let item =
                |r: &Ranked| format!("{} ({} {})", name(r), fmt_duration(r.seconds), c(r.cite));
            let rest: Vec<String> = ranking[1..].iter().map(item).collect();
            let what = match (filter, de) {
                (Some(f), false) => format!("{f} time"),
                (None, false) => "activity".into(),
                (Some(f), true) => format!("Zeit in {f}"),
                (None, true) => "Aktivität".into(),
            };
            let mut s = if de {
                format!("{w} hast du am meisten {what} am {}", item(&ranking[0]))
            } else {
                format!("{w} your {what} is highest on {}", item(&ranking[0]))
            };
            if matches!(by, PeakBy::Hour) {
                s = s.replace(" am um ", " um ").replace(" on at ", " at ");
            }
            if !rest.is_empty() {
                s += if de { ", danach " } else { ", then " };
                s += &list(&rest, lang);
            }
            s + "."
        }
        Facts::TopApps {
            mode,
            period,
            ranking,
        } => {
            let w = when(lang, label, period.as_ref());
            if ranking.is_empty() {
                return if de {
                    format!("{w}: Ich finde keine App-Nutzung.")
                } else {
                    format!("{w}: I found no app use.")
                };
            }
            let item =
                |r: &Ranked| format!("{} ({} {})", r.name, fmt_duration(r.seconds), c(r.cite));
            let rest: Vec<String> = ranking[1..].iter().map(item).collect();
            let mut s = match (mode, de) {
                (Some(m), false) => format!(
                    "{w}, the app you use most in {m} mode is {}",
                    item(&ranking[0])
                ),
                (None, false) => format!("{w}, the app you use most is {}", item(&ranking[0])),
                (Some(m), true) => {
                    format!("{w} nutzt du im Modus {m} am meisten {}", item(&ranking[0]))
                }
                (None, true) => format!("{w} nutzt du am meisten {}", item(&ranking[0])),
            };
            if !rest.is_empty() {
                s += if de { ", danach " } else { ", then " };
                s += &list(&rest, lang);
            }
            s + "."
        }
        Facts::Trend {
            by,
            name,
            current,
            previous,
            current_seconds,
            previous_seconds,
        } => {
            let what = match name {
                Some(n) => subject(lang, *by, n),
                None => String::new(),
            };
            let this = match label {
                Some(f) if de => f.de.clone(),
                Some(f) => f.en.clone(),
                None if de => "dieser Zeitraum".into(),
                None => "this period".into(),
            };
            let before = match (this.as_str(), de) {
                ("this week", _) => "last week".to_string(),
                ("diese Woche", _) => "letzte Woche".to_string(),
                ("this month", _) => "last month".to_string(),
                ("diesen Monat", _) => "letzten Monat".to_string(),
                (_, false) => "the period before".to_string(),
                (_, true) => "der Zeitraum davor".to_string(),
            };
            let cmp = if current_seconds > previous_seconds {
                if de {
                    "mehr"
                } else {
                    "more"
                }
            } else if current_seconds < previous_seconds {
                if de {
                    "weniger"
                } else {
                    "less"
                }
            } else if de {
                "gleich viel"
            } else {
                "the same"
            };
            if de {
                format!(
                    "{} ({}): {} {what} {}; {before} ({}): {} {}. Das ist {cmp} als davor.",
                    capitalise(&this),
                    current.dates(),
                    fmt_duration(*current_seconds),
                    c(0),
                    previous.dates(),
                    fmt_duration(*previous_seconds),
                    c(1)
                )
                .replace("  ", " ")
            } else {
                format!(
                    "{} ({}): {} {what} {}; {before} ({}): {} {}. That is {cmp} than before.",
                    capitalise(&this),
                    current.dates(),
                    fmt_duration(*current_seconds),
                    c(0),
                    previous.dates(),
                    fmt_duration(*previous_seconds),
                    c(1)
                )
                .replace("  ", " ")
            }
        }
        Facts::Current {
            mode,
            model,
            app,
            at,
            ..
        } => {
            let app = app.clone().unwrap_or_default();
            match (mode, de) {
                (Some(m), false) => format!(
                    "Your latest activity ({at}, {app}) is in {m} mode{} {}.",
                    if *model { ", as predicted by your mode model" } else { "" },
                    c(0)
                ),
                (Some(m), true) => format!(
                    "Deine letzte Aktivität ({at}, {app}) ist im Modus {m}{} {}.",
                    if *model { ", vorhergesagt von deinem Modus-Modell" } else { "" },
                    c(0)
                ),
                (None, false) => format!("Your latest activity ({at}, {app}) has no mode yet: label some activity and train a mode model {}.", c(0)),
                (None, true) => format!("Deine letzte Aktivität ({at}, {app}) hat noch keinen Modus: beschrifte Aktivität und trainiere ein Modus-Modell {}.", c(0)),
            }
        }
        Facts::Found { query, moments } => {
            if moments.is_empty() {
                return if de {
                    format!("Ich finde „{query}“ in keinem deiner Medien.")
                } else {
                    format!("I found nothing about “{query}” in your media.")
                };
            }
            let items: Vec<String> = moments.iter().map(|m| moment(lang, m, true, &c)).collect();
            if de {
                format!("„{query}“ findet sich {}.", list(&items, lang))
            } else {
                format!("“{query}” comes up {}.", list(&items, lang))
            }
        }
        Facts::Appearances {
            name,
            person,
            moments,
        } => {
            let who = person.clone().unwrap_or_else(|| name.clone());
            if moments.is_empty() {
                return if de {
                    format!("{who} kommt in keinem deiner Medien mehr vor.")
                } else {
                    format!("{who} appears in none of your media any more.")
                };
            }
            let items: Vec<String> = moments.iter().map(|m| moment(lang, m, false, &c)).collect();
            if de {
                format!("{who} ist zu sehen {}.", list(&items, lang))
            } else {
                format!("{who} appears {}.", list(&items, lang))
            }
        }
        Facts::Summary {
            filename,
            media_id,
            kind,
            duration,
            segments,
            excerpts,
            counts,
            persons,
        } => {
            let name = filename.clone().unwrap_or_else(|| media_id.clone());
            // The media's overview (kind, length, counts), in the asker's
            // language; citation 0 holds the same numbers.
            let mut parts = vec![media_kind(kind, lang)];
            if let Some(d) = duration {
                parts.push(fmt_clock(*d));
            }
            if *segments > 0 {
                parts.push(insight_count("transcript_segment", *segments, lang));
            }
            parts.extend(counts.iter().map(|(k, n)| insight_count(k, *n, lang)));
            let overview = parts.join(", ");
            let mut s = format!("{name}: {overview} {}.", c(0));
            if !excerpts.is_empty() {
                let items: Vec<String> = excerpts
                    .iter()
                    .map(|m| {
                        let q = if de {
                            format!("„{}“", m.text)
                        } else {
                            format!("“{}”", m.text)
                        };
                        format!("{} {q} {}", fmt_clock(m.start), c(m.cite))
                    })
                    .collect();
                s += if de {
                    " Es wird gesagt: "
                } else {
                    " It says: "
                };
                s += &items.join(" … ");
            }
            if !persons.is_empty() {
                s += if de { " Personen: " } else { " Persons: " };
                s += &list(persons, lang);
                s += ".";
            }
            s
        }
        Facts::NoData => {
            if de {
                "Es ist noch keine Aktivität aufgezeichnet.".into()
            } else {
                "There is no activity recorded yet.".into()
            }
        }
        Facts::Invalid {
            code, value, known, ..
        } => {
            let v = value.clone().unwrap_or_default();
            let known_list = list(known, lang);
            match (code.as_str(), de) {
                ("unknown_mode", false) => format!("There is no mode “{v}”. Your modes are: {known_list}."),
                ("unknown_mode", true) => format!("Es gibt keinen Modus „{v}“. Deine Modi sind: {known_list}."),
                ("person_not_found", false) => format!("No person is named “{v}” yet (name persons in AIMA first). Named persons: {}.", if known.is_empty() { "none".into() } else { known_list }),
                ("person_not_found", true) => format!("Keine Person heißt „{v}“ (benenne Personen zuerst in AIMA). Benannte Personen: {}.", if known.is_empty() { "keine".into() } else { known_list }),
                ("media_not_found", false) => format!("No media is called “{v}”."),
                ("media_not_found", true) => format!("Kein Medium heißt „{v}“."),
                ("period_in_future", false) => "That period has not begun yet, so there is no activity in it.".into(),
                ("period_in_future", true) => "Dieser Zeitraum hat noch nicht begonnen, also gibt es darin keine Aktivität.".into(),
                (_, false) => "I could not read the period or the words of that question.".into(),
                (_, true) => "Ich konnte den Zeitraum oder die Wörter dieser Frage nicht lesen.".into(),
            }
        }
    }
}

fn moment(lang: Lang, m: &Moment, quote: bool, c: &dyn Fn(usize) -> String) -> String {
    let name = m.filename.clone().unwrap_or_else(|| m.media_id.clone());
    let at = match m.end {
        Some(e) if e > m.start => format!("{}–{}", fmt_clock(m.start), fmt_clock(e)),
        _ if m.start > 0.0 => fmt_clock(m.start),
        _ => String::new(),
    };
    let place = match (lang, at.is_empty()) {
        (_, true) => format!("in {name}"),
        (Lang::En, false) => format!("in {name} at {at}"),
        (Lang::De, false) => format!("in {name} bei {at}"),
    };
    if quote && !m.text.is_empty() {
        let q = if lang == Lang::De {
            format!("„{}“", m.text)
        } else {
            format!("“{}”", m.text)
        };
        format!("{place} ({q}) {}", c(m.cite))
    } else {
        format!("{place} {}", c(m.cite))
    }
}

/// Citations of one output with their numbers in the answer.
pub fn number(citations: &[Citation], offset: usize) -> Vec<Citation> {
    citations
        .iter()
        .enumerate()
        .map(|(i, c)| Citation {
            id: offset + i + 1,
            ..c.clone()
        })
        .collect()
}

/// A media's kind as the asker's language names it.
fn media_kind(kind: &str, lang: Lang) -> String {
    match (kind, lang) {
        ("video", _) => "Video".into(),
        ("audio", _) => "Audio".into(),
        ("image", Lang::De) => "Bild".into(),
        ("image", Lang::En) => "image".into(),
        (other, _) => other.into(),
    }
}

/// "3 transcript segments", "3 Transkriptsegmente": a count of insights of
/// one kind in the asker's language (a kind without a name keeps its own).
fn insight_count(kind: &str, n: i64, lang: Lang) -> String {
    let (en_one, en_many, de_one, de_many) = match kind {
        "transcript_segment" => (
            "transcript segment",
            "transcript segments",
            "Transkriptsegment",
            "Transkriptsegmente",
        ),
        "text" => ("line of text", "lines of text", "Textzeile", "Textzeilen"),
        "object_track" | "object" => ("object", "objects", "Objekt", "Objekte"),
        "face" => ("face", "faces", "Gesicht", "Gesichter"),
        "pose" => ("pose", "poses", "Pose", "Posen"),
        "keyframe" => ("keyframe", "keyframes", "Schlüsselbild", "Schlüsselbilder"),
        "labels" => (
            "labelled frame",
            "labelled frames",
            "beschriebenes Bild",
            "beschriebene Bilder",
        ),
        "nsfw" | "nsfw_score" | "nsfw_max" => (
            "content rating",
            "content ratings",
            "Inhaltsbewertung",
            "Inhaltsbewertungen",
        ),
        "media_info" => (
            "media description",
            "media descriptions",
            "Medienbeschreibung",
            "Medienbeschreibungen",
        ),
        other => {
            let plain = other.replace('_', " ");
            return format!("{n} {plain}");
        }
    };
    let word = match (lang, n == 1) {
        (Lang::En, true) => en_one,
        (Lang::En, false) => en_many,
        (Lang::De, true) => de_one,
        (Lang::De, false) => de_many,
    };
    format!("{n} {word}")
}
