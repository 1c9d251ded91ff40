//! Faces: detection (YuNet or BlazeFace), alignment (five landmarks onto
//! ArcFace's template, or a square turned so the eyes are level), an
//! identity embedding, and tracks of one face across the sampled frames of
//! a video.
//! Each track becomes one `face` insight whose `embedding` the store moves
//! into its face index, where faces are clustered into persons.

use aima_core::{ErrorCode, Insight, MediaKind};
use aima_models::vision::{Decoder, FaceAlign};
use async_trait::async_trait;
use image::RgbImage;
use serde::Deserialize;

use super::{BoxF, FrameOptions, Placement, Track, Tracker, VisionModel};
use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

pub struct Faces;

const DEFAULT_MODEL: &str = "faces-yunet-sface";

/// Frames are read at most this large (pixels on the longer side).
const MAX_SIDE: u32 = 1280;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Options {
    model: String,
    /// The detector's score a face needs. Default by detector: BlazeFace
    /// 0.73 (MediaPipe's default is 0.5; measured on scikit-image's photos:
    /// faces 0.79-0.94, the best non-face, a motorcycle's wheel hub, 0.69,
    /// a cat 0.50; the default sits between), YuNet 0.9 (OpenCV's default).
    min_score: Option<f32>,
    /// Faces smaller than this share of the frame's shorter side are skipped
    /// (too small to recognise).
    min_size: f32,
    frames: FrameOptions,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            model: DEFAULT_MODEL.into(),
            min_score: None,
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
    /// As the detector gives them (right and left as the subject sees
    /// them): YuNet's five (right eye, left eye, nose tip, right and left
    /// mouth corner) or BlazeFace's six (right eye, left eye, nose, mouth,
    /// right ear, left ear).
    pub landmarks: Vec<(f32, f32)>,
    pub embedding: Vec<f32>,
    /// The aligned crop the embedding was taken from.
    pub crop: RgbImage,
}

/// A detected face before embedding: score, box, landmarks.
type Detected = (f32, BoxF, Vec<(f32, f32)>);

#[derive(Clone)]
pub struct FaceModels {
    detect: VisionModel,
    embed: VisionModel,
    align: FaceAlign,
    /// The embedding's own threshold for one person, if its model names one.
    pub match_threshold: Option<f32>,
}

