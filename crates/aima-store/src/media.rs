//! Media rows: uploads (a row is made unstored, and marked stored once its
//! bytes are put), listing, deletes, and the blob garbage queue a delete
//! fills and the janitor empties.

use aima_core::{Cursor, Media, MediaFilter, MediaKind, NewMedia, PageRequest};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::sql::{corrupt, into_page, new_id, now_ms, push_page, t, Arg, Page, Sql};
use crate::store::SqlStore;
use crate::workspaces::WorkspaceRepo;

/// Removes what a deleted media left in the blob store: its artifacts
/// (by media id), and the bytes of its content hash when the second
/// argument names it. Called by `collect_garbage` while it holds the hash's
/// lock, so an upload of the same bytes on any server either comes before
/// (and the bytes stay in use: the hash is not named) or after (and puts
/// them back, since uploads record their row before they put their bytes).
pub type BlobDropper = dyn Fn(
        String,
        Option<String>,
    ) -> futures::future::BoxFuture<'static, std::result::Result<(), String>>
    + Send
    + Sync;

#[async_trait]
pub trait MediaRepo: Send + Sync {
    /// Inserts the media, or returns the one with the same bytes in the same
    /// workspace. The flag tells whether it was created.
    async fn insert_or_get_media(&self, new: NewMedia) -> Result<(Media, bool)>;
    async fn get_media(&self, workspace: &str, id: &str) -> Result<Media>;
    async fn list_media(
        &self,
        workspace: &str,
        filter: &MediaFilter,
        page: &PageRequest,
    ) -> Result<Page<Media>>;
    /// Deletes the media, its jobs and its insights, queues its
    /// `media.deleted` event and what it leaves in the blob store, in one
    /// transaction. The blobs go afterwards ([`MediaRepo::collect_garbage`]),
    /// so a row is never left without its bytes. Returns the deleted row.
    async fn delete_media(&self, workspace: &str, id: &str) -> Result<Media>;
    /// Marks a media whose bytes the upload has put: until then the row
    /// (made by [`MediaRepo::insert_or_get_media`]) is neither listed nor
    /// read, and no job is made for it.
    async fn mark_media_stored(&self, workspace: &str, id: &str) -> Result<()>;
    /// Forgets media rows made before `created_before` (Unix ms) that were
    /// never marked stored (their upload failed to put the bytes, or its
    /// process died between the row and the bytes), `media_id` only if
    /// given, queueing their bytes for [`MediaRepo::collect_garbage`] as a
    /// delete does. Returns how many.
    async fn forget_unstored_media(
        &self,
        media_id: Option<&str>,
        created_before: i64,
        limit: i64,
    ) -> Result<usize>;
    /// Removes what deleted media left in the blob store (`media_id`'s, or
    /// the `limit` oldest), each under its content hash's lock, dropping the
    /// bytes only when no media of any workspace uses them any more (see
    /// [`BlobDropper`]); a step that fails stays queued for the next call.
    /// Returns how many were done.
    async fn collect_garbage(
        &self,
        media_id: Option<&str>,
        limit: i64,
        drop: &BlobDropper,
    ) -> Result<usize>;
}

const MEDIA_COLS: &str =
    "id, workspace_id, sha256, kind, filename, size, duration, width, height, probe, created_at";

fn media_from_row(row: &AnyRow) -> Result<Media> {
    let kind: String = row.try_get("kind")?;
    let probe: String = row.try_get("probe")?;
    Ok(Media {
        id: row.try_get("id")?,
        workspace: row.try_get("workspace_id")?,
        sha256: row.try_get("sha256")?,
        kind: MediaKind::parse(&kind).ok_or_else(|| corrupt("media kind", &kind))?,
        filename: row.try_get("filename")?,
        size: row.try_get("size")?,
        duration: row.try_get("duration")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
        probe: serde_json::from_str(&probe).map_err(|e| corrupt("media probe", e))?,
        created_at: row.try_get("created_at")?,
    })
}

