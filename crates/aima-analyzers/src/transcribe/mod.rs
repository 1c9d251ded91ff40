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
pub mod mel;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use aima_core::{ErrorCode, Insight, MediaKind};
use aima_media::SAMPLE_RATE;
use aima_models::ModelKind;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

use crate::vad::{Chunker, SpeechChunk, VadConfig};
use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

pub const DEFAULT_MODEL: &str = "faster-whisper-tiny.en";

/// Whisper models, loaded once per process and shared by jobs: whisper.cpp
/// contexts by file, CTranslate2 models by folder and thread count (fixed
/// when CTranslate2 loads a model).
#[derive(Default)]
pub struct Transcribe {
    contexts: Mutex<HashMap<PathBuf, Arc<WhisperContext>>>,
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
    pub language: String,
    pub words: Vec<Word>,
}

impl Options {
    fn check(&self) -> Result<(), String> {
        if self.model.is_empty() {
            return Err("model must name a Whisper model of the catalog".into());
        }
        if let Some(l) = &self.language {
            if whisper_rs::get_lang_id(l).is_none() {
                return Err(format!("language {l:?} is not one Whisper knows"));
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
    WhisperCpp {
        ctx: Arc<WhisperContext>,
        state: Option<WhisperState>,
    },
    Ct2 {
        model: Arc<ct2::Model>,
        context: ct2::Context,
    },
}

impl Loaded {
    /// Transcribes one chunk; blocking.
    fn transcribe(
        &mut self,
        chunk: &SpeechChunk,
        opts: &Options,
        threads: usize,
    ) -> Result<Vec<TimedSegment>, String> {
        match self {
            Loaded::WhisperCpp { ctx, state } => {
                let st = state.take().ok_or("lost whisper state")?;
                let (st, segments) = transcribe_chunk(ctx, st, chunk, opts, threads)?;
                *state = Some(st);
                Ok(segments)
            }
            Loaded::Ct2 { model, context } => model.transcribe(chunk, opts, context),
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
                // whisper.cpp logs through tracing (at debug), not onto stderr.
                static HOOKS: std::sync::Once = std::sync::Once::new();
                HOOKS.call_once(whisper_rs::install_logging_hooks);
                let p = path.clone();
                let ctx = cached(&self.contexts, path.clone(), &path, move || {
                    WhisperContext::new_with_params(&p, WhisperContextParameters::default())
                        .map_err(|e| e.to_string())
                })
                .await?;
                let state = ctx
                    .create_state()
                    .map_err(|e| AnalyzerError::Retry(e.to_string()))?;
                Ok(Loaded::WhisperCpp {
                    ctx,
                    state: Some(state),
                })
            }
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

/// Runs Whisper on one chunk; blocking. Returns the state for the next chunk.
fn transcribe_chunk(
    ctx: &WhisperContext,
    mut state: WhisperState,
    chunk: &SpeechChunk,
    opts: &Options,
    threads: usize,
) -> Result<(WhisperState, Vec<TimedSegment>), String> {
    let mut params = FullParams::new(if opts.beam_size > 1 {
        SamplingStrategy::BeamSearch {
            beam_size: opts.beam_size as i32,
            patience: -1.0,
        }
    } else {
        SamplingStrategy::Greedy { best_of: 1 }
    });
    params.set_n_threads(threads as i32);
    params.set_translate(false);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_special(false);
    params.set_print_timestamps(false);
    params.set_token_timestamps(true);
    params.set_no_context(true);
    params.set_suppress_blank(true);
    params.set_temperature(0.0);
    params.set_no_speech_thold(opts.no_speech_threshold);
    let english_only = !ctx.is_multilingual();
    let language = if english_only {
        Some("en".to_string())
    } else {
        opts.language.clone()
    };
    params.set_language(Some(language.as_deref().unwrap_or("auto")));
    params.set_detect_language(false);
    state
        .full(params, &chunk.samples)
        .map_err(|e| e.to_string())?;

    let offset = chunk.start as f64 / SAMPLE_RATE as f64;
    let detected = match &language {
        Some(l) => l.clone(),
        None => whisper_rs::get_lang_str(state.full_lang_id_from_state())
            .unwrap_or("unknown")
            .to_string(),
    };
    let eot = ctx.token_eot();
    let chunk_end = offset + chunk.samples.len() as f64 / SAMPLE_RATE as f64;
    let mut out = Vec::new();
    for i in 0..state.full_n_segments() {
        let Some(seg) = state.get_segment(i) else {
            continue;
        };
        let text = seg
            .to_str_lossy()
            .map(|t| t.trim().to_string())
            .unwrap_or_default();
        let no_speech = seg.no_speech_probability();
        if text.is_empty()
            || no_speech > opts.no_speech_threshold
            || !text.chars().any(char::is_alphanumeric)
        {
            continue;
        }
        let mut words: Vec<Word> = Vec::new();
        let mut probs = Vec::new();
        for j in 0..seg.n_tokens() {
            let Some(tok) = seg.get_token(j) else {
                continue;
            };
            let data = tok.token_data();
            if data.id >= eot {
                continue; // timestamps and other special tokens
            }
            let piece = tok
                .to_str_lossy()
                .map(|t| t.to_string())
                .unwrap_or_default();
            probs.push(data.p);
            let (t0, t1) = (
                offset + data.t0 as f64 / 100.0,
                offset + data.t1 as f64 / 100.0,
            );
            match words.last_mut() {
                Some(w) if !piece.starts_with(' ') => {
                    w.word.push_str(&piece);
                    w.end = w.end.max(t1);
                    w.probability = w.probability.min(data.p);
                }
                _ => words.push(Word {
                    word: piece.trim_start().to_string(),
                    start: t0,
                    end: t1,
                    probability: data.p,
                }),
            }
        }
        words.retain(|w| !w.word.trim().is_empty());
        let start = (offset + seg.start_timestamp() as f64 / 100.0).min(chunk_end);
        let end = (offset + seg.end_timestamp() as f64 / 100.0).clamp(start, chunk_end);
        let confidence = mean(probs);
        out.push((
            start,
            end,
            SegmentData {
                text,
                confidence,
                no_speech_probability: no_speech,
                language: detected.clone(),
                words,
            },
        ));
    }
    Ok((state, out))
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
                for chunk in chunks {
                    let mut loaded = engine
                        .take()
                        .ok_or_else(|| AnalyzerError::Retry("lost whisper state".into()))?;
                    if input.cancel.is_cancelled() {
                        return Err(AnalyzerError::Cancelled);
                    }
                    let opts2 = opts.clone();
                    let (loaded, segments) = tokio::task::spawn_blocking(move || {
                        let segments = loaded.transcribe(&chunk, &opts2, threads);
                        (loaded, segments)
                    })
                    .await
                    .map_err(|e| AnalyzerError::Retry(format!("whisper panicked: {e}")))?;
                    let segments = segments
                        .map_err(|e| AnalyzerError::Retry(format!("whisper failed: {e}")))?;
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

/// Whisper's id for a language code.
pub fn lang_id(code: &str) -> Option<i32> {
    whisper_rs::get_lang_id(code)
}

/// Whisper's full (English) name for a language id, e.g. "english".
pub fn lang_name(id: i32) -> Option<&'static str> {
    whisper_rs::get_lang_str_full(id)
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
}
