-- What each worker announced (capabilities, analyzers, installed models)
-- and when it was last heard from.
CREATE TABLE workers (
    name TEXT PRIMARY KEY,
    capabilities TEXT NOT NULL,
    analyzers TEXT NOT NULL,
    models TEXT NOT NULL,
    last_seen BIGINT NOT NULL
);
