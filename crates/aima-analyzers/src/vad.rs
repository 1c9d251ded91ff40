//! Voice-activity detection that cuts a stream of 16 kHz samples into speech
//! chunks for Whisper, so that silence is never transcribed (Whisper invents
//! words on silence and steady tones).
//!
//! Written here because no maintained Rust crate does this without an extra
//! model runtime: the usual detectors are Silero (an ONNX or ggml model this
//! project cannot fetch in every environment) or WebRTC's GMM (C bindings,
//! tuned for telephony). This one is deliberately simple and explainable:
//! frame energy against an adaptive noise floor decides speech frames;
//! speech needs syllable-like energy modulation, which a steady tone or hum
//! lacks; chunks end at pauses or at a maximum length.

/// Samples per frame (30 ms at 16 kHz).
pub const FRAME: usize = 480;

#[derive(Debug, Clone, PartialEq)]
pub struct VadConfig {
    /// Frames quieter than this (dBFS) are never speech.
    pub min_db: f32,
    /// A speech frame is this many dB above the noise floor.
    pub above_noise_db: f32,
    /// Silence (frames) that ends a chunk.
    pub end_silence: usize,
    /// Frames kept before and after speech.
    pub pad: usize,
    /// Speech frames a chunk needs to be kept.
    pub min_speech: usize,
    /// Standard deviation (dB) of frame energy that speech shows between
    /// syllables; a steady tone shows almost none.
    pub min_modulation_db: f32,
    /// Longest chunk, in samples (Whisper's window is 30 s).
    pub max_chunk: usize,
}

impl Default for VadConfig {
    fn default() -> Self {
        Self {
            min_db: -50.0,
            above_noise_db: 12.0,
            // 2 s, as faster-whisper's VAD: a chunk ending at every
            // sentence's pause gives Whisper windows of a few seconds, which
            // it hears worse and decodes slower (English WER 10.9 % at
            // 0.6 s, 6.4 % at 2 s; BENCHMARKS.md, "Languages").
            end_silence: 67,
            pad: 7,        // 0.2 s
            min_speech: 8, // 0.24 s
            min_modulation_db: 4.0,
            max_chunk: 28 * 16_000,
        }
    }
}

/// A piece of audio to transcribe: where it starts (in samples from the
/// start of the media) and its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechChunk {
    pub start: u64,
    pub samples: Vec<f32>,
    /// Cut at the length limit while speech went on: the next chunk starts
    /// where this one ends, and a sentence may run across the cut.
    pub cut: bool,
}

#[derive(Debug)]
pub struct Chunker {
    cfg: VadConfig,
    /// Samples not yet framed.
    partial: Vec<f32>,
    /// The current chunk (or pre-roll while no speech): whole frames.
    buf: Vec<f32>,
    buf_start: u64,
    /// dB of each frame in `buf`.
    frame_db: Vec<f32>,
    in_speech: bool,
    silence_run: usize,
    noise_db: f32,
    /// Absolute sample index of the next sample pushed.
    pos: u64,
}

fn frame_db(frame: &[f32]) -> f32 {
    let energy: f32 = frame.iter().map(|s| s * s).sum::<f32>() / frame.len().max(1) as f32;
    10.0 * (energy + 1e-10).log10()
}

impl Chunker {
    pub fn new(cfg: VadConfig) -> Self {
        Self {
            cfg,
            partial: Vec::new(),
            buf: Vec::new(),
            buf_start: 0,
            frame_db: Vec::new(),
            in_speech: false,
            silence_run: 0,
            noise_db: -70.0,
            pos: 0,
        }
    }

    /// Feeds samples; returns the chunks that ended.
    pub fn push(&mut self, samples: &[f32]) -> Vec<SpeechChunk> {
        let mut out = Vec::new();
        self.partial.extend_from_slice(samples);
        let whole = self.partial.len() / FRAME * FRAME;
        let frames: Vec<f32> = self.partial.drain(..whole).collect();
        for frame in frames.chunks_exact(FRAME) {
            self.frame(frame, &mut out);
            self.pos += FRAME as u64;
        }
        out
    }

