//! OCR: PaddleOCR text detection (DB) and recognition (CTC) on sampled
//! frames, lines in reading order with text, confidence and box; the same
//! line on consecutive frames becomes one time range.
//!
//! The post-processing follows PaddleOCR's `DBPostProcess` (as RapidOCR
//! ships it): threshold the probability map, dilate, take each outer contour's
//! minimum-area rectangle, score it by the mean probability inside, grow it by
//! `area * unclip_ratio / perimeter`, then crop it upright from the frame.
//! imageproc gives contours and convex hulls; the rectangle, the unclip and
//! the crop are written here because the detected shapes are rectangles, for
//! which the polygon offset PaddleOCR runs through pyclipper is exactly this
//! growth, and no Rust crate does it for floating-point rectangles.

use aima_core::{ErrorCode, Insight, MediaKind};
use aima_models::vision::Decoder;
use async_trait::async_trait;
use image::{GrayImage, RgbImage};
use ndarray::Array4;
use serde::Deserialize;

use super::{FrameOptions, Track, Tracker, VisionModel};
use crate::{parse_options, Analyzer, AnalyzerError, AnalyzerInput, InsightSink};

pub struct Ocr;

/// Frames are read at most this large (pixels on the longer side).
const MAX_SIDE: u32 = 1920;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OcrOptions {
    pub model: String,
    /// Pixels of the probability map above this are text.
    pub det_threshold: f32,
    /// Boxes whose mean probability is below this are dropped.
    pub box_threshold: f32,
    pub unclip_ratio: f32,
    /// Lines recognised with less confidence than this are dropped.
    /// RapidOCR keeps 0.5 and then reads shapes in photos as text (a cat's
    /// fur as "0" at 0.74, a cup as "8" at 0.95, brand lettering misread as
    /// "YAMAMA" at 0.80); printed and rendered text reads at 0.96-1.0.
    pub min_confidence: f32,
    /// Lines whose crop has less brightness spread than this (0 to 1) are
    /// dropped: text is drawn to be read. Coat buttons read as "0000" at
    /// 0.88-0.98 confidence have 0.15; text measured 0.26-0.61.
    pub min_contrast: f32,
    pub frames: FrameOptions,
}

impl Default for OcrOptions {
    fn default() -> Self {
        Self {
            model: "ocr-ppocrv6".into(),
            det_threshold: 0.3,
            box_threshold: 0.5,
            unclip_ratio: 1.6,
            min_confidence: 0.9,
            min_contrast: 0.2,
            frames: FrameOptions::default(),
        }
    }
}

impl OcrOptions {
    fn check(&self) -> Result<(), String> {
        for (n, v) in [
            ("det_threshold", self.det_threshold),
            ("box_threshold", self.box_threshold),
            ("min_confidence", self.min_confidence),
            ("min_contrast", self.min_contrast),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{n} must be between 0 and 1"));
            }
        }
        if !(1.0..=4.0).contains(&self.unclip_ratio) {
            return Err("unclip_ratio must be between 1 and 4".into());
        }
        self.frames.check()
    }
}

/// One recognised line: a quadrilateral (top-left, top-right, bottom-right,
/// bottom-left) in frame pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    /// Recognition confidence (mean probability of the characters).
    pub confidence: f32,
    /// Detection score (mean text probability inside the box).
    pub box_score: f32,
    /// Spread of brightness inside the crop (0 to 1).
    pub contrast: f32,
    pub quad: [(f32, f32); 4],
}

/// The two models and the alphabet, loaded once.
#[derive(Clone)]
pub struct OcrModels {
    det: VisionModel,
    rec: VisionModel,
    alphabet: std::sync::Arc<Vec<String>>,
}

