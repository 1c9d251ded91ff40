//! What every image analyzer shares: sampled frames, models described by a
//! [`VisionSpec`] and loaded once per process, input tensors built from that
//! spec, boxes and non-maximum suppression, and tracks that turn per-frame
//! findings into time ranges.

pub mod clip;
pub mod faces;
pub mod nsfw;
pub mod objects;
pub mod ocr;
pub mod pose;
mod shared;
mod track;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use aima_core::ErrorCode;
use aima_media::{FrameSampling, RawFrame};
use aima_models::vision::{ColorOrder, ElementType, Fit, ImageInput, Layout, VisionSpec};
use image::RgbImage;
use ndarray::Array4;
use ort::session::Session;
use serde::Deserialize;

use crate::{AnalyzerError, AnalyzerInput, InsightSink};

pub use shared::{share_frames, FrameFeed, FrameRequest};
pub use track::{Track, Tracker};

/// Which frames an image analyzer looks at (the `frames` object of its
/// options). Defaults: the first frame, every scene change, and at least one
/// frame every 2 seconds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FrameOptions {
    pub scene_threshold: f64,
    pub max_interval: f64,
    pub max_frames: u32,
}

impl Default for FrameOptions {
    fn default() -> Self {
        let d = FrameSampling::default();
        Self {
            scene_threshold: d.scene_threshold,
            max_interval: d.max_interval,
            max_frames: d.max_frames,
        }
    }
}

impl FrameOptions {
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.scene_threshold) {
            return Err("frames.scene_threshold must be between 0 and 1".into());
        }
        if !(0.0..=86_400.0).contains(&self.max_interval) {
            return Err("frames.max_interval must be between 0 and 86400 seconds".into());
        }
        if !(1..=100_000).contains(&self.max_frames) {
            return Err("frames.max_frames must be between 1 and 100000".into());
        }
        Ok(())
    }

    /// What an analyzer that reads these frames at `max_side` asks of the
    /// job's shared decoder.
    pub fn request(&self, max_side: u32) -> FrameRequest {
        FrameRequest {
            frames: self.clone(),
            max_side,
        }
    }

    fn sampling(&self, max_side: u32) -> FrameSampling {
        FrameSampling {
            scene_threshold: self.scene_threshold,
            max_interval: self.max_interval,
            max_frames: self.max_frames,
            max_side,
        }
    }
}

/// One sampled frame.
pub struct Frame {
    pub index: u32,
    /// Seconds from the start (0 for an image).
    pub time: f64,
    pub image: RgbImage,
}

/// The sampled frames of the input, read one at a time. Decoding failures
/// become a `corrupt_media` job error.
///
/// Video (and any image format the `image` crate does not read) comes from
/// ffmpeg; a PNG or JPEG image is decoded in-process, EXIF orientation
/// applied, which spares two process starts per image.
pub struct Frames<'a> {
    source: Source,
    cancel: &'a tokio_util::sync::CancellationToken,
    duration: Option<f64>,
}

enum Source {
    Ffmpeg(Box<aima_media::FrameStream>),
    /// A decoder shared with the job's other image analyzers.
    Shared(FrameFeed),
    /// The image still to decode (`None` once it has been).
    Image {
        pending: Option<PathBuf>,
        max_side: u32,
    },
}

impl<'a> Frames<'a> {
    /// The frames `frames` picks, at most `max_side` pixels on the longer
    /// side: from the job's shared decoder when the input carries one for
    /// exactly this request (see [`FrameRequest`]), else decoded here.
    pub fn open(
        input: &mut AnalyzerInput<'a>,
        frames: &FrameOptions,
        max_side: u32,
    ) -> Result<Self, AnalyzerError> {
        if let Some(feed) = input.frames.take().filter(|f| f.serves(frames, max_side)) {
            return Ok(Self {
                source: Source::Shared(feed),
                cancel: input.cancel,
                duration: input.duration,
            });
        }
        let native = input.kind == aima_core::MediaKind::Image
            && image::ImageReader::open(input.media_path)
                .and_then(|r| r.with_guessed_format())
                .ok()
                .and_then(|r| r.format())
                .is_some_and(|f| matches!(f, image::ImageFormat::Png | image::ImageFormat::Jpeg));
        let source = if native {
            Source::Image {
                pending: Some(input.media_path.to_path_buf()),
                max_side,
            }
        } else {
            Source::Ffmpeg(Box::new(
                input
                    .tools
                    .frames(input.media_path, &frames.sampling(max_side))?,
            ))
        };
        Ok(Self {
            source,
            cancel: input.cancel,
            duration: input.duration,
        })
    }

