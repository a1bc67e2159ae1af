-- Items marked not applicable (`na`): who, why, when, and whether a role
-- holder confirmed it (JSON, '' when the item applies).
ALTER TABLE items ADD COLUMN na TEXT NOT NULL DEFAULT '';