impl FaceModels {
    pub async fn load(
        models: &aima_models::ModelManager,
        name: &str,
    ) -> Result<Self, AnalyzerError> {
        let detect = super::load(models, name, "detect.onnx").await?;
        let embed = super::load(models, name, "embed.onnx").await?;
        let refuse = |why: &str| {
            Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                format!("model {name:?} {why}"),
            ))
        };
        let Decoder::Embedding {
            align,
            match_threshold,
            ..
        } = embed.spec.decoder
        else {
            return refuse("is not a face detector with an embedding");
        };
        match (&detect.spec.decoder, align) {
            (Decoder::Yunet, _) | (Decoder::BlazeFace, FaceAlign::EyeLevel) => {}
            (Decoder::BlazeFace, FaceAlign::Arcface) => {
                return refuse("aligns on five landmarks, which BlazeFace does not give")
            }
            _ => return refuse("is not a face detector with an embedding"),
        }
        Ok(Self {
            detect,
            embed,
            align,
            match_threshold,
        })
    }

    /// The detector's default score threshold (see `Options::min_score`).
    fn default_min_score(&self) -> f32 {
        if self.detect.spec.decoder == Decoder::Yunet {
            0.9
        } else {
            0.73
        }
    }

    /// Two faces on consecutive frames are one track at this similarity
    /// (two thirds of it when their boxes overlap).
    fn same_face_threshold(&self) -> f32 {
        self.match_threshold.unwrap_or(0.6)
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
        let crops: Vec<RgbImage> = found
            .iter()
            .map(|(_, b, l)| match self.align {
                FaceAlign::Arcface => align_arcface(image, l),
                FaceAlign::EyeLevel => align(image, b, l),
            })
            .collect();
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

    /// YuNet sees the whole frame at 640 x 640. BlazeFace (short range)
    /// sees a 128 x 128 square: on a wide frame a face shrinks below what
    /// it finds, so it runs on the whole frame and on overlapping squares
    /// across the frame's longer side, and the boxes are merged by
    /// non-maximum suppression.
    fn detect(&self, image: &RgbImage, min_score: f32) -> Result<Vec<Detected>, AnalyzerError> {
        let (w, h) = (image.width(), image.height());
        if self.detect.spec.decoder == Decoder::Yunet {
            let found = self.detect_yunet(image, min_score)?;
            let keep = super::nms(&found, |f| f.0, |f| f.1, 0.3);
            return Ok(keep
                .into_iter()
                .map(|i| {
                    let (s, b, l) = found[i].clone();
                    (s, b.clamp(w, h), l)
                })
                .collect());
        }
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
                    l.into_iter().map(shift).collect(),
                ));
            }
        }
        let keep = super::nms(&all, |f| f.0, |f| f.1, 0.3);
        Ok(keep
            .into_iter()
            .map(|i| {
                let (s, b, l) = all[i].clone();
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

    fn detect_yunet(
        &self,
        image: &RgbImage,
        min_score: f32,
    ) -> Result<Vec<Detected>, AnalyzerError> {
        let names: Vec<String> = YUNET_STRIDES
            .iter()
            .flat_map(|s| ["cls", "obj", "bbox", "kps"].map(|k| format!("{k}_{s}")))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let (at, outputs) = super::infer_outputs(&self.detect, image, &refs, "the face detector")?;
        let mut per_stride = outputs.into_iter().map(|o| o.values);
        let mut strides = Vec::new();
        for _ in YUNET_STRIDES {
            let mut next = || per_stride.next().unwrap_or_default();
            strides.push([next(), next(), next(), next()]);
        }
        decode_yunet(&strides, &at, min_score).ok_or_else(|| {
            AnalyzerError::abort(
                ErrorCode::AnalyzerFailed,
                "the face detector's outputs do not match YuNet's grid",
            )
        })
    }

    fn embed(&self, crops: &[RgbImage]) -> Result<Vec<Vec<f32>>, AnalyzerError> {
        let spec = &self.embed.spec.input;
        let placed: Vec<RgbImage> = crops.iter().map(|c| super::place(c, spec).0).collect();
        let tensor = super::tensor(&placed, spec);
        let Decoder::Embedding { output, .. } = &self.embed.spec.decoder else {
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
        let bx = at.centre_box(cx, cy, r[2], r[3]);
        let landmarks = (0..6)
            .map(|k| at.to_frame(ax * iw + r[4 + 2 * k], ay * ih + r[5 + 2 * k]))
            .collect();
        out.push((score, bx, landmarks));
    }
    Some(out)
}

/// YuNet's strides: one output of each kind per stride (`cls_8`, `obj_8`,
/// `bbox_8`, `kps_8`, then 16 and 32).
const YUNET_STRIDES: [u32; 3] = [8, 16, 32];

/// YuNet (OpenCV's face detector) outputs, per stride `s` and grid cell
/// (row `r`, column `c` of a `W/s` x `H/s` grid): class and objectness
/// scores, a box (centre offsets in cells, log size in cells) and five
/// landmarks (offsets in cells). Decoded as OpenCV's `FaceDetectorYN`
/// does (`face_detect.cpp`): score = sqrt(cls * obj), centre = (c + dx,
/// r + dy) * s, size = exp(dw, dh) * s, landmark = (c + lx, r + ly) * s.
/// `outputs` holds, per stride, the values of cls, obj, bbox and kps.
fn decode_yunet(
    outputs: &[[Vec<f32>; 4]],
    at: &Placement,
    min_score: f32,
) -> Option<Vec<Detected>> {
    let (iw, ih) = (at.input_width, at.input_height);
    let mut out = Vec::new();
    for (stride, [cls, obj, bbox, kps]) in YUNET_STRIDES.iter().zip(outputs) {
        let (cols, rows) = ((iw / stride) as usize, (ih / stride) as usize);
        let n = cols * rows;
        if cls.len() != n || obj.len() != n || bbox.len() != n * 4 || kps.len() != n * 10 {
            return None;
        }
        let s = *stride as f32;
        for i in 0..n {
            let score = (cls[i].clamp(0.0, 1.0) * obj[i].clamp(0.0, 1.0)).sqrt();
            if score < min_score {
                continue;
            }
            let (c, r) = ((i % cols) as f32, (i / cols) as f32);
            let b = &bbox[i * 4..i * 4 + 4];
            let (cx, cy) = ((c + b[0]) * s, (r + b[1]) * s);
            let bx = at.centre_box(cx, cy, b[2].exp() * s, b[3].exp() * s);
            let k = &kps[i * 10..i * 10 + 10];
            let landmarks = (0..5)
                .map(|j| at.to_frame((c + k[2 * j]) * s, (r + k[2 * j + 1]) * s))
                .collect();
            out.push((score, bx, landmarks));
        }
    }
    Some(out)
}

/// Where ArcFace-style embeddings (SFace, ArcFace, ...) want the five
/// landmarks (right eye, left eye, nose tip, right and left mouth corner,
/// as the subject sees them) on their 112 x 112 input: the template
/// InsightFace and OpenCV's `FaceRecognizerSF::alignCrop` use.
const ARCFACE_112: [(f32, f32); 5] = [
    (38.2946, 51.6963),
    (73.5318, 51.5014),
    (56.0252, 71.7366),
    (41.5493, 92.3655),
    (70.7299, 92.2041),
];

/// The similarity transform (scale, rotation, translation; no reflection)
/// that maps `src` onto `dst` best in least squares: Umeyama's closed form
/// for 2-D points, written out because no image crate here estimates one.
/// Returns (a, b, tx, ty) for x' = a x - b y + tx, y' = b x + a y + ty.
fn similarity(src: &[(f32, f32)], dst: &[(f32, f32)]) -> (f32, f32, f32, f32) {
    let n = src.len().min(dst.len()).max(1) as f32;
    let mean = |p: &[(f32, f32)]| {
        let (sx, sy) = p.iter().fold((0.0, 0.0), |a, q| (a.0 + q.0, a.1 + q.1));
        (sx / n, sy / n)
    };
    let (ms, md) = (mean(src), mean(dst));
    let (mut sxx, mut sxy, mut var) = (0.0f32, 0.0f32, 0.0f32);
    for (p, q) in src.iter().zip(dst) {
        let (px, py) = (p.0 - ms.0, p.1 - ms.1);
        let (qx, qy) = (q.0 - md.0, q.1 - md.1);
        sxx += px * qx + py * qy;
        sxy += px * qy - py * qx;
        var += px * px + py * py;
    }
    if var <= f32::EPSILON {
        return (1.0, 0.0, md.0 - ms.0, md.1 - ms.1);
    }
    let (a, b) = (sxx / var, sxy / var);
    (
        a,
        b,
        md.0 - (a * ms.0 - b * ms.1),
        md.1 - (b * ms.0 + a * ms.1),
    )
}

/// The 112 x 112 crop with the five landmarks on ArcFace's template
/// (bilinear; outside the frame is black).
fn align_arcface(image: &RgbImage, l: &[(f32, f32)]) -> RgbImage {
    let (a, b, tx, ty) = similarity(l, &ARCFACE_112);
    // Invert x' = a x - b y + tx, y' = b x + a y + ty.
    let det = a * a + b * b;
    let (iw, ih) = (image.width() as f32, image.height() as f32);
    RgbImage::from_fn(112, 112, |u, v| {
        let (dx, dy) = (u as f32 - tx, v as f32 - ty);
        let (x, y) = ((a * dx + b * dy) / det, (a * dy - b * dx) / det);
        bilinear(image, x, y, iw, ih)
    })
}

/// The pixel at (`x`, `y`) interpolated between its four neighbours
/// (black outside the `w` x `h` image).
fn bilinear(image: &RgbImage, x: f32, y: f32, w: f32, h: f32) -> image::Rgb<u8> {
    let (x, y) = (x - 0.5, y - 0.5);
    if x < -1.0 || y < -1.0 || x >= w || y >= h {
        return image::Rgb([0, 0, 0]);
    }
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let px = |xi: f32, yi: f32| -> [f32; 3] {
        if xi < 0.0 || yi < 0.0 || xi >= w || yi >= h {
            return [0.0; 3];
        }
        let p = image.get_pixel(xi as u32, yi as u32).0;
        [p[0] as f32, p[1] as f32, p[2] as f32]
    };
    let (a, b, c, d) = (
        px(x0, y0),
        px(x0 + 1.0, y0),
        px(x0, y0 + 1.0),
        px(x0 + 1.0, y0 + 1.0),
    );
    let mut out = [0u8; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let top = a[k] + (b[k] - a[k]) * fx;
        let bottom = c[k] + (d[k] - c[k]) * fx;
        *o = (top + (bottom - top) * fy).round().clamp(0.0, 255.0) as u8;
    }
    image::Rgb(out)
}

/// A square crop around the face, turned so the eyes are level.
fn align(image: &RgbImage, b: &BoxF, l: &[(f32, f32)]) -> RgbImage {
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
        "Faces on sampled frames (YuNet or BlazeFace), aligned and embedded, tracked within the media and clustered into persons across the workspace"
    }
    fn accepts(&self) -> &'static [MediaKind] {
        &[MediaKind::Video, MediaKind::Image]
    }
    fn models(&self) -> &'static [&'static str] {
        &["onnxruntime", DEFAULT_MODEL]
    }
    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        let o: Options = parse_options(options)?;
        if !(0.0..=1.0).contains(&o.min_score.unwrap_or(0.5)) || !(0.0..=1.0).contains(&o.min_size)
        {
            return Err("min_score and min_size must be between 0 and 1".into());
        }
        o.frames.check()
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
        let models = FaceModels::load(input.models, &o.model).await?;
        let min_score = o.min_score.unwrap_or_else(|| models.default_min_score());
        let same = models.same_face_threshold();
        let mut tracker: Tracker<(Face, u32, u32)> = Tracker::default();
        let mut frames = super::Frames::open(&mut input, &o.frames, MAX_SIDE)?;
        let mut n = 0u32;
        while let Some(frame) = frames.next(sink).await? {
            let (m, opts) = (models.clone(), o.clone());
            let (w, h) = (frame.image.width(), frame.image.height());
            let faces =
                super::blocking(move || m.faces(&frame.image, min_score, opts.min_size)).await?;
            let found = faces.into_iter().map(|f| (f, w, h)).collect();
            for t in tracker.observe(frame.time, found, |a, b| same_face(a, b, same)) {
                emit_face(&input, sink, &t, &mut n, models.match_threshold).await?;
            }
        }
        frames.finish(sink).await?;
        for t in tracker.finish(input.duration) {
            emit_face(&input, sink, &t, &mut n, models.match_threshold).await?;
        }
        Ok(())
    }
}