    /// The next frame (reporting progress up to it), or `None` at the end.
    pub async fn next(
        &mut self,
        sink: &mut dyn InsightSink,
    ) -> Result<Option<Frame>, AnalyzerError> {
        let next = match &mut self.source {
            Source::Ffmpeg(stream) => read_frame(stream, self.cancel).await?,
            Source::Shared(feed) => tokio::select! {
                _ = self.cancel.cancelled() => return Err(AnalyzerError::Cancelled),
                f = feed.next() => f?,
            },
            Source::Image { pending, max_side } => {
                let Some(path) = pending.take() else {
                    return Ok(None);
                };
                let side = *max_side;
                let image = blocking(move || decode_image(&path, side)).await?;
                return Ok(Some(Frame {
                    index: 0,
                    time: 0.0,
                    image,
                }));
            }
        };
        if let (Some(f), Some(d)) = (&next, self.duration.filter(|d| *d > 0.0)) {
            sink.progress((f.time / d).clamp(0.0, 0.99));
        }
        Ok(next)
    }

    /// Checks that decoding ended well.
    pub async fn finish(self, sink: &mut dyn InsightSink) -> Result<(), AnalyzerError> {
        if let Source::Ffmpeg(stream) = self.source {
            stream.finish().await?;
        }
        sink.progress(1.0);
        Ok(())
    }
}

/// The next frame ffmpeg sampled, or `None` at the end of the stream.
pub(crate) async fn read_frame(
    stream: &mut aima_media::FrameStream,
    cancel: &tokio_util::sync::CancellationToken,
) -> Result<Option<Frame>, AnalyzerError> {
    let next = tokio::select! {
        _ = cancel.cancelled() => return Err(AnalyzerError::Cancelled),
        f = stream.next_frame() => f?,
    };
    let Some(RawFrame {
        index,
        time,
        width,
        height,
        rgb,
    }) = next
    else {
        return Ok(None);
    };
    let image = RgbImage::from_raw(width, height, rgb).ok_or_else(|| {
        AnalyzerError::abort(ErrorCode::CorruptMedia, "a frame has the wrong size")
    })?;
    Ok(Some(Frame { index, time, image }))
}

/// Decodes a PNG or JPEG, upright, at most `max_side` pixels on its longer
/// side.
fn decode_image(path: &std::path::Path, max_side: u32) -> Result<RgbImage, AnalyzerError> {
    use image::ImageDecoder;
    let corrupt = |e: image::ImageError| {
        AnalyzerError::abort(
            ErrorCode::CorruptMedia,
            format!("the image could not be decoded: {e}"),
        )
    };
    let mut reader = image::ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| AnalyzerError::Retry(format!("cannot read the image: {e}")))?;
    // The upload's probe refused images above the pixel limit from their
    // header; this bounds the decoder's allocation in this process too.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(8192 * 8192 * 4);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let orientation = decoder.orientation().map_err(corrupt)?;
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    img.apply_orientation(orientation);
    if img.width().max(img.height()) > max_side {
        img = img.resize(max_side, max_side, image::imageops::FilterType::Triangle);
    }
    Ok(img.to_rgb8())
}

/// An ONNX session shared by every job of this process: models are loaded
/// once per worker.
pub type SharedSession = Arc<Mutex<Session>>;