impl OcrModels {
    pub async fn load(
        models: &aima_models::ModelManager,
        name: &str,
    ) -> Result<Self, AnalyzerError> {
        let det = super::load(models, name, "det.onnx").await?;
        let rec = super::load(models, name, "rec.onnx").await?;
        if det.spec.decoder != Decoder::DbText
            || !matches!(rec.spec.decoder, Decoder::CtcText { .. })
        {
            return Err(AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                format!("model {name:?} is not a DB + CTC text model"),
            ));
        }
        let chars = {
            let s = super::lock(&rec.session);
            s.metadata().ok().and_then(|m| m.custom("character"))
        }
        .ok_or_else(|| {
            AnalyzerError::abort(
                ErrorCode::ModelMissing,
                format!("the recognition model of {name:?} has no `character` metadata"),
            )
        })?;
        let mut alphabet = vec![String::new()];
        alphabet.extend(chars.lines().map(str::to_string));
        alphabet.push(" ".into());
        Ok(Self {
            det,
            rec,
            alphabet: std::sync::Arc::new(alphabet),
        })
    }

    /// Every line of text on `image`, in reading order.
    pub fn read(&self, image: &RgbImage, o: &OcrOptions) -> Result<Vec<Line>, AnalyzerError> {
        let quads = self.detect(image, o)?;
        if quads.is_empty() {
            return Ok(Vec::new());
        }
        let crops: Vec<RgbImage> = quads.iter().map(|q| crop_upright(image, &q.0)).collect();
        let texts = self.recognize(&crops)?;
        Ok(quads
            .into_iter()
            .zip(texts)
            .zip(crops.iter().map(contrast))
            .filter(|(((q, _), (t, c)), contrast)| {
                !t.trim().is_empty()
                    && *c >= o.min_confidence
                    && *contrast >= o.min_contrast
                    && plausible(q, t)
            })
            .map(|(((quad, box_score), (text, confidence)), contrast)| Line {
                text: text.trim().to_string(),
                confidence,
                box_score,
                contrast,
                quad,
            })
            .collect())
    }

    fn detect(&self, image: &RgbImage, o: &OcrOptions) -> Result<Vec<Quad>, AnalyzerError> {
        let spec = &self.det.spec.input;
        let (placed, _) = super::place(image, spec);
        let (mw, mh) = (placed.width(), placed.height());
        let tensor = super::tensor(&[placed], spec);
        let out = super::run_one(&self.det.session, spec, &tensor, &None, "the text detector")?;
        if out.values.len() != (mw * mh) as usize {
            return Err(AnalyzerError::abort(
                ErrorCode::AnalyzerFailed,
                format!("the text detector's map has shape {:?}", out.shape),
            ));
        }
        let prob = out.values;
        Ok(db_boxes(&prob, mw, mh, image.width(), image.height(), o))
    }

    /// Text and confidence per crop, in the crops' order.
    fn recognize(&self, crops: &[RgbImage]) -> Result<Vec<(String, f32)>, AnalyzerError> {
        const BATCH: usize = 6;
        let spec = &self.rec.spec.input;
        let height = match self.rec.spec.decoder {
            Decoder::CtcText { height } => height,
            _ => spec.height,
        };
        let base_ratio = spec.width as f32 / spec.height.max(1) as f32;
        let ratio = |c: &RgbImage| c.width() as f32 / c.height().max(1) as f32;
        // Similar widths together: less padding per batch.
        let mut order: Vec<usize> = (0..crops.len()).collect();
        order.sort_by(|&a, &b| ratio(&crops[a]).total_cmp(&ratio(&crops[b])));
        let mut out = vec![(String::new(), 0.0); crops.len()];
        let err = super::infer_err("the text recogniser");
        for batch in order.chunks(BATCH) {
            let max_ratio = batch
                .iter()
                .map(|&i| ratio(&crops[i]))
                .fold(base_ratio, f32::max)
                .min(64.0);
            let width = ((height as f32 * max_ratio) as u32).max(1);
            let mut t = Array4::<f32>::zeros((batch.len(), 3, height as usize, width as usize));
            for (b, &i) in batch.iter().enumerate() {
                let c = &crops[i];
                let w = ((height as f32 * ratio(c)).ceil() as u32).clamp(1, width);
                let r =
                    image::imageops::resize(c, w, height, image::imageops::FilterType::Triangle);
                let order = match spec.color {
                    aima_models::vision::ColorOrder::Rgb => [0, 1, 2],
                    aima_models::vision::ColorOrder::Bgr => [2, 1, 0],
                };
                for (x, y, p) in r.enumerate_pixels() {
                    for (ch, &src) in order.iter().enumerate() {
                        t[[b, ch, y as usize, x as usize]] =
                            (p.0[src] as f32 - spec.mean[ch]) / spec.std[ch];
                    }
                }
            }
            let mut session = super::lock(&self.rec.session);
            let input_name = super::input_name(&session, spec);
            let output = super::output_name(&session, &None);
            let outputs = session
                .run(ort::inputs![input_name => ort::value::TensorRef::from_array_view(&t).map_err(&err)?])
                .map_err(&err)?;
            let super::Output {
                shape,
                values: flat,
            } = super::read_output(&outputs, &output, "the text recogniser")?;
            if shape.len() != 3 || shape[0] != batch.len() {
                return Err(AnalyzerError::abort(
                    ErrorCode::AnalyzerFailed,
                    format!("the text recogniser's output has shape {shape:?}"),
                ));
            }
            let per = shape[1] * shape[2];
            for (b, &i) in batch.iter().enumerate() {
                out[i] = ctc_decode(&flat[b * per..(b + 1) * per], shape[2], &self.alphabet);
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl Analyzer for Ocr {
    fn name(&self) -> &'static str {
        "ocr"
    }
    fn description(&self) -> &'static str {
        "Text lines on sampled frames (PaddleOCR detection and recognition), in reading order, joined into time ranges"
    }
    fn accepts(&self) -> &'static [MediaKind] {
        &[MediaKind::Video, MediaKind::Image]
    }
    fn models(&self) -> &'static [&'static str] {
        &["onnxruntime", "ocr-ppocrv6"]
    }
    fn check_options(&self, options: &serde_json::Value) -> Result<(), String> {
        parse_options::<OcrOptions>(options)?.check()
    }
    fn frame_request(&self, options: &serde_json::Value) -> Option<super::FrameRequest> {
        parse_options::<OcrOptions>(options)
            .ok()
            .map(|o| o.frames.request(MAX_SIDE))
    }

    async fn run(
        &self,
        mut input: AnalyzerInput<'_>,
        sink: &mut dyn InsightSink,
    ) -> Result<(), AnalyzerError> {
        let o: OcrOptions = crate::run_options(input.options)?;
        let models = OcrModels::load(input.models, &o.model).await?;
        let mut tracker: Tracker<(Line, u32, u32, usize)> = Tracker::default();
        let mut frames = super::Frames::open(&mut input, &o.frames, MAX_SIDE)?;
        let name = self.name();
        while let Some(frame) = frames.next(sink).await? {
            let (m, opts) = (models.clone(), o.clone());
            let (w, h) = (frame.image.width(), frame.image.height());
            let lines = super::blocking(move || m.read(&frame.image, &opts)).await?;
            let found = lines
                .into_iter()
                .enumerate()
                .map(|(i, l)| (l, w, h, i))
                .collect();
            for t in tracker.observe(frame.time, found, |a, b| {
                if a.0.text == b.0.text {
                    1.0
                } else {
                    0.0
                }
            }) {
                emit_line(sink, name, &t).await?;
            }
        }
        frames.finish(sink).await?;
        for t in tracker.finish(input.duration) {
            emit_line(sink, name, &t).await?;
        }
        Ok(())
    }
}

