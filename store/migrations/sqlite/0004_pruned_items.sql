-- The identities of pruned items. A feed that still lists an item after it
-- was pruned must not make it look new (and post it again): such an item is
-- stored "remember only".
CREATE TABLE pruned_items (
    id        TEXT PRIMARY KEY,
    pruned_at INTEGER NOT NULL
) WITHOUT ROWID;
