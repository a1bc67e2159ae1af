-- The whole schema as of SQLite migration 0026, for PostgreSQL: the same
-- tables, columns (in the same order) and constraints. Instants are Unix
-- milliseconds (UTC) in BIGINT columns; flags are BOOLEAN; time zones are
-- IANA names; calendar dates are TEXT YYYY-MM-DD. A new table or column is
-- a new file here and in migrations/sqlite.

-- SQLite's COLLATE NOCASE: role names compare without case.
CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- Launch ids are never reused (an identity): caches and audit rows key on them.
CREATE TABLE launches (
    id                    BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id               TEXT    NOT NULL CHECK (team_id <> ''),
    channel_id            TEXT    NOT NULL CHECK (channel_id <> ''),
    name                  TEXT    NOT NULL,
    date                  TEXT    NOT NULL,
    timezone              TEXT    NOT NULL,
    creator               TEXT    NOT NULL,
    template              TEXT    NOT NULL,
    created_at            BIGINT  NOT NULL,
    archived              BOOLEAN NOT NULL,
    reminders_off         BOOLEAN NOT NULL,
    review_date           TEXT    NOT NULL,
    -- announced_outcome is NULL until a decision is announced.
    announced_outcome     TEXT,
    announced_at          BIGINT,
    announced_by          TEXT    NOT NULL,
    announced_fingerprint TEXT    NOT NULL,
    title                 TEXT    NOT NULL,
    gates                 TEXT    NOT NULL, -- JSON array
    windows               TEXT    NOT NULL, -- JSON array
    -- HH:MM in the launch's zone, '' for the reminder time.
    launch_time           TEXT    NOT NULL DEFAULT '',
    -- When the launch was last dated: windows passed then are skipped.
    dated_at              BIGINT  NOT NULL DEFAULT 0,
    removed_items         TEXT    NOT NULL DEFAULT '', -- JSON
    item_high_water       BIGINT  NOT NULL DEFAULT 0,
    approvals_asked_at    BIGINT
);

-- A channel has at most one launch that is not archived.
CREATE UNIQUE INDEX launches_one_active_per_channel
    ON launches (team_id, channel_id) WHERE archived = FALSE;

CREATE TABLE sections (
    launch_id   BIGINT  NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    idx         BIGINT  NOT NULL,
    number      BIGINT  NOT NULL,
    title       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    has_signoff BOOLEAN NOT NULL,
    -- signed_by is NULL while the section is not signed off.
    signed_by   TEXT,
    signed_at   BIGINT,
    signed_open BIGINT  NOT NULL,
    PRIMARY KEY (launch_id, idx)
);

CREATE TABLE section_groups (
    launch_id      BIGINT NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    section_idx    BIGINT NOT NULL,
    idx            BIGINT NOT NULL,
    title          TEXT   NOT NULL,
    owner          TEXT   NOT NULL,
    priority       TEXT   NOT NULL,
    -- window_minutes is NULL unless the group's heading names a time window.
    window_minutes BIGINT,
    PRIMARY KEY (launch_id, section_idx, idx)
);

CREATE TABLE items (
    launch_id     BIGINT  NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    number        BIGINT  NOT NULL CHECK (number > 0),
    section_idx   BIGINT  NOT NULL,
    group_idx     BIGINT  NOT NULL,
    idx           BIGINT  NOT NULL, -- position in its group
    parent        BIGINT  NOT NULL,
    depth         BIGINT  NOT NULL,
    subgroup      TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    done          BOOLEAN NOT NULL,
    done_by       TEXT    NOT NULL,
    done_at       BIGINT,
    owner         TEXT    NOT NULL,
    note          TEXT    NOT NULL,
    priority      TEXT    NOT NULL,
    task          BOOLEAN NOT NULL,
    line          BIGINT  NOT NULL,
    details       TEXT    NOT NULL DEFAULT '',
    notes         TEXT    NOT NULL DEFAULT '', -- JSON
    due           TEXT    NOT NULL DEFAULT '', -- YYYY-MM-DD
    na            TEXT    NOT NULL DEFAULT '', -- JSON
    waiver        TEXT    NOT NULL DEFAULT '', -- JSON
    evidence      TEXT    NOT NULL DEFAULT '', -- JSON
    fresh_seconds BIGINT  NOT NULL DEFAULT 0,
    probe         TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (launch_id, number)
);

CREATE TABLE roles (
    launch_id   BIGINT NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    name        TEXT   NOT NULL,
    description TEXT   NOT NULL,
    holder      TEXT   NOT NULL,
    verdict     TEXT   NOT NULL,
    note        TEXT   NOT NULL,
    answered_by TEXT   NOT NULL,
    answered_at BIGINT,
    -- Counts changes of holder and answer: an answer to an older one is refused.
    version     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (launch_id, position)
);

