-- Official documents (Decree 30/2020): incoming and outgoing in one table, numbering
-- series and gap-free yearly counters, attachments, routing, progress, links, views.

CREATE TABLE numbering_series (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    -- Numbers documents above normal secrecy.
    secret INTEGER NOT NULL DEFAULT 0,
    -- Comma-separated type codes; empty: every type no other series claims.
    type_codes TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT numbering_series_name_uq UNIQUE (name)
);

-- One row per counter and year; incremented inside the transaction that uses the number,
-- so a number is never given twice and never skipped.
CREATE TABLE counters (
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (name, year)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    kind TEXT NOT NULL DEFAULT 'ordinary',
    type_code TEXT NOT NULL,
    number INTEGER,
    symbol TEXT,
    number_symbol TEXT,
    duplicate_key TEXT,
    document_date TEXT,
    subject TEXT NOT NULL,
    pages INTEGER,
    urgency INTEGER NOT NULL DEFAULT 0,
    secrecy INTEGER NOT NULL DEFAULT 0,
    signer_name TEXT NOT NULL DEFAULT '',
    signer_position TEXT NOT NULL DEFAULT '',
    signing_authority TEXT NOT NULL DEFAULT 'own',
    sender_organisation_id INTEGER REFERENCES organisations(id),
    sender_unit_id INTEGER REFERENCES units(id),
    sender_name TEXT NOT NULL DEFAULT '',
    arrival_year INTEGER,
    arrival_number INTEGER,
    arrival_date TEXT,
    receipt_acknowledged_at TEXT,
    status TEXT NOT NULL,
    -- The unit that keeps the record: the receiving unit for incoming documents, the
    -- drafting unit for outgoing ones. Scope checks use it with the assignments.
    owner_unit_id INTEGER REFERENCES units(id),
    -- The leader the document was put before, awaiting their instruction.
    leader_user_id INTEGER REFERENCES users(id),
    drafter_user_id INTEGER REFERENCES users(id),
    series_id INTEGER REFERENCES numbering_series(id),
    issue_year INTEGER,
    issued_on TEXT,
    due_date TEXT,
    petition_source TEXT,
    deputy_name TEXT NOT NULL DEFAULT '',
    recipients_text TEXT NOT NULL DEFAULT '',
    copies INTEGER,
    notes TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX documents_arrival_uq ON documents(arrival_year, arrival_number) WHERE direction = 'incoming';
CREATE UNIQUE INDEX documents_issue_uq ON documents(series_id, issue_year, number) WHERE direction = 'outgoing' AND number IS NOT NULL;
CREATE INDEX documents_duplicate_idx ON documents(duplicate_key);
CREATE INDEX documents_list_idx ON documents(direction, id);
CREATE INDEX documents_arrival_date_idx ON documents(arrival_date);
CREATE INDEX documents_issued_idx ON documents(issued_on);
CREATE INDEX documents_status_idx ON documents(direction, status);
CREATE INDEX documents_owner_idx ON documents(owner_unit_id);
CREATE INDEX documents_kind_idx ON documents(kind);

CREATE TABLE document_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    -- 'main' (the scan or signed file), 'appendix', or 'draft' (a version of a draft).
    role TEXT NOT NULL DEFAULT 'main',
    draft_version INTEGER,
    uploaded_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX document_attachments_doc_idx ON document_attachments(document_id);

CREATE TABLE assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'coordinating', 'for_information')),
    status TEXT NOT NULL,
    instruction TEXT NOT NULL DEFAULT '',
    due_date TEXT,
    handler_user_id INTEGER REFERENCES users(id),
    assigned_by INTEGER REFERENCES users(id),
    assigned_at TEXT NOT NULL,
    finished_at TEXT,
    result TEXT NOT NULL DEFAULT '',
    reply_document_id INTEGER REFERENCES documents(id),
    last_progress_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX assignments_doc_idx ON assignments(document_id);
CREATE INDEX assignments_unit_idx ON assignments(unit_id, status);
CREATE INDEX assignments_handler_idx ON assignments(handler_user_id, status);
CREATE INDEX assignments_due_idx ON assignments(status, due_date);

CREATE TABLE progress_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    note TEXT NOT NULL,
    percent INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX progress_notes_assignment_idx ON progress_notes(assignment_id);

CREATE TABLE document_links (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    related_id INTEGER NOT NULL REFERENCES documents(id),
    -- 'reply_to', 'replaces', 'related'
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (document_id, related_id, kind)
);
CREATE INDEX document_links_related_idx ON document_links(related_id);

CREATE TABLE document_views (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    first_viewed_at TEXT NOT NULL,
    last_viewed_at TEXT NOT NULL,
    PRIMARY KEY (document_id, user_id)
);

CREATE TABLE review_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    draft_version INTEGER,
    comment TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX review_comments_doc_idx ON review_comments(document_id);

CREATE TABLE dispatches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    recipient_unit_id INTEGER REFERENCES units(id),
    recipient_organisation_id INTEGER REFERENCES organisations(id),
    -- For our own units: the incoming document created for them.
    incoming_document_id INTEGER REFERENCES documents(id),
    sent_at TEXT NOT NULL,
    method TEXT NOT NULL DEFAULT 'electronic',
    recalled_at TEXT
);
CREATE INDEX dispatches_doc_idx ON dispatches(document_id);

CREATE TABLE conclusion_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    description TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    due_date TEXT,
    done_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX conclusion_tasks_doc_idx ON conclusion_tasks(document_id);

INSERT INTO numbering_series (name, secret, type_codes) VALUES ('Văn bản hành chính', 0, '');
INSERT INTO numbering_series (name, secret, type_codes) VALUES ('Quyết định', 0, 'quyet_dinh');
INSERT INTO numbering_series (name, secret, type_codes) VALUES ('Văn bản mật', 1, '');
