-- Search of the kinds with few records (issue 4).
--
-- A search that has to go further back than the newest matches for a kind with few records
-- (news, dossiers, hotline cases beside a million documents) reads that kind's entries newest
-- first through this index and matches each one's words, instead of windows of every kind's
-- matches of common words (seconds at a million documents).
CREATE INDEX search_entries_kind_idx ON search_entries(kind, id);
