//! Speech to text with Whisper, on one of two engines chosen by the
//! model's kind in the catalog: CTranslate2 (`speech_ct2`, faster-whisper's
//! engine and format, [`ct2`]) or whisper.cpp (`speech`, ggml files,
//! through whisper-rs).
//!
//! Audio is decoded by ffmpeg to 16 kHz mono and read a second at a time;
//! the VAD cuts it into speech chunks of at most 28 s; each chunk is
//! transcribed as it ends and its segments are saved at once. Memory stays
//! bounded by one chunk whatever the media's length.

pub mod ct2;
pub mod languages;
pub mod mel;
#[cfg(feature = "whisper-cpp")]
mod whisper_cpp;

pub use languages::{lang_id, lang_name};

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use aima_core::{ErrorCode, Insight, MediaKind};
use aima_media::SAMPLE_RATE;
use aima_models::ModelKind;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::vad::{Chunker, SpeechChunk, VadConfig};
use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

pub const DEFAULT_MODEL: &str = "faster-whisper-base";

/// Whisper models, loaded once per process and shared by jobs: whisper.cpp
/// contexts by file, CTranslate2 models by folder and thread count (fixed
/// when CTranslate2 loads a model).
#[derive(Default)]
pub struct Transcribe {
    #[cfg(feature = "whisper-cpp")]
    contexts: Mutex<HashMap<PathBuf, Arc<whisper_rs::WhisperContext>>>,
    ct2: Mutex<HashMap<(PathBuf, usize), Arc<ct2::Model>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// A Whisper model of the catalog: kind `speech_ct2` (CTranslate2,
    /// int8) or `speech` (whisper.cpp).
    #[serde(default = "default_model")]
    pub model: String,
    /// ISO 639-1 code, or absent to detect (English-only models use `en`).
    #[serde(default)]
    pub language: Option<String>,
    /// Inference threads; default: the cores available.
    #[serde(default)]
    pub threads: Option<usize>,
    /// Skip audio without speech (recommended: Whisper invents words in silence).
    #[serde(default = "yes")]
    pub vad: bool,
    /// Segments Whisper itself rates more likely silence than this are dropped.
    #[serde(default = "default_no_speech")]
    pub no_speech_threshold: f32,
    /// whisper.cpp models: `f16` (the weights as published), `q8_0` or
    /// `q4_0` (8- or 4-bit copies made once next to them: faster on CPUs,
    /// slightly less accurate). CTranslate2 models always run int8.
    #[serde(default)]
    pub quantization: Option<String>,
    /// 1: greedy decoding (fastest). 2-8: beam search over that many
    /// hypotheses: fewer word errors, slower decoding (see BENCHMARKS.md:
    /// on CTranslate2, 3 beams took tiny.en from 5.3 to 4.5 % WER at 72 %
    /// of the speed).
    #[serde(default = "default_beam_size")]
    pub beam_size: u32,
    /// CTranslate2 models: give Whisper the text of the previous speech
    /// chunk as context (faster-whisper's default: fewer word errors,
    /// consistent spelling across chunks).
    #[serde(default = "yes")]
    pub condition_on_previous_text: bool,
    /// CTranslate2 models: word times from the cross-attention alignment
    /// (one more decoder pass per chunk). whisper.cpp always gives words.
    #[serde(default = "yes")]
    pub word_timestamps: bool,
}

fn default_beam_size() -> u32 {
    1
}

fn default_model() -> String {
    DEFAULT_MODEL.into()
}
fn yes() -> bool {
    true
}
fn default_no_speech() -> f32 {
    0.6
}

impl Default for Options {
    fn default() -> Self {
        Self {
            model: default_model(),
            language: None,
            threads: None,
            vad: true,
            no_speech_threshold: default_no_speech(),
            quantization: None,
            beam_size: default_beam_size(),
            condition_on_previous_text: true,
            word_timestamps: true,
        }
    }
}

/// A word with its time: from whisper.cpp's token timestamps, or from
/// CTranslate2's cross-attention alignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub word: String,
    pub start: f64,
    pub end: f64,
    pub probability: f32,
}

