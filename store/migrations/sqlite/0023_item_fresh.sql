-- How recent an item's verification must be for its gates to count it
-- done (`fresh`), in seconds; 0 when any age will do.
ALTER TABLE items ADD COLUMN fresh_seconds INTEGER NOT NULL DEFAULT 0;