    /// Ends the stream; returns the last chunk if it holds speech.
    pub fn finish(&mut self) -> Vec<SpeechChunk> {
        let mut out = Vec::new();
        if self.in_speech {
            self.close(&mut out);
        }
        out
    }

    fn frame(&mut self, frame: &[f32], out: &mut Vec<SpeechChunk>) {
        let db = frame_db(frame);
        let speech = db > self.cfg.min_db.max(self.noise_db + self.cfg.above_noise_db);
        // The noise floor follows quiet frames quickly and loud ones slowly.
        if !speech {
            self.noise_db += if db < self.noise_db { 0.3 } else { 0.02 } * (db - self.noise_db);
            self.noise_db = self.noise_db.clamp(-100.0, -20.0);
        }
        if self.buf.is_empty() {
            self.buf_start = self.pos;
        }
        self.buf.extend_from_slice(frame);
        self.frame_db.push(db);
        if !self.in_speech {
            if speech {
                self.in_speech = true;
                self.silence_run = 0;
            } else if self.frame_db.len() > self.cfg.pad {
                // Keep only the pre-roll.
                self.buf.drain(..FRAME);
                self.frame_db.remove(0);
                self.buf_start += FRAME as u64;
            }
            return;
        }
        if speech {
            self.silence_run = 0;
        } else {
            self.silence_run += 1;
        }
        if self.silence_run >= self.cfg.end_silence {
            self.close(out);
        } else if self.buf.len() + FRAME > self.cfg.max_chunk {
            self.split(out);
        }
    }

    /// A chunk reached its longest during speech: cut at the quietest frame
    /// of its last 3 s, so that no word is cut in two, and keep the rest as
    /// the start of the next chunk.
    fn split(&mut self, out: &mut Vec<SpeechChunk>) {
        let n = self.frame_db.len();
        let lo = n.saturating_sub(100).max(1);
        let cut = (lo..n)
            .min_by(|&a, &b| self.frame_db[a].total_cmp(&self.frame_db[b]))
            .unwrap_or(n);
        let rest = self.buf.split_off(cut * FRAME);
        let rest_db = self.frame_db.split_off(cut);
        if self.emit(out, cut) {
            if let Some(last) = out.last_mut() {
                last.cut = true;
            }
        }
        self.buf = rest;
        self.frame_db = rest_db;
        self.buf_start += (cut * FRAME) as u64;
        self.silence_run = 0;
    }

    fn close(&mut self, out: &mut Vec<SpeechChunk>) {
        // Trim trailing silence beyond the padding.
        let keep_tail = self.silence_run.saturating_sub(self.cfg.pad);
        let frames = self.frame_db.len().saturating_sub(keep_tail);
        self.emit(out, frames);
        self.buf.clear();
        self.frame_db.clear();
        self.in_speech = false;
        self.silence_run = 0;
    }

    /// Emits the first `frames` frames of the buffer if they hold speech;
    /// whether it did.
    fn emit(&mut self, out: &mut Vec<SpeechChunk>, frames: usize) -> bool {
        let frames = frames.min(self.frame_db.len());
        let dbs = &self.frame_db[..frames];
        let threshold = self.cfg.min_db.max(self.noise_db + self.cfg.above_noise_db);
        let first = dbs.iter().position(|d| *d > threshold);
        let last = dbs.iter().rposition(|d| *d > threshold);
        if let (Some(first), Some(last)) = (first, last) {
            let core = &dbs[first..=last];
            let speech_frames = core.iter().filter(|d| **d > threshold).count();
            let mean = core.iter().sum::<f32>() / core.len() as f32;
            let var = core.iter().map(|d| (d - mean).powi(2)).sum::<f32>() / core.len() as f32;
            if speech_frames >= self.cfg.min_speech && var.sqrt() >= self.cfg.min_modulation_db {
                out.push(SpeechChunk {
                    start: self.buf_start,
                    samples: self.buf[..frames * FRAME].to_vec(),
                    cut: false,
                });
                return true;
            }
        }
        false
    }
}

