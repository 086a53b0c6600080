package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest"
)

// pollOf is one successful poll of feed with n matched items; every third
// item is undated.
func pollOf(feed newsdigest.Feed, n int, polledAt time.Time, etag string) PollFeed {
	pf := PollFeed{Feed: feed, PolledAt: polledAt, Status: 200, ETag: etag}
	for i := range n {
		published := polledAt.Add(-time.Duration(i+1) * time.Minute)
		if i%3 == 2 {
			published = time.Time{}
		}
		id := fmt.Sprintf("%s-%d", feed.Name, i)
		pf.Items = append(pf.Items, PollItem{Item: item(feed, id, "https://x.example/"+id, published),
			Matches: []newsdigest.Match{{Topic: "t", Score: 1, Terms: []string{"x"}}}})
	}
	return pf
}

// TestOpenTakesNoWriteLock is issue 10's "SQLITE_BUSY at open": another
// process holds the write lock (a long poll) while this one opens an
// up-to-date store. Open used to run the migrations in a write transaction
// every time, so it waited for the lock and failed after busy_timeout.
func TestOpenTakesNoWriteLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nd.db")
	mustOpenPath(t, path)

	other, err := sql.Open("sqlite", path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.Begin() // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO leases (name, owner, expires_at) VALUES ('x', 'y', 0)`); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open while another process writes: %v", err)
	}
	defer s.Close()
	if _, err := s.FeedStates(ctx); err != nil {
		t.Errorf("FeedStates while another process writes: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Open took %v while another process held the write lock; want no wait", d)
	}
}

// TestSavePollBoundedTransactions is issue 10's "one 160k-item poll held
// the write lock 11 s": a poll larger than a transaction's bound is written
// in several, and another process can write in between.
func TestSavePollBoundedTransactions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nd.db")
	s := mustOpenPath(t, path)
	s.batchItems = 10
	// Another process, which gives up at once when the lock is taken.
	other := mustOpenPath(t, path)
	if _, err := other.db.Exec("PRAGMA busy_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	other.db.SetMaxOpenConns(1)

	var between int
	s.betweenBatches = func() {
		between++
		if ok, _, _, err := other.AcquireLease(context.Background(), fmt.Sprint("l", between), "other", time.Minute); err != nil || !ok {
			t.Errorf("another process's write between two transactions: ok=%v, err=%v", ok, err)
		}
	}
	var feeds []PollFeed
	for f := range 3 {
		feeds = append(feeds, pollOf(newsdigest.Feed{Name: fmt.Sprint("F", f), URL: fmt.Sprintf("https://f%d.example/rss", f)}, 25, base, "e"))
	}
	sum := mustSavePoll(t, s, feeds...)
	if between < 7 {
		t.Errorf("75 items in transactions of 10: %d pauses between transactions; want at least 7", between)
	}
	if sum.ItemsFetched != 75 || sum.ItemsNew != 75 {
		t.Errorf("SavePoll() = %+v; want 75 fetched, 75 new", sum)
	}
}

