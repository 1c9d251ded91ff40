//! Whisper on CTranslate2 (through `ct2rs`), the engine of faster-whisper:
//! int8 weights, oneDNN's int8 GEMM on x86.
//!
//! `ct2rs`' own `Whisper` front end is not used: it normalises the log-mel
//! per frame instead of per window and always prompts `<|en|><|transcribe|>`,
//! which English-only models do not know (measured: 27 % word errors against
//! 5 % here). This module does what faster-whisper does over
//! `ct2rs::sys::Whisper`: Whisper's log-mel ([`super::mel`]), the prompt of
//! the model's kind, the previous window's text as context, deterministic
//! fallback when a decoding looks like a loop or a guess, segments cut at
//! timestamp tokens, and word times from the cross-attention alignment.

use std::io::Write;
use std::path::Path;

use ct2rs::sys::{StorageView, Whisper, WhisperOptions};
use tokenizers::Tokenizer;

use super::mel::{LogMel, N_FRAMES};
use super::{mean, Heard, Options, SegmentData, Word};
use crate::vad::SpeechChunk;
use aima_media::SAMPLE_RATE;

/// Seconds per timestamp token and per encoder frame pair.
const TIME_PRECISION: f64 = 0.02;
/// Context kept from earlier windows (Whisper's `n_text_ctx / 2 - 1`).
const MAX_PROMPT_TOKENS: usize = 223;
/// A window is heard in another language than the media's so far only
/// with at least this probability ([`choose_language`]).
const SWITCH_LANGUAGE: f32 = 0.8;
/// faster-whisper's fallback thresholds.
const COMPRESSION_RATIO_THRESHOLD: f64 = 2.4;
const LOG_PROB_THRESHOLD: f64 = -1.0;
/// How a window is decoded again when a decoding loops or guesses, one
/// step after another: (beam size, no repeated n-grams of this size, 0 for
/// none). faster-whisper samples at rising temperatures instead; that is
/// not reproducible here (CTranslate2 seeds its generators once per thread
/// and takes no seed per call), and the same audio and options must give
/// the same words. A wider beam finds likelier text where greedy guessed,
/// and forbidding repeated 3-grams ends a loop.
const FALLBACKS: [(usize, usize); 2] = [(5, 0), (5, 3)];
/// From this fallback step on, the window's text is not used as context.
const PROMPT_RESET_STEP: usize = 2;

/// A loaded model with its tokenizer; shared by jobs.
pub struct Model {
    whisper: Whisper,
    tokenizer: Tokenizer,
    mel: LogMel,
    eot: u32,
    timestamp_begin: u32,
}

/// State carried from one window to the next within a job.
#[derive(Default)]
pub struct Context {
    /// Text tokens of earlier windows, for `<|startofprev|>`.
    previous: Vec<u32>,
    /// The media's language so far ([`choose_language`]).
    language: Option<String>,
}