async fn emit_line(
    sink: &mut dyn InsightSink,
    name: &str,
    t: &Track<(Line, u32, u32, usize)>,
) -> Result<(), AnalyzerError> {
    let (line, w, h, order) = t.best(|l| l.0.confidence);
    let (fw, fh) = (*w as f32, *h as f32);
    let xs = line.quad.map(|p| p.0);
    let ys = line.quad.map(|p| p.1);
    let bx = super::BoxF {
        x1: xs.iter().copied().fold(f32::MAX, f32::min),
        y1: ys.iter().copied().fold(f32::MAX, f32::min),
        x2: xs.iter().copied().fold(f32::MIN, f32::max),
        y2: ys.iter().copied().fold(f32::MIN, f32::max),
    };
    let polygon: Vec<[f64; 2]> = line
        .quad
        .iter()
        .map(|(x, y)| [super::round3(x / fw), super::round3(y / fh)])
        .collect();
    sink.emit(Insight {
        analyzer: name.into(),
        kind: "text".into(),
        start: t.start,
        end: t.end,
        data: serde_json::json!({
            "text": line.text,
            "confidence": super::round3(line.confidence),
            "box_score": super::round3(line.box_score),
            "contrast": super::round3(line.contrast),
            "box": bx.json(*w, *h),
            "polygon": polygon,
            "order": order,
            "frames": t.seen.len(),
        }),
        artifact: None,
        key: format!("line-{:.3}-{order}", t.start),
    })
    .await
}

