-- Busy seconds per UTC day, workspace (of the job) and capability ('cpu'
-- for none): what a workspace's own keys may see of the usage.
CREATE TABLE workspace_usage (
    day BIGINT NOT NULL,
    workspace_id TEXT NOT NULL,
    capability TEXT NOT NULL,
    seconds DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (day, workspace_id, capability)
);
