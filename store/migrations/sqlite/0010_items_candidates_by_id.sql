-- A digest's candidates come oldest first_seen first, ties by ID. With the
-- ID in the index its order is the selection's: no sort of the window's
-- rows (each with its summary) before the first one is read.
DROP INDEX IF EXISTS items_candidates;
CREATE INDEX items_candidates ON items (first_seen, id) WHERE matched = 1 AND remember_only = 0;
