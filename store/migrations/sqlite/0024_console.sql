-- The local console (golive serve without Slack) keeps what its pages
-- show: the messages of its conversations, each the JSON document the
-- console drew it from, and a few named settings (its clock's offset, each
-- member's App Home). Slack keeps these itself; nothing else reads them.
-- Instants are Unix milliseconds.
--
-- Before this migration the console created these tables itself the
-- first time it ran on a database, with these very statements: IF NOT
-- EXISTS keeps those tables, and their rows, as they are.
CREATE TABLE IF NOT EXISTS console_messages (
    channel_id TEXT    NOT NULL CHECK (channel_id <> ''),
    ts         TEXT    NOT NULL CHECK (ts <> ''),
    doc        TEXT    NOT NULL CHECK (json_valid(doc)),
    saved_at   INTEGER NOT NULL,
    PRIMARY KEY (channel_id, ts)
);

CREATE TABLE IF NOT EXISTS console_settings (
    name  TEXT NOT NULL PRIMARY KEY CHECK (name <> ''),
    value TEXT NOT NULL
);
