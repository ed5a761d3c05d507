-- A person's own drafts (the inbox's "my drafts sent back"): found through this index, then
-- checked against the reader's scope one by one, instead of reading the unit's documents.
CREATE INDEX documents_drafter_idx ON documents(drafter_user_id, status);
