-- Notices owed to a launch's channel by a process that cannot post to Slack
-- (`golive import` from the shell): the bot, running or next started,
-- claims each under a lease, posts it, and deletes it, so that it is posted
-- once. Instants are Unix milliseconds.
CREATE TABLE pending_notices (
    launch_id   INTEGER PRIMARY KEY REFERENCES launches (id) ON DELETE CASCADE,
    text        TEXT    NOT NULL CHECK (text <> ''),
    created_at  INTEGER NOT NULL,
    -- lease_until is when a claim that posted nothing (a crash, a Slack
    -- outage) lapses and another claim may take the notice.
    lease_until INTEGER NOT NULL DEFAULT 0
) STRICT;