/// What a `transcript_segment` insight carries in `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentData {
    pub text: String,
    /// Mean token probability, 0 to 1 (CTranslate2 without word times:
    /// the chunk's geometric mean).
    pub confidence: f32,
    pub no_speech_probability: f32,
    /// ISO 639-1 code of the language the segment was decoded in.
    pub language: String,
    /// How sure Whisper's language detection was, 0 to 1: absent where
    /// nothing was detected (the job's `language` option, an English-only
    /// model, whisper.cpp). Below
    /// [`aima_core::transcript::UNCERTAIN_LANGUAGE`] the transcript says
    /// that its language is uncertain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_probability: Option<f32>,
    pub words: Vec<Word>,
}

/// An English-only model asked for another language would write English
/// words for it: refused, naming the model that can.
fn english_only_refuses(
    model: &str,
    multilingual: bool,
    language: &str,
) -> Result<(), AnalyzerError> {
    if multilingual || language == "en" {
        return Ok(());
    }
    Err(AnalyzerError::abort(
        ErrorCode::InvalidPipeline,
        format!(
            "model {model:?} knows English only, not language {language:?}: use a multilingual model such as {DEFAULT_MODEL}"
        ),
    ))
}

impl Options {
    fn check(&self) -> Result<(), String> {
        if self.model.is_empty() {
            return Err("model must name a Whisper model of the catalog".into());
        }
        if let Some(l) = &self.language {
            if lang_id(l).is_none() {
                return Err(format!(
                    "language {l:?} is not one Whisper knows: give an ISO 639-1 code such as \"de\" or \"en\", or leave it out to detect it"
                ));
            }
        }
        if self.threads.is_some_and(|t| t == 0 || t > 64) {
            return Err("threads must be between 1 and 64".into());
        }
        if self
            .quantization
            .as_deref()
            .is_some_and(|q| !["f16", "q8_0", "q4_0"].contains(&q))
        {
            return Err("quantization must be f16, q8_0 or q4_0".into());
        }
        if !(0.0..=1.0).contains(&self.no_speech_threshold) {
            return Err("no_speech_threshold must be between 0 and 1".into());
        }
        if !(1..=8).contains(&self.beam_size) {
            return Err("beam_size must be between 1 and 8".into());
        }
        Ok(())
    }
}

/// The model cached under `key`, or loaded by `load` (blocking, on a
/// blocking thread) and cached; a model that does not load fails the job
/// with `model_missing`, naming `path`.
async fn cached<K, V>(
    cache: &Mutex<HashMap<K, Arc<V>>>,
    key: K,
    path: &std::path::Path,
    load: impl FnOnce() -> Result<V, String> + Send + 'static,
) -> Result<Arc<V>, AnalyzerError>
where
    K: std::hash::Hash + Eq,
    V: Send + Sync + 'static,
{
    if let Some(v) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(v);
    }
    let v = tokio::task::spawn_blocking(load)
        .await
        .map_err(|e| AnalyzerError::Retry(e.to_string()))?
        .map_err(|e| {
            AnalyzerError::abort(
                ErrorCode::ModelMissing,
                format!("cannot load {}: {e}", path.display()),
            )
        })?;
    let v = Arc::new(v);
    if let Ok(mut c) = cache.lock() {
        c.insert(key, v.clone());
    }
    Ok(v)
}

/// The mean of `values`, or 0 for none.
pub(crate) fn mean(values: impl IntoIterator<Item = f32>) -> f32 {
    let (sum, n) = values
        .into_iter()
        .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f32
    }
}

/// A model ready for a job's chunks, with what it carries between them.
enum Loaded {
    #[cfg(feature = "whisper-cpp")]
    WhisperCpp(whisper_cpp::Engine),
    Ct2 {
        model: Arc<ct2::Model>,
        context: ct2::Context,
    },
}

