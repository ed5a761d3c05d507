-- Administrative procedures and their dossiers at the one-stop desk.

-- A catalogue entry: its code and which version is current. The content lives in versions,
-- each made by a decision (announced, amended, abolished).
CREATE TABLE procedures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    current_version_id INTEGER,
    abolished INTEGER NOT NULL DEFAULT 0,
    -- The unit that handles its dossiers.
    handling_unit_id INTEGER REFERENCES units(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT procedures_code_uq UNIQUE (code)
);

CREATE TABLE procedure_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    procedure_id INTEGER NOT NULL REFERENCES procedures(id),
    seq INTEGER NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('announced', 'amended', 'abolished')),
    decision TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    level TEXT NOT NULL,
    steps TEXT NOT NULL,
    -- JSON array of {name, form, required}.
    components TEXT NOT NULL,
    processing_days INTEGER NOT NULL,
    applicants TEXT NOT NULL,
    implementing_agency TEXT NOT NULL,
    result TEXT NOT NULL,
    fee INTEGER NOT NULL DEFAULT 0,
    fee_note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CONSTRAINT procedure_versions_seq_uq UNIQUE (procedure_id, seq)
);

CREATE TABLE dossiers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    procedure_id INTEGER NOT NULL REFERENCES procedures(id),
    procedure_version_id INTEGER NOT NULL REFERENCES procedure_versions(id),
    channel TEXT NOT NULL CHECK (channel IN ('counter', 'online')),
    status INTEGER NOT NULL,
    -- Where a dossier waiting for supplementation goes back to.
    resume_status INTEGER,
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL DEFAULT '',
    applicant_phone TEXT NOT NULL,
    phone_tail TEXT NOT NULL,
    applicant_email TEXT NOT NULL DEFAULT '',
    applicant_address TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    submitted_on TEXT NOT NULL,
    received_on TEXT,
    -- The one-stop desk that received it; NULL for an online submission not yet accepted.
    received_unit_id INTEGER REFERENCES units(id),
    received_by INTEGER REFERENCES users(id),
    handling_unit_id INTEGER REFERENCES units(id),
    due_date TEXT,
    original_due_date TEXT,
    apology_date TEXT,
    apology_reason TEXT NOT NULL DEFAULT '',
    paused_on TEXT,
    fee INTEGER NOT NULL DEFAULT 0,
    fee_paid INTEGER NOT NULL DEFAULT 0,
    finished_on TEXT,
    returned_on TEXT,
    timeliness TEXT,
    refusal_reason TEXT NOT NULL DEFAULT '',
    supplementation_note TEXT NOT NULL DEFAULT '',
    rating INTEGER,
    rating_note TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT dossiers_code_uq UNIQUE (code)
);
CREATE INDEX dossiers_status_idx ON dossiers (status, id);
CREATE INDEX dossiers_submitted_idx ON dossiers (submitted_on, id);
CREATE INDEX dossiers_procedure_idx ON dossiers (procedure_id, id);
CREATE INDEX dossiers_handling_unit_idx ON dossiers (handling_unit_id, id);
CREATE INDEX dossiers_received_unit_idx ON dossiers (received_unit_id, id);
CREATE INDEX dossiers_finished_idx ON dossiers (finished_on);

-- The checklist of components, copied from the procedure version at submission.
CREATE TABLE dossier_components (
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    form TEXT NOT NULL DEFAULT '',
    required INTEGER NOT NULL,
    provided INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dossier_id, position)
);

CREATE TABLE dossier_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    component_position INTEGER,
    -- submission, supplementation or result
    stage TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX dossier_files_dossier_idx ON dossier_files (dossier_id);

-- The steps of the handling, each with its unit and due date.
CREATE TABLE dossier_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id),
    days INTEGER NOT NULL,
    due_date TEXT NOT NULL,
    finished_on TEXT
);
CREATE INDEX dossier_steps_dossier_idx ON dossier_steps (dossier_id);

-- What happened to a dossier, in order; the applicant's tracking page shows it.
CREATE TABLE dossier_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    occurred_on TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    action TEXT NOT NULL,
    status INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    user_id INTEGER REFERENCES users(id)
);
CREATE INDEX dossier_events_dossier_idx ON dossier_events (dossier_id, id);
