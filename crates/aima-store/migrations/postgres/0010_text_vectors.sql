-- Search by meaning: a sentence embedding of what each transcript segment
-- and OCR line says, in a pgvector column with an HNSW index (cosine). An
-- insight is stored `vector_pending`; the indexer (aima-worker's `index`)
-- embeds pending insights in batches and writes their vectors, clearing the
-- flag in the same transaction. A partial index keeps finding the pending
-- ones instant, and a reindex (another model) sets the flag again. Vectors
-- go with their insight (a re-analysis, a deleted media) by the foreign key.
--
-- pgvector is required: a server without the extension stops here with
-- PostgreSQL's own message (the compose file runs pgvector's image). The
-- column holds 384 dimensions, all-MiniLM-L6-v2's; a text model of another
-- size needs a migration of its own.
CREATE EXTENSION IF NOT EXISTS vector;

ALTER TABLE insights ADD COLUMN vector_pending INTEGER NOT NULL DEFAULT 1;
CREATE INDEX insights_vector_pending ON insights (id)
    WHERE vector_pending = 1 AND kind IN ('transcript_segment', 'text');

CREATE TABLE text_vectors (
    insight_id BIGINT PRIMARY KEY REFERENCES insights (id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector vector(384) NOT NULL
);
CREATE INDEX text_vectors_hnsw ON text_vectors USING hnsw (vector vector_cosine_ops);
