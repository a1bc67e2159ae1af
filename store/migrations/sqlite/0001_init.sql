-- The core schema: launches, their checklists, and the append-only audit log.
-- Instants are Unix milliseconds (UTC) in INTEGER columns; time zones are IANA
-- names; calendar dates are TEXT YYYY-MM-DD.

-- Launch ids are never reused (AUTOINCREMENT): caches and audit rows key on them.
CREATE TABLE launches (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id               TEXT    NOT NULL CHECK (team_id <> ''),
    channel_id            TEXT    NOT NULL CHECK (channel_id <> ''),
    name                  TEXT    NOT NULL,
    date                  TEXT    NOT NULL,
    timezone              TEXT    NOT NULL,
    creator               TEXT    NOT NULL,
    template              TEXT    NOT NULL,
    created_at            INTEGER NOT NULL,
    archived              INTEGER NOT NULL CHECK (archived IN (0, 1)),
    reminders_off         INTEGER NOT NULL CHECK (reminders_off IN (0, 1)),
    review_date           TEXT    NOT NULL,
    -- announced_outcome is NULL until a decision is announced.
    announced_outcome     TEXT,
    announced_at          INTEGER,
    announced_by          TEXT    NOT NULL,
    announced_fingerprint TEXT    NOT NULL,
    title                 TEXT    NOT NULL,
    gates                 TEXT    NOT NULL, -- JSON array
    windows               TEXT    NOT NULL  -- JSON array
) STRICT;

-- A channel has at most one launch that is not archived.
CREATE UNIQUE INDEX launches_one_active_per_channel
    ON launches (team_id, channel_id) WHERE archived = 0;

CREATE TABLE sections (
    launch_id   INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    has_signoff INTEGER NOT NULL CHECK (has_signoff IN (0, 1)),
    -- signed_by is NULL while the section is not signed off.
    signed_by   TEXT,
    signed_at   INTEGER,
    signed_open INTEGER NOT NULL,
    PRIMARY KEY (launch_id, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE section_groups (
    launch_id     INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    section_idx   INTEGER NOT NULL,
    idx           INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    owner         TEXT    NOT NULL,
    priority      TEXT    NOT NULL,
    -- window_offset is NULL unless the group's heading names a time window.
    window_offset INTEGER,
    PRIMARY KEY (launch_id, section_idx, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE items (
    launch_id   INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL CHECK (number > 0),
    section_idx INTEGER NOT NULL,
    group_idx   INTEGER NOT NULL,
    idx         INTEGER NOT NULL, -- position in its group
    parent      INTEGER NOT NULL,
    depth       INTEGER NOT NULL,
    subgroup    TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    done        INTEGER NOT NULL CHECK (done IN (0, 1)),
    done_by     TEXT    NOT NULL,
    done_at     INTEGER,
    owner       TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    priority    TEXT    NOT NULL,
    task        INTEGER NOT NULL CHECK (task IN (0, 1)),
    line        INTEGER NOT NULL,
    PRIMARY KEY (launch_id, number)
) STRICT, WITHOUT ROWID;

CREATE TABLE roles (
    launch_id   INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    holder      TEXT    NOT NULL,
    verdict     TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    answered_by TEXT    NOT NULL,
    answered_at INTEGER,
    PRIMARY KEY (launch_id, position)
) STRICT, WITHOUT ROWID;

-- launch_versions counts the writes to each launch's rows. Every write bumps
-- it (the triggers below, whoever writes), so a process holding a copy of a
-- launch can tell with one small query, inside its transaction, whether the
-- copy is current. It lives apart from launches so that a bump rewrites a
-- tiny row, not the launch's gates and windows.
CREATE TABLE launch_versions (
    launch_id INTEGER PRIMARY KEY REFERENCES launches (id) ON DELETE CASCADE,
    version   INTEGER NOT NULL
) STRICT;

CREATE TRIGGER launches_version_insert AFTER INSERT ON launches
BEGIN
    INSERT INTO launch_versions (launch_id, version) VALUES (NEW.id, 1);
END;

CREATE TRIGGER launches_version_update AFTER UPDATE ON launches
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.id;
END;

CREATE TRIGGER sections_version_insert AFTER INSERT ON sections
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.launch_id;
END;

CREATE TRIGGER sections_version_update AFTER UPDATE ON sections
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.launch_id;
END;

CREATE TRIGGER sections_version_delete AFTER DELETE ON sections
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = OLD.launch_id;
END;

CREATE TRIGGER section_groups_version_insert AFTER INSERT ON section_groups
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.launch_id;
END;

CREATE TRIGGER section_groups_version_update AFTER UPDATE ON section_groups
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.launch_id;
END;

CREATE TRIGGER section_groups_version_delete AFTER DELETE ON section_groups
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = OLD.launch_id;
END;

CREATE TRIGGER items_version_insert AFTER INSERT ON items
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.launch_id;
END;

CREATE TRIGGER items_version_update AFTER UPDATE ON items
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.launch_id;
END;

CREATE TRIGGER items_version_delete AFTER DELETE ON items
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = OLD.launch_id;
END;

CREATE TRIGGER roles_version_insert AFTER INSERT ON roles
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.launch_id;
END;

CREATE TRIGGER roles_version_update AFTER UPDATE ON roles
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = NEW.launch_id;
END;

CREATE TRIGGER roles_version_delete AFTER DELETE ON roles
BEGIN
    UPDATE launch_versions SET version = version + 1 WHERE launch_id = OLD.launch_id;
END;

-- The audit log is history: launches that have one cannot be deleted, and
-- its rows can be neither changed nor removed.
CREATE TABLE audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    launch_id    INTEGER NOT NULL REFERENCES launches (id),
    at           INTEGER NOT NULL,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    before_value TEXT    NOT NULL,
    after_value  TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_by_launch ON audit (launch_id, id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