/// A model file ready to run, with its descriptor.
#[derive(Clone)]
pub struct VisionModel {
    pub session: SharedSession,
    pub spec: VisionSpec,
    pub path: PathBuf,
}

fn session_cache() -> &'static Mutex<HashMap<PathBuf, SharedSession>> {
    static CACHE: std::sync::OnceLock<Mutex<HashMap<PathBuf, SharedSession>>> =
        std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default)
}

static THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Sets the threads of one inference (0: every core), from the
/// configuration, before the first model is loaded.
pub fn set_threads(n: usize) {
    THREADS.store(n, std::sync::atomic::Ordering::Relaxed);
}

/// Threads for one inference: the configured number, else every core.
pub fn threads() -> usize {
    match THREADS.load(std::sync::atomic::Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// Loads (once per process) file `file` of the installed model `name`.
pub async fn load(
    models: &aima_models::ModelManager,
    name: &str,
    file: &str,
) -> Result<VisionModel, AnalyzerError> {
    let entry = models.catalog().get(name).ok_or_else(|| {
        AnalyzerError::abort(
            ErrorCode::InvalidPipeline,
            format!("unknown model {name:?}"),
        )
    })?;
    let spec = entry
        .files
        .iter()
        .find(|f| f.name == file)
        .and_then(|f| f.spec.clone())
        .ok_or_else(|| {
            AnalyzerError::abort(
                ErrorCode::InvalidPipeline,
                format!("model {name:?} has no image model file {file:?}"),
            )
        })?;
    let (session, path) = load_session(models, name, file).await?;
    Ok(VisionModel {
        session,
        spec,
        path,
    })
}

/// Where file `file` of the installed model `name` is.
pub async fn installed(
    models: &aima_models::ModelManager,
    name: &str,
    file: &str,
) -> Result<PathBuf, AnalyzerError> {
    models
        .installed_file(name, file)
        .await
        .map_err(|e| AnalyzerError::abort(ErrorCode::ModelMissing, e.to_string()))
}

/// Opens (once per process) an ONNX file of an installed model.
pub async fn load_session(
    models: &aima_models::ModelManager,
    name: &str,
    file: &str,
) -> Result<(SharedSession, PathBuf), AnalyzerError> {
    let path = installed(models, name, file).await?;
    if let Some(s) = session_cache()
        .lock()
        .ok()
        .and_then(|c| c.get(&path).cloned())
    {
        return Ok((s, path));
    }
    let env = crate::onnx::environment(models).await?;
    let p = path.clone();
    let session = tokio::task::spawn_blocking(move || crate::onnx::session(env, &p, threads()))
        .await
        .map_err(|e| AnalyzerError::Retry(e.to_string()))??;
    let session = Arc::new(Mutex::new(session));
    let shared = match session_cache().lock() {
        Ok(mut c) => c.entry(path.clone()).or_insert(session).clone(),
        Err(_) => session,
    };
    Ok((shared, path))
}

fn tokenizers() -> &'static Mutex<HashMap<PathBuf, Arc<tokenizers::Tokenizer>>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<tokenizers::Tokenizer>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The `tokenizer.json` of the installed model `name`, read once per process.
pub async fn tokenizer(
    models: &aima_models::ModelManager,
    name: &str,
) -> Result<Arc<tokenizers::Tokenizer>, AnalyzerError> {
    let path = installed(models, name, "tokenizer.json").await?;
    if let Some(t) = tokenizers().lock().ok().and_then(|c| c.get(&path).cloned()) {
        return Ok(t);
    }
    let p = path.clone();
    let t = blocking(move || {
        tokenizers::Tokenizer::from_file(&p)
            .map(Arc::new)
            .map_err(|e| {
                AnalyzerError::abort(
                    ErrorCode::ModelMissing,
                    format!("cannot read {}: {e}", p.display()),
                )
            })
    })
    .await?;
    if let Ok(mut c) = tokenizers().lock() {
        c.insert(path, t.clone());
    }
    Ok(t)
}

/// Threads that run inference and its pre- and post-processing: one, as
/// the inference turn runs one model at a time anyway (measured: the full
/// pipeline took 40 s with one, 42.5 s with two, and less memory).
const INFERENCE_THREADS: usize = 1;

/// The blocking pool of inference: a runtime of its own whose only use is
/// `spawn_blocking`, capped at [`INFERENCE_THREADS`]. With a job's stages
/// running together, tokio's shared blocking pool handed each run to
/// whichever of its many threads was free, and glibc's malloc kept an
/// arena for each: the full pipeline's peak grew from 874 to 1143 MiB
/// (`MALLOC_ARENA_MAX=2` gave 857 MiB; mimalloc as Rust's allocator 1088
/// MiB, since ONNX Runtime and CTranslate2 allocate through glibc; this
/// pool 1002 MiB). Runs wait their turn here instead of on the mutex.
fn inference_pool() -> Option<&'static tokio::runtime::Runtime> {
    static POOL: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();
    POOL.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(INFERENCE_THREADS)
            .thread_name("aima-inference")
            .build()
            .map_err(|e| tracing::warn!(error = %e, "no inference pool; using tokio's"))
            .ok()
    })
    .as_ref()
}

