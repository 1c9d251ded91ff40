//! Running a job's stages at the same time.
//!
//! Analyzers never read each other's output (each gets the media file and
//! its options), so the stages of a job can run together: transcription
//! reads the audio while the image analyzers read frames from one shared
//! decoder ([`vision::share_frames`]). Inference still takes its turn per
//! process ([`vision::lock`], which transcription takes per chunk too), so
//! what overlaps is the decoding and the pre- and post-processing around
//! it. Each stage keeps its own sink, progress and end, so a retried job
//! still skips the stages that finished.

use std::path::Path;

use aima_core::MediaKind;
use aima_media::MediaTools;
use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use tokio_util::sync::CancellationToken;

use crate::vision::{self, FrameFeed};
use crate::{AnalyzerError, Registry};

/// How a pipeline's stages run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Schedule {
    /// All at once, image stages sharing their decoder (the default).
    #[default]
    Together,
    /// One after another, each decoding the media itself: how AIMA ran
    /// before issue 17; less memory at once, for comparison and for small
    /// machines.
    OneByOne,
}

/// A shared frame feed for each of `stages` (analyzer name and options)
/// that reads the frames another of them reads too (`None` for the others).
pub fn frame_feeds(
    registry: &Registry,
    stages: &[(&str, &serde_json::Value)],
    media: &Path,
    kind: MediaKind,
    tools: &MediaTools,
    cancel: &CancellationToken,
) -> Vec<Option<FrameFeed>> {
    let requests: Vec<_> = stages
        .iter()
        .map(|(name, options)| registry.get(name).and_then(|a| a.frame_request(options)))
        .collect();
    vision::share_frames(&requests, media, kind, tools, cancel)
}

/// Runs `stages` concurrently until all have ended. A stage that fails for
/// good (bad input, a lost lease) cancels the others through `batch` (the
/// token their inputs carry); one that fails transiently lets them finish,
/// so that the job's retry redoes only what failed. Returns every stage's
/// value in order, or the error that ended the batch with its stage's
/// index: the first that is not a cancellation caused by another.
pub async fn run_together<'a, T: Send + 'a>(
    stages: Vec<BoxFuture<'a, Result<T, AnalyzerError>>>,
    batch: &CancellationToken,
) -> Result<Vec<T>, (usize, AnalyzerError)> {
    let mut running: FuturesUnordered<_> = stages
        .into_iter()
        .enumerate()
        .map(|(i, f)| async move { (i, f.await) })
        .collect();
    let mut values: Vec<Option<T>> = (0..running.len()).map(|_| None).collect();
    let mut failure: Option<(usize, AnalyzerError)> = None;
    while let Some((i, result)) = running.next().await {
        match result {
            Ok(v) => values[i] = Some(v),
            Err(e) => {
                if !matches!(e, AnalyzerError::Retry(_)) {
                    batch.cancel();
                }
                let caused = matches!(e, AnalyzerError::Cancelled);
                if failure
                    .as_ref()
                    .is_none_or(|(_, f)| matches!(f, AnalyzerError::Cancelled) && !caused)
                {
                    failure = Some((i, e));
                }
            }
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(values.into_iter().flatten().collect()),
    }
}
