-- Document lists filtered by status, newest first (issue 8).
--
-- The index on (direction, status) gave the matching documents in no useful order: at 10M
-- documents the clerk's "in progress" list walked the primary key backwards past 30,000
-- documents of other statuses (34 ms), or read all 160,000 in progress and sorted them
-- (the national benchmark's p95 swung between 93 and 211 ms). With the id in the index the
-- page is the first 21 entries of its status, newest first: 0.09 ms. SQLite's indexes end
-- with the rowid already, so it needs no such change.
DROP INDEX documents_status_idx;
CREATE INDEX documents_status_idx ON documents (direction, status, id);
