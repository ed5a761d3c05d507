-- Search (issue 4): one index for every kind of record (incoming and outgoing documents
-- now; dossiers, hotline reports and news as they land), written in the same transaction
-- as the record it describes, so what commits is searchable at once on every node and a
-- crash cannot leave the two disagreeing.
--
-- `search_entries` keeps the text as written (for snippets and ranking) and the record's
-- date; the words go to an FTS5 table whose rowid is the entry's id. The words arrive
-- already cut and folded by vanphong (core::search: no tone marks, đ → d, lower case), so a
-- query with or without diacritics finds both; vanphong then ranks the matches itself
-- (exact diacritics, the symbol and the title first), the same way on both backends. The
-- FTS table keeps no copy of the text (contentless), only the index.

CREATE TABLE search_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'incoming', 'outgoing' (and later 'dossier', 'hotline_report', 'news').
    kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    -- The number and symbol, or another reference people type.
    reference TEXT NOT NULL DEFAULT '',
    -- Everything else: sender, signer, notes, attachment names and their text.
    body TEXT NOT NULL DEFAULT '',
    record_date TEXT,
    indexed_at TEXT NOT NULL,
    CONSTRAINT search_entries_record_uq UNIQUE (kind, record_id)
);

CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body, reference,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- The text of an attachment, found once per file content (blobs are content-addressed):
-- 'text' (a text-based PDF or a text file), 'no_text_layer' (a scan: an image, or a PDF
-- without text), 'unsupported' (another kind of file), 'failed' (unreadable).
CREATE TABLE blob_texts (
    sha256 TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('text', 'no_text_layer', 'unsupported', 'failed')),
    text TEXT NOT NULL DEFAULT '',
    pages INTEGER,
    extracted_at TEXT NOT NULL
);
CREATE INDEX blob_texts_status_idx ON blob_texts(status);

-- A user's saved searches (the decree asks for them): the query string of the search page.
CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT saved_searches_name_uq UNIQUE (user_id, name)
);
