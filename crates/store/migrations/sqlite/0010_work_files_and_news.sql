-- Work files (hồ sơ công việc) and their handover to the agency archive, and the news
-- articles of the agency's public site.

-- A handover (giao nộp hồ sơ vào Lưu trữ cơ quan): the record of one unit handing a list of
-- closed files to the archive; the archivist receives it on a date.
CREATE TABLE archive_handovers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    handed_on TEXT NOT NULL,
    handed_by INTEGER REFERENCES users(id),
    notes TEXT NOT NULL DEFAULT '',
    received_on TEXT,
    received_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX archive_handovers_unit_idx ON archive_handovers(unit_id, handed_on);

CREATE TABLE work_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Sequence and heading abbreviation from the file plan, e.g. 01.TCCB.
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    -- NULL: kept permanently; otherwise the number of years.
    retention_years INTEGER,
    keeper_id INTEGER REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'handed_over', 'received')),
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    handover_id INTEGER REFERENCES archive_handovers(id),
    -- The day the archive received it: the reports count by this date.
    received_on TEXT,
    notes TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT work_files_code_uq UNIQUE (unit_id, year, code)
);
CREATE INDEX work_files_received_idx ON work_files(received_on, id);
CREATE INDEX work_files_unit_idx ON work_files(unit_id, year);
CREATE INDEX work_files_handover_idx ON work_files(handover_id);

-- One document may be in several files without being copied.
CREATE TABLE work_file_documents (
    file_id INTEGER NOT NULL REFERENCES work_files(id),
    document_id INTEGER NOT NULL REFERENCES documents(id),
    added_by INTEGER REFERENCES users(id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (file_id, document_id)
);
CREATE INDEX work_file_documents_document_idx ON work_file_documents(document_id);

CREATE TABLE news_articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    -- Plain text; paragraphs are separated by blank lines. Never HTML.
    body TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    cover_sha256 TEXT REFERENCES blobs(sha256),
    cover_content_type TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    published_at TEXT,
    author_id INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT news_articles_slug_uq UNIQUE (slug)
);
CREATE INDEX news_articles_published_idx ON news_articles(status, published_at, id);
