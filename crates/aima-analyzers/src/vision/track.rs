//! Per-frame findings joined into time ranges: a finding continues a track
//! when it matches what the track saw on the previous sampled frame; a track
//! not continued on a frame ends at that frame's time.

/// Findings of one kind seen on consecutive sampled frames.
#[derive(Debug, Clone, PartialEq)]
pub struct Track<T> {
    /// Time of the first frame it was seen on.
    pub start: f64,
    /// Time of the first sampled frame it was no longer on (or the end of the
    /// media); `None` for a single image.
    pub end: Option<f64>,
    /// Every sighting, in time order.
    pub seen: Vec<(f64, T)>,
}

impl<T> Track<T> {
    pub fn last(&self) -> &T {
        // A track is created with one sighting and only grows.
        &self.seen[self.seen.len() - 1].1
    }

    /// The sighting with the highest `score`.
    pub fn best(&self, score: impl Fn(&T) -> f32) -> &T {
        self.seen
            .iter()
            .map(|(_, t)| t)
            .max_by(|a, b| score(a).total_cmp(&score(b)))
            .unwrap_or_else(|| self.last())
    }
}

/// Open tracks of one analyzer run.
#[derive(Debug)]
pub struct Tracker<T> {
    open: Vec<Track<T>>,
}

impl<T> Default for Tracker<T> {
    fn default() -> Self {
        Self { open: Vec::new() }
    }
}

impl<T> Tracker<T> {
    /// Takes the findings of the frame at `time`. Each continues the open
    /// track whose last sighting it matches best (`similarity` above 0, each
    /// track continued at most once), or starts one. Returns the tracks that
    /// ended here.
    pub fn observe(
        &mut self,
        time: f64,
        found: Vec<T>,
        similarity: impl Fn(&T, &T) -> f32,
    ) -> Vec<Track<T>> {
        let mut continued = vec![false; self.open.len()];
        let mut fresh = Vec::new();
        // Greedy on the best pairs first.
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (i, f) in found.iter().enumerate() {
            for (j, t) in self.open.iter().enumerate() {
                let s = similarity(t.last(), f);
                if s > 0.0 {
                    pairs.push((s, i, j));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut target: Vec<Option<usize>> = vec![None; found.len()];
        for (_, i, j) in pairs {
            if target[i].is_none() && !continued[j] {
                target[i] = Some(j);
                continued[j] = true;
            }
        }
        for (f, t) in found.into_iter().zip(target) {
            match t {
                Some(j) => self.open[j].seen.push((time, f)),
                None => fresh.push(Track {
                    start: time,
                    end: None,
                    seen: vec![(time, f)],
                }),
            }
        }
        let mut ended = Vec::new();
        let mut still = Vec::new();
        for (t, c) in std::mem::take(&mut self.open).into_iter().zip(continued) {
            if c {
                still.push(t);
            } else {
                ended.push(Track {
                    end: Some(time),
                    ..t
                });
            }
        }
        still.extend(fresh);
        self.open = still;
        ended
    }

    /// Ends every open track at `end` (the media's end; `None` for an image).
    pub fn finish(&mut self, end: Option<f64>) -> Vec<Track<T>> {
        std::mem::take(&mut self.open)
            .into_iter()
            .map(|t| {
                let last = t.seen.last().map_or(t.start, |s| s.0);
                Track {
                    end: end.map(|e| e.max(last)),
                    ..t
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_consecutive_sightings_into_ranges() {
        let same = |a: &&str, b: &&str| if a == b { 1.0 } else { 0.0 };
        let mut t = Tracker::default();
        assert!(t.observe(0.0, vec!["title"], same).is_empty());
        assert!(t.observe(2.0, vec!["title", "body"], same).is_empty());
        let ended = t.observe(4.0, vec!["body"], same);
        assert_eq!(ended.len(), 1);
        assert_eq!((ended[0].start, ended[0].end), (0.0, Some(4.0)));
        assert_eq!(ended[0].seen.len(), 2);
        // Seen again later: a new range.
        assert!(t.observe(6.0, vec!["body", "title"], same).is_empty());
        let rest = t.finish(Some(7.5));
        assert_eq!(rest.len(), 2);
        assert_eq!((rest[0].start, rest[0].end), (2.0, Some(7.5)));
        assert_eq!((rest[1].start, rest[1].end), (6.0, Some(7.5)));
    }

    #[test]
    fn two_of_a_kind_continue_two_tracks() {
        let near = |a: &f32, b: &f32| 1.0 - (a - b).abs() / 10.0;
        let mut t = Tracker::default();
        t.observe(0.0, vec![0.0, 20.0], near);
        t.observe(1.0, vec![21.0, 1.0], near);
        let all = t.finish(Some(2.0));
        assert_eq!(all.len(), 2);
        assert_eq!(
            all[0].seen.iter().map(|s| s.1).collect::<Vec<_>>(),
            vec![0.0, 1.0]
        );
        assert_eq!(
            all[1].seen.iter().map(|s| s.1).collect::<Vec<_>>(),
            vec![20.0, 21.0]
        );
    }
}
