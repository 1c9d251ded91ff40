-- An upload records its media row before it puts the bytes (under the
-- content hash's lock, see 0014), and marks the row stored once they are
-- in: a process killed in between leaves a row that is never listed or
-- read, and that the janitor forgets after a grace (issue 29). Rows from
-- before this migration have their bytes.
ALTER TABLE media ADD COLUMN stored INTEGER NOT NULL DEFAULT 1;
CREATE INDEX media_unstored ON media (created_at) WHERE stored = 0;
