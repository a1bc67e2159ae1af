-- Audit rows keep what a change was about in fields of their own: the item
-- numbers (a JSON array), the section, the role, and the launch's name for
-- a change of the whole launch. The kind of change stays in "action". The
-- "subject" column keeps the text made from these fields for a person
-- reading the table; no code reads it back.
ALTER TABLE audit ADD COLUMN items       TEXT NOT NULL DEFAULT '[]';
ALTER TABLE audit ADD COLUMN section     TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN role        TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN launch_name TEXT NOT NULL DEFAULT '';

-- The rows written before read their facts from the subject text, once,
-- here: the only place that text is ever parsed. The log stays append-only
-- for everyone else: its guard is lifted for these updates only, inside
-- this migration's transaction, and put back as it was.
DROP TRIGGER audit_no_update;

UPDATE audit SET items = '[' || substr(subject, 6) || ']'
WHERE subject GLOB 'item [0-9]*' AND substr(subject, 6) NOT GLOB '*[^0-9]*';

UPDATE audit SET section = substr(subject, 9) WHERE subject GLOB 'section ?*';

UPDATE audit SET role = substr(subject, 6) WHERE subject GLOB 'role ?*';

UPDATE audit SET launch_name = substr(subject, 8)
WHERE action IN ('create', 'archive') AND subject GLOB 'launch ?*';

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
