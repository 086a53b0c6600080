package store

// How one SavePoll's rows are written: the transactions that bound it, the
// rows of its items and matches, and the multi-row statements that insert
// them (poll.go has the API and its guarantees).

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

// Bounds of one SavePoll transaction: it commits once it has run this
// long or stored this many items, whichever comes first. Committing often
// costs writing: every commit writes each index page it touched, and new
// IDs (hashes) land all over the ID index, so 50,000 new items written in
// one transaction wrote ~1 KB per item, in transactions of 5,000 items
// ~2.7 KB, of 1,000 ~6.6 KB (BenchmarkSavePoll, written-B/item). A tenth
// of a second is unnoticeable to a concurrent writer, and lets a machine
// that writes quickly write large transactions.
const (
	batchTime  = 100 * time.Millisecond
	batchItems = 20000
)

// pollWriter writes one SavePoll in transactions, from where the last one
// ended: feeds[feed].Items[item:].
type pollWriter struct {
	feeds      []PollFeed
	now        time.Time
	maxItems   int // batchItems, or Store.batchItems (tests)
	feed, item int
	firstPoll  bool // feeds[feed] is on its first successful poll
	sum        PollSummary
}

// transaction returns the body of the next transaction: items of one or
// more feeds, each feed's state after its last item, until a bound is
// reached or the poll is done.
func (w *pollWriter) transaction(ctx context.Context) func(*txn) error {
	return func(tx *txn) (err error) {
		start := time.Now()
		bw := &batchWriter{ctx: ctx, tx: tx, sum: &w.sum}
		defer bw.close()
		// A transaction that fails leaves the writer where it was: it may
		// be run again (Store.write retries a PostgreSQL deadlock).
		saved, matched := *w, len(w.sum.NewMatched)
		defer func() {
			if err != nil {
				*w = saved
				w.sum.NewMatched = w.sum.NewMatched[:matched]
			}
		}()
		n := 0
		for w.feed < len(w.feeds) {
			f := &w.feeds[w.feed]
			polledAt := f.PolledAt
			if polledAt.IsZero() {
				polledAt = w.now
			}
			if w.item == 0 && len(f.Items) > 0 {
				var polls int
				switch err := bw.queryRow(pollsSQL, f.Feed.URL).Scan(&polls); {
				case errors.Is(err, sql.ErrNoRows):
					polls = 0
				case err != nil:
					return fmt.Errorf("feed %s: read state: %w", f.Feed.URL, err)
				}
				w.firstPoll = polls == 0
			}
			if w.item < len(f.Items) {
				end := min(len(f.Items), w.item+itemsPerInsert, w.item+w.maxItems-n)
				rows := make([]itemRow, 0, end-w.item)
				for _, pi := range f.Items[w.item:end] {
					rows = append(rows, newItemRow(f, pi, polledAt))
				}
				if err := bw.itemChunk(rows, w.firstPoll); err != nil {
					return fmt.Errorf("feed %s: %w", f.Feed.URL, err)
				}
				n += end - w.item
				w.item = end
			}
			if w.item == len(f.Items) {
				if err := bw.state(f, polledAt); err != nil {
					return fmt.Errorf("feed %s: save state: %w", f.Feed.URL, err)
				}
				w.feed, w.item = w.feed+1, 0
			}
			if n >= w.maxItems || time.Since(start) >= batchTime {
				break
			}
		}
		return nil
	}
}

// itemRow is the column values of one item.
type itemRow struct {
	id, feedURL, feedName, guid, link string
	canon                             any // NULL without a link
	title, summary, source            string
	published                         any
	firstSeen                         int64
	matches                           []matchRow
}

type matchRow struct {
	topic string
	score int
	terms string // JSON array
}

