-- A digest's candidates are the matched items first seen in its window,
-- and most items match nothing. An index of only the matched, postable
-- items keeps the selection from walking every item of the window (and
-- keeps unmatched items, which are only remembered, out of one index).
ALTER TABLE items ADD COLUMN matched INTEGER NOT NULL DEFAULT 0 CHECK (matched IN (0, 1));
UPDATE items SET matched = 1 WHERE EXISTS (SELECT 1 FROM matches m WHERE m.item_id = items.id);
CREATE INDEX items_candidates ON items (first_seen) WHERE matched = 1 AND remember_only = 0;
-- `explain <link>` finds a stored item by its canonical link; only matched
-- items keep their link.
CREATE INDEX items_matched_canonical_url ON items (canonical_url) WHERE matched = 1;
