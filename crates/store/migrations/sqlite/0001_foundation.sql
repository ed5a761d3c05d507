-- The foundation: organisation, people, sign-in, API keys, audit trail, blobs, notifications.
-- Timestamps are TEXT in RFC 3339 (sqlx's chrono encoding); booleans are INTEGER 0/1.

CREATE TABLE agency (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    abbreviation TEXT NOT NULL,
    parent_abbreviation TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    place_name TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES units(id),
    name TEXT NOT NULL,
    abbreviation TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    CONSTRAINT units_abbreviation_uq UNIQUE (abbreviation)
);
CREATE INDEX units_parent_idx ON units(parent_id);

CREATE TABLE positions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    rank INTEGER NOT NULL DEFAULT 100,
    CONSTRAINT positions_name_uq UNIQUE (name)
);

CREATE TABLE admin_areas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    parent_id INTEGER REFERENCES admin_areas(id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    successor_id INTEGER REFERENCES admin_areas(id),
    CONSTRAINT admin_areas_code_from_uq UNIQUE (level, code, valid_from)
);
CREATE INDEX admin_areas_parent_idx ON admin_areas(parent_id);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    abbreviation TEXT NOT NULL DEFAULT '',
    agency_code TEXT,
    kind TEXT NOT NULL,
    -- Lower-case, without tone marks and with đ folded to d: what searches compare.
    search_key TEXT NOT NULL DEFAULT '',
    province_id INTEGER REFERENCES admin_areas(id),
    email TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    CONSTRAINT organisations_name_uq UNIQUE (name),
    CONSTRAINT organisations_agency_code_uq UNIQUE (agency_code)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    unit_id INTEGER REFERENCES units(id),
    position_id INTEGER REFERENCES positions(id),
    clearance INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    language TEXT NOT NULL DEFAULT 'vi',
    search_key TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    CONSTRAINT users_username_uq UNIQUE (username)
);
CREATE INDEX users_unit_idx ON users(unit_id);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    source_address TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions(user_id);
CREATE INDEX sessions_expiry_idx ON sessions(expires_at);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username_key TEXT NOT NULL,
    source_address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_user_idx ON login_failures(username_key, at);
CREATE INDEX login_failures_address_idx ON login_failures(source_address, at);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT,
    CONSTRAINT api_keys_prefix_uq UNIQUE (prefix)
);

CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    actor_user_id INTEGER,
    actor_label TEXT NOT NULL,
    source_address TEXT NOT NULL,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before_digest TEXT NOT NULL,
    after_digest TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_object_idx ON audit_events(object_kind, object_id, seq);

-- The head records the last event, so that deleting events from the end is noticed.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The trail is append-only: the database itself refuses edits and deletions.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Who uploaded which blob: a raw blob is readable only by its uploaders; attachments are
-- read through the record they belong to, with that record's permissions.
CREATE TABLE blob_uploads (
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    user_id INTEGER NOT NULL REFERENCES users(id),
    file_name TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (sha256, user_id)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT,
    CONSTRAINT notifications_dedupe_uq UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_unread_idx ON notifications(user_id, read_at);

-- Scheduled jobs claim a run key here, so that with several nodes each run happens once.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    run_key TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (job, run_key)
);
