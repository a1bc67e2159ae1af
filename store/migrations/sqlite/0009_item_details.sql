-- An item's details: what the checklist indents under it (notes such as
-- "Owner: DevOps", sub-bullets without a box, code, link addresses), one
-- line each. Shown with the item, exported, never ticked.
ALTER TABLE items ADD COLUMN details TEXT NOT NULL DEFAULT '';
