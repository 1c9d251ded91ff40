//! Faces: detection (BlazeFace), alignment on the eyes, an identity
//! embedding, and tracks of one face across the sampled frames of a video.
//! Each track becomes one `face` insight whose `embedding` the store moves
//! into its face index, where faces are clustered into persons.

use aima_core::{ErrorCode, Insight, MediaKind};
use aima_models::vision::Decoder;
use async_trait::async_trait;
use image::RgbImage;
use serde::Deserialize;

use super::{BoxF, FrameOptions, Placement, Track, Tracker, VisionModel};
use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

pub struct Faces;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Options {
    model: String,
    /// BlazeFace's score (MediaPipe's default is 0.5). Measured on
    /// scikit-image's photos: faces 0.79-0.94, the best non-face (a
    /// motorcycle's wheel hub) 0.69, a cat 0.50; the default sits between.
    min_score: f32,
    /// Faces smaller than this share of the frame's shorter side are skipped
    /// (too small to recognise).
    min_size: f32,
    frames: FrameOptions,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            model: "faces-blazeface-faceres".into(),
            min_score: 0.73,
            min_size: 0.04,
            frames: FrameOptions::default(),
        }
    }
}

/// One face on one frame, in frame pixels, with its unit-length embedding.
#[derive(Debug, Clone)]
pub struct Face {
    pub score: f32,
    pub bx: BoxF,
    /// right eye, left eye, nose, mouth, right ear, left ear (as seen by
    /// the subject).
    pub landmarks: [(f32, f32); 6],
    pub embedding: Vec<f32>,
    /// The aligned crop the embedding was taken from.
    pub crop: RgbImage,
}

/// A detected face before embedding: score, box, six landmarks.
type Detected = (f32, BoxF, [(f32, f32); 6]);

#[derive(Clone)]
pub struct FaceModels {
    detect: VisionModel,
    embed: VisionModel,
}

