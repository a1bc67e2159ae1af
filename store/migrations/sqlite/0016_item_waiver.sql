-- Items waived (`waive`): who, until which local date, why, when, and
-- whether the lapse was noticed (JSON, '' when the item has no waiver).
ALTER TABLE items ADD COLUMN waiver TEXT NOT NULL DEFAULT '';
