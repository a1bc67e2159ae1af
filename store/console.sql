-- The local console (golive serve without Slack) keeps what its pages
-- show: the messages of its conversations, each the JSON document the
-- console drew it from, and a few named settings (its clock's offset, each
-- member's App Home). Slack keeps these itself; nothing else reads them.
-- They are created the first time the console starts, outside the
-- numbered migrations: a database that never ran the console has none.
-- Instants are Unix milliseconds.
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
