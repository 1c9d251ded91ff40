//! The whisper.cpp engine (ggml models, through whisper-rs), built with the
//! `whisper-cpp` cargo feature.

use std::sync::Arc;

use aima_media::SAMPLE_RATE;
use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

use super::{mean, Heard, Options, SegmentData, TimedSegment, Word};
use crate::vad::SpeechChunk;

/// Loads a ggml model; blocking.
pub(super) fn load(path: &std::path::Path) -> Result<WhisperContext, String> {
    // whisper.cpp logs through tracing (at debug), not onto stderr.
    static HOOKS: std::sync::Once = std::sync::Once::new();
    HOOKS.call_once(whisper_rs::install_logging_hooks);
    WhisperContext::new_with_params(path, WhisperContextParameters::default())
        .map_err(|e| e.to_string())
}

/// A model with the state it carries from one chunk to the next.
pub(super) struct Engine {
    ctx: Arc<WhisperContext>,
    state: Option<WhisperState>,
}

impl Engine {
    pub(super) fn new(ctx: Arc<WhisperContext>) -> Result<Self, String> {
        let state = ctx.create_state().map_err(|e| e.to_string())?;
        Ok(Self {
            ctx,
            state: Some(state),
        })
    }

    /// Transcribes one chunk; blocking.
    pub(super) fn transcribe(
        &mut self,
        chunk: &SpeechChunk,
        opts: &Options,
        threads: usize,
    ) -> Result<Heard, String> {
        let st = self.state.take().ok_or("lost whisper state")?;
        let (st, segments) = transcribe_chunk(&self.ctx, st, chunk, opts, threads)?;
        self.state = Some(st);
        // whisper.cpp's token times are spread evenly over a segment
        // (issue 32's meeting: a 14-word segment over 10 s), so a stretched
        // word says nothing of where speech was skipped.
        Ok(Heard {
            segments,
            lost: None,
        })
    }
}

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
        None => super::languages::lang_code(state.full_lang_id_from_state())
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
        if text.is_empty() || !text.chars().any(char::is_alphanumeric) {
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
        // Whisper's rule: silence is a likely no-speech *and* unlikely
        // words; a segment whose words are confident is kept whatever the
        // window's no-speech estimate (whisper.cpp gives one per window: on
        // espeak-ng speech it dropped whole sentences of a window).
        let avg_logprob = if probs.is_empty() {
            f64::NEG_INFINITY
        } else {
            probs
                .iter()
                .map(|p| (*p as f64).max(1e-9).ln())
                .sum::<f64>()
                / probs.len() as f64
        };
        if no_speech > opts.no_speech_threshold && avg_logprob < -1.0 {
            continue;
        }
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
                language_probability: None,
                words,
            },
        ));
    }
    Ok((state, out))
}
