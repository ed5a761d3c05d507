-- An administrator's changes to a year's holidays: the Prime Minister's Tết and
-- 2 September schedule, swapped working Saturdays. Lists are JSON arrays.
CREATE TABLE calendar_overrides (
    year BIGINT PRIMARY KEY,
    replace_defaults BOOLEAN NOT NULL DEFAULT FALSE,
    added TEXT NOT NULL DEFAULT '[]',
    removed TEXT NOT NULL DEFAULT '[]',
    working_days TEXT NOT NULL DEFAULT '[]',
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TIMESTAMPTZ NOT NULL
);
