//! Periods in questions ("last week", "gestern", "in the last 7 days", "am
//! Montag", "im Oktober", "2026-10-12"), as whole local days. A period is
//! always a closed range of dates in the asker's time zone (a UTC offset),
//! and becomes a `[start, end)` range of Unix milliseconds only at the
//! store.

use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset, Weekday};

/// When and where a question is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Unix milliseconds.
    pub now_ms: i64,
    /// The asker's offset from UTC, in minutes (−840 to 840).
    pub offset_minutes: i32,
}

impl Clock {
    fn offset(&self) -> UtcOffset {
        UtcOffset::from_whole_seconds(self.offset_minutes * 60).unwrap_or(UtcOffset::UTC)
    }

    /// The asker's date now.
    pub fn today(&self) -> Date {
        self.local(self.now_ms).date()
    }

    /// A moment as the asker's local time.
    pub fn local(&self, ms: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(self.offset())
    }

    /// Unix milliseconds of the local midnight that begins `d`.
    pub fn midnight_ms(&self, d: Date) -> i64 {
        let t = d.midnight().assume_offset(self.offset());
        (t.unix_timestamp_nanos() / 1_000_000) as i64
    }
}

/// Local days `first..=last`; `None` for all the data there is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub first: Date,
    pub last: Date,
}

impl Period {
    pub fn days(&self) -> i64 {
        (self.last - self.first).whole_days() + 1
    }

    /// `[start, end)` in Unix milliseconds.
    pub fn range_ms(&self, clock: &Clock) -> (i64, i64) {
        (
            clock.midnight_ms(self.first),
            clock.midnight_ms(self.last.next_day().unwrap_or(self.last)),
        )
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Period {
        let len = Duration::days(self.days());
        Period {
            first: self.first - len,
            last: self.last - len,
        }
    }

    /// `2026-10-26 – 2026-11-01`, or one date.
    pub fn dates(&self) -> String {
        if self.first == self.last {
            fmt_date(self.first)
        } else {
            format!("{} – {}", fmt_date(self.first), fmt_date(self.last))
        }
    }
}

pub fn fmt_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// A period found in a question, with its words in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub period: Period,
    pub en: String,
    pub de: String,
}

const WEEKDAYS: [(&[&str], Weekday, &str, &str); 7] = [
    (&["monday", "montag"], Weekday::Monday, "Monday", "Montag"),
    (
        &["tuesday", "dienstag"],
        Weekday::Tuesday,
        "Tuesday",
        "Dienstag",
    ),
    (
        &["wednesday", "mittwoch"],
        Weekday::Wednesday,
        "Wednesday",
        "Mittwoch",
    ),
    (
        &["thursday", "donnerstag"],
        Weekday::Thursday,
        "Thursday",
        "Donnerstag",
    ),
    (&["friday", "freitag"], Weekday::Friday, "Friday", "Freitag"),
    (
        &["saturday", "samstag", "sonnabend"],
        Weekday::Saturday,
        "Saturday",
        "Samstag",
    ),
    (&["sunday", "sonntag"], Weekday::Sunday, "Sunday", "Sonntag"),
];

const MONTHS: [(&[&str], Month, &str, &str); 12] = [
    (
        &["january", "januar", "jänner"],
        Month::January,
        "January",
        "Januar",
    ),
    (
        &["february", "februar"],
        Month::February,
        "February",
        "Februar",
    ),
    (&["march", "märz", "maerz"], Month::March, "March", "März"),
    (&["april"], Month::April, "April", "April"),
    (&["may", "mai"], Month::May, "May", "Mai"),
    (&["june", "juni"], Month::June, "June", "Juni"),
    (&["july", "juli"], Month::July, "July", "Juli"),
    (&["august"], Month::August, "August", "August"),
    (&["september"], Month::September, "September", "September"),
    (
        &["october", "oktober"],
        Month::October,
        "October",
        "Oktober",
    ),
    (&["november"], Month::November, "November", "November"),
    (
        &["december", "dezember"],
        Month::December,
        "December",
        "Dezember",
    ),
];

const NUMBERS: [(&str, i64); 20] = [
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("ten", 10),
    ("fourteen", 14),
    ("thirty", 30),
    ("einen", 1),
    ("zwei", 2),
    ("drei", 3),
    ("vier", 4),
    ("fünf", 5),
    ("sechs", 6),
    ("sieben", 7),
    ("zehn", 10),
    ("vierzehn", 14),
    ("dreißig", 30),
];

fn monday_of(d: Date) -> Date {
    d - Duration::days(d.weekday().number_days_from_monday() as i64)
}

fn month_period(year: i32, month: Month) -> Option<Period> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let last = Date::from_calendar_date(year, month, month.length(year)).ok()?;
    Some(Period { first, last })
}

fn found(period: Period, en: impl Into<String>, de: impl Into<String>) -> Option<Found> {
    Some(Found {
        period,
        en: en.into(),
        de: de.into(),
    })
}

