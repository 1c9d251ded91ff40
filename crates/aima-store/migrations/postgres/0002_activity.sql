-- Jobs that are not about one media (training a mode model) have no media.
ALTER TABLE jobs ALTER COLUMN media_id DROP NOT NULL;

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
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
