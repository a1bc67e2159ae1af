-- One row that readiness (/readyz) rewrites: a write that commits proves
-- the database still takes writes (not read-only, full or damaged).
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL -- Unix milliseconds of the last probe
) STRICT;