/// The same face on the next sampled frame: a close embedding (at least
/// `threshold`), or overlapping boxes with a fairly close one (two thirds
/// of it).
fn same_face(a: &(Face, u32, u32), b: &(Face, u32, u32), threshold: f32) -> f32 {
    let rel = |f: &(Face, u32, u32)| BoxF {
        x1: f.0.bx.x1 / f.1 as f32,
        y1: f.0.bx.y1 / f.2 as f32,
        x2: f.0.bx.x2 / f.1 as f32,
        y2: f.0.bx.y2 / f.2 as f32,
    };
    let sim = cosine(&a.0.embedding, &b.0.embedding);
    let iou = rel(a).iou(&rel(b));
    if sim >= threshold || (iou >= 0.3 && sim >= threshold * 2.0 / 3.0) {
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
    match_threshold: Option<f32>,
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
    let mut data = serde_json::json!({
        "score": super::round3(best.score),
        "box": best.bx.json(*w, *h),
        "landmarks": landmarks,
        "frames": t.seen.len(),
        "embedding": embedding,
    });
    // The store clusters with the embedding model's own threshold.
    if let Some(m) = match_threshold {
        data["match_threshold"] = serde_json::json!(m);
    }
    sink.emit(Insight {
        analyzer: "faces".into(),
        kind: "face".into(),
        start: t.start,
        end: t.end,
        data,
        artifact: Some(artifact),
        key,
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_similarity_is_recovered_from_its_points() {
        // Scale 1.5, a 30 degree turn, then a shift.
        let (a, b) = (
            1.5 * 30f32.to_radians().cos(),
            1.5 * 30f32.to_radians().sin(),
        );
        let src = [
            (10.0, 20.0),
            (40.0, 22.0),
            (25.0, 35.0),
            (15.0, 50.0),
            (38.0, 49.0),
        ];
        let dst: Vec<(f32, f32)> = src
            .iter()
            .map(|(x, y)| (a * x - b * y + 7.0, b * x + a * y - 3.0))
            .collect();
        let (ra, rb, tx, ty) = similarity(&src, &dst);
        for (got, want) in [(ra, a), (rb, b), (tx, 7.0), (ty, -3.0)] {
            assert!((got - want).abs() < 1e-3, "{got} vs {want}");
        }
    }

    #[test]
    fn arcface_alignment_puts_the_landmarks_on_the_template() {
        // A frame with five white dots where a tilted, larger face has its
        // landmarks: after alignment the dots sit on ArcFace's template.
        let (a, b) = (2.0 * 0.2f32.cos(), 2.0 * 0.2f32.sin());
        let place = |(x, y): (f32, f32)| (a * x - b * y + 100.0, b * x + a * y + 60.0);
        let landmarks: Vec<(f32, f32)> = ARCFACE_112.iter().map(|p| place(*p)).collect();
        let mut frame = RgbImage::new(400, 400);
        for (x, y) in &landmarks {
            for dy in -3..=3 {
                for dx in -3..=3 {
                    frame.put_pixel(
                        (x.round() as i32 + dx) as u32,
                        (y.round() as i32 + dy) as u32,
                        image::Rgb([255, 255, 255]),
                    );
                }
            }
        }
        let crop = align_arcface(&frame, &landmarks);
        assert_eq!((crop.width(), crop.height()), (112, 112));
        for (x, y) in ARCFACE_112 {
            let p = crop.get_pixel(x.round() as u32, y.round() as u32).0;
            assert!(p[0] > 200, "no dot at ({x}, {y}): {p:?}");
        }
        // Elsewhere (between the eyes, above the mouth) it stays dark.
        assert!(crop.get_pixel(56, 85).0[0] < 50);
        assert!(crop.get_pixel(56, 30).0[0] < 50);
    }

    #[test]
    fn yunet_cells_decode_to_boxes_and_landmarks() {
        // A 64 x 32 input: stride 8 has 8 x 4 cells, 16 has 4 x 2, 32 has 2 x 1.
        let at = Placement {
            scale_x: 0.5,
            scale_y: 0.5,
            offset_x: 0.0,
            offset_y: 0.0,
            input_width: 64,
            input_height: 32,
        };
        let empty = |n: usize| {
            [
                vec![0.0; n],
                vec![0.0; n],
                vec![0.0; n * 4],
                vec![0.0; n * 10],
            ]
        };
        let mut s8 = empty(32);
        // Cell (row 1, column 2): scores 0.81 x 1.0 -> 0.9; centre offset
        // (0.5, 0.5) cells; size e^1 cells; landmarks one cell right and down.
        let i = 8 + 2;
        s8[0][i] = 0.81;
        s8[1][i] = 1.5; // clamped to 1
        s8[2][i * 4..i * 4 + 4].copy_from_slice(&[0.5, 0.5, 1.0, 1.0]);
        for k in 0..5 {
            s8[3][i * 10 + 2 * k] = 1.0;
            s8[3][i * 10 + 2 * k + 1] = 1.0;
        }
        s8[0][0] = 0.5; // below the threshold
        let d = decode_yunet(&[s8, empty(8), empty(2)], &at, 0.85).unwrap_or_default();
        assert_eq!(d.len(), 1);
        let (score, bx, l) = &d[0];
        assert!((score - 0.9).abs() < 1e-6);
        // Centre (2.5, 1.5) cells = (20, 12) input px = (40, 24) frame px;
        // size e * 8 input px = e * 16 frame px.
        let half = std::f32::consts::E * 8.0;
        assert!((bx.x1 - (40.0 - half)).abs() < 1e-3 && (bx.y2 - (24.0 + half)).abs() < 1e-3);
        assert_eq!(l.len(), 5);
        assert_eq!(l[0], (48.0, 32.0));
        // A stride whose outputs do not fit the grid is refused.
        assert!(decode_yunet(&[empty(31), empty(8), empty(2)], &at, 0.5).is_none());
    }

    #[test]
    fn anchors_match_the_model() {
        let a = blazeface_anchors();
        assert_eq!(a.len(), 896);
        assert_eq!(a[0], (1.0 / 32.0, 1.0 / 32.0));
        assert_eq!(a[512], (1.0 / 16.0, 1.0 / 16.0));
    }
}
