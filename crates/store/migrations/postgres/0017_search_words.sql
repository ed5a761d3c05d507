-- Search at a million records and beyond (issues 4 and 8).
--
-- A search wants the newest matches of its words. The GIN index over every entry cannot
-- give them in order: it reads the posting lists of every word in full (27 ms for six
-- common words at a million entries, growing with the table), then every matching row.
-- The words move to a table of their own, `search_words` (one row per entry, under the
-- entry's id, written in the same statement), partitioned by ranges of 100,000 ids, each
-- range with its own GIN index: a search reads the newest range first and goes further
-- back only while it has not found enough, so its cost follows the matches it needs, not
-- the size of the agency's history. `search_entries` keeps the text for snippets.
--
-- The partitions ahead of the newest id are made by vanphong (`search::ensure_partitions`,
-- at start, before each batch of a bulk indexing, and every minute on each node); an entry
-- beyond them lands in `search_words_rest` and is moved into its range when that is made.
-- The range size is `SEARCH_PARTITION_IDS` in crates/store/src/search/mod.rs.
CREATE TABLE search_words (
    id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    words TSVECTOR NOT NULL,
    PRIMARY KEY (id)
) PARTITION BY RANGE (id);
CREATE TABLE search_words_rest PARTITION OF search_words DEFAULT;
DO $$
DECLARE
    last BIGINT := (SELECT COALESCE(MAX(id), 0) FROM search_entries) / 100000 + 1;
BEGIN
    FOR k IN 0..last LOOP
        EXECUTE format(
            'CREATE TABLE search_words_p%s PARTITION OF search_words FOR VALUES FROM (%s) TO (%s)',
            k, k * 100000, (k + 1) * 100000);
    END LOOP;
END $$;
INSERT INTO search_words (id, kind, words) SELECT id, kind, words FROM search_entries;
CREATE INDEX search_words_words_idx ON search_words USING GIN (words)
    WITH (gin_pending_list_limit = 512);
CREATE INDEX search_words_kind_idx ON search_words (kind, id);

ALTER TABLE search_entries DROP COLUMN words;
