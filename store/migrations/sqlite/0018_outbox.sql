-- The outbox: every message golive owes Slack because of a change (an
-- announcement, a notice, a direct message), written in the same
-- transaction as that change and delivered afterwards by the sender, which
-- claims due rows under a lease fenced by claim_token, as reminders are.
-- Rows are kept once done, as the record of what was sent. Instants are
-- Unix milliseconds.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    -- key names the cause ("announce:12:1764700000000"): the same cause
    -- never enqueues twice, and the key travels in the message's metadata.
    key             TEXT    NOT NULL UNIQUE CHECK (key <> ''),
    launch_id       INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind <> ''),
    -- Exactly one of channel_id (a post in a conversation) and user_id (a
    -- direct message) is set.
    channel_id      TEXT    NOT NULL DEFAULT '',
    user_id         TEXT    NOT NULL DEFAULT '',
    -- body is the message as the bot rendered it (JSON), opaque here.
    body            TEXT    NOT NULL CHECK (body <> ''),
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'claimed', 'sending', 'sent', 'unknown', 'failed')),
    -- in_doubt is 1 once an attempt's outcome was unknown (a timeout, a
    -- 5xx, a crash while sending): the next attempt looks for the message
    -- in Slack before sending it again.
    in_doubt        INTEGER NOT NULL DEFAULT 0 CHECK (in_doubt IN (0, 1)),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    claim_token     TEXT    NOT NULL DEFAULT '',
    lease_until     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    -- ts is the message's id in its conversation once sent.
    ts              TEXT    NOT NULL DEFAULT '',
    done_at         INTEGER,
    CHECK ((channel_id = '') <> (user_id = ''))
) STRICT;

-- What the claim and the wake-up time look for.
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_held ON outbox (lease_until) WHERE state IN ('claimed', 'sending');

-- The notices `golive import` left before the outbox move onto it. Their
-- text is rendered when sent: the body says so with "notice".
INSERT INTO outbox (key, launch_id, kind, channel_id, body, created_at)
SELECT 'import:' || n.launch_id, n.launch_id, 'import', l.channel_id, json_object('notice', n.text), n.created_at
FROM pending_notices n JOIN launches l ON l.id = n.launch_id;
DROP TABLE pending_notices;