/// Windows decoded for one chunk at most: the first, and resumptions.
const MAX_WINDOWS: usize = 8;
/// Undecoded audio shorter than this (seconds) at a window's end is not
/// decoded again.
const MIN_RESUME_SECONDS: f64 = 1.0;
/// A segment ending this close (seconds) to a chunk's cut runs across it.
const CUT_MARGIN_SECONDS: f64 = 1.0;
/// What Whisper hears at once: 30 s.
const WINDOW_SAMPLES: usize = 30 * SAMPLE_RATE as usize;

impl Loaded {
    /// Transcribes one chunk, every word of it; blocking. Returns its
    /// segments, and the audio to decode again at the head of the next
    /// chunk, if any.
    ///
    /// Whisper's seek loop, for both engines: the decoder may stop before
    /// the audio does (its last timestamp, or the start of a segment it
    /// left unfinished, lies well before the window's end). What it left
    /// is decoded again from that point, as a window of its own, as long as
    /// it holds speech by the VAD's measure and each window moves forward.
    /// The same where the decoder lost the audio inside a window (an engine
    /// that can tell, [`Heard::lost`]): what came before the stretched word
    /// is kept, the stretch is heard again alone, and the loop goes on from
    /// there.
    /// A chunk the VAD cut at the length limit ends inside speech: its last
    /// segment, which touches the cut, is not kept; its audio goes to the
    /// head of the next chunk (`carry`), so a sentence across the cut is
    /// decoded whole, as Whisper's seek to the last complete segment does.
    /// Deterministic: the same audio and options give the same windows.
    fn transcribe_chunk(
        &mut self,
        chunk: &SpeechChunk,
        opts: &Options,
        threads: usize,
    ) -> Result<(Vec<TimedSegment>, Option<SpeechChunk>), String> {
        let rate = SAMPLE_RATE as f64;
        let chunk_end = chunk.start + chunk.samples.len() as u64;
        let mut out: Vec<TimedSegment> = Vec::new();
        let mut window_start = chunk.start;
        // Where the next window ends when the decoder lost the audio: it
        // hears the stretch alone.
        let mut shortened: Option<u64> = None;
        // What the window that lost the audio made of the stretch and
        // after, kept as heard if the stretch alone gives nothing.
        let mut as_heard: Option<Vec<TimedSegment>> = None;
        // A resumption must move forward by this much, or the loop would
        // repeat.
        let step = SAMPLE_RATE as u64 / 2;
        let min_window = (MIN_RESUME_SECONDS * rate) as u64;
        let resumable = |resume: u64, window_start: u64| {
            let left = chunk_end.saturating_sub(resume) as f64 / rate;
            left >= MIN_RESUME_SECONDS
                && resume >= window_start + step
                && crate::vad::has_speech(&chunk.samples[(resume - chunk.start) as usize..])
        };
        for n in 0..MAX_WINDOWS {
            // What Whisper hears at once, and no more: whisper.cpp, given
            // longer audio, seeks on its own and drops what it rates as
            // silence (measured: 26 s of speech lost in a 31 s window).
            let from = (window_start - chunk.start) as usize;
            let mut to = (from + WINDOW_SAMPLES).min(chunk.samples.len());
            if let Some(end) = shortened.take() {
                to = to.min((end - chunk.start) as usize);
            }
            let window = SpeechChunk {
                start: window_start,
                samples: chunk.samples[from..to].to_vec(),
                cut: chunk.cut,
            };
            let shortened_window = to < (from + WINDOW_SAMPLES).min(chunk.samples.len());
            let Heard { mut segments, lost } = self.transcribe(&window, opts, threads)?;
            if let Some(heard) = as_heard.take() {
                if segments.is_empty() {
                    segments = heard;
                }
            }
            tracing::debug!(
                window = n,
                start = window_start as f64 / rate,
                seconds = window.samples.len() as f64 / rate,
                cut = chunk.cut,
                segments = segments.len(),
                last_end = segments.last().map(|s| s.1),
                lost = ?lost,
                "window decoded"
            );
            let heard_end = window_start + window.samples.len() as u64;
            // The decoder lost the audio (a word stretched over speech it
            // skipped): what came before is kept, and the stretch is heard
            // again alone, from the stretched word's start to its end; the
            // loop goes on from there. A seek to where text and audio last
            // agreed, with no more audio than was skipped, so that the
            // decoder cannot skip it again for what follows. Not in a
            // window that is itself such a stretch and lost it at its start,
            // nor in the last window allowed: there, what was heard is kept.
            if let (Some((lost_start, lost_end)), false) = (lost, n + 1 == MAX_WINDOWS) {
                let at = ((lost_start * rate).round() as u64).clamp(window_start, heard_end);
                let end = ((lost_end * rate).round() as u64).min(heard_end);
                let at_start = at < window_start + step;
                let again = shortened_window && at_start;
                let moves = at_start || resumable(at, window_start);
                if !again && moves && end >= at + min_window {
                    let (before, after) = split_at(segments, lost_start);
                    out.extend(before);
                    tracing::debug!(
                        window = n + 1,
                        from = at as f64 / rate,
                        until = end as f64 / rate,
                        "the decoder skipped speech: hearing the stretch again alone"
                    );
                    as_heard = Some(after);
                    shortened = Some(end);
                    window_start = at;
                    continue;
                }
            }
            // Whisper hears 30 s at a time: in a longer window, a segment at
            // that edge may be cut off; it is decoded again from its start.
            let edge = heard_end < chunk_end
                && segments.len() > 1
                && segments
                    .last()
                    .is_some_and(|s| s.1 * rate >= heard_end as f64 - CUT_MARGIN_SECONDS * rate);
            let resume_at = if edge {
                segments.pop().map(|s| s.0)
            } else {
                segments.last().map(|s| s.1)
            };
            let Some(resume_at) = resume_at else {
                break; // nothing heard in this window
            };
            out.extend(segments);
            let resume = ((resume_at * rate).round() as u64).max(window_start);
            if !resumable(resume, window_start) {
                break;
            }
            let left = chunk_end.saturating_sub(resume) as f64 / rate;
            tracing::debug!(
                window = n + 1,
                resume_at = resume as f64 / rate,
                left_seconds = left,
                "the decoder stopped before the chunk's end: decoding the rest"
            );
            window_start = resume;
        }
        let mut carry = None;
        // whisper.cpp's segment times are too coarse to restart from (a
        // window begun at one lost the sentence there on the benchmark's
        // meeting): its cut chunks stay as the VAD cut them.
        if chunk.cut && matches!(self, Loaded::Ct2 { .. }) {
            let end = chunk_end as f64 / rate;
            let touches_cut = out.last().is_some_and(|s| s.1 >= end - CUT_MARGIN_SECONDS);
            let from = out
                .last()
                .map(|s| (s.0 * rate).round() as u64)
                .unwrap_or(chunk.start);
            // Only where the next chunk then starts later than this one.
            if touches_cut && from >= chunk.start + SAMPLE_RATE as u64 / 2 && from < chunk_end {
                out.pop();
                carry = Some(SpeechChunk {
                    start: from,
                    samples: chunk.samples[(from - chunk.start) as usize..].to_vec(),
                    cut: true,
                });
            }
        }
        Ok((out, carry))
    }