-- launch_versions counts the writes to each launch's rows; the triggers
-- below bump it, whoever writes, so a cached copy can be checked with one
-- small query inside a transaction.
CREATE TABLE launch_versions (
    launch_id BIGINT PRIMARY KEY REFERENCES launches (id) ON DELETE CASCADE,
    version   BIGINT NOT NULL
);

CREATE FUNCTION launch_version_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO launch_versions (launch_id, version) VALUES (NEW.id, 1);
    RETURN NULL;
END $$;

CREATE FUNCTION launch_version_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.id;
    RETURN NULL;
END $$;

-- launch_version_bump bumps the version of the launch a child row belongs to.
CREATE FUNCTION launch_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE launch_versions SET version = version + 1 WHERE launch_id = OLD.launch_id;
    ELSE
        UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.launch_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER launches_version_insert AFTER INSERT ON launches
    FOR EACH ROW EXECUTE FUNCTION launch_version_insert();
CREATE TRIGGER launches_version_update AFTER UPDATE ON launches
    FOR EACH ROW EXECUTE FUNCTION launch_version_update();
CREATE TRIGGER sections_version AFTER INSERT OR UPDATE OR DELETE ON sections
    FOR EACH ROW EXECUTE FUNCTION launch_version_bump();
CREATE TRIGGER section_groups_version AFTER INSERT OR UPDATE OR DELETE ON section_groups
    FOR EACH ROW EXECUTE FUNCTION launch_version_bump();
CREATE TRIGGER items_version AFTER INSERT OR UPDATE OR DELETE ON items
    FOR EACH ROW EXECUTE FUNCTION launch_version_bump();
CREATE TRIGGER roles_version AFTER INSERT OR UPDATE OR DELETE ON roles
    FOR EACH ROW EXECUTE FUNCTION launch_version_bump();

-- The audit log is history: launches that have one cannot be deleted, and
-- its rows can be neither changed nor removed.
CREATE TABLE audit (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    launch_id    BIGINT NOT NULL REFERENCES launches (id),
    at           BIGINT NOT NULL,
    actor        TEXT   NOT NULL,
    action       TEXT   NOT NULL,
    subject      TEXT   NOT NULL,
    before_value TEXT   NOT NULL,
    after_value  TEXT   NOT NULL,
    items        TEXT   NOT NULL DEFAULT '[]', -- JSON array of item numbers
    section      TEXT   NOT NULL DEFAULT '',
    role         TEXT   NOT NULL DEFAULT '',
    launch_name  TEXT   NOT NULL DEFAULT ''
);

CREATE INDEX audit_by_launch ON audit (launch_id, id);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

-- One row per launch and role: the latest DM that asked the role's holder.
CREATE TABLE approval_dms (
    launch_id  BIGINT NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    role       TEXT   NOT NULL COLLATE nocase,
    holder     TEXT   NOT NULL CHECK (holder <> ''),
    channel_id TEXT   NOT NULL CHECK (channel_id <> ''),
    ts         TEXT   NOT NULL CHECK (ts <> ''),
    asked_at   BIGINT NOT NULL,
    PRIMARY KEY (launch_id, role)
);

-- The messages the bot posted about a launch, refreshed in place.
CREATE TABLE bot_messages (
    channel_id TEXT   NOT NULL CHECK (channel_id <> ''),
    ts         TEXT   NOT NULL CHECK (ts <> ''), -- Slack's id of the message in its channel
    launch_id  BIGINT NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    kind       TEXT   NOT NULL CHECK (kind IN ('checklist', 'status', 'reminder')),
    -- view is the checklist page shown, the window's key for a reminder,
    -- '' for a status.
    view       TEXT   NOT NULL,
    posted_at  BIGINT NOT NULL,
    PRIMARY KEY (channel_id, ts)
);

CREATE INDEX bot_messages_by_launch ON bot_messages (launch_id, posted_at);