/// Runs blocking inference off the async threads, on the inference pool.
pub async fn blocking<T, F>(f: F) -> Result<T, AnalyzerError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, AnalyzerError> + Send + 'static,
{
    let task = match inference_pool() {
        Some(pool) => pool.spawn_blocking(f),
        None => tokio::task::spawn_blocking(f),
    };
    task.await
        .map_err(|e| AnalyzerError::Retry(format!("inference task failed: {e}")))?
}

/// An inference error: the model and the runtime are fine (they loaded), so
/// a failed run means this input broke it.
pub fn infer_err(model: &str) -> impl Fn(ort::Error) -> AnalyzerError + '_ {
    move |e| {
        AnalyzerError::abort(
            ErrorCode::AnalyzerFailed,
            format!("{model} failed on a frame: {e}"),
        )
    }
}

/// One inference at a time per process: every session already uses all
/// cores (see [`threads`]), and two runtimes' thread pools on the same cores
/// collapse throughput (measured 10-40x here). Jobs on several workers
/// still overlap their decoding and pre- and post-processing.
static INFERENCE: Mutex<()> = Mutex::new(());

/// A session locked for one run, holding the process's inference turn.
pub struct Locked<'a> {
    _turn: std::sync::MutexGuard<'static, ()>,
    session: std::sync::MutexGuard<'a, Session>,
}

impl std::ops::Deref for Locked<'_> {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.session
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Session {
        &mut self.session
    }
}

/// The process's inference turn, for a runtime other than ONNX's (a
/// transcription chunk): held, no image model runs (a poisoned lock only
/// means another job panicked mid-run).
pub fn turn() -> std::sync::MutexGuard<'static, ()> {
    INFERENCE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Locks a shared session for a run (a poisoned lock only means another job
/// panicked mid-run; the session itself is still usable).
pub fn lock(s: &SharedSession) -> Locked<'_> {
    Locked {
        _turn: turn(),
        session: s.lock().unwrap_or_else(|p| p.into_inner()),
    }
}

