-- Search at a million records (issue 4).
--
-- Words of new entries wait in the GIN index's pending list (fast to write), which every
-- search reads through in full until it is merged into the index. A smaller list (512 kB
-- instead of the server's 4 MB default) is merged sooner by the writers, so a search never
-- reads through more than a few hundred entries' words that way.
ALTER INDEX search_entries_words_idx SET (gin_pending_list_limit = 512);
