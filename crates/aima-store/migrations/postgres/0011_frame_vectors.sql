-- Frame vectors for similar media: the CLIP image embedding of each
-- sampled frame, moved out of its `labels` insight as it is stored (see
-- aima-store's `frames.rs`). CLIP models differ in size, so the column has
-- none (and no HNSW index, which needs one): vectors carry their size and
-- are compared exactly with vectors of the same size. They leave with
-- their insight. Frames stored before this migration are copied from their
-- insight's data.
CREATE TABLE frame_vectors (
    insight_id BIGINT PRIMARY KEY REFERENCES insights (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    media_id TEXT NOT NULL,
    start_s DOUBLE PRECISION NOT NULL,
    dims INTEGER NOT NULL,
    vector vector NOT NULL
);
CREATE INDEX frame_vectors_by_media ON frame_vectors (workspace_id, media_id, start_s);

INSERT INTO frame_vectors (insight_id, workspace_id, media_id, start_s, dims, vector)
SELECT id, workspace_id, media_id, start_s,
    jsonb_array_length(data::jsonb -> 'embedding'), CAST(data::jsonb ->> 'embedding' AS vector)
FROM insights
WHERE kind = 'labels' AND jsonb_typeof(data::jsonb -> 'embedding') = 'array'
    AND jsonb_array_length(data::jsonb -> 'embedding') > 0;
