-- Reminders: the outbox of posts the scheduler owes each launch (window
-- openings, daily countdowns, overdue digests and DMs). Due reminders are
-- claimed under a lease by one UPDATE ... RETURNING, so that runners sharing
-- the database never post one twice; rows are kept once done, as the record
-- of what was sent, skipped or given up on. Instants are Unix milliseconds.

CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    launch_id       INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('window', 'countdown', 'digest', 'overdue-dm')),
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

-- What the claim and the wake-up time look for: pending rows by due time,
-- held rows by lease end.
CREATE INDEX reminders_pending ON reminders (due_at) WHERE state = 'pending';
CREATE INDEX reminders_held ON reminders (lease_until) WHERE state IN ('claimed', 'posting');