/// One output of a run: its shape and values.
pub struct Output {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// Runs `model` on `image` (placed and normalised as its descriptor says)
/// and reads `output` (the model's first output when `None`). Returns where
/// the frame landed in the input, to map results back. `what` names the
/// model in errors; a missing output is an error, never a panic.
pub fn infer(
    model: &VisionModel,
    image: &RgbImage,
    output: &Option<String>,
    what: &str,
) -> Result<(Placement, Output), AnalyzerError> {
    let (placed, at) = place(image, &model.spec.input);
    let tensor = tensor(&[placed], &model.spec.input);
    let out = run_one(&model.session, &model.spec.input, &tensor, output, what)?;
    Ok((at, out))
}

/// Runs a session on one input tensor and reads one output.
pub fn run_one(
    session: &SharedSession,
    input: &ImageInput,
    tensor: &InputTensor,
    output: &Option<String>,
    what: &str,
) -> Result<Output, AnalyzerError> {
    let err = infer_err(what);
    let mut session = lock(session);
    let input_name = input_name(&session, input);
    let output = output_name(&session, output);
    let outputs = session
        .run(ort::inputs![input_name => tensor.value().map_err(&err)?])
        .map_err(&err)?;
    read_output(&outputs, &output, what)
}

/// Runs `model` on `image` and reads the named outputs, in order.
pub fn infer_outputs(
    model: &VisionModel,
    image: &RgbImage,
    names: &[&str],
    what: &str,
) -> Result<(Placement, Vec<Output>), AnalyzerError> {
    let (placed, at) = place(image, &model.spec.input);
    let tensor = tensor(&[placed], &model.spec.input);
    let err = infer_err(what);
    let mut session = lock(&model.session);
    let input_name = input_name(&session, &model.spec.input);
    let outputs = session
        .run(ort::inputs![input_name => tensor.value().map_err(&err)?])
        .map_err(&err)?;
    let read = names
        .iter()
        .map(|n| read_output(&outputs, n, what))
        .collect::<Result<_, _>>()?;
    Ok((at, read))
}

/// Reads a float output of a run by name.
pub fn read_output(
    outputs: &ort::session::SessionOutputs<'_>,
    name: &str,
    what: &str,
) -> Result<Output, AnalyzerError> {
    let out = outputs
        .get(name)
        .ok_or_else(|| {
            AnalyzerError::abort(
                ErrorCode::AnalyzerFailed,
                format!("{what} has no output {name:?}"),
            )
        })?
        .try_extract_array::<f32>()
        .map_err(infer_err(what))?;
    Ok(Output {
        shape: out.shape().to_vec(),
        values: out.iter().copied().collect(),
    })
}

/// Maps points of the model input back to the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Model-input pixels per frame pixel.
    pub scale_x: f32,
    pub scale_y: f32,
    /// Where the frame's origin lands in the model input.
    pub offset_x: f32,
    pub offset_y: f32,
    pub input_width: u32,
    pub input_height: u32,
}

impl Placement {
    /// A box given by its centre and size in model-input pixels, as frame
    /// pixels.
    pub fn centre_box(&self, cx: f32, cy: f32, w: f32, h: f32) -> BoxF {
        let (x1, y1) = self.to_frame(cx - w / 2.0, cy - h / 2.0);
        let (x2, y2) = self.to_frame(cx + w / 2.0, cy + h / 2.0);
        BoxF { x1, y1, x2, y2 }
    }

    /// A model-input point as frame pixels.
    pub fn to_frame(&self, x: f32, y: f32) -> (f32, f32) {
        (
            (x - self.offset_x) / self.scale_x,
            (y - self.offset_y) / self.scale_y,
        )
    }
}

/// An input tensor of either element type.
pub enum InputTensor {
    F32(Array4<f32>),
    I32(Array4<i32>),
}

impl InputTensor {
    pub fn value(&self) -> Result<ort::session::SessionInputValue<'_>, ort::Error> {
        Ok(match self {
            InputTensor::F32(a) => ort::value::TensorRef::from_array_view(a)?.into(),
            InputTensor::I32(a) => ort::value::TensorRef::from_array_view(a)?.into(),
        })
    }
}

/// The size a frame is brought to for `input`.
pub fn input_size(input: &ImageInput, width: u32, height: u32) -> (u32, u32) {
    match input.fit {
        Fit::Dynamic {
            min_side,
            max_side,
            multiple,
        } => {
            let (w, h) = (width.max(1) as f32, height.max(1) as f32);
            let mut ratio = (min_side as f32 / w.min(h)).max(1.0);
            if w.max(h) * ratio > max_side as f32 {
                ratio = max_side as f32 / w.max(h);
            }
            let m = multiple.max(1) as f32;
            let round = |v: f32| (((v * ratio) / m).round() * m).max(m) as u32;
            (round(w), round(h))
        }
        _ => (input.width, input.height),
    }
}

