-- The review reads each source once through an index that holds every column its figures
-- test, so a year over a million documents never touches the rows themselves:
-- incoming documents by arrival day, outgoing by issue day, finished lead work by the
-- moment it was finished, late lead work by its due day. These replace the single-column
-- indexes on the same dates (migrations 0002 and 0012), which every query of them also
-- filtered by direction or role.
DROP INDEX documents_arrival_date_idx;
CREATE INDEX documents_arrival_idx ON documents(direction, arrival_date, secrecy, status, kind, petition_source);
DROP INDEX documents_issued_idx;
CREATE INDEX documents_issued_on_idx ON documents(direction, issued_on, secrecy, signing_authority, type_code);
DROP INDEX assignments_finished_idx;
CREATE INDEX assignments_lead_finished_idx ON assignments(role, status, finished_at, due_date, document_id);
DROP INDEX assignments_due_day_idx;
CREATE INDEX assignments_lead_due_idx ON assignments(role, due_date, status, unit_id, finished_at, document_id);
-- The few documents above normal secrecy: a reader's clearance is checked by leaving out
-- those above it, without reading every document (`documents::scope_condition_by_id`).
CREATE INDEX documents_secret_idx ON documents(secrecy, id) WHERE secrecy > 0;