-- Verified requests that answered (team and Slack's trigger_id), so that a
-- replay is refused by any process; pruned after an hour.
CREATE TABLE seen_requests (
    team_id    TEXT   NOT NULL CHECK (team_id <> ''),
    request_id TEXT   NOT NULL CHECK (request_id <> ''),
    seen_at    BIGINT NOT NULL,
    PRIMARY KEY (team_id, request_id)
);

CREATE INDEX seen_requests_by_age ON seen_requests (seen_at);

-- One row that readiness (/readyz) rewrites to prove writes commit.
CREATE TABLE heartbeat (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    at BIGINT NOT NULL
);

-- Checklists read by the import form, waiting for Confirm.
CREATE TABLE import_drafts (
    token      TEXT   PRIMARY KEY CHECK (length(token) >= 16),
    team_id    TEXT   NOT NULL,
    channel_id TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    launch_id  BIGINT
);

-- The outbox: messages owed to Slack because of a change, written in that
-- change's transaction, claimed under a lease fenced by claim_token.
CREATE TABLE outbox (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- key names the cause: the same cause never enqueues twice.
    key             TEXT    NOT NULL UNIQUE CHECK (key <> ''),
    launch_id       BIGINT  NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind <> ''),
    -- Exactly one of channel_id and user_id (a direct message) is set.
    channel_id      TEXT    NOT NULL DEFAULT '',
    user_id         TEXT    NOT NULL DEFAULT '',
    body            TEXT    NOT NULL CHECK (body <> ''), -- JSON, opaque here
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'claimed', 'sending', 'sent', 'unknown', 'failed')),
    -- in_doubt: an attempt's outcome was unknown; look in Slack before resending.
    in_doubt        BOOLEAN NOT NULL DEFAULT FALSE,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    next_attempt_at BIGINT  NOT NULL DEFAULT 0,
    claim_token     TEXT    NOT NULL DEFAULT '',
    lease_until     BIGINT  NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    ts              TEXT    NOT NULL DEFAULT '', -- the message's id once sent
    done_at         BIGINT,
    CHECK ((channel_id = '') <> (user_id = ''))
);

CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_held ON outbox (lease_until) WHERE state IN ('claimed', 'sending');

-- The App Home finds a person's launches by these.
CREATE INDEX launches_by_creator ON launches (team_id, creator) WHERE archived = FALSE;
CREATE INDEX items_by_owner ON items (owner, launch_id) WHERE owner <> '';
CREATE INDEX items_by_doer ON items (done_by, launch_id) WHERE done_by <> '';
CREATE INDEX sections_by_owner ON sections (owner, launch_id) WHERE owner <> '';
CREATE INDEX section_groups_by_owner ON section_groups (owner, launch_id) WHERE owner <> '';
CREATE INDEX roles_by_holder ON roles (holder, launch_id) WHERE holder <> '';

-- API tokens, one launch each; only the SHA-256 of the secret is kept. A
-- revoked token keeps its row and frees its name.
CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    launch_id    BIGINT NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL CHECK (name <> ''),
    hash         TEXT   NOT NULL UNIQUE CHECK (length(hash) = 64),
    created_by   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    revoked_by   TEXT   NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens (launch_id, name) WHERE revoked_at IS NULL;

-- The local console's conversations (each message the JSON it was drawn
-- from) and named settings.
CREATE TABLE console_messages (
    channel_id TEXT   NOT NULL CHECK (channel_id <> ''),
    ts         TEXT   NOT NULL CHECK (ts <> ''),
    doc        TEXT   NOT NULL CHECK (doc::json IS NOT NULL),
    saved_at   BIGINT NOT NULL,
    PRIMARY KEY (channel_id, ts)
);

CREATE TABLE console_settings (
    name  TEXT NOT NULL PRIMARY KEY CHECK (name <> ''),
    value TEXT NOT NULL
);

-- Reminders: the posts the scheduler owes each launch, claimed under a
-- lease fenced by claim_token; kept once done as the record of what was sent.
CREATE TABLE reminders (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    launch_id       BIGINT NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    kind            TEXT   NOT NULL CHECK (kind IN ('window', 'countdown', 'digest', 'overdue-dm', 'approval-dm',
                                                'waiver-lapse', 'waiver-lapse-dm', 'probe')),
    -- key tells a launch's reminders of one kind apart.
    key             TEXT   NOT NULL CHECK (key <> ''),
    due_at          BIGINT NOT NULL,
    state           TEXT   NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'claimed', 'posting', 'sent', 'skipped', 'dead')),
    claim_token     TEXT   NOT NULL DEFAULT '',
    lease_until     BIGINT NOT NULL DEFAULT 0,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT   NOT NULL DEFAULT '',
    note            TEXT   NOT NULL DEFAULT '', -- why a row was skipped
    sent_at         BIGINT, -- when sent or skipped
    payload         TEXT   NOT NULL DEFAULT '{}', -- JSON
    UNIQUE (launch_id, kind, key)
);

CREATE INDEX reminders_pending ON reminders (due_at) WHERE state = 'pending';
CREATE INDEX reminders_held ON reminders (lease_until) WHERE state IN ('claimed', 'posting');