/// Resizes `image` into the model's input as `input` describes, without the
/// normalisation; returns where the frame landed.
pub fn place(image: &RgbImage, input: &ImageInput) -> (RgbImage, Placement) {
    use image::imageops::{resize, FilterType};
    let (iw, ih) = input_size(input, image.width(), image.height());
    let (w, h) = (image.width().max(1) as f32, image.height().max(1) as f32);
    match input.fit {
        Fit::Stretch | Fit::Dynamic { .. } => (
            resize(image, iw, ih, FilterType::Triangle),
            Placement {
                scale_x: iw as f32 / w,
                scale_y: ih as f32 / h,
                offset_x: 0.0,
                offset_y: 0.0,
                input_width: iw,
                input_height: ih,
            },
        ),
        Fit::Pad { value } => {
            let s = (iw as f32 / w).min(ih as f32 / h);
            let (rw, rh) = (
                ((w * s).round() as u32).clamp(1, iw),
                ((h * s).round() as u32).clamp(1, ih),
            );
            let mut out = RgbImage::from_pixel(iw, ih, image::Rgb([value; 3]));
            image::imageops::replace(&mut out, &resize(image, rw, rh, FilterType::Triangle), 0, 0);
            (
                out,
                Placement {
                    scale_x: s,
                    scale_y: s,
                    offset_x: 0.0,
                    offset_y: 0.0,
                    input_width: iw,
                    input_height: ih,
                },
            )
        }
        Fit::Cover => {
            let s = (iw as f32 / w).max(ih as f32 / h);
            let (rw, rh) = (
                ((w * s).round() as u32).max(iw),
                ((h * s).round() as u32).max(ih),
            );
            let big = resize(image, rw, rh, FilterType::Triangle);
            let (x0, y0) = ((rw - iw) / 2, (rh - ih) / 2);
            let out = image::imageops::crop_imm(&big, x0, y0, iw, ih).to_image();
            (
                out,
                Placement {
                    scale_x: rw as f32 / w,
                    scale_y: rh as f32 / h,
                    offset_x: -(x0 as f32),
                    offset_y: -(y0 as f32),
                    input_width: iw,
                    input_height: ih,
                },
            )
        }
        Fit::CenterCrop { resize: r } => {
            let big = resize(image, r, r, FilterType::Triangle);
            let (x0, y0) = (r.saturating_sub(iw) / 2, r.saturating_sub(ih) / 2);
            let out = image::imageops::crop_imm(&big, x0, y0, iw, ih).to_image();
            (
                out,
                Placement {
                    scale_x: r as f32 / w,
                    scale_y: r as f32 / h,
                    offset_x: -(x0 as f32),
                    offset_y: -(y0 as f32),
                    input_width: iw,
                    input_height: ih,
                },
            )
        }
    }
}

/// Normalises already-placed images (all of the input's size) into one
/// batch tensor.
pub fn tensor(images: &[RgbImage], input: &ImageInput) -> InputTensor {
    let (w, h) = images
        .first()
        .map_or((input.width, input.height), |i| (i.width(), i.height()));
    let n = images.len();
    let shape = match input.layout {
        Layout::Nchw => (n, 3, h as usize, w as usize),
        Layout::Nhwc => (n, h as usize, w as usize, 3),
    };
    let order: [usize; 3] = match input.color {
        ColorOrder::Rgb => [0, 1, 2],
        ColorOrder::Bgr => [2, 1, 0],
    };
    let fill = |mut put: Box<dyn FnMut(usize, usize, usize, usize, f32) + '_>| {
        for (b, img) in images.iter().enumerate() {
            for (x, y, p) in img.enumerate_pixels() {
                for (c, &src) in order.iter().enumerate() {
                    let v = (p.0[src] as f32 - input.mean[c]) / input.std[c];
                    put(b, c, y as usize, x as usize, v);
                }
            }
        }
    };
    match input.element {
        ElementType::F32 => {
            let mut a = Array4::<f32>::zeros(shape);
            let layout = input.layout;
            fill(Box::new(|b, c, y, x, v| match layout {
                Layout::Nchw => a[[b, c, y, x]] = v,
                Layout::Nhwc => a[[b, y, x, c]] = v,
            }));
            InputTensor::F32(a)
        }
        ElementType::I32 => {
            let mut a = Array4::<i32>::zeros(shape);
            let layout = input.layout;
            fill(Box::new(|b, c, y, x, v| match layout {
                Layout::Nchw => a[[b, c, y, x]] = v.round() as i32,
                Layout::Nhwc => a[[b, y, x, c]] = v.round() as i32,
            }));
            InputTensor::I32(a)
        }
    }
}

