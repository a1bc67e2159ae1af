-- A launch has a time of day, and time windows are durations: "T-4 Hours"
-- is four hours before the launch, not four days.
--
-- launch_time is the launch's wall-clock time on its date, HH:MM in its
-- zone, like the date a local calendar value: the instant follows from date,
-- time and zone, so that moving the zone keeps what people wrote. '' (the
-- launches stored before) launches at the reminder time.
ALTER TABLE launches ADD COLUMN launch_time TEXT NOT NULL DEFAULT '';

-- dated_at is when the launch was last dated (created, or its date or time
-- moved), Unix milliseconds: windows that had passed then are skipped, never
-- posted. The launches stored before were dated when they were created.
ALTER TABLE launches ADD COLUMN dated_at INTEGER NOT NULL DEFAULT 0;
UPDATE launches SET dated_at = created_at;

-- Window offsets were whole days; they are minutes now, negative before
-- launch. The column is renamed so that its unit cannot be mistaken.
ALTER TABLE section_groups RENAME COLUMN window_offset TO window_minutes;
UPDATE section_groups SET window_minutes = window_minutes * 1440 WHERE window_minutes IS NOT NULL;

-- The launch's list of windows (JSON) gets offset_minutes for offset (days),
-- in the same order.
UPDATE launches SET windows = (
    SELECT json_group_array(json(json_set(json_remove(w.value, '$.offset'),
                                          '$.offset_minutes', json_extract(w.value, '$.offset') * 1440)))
    FROM (SELECT value FROM json_each(launches.windows) ORDER BY key) AS w
) WHERE json_array_length(windows) > 0;
