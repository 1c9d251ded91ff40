-- Times are Unix milliseconds (BIGINT), ids are text (UUIDv7), JSON is text:
-- the same column types read the same way from SQLite and PostgreSQL.
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE media (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    filename TEXT,
    size BIGINT NOT NULL,
    duration DOUBLE PRECISION,
    width BIGINT,
    height BIGINT,
    probe TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (workspace_id, sha256)
);
CREATE INDEX media_by_created ON media (workspace_id, created_at, id);
CREATE INDEX media_by_sha ON media (sha256);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
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
CREATE INDEX jobs_by_state ON jobs (state, run_after, created_at);
CREATE INDEX jobs_by_created ON jobs (workspace_id, created_at, id);
CREATE INDEX jobs_by_media ON jobs (media_id);

CREATE TABLE insights (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    job_id TEXT NOT NULL,
    analyzer TEXT NOT NULL,
    kind TEXT NOT NULL,
    ikey TEXT NOT NULL,
    start_s DOUBLE PRECISION NOT NULL,
    end_s DOUBLE PRECISION,
    data TEXT NOT NULL,
    artifact TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (job_id, analyzer, ikey)
);
CREATE INDEX insights_by_media ON insights (media_id, start_s);
