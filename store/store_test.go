package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

// base is the reference time of the tests: a digest at 08:00 UTC.
var base = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// MustOpen opens a store on a new file in t.TempDir, or a new PostgreSQL
// database (EnvStore), and closes it when the test ends.
func MustOpen(t testing.TB) *Store {
	t.Helper()
	if testDriver() == DriverPostgres {
		return mustOpenPostgres(t)
	}
	return mustOpenPath(t, filepath.Join(t.TempDir(), "newsdigest.db"))
}

// latestVersion is the schema version the embedded migrations reach.
func latestVersion(t testing.TB, d *dialect) int {
	t.Helper()
	migs, err := d.migrations()
	if err != nil {
		t.Fatal(err)
	}
	return migs[len(migs)-1].version
}

func mustOpenPath(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func mustSavePoll(t testing.TB, s *Store, feeds ...PollFeed) PollSummary {
	t.Helper()
	sum, err := s.SavePoll(context.Background(), feeds)
	if err != nil {
		t.Fatalf("SavePoll: %v", err)
	}
	return sum
}

func pragma(t *testing.T, s *Store, name string) string {
	t.Helper()
	var v string
	if err := s.db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpenMigratesAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nd.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	latest := latestVersion(t, sqliteDialect)
	for name, want := range map[string]string{
		"user_version":       strconv.Itoa(latest),
		"journal_mode":       "wal",
		"foreign_keys":       "1",
		"busy_timeout":       "10000",
		"wal_autocheckpoint": "4000",
		"cache_size":         "-2000", // SQLite's default; SavePoll's is its own
	} {
		if got := pragma(t, s, name); got != want {
			t.Errorf("PRAGMA %s = %q; want %q", name, got, want)
		}
	}
	feed := newsdigest.Feed{Name: "A", URL: "https://a.example/feed"}
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base, Status: 200, ETag: `"v1"`})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = mustOpenPath(t, path)
	if got := pragma(t, s, "user_version"); got != strconv.Itoa(latest) {
		t.Errorf("after reopen PRAGMA user_version = %q; want %d", got, latest)
	}
	states, err := s.FeedStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := states[feed.URL].ETag; got != `"v1"` {
		t.Errorf("after reopen ETag = %q; want %q", got, `"v1"`)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not a database\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "newer.db")
	s := mustOpenPath(t, newer)
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, path, want string
	}{
		{"missing dir", filepath.Join(dir, "nope", "nd.db"), "does not exist"},
		{"parent is a file", filepath.Join(junk, "nd.db"), "not a directory"},
		{"empty", "", "empty path"},
		{"uri", "file:nd.db?mode=ro", "plain file name"},
		{"not sqlite", junk, "store: open"},
		{"newer schema", newer, "schema version 99 is newer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) = nil error; want one containing %q", tt.path, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "store: ") {
				t.Errorf("Open(%q) = %v; want a store: error containing %q", tt.path, err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open created the missing directory: stat err = %v", err)
	}
}

func TestSavePollFeedState(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	feed := newsdigest.Feed{Name: "Mexico News Daily", URL: "https://mnd.example/feed/"}
	const lm = "Mon, 23 Nov 2026 07:00:00 GMT"
	at := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }

	steps := []struct {
		name string
		poll PollFeed
		want FeedState
	}{
		{
			name: "first 200 stores validators as received",
			poll: PollFeed{PolledAt: at(0), Status: 200, ETag: `W/"abc"`, LastModified: lm},
			want: FeedState{ETag: `W/"abc"`, LastModified: lm, LastStatus: 200, LastPolledAt: at(0), LastOKAt: at(0), Polls: 1},
		},
		{
			name: "304 without validators keeps the old ones",
			poll: PollFeed{PolledAt: at(1), Status: 304, NotModified: true},
			want: FeedState{ETag: `W/"abc"`, LastModified: lm, LastStatus: 304, LastPolledAt: at(1), LastOKAt: at(1), Polls: 2},
		},
		{
			name: "failure keeps validators and starts a failure run",
			poll: PollFeed{PolledAt: at(2), Status: 503, Err: "watcher: 503 Service Unavailable", NextPollAt: at(4)},
			want: FeedState{ETag: `W/"abc"`, LastModified: lm, LastStatus: 503, LastError: "watcher: 503 Service Unavailable",
				LastPolledAt: at(2), LastOKAt: at(1), FailingSince: at(2), Failures: 1, Polls: 2, NextPollAt: at(4)},
		},
		{
			name: "second failure keeps FailingSince",
			poll: PollFeed{PolledAt: at(4), Err: "watcher: dial tcp: connection refused", NextPollAt: at(8)},
			want: FeedState{ETag: `W/"abc"`, LastModified: lm, LastError: "watcher: dial tcp: connection refused",
				LastPolledAt: at(4), LastOKAt: at(1), FailingSince: at(2), Failures: 2, Polls: 2, NextPollAt: at(8)},
		},
		{
			name: "304 with a new ETag replaces both validators",
			poll: PollFeed{PolledAt: at(8), Status: 304, NotModified: true, ETag: `"q\"uoted"`},
			want: FeedState{ETag: `"q\"uoted"`, LastStatus: 304, LastPolledAt: at(8), LastOKAt: at(8), Polls: 3},
		},
		{
			name: "200 without validators clears them",
			poll: PollFeed{PolledAt: at(9), Status: 200},
			want: FeedState{LastStatus: 200, LastPolledAt: at(9), LastOKAt: at(9), Polls: 4},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.poll.Feed = feed
			mustSavePoll(t, s, st.poll)
			states, err := s.FeedStates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			st.want.URL, st.want.Name = feed.URL, feed.Name
			if got := states[feed.URL]; got != st.want {
				t.Errorf("FeedStates()[%q] =\n %+v; want\n %+v", feed.URL, got, st.want)
			}
			if len(states) != 1 {
				t.Errorf("len(FeedStates()) = %d; want 1", len(states))
			}
		})
	}
}