impl FaceModels {
    pub async fn load(
        models: &aima_models::ModelManager,
        name: &str,
    ) -> Result<Self, AnalyzerError> {
        let detect = super::load(models, name, "detect.onnx").await?;
        let embed = super::load(models, name, "embed.onnx").await?;
        if detect.spec.decoder != Decoder::BlazeFace
            || !matches!(embed.spec.decoder, Decoder::Embedding { .. })
        {
            return Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                format!("model {name:?} is not a face detector with an embedding"),
            ));
        }
        Ok(Self { detect, embed })
    }

    /// Faces on `image`, best first, each embedded.
    pub fn faces(
        &self,
        image: &RgbImage,
        min_score: f32,
        min_size: f32,
    ) -> Result<Vec<Face>, AnalyzerError> {
        let found = self.detect(image, min_score)?;
        let short = image.width().min(image.height()) as f32;
        let found: Vec<Detected> = found
            .into_iter()
            .filter(|(_, b, _)| (b.x2 - b.x1).min(b.y2 - b.y1) >= min_size * short)
            .collect();
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let crops: Vec<RgbImage> = found.iter().map(|(_, b, l)| align(image, b, l)).collect();
        let embeddings = self.embed(&crops)?;
        Ok(found
            .into_iter()
            .zip(crops)
            .zip(embeddings)
            .map(|(((score, bx, landmarks), crop), embedding)| Face {
                score,
                bx,
                landmarks,
                embedding,
                crop,
            })
            .collect())
    }

    /// BlazeFace (short range) sees a 128 x 128 square: on a wide frame a
    /// face shrinks below what it finds. So it runs on the whole frame and on
    /// overlapping squares across the frame's longer side, and the boxes are
    /// merged by non-maximum suppression.
    fn detect(&self, image: &RgbImage, min_score: f32) -> Result<Vec<Detected>, AnalyzerError> {
        let (w, h) = (image.width(), image.height());
        let side = w.min(h);
        let long = w.max(h);
        let mut windows = vec![(0u32, 0u32, w, h)];
        if long > side + side / 8 {
            let tiles = (long as f32 / side as f32).ceil() as u32 + 1;
            for i in 0..tiles {
                let at = (long - side) * i / (tiles - 1);
                windows.push(if w > h {
                    (at, 0, side, side)
                } else {
                    (0, at, side, side)
                });
            }
        }
        let mut all = Vec::new();
        for (x, y, ww, wh) in windows {
            let part = image::imageops::crop_imm(image, x, y, ww, wh).to_image();
            for (s, b, l) in self.detect_window(&part, min_score)? {
                let shift = |p: (f32, f32)| (p.0 + x as f32, p.1 + y as f32);
                all.push((
                    s,
                    BoxF {
                        x1: b.x1 + x as f32,
                        y1: b.y1 + y as f32,
                        x2: b.x2 + x as f32,
                        y2: b.y2 + y as f32,
                    },
                    l.map(shift),
                ));
            }
        }
        let keep = super::nms(&all, |f| f.0, |f| f.1, 0.3);
        Ok(keep
            .into_iter()
            .map(|i| {
                let (s, b, l) = all[i];
                (s, b.clamp(w, h), l)
            })
            .collect())
    }

    fn detect_window(
        &self,
        image: &RgbImage,
        min_score: f32,
    ) -> Result<Vec<Detected>, AnalyzerError> {
        let spec = &self.detect.spec.input;
        let (placed, at) = super::place(image, spec);
        let tensor = super::tensor(&[placed], spec);
        let err = super::infer_err("the face detector");
        let mut session = super::lock(&self.detect.session);
        let input_name = super::input_name(&session, spec);
        let outputs = session
            .run(ort::inputs![input_name => tensor.value().map_err(&err)?])
            .map_err(&err)?;
        let boxes = super::read_output(&outputs, "regressors", "the face detector")?.values;
        let scores = super::read_output(&outputs, "classificators", "the face detector")?.values;
        decode_blazeface(&boxes, &scores, &at, min_score).ok_or_else(|| {
            AnalyzerError::abort(
                ErrorCode::AnalyzerFailed,
                "the face detector's output does not match BlazeFace's anchors",
            )
        })
    }

    fn embed(&self, crops: &[RgbImage]) -> Result<Vec<Vec<f32>>, AnalyzerError> {
        let spec = &self.embed.spec.input;
        let placed: Vec<RgbImage> = crops.iter().map(|c| super::place(c, spec).0).collect();
        let tensor = super::tensor(&placed, spec);
        let Decoder::Embedding { output } = &self.embed.spec.decoder else {
            return Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                "not an embedding model",
            ));
        };
        let out = super::run_one(
            &self.embed.session,
            spec,
            &tensor,
            output,
            "the face embedding",
        )?;
        let flat = out.values;
        if flat.is_empty() || !flat.len().is_multiple_of(crops.len()) {
            return Err(AnalyzerError::abort(
                ErrorCode::AnalyzerFailed,
                format!("the face embedding has shape {:?}", out.shape),
            ));
        }
        Ok(flat
            .chunks_exact(flat.len() / crops.len())
            .map(normalized)
            .collect())
    }
}

/// Unit length (a zero vector stays zero).
pub fn normalized(v: &[f32]) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter().map(|x| x / n).collect()
    } else {
        v.to_vec()
    }
}

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// MediaPipe's short-range face detector anchors (SSD, 128 x 128 input:
/// strides 8 with 2 anchors per cell, then 16 with 6), centres as fractions.
fn blazeface_anchors() -> Vec<(f32, f32)> {
    let mut a = Vec::with_capacity(896);
    for (grid, per_cell) in [(16usize, 2usize), (8, 6)] {
        for y in 0..grid {
            for x in 0..grid {
                for _ in 0..per_cell {
                    a.push((
                        (x as f32 + 0.5) / grid as f32,
                        (y as f32 + 0.5) / grid as f32,
                    ));
                }
            }
        }
    }
    a
}