// TestDigestBetweenTransactions runs a digest (select, record delivery,
// close the window) after each transaction of a poll whose feeds are split
// across transactions, then one more after it, as pipeline's delivery
// does. Every postable item is posted exactly once, and an undated item of
// a feed's first poll is remembered only, in whichever transaction it is.
func TestDigestBetweenTransactions(t *testing.T) {
	s := MustOpen(t)
	s.batchItems = 7
	ctx := context.Background()
	clock := base
	s.Now = func() time.Time { return clock }
	delivered := map[string]int{}
	from := clock.Add(-24 * time.Hour)
	digest := func() {
		clock = clock.Add(time.Minute)
		// The selection reaches an hour back before the window, delivered
		// items excluded (pipeline's windowOverlap).
		c, err := s.Candidates(ctx, CandidateQuery{Channel: "#c", From: from.Add(-time.Hour), To: clock, Lookback: 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, it := range c {
			ids = append(ids, it.Item.ID)
			delivered[it.Item.ID]++
		}
		if len(ids) > 0 {
			if err := record(ctx, s, Delivery{Channel: "#c", ItemIDs: ids}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.FinishDigest(ctx, "#c", time.Time{}, from, clock); err != nil {
			t.Fatal(err)
		}
		from = clock
	}
	feeds := []PollFeed{
		pollOf(newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}, 20, clock, `"a1"`),
		pollOf(newsdigest.Feed{Name: "B", URL: "https://b.example/rss"}, 9, clock, `"b1"`),
	}
	var digests int
	s.betweenBatches = func() {
		digests++
		states, err := s.FeedStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st, ok := states["https://a.example/rss"]; ok && digests < 3 {
			t.Errorf("after transaction %d feed A's state is saved (%+v) before its last items", digests, st)
		}
		digest()
	}
	sum := mustSavePoll(t, s, feeds...)
	digest()
	if digests < 3 {
		t.Fatalf("29 items in transactions of 7: %d digests between transactions; want at least 3", digests)
	}
	var postable int
	for _, f := range feeds {
		for _, pi := range f.Items {
			n := delivered[pi.Item.ID]
			switch {
			case pi.Item.Published.IsZero() && n != 0:
				t.Errorf("undated item %s of a first poll posted %d times; want remembered only", pi.Item.ID, n)
			case !pi.Item.Published.IsZero() && n != 1:
				t.Errorf("item %s posted %d times; want once", pi.Item.ID, n)
			}
			if !pi.Item.Published.IsZero() {
				postable++
			}
		}
	}
	if sum.ItemsMatched != postable {
		t.Errorf("SavePoll().ItemsMatched = %d; want %d", sum.ItemsMatched, postable)
	}
}

// TestSavePollInterruptedLosesNothing stops a poll after its first
// transaction. The split feed's validators are not saved, so the next poll
// fetches it whole again; its items are stored then, without a duplicate.
func TestSavePollInterruptedLosesNothing(t *testing.T) {
	s := MustOpen(t)
	s.batchItems = 10
	feed := newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}
	first := pollOf(feed, 5, base.Add(-time.Hour), `"a0"`)
	mustSavePoll(t, s, first)

	ctx, cancel := context.WithCancel(context.Background())
	s.betweenBatches = cancel
	second := pollOf(feed, 25, base, `"a1"`)
	if _, err := s.SavePoll(ctx, []PollFeed{second}); err == nil || !strings.Contains(err.Error(), "first 1 transactions") {
		t.Fatalf("SavePoll with a context cancelled after the first transaction = %v; want an error saying what was saved", err)
	}
	states, err := s.FeedStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st := states[feed.URL]; st.ETag != `"a0"` || st.Polls != 1 {
		t.Errorf("after an interrupted poll: ETag %q, Polls %d; want the previous poll's %q, 1", st.ETag, st.Polls, `"a0"`)
	}
	s.betweenBatches = nil
	sum := mustSavePoll(t, s, second)
	// Items 0-4 are the first poll's; 5-9 came with the interrupted poll's
	// first transaction.
	if sum.ItemsNew != 15 {
		t.Errorf("poll after the interrupted one: ItemsNew = %d; want 15", sum.ItemsNew)
	}
	if st, _ := s.FeedStates(context.Background()); st[feed.URL].ETag != `"a1"` {
		t.Errorf("ETag = %q; want %q", st[feed.URL].ETag, `"a1"`)
	}
}

// TestSavePollCapsHostileItems is issue 10's "a feed rotating GUIDs with
// megabyte titles grows the store ~19 MB per poll": titles and GUIDs are
// cut, links over the cap dropped, and the file stays small.
func TestSavePollCapsHostileItems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nd.db")
	s := mustOpenPath(t, path)
	feed := newsdigest.Feed{Name: "Hostile", URL: "https://h.example/rss"}
	huge := strings.Repeat("Cártel ", 150000) // ~1 MB
	longLink := "https://h.example/?q=" + strings.Repeat("a", MaxLinkBytes)
	for round := range 2 {
		pf := PollFeed{Feed: feed, PolledAt: base.Add(time.Duration(round) * time.Hour), Status: 200}
		for i := range 10 {
			it := newsdigest.Item{FeedURL: feed.URL, FeedName: feed.Name, GUID: fmt.Sprintf("%d-%d-%s", round, i, huge),
				Link: longLink, Title: huge, Summary: huge, Published: base}
			it.ID = newsdigest.ItemID(feed.URL, it)
			pf.Items = append(pf.Items, PollItem{Item: it, Matches: []newsdigest.Match{{Topic: "t", Score: 1}}})
		}
		mustSavePoll(t, s, pf)
	}
	c, err := s.Candidates(context.Background(), CandidateQuery{Channel: "#c"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c) != 20 {
		t.Fatalf("Candidates() = %d items; want 20", len(c))
	}
	for _, it := range c {
		if n := utf8.RuneCountInString(it.Item.Title); n != MaxTitleRunes || !strings.HasSuffix(it.Item.Title, "…") {
			t.Errorf("stored title: %d runes ending %q; want %d ending in …", n, it.Item.Title[len(it.Item.Title)-8:], MaxTitleRunes)
		}
		if n := utf8.RuneCountInString(it.Item.GUID); n > MaxGUIDRunes {
			t.Errorf("stored GUID: %d runes; want at most %d", n, MaxGUIDRunes)
		}
		if it.Item.Link != "" || it.CanonicalURL != "" {
			t.Errorf("stored link of %d bytes (canonical %d); want a link over %d bytes dropped", len(it.Item.Link), len(it.CanonicalURL), MaxLinkBytes)
		}
	}
	var size int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(path + suffix); err == nil {
			size += fi.Size()
		}
	}
	if size > 2<<20 {
		t.Errorf("store after two polls of 10 items with 1 MB titles: %d bytes; want under 2 MB", size)
	}
}

// TestUnmatchedItemsKeepOnlyTheirIdentity: an item that matched nothing
// can never be posted, so its text and link are not stored; seen again, it
// is still not new.
func TestUnmatchedItemsKeepOnlyTheirIdentity(t *testing.T) {
	s := MustOpen(t)
	feed := newsdigest.Feed{Name: "F", URL: "https://f.example/rss"}
	it := item(feed, "u1", "https://f.example/u1", base)
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base, Status: 200, Items: []PollItem{{Item: it}}})
	var guid, link, title, summary, source string
	var canon sql.NullString
	if err := s.db.QueryRow(`SELECT guid, link, canonical_url, title, summary, source FROM items WHERE id = 'u1'`).
		Scan(&guid, &link, &canon, &title, &summary, &source); err != nil {
		t.Fatal(err)
	}
	if guid+link+title+summary+source != "" || canon.Valid {
		t.Errorf("unmatched item stored with guid %q, link %q, canonical %v, title %q, summary %q, source %q; want its identity only",
			guid, link, canon, title, summary, source)
	}
	if sum := mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base.Add(time.Hour), Status: 200, Items: []PollItem{{Item: it}}}); sum.ItemsNew != 0 {
		t.Errorf("unmatched item seen again: ItemsNew = %d; want 0", sum.ItemsNew)
	}
}