    /// Transcribes one window (a chunk, or what a chunk's earlier window
    /// left); blocking.
    fn transcribe(
        &mut self,
        chunk: &SpeechChunk,
        opts: &Options,
        threads: usize,
    ) -> Result<Heard, String> {
        match self {
            #[cfg(feature = "whisper-cpp")]
            Loaded::WhisperCpp(engine) => engine.transcribe(chunk, opts, threads),
            Loaded::Ct2 { model, context } => {
                let _ = threads; // fixed when the model was loaded
                model.transcribe(chunk, opts, context)
            }
        }
    }
}

impl Transcribe {
    /// The job's model on its engine, loaded once per process. A model that
    /// is not installed fails the job with the command that installs it.
    async fn load(
        &self,
        input: &AnalyzerInput<'_>,
        opts: &Options,
        threads: usize,
    ) -> Result<Loaded, AnalyzerError> {
        let missing = |e: aima_models::ModelError| {
            AnalyzerError::abort(ErrorCode::ModelMissing, e.to_string())
        };
        let entry = input.models.catalog().get(&opts.model).ok_or_else(|| {
            AnalyzerError::abort(
                ErrorCode::ModelMissing,
                format!(
                    "model {:?} is not in the catalog (aima models list)",
                    opts.model
                ),
            )
        })?;
        match entry.kind {
            #[cfg(feature = "whisper-cpp")]
            ModelKind::Speech => {
                let file = entry.files.first().map(|f| f.name.clone()).ok_or_else(|| {
                    AnalyzerError::abort(ErrorCode::InvalidPipeline, "model has no files")
                })?;
                let scheme = opts.quantization.as_deref().unwrap_or("f16");
                let path = match aima_models::quantize::Scheme::parse(scheme) {
                    Some(scheme) => {
                        input
                            .models
                            .whisper_quantized(&opts.model, &file, scheme)
                            .await
                    }
                    None => input.models.installed_file(&opts.model, &file).await,
                }
                .map_err(missing)?;
                let p = path.clone();
                let ctx = cached(&self.contexts, path.clone(), &path, move || {
                    whisper_cpp::load(&p)
                })
                .await?;
                if let Some(l) = &opts.language {
                    english_only_refuses(&opts.model, ctx.is_multilingual(), l)?;
                }
                let engine = whisper_cpp::Engine::new(ctx).map_err(AnalyzerError::Retry)?;
                Ok(Loaded::WhisperCpp(engine))
            }
            #[cfg(not(feature = "whisper-cpp"))]
            ModelKind::Speech => Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                format!(
                    "model {:?} runs on whisper.cpp, which this build of AIMA leaves out (cargo feature `whisper-cpp`); use a CTranslate2 model such as {DEFAULT_MODEL}",
                    opts.model
                ),
            )),
            ModelKind::SpeechCt2 => {
                if opts.quantization.is_some() {
                    return Err(AnalyzerError::abort(
                        ErrorCode::InvalidPipeline,
                        format!(
                            "model {:?} runs on CTranslate2, always int8: `quantization` applies to whisper.cpp models",
                            opts.model
                        ),
                    ));
                }
                for f in aima_models::CT2_WHISPER_FILES {
                    input
                        .models
                        .installed_file(&opts.model, f)
                        .await
                        .map_err(missing)?;
                }
                let dir = input.models.model_dir(&opts.model);
                let d = dir.clone();
                let model = cached(&self.ct2, (dir.clone(), threads), &dir, move || {
                    ct2::Model::load(&d, threads)
                })
                .await?;
                if let Some(l) = &opts.language {
                    english_only_refuses(&opts.model, model.is_multilingual(), l)?;
                    if model.is_multilingual() && !model.knows_language(l) {
                        return Err(AnalyzerError::abort(
                            ErrorCode::InvalidPipeline,
                            format!("model {:?} does not know language {l:?}", opts.model),
                        ));
                    }
                }
                Ok(Loaded::Ct2 {
                    model,
                    context: ct2::Context::default(),
                })
            }
            other => Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                format!(
                    "model {:?} is a {other:?} model, not a Whisper model",
                    opts.model
                ),
            )),
        }
    }
}

