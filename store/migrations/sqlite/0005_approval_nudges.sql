-- Approval nudges: role holders who have not answered get one DM a day,
-- from the day after `approvals` asked them up to launch day, as reminders
-- of a new kind, 'approval-dm'. SQLite cannot change a CHECK constraint in
-- place, so the table is copied.
CREATE TABLE reminders_new (
    id              INTEGER PRIMARY KEY,
    launch_id       INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('window', 'countdown', 'digest', 'overdue-dm', 'approval-dm')),
    -- key tells a launch's reminders of one kind apart: a window's
    -- "<section>.<group>", a day's YYYY-MM-DD, a DM's "YYYY-MM-DD <user>".
    key             TEXT    NOT NULL CHECK (key <> ''),
    due_at          INTEGER NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'claimed', 'posting', 'sent', 'skipped', 'dead')),
    -- claim_token identifies the claim holding a claimed or posting row.
    claim_token     TEXT    NOT NULL DEFAULT '',
    lease_until     INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    -- note says why a row was skipped.
    note            TEXT    NOT NULL DEFAULT '',
    -- sent_at is when a row was sent or skipped, NULL before.
    sent_at         INTEGER,
    payload         TEXT    NOT NULL DEFAULT '{}', -- JSON
    UNIQUE (launch_id, kind, key)
) STRICT;

INSERT INTO reminders_new (id, launch_id, kind, key, due_at, state, claim_token, lease_until, attempts,
    next_attempt_at, last_error, note, sent_at, payload)
SELECT id, launch_id, kind, key, due_at, state, claim_token, lease_until, attempts,
    next_attempt_at, last_error, note, sent_at, payload
FROM reminders;

DROP TABLE reminders;
ALTER TABLE reminders_new RENAME TO reminders;

CREATE INDEX reminders_pending ON reminders (due_at) WHERE state = 'pending';
CREATE INDEX reminders_held ON reminders (lease_until) WHERE state IN ('claimed', 'posting');