/// Queues what a media leaves in the blob store (its artifacts, and its
/// bytes unless another media uses them) for `collect_garbage`, in the
/// transaction that removes its row.
async fn queue_blob_gc(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    media_id: &str,
    sha256: &str,
) -> Result<()> {
    let mut q = Sql::new("INSERT INTO blob_gc (media_id, sha256, queued_at) VALUES (");
    q.bind(t(media_id))
        .push(", ")
        .bind(t(sha256))
        .push(", ")
        .bind(Arg::Int(now_ms()))
        .push(") ON CONFLICT (media_id) DO NOTHING");
    q.query().execute(&mut **tx).await?;
    Ok(())
}

#[async_trait]
impl MediaRepo for SqlStore {
    async fn insert_or_get_media(&self, new: NewMedia) -> Result<(Media, bool)> {
        self.ensure_workspace(&new.workspace).await?;
        let probe = serde_json::to_string(&new.probe).map_err(|e| corrupt("probe", e))?;
        // Not stored until the upload has put the bytes (mark_media_stored).
        let mut q = Sql::new(&format!(
            "INSERT INTO media ({MEDIA_COLS}, stored) VALUES ("
        ));
        q.bind(t(&new_id()))
            .push(", ")
            .bind(t(&new.workspace))
            .push(", ")
            .bind(t(&new.sha256))
            .push(", ")
            .bind(t(new.kind.as_str()))
            .push(", ")
            .bind(Arg::OptText(new.filename.clone()))
            .push(", ")
            .bind(Arg::Int(new.size))
            .push(", ")
            .bind(Arg::OptFloat(new.duration))
            .push(", ")
            .bind(Arg::OptInt(new.width))
            .push(", ")
            .bind(Arg::OptInt(new.height))
            .push(", ")
            .bind(t(&probe))
            .push(", ")
            .bind(Arg::Int(now_ms()))
            .push(", 0) ON CONFLICT (workspace_id, sha256) DO NOTHING");
        // Under the content hash's lock (see delete_media).
        let mut tx = self.begin_write().await?;
        self.lock_bytes(&mut tx, &new.sha256).await?;
        let created = q.query().execute(&mut *tx).await?.rows_affected() > 0;
        let mut q = Sql::new(&format!(
            "SELECT {MEDIA_COLS} FROM media WHERE workspace_id = "
        ));
        q.bind(t(&new.workspace))
            .push(" AND sha256 = ")
            .bind(t(&new.sha256));
        let row = q.query().fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok((media_from_row(&row)?, created))
    }

    async fn get_media(&self, workspace: &str, id: &str) -> Result<Media> {
        let mut q = Sql::new(&format!(
            "SELECT {MEDIA_COLS} FROM media WHERE workspace_id = "
        ));
        q.bind(t(workspace))
            .push(" AND id = ")
            .bind(t(id))
            .push(" AND stored = 1");
        match q.query().fetch_optional(&self.pool).await? {
            Some(row) => media_from_row(&row),
            None => Err(StoreError::NotFound),
        }
    }

