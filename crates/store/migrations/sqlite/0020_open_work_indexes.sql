-- Open work, counted and listed without reading closed work: the same partial indexes as
-- PostgreSQL's migration 0019 (which has the measurements), their extra columns in the key
-- since SQLite has no INCLUDE. Each predicate is written exactly as the queries write
-- their condition, which is what lets SQLite use the index.
CREATE INDEX assignments_open_lead_idx ON assignments (unit_id, due_date, status, last_progress_at, assigned_at, document_id)
    WHERE role = 'lead' AND status IN ('assigned', 'handler_assigned', 'in_progress');
CREATE INDEX dossiers_open_due_idx ON dossiers (due_date, received_unit_id, handling_unit_id)
    WHERE status IN (1, 2, 4, 6);
CREATE INDEX hotline_cases_open_idx ON hotline_cases (status, received_at, routed_province_id)
    WHERE status IN ('received', 'verifying', 'verified', 'handling', 'handled', 'responded');
CREATE INDEX hotline_cases_overdue_idx ON hotline_cases (due_date, routed_province_id)
    WHERE status NOT IN ('responded', 'closed', 'not_competent', 'rejected', 'duplicate');
CREATE INDEX documents_open_due_idx ON documents (direction, due_date, secrecy)
    WHERE status NOT IN ('done', 'issued', 'recalled');