impl Model {
    pub fn load(dir: &Path, threads: usize) -> Result<Self, String> {
        let config = ct2rs::Config {
            device: ct2rs::Device::CPU,
            compute_type: ct2rs::ComputeType::INT8,
            num_threads_per_replica: threads,
            ..Default::default()
        };
        let whisper = Whisper::new(dir, config).map_err(|e| e.to_string())?;
        let tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| format!("tokenizer.json: {e}"))?;
        let id = |t: &str| {
            tokenizer
                .token_to_id(t)
                .ok_or_else(|| format!("tokenizer.json has no {t}"))
        };
        let eot = id("<|endoftext|>")?;
        let timestamp_begin = id("<|notimestamps|>")? + 1;
        let mel = LogMel::new(whisper.n_mels());
        Ok(Self {
            whisper,
            tokenizer,
            mel,
            eot,
            timestamp_begin,
        })
    }

    pub fn is_multilingual(&self) -> bool {
        self.whisper.is_multilingual()
    }

    fn token(&self, id: u32) -> Result<String, String> {
        self.tokenizer
            .id_to_token(id)
            .ok_or_else(|| format!("token {id} is not in the vocabulary"))
    }

    fn decode(&self, ids: &[u32]) -> String {
        let text: Vec<u32> = ids.iter().copied().filter(|&t| t < self.eot).collect();
        self.tokenizer.decode(&text, true).unwrap_or_default()
    }

    /// Whether `lang` (an ISO 639-1 code) has a token in this model.
    pub fn knows_language(&self, lang: &str) -> bool {
        self.tokenizer.token_to_id(&format!("<|{lang}|>")).is_some()
    }

    /// Transcribes one chunk of at most 30 s; blocking. Its segments are
    /// whole; where the decoder lost the audio ([`Heard::lost`]), the
    /// chunk's loop decides what to keep.
    pub fn transcribe(
        &self,
        chunk: &SpeechChunk,
        opts: &Options,
        context: &mut Context,
    ) -> Result<Heard, String> {
        let started = std::time::Instant::now();
        let offset = chunk.start as f64 / SAMPLE_RATE as f64;
        // What the decoder hears: 30 s at most (the rest is the next
        // window's, `Loaded::transcribe_chunk`).
        let duration = (chunk.samples.len() as f64 / SAMPLE_RATE as f64).min(30.0);
        let mut features = self.mel.features(&chunk.samples);
        let shape = [1, self.mel.n_mels(), N_FRAMES];
        let features = StorageView::new(&shape, &mut features, Default::default())
            .map_err(|e| e.to_string())?;
        let encoded = self
            .whisper
            .encode(&features, false)
            .map_err(|e| e.to_string())?;

        let (language, language_probability) = if !self.is_multilingual() {
            ("en".to_string(), None)
        } else if let Some(l) = &opts.language {
            (l.clone(), None)
        } else {
            let found = self
                .whisper
                .detect_language(&encoded)
                .map_err(|e| e.to_string())?;
            let ranked: Vec<(String, f32)> = found
                .first()
                .map(|r| {
                    r.iter()
                        .map(|d| {
                            let code = d.language.trim_matches(['<', '|', '>']).to_string();
                            (code, d.probability)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let chosen = choose_language(&ranked, &mut context.language);
            tracing::debug!(detected = ?ranked.first(), chosen = ?chosen, "language");
            chosen
        };
        let window = self.decode_in(&encoded, &language, duration, opts, context)?;
        let Some(Window {
            decoded,
            pieces,
            words,
        }) = window.0
        else {
            return Ok(Heard::default()); // silence that the VAD let through
        };
        let words = if opts.word_timestamps {
            words
        } else {
            Vec::new()
        };

        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            fallback = decoded.step,
            "chunk transcribed"
        );
        let mut out = Vec::new();
        // Where the decoder lost the audio: the first word stretched over
        // speech it skipped, with its piece.
        let mut lost: Option<(usize, f64, f64)> = None;
        let spaced = splits_words_on_spaces(&language);
        for (i, (s, e, ids)) in pieces.iter().enumerate() {
            let text = self.decode(ids).trim().to_string();
            if text.is_empty() || !text.chars().any(char::is_alphanumeric) {
                continue;
            }
            let (s, e) = within(*s, *e, duration);
            let (start, end) = (offset + s, offset + e);
            let seg_words: Vec<Word> = words
                .iter()
                .filter(|(piece, _)| *piece == i)
                .map(|(_, w)| Word {
                    word: w.word.clone(),
                    start: offset + w.start.clamp(s, e),
                    end: offset + w.end.clamp(s, e),
                    probability: w.probability,
                })
                .collect();
            if lost.is_none() && spaced {
                lost = seg_words
                    .iter()
                    .find(|w| w.end - w.start > MAX_WORD_SECONDS)
                    .map(|w| (i, w.start, w.end));
            }
            let confidence = if seg_words.is_empty() {
                decoded.avg_logprob.exp() as f32
            } else {
                mean(seg_words.iter().map(|w| w.probability))
            };
            out.push((
                start,
                end,
                SegmentData {
                    text,
                    confidence,
                    no_speech_probability: decoded.no_speech_prob as f32,
                    language: language.clone(),
                    language_probability,
                    words: seg_words,
                },
            ));
        }

        // The kept segments' text is the next window's context (text only:
        // with the timestamp tokens too, as faster-whisper keeps them, the
        // benchmark's WER rose from 5.3 to 6.3 %). A segment left to be
        // decoded again is not: the next window would take it as said. A
        // window where the decoder lost the audio resets the context, as
        // faster-whisper does after a fallback: the speech it skipped is
        // heard again next, and with the earlier text as context Whisper
        // base skipped it again (measured on the German passages: "Die Zug
        // nach München" for 3.9 s holding sentence 14 too, which it wrote
        // without the context).
        if opts.condition_on_previous_text && decoded.step < PROMPT_RESET_STEP && lost.is_none() {
            context
                .previous
                .extend(pieces.iter().flat_map(|p| p.2.iter().copied()));
        } else {
            context.previous.clear();
        }
        Ok(Heard {
            segments: out,
            lost: lost.map(|(_, start, end)| (start, end)),
        })
    }

    /// The window decoded in `language`, with the earlier windows' text as
    /// context where the options ask for it.
    fn decode_in(
        &self,
        encoded: &StorageView,
        language: &str,
        duration: f64,
        opts: &Options,
        context: &Context,
    ) -> Result<Decoding, String> {
        let mut sot = vec!["<|startoftranscript|>".to_string()];
        if self.is_multilingual() {
            sot.push(format!("<|{language}|>"));
            sot.push("<|transcribe|>".into());
        }
        let prompted = opts.condition_on_previous_text && !context.previous.is_empty();
        let mut prompt = Vec::new();
        if prompted {
            prompt.push("<|startofprev|>".to_string());
            let from = context.previous.len().saturating_sub(MAX_PROMPT_TOKENS);
            for &t in &context.previous[from..] {
                prompt.push(self.token(t)?);
            }
        }
        prompt.extend(sot.iter().cloned());

        // The earlier text as context helps spelling, but can make the
        // decoder skip what it takes as said already: a word the alignment
        // stretches over seconds of speech (measured on espeak-ng passages:
        // three sentences became "the next time we'll meet", words of 2 to
        // 4 s). Such a window is decoded again without the context, and the
        // decoding that skips less is kept.
        let check = opts.word_timestamps || prompted;
        let window = self.decode_window(encoded, &sot, &prompt, duration, opts, check)?;
        if prompted && window.skipped() > 0.0 {
            let plain = self.decode_window(encoded, &sot, &sot, duration, opts, true)?;
            tracing::debug!(
                skipped_with_context = window.skipped(),
                skipped_without = plain.skipped(),
                "a window decoded with context skipped speech: decoded again without"
            );
            if plain.0.is_some() && plain.skipped() < window.skipped() {
                return Ok(plain);
            }
        }
        // The same for a window the context left without a word: the VAD
        // heard speech in it (measured: 2.9 s of German that decoded to
        // nothing after the earlier windows' text, and to its words
        // without it).
        if prompted && window.is_empty() {
            tracing::debug!("a window decoded with context had no words: decoded again without");
            return self.decode_window(encoded, &sot, &sot, duration, opts, check);
        }
        Ok(window)
    }

    /// One decoding of a window with `prompt`: its segments (start and end
    /// seconds in the window, text tokens) and, with `align`, its words;
    /// nothing for silence.
    fn decode_window(
        &self,
        encoded: &StorageView,
        sot: &[String],
        prompt: &[String],
        duration: f64,
        opts: &Options,
        align: bool,
    ) -> Result<Decoding, String> {
        let decoded = self.decode_with_fallback(encoded, &[prompt.to_vec()], opts)?;
        if decoded.no_speech_prob > opts.no_speech_threshold as f64
            && decoded.avg_logprob < LOG_PROB_THRESHOLD
        {
            return Ok(Decoding(None));
        }
        // Segments between timestamp tokens (all in one if there are none).
        let mut pieces: Vec<(f64, f64, Vec<u32>)> = Vec::new();
        let mut start: Option<f64> = None;
        let mut text: Vec<u32> = Vec::new();
        for &t in &decoded.tokens {
            if t >= self.timestamp_begin {
                let at = (t - self.timestamp_begin) as f64 * TIME_PRECISION;
                match start {
                    None => start = Some(at),
                    Some(s) if !text.is_empty() => {
                        pieces.push((s, at, std::mem::take(&mut text)));
                        start = None;
                    }
                    Some(_) => start = Some(at),
                }
            } else if t < self.eot {
                text.push(t);
            }
        }
        if !text.is_empty() {
            // A segment the decoder left without its closing timestamp: when
            // complete segments come before it and enough audio is left, it
            // is decoded again from its start as a window of its own
            // (Whisper's seek loop, `Loaded::transcribe_chunk`), rather than
            // kept cut off; otherwise it runs to the window's end.
            let from = start.unwrap_or(0.0);
            let resumable = !pieces.is_empty()
                && duration - from >= super::MIN_RESUME_SECONDS
                && pieces.last().is_some_and(|p| p.1 <= from);
            if !resumable {
                pieces.push((from, duration, text));
            }
        }
        let words = if align {
            self.words(encoded, sot, &pieces, duration)?
        } else {
            Vec::new()
        };
        Ok(Decoding(Some(Window {
            decoded,
            pieces,
            words,
        })))
    }

    /// faster-whisper's decoding, made deterministic: greedy (or the
    /// asked beam), then the [`FALLBACKS`] while the text compresses too
    /// well (a loop) or its tokens are too unlikely (a guess).
    fn decode_with_fallback(
        &self,
        encoded: &StorageView,
        prompts: &[Vec<String>],
        opts: &Options,
    ) -> Result<Decoded, String> {
        let mut failed: Vec<(bool, Decoded)> = Vec::new();
        let steps = std::iter::once((opts.beam_size as usize, 0)).chain(FALLBACKS);
        for (step, (beam_size, no_repeat_ngram_size)) in steps.enumerate() {
            let options = WhisperOptions {
                beam_size,
                no_repeat_ngram_size,
                sampling_topk: 1,
                return_scores: true,
                return_no_speech_prob: true,
                ..Default::default()
            };
            let result = self
                .whisper
                .generate(encoded, prompts, &options)
                .map_err(|e| e.to_string())?;
            let Some(r) = result.into_iter().next() else {
                return Err("no result".into());
            };
            let tokens: Vec<u32> = r
                .sequences_ids
                .first()
                .map(|s| s.iter().map(|&t| t as u32).collect())
                .unwrap_or_default();
            let len = tokens.len() as f64;
            // CTranslate2's score is the sum of log-probabilities divided
            // by the length (length penalty 1).
            let cumulative = r.scores.first().copied().unwrap_or(0.0) as f64 * len;
            let decoded = Decoded {
                avg_logprob: cumulative / (len + 1.0),
                no_speech_prob: r.no_speech_prob as f64,
                step,
                tokens,
            };
            let looped =
                compression_ratio(&self.decode(&decoded.tokens)) > COMPRESSION_RATIO_THRESHOLD;
            let good = !looped && decoded.avg_logprob >= LOG_PROB_THRESHOLD;
            let silent = decoded.no_speech_prob > opts.no_speech_threshold as f64
                && decoded.avg_logprob < LOG_PROB_THRESHOLD;
            if good || silent {
                return Ok(decoded);
            }
            failed.push((looped, decoded));
        }
        // All failed: the likeliest that is not a loop, else the likeliest.
        failed
            .into_iter()
            .max_by(|(la, a), (lb, b)| lb.cmp(la).then(a.avg_logprob.total_cmp(&b.avg_logprob)))
            .map(|(_, d)| d)
            .ok_or_else(|| "no decoding".into())
    }

    /// Word times from the cross-attention alignment of the decoded text
    /// (faster-whisper's `find_alignment`): a word starts where the
    /// alignment path first reaches its first token. Returns each word with
    /// the index of its piece.
    fn words(
        &self,
        encoded: &StorageView,
        sot: &[String],
        pieces: &[(f64, f64, Vec<u32>)],
        duration: f64,
    ) -> Result<Vec<(usize, Word)>, String> {
        let text: Vec<u32> = pieces.iter().flat_map(|p| p.2.iter().copied()).collect();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let start: Vec<usize> = sot
            .iter()
            .map(|t| {
                self.tokenizer
                    .token_to_id(t)
                    .map(|i| i as usize)
                    .ok_or_else(|| format!("no token {t}"))
            })
            .collect::<Result<_, _>>()?;
        let frames = ((duration / TIME_PRECISION) as usize * 2).min(N_FRAMES);
        let ids: Vec<usize> = text.iter().map(|&t| t as usize).collect();
        let aligned = self
            .whisper
            .align(encoded, &start, &[ids], &[frames], 7)
            .map_err(|e| e.to_string())?;
        let Some(a) = aligned.into_iter().next() else {
            return Ok(Vec::new());
        };
        // The time at which the path first reaches each text token (and
        // the end-of-text after the last one).
        let mut first_frame = vec![None; text.len() + 1];
        for p in &a.alignments {
            if let Some(slot) = first_frame.get_mut(p.token_x as usize) {
                if slot.is_none() {
                    *slot = Some(p.frame_x as f64 * TIME_PRECISION);
                }
            }
        }
        let time = |i: usize| -> f64 {
            first_frame[i..]
                .iter()
                .flatten()
                .next()
                .copied()
                .unwrap_or(duration)
        };

        // Words: a token that starts with a space starts a new word;
        // punctuation stays with the word before it.
        let mut words: Vec<(usize, usize, usize)> = Vec::new(); // piece, from, to
        let mut index = 0;
        for (p, piece) in pieces.iter().enumerate() {
            for &t in &piece.2 {
                // Byte-level BPE marks a leading space with 'Ġ'.
                let starts = self.token(t)?.starts_with('\u{120}');
                match words.last_mut() {
                    Some((wp, _, to)) if *wp == p && !starts => *to = index + 1,
                    _ => words.push((p, index, index + 1)),
                }
                index += 1;
            }
        }
        let mut out = Vec::new();
        for (p, from, to) in words {
            let word = self.decode(&text[from..to]).trim().to_string();
            if word.is_empty() {
                continue;
            }
            let probs = &a.text_token_probs
                [from.min(a.text_token_probs.len())..to.min(a.text_token_probs.len())];
            let probability = mean(probs.iter().copied());
            out.push((
                p,
                Word {
                    word,
                    start: time(from),
                    end: time(to).max(time(from)),
                    probability,
                },
            ));
        }
        Ok(out)
    }
}

/// A word the alignment stretches longer than this (seconds) stands for
/// speech the decoder skipped: spoken words last less than 2 s, and a
/// pause between segments is not counted (a word's time is kept within its
/// segment's timestamps).
const MAX_WORD_SECONDS: f64 = 2.5;

/// A segment's start and end as the decoder's timestamps give them, kept
/// within the audio the window holds (`duration` seconds) and in order.
/// The decoder hears 30 s, the audio padded with silence, and may place a
/// timestamp past the audio's end or one before the last (measured: a piece
/// from 27.0 s in a window of 26.46 s, which panicked in `f64::clamp`
/// and failed the job).
fn within(start: f64, end: f64, duration: f64) -> (f64, f64) {
    let start = start.min(duration);
    (start, end.max(start).min(duration))
}

/// Whether words of `language` are written with spaces between them, so
/// that a word's time is a word's and not a phrase's: the languages that
/// faster-whisper splits by character instead are not.
fn splits_words_on_spaces(language: &str) -> bool {
    !["zh", "ja", "th", "lo", "my", "yue"].contains(&language)
}

/// A window's decoding: nothing for silence.
struct Decoding(Option<Window>);

struct Window {
    decoded: Decoded,
    pieces: Vec<(f64, f64, Vec<u32>)>,
    words: Vec<(usize, Word)>,
}

impl Decoding {
    /// Whether the decoding wrote no text: silence, or nothing but
    /// timestamps.
    fn is_empty(&self) -> bool {
        self.0
            .as_ref()
            .is_none_or(|w| w.pieces.iter().all(|p| p.2.is_empty()))
    }

    /// Seconds of speech the decoding passed over: the time its words are
    /// stretched beyond [`MAX_WORD_SECONDS`].
    fn skipped(&self) -> f64 {
        self.0
            .iter()
            .flat_map(|w| &w.words)
            .map(|(_, w)| (w.end - w.start - MAX_WORD_SECONDS).max(0.0))
            .sum()
    }
}

struct Decoded {
    tokens: Vec<u32>,
    avg_logprob: f64,
    no_speech_prob: f64,
    /// 0 for the first decoding, then the fallback's step.
    step: usize,
}

/// The language of a window from the detection's ranking: the media's
/// language so far (its first window's), unless the window is heard in
/// another with at least [`SWITCH_LANGUAGE`]. A window of a few seconds is
/// easily mistaken: Whisper base took robotic German for Swedish at 0.27
/// and a 29 s window of it for Yiddish at 0.61 (written in Hebrew letters:
/// 7 sentences lost), while a real change of language (an English sentence
/// after German ones) is heard at 0.9 and more. Returns the language and
/// its probability in this window.
fn choose_language(ranked: &[(String, f32)], media: &mut Option<String>) -> (String, Option<f32>) {
    let probability = |lang: &str| {
        ranked
            .iter()
            .find(|(l, _)| l == lang)
            .map_or(0.0, |(_, p)| *p)
    };
    let Some((best, p)) = ranked.first() else {
        return (media.clone().unwrap_or_else(|| "en".into()), Some(0.0));
    };
    match media {
        Some(known) if known != best && *p < SWITCH_LANGUAGE => {
            (known.clone(), Some(probability(known)))
        }
        _ => {
            *media = Some(best.clone());
            (best.clone(), Some(*p))
        }
    }
}

/// How much zlib shrinks the text: a decoding stuck in a loop compresses
/// far better than speech does.
fn compression_ratio(text: &str) -> f64 {
    if text.is_empty() {
        return 0.0;
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    if z.write_all(text.as_bytes()).is_err() {
        return 0.0;
    }
    match z.finish() {
        Ok(c) if !c.is_empty() => text.len() as f64 / c.len() as f64,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_times_stay_within_the_audio_and_in_order() {
        assert_eq!(within(1.0, 2.0, 26.46), (1.0, 2.0));
        assert_eq!(within(27.0, 28.0, 26.46), (26.46, 26.46));
        assert_eq!(within(25.0, 28.0, 26.46), (25.0, 26.46));
        assert_eq!(within(5.0, 4.0, 26.46), (5.0, 5.0));
        assert_eq!(within(0.0, 0.0, 0.0), (0.0, 0.0));
    }

    #[test]
    fn loops_compress_better_than_speech() {
        let speech =
            "The quick brown fox jumps over the lazy dog while the budget meeting runs late.";
        let stuck = "I don't know. ".repeat(20);
        assert!(compression_ratio(speech) < COMPRESSION_RATIO_THRESHOLD);
        assert!(compression_ratio(&stuck) > COMPRESSION_RATIO_THRESHOLD);
        assert_eq!(compression_ratio(""), 0.0);
    }

    #[test]
    fn a_window_changes_the_language_only_when_sure() {
        let r = |v: &[(&str, f32)]| -> Vec<(String, f32)> {
            v.iter().map(|(l, p)| (l.to_string(), *p)).collect()
        };
        let mut media = None;
        // The first window sets the language, sure or not.
        assert_eq!(
            choose_language(&r(&[("de", 0.39), ("en", 0.2)]), &mut media),
            ("de".into(), Some(0.39))
        );
        assert_eq!(media.as_deref(), Some("de"));
        // Another language, unsure or fairly sure: still German, with
        // German's probability in this window.
        assert_eq!(
            choose_language(&r(&[("sv", 0.27), ("de", 0.2)]), &mut media),
            ("de".into(), Some(0.2))
        );
        assert_eq!(
            choose_language(&r(&[("yi", 0.61), ("de", 0.3)]), &mut media),
            ("de".into(), Some(0.3))
        );
        assert_eq!(media.as_deref(), Some("de"));
        // A change heard with confidence is a change.
        assert_eq!(
            choose_language(&r(&[("en", 0.93), ("de", 0.01)]), &mut media),
            ("en".into(), Some(0.93))
        );
        assert_eq!(media.as_deref(), Some("en"));
        assert_eq!(choose_language(&[], &mut media), ("en".into(), Some(0.0)));
    }
}