/// Whether a box is shaped like a line of `text`: a glyph, even a wide one
/// with the unclip margin around it, is at most about as wide as the line is
/// tall (a single "8" measures 0.75); a whole photo read as one character
/// ("8" over a coffee cup filling the frame, 1.78) is not a line of text.
fn plausible(q: &[(f32, f32); 4], text: &str) -> bool {
    let dist = |a: (f32, f32), b: (f32, f32)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let (w, h) = (dist(q[0], q[1]), dist(q[0], q[3]));
    let (w, h) = if h > 1.5 * w { (h, w) } else { (w, h) };
    let chars = text.trim().chars().count().max(1) as f32;
    w / chars <= 1.5 * h
}

/// The spread between the darker and the brighter tenth of a crop's
/// brightness, 0 to 1.
fn contrast(crop: &RgbImage) -> f32 {
    let mut luma: Vec<u8> = crop
        .pixels()
        .map(|p| ((p.0[0] as u32 * 299 + p.0[1] as u32 * 587 + p.0[2] as u32 * 114) / 1000) as u8)
        .collect();
    if luma.is_empty() {
        return 0.0;
    }
    luma.sort_unstable();
    let at = |q: f32| luma[((luma.len() - 1) as f32 * q) as usize] as f32;
    (at(0.9) - at(0.1)) / 255.0
}

/// Greedy CTC: best class per step, repeats collapsed, blanks (0) dropped;
/// confidence is the mean probability of the kept steps.
fn ctc_decode(probs: &[f32], classes: usize, alphabet: &[String]) -> (String, f32) {
    let mut text = String::new();
    let (mut sum, mut n) = (0.0f32, 0usize);
    let mut prev = usize::MAX;
    for step in probs.chunks_exact(classes) {
        let (best, p) = step
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        if best != 0 && best != prev {
            if let Some(c) = alphabet.get(best) {
                text.push_str(c);
                sum += p;
                n += 1;
            }
        }
        prev = best;
    }
    (text, if n == 0 { 0.0 } else { sum / n as f32 })
}

/// A text box (top-left, top-right, bottom-right, bottom-left, in frame
/// pixels) and its detection score.
type Quad = ([(f32, f32); 4], f32);

/// Text boxes from a DB probability map of `mw` x `mh`, as quads in the
/// frame's pixels (`fw` x `fh`), in reading order.
fn db_boxes(prob: &[f32], mw: u32, mh: u32, fw: u32, fh: u32, o: &OcrOptions) -> Vec<Quad> {
    const MIN_SIZE: f32 = 3.0;
    const MAX_CANDIDATES: usize = 1000;
    // Threshold, then dilate with a 2x2 kernel (PaddleOCR's use_dilation).
    let on = |x: u32, y: u32| prob[(y * mw + x) as usize] > o.det_threshold;
    let bitmap = GrayImage::from_fn(mw, mh, |x, y| {
        let hit = on(x, y)
            || (x > 0 && on(x - 1, y))
            || (y > 0 && on(x, y - 1))
            || (x > 0 && y > 0 && on(x - 1, y - 1));
        image::Luma([if hit { 255 } else { 0 }])
    });
    let contours = imageproc::contours::find_contours::<i32>(&bitmap);
    let (sx, sy) = (fw as f32 / mw as f32, fh as f32 / mh as f32);
    let mut quads = Vec::new();
    for c in contours
        .iter()
        .filter(|c| c.border_type == imageproc::contours::BorderType::Outer)
        .take(MAX_CANDIDATES)
    {
        let hull = imageproc::geometry::convex_hull(c.points.clone());
        let pts: Vec<(f32, f32)> = hull.iter().map(|p| (p.x as f32, p.y as f32)).collect();
        let Some(rect) = min_area_rect(&pts) else {
            continue;
        };
        if rect.w.min(rect.h) < MIN_SIZE {
            continue;
        }
        let score = mean_in_quad(prob, mw, mh, &rect.corners());
        if score < o.box_threshold {
            continue;
        }
        let d = rect.w * rect.h * o.unclip_ratio / (2.0 * (rect.w + rect.h));
        let grown = Rect {
            w: rect.w + 2.0 * d,
            h: rect.h + 2.0 * d,
            ..rect
        };
        if grown.w.min(grown.h) < MIN_SIZE + 2.0 {
            continue;
        }
        let quad = order_clockwise(grown.corners().map(|(x, y)| {
            (
                (x * sx).round().clamp(0.0, fw as f32 - 1.0),
                (y * sy).round().clamp(0.0, fh as f32 - 1.0),
            )
        }));
        let dist =
            |a: (f32, f32), b: (f32, f32)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
        if dist(quad[0], quad[1]) <= 3.0 || dist(quad[0], quad[3]) <= 3.0 {
            continue;
        }
        quads.push((quad, score));
    }
    reading_order(&mut quads);
    quads
}