/// A segment's start and end (seconds from the start of the media) and data.
pub type TimedSegment = (f64, f64, SegmentData);

/// What an engine made of one window.
#[derive(Debug, Default)]
pub struct Heard {
    /// Its segments, whole.
    pub segments: Vec<TimedSegment>,
    /// Where the decoder lost the audio, if it did: the start and end
    /// (seconds from the start of the media) of a word its alignment
    /// stretches over speech it skipped. What follows the stretch's start
    /// is not to be trusted.
    pub lost: Option<(f64, f64)>,
}

/// The segments split at `at` (seconds): those before it, and those from
/// it on. A segment running across it is cut between its words (those that
/// start before `at` go before), each part with the text and confidence of
/// its words; a part without words is dropped.
fn split_at(segments: Vec<TimedSegment>, at: f64) -> (Vec<TimedSegment>, Vec<TimedSegment>) {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for (start, end, data) in segments {
        if end <= at {
            before.push((start, end, data));
        } else if start >= at {
            after.push((start, end, data));
        } else {
            let (early, late): (Vec<Word>, Vec<Word>) =
                data.words.iter().cloned().partition(|w| w.start < at);
            let part = |words: Vec<Word>| {
                let text: Vec<&str> = words.iter().map(|w| w.word.as_str()).collect();
                SegmentData {
                    text: text.join(" "),
                    confidence: mean(words.iter().map(|w| w.probability)),
                    words,
                    ..data.clone()
                }
            };
            if !early.is_empty() {
                before.push((start, at, part(early)));
            }
            if !late.is_empty() {
                after.push((at, end, part(late)));
            }
        }
    }
    (before, after)
}

