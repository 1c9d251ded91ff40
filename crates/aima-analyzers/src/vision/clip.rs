//! CLIP: an image embedding per sampled frame (for similar-media and
//! text-to-image search) and zero-shot labels from a configurable list,
//! scored against the text tower's embeddings of a prompt per label.
//!
//! Works with the usual ONNX exports that keep the two towers apart
//! (`pixel_values` -> `image_embeds`, `input_ids` [+ `attention_mask`] ->
//! `text_embeds`) and a Hugging Face `tokenizer.json`; SigLIP (2) exports
//! too, whose text tower takes texts lowercased and padded with `<pad>`
//! (the model's decoder says which tokens).
//!
//! A multilingual model (SigLIP 2) scores labels in any language its
//! tokenizer knows: `{"labels": ["Hund", "Katze"], "template": "ein Foto von {}"}`.

use std::sync::Arc;

use aima_core::{ErrorCode, Insight, MediaKind};
use aima_models::vision::Decoder;
use async_trait::async_trait;
use ndarray::Array2;
use serde::Deserialize;

use super::{FrameOptions, SharedSession, VisionModel};
use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

pub struct Clip;

/// Labels scored when the options name none.
const DEFAULT_LABELS: [&str; 16] = [
    "person",
    "group of people",
    "animal",
    "food",
    "vehicle",
    "building",
    "landscape",
    "indoor room",
    "text document",
    "screenshot",
    "chart",
    "sports",
    "night",
    "beach",
    "snow",
    "space",
];

/// Frames are read at most this large (pixels on the longer side).
const MAX_SIDE: u32 = 1280;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Options {
    model: String,
    labels: Vec<String>,
    /// The prompt each label is put into; `{}` stands for the label.
    template: String,
    top_k: usize,
    frames: FrameOptions,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            model: "clip-vit-b32".into(),
            labels: DEFAULT_LABELS.iter().map(|s| s.to_string()).collect(),
            template: "a photo of {}".into(),
            top_k: 3,
            frames: FrameOptions::default(),
        }
    }
}

impl Options {
    fn check(&self) -> Result<(), String> {
        if self.labels.is_empty() || self.labels.len() > 1000 {
            return Err("labels: 1 to 1000 labels".into());
        }
        if self
            .labels
            .iter()
            .any(|l| l.trim().is_empty() || l.len() > 200)
        {
            return Err("a label is 1 to 200 bytes".into());
        }
        if !self.template.contains("{}") || self.template.len() > 300 {
            return Err("template must contain {} and be at most 300 bytes".into());
        }
        if !(1..=50).contains(&self.top_k) {
            return Err("top_k must be 1 to 50".into());
        }
        self.frames.check()
    }
}

/// The two towers and the tokenizer of one CLIP model.
#[derive(Clone)]
pub struct ClipModel {
    visual: VisionModel,
    textual: SharedSession,
    tokenizer: Arc<tokenizers::Tokenizer>,
    image_output: String,
    text_output: String,
    context: usize,
    end_token: String,
    pad_token: Option<String>,
    lowercase: bool,
}

impl ClipModel {
    pub async fn load(
        models: &aima_models::ModelManager,
        name: &str,
    ) -> Result<Self, AnalyzerError> {
        let visual = super::load(models, name, "visual.onnx").await?;
        let Decoder::Clip {
            image_output,
            text_output,
            context,
            end_token,
            pad_token,
            lowercase,
        } = visual.spec.decoder.clone()
        else {
            return Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                format!("model {name:?} is not a CLIP model"),
            ));
        };
        let (textual, _) = super::load_session(models, name, "textual.onnx").await?;
        let tokenizer = super::tokenizer(models, name).await?;
        Ok(Self {
            visual,
            textual,
            tokenizer,
            image_output,
            text_output,
            context: context.max(2),
            end_token: end_token.unwrap_or_else(|| "<|endoftext|>".into()),
            pad_token,
            lowercase,
        })
    }

    /// Unit-length text embeddings, one row per text.
    pub fn embed_texts(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, AnalyzerError> {
        let bad = |e: String| AnalyzerError::abort(ErrorCode::AnalyzerFailed, e);
        let texts: Vec<String> = if self.lowercase {
            texts.iter().map(|t| t.to_lowercase()).collect()
        } else {
            texts.to_vec()
        };
        let encodings = self
            .tokenizer
            .encode_batch(texts.clone(), true)
            .map_err(|e| bad(format!("cannot tokenize the labels: {e}")))?;
        // CLIP pads with its end-of-text token, SigLIP with `<pad>`.
        let id = |token: &str| self.tokenizer.token_to_id(token).map(i64::from);
        let end = id(&self.end_token)
            .or_else(|| self.tokenizer.get_padding().map(|p| p.pad_id as i64))
            .unwrap_or(0);
        let pad = match &self.pad_token {
            Some(token) => id(token)
                .ok_or_else(|| bad(format!("the tokenizer has no padding token {token:?}")))?,
            None => end,
        };
        let n = texts.len();
        let mut ids = Array2::<i64>::from_elem((n, self.context), pad);
        let mut mask = Array2::<i64>::zeros((n, self.context));
        for (row, enc) in encodings.iter().enumerate() {
            let tokens = enc.get_ids();
            let len = tokens.len().min(self.context);
            for (col, id) in tokens.iter().take(len).enumerate() {
                ids[[row, col]] = *id as i64;
                mask[[row, col]] = 1;
            }
            // A prompt cut short still ends with the end token.
            if tokens.len() > self.context {
                ids[[row, self.context - 1]] = end;
            }
        }
        let err = super::infer_err("the CLIP text tower");
        let mut session = super::lock(&self.textual);
        let wants_mask = session
            .inputs()
            .iter()
            .any(|i| i.name() == "attention_mask");
        let ids_value = ort::value::TensorRef::from_array_view(&ids).map_err(&err)?;
        let outputs = if wants_mask {
            let mask_value = ort::value::TensorRef::from_array_view(&mask).map_err(&err)?;
            session
                .run(ort::inputs!["input_ids" => ids_value, "attention_mask" => mask_value])
                .map_err(&err)?
        } else {
            session
                .run(ort::inputs!["input_ids" => ids_value])
                .map_err(&err)?
        };
        rows(&outputs, &self.text_output, n)
    }

    /// A unit-length image embedding.
    pub fn embed_image(&self, image: &image::RgbImage) -> Result<Vec<f32>, AnalyzerError> {
        let (_, out) = super::infer(
            &self.visual,
            image,
            &Some(self.image_output.clone()),
            "the CLIP image tower",
        )?;
        if out.values.is_empty() {
            return Err(AnalyzerError::abort(
                ErrorCode::AnalyzerFailed,
                "the CLIP image tower gave an empty embedding",
            ));
        }
        Ok(super::faces::normalized(&out.values))
    }
}

