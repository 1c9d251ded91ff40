-- Jobs that are not about one media (training a mode model) have no media:
-- SQLite cannot drop a NOT NULL in place, so the table is rebuilt.
CREATE TABLE jobs_new (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    media_id TEXT REFERENCES media(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    stages TEXT NOT NULL,
    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    lease_token TEXT,
    lease_owner TEXT,
    lease_expires_at BIGINT,
    run_after BIGINT NOT NULL,
    error_code TEXT,
    error_message TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    updated_at BIGINT NOT NULL
);
INSERT INTO jobs_new SELECT id, workspace_id, media_id, state, stages, progress, attempts,
    max_attempts, lease_token, lease_owner, lease_expires_at, run_after, error_code,
    error_message, created_at, started_at, finished_at, updated_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_by_state ON jobs (state, run_after, created_at);
CREATE INDEX jobs_by_created ON jobs (workspace_id, created_at, id);
CREATE INDEX jobs_by_media ON jobs (media_id);

-- Activity, as ActivityWatch models it: buckets of events.
CREATE TABLE buckets (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id TEXT NOT NULL,
    btype TEXT NOT NULL,
    client TEXT NOT NULL,
    hostname TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

-- ts is Unix milliseconds, duration seconds. mode_* is the event's mode:
-- set by a person (source 'user': training data) or predicted ('model').
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT NOT NULL,
    bucket_id TEXT NOT NULL,
    ts BIGINT NOT NULL,
    duration DOUBLE PRECISION NOT NULL,
    data TEXT NOT NULL,
    mode TEXT,
    mode_source TEXT,
    mode_confidence DOUBLE PRECISION,
    model_version BIGINT,
    FOREIGN KEY (workspace_id, bucket_id) REFERENCES buckets(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX events_by_bucket_ts ON events (workspace_id, bucket_id, ts);
CREATE INDEX events_by_ts ON events (workspace_id, ts);

CREATE TABLE modes (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

-- Versions of a workspace's mode model; exactly one is active at a time
-- (or none). The model itself is the JSON of aima-modes' ModeModel.
CREATE TABLE mode_models (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    job_id TEXT,
    algorithm TEXT NOT NULL,
    metrics TEXT NOT NULL,
    model TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, version)
);