/// Boxes and six landmarks above `min_score`, in frame pixels.
fn decode_blazeface(
    boxes: &[f32],
    scores: &[f32],
    at: &Placement,
    min_score: f32,
) -> Option<Vec<Detected>> {
    let anchors = blazeface_anchors();
    if scores.len() != anchors.len() || boxes.len() != anchors.len() * 16 {
        return None;
    }
    let (iw, ih) = (at.input_width as f32, at.input_height as f32);
    let mut out = Vec::new();
    for (i, (ax, ay)) in anchors.iter().enumerate() {
        let score = 1.0 / (1.0 + (-scores[i].clamp(-100.0, 100.0)).exp());
        if score < min_score {
            continue;
        }
        let r = &boxes[i * 16..(i + 1) * 16];
        // Offsets are in input pixels; anchors in fractions of the input.
        let cx = ax * iw + r[0];
        let cy = ay * ih + r[1];
        let (w, h) = (r[2], r[3]);
        let (x1, y1) = at.to_frame(cx - w / 2.0, cy - h / 2.0);
        let (x2, y2) = at.to_frame(cx + w / 2.0, cy + h / 2.0);
        let mut landmarks = [(0.0, 0.0); 6];
        for (k, l) in landmarks.iter_mut().enumerate() {
            *l = at.to_frame(ax * iw + r[4 + 2 * k], ay * ih + r[5 + 2 * k]);
        }
        out.push((score, BoxF { x1, y1, x2, y2 }, landmarks));
    }
    Some(out)
}

/// A square crop around the face, turned so the eyes are level.
fn align(image: &RgbImage, b: &BoxF, l: &[(f32, f32); 6]) -> RgbImage {
    const SIZE: u32 = 160;
    let (re, le) = (l[0], l[1]);
    let angle = (le.1 - re.1).atan2(le.0 - re.0);
    let (cx, cy) = ((b.x1 + b.x2) / 2.0, (b.y1 + b.y2) / 2.0);
    let side = (b.x2 - b.x1).max(b.y2 - b.y1) * 1.3;
    let (cos, sin) = (angle.cos(), angle.sin());
    let (iw, ih) = (image.width() as f32, image.height() as f32);
    RgbImage::from_fn(SIZE, SIZE, |u, v| {
        let (du, dv) = (
            (u as f32 + 0.5) / SIZE as f32 - 0.5,
            (v as f32 + 0.5) / SIZE as f32 - 0.5,
        );
        let (x, y) = (
            cx + side * (du * cos - dv * sin),
            cy + side * (du * sin + dv * cos),
        );
        if x < 0.0 || y < 0.0 || x >= iw || y >= ih {
            return image::Rgb([0, 0, 0]);
        }
        *image.get_pixel(x as u32, y as u32)
    })
}

#[async_trait]
impl Analyzer for Faces {
    fn name(&self) -> &'static str {
        "faces"
    }
    fn description(&self) -> &'static str {
        "Faces on sampled frames (BlazeFace), aligned and embedded, tracked within the media and clustered into persons across the workspace"
    }
    fn accepts(&self) -> &'static [MediaKind] {
        &[MediaKind::Video, MediaKind::Image]
    }
    fn models(&self) -> &'static [&'static str] {
        &["onnxruntime", "faces-blazeface-faceres"]
    }
    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        let o: Options = parse_options(options)?;
        if !(0.0..=1.0).contains(&o.min_score) || !(0.0..=1.0).contains(&o.min_size) {
            return Err("min_score and min_size must be between 0 and 1".into());
        }
        o.frames.check()
    }

    async fn run(
        &self,
        input: AnalyzerInput<'_>,
        sink: &mut dyn InsightSink,
    ) -> Result<(), AnalyzerError> {
        let o: Options = crate::run_options(input.options)?;
        let models = FaceModels::load(input.models, &o.model).await?;
        let mut tracker: Tracker<(Face, u32, u32)> = Tracker::default();
        let mut frames = super::Frames::open(&input, &o.frames, 1280)?;
        let mut n = 0u32;
        while let Some(frame) = frames.next(sink).await? {
            let (m, opts) = (models.clone(), o.clone());
            let (w, h) = (frame.image.width(), frame.image.height());
            let faces =
                super::blocking(move || m.faces(&frame.image, opts.min_score, opts.min_size))
                    .await?;
            let found = faces.into_iter().map(|f| (f, w, h)).collect();
            for t in tracker.observe(frame.time, found, same_face) {
                emit_face(&input, sink, &t, &mut n).await?;
            }
        }
        frames.finish(sink).await?;
        for t in tracker.finish(input.duration) {
            emit_face(&input, sink, &t, &mut n).await?;
        }
        Ok(())
    }
}

