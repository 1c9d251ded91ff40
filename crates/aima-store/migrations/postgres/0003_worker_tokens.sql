-- Tokens of remote workers (`aima worker --server URL --token T`), stored as
-- SHA-256 like API keys. `workspaces` is a JSON array of the workspaces
-- whose jobs the token may pull and report.
CREATE TABLE worker_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    workspaces TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
