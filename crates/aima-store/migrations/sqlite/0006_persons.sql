-- A person's verdict on an insight: NULL, 'confirmed' or 'rejected'.
ALTER TABLE insights ADD COLUMN review TEXT;

-- Persons: face tracks clustered across a workspace's media. `centroid` holds
-- the sum of the member faces' embeddings (JSON array; its direction is the
-- centroid): a new face adds to it, a user's edit recomputes it.
CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT,
    centroid TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX persons_by_workspace ON persons (workspace_id, created_at, id);

-- One row per `face` insight: its embedding (JSON array, moved out of the
-- insight's data) and the person it belongs to. `pinned` = a user put it
-- there; clustering never moves it.
CREATE TABLE faces (
    insight_id BIGINT PRIMARY KEY REFERENCES insights(id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    person_id TEXT REFERENCES persons(id) ON DELETE SET NULL,
    embedding TEXT NOT NULL,
    pinned BIGINT NOT NULL DEFAULT 0,
    start_s DOUBLE PRECISION NOT NULL,
    end_s DOUBLE PRECISION
);
CREATE INDEX faces_by_person ON faces (person_id, media_id, start_s);
CREATE INDEX faces_by_workspace ON faces (workspace_id);
