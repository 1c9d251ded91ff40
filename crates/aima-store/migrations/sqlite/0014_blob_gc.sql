-- What a deleted media leaves in the blob store (its artifacts, and its
-- bytes unless another media uses them), queued in the transaction that
-- deletes its row and removed only after that commits, by a step that is
-- retried until done (issue 29): so no media row is ever left without its
-- bytes, whatever crashes or hangs up.
CREATE TABLE blob_gc (
    media_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    queued_at BIGINT NOT NULL
);