/// The name of the input to feed (the spec's, else the model's first).
pub fn input_name(session: &Session, input: &ImageInput) -> String {
    input.name.clone().unwrap_or_else(|| {
        session
            .inputs()
            .first()
            .map(|i| i.name().to_string())
            .unwrap_or_default()
    })
}

/// The name of the output to read (the given one, else the model's first).
pub fn output_name(session: &Session, name: &Option<String>) -> String {
    name.clone().unwrap_or_else(|| {
        session
            .outputs()
            .first()
            .map(|o| o.name().to_string())
            .unwrap_or_default()
    })
}

/// An axis-aligned box in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxF {
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
}

impl BoxF {
    pub fn area(&self) -> f32 {
        (self.x2 - self.x1).max(0.0) * (self.y2 - self.y1).max(0.0)
    }

    pub fn iou(&self, o: &BoxF) -> f32 {
        let w = (self.x2.min(o.x2) - self.x1.max(o.x1)).max(0.0);
        let h = (self.y2.min(o.y2) - self.y1.max(o.y1)).max(0.0);
        let inter = w * h;
        let union = self.area() + o.area() - inter;
        if union <= 0.0 {
            0.0
        } else {
            inter / union
        }
    }

    pub fn clamp(&self, width: u32, height: u32) -> BoxF {
        let (w, h) = (width as f32, height as f32);
        BoxF {
            x1: self.x1.clamp(0.0, w),
            y1: self.y1.clamp(0.0, h),
            x2: self.x2.clamp(0.0, w),
            y2: self.y2.clamp(0.0, h),
        }
    }

    /// As fractions of the frame: `{x, y, w, h}` (top-left, size), the form
    /// every spatial insight uses, whatever size the frame was decoded at.
    pub fn json(&self, width: u32, height: u32) -> serde_json::Value {
        let (w, h) = (width.max(1) as f32, height.max(1) as f32);
        let r = |v: f32| ((v * 10_000.0).round() / 10_000.0) as f64;
        serde_json::json!({
            "x": r(self.x1 / w),
            "y": r(self.y1 / h),
            "w": r((self.x2 - self.x1) / w),
            "h": r((self.y2 - self.y1) / h),
        })
    }
}

/// Greedy non-maximum suppression: keeps the best of each group of boxes
/// overlapping more than `iou`. Returns indices into `items`, best first.
pub fn nms<T>(
    items: &[T],
    score: impl Fn(&T) -> f32,
    bx: impl Fn(&T) -> BoxF,
    iou: f32,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| score(&items[b]).total_cmp(&score(&items[a])));
    let mut keep: Vec<usize> = Vec::new();
    for i in order {
        if keep
            .iter()
            .all(|&k| bx(&items[k]).iou(&bx(&items[i])) <= iou)
        {
            keep.push(i);
        }
    }
    keep
}

