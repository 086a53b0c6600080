package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Delivery is one Slack message in the outbox: begun before it is posted,
// then confirmed or abandoned.
type Delivery struct {
	ID       int64  // set by BeginDelivery
	Channel  string // as written in the config
	DigestID string // the digest (or alert) the message belongs to
	Part     int    // 1-based position in the digest; with DigestID, the message's identity in Slack
	ThreadTS string // the parent's ts when the message is a thread reply
	ItemIDs  []string
	// PostedAt is when posting began (BeginDelivery; zero: Store.Now()),
	// then when Slack confirmed it (ConfirmDelivery).
	PostedAt time.Time
	// Kind is what the message is; "" means KindDigest. Confirming a
	// digest marks its items delivered; confirming an alert, its reply or
	// a summary marks them alerted (AlertItems), so that the digest still
	// shows them, marked.
	Kind Kind
	// AlertOf is, for a KindAlertReply, the ID of the alert it answers.
	AlertOf int64
	// Rule, Headline and Outlets say what an alert said (for /healthz).
	Rule, Headline string
	Outlets        int
	TS             string // the Slack ts, once confirmed (LastAlert)
	// Tick is the scheduled digest the message belongs to (zero: on
	// demand, or not a digest); see TickDeliveries.
	Tick time.Time
}

// Kind is what an outbox message is.
type Kind string

// The kinds of outbox messages.
const (
	KindDigest       Kind = "digest"
	KindAlert        Kind = "alert"         // one story that took off
	KindAlertReply   Kind = "alert_reply"   // the alert's one growth reply, in its thread
	KindAlertSummary Kind = "alert_summary" // the stories over a channel's hourly cap
)

