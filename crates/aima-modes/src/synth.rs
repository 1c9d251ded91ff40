//! A generated but realistic activity dataset, for tests and benchmarks.
//!
//! One simulated person over `days` days from a Monday, sampled every
//! `step_s` seconds while at the computer:
//!
//! - **Workdays**: a little Relax before 09:00; Work from 09:00 with a daily
//!   stand-up Meeting at 09:30 and one to three further meetings of 30-60
//!   minutes at random half hours; lunch (Relax) 12:00-13:00, a coffee break
//!   (Relax, 15 minutes) some afternoons; Work until 17:30; Relax some
//!   evenings 20:00-22:00.
//! - **Weekends**: Relax in the late morning and afternoon, on some days a
//!   short Work session.
//!
//! The applications overlap between modes as they do in life: the browser
//! serves all three (with different sites), Slack serves Work and Meeting,
//! 7 % of Work samples are a glance at the news, and input activity is drawn
//! from wide, overlapping ranges. So a classifier has something to learn but
//! cannot be perfect; the hour and weekday matter as much as the window.
//! Everything comes from a seeded RNG: the same seed gives the same data.

use aima_core::activity::format_rfc3339_ms;
use aima_core::ActivityRecord;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const MODES: [&str; 3] = ["Work", "Meeting", "Relax"];

/// One sample and the mode the person was in.
#[derive(Debug, Clone)]
pub struct Sample {
    pub record: ActivityRecord,
    /// Unix milliseconds (also in `record.timestamp`).
    pub timestamp: i64,
    pub mode: &'static str,
}

/// A stretch of time in one mode, as a person would label it.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub start: i64,
    pub end: i64,
    pub mode: &'static str,
}

pub struct Dataset {
    pub samples: Vec<Sample>,
    pub segments: Vec<Segment>,
}

