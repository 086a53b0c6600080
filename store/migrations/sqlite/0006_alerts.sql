-- Alerts (docs/ALERTS.md) go through the same outbox as digests: a row of
-- deliveries is an alert, its growth reply (alert_of: the alert it answers
-- in a thread) or a summary of the alerts over a channel's hourly cap.
-- Confirming one records its items as alerted to its channel, not
-- delivered: the next digest still shows the story, marked as alerted.
-- rule, headline and outlets say what the alert said, for /healthz.
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'digest'
    CHECK (kind IN ('digest', 'alert', 'alert_reply', 'alert_summary'));
ALTER TABLE deliveries ADD COLUMN alert_of INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN rule TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN headline TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN outlets INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_alerts ON deliveries (channel, posted_at) WHERE kind <> 'digest';

-- The items each confirmed alert carried, per channel: a story with one of
-- them is never alerted to that channel again. alert_id is the story's
-- alert (the thread a growth reply goes into); delivery_id the message that
-- carried the item (the alert, its reply, or a summary).
CREATE TABLE alerted_items (
    channel     TEXT NOT NULL,
    item_id     TEXT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    alert_id    INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    UNIQUE (channel, item_id)
);
CREATE INDEX alerted_items_item ON alerted_items (item_id);
CREATE INDEX alerted_items_alert ON alerted_items (alert_id);
CREATE INDEX alerted_items_delivery ON alerted_items (delivery_id);

-- A feed's first poll is the earliest first_seen among its items: alerts
-- leave those items out (a feed added to the config floods nothing).
CREATE INDEX items_feed_first_seen ON items (feed_url, first_seen);
