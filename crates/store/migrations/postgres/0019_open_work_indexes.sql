-- Open work, counted and listed without reading closed work (issue 8).
--
-- At 10M documents, 1M dossiers and 1M hotline cases almost every record is closed, yet
-- the leader's dashboard, the home page's hotline card and the lists filtered to overdue
-- work found the few open ones through indexes on status alone, then read their rows from
-- all over the tables (measured on the national benchmark's database, each query alone):
--   open lead work by unit (160,000 assignments)          284 ms -> 27 ms
--   open dossiers at risk and overdue (100,000)             95 ms ->  9 ms
--   open hotline cases by status and age (300,000)         190 ms -> 25 ms
--   overdue hotline cases, the home page's card             61 ms -> 19 ms
--   a unit's overdue incoming documents, capped count      350 ms -> 47 ms
-- Each index below holds only open records, with every column those queries read, so
-- PostgreSQL answers from the index alone (once VACUUM has marked the table's pages
-- visible: `Db::refresh_statistics` does so after bulk loads, autovacuum afterwards).
-- Each predicate is written exactly as the queries write their condition, which is what
-- lets the planner use the index.
CREATE INDEX assignments_open_lead_idx ON assignments (unit_id, due_date)
    INCLUDE (status, last_progress_at, assigned_at, document_id)
    WHERE role = 'lead' AND status IN ('assigned', 'handler_assigned', 'in_progress');
CREATE INDEX dossiers_open_due_idx ON dossiers (due_date)
    INCLUDE (received_unit_id, handling_unit_id)
    WHERE status IN (1, 2, 4, 6);
CREATE INDEX hotline_cases_open_idx ON hotline_cases (status, received_at)
    INCLUDE (routed_province_id)
    WHERE status IN ('received', 'verifying', 'verified', 'handling', 'handled', 'responded');
CREATE INDEX hotline_cases_overdue_idx ON hotline_cases (due_date)
    INCLUDE (routed_province_id)
    WHERE status NOT IN ('responded', 'closed', 'not_competent', 'rejected', 'duplicate');
CREATE INDEX documents_open_due_idx ON documents (direction, due_date, secrecy, id)
    WHERE status NOT IN ('done', 'issued', 'recalled');
