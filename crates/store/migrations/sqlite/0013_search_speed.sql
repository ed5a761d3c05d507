-- Search at a million records (issue 4).
--
-- The word index gains prefix indexes of two and three characters: a word still being typed
-- ("quan tr", "Thanh Hó") is then read from the index like any word, newest first, instead
-- of merging every word that begins so (measured: 300 ms for "tr" at a million documents).
-- A contentless FTS5 table cannot be rebuilt from itself: it is made anew and the entries
-- are emptied, so `search::catch_up` (run by `migrate`, and by `serve` at start) indexes
-- every record again, as for a database from before search.
DROP TABLE search_fts;
DELETE FROM search_entries;
DELETE FROM sqlite_sequence WHERE name = 'search_entries';
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body, reference,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3'
);

-- Ranking reads the title, reference, kind and date of up to 2,000 matches, and the
-- reader's scope checks the document of each: narrow copies of those columns, so neither
-- reads the wide rows (the body, the notes) page by page.
CREATE INDEX search_entries_rank_idx ON search_entries(id, kind, record_id, record_date, title, reference);
CREATE INDEX documents_search_idx ON documents(id, direction, secrecy);

-- The indexed words of four letters or more, for a word being typed: `nhie` is searched as
-- `nhiem OR nhieu OR nhiet`, which FTS5 reads newest first, instead of a prefix it has no
-- index for and merges in full first. Filled with the words as entries are written.
CREATE TABLE search_terms (
    term TEXT PRIMARY KEY
) WITHOUT ROWID;
