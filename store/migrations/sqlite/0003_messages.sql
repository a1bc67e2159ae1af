-- The messages the bot posted about a launch (checklist pages, readiness
-- summaries), so that a change to the launch refreshes them in place.
CREATE TABLE bot_messages (
    channel_id TEXT    NOT NULL CHECK (channel_id <> ''),
    ts         TEXT    NOT NULL CHECK (ts <> ''), -- Slack's id of the message in its channel
    launch_id  INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('checklist', 'status')),
    view       TEXT    NOT NULL, -- the checklist page shown, '' for a status
    posted_at  INTEGER NOT NULL, -- Unix milliseconds
    PRIMARY KEY (channel_id, ts)
) STRICT, WITHOUT ROWID;

CREATE INDEX bot_messages_by_launch ON bot_messages (launch_id, posted_at);
