-- Frame vectors for similar media: the CLIP image embedding of each
-- sampled frame, moved out of its `labels` insight as it is stored (see
-- aima-store's `frames.rs`). Vectors carry their size (CLIP models
-- differ) and leave with their insight. Frames stored before this
-- migration are copied from their insight's data.
CREATE TABLE frame_vectors (
    insight_id INTEGER PRIMARY KEY REFERENCES insights (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    media_id TEXT NOT NULL,
    start_s REAL NOT NULL,
    dims INTEGER NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX frame_vectors_by_media ON frame_vectors (workspace_id, media_id, start_s);

INSERT INTO frame_vectors (insight_id, workspace_id, media_id, start_s, dims, vector)
SELECT id, workspace_id, media_id, start_s,
    json_array_length(data, '$.embedding'), vec_f32(json_extract(data, '$.embedding'))
FROM insights
WHERE kind = 'labels' AND json_array_length(data, '$.embedding') > 0;
