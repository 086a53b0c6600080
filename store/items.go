package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/newsdigest/newsdigest"
)

// ItemByLink returns the stored item whose link is link (compared by
// canonical URL, newsdigest.CanonicalURL), the most recently first seen when
// several feeds carried it, and whether there is one. Only items that matched
// a topic are found: an item that matched nothing is kept as its identity
// only. Content is not stored.
func (s *Store) ItemByLink(ctx context.Context, link string) (newsdigest.Item, bool, error) {
	var it newsdigest.Item
	var published sql.NullInt64
	err := s.queryRow(ctx, `SELECT id, feed_url, feed_name, guid, link, title, summary, source, published
		FROM items WHERE canonical_url = ? AND matched = 1 ORDER BY first_seen DESC, id LIMIT 1`, newsdigest.CanonicalURL(link)).
		Scan(&it.ID, &it.FeedURL, &it.FeedName, &it.GUID, &it.Link, &it.Title, &it.Summary, &it.Source, &published)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return it, false, nil
	case err != nil:
		return it, false, fmt.Errorf("store: item by link: %w", err)
	}
	it.Published = fromNull(published)
	return it, true, nil
}
