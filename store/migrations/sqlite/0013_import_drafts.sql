-- Checklists read by the import form and shown as a preview, waiting for
-- Confirm: a real checklist is far larger than a modal's private_metadata
-- (3000 characters), so the document stays here under a random token. Confirm
-- creates the launch and sets launch_id in one transaction, so a second
-- Confirm finds the launch instead of creating another. Instants are Unix
-- milliseconds; drafts past expires_at are deleted.
CREATE TABLE import_drafts (
    token      TEXT    PRIMARY KEY CHECK (length(token) >= 16),
    team_id    TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    launch_id  INTEGER
) STRICT;
