-- The year statistics of dossiers read only this index: every column they group, filter
-- or count on, so neither backend goes back to the table for each of a year's dossiers.
CREATE INDEX dossiers_statistics_idx ON dossiers (submitted_on, procedure_id, handling_unit_id,
    received_unit_id, status, channel, timeliness, finished_on);

-- The working days a new hotline case has, set by an administrator: the row with kind '*'
-- for every kind, and rows for kinds that differ. Without rows the built-in figure holds.
CREATE TABLE hotline_due_days (
    kind TEXT PRIMARY KEY,
    working_days INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 60)
);
