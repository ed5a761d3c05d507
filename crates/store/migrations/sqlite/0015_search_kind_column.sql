-- Search of the kinds with few records (issue 4).
--
-- The word index gains a `kind` column holding the entry's kind code. A search that has to go
-- further back than the newest matches for a kind with few records (news, dossiers, hotline
-- cases beside a million documents) adds `kind : "news"` to the words, and FTS5 steps
-- through that kind's short list instead of reading every match of common words: a leader's
-- search for a common word took seconds at a million documents. The words a person types
-- are matched in the text columns only (`{title body reference} : (...)`), so no typed word
-- reaches the kind column.
--
-- As in 0013: a contentless FTS5 table cannot be rebuilt from itself, so it is made anew and
-- the entries are emptied; `search::catch_up` (run by `migrate`, and by `serve` at start)
-- indexes every record again.
DROP TABLE search_fts;
DELETE FROM search_entries;
DELETE FROM sqlite_sequence WHERE name = 'search_entries';
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body, reference, kind,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3'
);