func TestSavePollFailingNewFeed(t *testing.T) {
	s := MustOpen(t)
	feed := newsdigest.Feed{Name: "Down", URL: "https://down.example/rss"}
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base, Status: 404, Err: "watcher: 404 Not Found"})
	states, err := s.FeedStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := FeedState{URL: feed.URL, Name: feed.Name, LastStatus: 404, LastError: "watcher: 404 Not Found",
		LastPolledAt: base, FailingSince: base, Failures: 1}
	if got := states[feed.URL]; got != want {
		t.Errorf("FeedStates()[%q] = %+v; want %+v", feed.URL, got, want)
	}
}

func item(feed newsdigest.Feed, id, link string, published time.Time) newsdigest.Item {
	return newsdigest.Item{ID: id, FeedURL: feed.URL, FeedName: feed.Name, GUID: "guid-" + id, Link: link,
		Title: "Title " + id, Summary: "Summary " + id, Published: published, Source: feed.Name}
}

func TestSavePollItemsRoundTrip(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	feed := newsdigest.Feed{Name: "El Universal", URL: "https://eu.example/rss"}
	pub := time.Date(2026, 11, 23, 1, 30, 15, 123456789, time.FixedZone("CST", -6*3600))
	it := newsdigest.Item{
		ID: "id-1", FeedURL: feed.URL, FeedName: feed.Name, GUID: "urn:eu:1",
		Link:  "HTTPS://EU.example/nota?utm_source=x&b=2&a=1#frag",
		Title: "Cártel & <b>“T-MEC”</b>", Summary: strings.Repeat("ñ", MaxSummaryRunes+5),
		Content: "<p>not stored</p>", Published: pub, Source: "El Universal (MX)",
	}
	matches := []newsdigest.Match{
		{Topic: "cartels", Score: 1, Terms: []string{"cartel*"}},
		{Topic: "usmca", Score: 4, Terms: []string{"T-MEC", "usmca"}},
		{Topic: "empty", Score: 1},
	}
	sum := mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base.Add(-time.Hour), Status: 200,
		Items: []PollItem{{Item: it, Matches: matches}, {Item: item(feed, "id-2", "", pub)}}})
	wantSum := PollSummary{ItemsFetched: 2, ItemsNew: 2, ItemsMatched: 1, NewMatched: []string{"id-1"}}
	if !reflect.DeepEqual(sum, wantSum) {
		t.Errorf("first SavePoll = %+v; want %+v", sum, wantSum)
	}

	// Seen again an hour later with other text and matches: nothing changes.
	again := it
	again.Title = "edited"
	sum = mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base, Status: 200,
		Items: []PollItem{{Item: again, Matches: matches[:1]}}})
	wantSum = PollSummary{ItemsFetched: 1}
	if !reflect.DeepEqual(sum, wantSum) {
		t.Errorf("second SavePoll = %+v; want %+v", sum, wantSum)
	}

	got, err := s.Candidates(ctx, CandidateQuery{Channel: "#c", From: base.Add(-24 * time.Hour), To: base, Lookback: 6 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	wantItem := it
	wantItem.Summary = strings.Repeat("ñ", MaxSummaryRunes-1) + "…"
	wantItem.Content = ""
	wantItem.Published = pub.UTC()
	want := []newsdigest.Candidate{{
		Item:         wantItem,
		CanonicalURL: "https://eu.example/nota?a=1&b=2",
		FirstSeen:    base.Add(-time.Hour),
		Matches: []newsdigest.Match{
			{Topic: "usmca", Score: 4, Terms: []string{"T-MEC", "usmca"}},
			{Topic: "cartels", Score: 1, Terms: []string{"cartel*"}},
			{Topic: "empty", Score: 1, Terms: []string{}},
		},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Candidates() =\n %+v; want\n %+v", got, want)
	}
}

func TestSavePollRememberOnly(t *testing.T) {
	dated := base.Add(-2 * time.Hour)
	tests := []struct {
		name      string
		history   []PollFeed // earlier polls of the feed
		published time.Time
		want      bool // a candidate?
	}{
		{"undated on first poll", nil, time.Time{}, false},
		{"dated on first poll", nil, dated, true},
		{"undated on second poll", []PollFeed{{Status: 200}}, time.Time{}, true},
		{"undated on first poll after failures", []PollFeed{{Err: "watcher: timeout"}, {Err: "watcher: timeout"}}, time.Time{}, false},
		{"undated after a 304", []PollFeed{{Status: 304, NotModified: true}}, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			feed := newsdigest.Feed{Name: "F", URL: "https://f.example/rss"}
			for i, p := range tt.history {
				p.Feed, p.PolledAt = feed, base.Add(time.Duration(i-10)*time.Hour)
				mustSavePoll(t, s, p)
			}
			sum := mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base.Add(-time.Hour), Status: 200,
				Items: []PollItem{{Item: item(feed, "x", "https://f.example/x", tt.published),
					Matches: []newsdigest.Match{{Topic: "t", Score: 3, Terms: []string{"x"}}}}}})
			if got := sum.ItemsMatched == 1; got != tt.want {
				t.Errorf("SavePoll().ItemsMatched = %d; want candidate=%v", sum.ItemsMatched, tt.want)
			}
			c, err := s.Candidates(context.Background(), CandidateQuery{Channel: "#c", From: base.Add(-24 * time.Hour), To: base})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(c) == 1; got != tt.want {
				t.Errorf("Candidates() = %d items; want candidate=%v", len(c), tt.want)
			}
		})
	}
}