/// Top to bottom; boxes whose tops are within 10 pixels are one line, read
/// left to right (PaddleOCR's `sorted_boxes`).
fn reading_order(quads: &mut [Quad]) {
    quads.sort_by(|a, b| a.0[0].1.total_cmp(&b.0[0].1));
    let mut line = 0;
    let mut keyed: Vec<(usize, f32, Quad)> = Vec::with_capacity(quads.len());
    for (i, q) in quads.iter().enumerate() {
        if i > 0 && q.0[0].1 - quads[i - 1].0[0].1 >= 10.0 {
            line += 1;
        }
        keyed.push((line, q.0[0].0, *q));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    for (slot, k) in quads.iter_mut().zip(keyed) {
        *slot = k.2;
    }
}

/// A rotated rectangle: centre, unit axis along its width, and size.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    cx: f32,
    cy: f32,
    ux: f32,
    uy: f32,
    w: f32,
    h: f32,
}

impl Rect {
    fn corners(&self) -> [(f32, f32); 4] {
        let (hx, hy) = (self.ux * self.w / 2.0, self.uy * self.w / 2.0);
        let (vx, vy) = (-self.uy * self.h / 2.0, self.ux * self.h / 2.0);
        [
            (self.cx - hx - vx, self.cy - hy - vy),
            (self.cx + hx - vx, self.cy + hy - vy),
            (self.cx + hx + vx, self.cy + hy + vy),
            (self.cx - hx + vx, self.cy - hy + vy),
        ]
    }
}

