-- Administrative procedures and their dossiers at the one-stop desk.

-- A catalogue entry: its code and which version is current. The content lives in versions,
-- each made by a decision (announced, amended, abolished).
CREATE TABLE procedures (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL,
    current_version_id BIGINT,
    abolished BOOLEAN NOT NULL DEFAULT FALSE,
    -- The unit that handles its dossiers.
    handling_unit_id BIGINT REFERENCES units(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT procedures_code_uq UNIQUE (code)
);

CREATE TABLE procedure_versions (
    id BIGSERIAL PRIMARY KEY,
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    seq BIGINT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('announced', 'amended', 'abolished')),
    decision TEXT NOT NULL,
    decision_date DATE NOT NULL,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    level TEXT NOT NULL,
    steps TEXT NOT NULL,
    -- JSON array of {name, form, required}.
    components TEXT NOT NULL,
    processing_days BIGINT NOT NULL,
    applicants TEXT NOT NULL,
    implementing_agency TEXT NOT NULL,
    result TEXT NOT NULL,
    fee BIGINT NOT NULL DEFAULT 0,
    fee_note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT procedure_versions_seq_uq UNIQUE (procedure_id, seq)
);

CREATE TABLE dossiers (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL,
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    procedure_version_id BIGINT NOT NULL REFERENCES procedure_versions(id),
    channel TEXT NOT NULL CHECK (channel IN ('counter', 'online')),
    status BIGINT NOT NULL,
    -- Where a dossier waiting for supplementation goes back to.
    resume_status BIGINT,
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL DEFAULT '',
    applicant_phone TEXT NOT NULL,
    phone_tail TEXT NOT NULL,
    applicant_email TEXT NOT NULL DEFAULT '',
    applicant_address TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    submitted_on DATE NOT NULL,
    received_on DATE,
    -- The one-stop desk that received it; NULL for an online submission not yet accepted.
    received_unit_id BIGINT REFERENCES units(id),
    received_by BIGINT REFERENCES users(id),
    handling_unit_id BIGINT REFERENCES units(id),
    due_date DATE,
    original_due_date DATE,
    apology_date DATE,
    apology_reason TEXT NOT NULL DEFAULT '',
    paused_on DATE,
    fee BIGINT NOT NULL DEFAULT 0,
    fee_paid BOOLEAN NOT NULL DEFAULT FALSE,
    finished_on DATE,
    returned_on DATE,
    timeliness TEXT,
    refusal_reason TEXT NOT NULL DEFAULT '',
    supplementation_note TEXT NOT NULL DEFAULT '',
    rating BIGINT,
    rating_note TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
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
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    form TEXT NOT NULL DEFAULT '',
    required BOOLEAN NOT NULL,
    provided BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (dossier_id, position)
);

CREATE TABLE dossier_files (
    id BIGSERIAL PRIMARY KEY,
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    component_position BIGINT,
    -- submission, supplementation or result
    stage TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX dossier_files_dossier_idx ON dossier_files (dossier_id);

-- The steps of the handling, each with its unit and due date.
CREATE TABLE dossier_steps (
    id BIGSERIAL PRIMARY KEY,
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id),
    days BIGINT NOT NULL,
    due_date DATE NOT NULL,
    finished_on DATE
);
CREATE INDEX dossier_steps_dossier_idx ON dossier_steps (dossier_id);

-- What happened to a dossier, in order; the applicant's tracking page shows it.
CREATE TABLE dossier_events (
    id BIGSERIAL PRIMARY KEY,
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    occurred_on DATE NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    action TEXT NOT NULL,
    status BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    user_id BIGINT REFERENCES users(id)
);
CREATE INDEX dossier_events_dossier_idx ON dossier_events (dossier_id, id);