/// The period a question names, if any. `words` are the question's
/// lower-case words in order.
pub fn find(words: &[String], clock: &Clock) -> Option<Found> {
    let today = clock.today();
    let has = |w: &str| words.iter().any(|x| x == w);
    let pair = |a: &str, b: &[&str]| {
        words
            .windows(2)
            .any(|p| p[0] == a && b.contains(&p[1].as_str()))
    };
    let day = |d: Date| Period { first: d, last: d };
    let week = |m: Date| Period {
        first: m,
        last: m + Duration::days(6),
    };
    let this_monday = monday_of(today);
    let (y, m) = (today.year(), today.month());
    let last_month = if m == Month::January {
        month_period(y - 1, Month::December)
    } else {
        month_period(y, m.previous())
    };

    // An ISO date names one day.
    if let Some(d) = words.iter().find_map(|w| parse_date(w)) {
        return found(
            day(d),
            format!("on {}", fmt_date(d)),
            format!("am {}", fmt_date(d)),
        );
    }
    // "last N days", "letzten N Tage(n)", "past N days", "vergangenen N Tagen".
    for w in words.windows(3) {
        if ["last", "past", "letzten", "vergangenen"].contains(&w[0].as_str())
            && ["days", "tage", "tagen"].contains(&w[2].as_str())
        {
            let n = w[1]
                .parse::<i64>()
                .ok()
                .or_else(|| NUMBERS.iter().find(|(s, _)| *s == w[1]).map(|x| x.1));
            if let Some(n) = n.filter(|n| (1..=3660).contains(n)) {
                let p = Period {
                    first: today - Duration::days(n - 1),
                    last: today,
                };
                return found(
                    p,
                    format!("in the last {n} days"),
                    format!("in den letzten {n} Tagen"),
                );
            }
        }
    }
    if has("vorgestern")
        || words
            .windows(4)
            .any(|w| w[..3] == ["day", "before", "yesterday"])
    {
        return found(
            day(today - Duration::days(2)),
            "the day before yesterday",
            "vorgestern",
        );
    }
    if has("yesterday") || has("gestern") {
        return found(day(today - Duration::days(1)), "yesterday", "gestern");
    }
    if has("today") || has("heute") {
        return found(day(today), "today", "heute");
    }
    let last_words = [
        "last",
        "previous",
        "letzte",
        "letzten",
        "letzter",
        "vergangene",
        "vergangenen",
        "vorige",
        "vorigen",
    ];
    let this_words = ["this", "diese", "dieser", "diesen", "diesem"];
    if last_words.iter().any(|w| pair(w, &["week", "woche"])) {
        return found(
            week(this_monday - Duration::days(7)),
            "last week",
            "letzte Woche",
        );
    }
    if this_words.iter().any(|w| pair(w, &["week", "woche"])) {
        return found(week(this_monday), "this week", "diese Woche");
    }
    if last_words.iter().any(|w| pair(w, &["month", "monat"])) {
        return found(last_month?, "last month", "letzten Monat");
    }
    if this_words.iter().any(|w| pair(w, &["month", "monat"])) {
        return found(month_period(y, m)?, "this month", "diesen Monat");
    }
    if this_words.iter().any(|w| pair(w, &["year", "jahr"])) {
        let p = Period {
            first: Date::from_calendar_date(y, Month::January, 1).ok()?,
            last: Date::from_calendar_date(y, Month::December, 31).ok()?,
        };
        return found(p, "this year", "dieses Jahr");
    }
    // A weekday: the latest one up to today.
    for (names, wd, en, de) in WEEKDAYS {
        if names.iter().any(|n| has(n)) {
            let back = (today.weekday().number_days_from_monday() as i64
                - wd.number_days_from_monday() as i64)
                .rem_euclid(7);
            let d = today - Duration::days(back);
            return found(day(d), format!("on {en}"), format!("am {de}"));
        }
    }
    let year_of = |w: &String| {
        w.parse::<i32>()
            .ok()
            .filter(|y| w.len() == 4 && (1970..=9999).contains(y))
    };
    // A day of a month ("on 1 December 2026", "December 1, 2026", "am
    // 3. März"): that day, of the year named, else its latest one up to today.
    for (i, w) in words.iter().enumerate() {
        let Some((_, month, _, _)) = MONTHS.iter().find(|(names, ..)| {
            names.contains(&w.as_str())
                && (w != "may" || i > 0 && words[i - 1].parse::<u8>().is_ok())
        }) else {
            continue;
        };
        let number = |j: Option<usize>| {
            j.and_then(|j| words.get(j))
                .and_then(|x| x.parse::<u8>().ok())
                .filter(|d| (1..=31).contains(d))
        };
        let Some(dom) = number(i.checked_sub(1)).or_else(|| number(Some(i + 1))) else {
            continue;
        };
        let named_year = words.iter().find_map(year_of);
        let date = match named_year {
            Some(year) => Date::from_calendar_date(year, *month, dom).ok()?,
            None => {
                let this = Date::from_calendar_date(y, *month, dom).ok();
                match this.filter(|d| *d <= today) {
                    Some(d) => d,
                    None => Date::from_calendar_date(y - 1, *month, dom).ok()?,
                }
            }
        };
        let text = fmt_date(date);
        return found(day(date), format!("on {text}"), format!("am {text}"));
    }
    // A year ("in 2025", "im Jahr 2999").
    if let Some(year) = words.iter().find_map(year_of) {
        // With a month name: that month of that year.
        for (names, month, en, de) in MONTHS {
            if names.iter().any(|n| has(n)) {
                return found(
                    month_period(year, month)?,
                    format!("in {en} {year}"),
                    format!("im {de} {year}"),
                );
            }
        }
        let p = Period {
            first: Date::from_calendar_date(year, Month::January, 1).ok()?,
            last: Date::from_calendar_date(year, Month::December, 31).ok()?,
        };
        return found(p, format!("in {year}"), format!("im Jahr {year}"));
    }
    // A month: the latest one up to this month. "may" only after "in".
    for (names, month, en, de) in MONTHS {
        let named = names.iter().any(|n| {
            if *n == "may" {
                pair("in", &["may"])
            } else {
                has(n)
            }
        });
        if named {
            let year = if month as u8 > m as u8 { y - 1 } else { y };
            return found(
                month_period(year, month)?,
                format!("in {en}"),
                format!("im {de}"),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        crate::parse::words(s)
    }

    // Thursday 2026-11-05, 15:00 UTC.
    const NOW: i64 = 1_793_890_800_000;

    fn p(q: &str, offset: i32) -> Option<(String, String)> {
        let c = Clock {
            now_ms: NOW,
            offset_minutes: offset,
        };
        find(&words(q), &c).map(|f| (fmt_date(f.period.first), fmt_date(f.period.last)))
    }

    fn d(a: &str, b: &str) -> Option<(String, String)> {
        Some((a.into(), b.into()))
    }

    #[test]
    fn periods_in_both_languages() {
        assert_eq!(p("How long yesterday?", 0), d("2026-11-04", "2026-11-04"));
        assert_eq!(p("Wie lange gestern?", 0), d("2026-11-04", "2026-11-04"));
        assert_eq!(p("meetings last week", 0), d("2026-10-26", "2026-11-01"));
        assert_eq!(p("in der letzten Woche", 0), d("2026-10-26", "2026-11-01"));
        assert_eq!(p("this week", 0), d("2026-11-02", "2026-11-08"));
        assert_eq!(p("last month", 0), d("2026-10-01", "2026-10-31"));
        assert_eq!(
            p("in den letzten 7 Tagen", 0),
            d("2026-10-30", "2026-11-05")
        );
        assert_eq!(
            p("in the last seven days", 0),
            d("2026-10-30", "2026-11-05")
        );
        assert_eq!(p("am Montag", 0), d("2026-11-02", "2026-11-02"));
        assert_eq!(p("on thursday", 0), d("2026-11-05", "2026-11-05"));
        assert_eq!(p("im Oktober", 0), d("2026-10-01", "2026-10-31"));
        assert_eq!(p("in december", 0), d("2025-12-01", "2025-12-31"));
        assert_eq!(p("on 2026-10-12", 0), d("2026-10-12", "2026-10-12"));
        assert_eq!(p("in 2999", 0), d("2999-01-01", "2999-12-31"));
        assert_eq!(p("on 1 December 2025", 0), d("2025-12-01", "2025-12-01"));
        assert_eq!(p("on December 1, 2025?", 0), d("2025-12-01", "2025-12-01"));
        assert_eq!(p("am 3. März", 0), d("2026-03-03", "2026-03-03"));
        assert_eq!(p("on 20 november", 0), d("2025-11-20", "2025-11-20"));
        assert_eq!(p("on 5 may", 0), d("2026-05-05", "2026-05-05"));
        assert_eq!(p("in December 2025", 0), d("2025-12-01", "2025-12-31"));
        assert_eq!(p("What may happen", 0), None);
        assert_eq!(p("when do I work most", 0), None);
        // Late evening UTC is already tomorrow east of it.
        assert_eq!(p("today", 600), d("2026-11-06", "2026-11-06"));
    }

    #[test]
    fn ranges_follow_the_offset() {
        let c = Clock {
            now_ms: NOW,
            offset_minutes: 60,
        };
        let f = find(&words("yesterday"), &c).expect("found");
        let (s, e) = f.period.range_ms(&c);
        // 2026-11-04 00:00 at UTC+1 is 2026-11-03 23:00 UTC.
        assert_eq!(s, 1_793_746_800_000);
        assert_eq!(e - s, 86_400_000);
        assert_eq!(f.period.previous().first.to_string(), "2026-11-03");
    }
}