fn rows(
    outputs: &ort::session::SessionOutputs<'_>,
    name: &str,
    n: usize,
) -> Result<Vec<Vec<f32>>, AnalyzerError> {
    let out = super::read_output(outputs, name, "the CLIP model")?;
    if n == 0 || out.values.is_empty() || !out.values.len().is_multiple_of(n) {
        return Err(AnalyzerError::abort(
            ErrorCode::AnalyzerFailed,
            format!("CLIP output {name:?} has shape {:?}", out.shape),
        ));
    }
    Ok(out
        .values
        .chunks_exact(out.values.len() / n)
        .map(super::faces::normalized)
        .collect())
}

/// Zero-shot label probabilities: softmax over 100 x cosine (CLIP's learned
/// logit scale), best first.
pub fn zero_shot(image: &[f32], labels: &[(String, Vec<f32>)]) -> Vec<(String, f32)> {
    let logits: Vec<f32> = labels
        .iter()
        .map(|(_, t)| 100.0 * super::faces::cosine(image, t))
        .collect();
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let exp: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    let mut out: Vec<(String, f32)> = labels
        .iter()
        .zip(exp)
        .map(|((l, _), e)| (l.clone(), if sum > 0.0 { e / sum } else { 0.0 }))
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

#[async_trait]
impl Analyzer for Clip {
    fn name(&self) -> &'static str {
        "clip"
    }
    fn description(&self) -> &'static str {
        "CLIP image embedding per sampled frame and zero-shot labels from a configurable list"
    }
    fn accepts(&self) -> &'static [MediaKind] {
        &[MediaKind::Video, MediaKind::Image]
    }
    fn models(&self) -> &'static [&'static str] {
        &["onnxruntime", "clip-vit-b32"]
    }
    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        parse_options::<Options>(options)?.check()
    }
    fn frame_request(&self, options: &serde_json::Value) -> Option<super::FrameRequest> {
        parse_options::<Options>(options)
            .ok()
            .map(|o| o.frames.request(MAX_SIDE))
    }

    async fn run(
        &self,
        mut input: AnalyzerInput<'_>,
        sink: &mut dyn InsightSink,
    ) -> Result<(), AnalyzerError> {
        let o: Options = crate::run_options(input.options)?;
        let model = ClipModel::load(input.models, &o.model).await?;
        let prompts: Vec<String> = o
            .labels
            .iter()
            .map(|l| o.template.replace("{}", l))
            .collect();
        let m = model.clone();
        let texts = super::blocking(move || m.embed_texts(&prompts)).await?;
        let labels: Vec<(String, Vec<f32>)> = o.labels.iter().cloned().zip(texts).collect();
        let mut frames = super::Frames::open(&mut input, &o.frames, MAX_SIDE)?;
        while let Some(frame) = frames.next(sink).await? {
            let m = model.clone();
            let embedding = super::blocking(move || m.embed_image(&frame.image)).await?;
            let top: Vec<serde_json::Value> = zero_shot(&embedding, &labels)
                .into_iter()
                .take(o.top_k)
                .map(|(label, score)| serde_json::json!({"label": label, "score": super::round3(score)}))
                .collect();
            let embedding: Vec<f64> = embedding
                .iter()
                .map(|v| (*v as f64 * 1e6).round() / 1e6)
                .collect();
            sink.emit(Insight {
                analyzer: self.name().into(),
                kind: "labels".into(),
                start: frame.time,
                end: None,
                data: serde_json::json!({"labels": top, "embedding": embedding}),
                artifact: None,
                key: format!("clip-{:06}", frame.index),
            })
            .await?;
        }
        frames.finish(sink).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_shot_is_a_softmax_over_scaled_cosines() {
        let labels = vec![
            ("red".to_string(), vec![1.0, 0.0]),
            ("blue".to_string(), vec![0.0, 1.0]),
        ];
        let out = zero_shot(&[0.8, 0.6], &labels);
        assert_eq!(out[0].0, "red");
        let sum: f32 = out.iter().map(|l| l.1).sum();
        assert!((sum - 1.0).abs() < 1e-5);
        // 100 x (0.8 - 0.6) = 20 logits apart: nearly all on red.
        assert!(out[0].1 > 0.99);
    }
}
