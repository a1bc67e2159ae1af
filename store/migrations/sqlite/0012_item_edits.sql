-- Edits of a live launch: the items removed from it (JSON, kept for the
-- export with who, when and why), the highest item number it ever gave (so
-- a removed number is never reused), and each item's notes (JSON).
ALTER TABLE launches ADD COLUMN removed_items TEXT NOT NULL DEFAULT '';
ALTER TABLE launches ADD COLUMN item_high_water INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN notes TEXT NOT NULL DEFAULT '';
