-- Approvals: the DM that asked each role's holder, so that it can be updated
-- in place, and the stale notices already posted.

-- One row per launch and role: the latest DM that asked the role's holder.
CREATE TABLE approval_dms (
    launch_id  INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL COLLATE NOCASE,
    holder     TEXT    NOT NULL CHECK (holder <> ''),
    channel_id TEXT    NOT NULL CHECK (channel_id <> ''),
    ts         TEXT    NOT NULL CHECK (ts <> ''),
    asked_at   INTEGER NOT NULL,
    PRIMARY KEY (launch_id, role)
) STRICT, WITHOUT ROWID;

-- An announced GO whose facts changed is reported in the channel once: the
-- row claims that notice for the announcement made at announced_at.
CREATE TABLE stale_notices (
    launch_id    INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    announced_at INTEGER NOT NULL,
    noticed_at   INTEGER NOT NULL,
    PRIMARY KEY (launch_id, announced_at)
) STRICT, WITHOUT ROWID;
