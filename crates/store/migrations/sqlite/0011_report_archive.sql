-- The report archive: the periodic reports (weekly, monthly, quarterly) the background job
-- writes, and the ones people generate on demand, each kept as PDF, DOCX and XLSX in the
-- blob store. A scheduled report exists once per (kind, period start), whatever the
-- number of nodes: the job claims the run, and this index refuses a second row anyway.

CREATE TABLE report_archive (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period_kind TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    title TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    -- NULL: written by the scheduled job.
    generated_by INTEGER REFERENCES users(id),
    pdf_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    docx_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    xlsx_sha256 TEXT NOT NULL REFERENCES blobs(sha256)
);

CREATE UNIQUE INDEX report_archive_scheduled_once
    ON report_archive (period_kind, period_start) WHERE generated_by IS NULL;
CREATE INDEX report_archive_by_start ON report_archive (period_start, id);
