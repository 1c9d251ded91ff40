//! What deleted media leave in the blob store, removed after their
//! deletion has committed: at once by the request that deleted them, and
//! again by every `aima serve` once a minute for whatever that did not
//! finish (a crash, a blob store that was down). Also the media rows of
//! uploads whose process died before their bytes were stored. The store keeps the queue
//! and the content hash's lock (`MediaRepo::collect_garbage`); this knows
//! the blob keys.

use std::sync::Arc;
use std::time::Duration;

use aima_blobs::BlobStore;
use aima_store::{BlobDropper, Store};
use tokio_util::sync::CancellationToken;

/// How long an upload may take from its media row to its bytes before the
/// row counts as left by a process that died: a large file put to S3 takes
/// minutes, never hours.
const UNSTORED_GRACE: Duration = Duration::from_secs(6 * 3600);

/// Removes a media's artifacts and, when named, its bytes.
pub(crate) fn dropper(blobs: Arc<dyn BlobStore>) -> Box<BlobDropper> {
    Box::new(move |media_id: String, bytes: Option<String>| {
        let blobs = blobs.clone();
        Box::pin(async move {
            blobs
                .delete_prefix(&aima_blobs::artifacts_prefix(&media_id))
                .await
                .map_err(|e| e.to_string())?;
            if let Some(sha256) = bytes {
                blobs
                    .delete(&aima_blobs::media_key(&sha256))
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        })
    })
}

/// Collects what is queued until `shutdown`, a batch a minute.
pub async fn run(store: Arc<dyn Store>, blobs: Arc<dyn BlobStore>, shutdown: CancellationToken) {
    let drop = dropper(blobs);
    loop {
        let created_before = aima_store::now_ms() - UNSTORED_GRACE.as_millis() as i64;
        match store.forget_unstored_media(None, created_before, 100).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                forgotten = n,
                "media rows whose upload never stored its bytes forgotten"
            ),
            Err(e) => tracing::warn!(error = %e, "forgetting unfinished uploads failed"),
        }
        match store.collect_garbage(None, 100, &drop).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "blobs of deleted media removed"),
            Err(e) => tracing::warn!(error = %e, "collecting deleted media's blobs failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
        }
    }
}
