-- Search by meaning: a sentence embedding of what each transcript segment
-- and OCR line says. An insight is stored `vector_pending`; the indexer
-- (aima-worker's `index`) embeds pending insights in batches and writes
-- their vectors, clearing the flag in the same transaction. A partial
-- index keeps finding the pending ones instant however many are done, and
-- a reindex (another model) sets the flag again. Vectors go with their
-- insight (a re-analysis, a deleted media) by the foreign key. Distances
-- come from sqlite-vec's `vec_distance_cosine`, over the rows a search's
-- filters leave: exact, and filtered inside the query.
ALTER TABLE insights ADD COLUMN vector_pending INTEGER NOT NULL DEFAULT 1;
CREATE INDEX insights_vector_pending ON insights (id)
    WHERE vector_pending = 1 AND kind IN ('transcript_segment', 'text');

CREATE TABLE text_vectors (
    insight_id INTEGER PRIMARY KEY REFERENCES insights (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BLOB NOT NULL
);
