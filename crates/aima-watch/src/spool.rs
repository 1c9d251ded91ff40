//! Heartbeats not yet accepted by the server, on disk.
//!
//! The whole queue is rewritten on each change (temporary file, fsync,
//! rename), so a crash leaves either the old or the new queue, never half of
//! one. New heartbeats merge into the last pending one by ActivityWatch's
//! rule, so a day offline is a few hundred lines, not thousands.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};

use aima_core::activity::heartbeat_merge;
use aima_core::Event;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::WatchError;

#[derive(Debug, Serialize, Deserialize)]
struct Line {
    timestamp: i64,
    duration: f64,
    data: Map<String, Value>,
}

pub struct Spool {
    path: PathBuf,
    pending: VecDeque<Event>,
}

impl Spool {
    /// Opens the spool, reading what an earlier run left. Lines that do not
    /// parse (a file edited by hand) are skipped with a warning.
    pub fn open(path: &Path) -> Result<Self, WatchError> {
        let err = |source| WatchError::Spool {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut pending = VecDeque::new();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                for (i, line) in text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                {
                    match serde_json::from_str::<Line>(line) {
                        Ok(l) => pending.push_back(Event {
                            id: None,
                            timestamp: l.timestamp,
                            duration: l.duration,
                            data: l.data,
                        }),
                        Err(e) => {
                            tracing::warn!(line = i + 1, error = %e, "skipping an unreadable spool line")
                        }
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(err(e)),
        }
        Ok(Self {
            path: path.to_path_buf(),
            pending,
        })
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    pub fn front(&self) -> Option<&Event> {
        self.pending.front()
    }

    /// Queues a heartbeat (merged into the last one when it can be) and
    /// saves the queue before returning.
    pub fn push(&mut self, e: Event, pulsetime: f64) -> Result<(), WatchError> {
        // The front may be in flight: merge only into a later one.
        let merged = (self.pending.len() > 1)
            .then(|| {
                self.pending
                    .back()
                    .and_then(|last| heartbeat_merge(last, &e, pulsetime))
            })
            .flatten();
        match merged {
            Some(m) => {
                if let Some(last) = self.pending.back_mut() {
                    *last = m;
                }
            }
            None => self.pending.push_back(e),
        }
        self.save()
    }

    /// Drops the oldest heartbeat (the server accepted it) and saves.
    pub fn pop_front(&mut self) -> Result<(), WatchError> {
        self.pending.pop_front();
        self.save()
    }

    fn save(&self) -> Result<(), WatchError> {
        let err = |source| WatchError::Spool {
            path: self.path.clone(),
            source,
        };
        let tmp = self.path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp).map_err(err)?;
        for e in &self.pending {
            let line = serde_json::to_string(&Line {
                timestamp: e.timestamp,
                duration: e.duration,
                data: e.data.clone(),
            })
            .map_err(|e| err(std::io::Error::other(e)))?;
            writeln!(f, "{line}").map_err(err)?;
        }
        f.sync_all().map_err(err)?;
        std::fs::rename(&tmp, &self.path).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hb(ts: i64, title: &str) -> Event {
        let mut data = Map::new();
        data.insert("title".into(), json!(title));
        Event {
            id: None,
            timestamp: ts,
            duration: 5.0,
            data,
        }
    }

    #[test]
    fn survives_a_restart_merges_and_keeps_order() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("spool.jsonl");
        let mut s = Spool::open(&path).expect("open");
        s.push(hb(0, "a"), 6.0).expect("push");
        s.push(hb(5_000, "a"), 6.0).expect("push"); // front may be in flight: kept apart
        s.push(hb(10_000, "a"), 6.0).expect("push"); // merges into the second
        s.push(hb(15_000, "b"), 6.0).expect("push");
        assert_eq!(s.len(), 3);
        drop(s);
        let mut s = Spool::open(&path).expect("reopen");
        assert_eq!(s.len(), 3);
        assert_eq!(s.front().map(|e| e.timestamp), Some(0));
        s.pop_front().expect("pop");
        let e = s.front().cloned().expect("second");
        assert_eq!((e.timestamp, e.duration), (5_000, 10.0));
        s.pop_front().expect("pop");
        s.pop_front().expect("pop");
        assert!(Spool::open(&path).expect("reopen").is_empty());
    }
}