// BeginDelivery writes d to the outbox as pending, before it is posted, and
// returns its ID. An item ID that names no stored item is an error and
// nothing is written.
func (s *Store) BeginDelivery(ctx context.Context, d Delivery) (int64, error) {
	started := d.PostedAt
	if started.IsZero() {
		started = s.now()
	}
	kind := d.Kind
	switch kind {
	case "":
		kind = KindDigest
	case KindDigest, KindAlert, KindAlertSummary:
	case KindAlertReply:
		if d.AlertOf == 0 {
			return 0, fmt.Errorf("store: begin delivery to %s: an alert reply needs the alert it answers", d.Channel)
		}
	default:
		return 0, fmt.Errorf("store: begin delivery to %s: unknown kind %q", d.Channel, kind)
	}
	ids, err := json.Marshal(nonNil(d.ItemIDs))
	if err != nil {
		return 0, fmt.Errorf("store: begin delivery to %s: %w", d.Channel, err)
	}
	var id int64
	err = s.write(ctx, func(tx *txn) error {
		exists, err := tx.prepare(ctx, `SELECT 1 FROM items WHERE id = ?`)
		if err != nil {
			return err
		}
		defer exists.close()
		for _, itemID := range d.ItemIDs {
			var one int
			switch err := exists.queryRow(ctx, itemID).Scan(&one); {
			case errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("item %s: no such item", itemID)
			case err != nil:
				return fmt.Errorf("item %s: %w", itemID, err)
			}
		}
		return tx.queryRow(ctx, `INSERT INTO deliveries (channel, ts, posted_at, state, digest_id, part, thread_ts, item_ids,
				kind, alert_of, rule, headline, outlets, tick)
			VALUES (?, '', ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.Channel, nanos(started), d.DigestID, d.Part, d.ThreadTS, string(ids),
			string(kind), d.AlertOf, d.Rule, d.Headline, d.Outlets, tickNanos(d.Tick)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("store: begin delivery to %s: %w", d.Channel, err)
	}
	return id, nil
}

// ConfirmDelivery records that Slack confirmed the pending delivery id as
// message ts ("" for a webhook) in channelID (the ID Slack answered with, ""
// when unknown), at postedAt (zero: Store.Now()), and marks its items, in
// one transaction: delivered to its channel for a digest; alerted to it for
// an alert, a growth reply (under the alert it answers) or a summary.
// Marking an item twice for one channel is a no-op, and confirming a
// delivery twice changes nothing: re-runs are safe. An item pruned since
// the delivery began is skipped.
func (s *Store) ConfirmDelivery(ctx context.Context, id int64, ts, channelID string, postedAt time.Time) error {
	if postedAt.IsZero() {
		postedAt = s.now()
	}
	err := s.write(ctx, func(tx *txn) error {
		var channel, state, ids string
		var kind Kind
		var alertOf int64
		err := tx.queryRow(ctx, `SELECT channel, state, item_ids, kind, alert_of FROM deliveries WHERE id = ?`, id).
			Scan(&channel, &state, &ids, &kind, &alertOf)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("no delivery %d", id)
		case err != nil:
			return err
		case state == "confirmed":
			return nil
		}
		var itemIDs []string
		if err := json.Unmarshal([]byte(ids), &itemIDs); err != nil {
			return fmt.Errorf("delivery %d: items: %w", id, err)
		}
		// Conditional, so that of two processes confirming it at once
		// (row locks on PostgreSQL) only the first marks its items.
		res, err := tx.exec(ctx, `UPDATE deliveries SET state = 'confirmed', ts = ?, channel_id = ?, posted_at = ? WHERE id = ? AND state <> 'confirmed'`,
			ts, channelID, nanos(postedAt), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return nil
		}
		mark, args := `INSERT INTO delivered_items (channel, item_id, delivery_id, canonical_url)
			SELECT CAST(?1 AS TEXT), i.id, CAST(?2 AS BIGINT), i.canonical_url FROM items i WHERE i.id = ?3
			ON CONFLICT (channel, item_id) DO NOTHING`, []any{channel, id, nil}
		if kind != KindDigest {
			alert := id
			if kind == KindAlertReply {
				alert = alertOf
			}
			mark, args = `INSERT INTO alerted_items (channel, item_id, alert_id, delivery_id)
				SELECT CAST(?1 AS TEXT), i.id, CAST(?4 AS BIGINT), CAST(?2 AS BIGINT) FROM items i WHERE i.id = ?3
				ON CONFLICT (channel, item_id) DO NOTHING`, []any{channel, id, nil, alert}
		}
		stmt, err := tx.prepare(ctx, mark)
		if err != nil {
			return err
		}
		defer stmt.close()
		for _, itemID := range itemIDs {
			args[2] = itemID
			if _, err := stmt.exec(ctx, args...); err != nil {
				return fmt.Errorf("item %s: %w", itemID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: confirm delivery %d: %w", id, err)
	}
	return nil
}

// AbandonDelivery records that the pending delivery id was not posted: its
// items stay undelivered for the next digest.
func (s *Store) AbandonDelivery(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *txn) error {
		_, err := tx.exec(ctx, `UPDATE deliveries SET state = 'abandoned' WHERE id = ? AND state = 'pending'`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: abandon delivery %d: %w", id, err)
	}
	return nil
}

// PendingDeliveries returns channel's deliveries whose outcome is unknown,
// oldest first.
func (s *Store) PendingDeliveries(ctx context.Context, channel string) ([]Delivery, error) {
	rows, err := s.query(ctx, `SELECT id, digest_id, part, thread_ts, item_ids, posted_at, kind, alert_of
		FROM deliveries WHERE channel = ? AND state = 'pending' ORDER BY id`, channel)
	if err != nil {
		return nil, fmt.Errorf("store: pending deliveries to %s: %w", channel, err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d := Delivery{Channel: channel}
		var ids string
		var started int64
		if err := rows.Scan(&d.ID, &d.DigestID, &d.Part, &d.ThreadTS, &ids, &started, &d.Kind, &d.AlertOf); err != nil {
			return nil, fmt.Errorf("store: pending deliveries to %s: %w", channel, err)
		}
		if err := json.Unmarshal([]byte(ids), &d.ItemIDs); err != nil {
			return nil, fmt.Errorf("store: pending delivery %d: items: %w", d.ID, err)
		}
		d.PostedAt = time.Unix(0, started).UTC()
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pending deliveries to %s: %w", channel, err)
	}
	return out, nil
}

// ChannelID returns the ID Slack last answered with for channel (as written
// in the config), or "" when no delivery to it was confirmed with one.
func (s *Store) ChannelID(ctx context.Context, channel string) (string, error) {
	var id string
	err := s.queryRow(ctx, `SELECT channel_id FROM deliveries WHERE channel = ? AND channel_id <> ''
		ORDER BY id DESC LIMIT 1`, channel).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: channel id of %s: %w", channel, err)
	}
	return id, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
