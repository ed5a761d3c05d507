-- Which units may read which documents: the owning unit and every unit assigned to it.
-- Kept by triggers, so every writer (registration, routing, outgoing, bulk loads) keeps it
-- right; scoped lists are driven from here instead of probing every document.

CREATE TABLE document_access (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (unit_id, document_id)
) WITHOUT ROWID;
CREATE INDEX document_access_document_idx ON document_access(document_id);

CREATE TRIGGER document_access_owner_insert AFTER INSERT ON documents
WHEN NEW.owner_unit_id IS NOT NULL
BEGIN INSERT OR IGNORE INTO document_access (document_id, unit_id) VALUES (NEW.id, NEW.owner_unit_id); END;

CREATE TRIGGER document_access_owner_update AFTER UPDATE OF owner_unit_id ON documents
WHEN NEW.owner_unit_id IS NOT NULL
BEGIN INSERT OR IGNORE INTO document_access (document_id, unit_id) VALUES (NEW.id, NEW.owner_unit_id); END;

CREATE TRIGGER document_access_assignment_insert AFTER INSERT ON assignments
BEGIN INSERT OR IGNORE INTO document_access (document_id, unit_id) VALUES (NEW.document_id, NEW.unit_id); END;

INSERT OR IGNORE INTO document_access (document_id, unit_id)
SELECT id, owner_unit_id FROM documents WHERE owner_unit_id IS NOT NULL;
INSERT OR IGNORE INTO document_access (document_id, unit_id)
SELECT document_id, unit_id FROM assignments;

-- Inbox counts and the due-date order of lists.
CREATE INDEX documents_leader_idx ON documents(leader_user_id, status);
CREATE INDEX documents_due_idx ON documents(direction, due_date);
