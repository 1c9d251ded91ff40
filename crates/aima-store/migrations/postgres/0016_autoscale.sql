-- Workers the provisioner started (`[[autoscale.pools]]`): one row per
-- start, named as the worker announces itself, with what its provider calls
-- it (a process id for `local`, what the `start` command printed for
-- `command`) and the token it was given.
CREATE TABLE provisioned_workers (
    id TEXT PRIMARY KEY,
    pool TEXT NOT NULL,
    capability TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_ref TEXT,
    token_id TEXT NOT NULL,
    state TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    connected_at BIGINT,
    stopped_at BIGINT,
    reason TEXT
);
CREATE INDEX provisioned_workers_by_pool ON provisioned_workers (pool, state);

-- Which token a worker announced itself with: links a worker heard from to
-- the provisioned row that started it.
ALTER TABLE workers ADD COLUMN token_id TEXT;

-- Server-wide duties only one server may do at a time (the provisioner):
-- held by `owner` until `expires_at`, renewed while it runs.
CREATE TABLE server_leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- The demand for each capability: jobs whose next stage requires it,
-- waiting (queued, due or waiting to be retried) and running, and since
-- when the oldest has waited. The provisioner and KEDA's PostgreSQL scaler
-- (deploy/helm/aima) read this view, not the jobs table, so that the job
-- table's columns can change without breaking a chart.
CREATE VIEW aima_capability_demand AS
SELECT requires AS capability,
       SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END) AS queued,
       SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END) AS running,
       MIN(CASE WHEN state = 'queued' THEN updated_at END) AS oldest_queued_at
FROM jobs
WHERE state IN ('queued', 'running') AND requires <> ''
GROUP BY requires;
