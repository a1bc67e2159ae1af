-- An approval answer takes effect once, whichever instance receives it and
-- whenever: the verified requests that answered are remembered here, and
-- each role's request carries a version.

-- One row per verified request (team and Slack's trigger_id) that tried to
-- answer an approval, recorded in the transaction that stores the answer,
-- so a replay of it is refused after a restart and by any process on this
-- database. Rows are kept an hour, well past the five minutes a Slack
-- signature is accepted for, then pruned.
CREATE TABLE seen_requests (
    team_id    TEXT    NOT NULL CHECK (team_id <> ''),
    request_id TEXT    NOT NULL CHECK (request_id <> ''),
    seen_at    INTEGER NOT NULL, -- Unix milliseconds
    PRIMARY KEY (team_id, request_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX seen_requests_by_age ON seen_requests (seen_at);

-- version counts the changes of a role's holder and answer; an approval
-- button carries the version it was drawn at, and an answer to an older one
-- is refused.
ALTER TABLE roles ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
