-- The probe golive runs for an item, as `probe` takes it
-- ("tls api.example.com:443 min_days=30"); '' when it has none. Its
-- results are the item's evidence.
ALTER TABLE items ADD COLUMN probe TEXT NOT NULL DEFAULT '';