// TestSavePollGivesItsCacheBack checks that the connection a poll was
// written on leaves SavePoll with SQLite's default page cache again (a
// poll's larger one would otherwise stay with it, in the run's peak
// memory), also when the poll fails.
func TestSavePollGivesItsCacheBack(t *testing.T) {
	sqliteOnly(t) // the page cache is SQLite's
	s := MustOpen(t)
	s.db.SetMaxOpenConns(1) // SavePoll's connection is the one read after it
	s.batchItems = 10
	feed := newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}
	var bigger bool
	s.betweenBatches = func() { bigger = true }
	mustSavePoll(t, s, pollOf(feed, 25, base, "e"))
	if !bigger {
		t.Fatal("25 items in transactions of 10 written in one")
	}
	if got := pragma(t, s, "cache_size"); got != "-2000" {
		t.Errorf("after SavePoll PRAGMA cache_size = %s; want -2000", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.betweenBatches = cancel
	if _, err := s.SavePoll(ctx, []PollFeed{pollOf(feed, 25, base.Add(time.Hour), "f")}); err == nil {
		t.Fatal("SavePoll with its context cancelled midway succeeded")
	}
	if got := pragma(t, s, "cache_size"); got != "-2000" {
		t.Errorf("after a failed SavePoll PRAGMA cache_size = %s; want -2000", got)
	}
}

// TestPollWriter stores a poll in parts on one PollWriter: it counts as
// the same poll stored at once, and the writer refuses to write after
// Close (TestSavePollGivesItsCacheBack checks what Close gives back).
func TestPollWriter(t *testing.T) {
	ctx := context.Background()
	whole, parts := MustOpen(t), MustOpen(t)
	var feeds []PollFeed
	for f := range 4 {
		feeds = append(feeds, pollOf(newsdigest.Feed{Name: fmt.Sprint("F", f), URL: fmt.Sprintf("https://f%d.example/rss", f)}, 5, base, "e"))
	}
	want := mustSavePoll(t, whole, feeds...)
	pw, err := parts.NewPollWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got PollSummary
	for _, part := range [][]PollFeed{feeds[:1], feeds[1:3], feeds[3:]} {
		sum, err := pw.SavePoll(ctx, part)
		if err != nil {
			t.Fatal(err)
		}
		got.ItemsFetched += sum.ItemsFetched
		got.ItemsNew += sum.ItemsNew
		got.ItemsMatched += sum.ItemsMatched
		got.NewMatched = append(got.NewMatched, sum.NewMatched...)
	}
	pw.Close()
	pw.Close()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PollWriter in three parts stored %+v; SavePoll at once %+v", got, want)
	}
	if _, err := pw.SavePoll(ctx, feeds); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("SavePoll on a closed PollWriter: %v; want an error saying it is closed", err)
	}
}

