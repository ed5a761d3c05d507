-- The word index keeps up to 32 MB of new words in memory before writing them out as a
-- segment (the default is 1 MB). A bulk indexing (5,000 records a transaction) then writes
-- a few large segments a transaction instead of dozens of small ones that it merges again
-- and again; a registration writes its segment at commit as before.
INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 33554432);
