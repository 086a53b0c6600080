package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/newsdigest/newsdigest"
)

// AlertItems returns what the alert rules look at: the items first seen
// since `since` that matched one of topics (none: no recent item), and
// every item an alert carried (to any channel), each once, with all its
// matches (best score first, then by topic name), oldest first_seen first
// (ties by ID). Remember-only items are left out. For each item it says
// whether it came in its feed's first poll (its first_seen is the earliest
// of its feed's items), whether a digest carried it, and the alerts that
// carried it. Times come back in UTC.
func (s *Store) AlertItems(ctx context.Context, since time.Time, topics []string) ([]newsdigest.AlertCandidate, error) {
	alerts, err := s.alertsByItem(ctx)
	if err != nil {
		return nil, err
	}
	// Two selections, each on its index (an OR, or a UNION, of the two
	// scans every item): the alerted items, then the recent items of the
	// topics.
	out, err := s.alertItems(ctx, nil, `i.id IN (SELECT item_id FROM alerted_items)`, nil, alerts)
	if err != nil {
		return nil, err
	}
	if len(topics) > 0 {
		list, args := numberedList(2, topics)
		where := `i.first_seen >= ?1 AND EXISTS (SELECT 1 FROM matches t WHERE t.item_id = i.id AND t.topic IN (` + list + `))`
		if out, err = s.alertItems(ctx, out, where, append([]any{nanos(since)}, args...), alerts); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b newsdigest.AlertCandidate) int {
		if c := a.FirstSeen.Compare(b.FirstSeen); c != 0 {
			return c
		}
		return cmp.Compare(a.Item.ID, b.Item.ID)
	})
	return out, nil
}

// alertItems appends to out the items that where selects (and are not in
// out yet), as AlertItems describes them.
func (s *Store) alertItems(ctx context.Context, out []newsdigest.AlertCandidate, where string, args []any, alerts map[string][]newsdigest.Alerted) ([]newsdigest.AlertCandidate, error) {
	have := make(map[string]bool, len(out))
	for _, c := range out {
		have[c.Item.ID] = true
	}
	rows, err := s.query(ctx, `SELECT i.id, i.feed_url, i.feed_name, i.guid, i.link, i.canonical_url, i.title, i.summary,
			i.source, i.published, i.first_seen,
			i.first_seen <= (SELECT MIN(f.first_seen) FROM items f WHERE f.feed_url = i.feed_url),
			EXISTS (SELECT 1 FROM delivered_items d WHERE d.item_id = i.id),
			m.topic, m.score, m.terms
		FROM items i JOIN matches m ON m.item_id = i.id
		WHERE i.remember_only = 0 AND `+where+`
		ORDER BY i.first_seen, i.id, m.score DESC, m.topic`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: alert items: %w", err)
	}
	defer rows.Close()
	last := ""
	for rows.Next() {
		var (
			it        newsdigest.Item
			canon     sql.NullString
			published sql.NullInt64
			firstSeen int64
			firstPoll bool
			digested  bool
			m         newsdigest.Match
			terms     string
		)
		if err := rows.Scan(&it.ID, &it.FeedURL, &it.FeedName, &it.GUID, &it.Link, &canon, &it.Title, &it.Summary,
			&it.Source, &published, &firstSeen, &firstPoll, &digested, &m.Topic, &m.Score, &terms); err != nil {
			return nil, fmt.Errorf("store: alert items: %w", err)
		}
		if have[it.ID] {
			continue
		}
		if err := json.Unmarshal([]byte(terms), &m.Terms); err != nil {
			return nil, fmt.Errorf("store: alert items: item %s: topic %s: terms: %w", it.ID, m.Topic, err)
		}
		if it.ID == last {
			out[len(out)-1].Matches = append(out[len(out)-1].Matches, m)
			continue
		}
		last = it.ID
		it.Published = fromNull(published)
		out = append(out, newsdigest.AlertCandidate{
			Candidate: newsdigest.Candidate{
				Item:         it,
				CanonicalURL: canon.String,
				FirstSeen:    time.Unix(0, firstSeen).UTC(),
				Matches:      []newsdigest.Match{m},
			},
			FirstPoll: firstPoll,
			Digested:  digested,
			Alerts:    alerts[it.ID],
		})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: alert items: %w", err)
	}
	return out, nil
}

// AlertedItems returns every item an alert carried, as AlertItems does:
// what the digest needs to mark the stories already alerted.
func (s *Store) AlertedItems(ctx context.Context) ([]newsdigest.AlertCandidate, error) {
	return s.AlertItems(ctx, time.Time{}, nil)
}

// alertsByItem returns the alerts that carried each alerted item, oldest
// first.
func (s *Store) alertsByItem(ctx context.Context) (map[string][]newsdigest.Alerted, error) {
	rows, err := s.query(ctx, `SELECT a.item_id, a.channel, a.alert_id, r.ts, r.posted_at, r.kind,
			a.alert_id IN (SELECT alert_of FROM deliveries WHERE kind = 'alert_reply' AND state <> 'abandoned')
		FROM alerted_items a JOIN deliveries r ON r.id = a.alert_id
		ORDER BY r.posted_at, a.alert_id`)
	if err != nil {
		return nil, fmt.Errorf("store: alerted items: %w", err)
	}
	defer rows.Close()
	out := map[string][]newsdigest.Alerted{}
	for rows.Next() {
		var (
			item string
			a    newsdigest.Alerted
			at   int64
			kind Kind
		)
		if err := rows.Scan(&item, &a.Channel, &a.ID, &a.TS, &at, &kind, &a.Replied); err != nil {
			return nil, fmt.Errorf("store: alerted items: %w", err)
		}
		a.At = time.Unix(0, at).UTC()
		a.Summary = kind == KindAlertSummary
		out[item] = append(out[item], a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: alerted items: %w", err)
	}
	return out, nil
}

// RecentAlerts counts the alerts to channel begun or confirmed since
// `since` (an abandoned one, which Slack refused, does not count), and
// whether a summary of alerts over the hourly cap went to it since then.
func (s *Store) RecentAlerts(ctx context.Context, channel string, since time.Time) (alerts int, summary bool, err error) {
	var summaries int
	err = s.queryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN kind = 'alert' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN kind = 'alert_summary' THEN 1 ELSE 0 END), 0)
		FROM deliveries WHERE channel = ? AND kind <> 'digest' AND posted_at >= ? AND state <> 'abandoned'`,
		channel, nanos(since)).Scan(&alerts, &summaries)
	if err != nil {
		return 0, false, fmt.Errorf("store: recent alerts to %s: %w", channel, err)
	}
	return alerts, summaries > 0, nil
}

// LastAlert returns the alert, growth reply or summary Slack confirmed
// last, or ok=false when there is none.
func (s *Store) LastAlert(ctx context.Context) (d Delivery, ok bool, err error) {
	var at int64
	err = s.queryRow(ctx, `SELECT id, channel, ts, posted_at, kind, alert_of, rule, headline, outlets
		FROM deliveries WHERE kind <> 'digest' AND state = 'confirmed' ORDER BY posted_at DESC, id DESC LIMIT 1`).
		Scan(&d.ID, &d.Channel, &d.TS, &at, &d.Kind, &d.AlertOf, &d.Rule, &d.Headline, &d.Outlets)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Delivery{}, false, nil
	case err != nil:
		return Delivery{}, false, fmt.Errorf("store: last alert: %w", err)
	}
	d.PostedAt = time.Unix(0, at).UTC()
	return d, true, nil
}