/// Rounds a score for output.
pub fn round3(v: f32) -> f64 {
    ((v as f64) * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use aima_models::vision::ImageInput;

    #[test]
    fn places_frames_and_maps_points_back() {
        let img = RgbImage::from_pixel(200, 100, image::Rgb([255, 0, 0]));
        let pad = ImageInput::tf_rgb("x", 64, 64, Fit::Pad { value: 0 });
        let (out, p) = place(&img, &pad);
        assert_eq!((out.width(), out.height()), (64, 64));
        assert_eq!(out.get_pixel(10, 10).0, [255, 0, 0]);
        assert_eq!(out.get_pixel(10, 50).0, [0, 0, 0], "padded below");
        let (x, y) = p.to_frame(64.0, 32.0);
        assert!((x - 200.0).abs() < 0.5 && (y - 100.0).abs() < 0.5);

        let crop = ImageInput::tf_rgb("x", 224, 224, Fit::CenterCrop { resize: 256 });
        let (out, p) = place(&img, &crop);
        assert_eq!((out.width(), out.height()), (224, 224));
        let (x, _) = p.to_frame(0.0, 0.0);
        assert!((x - 200.0 * 16.0 / 256.0).abs() < 0.5);

        let dynamic = ImageInput {
            fit: Fit::Dynamic {
                min_side: 736,
                max_side: 2000,
                multiple: 32,
            },
            ..ImageInput::tf_rgb("x", 0, 0, Fit::Stretch)
        };
        assert_eq!(input_size(&dynamic, 1280, 720), (1312, 736));

        // Cover: the shorter side fills the input, the centre is kept.
        let mut wide = RgbImage::from_pixel(300, 100, image::Rgb([0, 255, 0]));
        for x in 100..200 {
            for y in 0..100 {
                wide.put_pixel(x, y, image::Rgb([255, 0, 0]));
            }
        }
        let cover = ImageInput::tf_rgb("x", 50, 50, Fit::Cover);
        let (out, p) = place(&wide, &cover);
        assert_eq!((out.width(), out.height()), (50, 50));
        assert_eq!(out.get_pixel(2, 25).0, [255, 0, 0], "only the red middle");
        assert_eq!(out.get_pixel(47, 25).0, [255, 0, 0]);
        let (x, _) = p.to_frame(0.0, 0.0);
        assert!((x - 100.0).abs() < 0.5);
        assert_eq!(input_size(&dynamic, 4000, 3000), (2016, 1504));
    }

    #[test]
    fn tensors_follow_layout_colour_and_normalisation() {
        let img = RgbImage::from_pixel(2, 1, image::Rgb([10, 20, 30]));
        let mut spec = ImageInput::tf_rgb("x", 2, 1, Fit::Stretch);
        spec.layout = Layout::Nchw;
        spec.color = ColorOrder::Bgr;
        spec.mean = [1.0, 2.0, 3.0];
        spec.std = [2.0, 2.0, 2.0];
        let InputTensor::F32(a) = tensor(std::slice::from_ref(&img), &spec) else {
            panic!("f32 expected")
        };
        assert_eq!(a.shape(), &[1, 3, 1, 2]);
        assert_eq!(a[[0, 0, 0, 1]], (30.0 - 1.0) / 2.0, "blue first");
        assert_eq!(a[[0, 2, 0, 0]], (10.0 - 3.0) / 2.0);
        spec.element = ElementType::I32;
        spec.layout = Layout::Nhwc;
        spec.color = ColorOrder::Rgb;
        spec.mean = [0.0; 3];
        spec.std = [1.0; 3];
        let InputTensor::I32(a) = tensor(&[img], &spec) else {
            panic!("i32 expected")
        };
        assert_eq!(a.shape(), &[1, 1, 2, 3]);
        assert_eq!(a[[0, 0, 1, 2]], 30);
    }

    #[test]
    fn nms_keeps_the_best_of_overlapping_boxes() {
        let b = |x: f32, s: f32| {
            (
                BoxF {
                    x1: x,
                    y1: 0.0,
                    x2: x + 10.0,
                    y2: 10.0,
                },
                s,
            )
        };
        let items = vec![b(0.0, 0.5), b(1.0, 0.9), b(50.0, 0.3)];
        let keep = nms(&items, |i| i.1, |i| i.0, 0.5);
        assert_eq!(keep, vec![1, 2]);
    }
}
