-- The stale-GO notice moves onto the outbox (key "stale:<launch>:<the
-- announcement's instant>"). The notices already claimed are recorded there
-- as sent, so that none is told twice; their text was not kept, and the
-- body says only that.
INSERT INTO outbox (key, launch_id, kind, channel_id, body, state, created_at, done_at)
SELECT 'stale:' || s.launch_id || ':' || s.announced_at, s.launch_id, 'stale', l.channel_id,
    json_object('notice', 'posted before the outbox'), 'sent', s.noticed_at, s.noticed_at
FROM stale_notices s JOIN launches l ON l.id = s.launch_id
WHERE true
ON CONFLICT (key) DO NOTHING;
DROP TABLE stale_notices;