/// Whether `samples` hold speech by the same measure that cuts chunks
/// (used to decide whether audio a decoder left behind is worth decoding).
pub fn has_speech(samples: &[f32]) -> bool {
    let mut chunker = Chunker::new(VadConfig::default());
    let mut chunks = chunker.push(samples);
    chunks.extend(chunker.finish());
    !chunks.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SR: f32 = 16_000.0;

    fn tone(seconds: f32, amp: f32) -> Vec<f32> {
        (0..(seconds * SR) as usize)
            .map(|i| amp * (i as f32 / SR * 440.0 * std::f32::consts::TAU).sin())
            .collect()
    }

    /// Bursts of a noisy carrier at syllable rate (~4 Hz): speech-like energy.
    fn syllables(seconds: f32) -> Vec<f32> {
        let mut x: u32 = 7;
        (0..(seconds * SR) as usize)
            .map(|i| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let noise = ((x >> 16) as f32 / 65536.0 - 0.5) * 0.6;
                let t = i as f32 / SR;
                let env = ((t * 4.0 * std::f32::consts::TAU).sin() * 0.5 + 0.5).powi(2);
                noise * env + 0.2 * env * (t * 180.0 * std::f32::consts::TAU).sin()
            })
            .collect()
    }

    fn run(samples: &[f32]) -> Vec<SpeechChunk> {
        let mut c = Chunker::new(VadConfig::default());
        let mut out = Vec::new();
        for piece in samples.chunks(1234) {
            out.extend(c.push(piece));
        }
        out.extend(c.finish());
        out
    }

    #[test]
    fn silence_and_steady_tones_are_not_speech() {
        assert!(run(&vec![0.0; 16_000 * 5]).is_empty());
        assert!(run(&tone(5.0, 0.5)).is_empty());
        let mut quiet_then_tone = vec![0.0; 16_000];
        quiet_then_tone.extend(tone(3.0, 0.3));
        assert!(run(&quiet_then_tone).is_empty());
    }

    #[test]
    fn speech_is_found_where_it_is() {
        let mut audio = vec![0.0; 32_000]; // 2 s silence
        audio.extend(syllables(3.0)); // 2..5 s
        audio.extend(vec![0.0; 48_000]); // 3 s silence
        audio.extend(syllables(2.0)); // 8..10 s
        let chunks = run(&audio);
        assert_eq!(
            chunks.len(),
            2,
            "{:?}",
            chunks
                .iter()
                .map(|c| (c.start, c.samples.len()))
                .collect::<Vec<_>>()
        );
        let s0 = chunks[0].start as f32 / SR;
        let e0 = s0 + chunks[0].samples.len() as f32 / SR;
        assert!(
            (1.6..=2.1).contains(&s0) && (4.9..=5.6).contains(&e0),
            "{s0}..{e0}"
        );
        let s1 = chunks[1].start as f32 / SR;
        assert!((7.6..=8.1).contains(&s1), "{s1}");
    }

    #[test]
    fn long_speech_is_cut_into_whisper_sized_chunks() {
        let chunks = run(&syllables(70.0));
        assert!(chunks.len() >= 3);
        assert!(chunks.iter().all(|c| c.samples.len() <= 28 * 16_000));
        // Contiguous: nothing dropped between chunks of continuous speech,
        // and each but the last says it was cut.
        for w in chunks.windows(2) {
            assert_eq!(w[0].start + w[0].samples.len() as u64, w[1].start);
            assert!(w[0].cut);
        }
        assert!(chunks.last().is_some_and(|c| !c.cut));
    }
}
