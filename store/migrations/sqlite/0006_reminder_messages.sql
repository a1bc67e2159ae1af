-- A window's reminder post is a live message too, of its own kind: a click
-- on its checkboxes redraws it as the reminder it is, not as a checklist
-- page. Its view is the window's key. SQLite cannot change a CHECK
-- constraint in place, so the table is copied.
CREATE TABLE bot_messages_new (
    channel_id TEXT    NOT NULL CHECK (channel_id <> ''),
    ts         TEXT    NOT NULL CHECK (ts <> ''), -- Slack's id of the message in its channel
    launch_id  INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('checklist', 'status', 'reminder')),
    -- view is the checklist page shown, the window's key for a reminder,
    -- '' for a status.
    view       TEXT    NOT NULL,
    posted_at  INTEGER NOT NULL, -- Unix milliseconds
    PRIMARY KEY (channel_id, ts)
) STRICT, WITHOUT ROWID;

INSERT INTO bot_messages_new (channel_id, ts, launch_id, kind, view, posted_at)
SELECT channel_id, ts, launch_id, kind, view, posted_at FROM bot_messages;

DROP TABLE bot_messages;
ALTER TABLE bot_messages_new RENAME TO bot_messages;

CREATE INDEX bot_messages_by_launch ON bot_messages (launch_id, posted_at);