// TestItemsConstraintsKnown holds the items table's constraints on SQLite
// to the list insertItemsSQL's INSERT OR IGNORE was checked against: OR
// IGNORE skips, without an error, a row that breaks a CHECK or NOT NULL
// constraint, and no row can break these (checkPoll refuses an empty ID,
// the flags are built 0 or 1, the NOT NULL columns are bound from Go
// strings and integers). A new constraint fails here until it is checked
// the same way and added below.
func TestItemsConstraintsKnown(t *testing.T) {
	s := mustOpenPath(t, filepath.Join(t.TempDir(), "newsdigest.db"))
	ctx := context.Background()
	var create string
	if err := s.db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'items'`).Scan(&create); err != nil {
		t.Fatal(err)
	}
	var checks []string
	for rest := create; ; {
		_, after, ok := strings.Cut(rest, "CHECK (")
		if !ok {
			break
		}
		depth, end := 1, 0
		for end < len(after) && depth > 0 {
			switch after[end] {
			case '(':
				depth++
			case ')':
				depth--
			}
			end++
		}
		checks = append(checks, after[:end-1])
		rest = after[end:]
	}
	if want := []string{"id <> ''", "remember_only IN (0, 1)", "matched IN (0, 1)"}; !reflect.DeepEqual(checks, want) {
		t.Errorf("items' CHECK constraints = %q; want %q (see insertItemsSQL before adding one)", checks, want)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM pragma_table_info('items') WHERE "notnull" = 1 ORDER BY cid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var notNull []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		notNull = append(notNull, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"feed_url", "feed_name", "guid", "link", "title", "summary", "source", "first_seen", "remember_only", "matched"}
	if !reflect.DeepEqual(notNull, want) {
		t.Errorf("items' NOT NULL columns = %q; want %q (see insertItemsSQL before adding one)", notNull, want)
	}
}
