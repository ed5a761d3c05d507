-- Which units may read which documents: the owning unit and every unit assigned to it.
-- Kept by triggers, so every writer (registration, routing, outgoing, bulk loads) keeps it
-- right; scoped lists are driven from here instead of probing every document.

CREATE TABLE document_access (
    document_id BIGINT NOT NULL REFERENCES documents(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (unit_id, document_id)
);
CREATE INDEX document_access_document_idx ON document_access(document_id);

CREATE FUNCTION document_access_from_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.owner_unit_id IS NOT NULL THEN
        INSERT INTO document_access (document_id, unit_id) VALUES (NEW.id, NEW.owner_unit_id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER document_access_owner AFTER INSERT OR UPDATE OF owner_unit_id ON documents
FOR EACH ROW EXECUTE FUNCTION document_access_from_document();

CREATE FUNCTION document_access_from_assignment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO document_access (document_id, unit_id) VALUES (NEW.document_id, NEW.unit_id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE TRIGGER document_access_assignment AFTER INSERT ON assignments
FOR EACH ROW EXECUTE FUNCTION document_access_from_assignment();

INSERT INTO document_access (document_id, unit_id)
SELECT id, owner_unit_id FROM documents WHERE owner_unit_id IS NOT NULL ON CONFLICT DO NOTHING;
INSERT INTO document_access (document_id, unit_id)
SELECT document_id, unit_id FROM assignments ON CONFLICT DO NOTHING;

-- Inbox counts and the due-date order of lists.
CREATE INDEX documents_leader_idx ON documents(leader_user_id, status);
CREATE INDEX documents_due_idx ON documents(direction, due_date);