/// Generates `days` days starting at `monday_ms` (midnight of a Monday).
pub fn generate(monday_ms: i64, days: u32, step_s: i64, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut segments = Vec::new();
    const H: i64 = 3_600_000;
    const M: i64 = 60_000;
    for day in 0..days as i64 {
        let d0 = monday_ms + day * 24 * H;
        let mut push = |s: i64, e: i64, mode: &'static str| {
            segments.push(Segment {
                start: d0 + s,
                end: d0 + e,
                mode,
            })
        };
        if day % 7 < 5 {
            push(8 * H + 30 * M, 9 * H, "Relax");
            push(9 * H, 9 * H + 30 * M, "Work");
            push(9 * H + 30 * M, 9 * H + 45 * M, "Meeting");
            // Meetings at random half hours between 10:00 and 17:00 (not lunch).
            let mut slots: Vec<i64> = (20..34).filter(|s| *s != 24 && *s != 25).collect();
            let n = rng.gen_range(1..=3);
            let mut meetings = Vec::new();
            for _ in 0..n {
                let i = rng.gen_range(0..slots.len());
                let start = slots.remove(i) * 30 * M;
                let len = if rng.gen_bool(0.5) { 30 * M } else { 60 * M };
                meetings.push((start, start + len));
            }
            meetings.sort();
            let coffee = if rng.gen_bool(0.5) {
                Some(15 * H + 30 * M)
            } else {
                None
            };
            // Work fills 09:45-17:30 around lunch, meetings and coffee.
            let mut busy: Vec<(i64, i64, &'static str)> =
                meetings.iter().map(|&(s, e)| (s, e, "Meeting")).collect();
            busy.push((12 * H, 13 * H, "Relax"));
            if let Some(c) = coffee {
                busy.push((c, c + 15 * M, "Relax"));
            }
            busy.sort();
            let mut t = 9 * H + 45 * M;
            for (s, e, mode) in busy {
                let s = s.max(t);
                if s >= e {
                    continue;
                }
                if s > t {
                    push(t, s, "Work");
                }
                push(s, e, mode);
                t = e;
            }
            if t < 17 * H + 30 * M {
                push(t, 17 * H + 30 * M, "Work");
            }
            if rng.gen_bool(0.5) {
                push(20 * H, 22 * H, "Relax");
            }
        } else {
            push(10 * H, 12 * H, "Relax");
            push(15 * H, 17 * H + 30 * M, "Relax");
            if rng.gen_bool(0.3) {
                push(18 * H, 19 * H, "Work");
            }
        }
    }
    let mut samples = Vec::new();
    for seg in &segments {
        let mut t = seg.start;
        while t < seg.end {
            let record = sample(&mut rng, seg.mode, t, step_s);
            samples.push(Sample {
                record,
                timestamp: t,
                mode: seg.mode,
            });
            t += step_s * 1000;
        }
    }
    Dataset { samples, segments }
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn sample(rng: &mut StdRng, mode: &'static str, t: i64, step_s: i64) -> ActivityRecord {
    const FILES: &[&str] = &[
        "main.rs",
        "lib.rs",
        "store.rs",
        "README.md",
        "Cargo.toml",
        "api.rs",
    ];
    const VIDEOS: &[&str] = &[
        "Lo-fi beats to relax",
        "Cooking pasta at home",
        "Top 10 goals",
        "Rust in 100 seconds",
    ];
    let (app, title, url, mouse, keyboard): (&str, String, Option<String>, f64, f64) = match mode {
        "Work" => match rng.gen_range(0..100) {
            0..=39 => (
                "Code",
                format!("{} - aima - Visual Studio Code", pick(rng, FILES)),
                None,
                rng.gen_range(10.0..150.0),
                rng.gen_range(60.0..600.0),
            ),
            40..=54 => (
                "gnome-terminal",
                format!(
                    "cargo test -p {} — ~/aima",
                    pick(rng, &["aima-store", "aima-modes", "aima"])
                ),
                None,
                rng.gen_range(0.0..40.0),
                rng.gen_range(20.0..300.0),
            ),
            55..=74 => {
                let (site, title) = *pick(
                    rng,
                    &[
                        ("github.com", "Pull request #42 · aima/aima"),
                        ("docs.rs", "Vec in std::vec - Rust"),
                        (
                            "stackoverflow.com",
                            "How to share state between axum handlers - Stack Overflow",
                        ),
                    ],
                );
                (
                    "firefox",
                    format!("{title} — Mozilla Firefox"),
                    Some(format!("https://{site}/x")),
                    rng.gen_range(30.0..250.0),
                    rng.gen_range(5.0..150.0),
                )
            }
            75..=85 => (
                "Slack",
                format!("#{} | Slack", pick(rng, &["dev", "releases", "support"])),
                None,
                rng.gen_range(10.0..100.0),
                rng.gen_range(20.0..250.0),
            ),
            86..=92 => (
                "libreoffice",
                format!(
                    "{} - LibreOffice Calc",
                    pick(rng, &["budget.ods", "roadmap.ods"])
                ),
                None,
                rng.gen_range(30.0..200.0),
                rng.gen_range(20.0..200.0),
            ),
            _ => (
                "firefox",
                "Breaking news — BBC News — Mozilla Firefox".into(),
                Some("https://www.bbc.com/news".into()),
                rng.gen_range(20.0..150.0),
                rng.gen_range(0.0..20.0),
            ),
        },
        "Meeting" => match rng.gen_range(0..100) {
            0..=44 => (
                "zoom",
                format!(
                    "Zoom Meeting - {}",
                    pick(rng, &["Daily standup", "Sprint planning", "1:1"])
                ),
                None,
                rng.gen_range(0.0..40.0),
                rng.gen_range(0.0..40.0),
            ),
            45..=69 => (
                "firefox",
                format!(
                    "Meet - {} — Mozilla Firefox",
                    pick(rng, &["Weekly planning", "Design review"])
                ),
                Some("https://meet.google.com/abc-defg-hij".into()),
                rng.gen_range(0.0..60.0),
                rng.gen_range(0.0..50.0),
            ),
            70..=84 => (
                "Slack",
                "Huddle: #dev | Slack".into(),
                None,
                rng.gen_range(0.0..50.0),
                rng.gen_range(0.0..60.0),
            ),
            _ => (
                "Code",
                format!("{} - aima - Visual Studio Code", pick(rng, FILES)),
                None,
                rng.gen_range(0.0..60.0),
                rng.gen_range(0.0..120.0),
            ),
        },
        _ => match rng.gen_range(0..100) {
            0..=39 => (
                "firefox",
                format!("{} - YouTube — Mozilla Firefox", pick(rng, VIDEOS)),
                Some("https://www.youtube.com/watch?v=x".into()),
                rng.gen_range(0.0..60.0),
                rng.gen_range(0.0..10.0),
            ),
            40..=59 => (
                "firefox",
                "r/rust — Reddit — Mozilla Firefox".into(),
                Some("https://www.reddit.com/r/rust".into()),
                rng.gen_range(20.0..200.0),
                rng.gen_range(0.0..30.0),
            ),
            60..=74 => (
                "Spotify",
                "Spotify Premium".into(),
                None,
                rng.gen_range(0.0..30.0),
                rng.gen_range(0.0..5.0),
            ),
            75..=84 => (
                "steam",
                "Steam".into(),
                None,
                rng.gen_range(50.0..300.0),
                rng.gen_range(10.0..200.0),
            ),
            _ => (
                "firefox",
                "Breaking news — BBC News — Mozilla Firefox".into(),
                Some("https://www.bbc.com/news".into()),
                rng.gen_range(10.0..150.0),
                rng.gen_range(0.0..20.0),
            ),
        },
    };
    let idle = mode == "Relax" && keyboard < 2.0 && mouse < 5.0;
    ActivityRecord {
        timestamp: serde_json::Value::String(format_rfc3339_ms(t)),
        application: app.into(),
        window_title: title,
        mouse_activity: mouse.round(),
        keyboard_activity: keyboard.round(),
        url,
        idle,
        duration: Some(step_s as f64),
        hostname: Some("synth".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data_and_every_mode_present() {
        let a = generate(0, 14, 300, 1);
        let b = generate(0, 14, 300, 1);
        assert_eq!(a.samples.len(), b.samples.len());
        assert_eq!(a.segments, b.segments);
        for m in MODES {
            assert!(a.samples.iter().filter(|s| s.mode == m).count() > 30, "{m}");
        }
        // Segments never overlap.
        let mut segs = a.segments.clone();
        segs.sort_by_key(|s| s.start);
        assert!(segs.windows(2).all(|w| w[0].end <= w[1].start));
    }
}
