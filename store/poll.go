package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest"
)

// MaxSummaryRunes is the longest summary kept; longer summaries are cut to
// this many runes, ending in "…", when stored. Titles and every other field are stored whole.
const MaxSummaryRunes = 2000

// FeedState is what the store remembers about one feed between polls.
type FeedState struct {
	URL, Name          string
	ETag, LastModified string // HTTP validators exactly as received
	LastStatus         int
	LastError          string // "" when the last poll was OK
	LastPolledAt       time.Time
	LastOKAt           time.Time // zero if never OK
	FailingSince       time.Time // zero when OK
	Failures           int       // consecutive failures
	Polls              int       // successful polls so far (0 = never polled OK)
	NextPollAt         time.Time // earliest next poll (backoff, Retry-After); zero = any time
	MovedTo            string    // where the feed moved permanently; "" if it did not
}

// FeedStates returns the state of every feed ever polled, by feed URL. Times
// are in UTC.
func (s *Store) FeedStates(ctx context.Context) (map[string]FeedState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT url, name, etag, last_modified, last_status, last_error,
		last_polled_at, last_ok_at, failing_since, failures, polls, next_poll_at, moved_to FROM feeds`)
	if err != nil {
		return nil, fmt.Errorf("store: feed states: %w", err)
	}
	defer rows.Close()
	states := make(map[string]FeedState)
	for rows.Next() {
		var f FeedState
		var polled, ok, failing, next sql.NullInt64
		if err := rows.Scan(&f.URL, &f.Name, &f.ETag, &f.LastModified, &f.LastStatus, &f.LastError,
			&polled, &ok, &failing, &f.Failures, &f.Polls, &next, &f.MovedTo); err != nil {
			return nil, fmt.Errorf("store: feed states: %w", err)
		}
		f.LastPolledAt, f.LastOKAt, f.FailingSince, f.NextPollAt = fromNull(polled), fromNull(ok), fromNull(failing), fromNull(next)
		states[f.URL] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: feed states: %w", err)
	}
	return states, nil
}

// PollFeed is the outcome of polling one feed.
type PollFeed struct {
	Feed               newsdigest.Feed
	PolledAt           time.Time // zero: Store.Now()
	Status             int
	NotModified        bool
	ETag, LastModified string // new validators (the old ones are kept when both are empty and NotModified)
	Err                string // "" = OK
	NextPollAt         time.Time
	MovedTo            string     // the feed moved permanently here (kept until another move)
	Items              []PollItem // nil on error / 304
}

// PollItem is one fetched item and the topics it matched.
type PollItem struct {
	Item    newsdigest.Item // Item.ID already set; Title/Summary already plain text
	Matches []newsdigest.Match
}

// PollSummary counts what one SavePoll stored.
type PollSummary struct {
	ItemsFetched int      // items in all feeds of the poll
	ItemsNew     int      // items not seen before
	ItemsMatched int      // new items that matched a topic and may be posted (not remember-only)
	NewMatched   []string // IDs of those items, in poll order
}

// SavePoll records one poll of many feeds in ONE transaction: either all of
// it is stored or, on error, none of it.
//
// For each feed it records the state: name, status, next poll time; on
// success (Err == "") the validators (kept as they were when NotModified and
// both new ones are empty), the success time, Polls+1 and a reset failure
// run; on failure the error, Failures+1 and FailingSince (kept from the first
// failure of the run), leaving the validators alone.
//
// Items are inserted by ID and an item seen before is left untouched: it
// keeps its first_seen, its fields and its matches. A new item gets first_seen
// = PolledAt and its matches. An undated item (Published zero) from a feed's
// very first successful poll (Polls == 0 before this poll) is stored
// "remember only": it is never a digest candidate. Summaries longer than
// MaxSummaryRunes runes are cut; Item.Content is not stored; match terms are
// kept as JSON, so invalid UTF-8 in a term (impossible from a YAML config)
// comes back as U+FFFD. Items are stored
// whatever Err says (normally there are none on error).
func (s *Store) SavePoll(ctx context.Context, feeds []PollFeed) (PollSummary, error) {
	var sum PollSummary
	err := s.write(ctx, func(tx *sql.Tx) error {
		sum = PollSummary{}
		p, err := preparePoll(ctx, tx)
		if err != nil {
			return err
		}
		defer p.close()
		for i := range feeds {
			if err := p.saveFeed(ctx, &feeds[i], s.now(), &sum); err != nil {
				return fmt.Errorf("feed %s: %w", feeds[i].Feed.URL, err)
			}
		}
		return nil
	})
	if err != nil {
		return PollSummary{}, fmt.Errorf("store: save poll: %w", err)
	}
	return sum, nil
}

// pollStmts are the statements SavePoll runs once per feed or item, prepared
// once per transaction.
type pollStmts struct {
	polls, upsertOK, upsertFail, item, match, rememberOnly *sql.Stmt
}

func preparePoll(ctx context.Context, tx *sql.Tx) (*pollStmts, error) {
	p := &pollStmts{}
	for _, st := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&p.polls, `SELECT polls FROM feeds WHERE url = ?`},
		// Success. ?5 = 1 keeps the old validators (304 without new ones).
		{&p.upsertOK, `INSERT INTO feeds (url, name, etag, last_modified, last_status, last_error,
				last_polled_at, last_ok_at, failing_since, failures, polls, next_poll_at, moved_to)
			VALUES (?1, ?2, ?3, ?4, ?6, '', ?7, ?7, NULL, 0, 1, ?8, ?9)
			ON CONFLICT (url) DO UPDATE SET
				name = excluded.name,
				etag = CASE WHEN ?5 THEN feeds.etag ELSE excluded.etag END,
				last_modified = CASE WHEN ?5 THEN feeds.last_modified ELSE excluded.last_modified END,
				last_status = excluded.last_status,
				last_error = '',
				last_polled_at = excluded.last_polled_at,
				last_ok_at = excluded.last_ok_at,
				failing_since = NULL,
				failures = 0,
				polls = feeds.polls + 1,
				next_poll_at = excluded.next_poll_at,
				moved_to = CASE WHEN ?9 <> '' THEN ?9 ELSE feeds.moved_to END`},
		{&p.upsertFail, `INSERT INTO feeds (url, name, last_status, last_error,
				last_polled_at, failing_since, failures, polls, next_poll_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1, 0, ?6)
			ON CONFLICT (url) DO UPDATE SET
				name = excluded.name,
				last_status = excluded.last_status,
				last_error = excluded.last_error,
				last_polled_at = excluded.last_polled_at,
				failing_since = COALESCE(feeds.failing_since, excluded.failing_since),
				failures = feeds.failures + 1,
				next_poll_at = excluded.next_poll_at`},
		// An item pruned earlier but still in its feed comes back
		// "remember only": it is not news.
		{&p.item, `INSERT INTO items (id, feed_url, feed_name, guid, link, canonical_url, title, summary,
				source, published, first_seen, remember_only)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
				?12 OR EXISTS (SELECT 1 FROM pruned_items WHERE id = ?1))
			ON CONFLICT (id) DO NOTHING`},
		{&p.match, `INSERT INTO matches (item_id, topic, score, terms) VALUES (?, ?, ?, ?)`},
		{&p.rememberOnly, `SELECT remember_only FROM items WHERE id = ?`},
	} {
		stmt, err := tx.PrepareContext(ctx, st.sql)
		if err != nil {
			p.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*st.dst = stmt
	}
	return p, nil
}

func (p *pollStmts) close() {
	for _, st := range []*sql.Stmt{p.polls, p.upsertOK, p.upsertFail, p.item, p.match, p.rememberOnly} {
		if st != nil {
			st.Close()
		}
	}
}

func (p *pollStmts) saveFeed(ctx context.Context, f *PollFeed, now time.Time, sum *PollSummary) error {
	if f.Feed.URL == "" {
		return errors.New("feed without URL")
	}
	polledAt := f.PolledAt
	if polledAt.IsZero() {
		polledAt = now
	}
	var pollsBefore int
	switch err := p.polls.QueryRowContext(ctx, f.Feed.URL).Scan(&pollsBefore); {
	case errors.Is(err, sql.ErrNoRows):
		pollsBefore = 0
	case err != nil:
		return fmt.Errorf("read state: %w", err)
	}

	var err error
	if f.Err == "" {
		keep := f.NotModified && f.ETag == "" && f.LastModified == ""
		_, err = p.upsertOK.ExecContext(ctx, f.Feed.URL, f.Feed.Name, f.ETag, f.LastModified, keep,
			f.Status, nanos(polledAt), nullTime(f.NextPollAt), f.MovedTo)
	} else {
		_, err = p.upsertFail.ExecContext(ctx, f.Feed.URL, f.Feed.Name, f.Status, f.Err,
			nanos(polledAt), nullTime(f.NextPollAt))
	}
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}

	for i := range f.Items {
		if err := p.saveItem(ctx, f, &f.Items[i], polledAt, pollsBefore == 0, sum); err != nil {
			return err
		}
	}
	return nil
}

func (p *pollStmts) saveItem(ctx context.Context, f *PollFeed, pi *PollItem, firstSeen time.Time, firstPoll bool, sum *PollSummary) error {
	it := &pi.Item
	sum.ItemsFetched++
	if it.ID == "" {
		return fmt.Errorf("item %q has no ID", it.Link)
	}
	feedURL, feedName := it.FeedURL, it.FeedName
	if feedURL == "" {
		feedURL = f.Feed.URL
	}
	if feedName == "" {
		feedName = f.Feed.Name
	}
	var canon any
	if strings.TrimSpace(it.Link) != "" {
		canon = newsdigest.CanonicalURL(it.Link)
	}
	rememberOnly := firstPoll && it.Published.IsZero()
	res, err := p.item.ExecContext(ctx, it.ID, feedURL, feedName, it.GUID, it.Link, canon, it.Title,
		newsdigest.Truncate(it.Summary, MaxSummaryRunes, nil), it.Source, nullTime(it.Published), nanos(firstSeen), rememberOnly)
	if err != nil {
		return fmt.Errorf("item %s: %w", it.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("item %s: %w", it.ID, err)
	}
	if n == 0 {
		return nil // seen before: keeps its first_seen and matches
	}
	sum.ItemsNew++
	for _, m := range pi.Matches {
		terms := m.Terms
		if terms == nil {
			terms = []string{}
		}
		js, err := json.Marshal(terms)
		if err != nil {
			return fmt.Errorf("item %s: topic %s: %w", it.ID, m.Topic, err)
		}
		if _, err := p.match.ExecContext(ctx, it.ID, m.Topic, m.Score, string(js)); err != nil {
			return fmt.Errorf("item %s: topic %s: %w", it.ID, m.Topic, err)
		}
	}
	if len(pi.Matches) > 0 && !rememberOnly {
		// A new row may still be "remember only": a pruned item back.
		if err := p.rememberOnly.QueryRowContext(ctx, it.ID).Scan(&rememberOnly); err != nil {
			return fmt.Errorf("item %s: %w", it.ID, err)
		}
	}
	if len(pi.Matches) > 0 && !rememberOnly {
		sum.ItemsMatched++
		sum.NewMatched = append(sum.NewMatched, it.ID)
	}
	return nil
}
