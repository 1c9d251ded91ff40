//! One decode for every image analyzer of a job.
//!
//! Each image analyzer samples a video's frames with ffmpeg: the first, every
//! scene change, and one every few seconds. Run one after another, five of
//! them decoded the same video five times, and on 2 cores decoding (every
//! frame, for the scene score) cost as much as the inference (issue 17).
//! Here the stages that ask for the same sampling share one ffmpeg: it
//! decodes at the largest size any of them wants, and each gets every
//! sampled frame through a small bounded channel, scaled down to its own
//! size if it wants smaller ones. The slowest analyzer paces the decoder,
//! so at most [`DEPTH`] frames per analyzer wait in memory.
//!
//! What an analyzer sees is what it saw alone: the same frames at the same
//! times (the same ffmpeg filter picks them), at its own size (scaled
//! bicubically, as ffmpeg's `scale` does). Stages that sample differently
//! get a decoder each, and an image needs none (it is decoded in-process in
//! milliseconds).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aima_core::{ErrorCode, MediaKind};
use aima_media::MediaTools;
use image::RgbImage;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::FrameOptions;
use crate::AnalyzerError;

/// Frames waiting per analyzer; the decoder waits when one is full.
const DEPTH: usize = 2;

/// What an image analyzer will ask of [`super::Frames::open`]: which frames,
/// and how large at most (pixels on the longer side).
#[derive(Debug, Clone, PartialEq)]
pub struct FrameRequest {
    pub frames: FrameOptions,
    pub max_side: u32,
}

enum Message {
    Frame(Arc<super::Frame>),
    /// Decoding failed; the error as each analyzer should report it.
    Failed(SharedError),
    /// Every frame was sent and ffmpeg ended well.
    End,
}

/// An [`AnalyzerError`] that every receiver can rebuild.
#[derive(Clone)]
enum SharedError {
    Retry(String),
    Abort(ErrorCode, String),
    Cancelled,
}

impl From<AnalyzerError> for SharedError {
    fn from(e: AnalyzerError) -> Self {
        match e {
            AnalyzerError::Retry(m) => SharedError::Retry(m),
            AnalyzerError::Abort { code, message } => SharedError::Abort(code, message),
            AnalyzerError::Cancelled | AnalyzerError::LeaseLost => SharedError::Cancelled,
        }
    }
}

impl From<SharedError> for AnalyzerError {
    fn from(e: SharedError) -> Self {
        match e {
            SharedError::Retry(m) => AnalyzerError::Retry(m),
            SharedError::Abort(code, message) => AnalyzerError::Abort { code, message },
            SharedError::Cancelled => AnalyzerError::Cancelled,
        }
    }
}

/// One analyzer's end of a shared decoder: hand it to the stage in
/// [`crate::AnalyzerInput::frames`].
pub struct FrameFeed {
    request: FrameRequest,
    rx: mpsc::Receiver<Message>,
}

impl std::fmt::Debug for FrameFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameFeed")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

impl FrameFeed {
    /// Whether this feed gives the frames `frames` asks for.
    pub(crate) fn serves(&self, frames: &FrameOptions, max_side: u32) -> bool {
        self.request.frames == *frames && self.request.max_side == max_side
    }

    /// The next frame at this analyzer's size, or `None` after the last.
    pub(crate) async fn next(&mut self) -> Result<Option<super::Frame>, AnalyzerError> {
        match self.rx.recv().await {
            Some(Message::Frame(f)) => {
                let image = fit(&f.image, self.request.max_side);
                Ok(Some(super::Frame {
                    index: f.index,
                    time: f.time,
                    image,
                }))
            }
            Some(Message::Failed(e)) => Err(e.into()),
            Some(Message::End) => Ok(None),
            None => Err(AnalyzerError::Retry(
                "the shared frame decoder stopped early".into(),
            )),
        }
    }
}