/// The same face on the next sampled frame: overlapping boxes, or (after a
/// cut or a fast move) a close embedding.
fn same_face(a: &(Face, u32, u32), b: &(Face, u32, u32)) -> f32 {
    let rel = |f: &(Face, u32, u32)| BoxF {
        x1: f.0.bx.x1 / f.1 as f32,
        y1: f.0.bx.y1 / f.2 as f32,
        x2: f.0.bx.x2 / f.1 as f32,
        y2: f.0.bx.y2 / f.2 as f32,
    };
    let sim = cosine(&a.0.embedding, &b.0.embedding);
    let iou = rel(a).iou(&rel(b));
    if sim >= 0.6 || (iou >= 0.3 && sim >= 0.4) {
        sim + iou
    } else {
        0.0
    }
}

async fn emit_face(
    input: &AnalyzerInput<'_>,
    sink: &mut dyn InsightSink,
    t: &Track<(Face, u32, u32)>,
    n: &mut u32,
) -> Result<(), AnalyzerError> {
    let (best, w, h) = t.best(|f| f.0.score);
    let dims = t.seen[0].1 .0.embedding.len();
    let mut sum = vec![0.0f32; dims];
    for (_, (f, _, _)) in &t.seen {
        for (s, v) in sum.iter_mut().zip(&f.embedding) {
            *s += v;
        }
    }
    let embedding: Vec<f64> = normalized(&sum)
        .iter()
        .map(|v| (*v as f64 * 1e6).round() / 1e6)
        .collect();
    let key = format!("face-{:.3}-{}", t.start, *n);
    *n += 1;
    let file = input.work_dir.join(format!("{key}.jpg"));
    let crop = best.crop.clone();
    let path = file.clone();
    super::blocking(move || {
        crop.save_with_format(&path, image::ImageFormat::Jpeg)
            .map_err(|e| AnalyzerError::Retry(format!("cannot write a face thumbnail: {e}")))
    })
    .await?;
    let artifact = sink.artifact(&format!("{key}.jpg"), &file).await?;
    let landmarks: Vec<[f64; 2]> = best
        .landmarks
        .iter()
        .map(|(x, y)| [super::round3(x / *w as f32), super::round3(y / *h as f32)])
        .collect();
    sink.emit(Insight {
        analyzer: "faces".into(),
        kind: "face".into(),
        start: t.start,
        end: t.end,
        data: serde_json::json!({
            "score": super::round3(best.score),
            "box": best.bx.json(*w, *h),
            "landmarks": landmarks,
            "frames": t.seen.len(),
            "embedding": embedding,
        }),
        artifact: Some(artifact),
        key,
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_match_the_model() {
        let a = blazeface_anchors();
        assert_eq!(a.len(), 896);
        assert_eq!(a[0], (1.0 / 32.0, 1.0 / 32.0));
        assert_eq!(a[512], (1.0 / 16.0, 1.0 / 16.0));
    }
}
