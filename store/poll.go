package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/newsdigest/newsdigest"
)

// Caps on what is stored of one item, so that a hostile feed (megabyte
// titles, rotating GUIDs) cannot grow the store by megabytes per poll. Text
// over a cap is cut with newsdigest.Truncate and ends in "…"; a link over
// MaxLinkBytes is not stored at all (the item keeps its identity, computed
// from the whole link or GUID, but shows no link): a cut link would lead
// somewhere else.
const (
	MaxSummaryRunes = 2000
	MaxTitleRunes   = 500
	MaxGUIDRunes    = 500
	MaxLinkBytes    = 4096
)

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
	rows, err := s.query(ctx, `SELECT url, name, etag, last_modified, last_status, last_error,
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
	// Claim, when set, is the owner whose claim on the feed (ClaimFeeds)
	// this poll completes: the claim is marked done with the feed's state.
	Claim string
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

// SavePoll records one poll of many feeds.
//
// For each feed it records the state: name, status, next poll time; on
// success (Err == "") the validators (kept as they were when NotModified and
// both new ones are empty), the success time, Polls+1 and a reset failure
// run; on failure the error, Failures+1 and FailingSince (kept from the first
// failure of the run), leaving the validators alone.
//
// Items are inserted by ID and an item seen before is left untouched: it
// keeps its first_seen, its fields and its matches. A new item gets first_seen
// = PolledAt and its matches; one that matched nothing can never be posted,
// so only its identity is kept (ID, feed, first_seen), not its text or link. An undated item (Published zero) from a feed's
// very first successful poll (Polls == 0 before this poll) is stored
// "remember only": it is never a digest candidate. Titles, GUIDs and
// summaries are capped (MaxTitleRunes, MaxGUIDRunes, MaxSummaryRunes), links
// over MaxLinkBytes dropped; Item.Content is not stored; match terms are
// kept as JSON, so invalid UTF-8 in a term (impossible from a YAML config)
// comes back as U+FFFD. Items are stored whatever Err says (normally there
// are none on error).
//
// A poll is written in bounded transactions (see batchTime), so that a
// poll of 100,000 items never holds SQLite's write lock for seconds: other
// processes and this one's digest write in between. What a transaction
// commits is consistent on its own, and a digest that runs between two of
// them loses nothing and posts nothing twice:
//
//   - A feed's state (validators, Polls) is written in the transaction of
//     its last items, never before. If a later transaction fails or the
//     process dies, the feed is fetched again in full next time (old
//     validators): the items already stored are recognised by ID, the
//     others are stored then. Nothing is lost behind a 304.
//   - Whether a feed is on its first poll is read once, in the
//     transaction of its first items, and applies to all of them: an
//     undated item is remember-only however the feed's items are split.
//   - Every item committed is complete (row and matches) and has its final
//     first_seen (PolledAt, the time of the fetch, which is before the
//     digest's window closes). A digest between two transactions posts
//     the items committed so far; the rest arrive with first_seen before
//     that digest's window end, and the next digest's selection reaches
//     back before its window start (pipeline's windowOverlap, an hour) with
//     delivered items excluded, so they are posted once, by it.
//     Stories are unaffected: an item of a story already posted is
//     recognised as such by the next digest (DeliveredStories).
//
// Input the store cannot hold (a feed without URL, an item without ID, a
// topic twice in one item's matches) is an error before anything is
// written. A store error midway leaves the transactions already committed,
// each consistent as above; the error says so.
func (s *Store) SavePoll(ctx context.Context, feeds []PollFeed) (PollSummary, error) {
	pw, err := s.NewPollWriter(ctx)
	if err != nil {
		return PollSummary{}, err
	}
	defer pw.Close()
	return pw.SavePoll(ctx, feeds)
}

// A PollWriter stores one poll that arrives in parts (pipeline stores
// feeds in groups while others are still fetched): each of its SavePoll
// calls is Store.SavePoll, all on one connection, whose larger page cache
// (pollCacheKiB) stays warm from one part to the next. Close gives the
// connection back with its cache emptied. It is not safe for concurrent
// use.
//
// Two consequences of holding one connection: a connection that goes bad
// fails the poll's remaining parts (database/sql would have moved a
// Store.SavePoll to another; nothing is lost, as a feed whose items were
// not stored keeps its old validators and is fetched whole next time);
// and the writer holds its connection while it waits for the write lock,
// where other writers take the lock first, so no writer may hold a
// connection of its own while it waits for the lock.
type PollWriter struct {
	s       *Store
	conn    *sql.Conn // nil on PostgreSQL: any connection
	release func()
}

// NewPollWriter returns a PollWriter; the caller must Close it.
func (s *Store) NewPollWriter(ctx context.Context) (*PollWriter, error) {
	conn, release, err := s.pollConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: save poll: %w", err)
	}
	return &PollWriter{s: s, conn: conn, release: release}, nil
}

// Close gives the writer's connection back. It is safe to call twice.
func (pw *PollWriter) Close() {
	if pw.release != nil {
		pw.release()
		pw.release = nil
	}
}

// SavePoll is Store.SavePoll on the writer's connection.
func (pw *PollWriter) SavePoll(ctx context.Context, feeds []PollFeed) (PollSummary, error) {
	if pw.release == nil {
		return PollSummary{}, errors.New("store: save poll: poll writer closed")
	}
	if err := checkPoll(feeds); err != nil {
		return PollSummary{}, fmt.Errorf("store: save poll: %w", err)
	}
	s, conn := pw.s, pw.conn
	w := &pollWriter{feeds: feeds, now: s.now(), maxItems: batchItems}
	if s.batchItems > 0 {
		w.maxItems = s.batchItems
	}
	for n := 1; ; n++ {
		if err := s.writeOn(ctx, conn, w.transaction(ctx)); err != nil {
			if n > 1 {
				err = fmt.Errorf("%w (the poll's first %d transactions were saved)", err, n-1)
			}
			return PollSummary{}, fmt.Errorf("store: save poll: %w", err)
		}
		if w.feed == len(feeds) {
			return w.sum, nil
		}
		if s.betweenBatches != nil {
			s.betweenBatches()
		}
	}
}

// pollCacheKiB is the page cache of the connection that writes a poll on
// SQLite, for the poll's duration. A poll inserts new IDs all over the ID
// index and the matches, more pages than SQLite's default 2 MiB hold once
// the store has tens of thousands of items: SQLite then writes pages out
// in the middle of a transaction and reads them back, which was ~20% of
// SavePoll's CPU and about half its bytes written (BenchmarkSavePoll,
// BenchmarkSavePollGroups).
// Once the poll is stored (PollWriter.Close) the cache is emptied, so a
// digest after it (the run's peak memory) does not carry it.
const pollCacheKiB = 8192

// pollConn returns the connection a poll is written on (nil on
// PostgreSQL: any) and the function that gives it back.
func (s *Store) pollConn(ctx context.Context) (*sql.Conn, func(), error) {
	if s.d != sqliteDialect {
		return nil, func() {}, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	var was int64
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&was); err != nil {
		conn.Close()
		return nil, nil, err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -pollCacheKiB)); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, func() {
		// The cache goes back to its old size, empty: the pages it kept
		// would be spread over most of the memory the poll's cache took,
		// and none of it could go back to the system (modernc's allocator
		// frees whole regions). A connection that cannot shrink is
		// closed instead.
		ctx := context.WithoutCancel(ctx)
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", was)); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		} else if _, err := conn.ExecContext(ctx, "PRAGMA shrink_memory"); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// checkPoll finds the input SavePoll cannot store, before anything is
// written.
func checkPoll(feeds []PollFeed) error {
	for i := range feeds {
		f := &feeds[i]
		if f.Feed.URL == "" {
			return errors.New("feed without URL")
		}
		for j := range f.Items {
			it := &f.Items[j]
			if it.Item.ID == "" {
				return fmt.Errorf("feed %s: item %q has no ID", f.Feed.URL, it.Item.Link)
			}
			for k, m := range it.Matches {
				if m.Topic == "" {
					return fmt.Errorf("feed %s: item %s: match without topic", f.Feed.URL, it.Item.ID)
				}
				for _, prev := range it.Matches[:k] {
					if prev.Topic == m.Topic {
						return fmt.Errorf("feed %s: item %s: topic %s matched twice", f.Feed.URL, it.Item.ID, m.Topic)
					}
				}
			}
		}
	}
	return nil
}
