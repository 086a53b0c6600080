-- Deliveries become an outbox: a message is written here as "pending", with
-- the items it carries, before it is posted; it is "confirmed" (and its items
-- marked delivered) once Slack confirmed it, or "abandoned" when Slack
-- refused it. A pending message whose outcome was never learnt (a lost reply,
-- a crash between post and record) is looked up in the channel before
-- anything is posted again. digest_id and part are the message's identity in
-- Slack (its metadata); channel_id is the ID Slack answered with.
ALTER TABLE deliveries ADD COLUMN state TEXT NOT NULL DEFAULT 'confirmed'
    CHECK (state IN ('pending', 'confirmed', 'abandoned'));
ALTER TABLE deliveries ADD COLUMN digest_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN part INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN thread_ts TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN channel_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN item_ids TEXT NOT NULL DEFAULT '[]'; -- JSON, the items it carries
CREATE INDEX deliveries_pending ON deliveries (channel, id) WHERE state = 'pending';
CREATE INDEX deliveries_channel_id ON deliveries (channel, id) WHERE channel_id <> '';
