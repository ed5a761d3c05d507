-- An administrator's changes to a year's holidays: the Prime Minister's Tết and
-- 2 September schedule, swapped working Saturdays. Lists are JSON arrays.
CREATE TABLE calendar_overrides (
    year INTEGER PRIMARY KEY,
    replace_defaults INTEGER NOT NULL DEFAULT 0,
    added TEXT NOT NULL DEFAULT '[]',
    removed TEXT NOT NULL DEFAULT '[]',
    working_days TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