func TestSavePollAtomic(t *testing.T) {
	good := newsdigest.Feed{Name: "Good", URL: "https://good.example/rss"}
	bad := newsdigest.Feed{Name: "Bad", URL: "https://bad.example/rss"}
	okFeed := PollFeed{Feed: good, PolledAt: base, Status: 200, ETag: `"e"`,
		Items: []PollItem{{Item: item(good, "g1", "https://good.example/1", base),
			Matches: []newsdigest.Match{{Topic: "t", Score: 1}}}}}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name  string
		ctx   context.Context
		feeds []PollFeed
		want  string
	}{
		{"duplicate topic", context.Background(), []PollFeed{okFeed, {Feed: bad, PolledAt: base, Status: 200,
			Items: []PollItem{{Item: item(bad, "b1", "", base), Matches: []newsdigest.Match{{Topic: "t"}, {Topic: "t"}}}}}},
			"topic t matched twice"},
		{"item without ID", context.Background(), []PollFeed{okFeed, {Feed: bad, PolledAt: base, Status: 200,
			Items: []PollItem{{Item: item(bad, "", "https://bad.example/1", base)}}}}, "has no ID"},
		{"feed without URL", context.Background(), []PollFeed{okFeed, {PolledAt: base, Status: 200}}, "without URL"},
		{"cancelled context", cancelled, []PollFeed{okFeed}, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t)
			sum, err := s.SavePoll(tt.ctx, tt.feeds)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "store: save poll: ") {
				t.Fatalf("SavePoll() = %+v, %v; want an error containing %q", sum, err, tt.want)
			}
			states, err := s.FeedStates(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(states) != 0 {
				t.Errorf("after failed SavePoll FeedStates() = %v; want none", states)
			}
			for _, table := range []string{"feeds", "items", "matches"} {
				var n int
				if err := s.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != 0 {
					t.Errorf("after failed SavePoll %s has %d rows; want 0", table, n)
				}
			}
			// The store is still usable.
			if sum := mustSavePoll(t, s, okFeed); sum.ItemsNew != 1 {
				t.Errorf("SavePoll after failure: ItemsNew = %d; want 1", sum.ItemsNew)
			}
		})
	}
}

// TestOpenConcurrently is two processes starting at once on a new file: the
// schema is created once and both stores work.
func TestOpenConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nd.db")
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), path) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("Open #%d: %v", i, errs[i])
		}
		t.Cleanup(func() { s.Close() })
		feed := newsdigest.Feed{Name: "F", URL: fmt.Sprintf("https://f%d.example/rss", i)}
		mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base, Status: 200})
	}
	states, err := stores[0].FeedStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != n {
		t.Errorf("len(FeedStates()) = %d; want %d", len(states), n)
	}
	if latest := latestVersion(t, sqliteDialect); pragma(t, stores[n-1], "user_version") != strconv.Itoa(latest) {
		t.Errorf("PRAGMA user_version = %q; want %d", pragma(t, stores[n-1], "user_version"), latest)
	}
}
