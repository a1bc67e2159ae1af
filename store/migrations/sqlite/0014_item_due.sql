-- Due dates of items (YYYY-MM-DD in the launch's zone, '' for none), set
-- on the live launch with `due`.
ALTER TABLE items ADD COLUMN due TEXT NOT NULL DEFAULT '';
