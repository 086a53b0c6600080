-- No query looks items up by canonical link (delivered_items has its own
-- index for that); the index only made every item insert touch one more
-- B-tree.
DROP INDEX IF EXISTS items_canonical_url;