func newItemRow(f *PollFeed, pi PollItem, firstSeen time.Time) itemRow {
	it := &pi.Item
	r := itemRow{
		id: it.ID, feedURL: it.FeedURL, feedName: it.FeedName,
		guid:      newsdigest.Truncate(it.GUID, MaxGUIDRunes, nil),
		title:     newsdigest.Truncate(it.Title, MaxTitleRunes, nil),
		summary:   newsdigest.Truncate(it.Summary, MaxSummaryRunes, nil),
		source:    it.Source,
		published: nullTime(it.Published),
		firstSeen: nanos(firstSeen),
	}
	if r.feedURL == "" {
		r.feedURL = f.Feed.URL
	}
	if r.feedName == "" {
		r.feedName = f.Feed.Name
	}
	if len(pi.Matches) == 0 {
		// Never a candidate, never shown: its identity is all that is
		// needed (that it is not new when seen again).
		r.guid, r.title, r.summary, r.source = "", "", "", ""
		return r
	}
	if len(it.Link) <= MaxLinkBytes {
		r.link = it.Link
		if strings.TrimSpace(it.Link) != "" {
			r.canon = newsdigest.CanonicalURL(it.Link)
		}
	}
	for _, m := range pi.Matches {
		r.matches = append(r.matches, matchRow{topic: m.Topic, score: m.Score, terms: termsJSON(m.Terms)})
	}
	return r
}

// termsJSON is the JSON array of a match's terms; a term that is not valid
// UTF-8 comes back with U+FFFD.
func termsJSON(terms []string) string {
	if len(terms) == 0 {
		return "[]"
	}
	js, err := json.Marshal(terms)
	if err != nil { // impossible for a []string
		return "[]"
	}
	return string(js)
}

// Multi-row statements: one statement inserts up to this many items or
// matches, which cuts the per-row cost of the driver and of SQLite's
// statement setup.
const (
	itemsPerInsert   = 64
	matchesPerInsert = 128
)

// itemColumns is the column list of an item insert; each row's
// remember_only is its own flag or a tombstone of a pruned item (an item
// pruned earlier but still in its feed comes back "remember only": it is
// not news).
const itemColumns = ` INTO items (id, feed_url, feed_name, guid, link, canonical_url, title, summary,
	source, published, first_seen, matched, remember_only) VALUES `

const itemValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? = 1 OR EXISTS (SELECT 1 FROM pruned_items WHERE id = ?) THEN 1 ELSE 0 END)`

// insertItemsSQL inserts n items, skipping those already stored, and
// returns the ID and final remember_only of each new one. On SQLite the
// statement is INSERT OR IGNORE (dialect.insertItems), which would also
// skip a row that breaks a CHECK or NOT NULL constraint of items; no row
// can: checkPoll refuses an empty ID, and the flags are 0 or 1 by
// construction.
func insertItemsSQL(d *dialect, n int) string {
	return d.insertItems + itemColumns + strings.Repeat(itemValues+",", n-1) + itemValues +
		" ON CONFLICT (id) DO NOTHING RETURNING id, remember_only"
}

func insertMatchesSQL(n int) string {
	return `INSERT INTO matches (item_id, topic, score, terms) VALUES ` + strings.Repeat("(?, ?, ?, ?),", n-1) + "(?, ?, ?, ?)"
}

const (
	pollsSQL = `SELECT polls FROM feeds WHERE url = ?`
	// Success. ?5 = 1 keeps the old validators (304 without new ones).
	upsertOKSQL = `INSERT INTO feeds (url, name, etag, last_modified, last_status, last_error,
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
			moved_to = CASE WHEN ?9 <> '' THEN ?9 ELSE feeds.moved_to END`
	upsertFailSQL = `INSERT INTO feeds (url, name, last_status, last_error,
			last_polled_at, failing_since, failures, polls, next_poll_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1, 0, ?6)
		ON CONFLICT (url) DO UPDATE SET
			name = excluded.name,
			last_status = excluded.last_status,
			last_error = excluded.last_error,
			last_polled_at = excluded.last_polled_at,
			failing_since = COALESCE(feeds.failing_since, excluded.failing_since),
			failures = feeds.failures + 1,
			next_poll_at = excluded.next_poll_at`
)

// batchWriter runs one transaction's statements, preparing each once.
type batchWriter struct {
	ctx   context.Context
	tx    *txn
	sum   *PollSummary
	stmts map[string]*stmt
}

func (w *batchWriter) stmt(query string) (*stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.tx.prepare(w.ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if w.stmts == nil {
		w.stmts = map[string]*stmt{}
	}
	w.stmts[query] = st
	return st, nil
}

func (w *batchWriter) close() {
	for _, st := range w.stmts {
		st.close()
	}
}

// queryRow runs a one-row query; a prepare error comes back from Scan.
func (w *batchWriter) queryRow(query string, args ...any) *sql.Row {
	st, err := w.stmt(query)
	if err != nil {
		return w.tx.queryRow(w.ctx, query, args...) // reports err again
	}
	return st.queryRow(w.ctx, args...)
}

func (w *batchWriter) exec(query string, args ...any) error {
	st, err := w.stmt(query)
	if err != nil {
		return err
	}
	_, err = st.exec(w.ctx, args...)
	return err
}

// state saves a feed's state after its poll, and completes the poll's
// claim on it.
func (w *batchWriter) state(f *PollFeed, polledAt time.Time) error {
	var err error
	if f.Err == "" {
		keep := f.NotModified && f.ETag == "" && f.LastModified == ""
		err = w.exec(upsertOKSQL, f.Feed.URL, f.Feed.Name, f.ETag, f.LastModified, keep,
			f.Status, nanos(polledAt), nullTime(f.NextPollAt), f.MovedTo)
	} else {
		err = w.exec(upsertFailSQL, f.Feed.URL, f.Feed.Name, f.Status, f.Err,
			nanos(polledAt), nullTime(f.NextPollAt))
	}
	if err == nil && f.Claim != "" {
		err = w.exec(markClaimDone, f.Feed.URL, f.Claim)
	}
	return err
}

// itemChunk inserts rows of one feed (firstPoll: that feed's first
// successful poll) with the matches of the new ones, and counts them.
func (w *batchWriter) itemChunk(chunk []itemRow, firstPoll bool) error {
	w.sum.ItemsFetched += len(chunk)
	args := make([]any, 0, 14*len(chunk))
	for i := range chunk {
		r := &chunk[i]
		rememberOnly := firstPoll && r.published == nil
		args = append(args, r.id, r.feedURL, r.feedName, r.guid, r.link, r.canon, r.title, r.summary,
			r.source, r.published, r.firstSeen, b2i(len(r.matches) > 0), b2i(rememberOnly), r.id)
	}
	st, err := w.stmt(insertItemsSQL(w.tx.d, len(chunk)))
	if err != nil {
		return err
	}
	res, err := st.query(w.ctx, args...)
	if err != nil {
		return fmt.Errorf("items: %w", err)
	}
	inserted := make(map[string]bool, len(chunk)) // new ID -> remember only
	for res.Next() {
		var id string
		var rememberOnly bool
		if err := res.Scan(&id, &rememberOnly); err != nil {
			res.Close()
			return fmt.Errorf("items: %w", err)
		}
		inserted[id] = rememberOnly
	}
	if err := res.Close(); err != nil {
		return fmt.Errorf("items: %w", err)
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("items: %w", err)
	}
	// In poll order; an ID twice in the chunk was inserted once, from its
	// first row, with that row's matches.
	var matches []any
	for i := range chunk {
		r := &chunk[i]
		rememberOnly, ok := inserted[r.id]
		if !ok {
			continue // seen before: keeps its first_seen and matches
		}
		delete(inserted, r.id)
		w.sum.ItemsNew++
		for _, m := range r.matches {
			matches = append(matches, r.id, m.topic, m.score, m.terms)
		}
		if len(r.matches) > 0 && !rememberOnly {
			w.sum.ItemsMatched++
			w.sum.NewMatched = append(w.sum.NewMatched, r.id)
		}
	}
	for len(matches) > 0 {
		n := min(len(matches)/4, matchesPerInsert)
		if err := w.exec(insertMatchesSQL(n), matches[:4*n]...); err != nil {
			return fmt.Errorf("matches: %w", err)
		}
		matches = matches[4*n:]
	}
	return nil
}

// b2i is an INTEGER flag's value: SQLite and PostgreSQL both take it.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
