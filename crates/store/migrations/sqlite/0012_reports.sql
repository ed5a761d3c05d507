-- Reports: the review counts lead work by the moment it was finished and late work by its
-- due date; the dashboard reads open work by due date.
CREATE INDEX assignments_finished_idx ON assignments(finished_at);
CREATE INDEX assignments_due_day_idx ON assignments(due_date);
