-- The pollution hotline: cases, the reports that form them, the reporters' identities
-- (a table of their own, read only where the rules allow), evidence, the status steps,
-- and the officers of provinces' environment departments.

CREATE TABLE hotline_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    province_id INTEGER REFERENCES admin_areas(id),
    commune_id INTEGER REFERENCES admin_areas(id),
    address TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    inter_provincial INTEGER NOT NULL DEFAULT 0,
    -- The province whose environment department handles it; NULL: central.
    routed_province_id INTEGER REFERENCES admin_areas(id),
    due_date TEXT NOT NULL,
    received_at TEXT NOT NULL,
    verified_at TEXT,
    handled_at TEXT,
    responded_at TEXT,
    closed_at TEXT,
    -- The note of the last step, shown as Open311's status_notes without a lookup.
    last_note TEXT NOT NULL DEFAULT '',
    merged_into INTEGER REFERENCES hotline_cases(id),
    -- An operator shared the reporters' identities with the province (audited).
    identity_shared INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE INDEX hotline_cases_received_idx ON hotline_cases(received_at, id);
CREATE INDEX hotline_cases_routed_idx ON hotline_cases(routed_province_id, received_at);
CREATE INDEX hotline_cases_kind_idx ON hotline_cases(kind, received_at);

CREATE TABLE hotline_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES hotline_cases(id),
    tracking_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Folded words of the description, for duplicate suggestions and search.
    search_key TEXT NOT NULL DEFAULT '',
    onset TEXT,
    severity TEXT,
    signs TEXT NOT NULL DEFAULT '',
    observed_at TEXT,
    polluter TEXT NOT NULL DEFAULT '',
    affected_people INTEGER,
    extent TEXT NOT NULL DEFAULT '',
    other_information TEXT NOT NULL DEFAULT '',
    province_id INTEGER REFERENCES admin_areas(id),
    commune_id INTEGER REFERENCES admin_areas(id),
    address TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    -- Press and social media: where it was published.
    source_url TEXT NOT NULL DEFAULT '',
    outlet TEXT NOT NULL DEFAULT '',
    published_on TEXT,
    api_key_id INTEGER REFERENCES api_keys(id),
    received_by INTEGER REFERENCES users(id),
    received_at TEXT NOT NULL,
    CONSTRAINT hotline_reports_tracking_code_uq UNIQUE (tracking_code)
);
CREATE INDEX hotline_reports_received_idx ON hotline_reports(received_at, id);
CREATE INDEX hotline_reports_case_idx ON hotline_reports(case_id);
CREATE INDEX hotline_reports_kind_idx ON hotline_reports(kind, received_at);

-- The protected part: who reported. Never joined into lists, exports, statistics or Open311.
CREATE TABLE hotline_reporters (
    report_id INTEGER PRIMARY KEY REFERENCES hotline_reports(id),
    name TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);

CREATE TABLE hotline_evidence (
    report_id INTEGER NOT NULL REFERENCES hotline_reports(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    PRIMARY KEY (report_id, sha256)
);

CREATE TABLE hotline_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES hotline_cases(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),
    actor_label TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX hotline_steps_case_idx ON hotline_steps(case_id, id);

CREATE TABLE hotline_officers (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    province_id INTEGER NOT NULL REFERENCES admin_areas(id)
);
