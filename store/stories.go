package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/newsdigest/newsdigest"
)

// DeliveredStories returns the items posted to channel since `since` (title,
// lede, link, canonical link, source, published and first seen), so that
// the digest can recognise a story it already posted when another outlet
// picks it up later.
func (s *Store) DeliveredStories(ctx context.Context, channel string, since time.Time) ([]newsdigest.Candidate, error) {
	rows, err := s.query(ctx, `SELECT i.id, i.title, i.summary, i.link, i.canonical_url, i.source, i.published, i.first_seen
		FROM delivered_items d
			JOIN deliveries dl ON dl.id = d.delivery_id
			JOIN items i ON i.id = d.item_id
		WHERE d.channel = ? AND dl.posted_at >= ?
		ORDER BY dl.posted_at, i.id`, channel, nanos(since))
	if err != nil {
		return nil, fmt.Errorf("store: delivered stories: %w", err)
	}
	defer rows.Close()
	var out []newsdigest.Candidate
	for rows.Next() {
		var (
			c         newsdigest.Candidate
			canon     sql.NullString
			published sql.NullInt64
			firstSeen int64
		)
		if err := rows.Scan(&c.Item.ID, &c.Item.Title, &c.Item.Summary, &c.Item.Link, &canon, &c.Item.Source, &published, &firstSeen); err != nil {
			return nil, fmt.Errorf("store: delivered stories: %w", err)
		}
		c.CanonicalURL = canon.String
		c.Item.Published = fromNull(published)
		c.FirstSeen = time.Unix(0, firstSeen).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: delivered stories: %w", err)
	}
	return out, nil
}
