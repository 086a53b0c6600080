-- Times are INTEGER nanoseconds since the Unix epoch, UTC; NULL means "never"
-- or "unknown".

CREATE TABLE feeds (
	url            TEXT PRIMARY KEY CHECK (url <> ''),
	name           TEXT NOT NULL DEFAULT '',
	etag           TEXT NOT NULL DEFAULT '',
	last_modified  TEXT NOT NULL DEFAULT '',
	last_status    INTEGER NOT NULL DEFAULT 0,
	last_error     TEXT NOT NULL DEFAULT '',
	last_polled_at INTEGER,
	last_ok_at     INTEGER,
	failing_since  INTEGER,
	failures       INTEGER NOT NULL DEFAULT 0,
	polls          INTEGER NOT NULL DEFAULT 0,
	next_poll_at   INTEGER
);

CREATE TABLE items (
	id            TEXT PRIMARY KEY CHECK (id <> ''),
	feed_url      TEXT NOT NULL,
	feed_name     TEXT NOT NULL DEFAULT '',
	guid          TEXT NOT NULL DEFAULT '',
	link          TEXT NOT NULL DEFAULT '',
	canonical_url TEXT,               -- NULL when the item has no link
	title         TEXT NOT NULL DEFAULT '',
	summary       TEXT NOT NULL DEFAULT '',
	source        TEXT NOT NULL DEFAULT '',
	published     INTEGER,            -- NULL when the feed gave no date
	first_seen    INTEGER NOT NULL,
	remember_only INTEGER NOT NULL DEFAULT 0 CHECK (remember_only IN (0, 1))
);
CREATE INDEX items_first_seen ON items (first_seen);
CREATE INDEX items_canonical_url ON items (canonical_url);

CREATE TABLE matches (
	item_id TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
	topic   TEXT NOT NULL CHECK (topic <> ''),
	score   INTEGER NOT NULL,
	terms   TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
	PRIMARY KEY (item_id, topic)
) WITHOUT ROWID;

CREATE TABLE deliveries (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	channel   TEXT NOT NULL,
	ts        TEXT NOT NULL DEFAULT '',
	posted_at INTEGER NOT NULL
);

CREATE TABLE delivered_items (
	channel       TEXT NOT NULL,
	item_id       TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
	delivery_id   INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
	canonical_url TEXT,
	UNIQUE (channel, item_id)
);
CREATE INDEX delivered_items_canonical_url ON delivered_items (channel, canonical_url);
CREATE INDEX delivered_items_item ON delivered_items (item_id);
CREATE INDEX delivered_items_delivery ON delivered_items (delivery_id);

CREATE TABLE digests (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	channel     TEXT NOT NULL,
	from_ns     INTEGER NOT NULL,
	to_ns       INTEGER NOT NULL,
	finished_at INTEGER NOT NULL
);
CREATE INDEX digests_channel_to ON digests (channel, to_ns);