    async fn list_media(
        &self,
        workspace: &str,
        filter: &MediaFilter,
        page: &PageRequest,
    ) -> Result<Page<Media>> {
        let mut q = Sql::new(&format!(
            "SELECT {MEDIA_COLS} FROM media WHERE workspace_id = "
        ));
        q.bind(t(workspace)).push(" AND stored = 1");
        if let Some(kind) = filter.kind {
            q.push(" AND kind = ").bind(t(kind.as_str()));
        }
        if let Some(after) = filter.created_after {
            q.push(" AND created_at >= ").bind(Arg::Int(after));
        }
        if let Some(before) = filter.created_before {
            q.push(" AND created_at < ").bind(Arg::Int(before));
        }
        push_page(&mut q, page);
        let rows = q.query().fetch_all(&self.pool).await?;
        let items = rows
            .iter()
            .map(media_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok(into_page(items, page, |m| Cursor {
            created_at: m.created_at,
            id: m.id.clone(),
        }))
    }

    async fn delete_media(&self, workspace: &str, id: &str) -> Result<Media> {
        let media = self.get_media(workspace, id).await?;
        let mut tx = self.begin_write().await?;
        // A write first, so that SQLite takes its write lock at the first
        // statement (a read-then-write transaction can fail to upgrade);
        // PostgreSQL takes the content hash's lock.
        self.lock_bytes(&mut tx, &media.sha256).await?;
        for table in ["insights", "jobs"] {
            let mut q = Sql::new(&format!("DELETE FROM {table} WHERE media_id = "));
            q.bind(t(id));
            q.query().execute(&mut *tx).await?;
        }
        let mut q = Sql::new("DELETE FROM media WHERE workspace_id = ");
        q.bind(t(workspace)).push(" AND id = ").bind(t(id));
        if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // The blobs go once this commits (collect_garbage).
        queue_blob_gc(&mut tx, id, &media.sha256).await?;
        let data = serde_json::json!({
            "resource": {"type": "media", "id": id},
            "media": {"id": id, "filename": media.filename, "sha256": media.sha256},
        });
        crate::outbox::queue_event(&mut tx, workspace, "media.deleted", data).await?;
        tx.commit().await?;
        Ok(media)
    }

    async fn mark_media_stored(&self, workspace: &str, id: &str) -> Result<()> {
        let mut q = Sql::new("UPDATE media SET stored = 1 WHERE workspace_id = ");
        q.bind(t(workspace))
            .push(" AND id = ")
            .bind(t(id))
            .push(" AND stored = 0");
        q.query().execute(&self.pool).await?;
        Ok(())
    }

    async fn forget_unstored_media(
        &self,
        media_id: Option<&str>,
        created_before: i64,
        limit: i64,
    ) -> Result<usize> {
        let mut q = Sql::new("SELECT id, sha256 FROM media WHERE stored = 0 AND created_at < ");
        q.bind(Arg::Int(created_before));
        if let Some(id) = media_id {
            q.push(" AND id = ").bind(t(id));
        }
        q.push(" ORDER BY created_at LIMIT ")
            .bind(Arg::Int(limit.max(1)));
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut forgotten = 0;
        for row in rows {
            let id: String = row.try_get("id")?;
            let sha256: String = row.try_get("sha256")?;
            let mut tx = self.begin_write().await?;
            self.lock_bytes(&mut tx, &sha256).await?;
            // Still unstored: an upload of the same bytes may have finished
            // it meanwhile.
            let mut q = Sql::new("DELETE FROM media WHERE id = ");
            q.bind(t(&id)).push(" AND stored = 0");
            if q.query().execute(&mut *tx).await?.rows_affected() == 0 {
                continue;
            }
            // Its bytes, if some were put, go as a deleted media's do.
            queue_blob_gc(&mut tx, &id, &sha256).await?;
            tx.commit().await?;
            forgotten += 1;
        }
        Ok(forgotten)
    }

    async fn collect_garbage(
        &self,
        media_id: Option<&str>,
        limit: i64,
        drop: &BlobDropper,
    ) -> Result<usize> {
        let mut q = Sql::new("SELECT media_id, sha256 FROM blob_gc");
        if let Some(id) = media_id {
            q.push(" WHERE media_id = ").bind(t(id));
        }
        q.push(" ORDER BY queued_at LIMIT ")
            .bind(Arg::Int(limit.max(1)));
        let queued = q.query().fetch_all(&self.pool).await?;
        let mut done = 0;
        for row in queued {
            let id: String = row.try_get("media_id")?;
            let sha256: String = row.try_get("sha256")?;
            let mut tx = self.begin_write().await?;
            // No upload of these bytes records its row while this runs.
            self.lock_bytes(&mut tx, &sha256).await?;
            let mut q = Sql::new("SELECT COUNT(*) AS n FROM media WHERE sha256 = ");
            q.bind(t(&sha256));
            let users: i64 = q.query().fetch_one(&mut *tx).await?.try_get("n")?;
            let bytes = (users == 0).then(|| sha256.clone());
            if let Err(e) = drop(id.clone(), bytes).await {
                // Stays queued; the transaction rolls back on drop.
                tracing::warn!(media = %id, error = %e, "blobs of a deleted media not removed yet");
                continue;
            }
            let mut q = Sql::new("DELETE FROM blob_gc WHERE media_id = ");
            q.bind(t(&id));
            q.query().execute(&mut *tx).await?;
            tx.commit().await?;
            done += 1;
        }
        Ok(done)
    }
}
