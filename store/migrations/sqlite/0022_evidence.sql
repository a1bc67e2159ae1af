-- Evidence a pipeline reported for an item through the API: pass or fail,
-- summary, link, when the check ran, by which token, when received (JSON,
-- '' when none).
ALTER TABLE items ADD COLUMN evidence TEXT NOT NULL DEFAULT '';

-- API tokens, one launch each. Only the SHA-256 of the secret is kept; a
-- revoked token keeps its row (revoked_at set) and frees its name.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    launch_id    INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL CHECK (name <> ''),
    hash         TEXT    NOT NULL UNIQUE CHECK (length(hash) = 64),
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    revoked_by   TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (launch_id, name) WHERE revoked_at IS NULL;