/// The minimum-area rectangle around a convex hull (rotating calipers: one
/// side lies on a hull edge). Pixel centres span one pixel each, so a hull
/// of a single row still has height 1.
fn min_area_rect(hull: &[(f32, f32)]) -> Option<Rect> {
    if hull.is_empty() {
        return None;
    }
    let mut best: Option<(f32, Rect)> = None;
    let n = hull.len();
    let edges = if n == 1 { 1 } else { n };
    for i in 0..edges {
        let (a, b) = (hull[i], hull[(i + 1) % n]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let (ux, uy) = if len > 0.0 {
            ((b.0 - a.0) / len, (b.1 - a.1) / len)
        } else {
            (1.0, 0.0)
        };
        let (mut lo_u, mut hi_u, mut lo_v, mut hi_v) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in hull {
            let u = p.0 * ux + p.1 * uy;
            let v = -p.0 * uy + p.1 * ux;
            lo_u = lo_u.min(u);
            hi_u = hi_u.max(u);
            lo_v = lo_v.min(v);
            hi_v = hi_v.max(v);
        }
        let (w, h) = (hi_u - lo_u + 1.0, hi_v - lo_v + 1.0);
        let (cu, cv) = ((lo_u + hi_u) / 2.0, (lo_v + hi_v) / 2.0);
        let rect = Rect {
            cx: cu * ux - cv * uy,
            cy: cu * uy + cv * ux,
            ux,
            uy,
            w,
            h,
        };
        if best.is_none_or(|(area, _)| w * h < area) {
            best = Some((w * h, rect));
        }
    }
    best.map(|(_, r)| r)
}

/// Mean of the map inside a convex quad (PaddleOCR's "fast" box score).
fn mean_in_quad(prob: &[f32], mw: u32, mh: u32, q: &[(f32, f32); 4]) -> f32 {
    let x0 = q
        .iter()
        .map(|p| p.0)
        .fold(f32::MAX, f32::min)
        .floor()
        .max(0.0) as u32;
    let x1 = (q.iter().map(|p| p.0).fold(f32::MIN, f32::max).ceil() as u32).min(mw - 1);
    let y0 = q
        .iter()
        .map(|p| p.1)
        .fold(f32::MAX, f32::min)
        .floor()
        .max(0.0) as u32;
    let y1 = (q.iter().map(|p| p.1).fold(f32::MIN, f32::max).ceil() as u32).min(mh - 1);
    let inside = |x: f32, y: f32| {
        let mut sign = 0.0f32;
        for i in 0..4 {
            let (a, b) = (q[i], q[(i + 1) % 4]);
            let cross = (b.0 - a.0) * (y - a.1) - (b.1 - a.1) * (x - a.0);
            if cross.abs() < 1e-6 {
                continue;
            }
            if sign == 0.0 {
                sign = cross.signum();
            } else if cross.signum() != sign {
                return false;
            }
        }
        true
    };
    let (mut sum, mut n) = (0.0f32, 0u32);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if inside(x as f32, y as f32) {
                sum += prob[(y * mw + x) as usize];
                n += 1;
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        sum / n as f32
    }
}

/// Top-left, top-right, bottom-right, bottom-left.
fn order_clockwise(p: [(f32, f32); 4]) -> [(f32, f32); 4] {
    let mut by_x = p;
    by_x.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut left, mut right) = ([by_x[0], by_x[1]], [by_x[2], by_x[3]]);
    left.sort_by(|a, b| a.1.total_cmp(&b.1));
    right.sort_by(|a, b| a.1.total_cmp(&b.1));
    [left[0], right[0], right[1], left[1]]
}