#[async_trait]
impl Analyzer for Transcribe {
    fn name(&self) -> &'static str {
        "transcribe"
    }

    fn description(&self) -> &'static str {
        "Speech to text with Whisper (CTranslate2 or whisper.cpp): time-coded segments with words, confidence and language; silence skipped by voice-activity detection"
    }

    fn accepts(&self) -> &'static [MediaKind] {
        &[MediaKind::Video, MediaKind::Audio]
    }

    fn models(&self) -> &'static [&'static str] {
        &[DEFAULT_MODEL]
    }

    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        parse_options::<Options>(options)?.check()
    }

    async fn run(
        &self,
        input: AnalyzerInput<'_>,
        sink: &mut dyn InsightSink,
    ) -> Result<(), AnalyzerError> {
        let opts: Options = crate::run_options(input.options)?;
        let threads = opts.threads.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
        let mut engine = Some(self.load(&input, &opts, threads).await?);

        // Cancellation is checked between chunks (at most 28 s of audio, a
        // few seconds of work): whisper-rs 0.16's safe abort callback calls
        // its closure through the wrong type, so it is not used.
        let total = input.duration.unwrap_or(0.0);
        let mut stream = input.tools.audio_stream(input.media_path)?;
        let mut chunker = Chunker::new(VadConfig {
            // Without VAD every sound is "speech": chunks are cut by length only.
            min_db: if opts.vad {
                VadConfig::default().min_db
            } else {
                -200.0
            },
            min_modulation_db: if opts.vad {
                VadConfig::default().min_modulation_db
            } else {
                0.0
            },
            ..VadConfig::default()
        });
        let mut read_samples: u64 = 0;
        let mut carry: Option<SpeechChunk> = None;
        let result: Result<(), AnalyzerError> = async {
            loop {
                if input.cancel.is_cancelled() {
                    return Err(AnalyzerError::Cancelled);
                }
                let samples = stream.read(SAMPLE_RATE as usize).await?;
                let ended = samples.is_empty();
                read_samples += samples.len() as u64;
                let chunks = if ended {
                    chunker.finish()
                } else {
                    chunker.push(&samples)
                };
                // What a cut chunk left goes first into the next one (or,
                // at the end, alone).
                let mut pending: std::collections::VecDeque<SpeechChunk> = chunks.into();
                loop {
                    let chunk = match (carry.take(), pending.pop_front()) {
                        (Some(c), Some(next)) if c.start + c.samples.len() as u64 == next.start => {
                            let mut samples = c.samples;
                            samples.extend_from_slice(&next.samples);
                            SpeechChunk {
                                start: c.start,
                                samples,
                                cut: next.cut,
                            }
                        }
                        (Some(c), next) if next.is_some() || ended => {
                            if let Some(n) = next {
                                pending.push_front(n);
                            }
                            SpeechChunk { cut: false, ..c }
                        }
                        (Some(c), _) => {
                            carry = Some(c); // the next chunk is yet to come
                            break;
                        }
                        (None, Some(next)) => next,
                        (None, None) => break,
                    };
                    let mut loaded = engine
                        .take()
                        .ok_or_else(|| AnalyzerError::Retry("lost whisper state".into()))?;
                    if input.cancel.is_cancelled() {
                        return Err(AnalyzerError::Cancelled);
                    }
                    let opts2 = opts.clone();
                    let (loaded, result) = crate::vision::blocking(move || {
                        // Image stages of the same job run meanwhile: one
                        // runtime's thread pool on the cores at a time.
                        let _turn = crate::vision::turn();
                        let result = loaded.transcribe_chunk(&chunk, &opts2, threads);
                        Ok((loaded, result))
                    })
                    .await?;
                    let (segments, left) =
                        result.map_err(|e| AnalyzerError::Retry(format!("whisper failed: {e}")))?;
                    carry = left;
                    engine = Some(loaded);
                    for (start, end, data) in segments {
                        let value = serde_json::to_value(&data)
                            .map_err(|e| AnalyzerError::Retry(e.to_string()))?;
                        sink.emit(Insight {
                            analyzer: "transcribe".into(),
                            kind: "transcript_segment".into(),
                            start,
                            end: Some(end),
                            data: value,
                            artifact: None,
                            key: format!("seg-{:010}", (start * 1000.0).round() as u64),
                        })
                        .await?;
                    }
                }
                if total > 0.0 {
                    sink.progress((read_samples as f64 / SAMPLE_RATE as f64 / total).min(0.99));
                }
                if ended {
                    return Ok(());
                }
            }
        }
        .await;
        result?;
        stream.finish().await?;
        sink.progress(1.0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        assert!(Options::default().check().is_ok());
        let bad = |v: serde_json::Value| {
            parse_options::<Options>(&v)
                .and_then(|o| o.check())
                .is_err()
        };
        assert!(bad(serde_json::json!({"model": ""})));
        assert!(bad(serde_json::json!({"language": "klingon"})));
        assert!(bad(serde_json::json!({"threads": 0})));
        assert!(bad(serde_json::json!({"beam": 5})));
        assert!(!bad(
            serde_json::json!({"language": "de", "threads": 2, "vad": false})
        ));
    }

    fn segment(start: f64, end: f64, words: &[(&str, f64, f64)]) -> TimedSegment {
        let words: Vec<Word> = words
            .iter()
            .map(|(w, s, e)| Word {
                word: w.to_string(),
                start: *s,
                end: *e,
                probability: 0.5,
            })
            .collect();
        let text = words
            .iter()
            .map(|w| w.word.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        (
            start,
            end,
            SegmentData {
                text,
                confidence: 0.9,
                no_speech_probability: 0.0,
                language: "de".into(),
                language_probability: None,
                words,
            },
        )
    }

    #[test]
    fn segments_split_at_a_lost_place_between_words() {
        let segments = vec![
            segment(0.0, 2.0, &[("Guten", 0.0, 0.8), ("Morgen.", 0.8, 2.0)]),
            segment(
                2.0,
                9.0,
                &[("Die", 2.0, 2.4), ("Zug", 2.4, 6.5), ("fährt.", 6.5, 9.0)],
            ),
            segment(9.0, 11.0, &[("Ende.", 9.0, 11.0)]),
        ];
        // Lost at "Zug": the first segment and "Die" before, the rest after.
        let (before, after) = split_at(segments.clone(), 2.4);
        assert_eq!(before.len(), 2);
        assert_eq!(before[0], segments[0]);
        assert_eq!((before[1].0, before[1].1), (2.0, 2.4));
        assert_eq!(before[1].2.text, "Die");
        assert_eq!(before[1].2.confidence, 0.5);
        assert_eq!(after.len(), 2);
        assert_eq!((after[0].0, after[0].1), (2.4, 9.0));
        assert_eq!(after[0].2.text, "Zug fährt.");
        assert_eq!(after[0].2.words.len(), 2);
        assert_eq!(after[1], segments[2]);
        // At a segment's first word: whole segments on each side.
        assert_eq!(
            split_at(segments.clone(), 2.0),
            (segments[..1].to_vec(), segments[1..].to_vec())
        );
        // At the window's start, or past its end: all on one side.
        assert_eq!(split_at(segments.clone(), 0.0), (vec![], segments.clone()));
        assert_eq!(split_at(segments.clone(), 11.0), (segments, vec![]));
    }
}
