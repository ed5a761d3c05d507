-- The chain head follows every appended event inside the database: one statement fewer in
-- every write transaction, and no way to append without moving the head.
CREATE FUNCTION audit_events_advance_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_head SET last_seq = NEW.seq, last_hash = NEW.hash WHERE id = 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_events_advance_head AFTER INSERT ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_advance_head();