/// `image` scaled to fit inside `side` x `side` (never enlarged), as the
/// decoder's `scale=…:force_original_aspect_ratio=decrease` would have.
fn fit(image: &RgbImage, side: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    if w.max(h) <= side {
        return image.clone();
    }
    let ratio = f64::from(side) / f64::from(w.max(h));
    let nw = ((f64::from(w) * ratio) as u32).clamp(1, side);
    let nh = ((f64::from(h) * ratio) as u32).clamp(1, side);
    image::imageops::resize(image, nw, nh, image::imageops::FilterType::CatmullRom)
}

/// Starts one decoder per distinct sampling among `requests` that more than
/// one stage asks for, and returns each stage's feed (`None`: the stage
/// decodes alone, as it would without sharing). Only for video: an image
/// is one in-process decode.
pub fn share_frames(
    requests: &[Option<FrameRequest>],
    media: &Path,
    kind: MediaKind,
    tools: &MediaTools,
    cancel: &CancellationToken,
) -> Vec<Option<FrameFeed>> {
    let mut feeds: Vec<Option<FrameFeed>> = requests.iter().map(|_| None).collect();
    if kind != MediaKind::Video {
        return feeds;
    }
    let mut done = vec![false; requests.len()];
    for i in 0..requests.len() {
        let Some(first) = requests[i].as_ref().filter(|_| !done[i]) else {
            continue;
        };
        let group: Vec<usize> = (i..requests.len())
            .filter(|&j| {
                requests[j]
                    .as_ref()
                    .is_some_and(|r| r.frames == first.frames)
            })
            .collect();
        for &j in &group {
            done[j] = true;
        }
        if group.len() < 2 {
            continue;
        }
        let max_side = group
            .iter()
            .filter_map(|&j| requests[j].as_ref().map(|r| r.max_side))
            .max()
            .unwrap_or(first.max_side);
        let mut senders = Vec::with_capacity(group.len());
        for &j in &group {
            let (tx, rx) = mpsc::channel(DEPTH);
            senders.push(tx);
            feeds[j] = requests[j].clone().map(|request| FrameFeed { request, rx });
        }
        tokio::spawn(pump(
            tools.clone(),
            media.to_path_buf(),
            first.frames.clone(),
            max_side,
            senders,
            cancel.clone(),
        ));
    }
    feeds
}

/// Decodes once and hands every frame to every analyzer still listening;
/// stops (killing ffmpeg) when none is, or on cancellation.
async fn pump(
    tools: MediaTools,
    media: PathBuf,
    frames: FrameOptions,
    max_side: u32,
    mut senders: Vec<mpsc::Sender<Message>>,
    cancel: CancellationToken,
) {
    let result: Result<(), AnalyzerError> = async {
        let mut stream = tools.frames(&media, &frames.sampling(max_side))?;
        while let Some(frame) = super::read_frame(&mut stream, &cancel).await? {
            let frame = Arc::new(frame);
            let mut open = Vec::with_capacity(senders.len());
            for tx in senders.drain(..) {
                let sent = tokio::select! {
                    _ = cancel.cancelled() => return Err(AnalyzerError::Cancelled),
                    r = tx.send(Message::Frame(frame.clone())) => r,
                };
                // A closed feed: that analyzer has stopped; the others go on.
                if sent.is_ok() {
                    open.push(tx);
                }
            }
            senders = open;
            if senders.is_empty() {
                return Ok(()); // nobody listens: dropping the stream kills ffmpeg
            }
        }
        stream.finish().await?;
        Ok(())
    }
    .await;
    let last = match result {
        Ok(()) => Message::End,
        Err(e) => Message::Failed(e.into()),
    };
    for tx in senders {
        let message = match &last {
            Message::End => Message::End,
            Message::Failed(e) => Message::Failed(e.clone()),
            Message::Frame(f) => Message::Frame(f.clone()),
        };
        let _ = tx.send(message).await;
    }
}
