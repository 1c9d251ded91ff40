-- Busy time as spans (one per lease that ended, per capability of its
-- worker, `cpu` for none), so that cost can be counted for any period in
-- any time zone, a lease that crossed midnight or a month's end split
-- exactly where it crossed.
CREATE TABLE usage_spans (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    worker TEXT NOT NULL,
    capability TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL
);
CREATE INDEX usage_spans_by_end ON usage_spans (ended_at);

-- Budget alerts sent, at most one per period (a month or a day) and level
-- (the primary key makes two servers send it once).
CREATE TABLE budget_alerts (
    period TEXT NOT NULL,
    level TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (period, level)
);

-- Capabilities whose budget is spent: no job needing one is dispatched,
-- and no worker with one is started, until `until`.
CREATE TABLE budget_blocks (
    capability TEXT PRIMARY KEY,
    until BIGINT NOT NULL,
    reason TEXT NOT NULL
);
