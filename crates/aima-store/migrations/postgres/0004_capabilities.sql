-- The capability the job's next stage needs ('' for any worker), kept in
-- step with `stages`, so a claim can match it against what a worker has.
ALTER TABLE jobs ADD COLUMN requires TEXT NOT NULL DEFAULT '';
-- When the current lease began and the capabilities of its worker
-- (comma-separated; '' for a plain CPU worker), for busy-time accounting.
ALTER TABLE jobs ADD COLUMN lease_started_at BIGINT;
ALTER TABLE jobs ADD COLUMN lease_caps TEXT NOT NULL DEFAULT '';

-- Busy seconds per UTC day (days since 1970-01-01), worker and capability ('cpu' for none).
CREATE TABLE worker_usage (
    day BIGINT NOT NULL,
    worker TEXT NOT NULL,
    capability TEXT NOT NULL,
    seconds DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (day, worker, capability)
);
