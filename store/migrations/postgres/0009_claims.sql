-- Several processes (replicas on one PostgreSQL, or serve beside a manual
-- run on one SQLite file) share the work through these rows.
--
-- A poll claims each due feed before fetching it: one claim per feed, held
-- by owner until expires_at (kept alive while the poll runs), done once the
-- poll's results for the feed are saved. tick is the scheduled poll the
-- claim is for (nanoseconds; 0 for an on-demand poll): a feed already
-- polled for a tick is not polled again for it, and a claim whose holder
-- died simply expires.
CREATE TABLE feed_claims (
    url        TEXT COLLATE "C" PRIMARY KEY,
    owner      TEXT NOT NULL,
    tick       BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1))
);
CREATE INDEX feed_claims_owner ON feed_claims (owner) WHERE done = 0;

-- The scheduled digest (its tick, nanoseconds) a completed digest and each
-- of its messages were for; 0 for digests run on demand. One digest per
-- channel per tick, whichever process gets there first.
ALTER TABLE digests ADD COLUMN tick BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX digests_channel_tick ON digests (channel, tick) WHERE tick <> 0;
ALTER TABLE deliveries ADD COLUMN tick BIGINT NOT NULL DEFAULT 0;
CREATE INDEX deliveries_tick ON deliveries (channel, tick) WHERE tick <> 0;