/// Cuts a quad out of the frame as an upright image (bilinear sampling along
/// its sides); a tall crop is turned to read left to right.
fn crop_upright(image: &RgbImage, q: &[(f32, f32); 4]) -> RgbImage {
    let dist = |a: (f32, f32), b: (f32, f32)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let w = dist(q[0], q[1]).max(dist(q[2], q[3])).round().max(1.0) as u32;
    let h = dist(q[0], q[3]).max(dist(q[1], q[2])).round().max(1.0) as u32;
    let (iw, ih) = (image.width() as f32, image.height() as f32);
    let sample = |x: f32, y: f32| -> [u8; 3] {
        let x = x.clamp(0.0, iw - 1.0);
        let y = y.clamp(0.0, ih - 1.0);
        let (x0, y0) = (x.floor() as u32, y.floor() as u32);
        let (x1, y1) = (
            (x0 + 1).min(image.width() - 1),
            (y0 + 1).min(image.height() - 1),
        );
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let px = |x, y| image.get_pixel(x, y).0;
        let mut out = [0u8; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let top = px(x0, y0)[c] as f32 * (1.0 - fx) + px(x1, y0)[c] as f32 * fx;
            let bottom = px(x0, y1)[c] as f32 * (1.0 - fx) + px(x1, y1)[c] as f32 * fx;
            *o = (top * (1.0 - fy) + bottom * fy).round() as u8;
        }
        out
    };
    let crop = RgbImage::from_fn(w, h, |u, v| {
        let (s, t) = ((u as f32 + 0.5) / w as f32, (v as f32 + 0.5) / h as f32);
        // Bilinear over the quad's corners: exact for the rectangles DB gives.
        let x = (1.0 - s) * (1.0 - t) * q[0].0
            + s * (1.0 - t) * q[1].0
            + s * t * q[2].0
            + (1.0 - s) * t * q[3].0;
        let y = (1.0 - s) * (1.0 - t) * q[0].1
            + s * (1.0 - t) * q[1].1
            + s * t * q[2].1
            + (1.0 - s) * t * q[3].1;
        image::Rgb(sample(x, y))
    });
    if h as f32 >= 1.5 * w as f32 {
        image::imageops::rotate270(&crop)
    } else {
        crop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctc_collapses_repeats_and_drops_blanks() {
        let alphabet: Vec<String> = ["", "a", "b", " "].iter().map(|s| s.to_string()).collect();
        // Steps: a a blank a b b -> "aab".
        let steps = [
            [0.1, 0.9, 0.0, 0.0],
            [0.1, 0.8, 0.1, 0.0],
            [0.9, 0.1, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 0.7, 0.3],
            [0.0, 0.0, 0.9, 0.1],
        ];
        let flat: Vec<f32> = steps.iter().flatten().copied().collect();
        let (text, conf) = ctc_decode(&flat, 4, &alphabet);
        assert_eq!(text, "aab");
        assert!((conf - (0.9 + 1.0 + 0.7) / 3.0).abs() < 1e-5);
    }

    #[test]
    fn finds_a_rotated_rectangle_and_its_box() {
        // A 40 x 10 block of "text" on a 64 x 32 map.
        let (mw, mh) = (64u32, 32u32);
        let mut prob = vec![0.0f32; (mw * mh) as usize];
        for y in 10..20 {
            for x in 10..50 {
                prob[(y * mw + x) as usize] = 0.9;
            }
        }
        let o = OcrOptions::default();
        let quads = db_boxes(&prob, mw, mh, 128, 64, &o);
        assert_eq!(quads.len(), 1, "{quads:?}");
        let q = quads[0].0;
        // Dilation makes it 41 x 11 pixels (x 10..=50); grown by
        // d = 41*11*1.6/104 on each side, then scaled by 2.
        let d = 41.0 * 11.0 * 1.6 / 104.0;
        assert!((q[0].0 - 2.0 * (10.0 - 0.5 - d)).abs() <= 1.0, "{q:?}");
        assert!((q[1].0 - 2.0 * (50.0 + 0.5 + d)).abs() <= 1.0, "{q:?}");
        assert!((q[0].1 - 2.0 * (10.0 - 0.5 - d)).abs() <= 1.0, "{q:?}");
        assert!(q[3].1 > q[0].1, "bottom below top: {q:?}");
        // Nothing on an empty map; a too-faint block is dropped.
        assert!(db_boxes(&vec![0.0; (mw * mh) as usize], mw, mh, 64, 32, &o).is_empty());
        let faint: Vec<f32> = prob.iter().map(|p| p * 0.45).collect();
        assert!(db_boxes(&faint, mw, mh, 64, 32, &o).is_empty());
    }

    #[test]
    fn a_frame_sized_box_is_not_one_character() {
        let q = |w: f32, h: f32| [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
        assert!(plausible(&q(30.0, 40.0), "8"));
        assert!(plausible(&q(500.0, 50.0), "Quarterly budget review"));
        assert!(!plausible(&q(1280.0, 720.0), "8"));
        // A vertical line is measured along its length.
        assert!(plausible(&q(40.0, 400.0), "vertical"));
    }

    #[test]
    fn reads_in_lines_then_left_to_right() {
        let q = |x: f32, y: f32| {
            (
                [(x, y), (x + 5.0, y), (x + 5.0, y + 5.0), (x, y + 5.0)],
                0.9,
            )
        };
        let mut quads = vec![q(50.0, 3.0), q(0.0, 40.0), q(0.0, 0.0)];
        reading_order(&mut quads);
        assert_eq!(quads, vec![q(0.0, 0.0), q(50.0, 3.0), q(0.0, 40.0)]);
    }

    #[test]
    fn crops_a_rotated_quad_upright() {
        let mut img = RgbImage::from_pixel(20, 20, image::Rgb([0, 0, 0]));
        for x in 5..15 {
            img.put_pixel(x, 5, image::Rgb([255, 255, 255]));
        }
        let c = crop_upright(&img, &[(5.0, 5.0), (15.0, 5.0), (15.0, 8.0), (5.0, 8.0)]);
        assert_eq!((c.width(), c.height()), (10, 3));
        // A tall crop is turned.
        let t = crop_upright(&img, &[(5.0, 0.0), (8.0, 0.0), (8.0, 10.0), (5.0, 10.0)]);
        assert_eq!((t.width(), t.height()), (10, 3));
    }
}
