-- When approvals were last asked for with `approvals`, in milliseconds
-- since the epoch; NULL when never. From then on, a role's new holder is
-- asked for their answer as soon as they are put in the role.
ALTER TABLE launches ADD COLUMN approvals_asked_at INTEGER;
