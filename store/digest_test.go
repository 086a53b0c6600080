package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

func ids(cs []newsdigest.Candidate) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Item.ID)
	}
	return out
}

func topics(c newsdigest.Candidate) []string {
	var out []string
	for _, m := range c.Matches {
		out = append(out, m.Topic)
	}
	return out
}

// candidateFixture fills s with items that exercise every Candidates rule.
// The digest window is [base-24h, base]; lookback 6h.
func candidateFixture(t *testing.T, s *Store) {
	t.Helper()
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	a := newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}
	b := newsdigest.Feed{Name: "B", URL: "https://b.example/rss"}
	fresh := newsdigest.Feed{Name: "New", URL: "https://new.example/rss"}
	cartels := []newsdigest.Match{{Topic: "cartels", Score: 1, Terms: []string{"cartel*"}}}
	poll := func(f newsdigest.Feed, at time.Time, items ...PollItem) PollFeed {
		return PollFeed{Feed: f, PolledAt: at, Status: 200, Items: items}
	}
	pi := func(f newsdigest.Feed, id string, published time.Time, m []newsdigest.Match) PollItem {
		return PollItem{Item: item(f, id, "https://"+strings.ToLower(f.Name)+".example/"+id, published), Matches: m}
	}

	// Feeds A and B have been polled before, so undated items are new news.
	mustSavePoll(t, s, poll(a, h(-100)), poll(b, h(-100)))
	mustSavePoll(t, s, poll(a, h(-30), pi(a, "before-window", h(-30), cartels)))
	mustSavePoll(t, s, poll(a, h(-24), pi(a, "at-from", h(-24), cartels)))
	mustSavePoll(t, s, poll(a, h(-23),
		pi(a, "lagged", h(-27), cartels),   // published before From, within first_seen-lookback
		pi(a, "too-old", h(-30), cartels))) // before both From and first_seen-lookback
	mustSavePoll(t, s, poll(a, h(-5),
		pi(a, "two-topics", h(-5), []newsdigest.Match{
			{Topic: "cartels", Score: 1, Terms: []string{"narco*"}},
			{Topic: "usmca", Score: 3, Terms: []string{"T-MEC"}}}),
		pi(a, "unmatched", h(-5), nil),
		pi(a, "delivered", h(-5), cartels)))
	mustSavePoll(t, s, poll(b, h(-4),
		// The same story as A's "delivered", reached through feed B.
		PollItem{Item: item(b, "same-story", "HTTPS://A.example/delivered?utm_source=b#top", h(-4)), Matches: cartels},
		PollItem{Item: item(b, "no-link", "", time.Time{}), Matches: cartels},
		pi(b, "undated", time.Time{}, []newsdigest.Match{{Topic: "troops", Score: 3, Terms: []string{"troops"}}})))
	// Feed B back after days down: an item first seen now but published long ago.
	mustSavePoll(t, s, poll(b, h(-2), pi(b, "stale-in-window", h(-50), cartels)))
	mustSavePoll(t, s, poll(fresh, h(-3), pi(fresh, "first-poll-undated", time.Time{}, cartels),
		pi(fresh, "first-poll-dated", h(-3), cartels)))
	mustSavePoll(t, s, poll(a, h(0), pi(a, "at-to", h(0), cartels)))
	mustSavePoll(t, s, poll(a, h(1), pi(a, "after-window", h(1), cartels)))

	if err := record(context.Background(), s, Delivery{Channel: "#a", PostedAt: h(-4), ItemIDs: []string{"delivered"}}); err != nil {
		t.Fatal(err)
	}
}

func TestCandidates(t *testing.T) {
	s := MustOpen(t)
	candidateFixture(t, s)
	from, to := base.Add(-24*time.Hour), base

	tests := []struct {
		name string
		q    CandidateQuery
		want []string
	}{
		{
			name: "window, freshness, delivery and canonical URL",
			q:    CandidateQuery{Channel: "#a", From: from, To: to, Lookback: 6 * time.Hour},
			want: []string{"at-from", "lagged", "two-topics", "no-link", "undated", "first-poll-dated", "at-to"},
		},
		{
			name: "another channel gets the delivered story once per item",
			q:    CandidateQuery{Channel: "#b", From: from, To: to, Lookback: 6 * time.Hour},
			want: []string{"at-from", "lagged", "delivered", "two-topics", "no-link", "same-story", "undated", "first-poll-dated", "at-to"},
		},
		{
			name: "no lookback: only From bounds freshness",
			q:    CandidateQuery{Channel: "#a", From: from, To: to},
			want: []string{"at-from", "two-topics", "no-link", "undated", "first-poll-dated", "at-to"},
		},
		{
			name: "short lookback tolerates lag before From only up to first_seen-lookback",
			q:    CandidateQuery{Channel: "#a", From: from, To: to, Lookback: 3 * time.Hour},
			want: []string{"at-from", "two-topics", "no-link", "undated", "first-poll-dated", "at-to"},
		},
		{
			name: "later window",
			q:    CandidateQuery{Channel: "#a", From: base.Add(-4 * time.Hour), To: to, Lookback: time.Hour},
			want: []string{"no-link", "undated", "first-poll-dated", "at-to"},
		},
		{
			name: "topic filter",
			q:    CandidateQuery{Channel: "#a", From: from, To: to, Lookback: 6 * time.Hour, Topics: []string{"usmca", "troops"}},
			want: []string{"two-topics", "undated"},
		},
		{
			name: "unknown topic",
			q:    CandidateQuery{Channel: "#a", From: from, To: to, Topics: []string{"nope"}},
			want: []string{},
		},
		{
			name: "unbounded window",
			q:    CandidateQuery{Channel: "#a"},
			want: []string{"before-window", "at-from", "lagged", "too-old", "two-topics", "no-link", "undated", "first-poll-dated", "stale-in-window", "at-to", "after-window"},
		},
		{
			name: "empty window",
			q:    CandidateQuery{Channel: "#a", From: to, To: from},
			want: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Candidates(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if g := ids(got); !reflect.DeepEqual(g, tt.want) {
				t.Errorf("Candidates(%+v) = %q; want %q", tt.q, g, tt.want)
			}
			for i := 1; i < len(got); i++ {
				if got[i].FirstSeen.Before(got[i-1].FirstSeen) {
					t.Errorf("Candidates: %s (first seen %v) after %s (first seen %v)", got[i].Item.ID, got[i].FirstSeen, got[i-1].Item.ID, got[i-1].FirstSeen)
				}
			}
		})
	}

	t.Run("matches best first and restricted to topics", func(t *testing.T) {
		for _, tt := range []struct {
			topics []string
			want   []string
		}{
			{nil, []string{"usmca", "cartels"}},
			{[]string{"cartels"}, []string{"cartels"}},
			{[]string{"cartels", "usmca"}, []string{"usmca", "cartels"}},
		} {
			got, err := s.Candidates(context.Background(), CandidateQuery{Channel: "#a", From: base.Add(-5 * time.Hour), To: base.Add(-5 * time.Hour), Topics: tt.topics})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !reflect.DeepEqual(topics(got[0]), tt.want) {
				t.Errorf("Candidates(topics %q) = %+v; want two-topics with matches %q", tt.topics, got, tt.want)
			}
		}
	})
}

// record begins and confirms a delivery, as a post Slack confirmed at once.
func record(ctx context.Context, s *Store, d Delivery) error {
	id, err := s.BeginDelivery(ctx, d)
	if err != nil {
		return err
	}
	return s.ConfirmDelivery(ctx, id, "1.0", "C1", d.PostedAt)
}

// delivered reports whether an item was delivered to a channel.
func delivered(ctx context.Context, s *Store, channel, itemID string) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT count(*) FROM delivered_items WHERE channel = ? AND item_id = ?`, channel, itemID).Scan(&n)
	return n > 0, err
}

func TestRecordDelivery(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	feed := newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}
	m := []newsdigest.Match{{Topic: "t", Score: 1}}
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base.Add(-time.Hour), Status: 200, Items: []PollItem{
		{Item: item(feed, "i1", "https://a.example/1", base), Matches: m},
		{Item: item(feed, "i2", "https://a.example/2", base), Matches: m},
		{Item: item(feed, "i3", "", base), Matches: m},
	}})
	q := func(ch string) []string {
		t.Helper()
		c, err := s.Candidates(ctx, CandidateQuery{Channel: ch, From: base.Add(-2 * time.Hour), To: base})
		if err != nil {
			t.Fatal(err)
		}
		return ids(c)
	}

	steps := []struct {
		name      string
		d         Delivery
		wantErr   string
		delivered map[string]map[string]bool // channel -> item -> delivered
		cands     map[string][]string        // channel -> candidates
	}{
		{
			name:      "first message",
			d:         Delivery{Channel: "#a", PostedAt: base, ItemIDs: []string{"i1"}},
			delivered: map[string]map[string]bool{"#a": {"i1": true, "i2": false}, "#b": {"i1": false}},
			cands:     map[string][]string{"#a": {"i2", "i3"}, "#b": {"i1", "i2", "i3"}},
		},
		{
			name:      "re-run marks nothing twice and is no error",
			d:         Delivery{Channel: "#a", PostedAt: base, ItemIDs: []string{"i1", "i1", "i2"}},
			delivered: map[string]map[string]bool{"#a": {"i1": true, "i2": true, "i3": false}},
			cands:     map[string][]string{"#a": {"i3"}, "#b": {"i1", "i2", "i3"}},
		},
		{
			name:      "webhook delivery to another channel",
			d:         Delivery{Channel: "#b", PostedAt: base, ItemIDs: []string{"i3"}},
			delivered: map[string]map[string]bool{"#a": {"i3": false}, "#b": {"i3": true, "i1": false}},
			cands:     map[string][]string{"#a": {"i3"}, "#b": {"i1", "i2"}},
		},
		{
			name:      "unknown item records nothing",
			d:         Delivery{Channel: "#b", PostedAt: base, ItemIDs: []string{"i1", "nope"}},
			wantErr:   "item nope: no such item",
			delivered: map[string]map[string]bool{"#b": {"i1": false}},
			cands:     map[string][]string{"#b": {"i1", "i2"}},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := record(ctx, s, st.d)
			switch {
			case st.wantErr == "" && err != nil:
				t.Fatalf("record(%+v) = %v; want nil", st.d, err)
			case st.wantErr != "" && (err == nil || !strings.Contains(err.Error(), st.wantErr)):
				t.Fatalf("record(%+v) = %v; want error containing %q", st.d, err, st.wantErr)
			}
			for ch, items := range st.delivered {
				for id, want := range items {
					got, err := delivered(ctx, s, ch, id)
					if err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("delivered(%q, %q) = %v; want %v", ch, id, got, want)
					}
				}
			}
			for ch, want := range st.cands {
				if got := q(ch); !reflect.DeepEqual(got, want) {
					t.Errorf("Candidates(%q) = %q; want %q", ch, got, want)
				}
			}
		})
	}
	var n int
	if err := s.db.QueryRow("SELECT count(*) FROM deliveries").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("deliveries rows = %d; want 3 (the failed one rolled back)", n)
	}
}

func TestDigests(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	s.Now = func() time.Time { return base }
	if _, ok, err := s.LastDigest(ctx, "#a"); err != nil || ok {
		t.Fatalf("LastDigest(#a) on empty store = ok %v, err %v; want false, nil", ok, err)
	}
	local := time.FixedZone("CST", -6*3600)
	for _, d := range []struct {
		ch       string
		from, to time.Time
	}{
		{"#a", base.Add(-48 * time.Hour), base.Add(-24 * time.Hour)},
		{"#a", base.Add(-24 * time.Hour), base.In(local)},
		{"#a", base.Add(-72 * time.Hour), base.Add(-48 * time.Hour)}, // an older window finished later
		{"#b", base.Add(-24 * time.Hour), base.Add(-time.Hour)},
	} {
		if err := s.FinishDigest(ctx, d.ch, time.Time{}, d.from, d.to); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		ch     string
		want   time.Time
		wantOK bool
	}{
		{"#a", base, true},
		{"#b", base.Add(-time.Hour), true},
		{"#c", time.Time{}, false},
	} {
		got, ok, err := s.LastDigest(ctx, tt.ch)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(tt.want) || ok != tt.wantOK {
			t.Errorf("LastDigest(%q) = %v, %v; want %v, %v", tt.ch, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestPrune(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	feed := newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}
	m := []newsdigest.Match{{Topic: "t", Score: 1}}
	old, recent := base.Add(-800*time.Hour), base.Add(-time.Hour)
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: old, Status: 200, Items: []PollItem{
		{Item: item(feed, "old1", "https://a.example/old1", old), Matches: m},
		{Item: item(feed, "old2", "https://a.example/old2", old), Matches: m},
	}})
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: recent, Status: 200, Items: []PollItem{
		{Item: item(feed, "new1", "https://a.example/new1", recent), Matches: m},
	}})
	for _, d := range []Delivery{
		{Channel: "#a", PostedAt: old, ItemIDs: []string{"old1"}},
		{Channel: "#a", PostedAt: old, ItemIDs: []string{"old2", "new1"}}, // still carries new1
	} {
		if err := record(ctx, s, d); err != nil {
			t.Fatal(err)
		}
	}
	s.Now = func() time.Time { return base }
	for _, d := range []struct {
		ch       string
		from, to time.Time
	}{
		{"#a", old.Add(-24 * time.Hour), old},
		{"#a", old, old.Add(time.Hour)},
		{"#b", old.Add(-24 * time.Hour), old}, // #b's latest: kept
	} {
		if err := s.FinishDigest(ctx, d.ch, time.Time{}, d.from, d.to); err != nil {
			t.Fatal(err)
		}
	}

	n, err := s.Prune(ctx, base.Add(-720*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("Prune() = %d; want 2", n)
	}
	counts := map[string]int{"items": 1, "matches": 1, "delivered_items": 1, "deliveries": 1, "digests": 2, "feeds": 1}
	for table, want := range counts {
		var got int
		if err := s.db.QueryRow("SELECT count(*) FROM " + table).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("after Prune %s has %d rows; want %d", table, got, want)
		}
	}
	if ok, err := delivered(ctx, s, "#a", "new1"); err != nil || !ok {
		t.Errorf("delivered(#a, new1) after Prune = %v, %v; want true, nil", ok, err)
	}
	for ch, want := range map[string]time.Time{"#a": old.Add(time.Hour), "#b": old} {
		if got, ok, err := s.LastDigest(ctx, ch); err != nil || !ok || !got.Equal(want) {
			t.Errorf("LastDigest(%q) after Prune = %v, %v, %v; want %v", ch, got, ok, err, want)
		}
	}
	if n, err := s.Prune(ctx, base.Add(-720*time.Hour)); err != nil || n != 0 {
		t.Errorf("second Prune() = %d, %v; want 0, nil", n, err)
	}
}

// TestTwoStoresOneFile is serve and a manual run writing the same file at
// once.
func TestTwoStoresOneFile(t *testing.T) {
	stores := mustOpenShared(t, 2)
	ctx := context.Background()
	const writers, polls, items = 2, 10, 20
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*writers*polls*3)
	for si, s := range stores {
		for w := range writers {
			wg.Go(func() {
				feed := newsdigest.Feed{Name: "F", URL: fmt.Sprintf("https://s%d-w%d.example/rss", si, w)}
				for p := range polls {
					pf := PollFeed{Feed: feed, PolledAt: base.Add(time.Duration(p) * time.Minute), Status: 200, ETag: fmt.Sprint(p)}
					var id string
					for i := range items {
						id = fmt.Sprintf("s%d-w%d-p%d-i%d", si, w, p, i)
						pf.Items = append(pf.Items, PollItem{Item: item(feed, id, "https://x.example/"+id, base),
							Matches: []newsdigest.Match{{Topic: "t", Score: 1}}})
					}
					if _, err := s.SavePoll(ctx, []PollFeed{pf}); err != nil {
						errs <- err
						return
					}
					if err := record(ctx, s, Delivery{Channel: "#c", ItemIDs: []string{id}}); err != nil {
						errs <- err
					}
					if _, err := s.Candidates(ctx, CandidateQuery{Channel: "#c"}); err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, s := range stores {
		c, err := s.Candidates(ctx, CandidateQuery{Channel: "#c"})
		if err != nil {
			t.Fatal(err)
		}
		want := len(stores) * writers * polls * (items - 1)
		if len(c) != want {
			t.Errorf("store %d: Candidates() = %d items; want %d", i, len(c), want)
		}
		states, err := s.FeedStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for url, st := range states {
			if st.Polls != polls || st.ETag != fmt.Sprint(polls-1) {
				t.Errorf("store %d: feed %s: Polls = %d, ETag = %q; want %d, %q", i, url, st.Polls, st.ETag, polls, fmt.Sprint(polls-1))
			}
		}
	}
}

// TestCandidatesMatchesComeBackWhole checks that an item's matches come
// back whole and in order (best score first, then topic) whatever their
// topics and terms hold: Candidates reads them packed in one column.
func TestCandidatesMatchesComeBackWhole(t *testing.T) {
	s := MustOpen(t)
	f := newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}
	matches := []newsdigest.Match{
		{Topic: "b:2:3:", Score: 2, Terms: []string{"x:y", "12:"}},
		{Topic: "a", Score: 2, Terms: []string{`"quoted" ]`}},
		{Topic: "é", Score: -1, Terms: []string{"ü"}},
		{Topic: "z", Score: 10, Terms: nil},
		{Topic: "0", Score: 0, Terms: []string{""}},
	}
	mustSavePoll(t, s, PollFeed{Feed: f, PolledAt: base, Status: 200, Items: []PollItem{
		{Item: item(f, "one", "https://a.example/1", base), Matches: matches},
		{Item: item(f, "two", "https://a.example/2", base), Matches: matches[3:4]},
	}})
	topics := []string{"a", "b:2:3:", "é", "z", "0"}
	got, err := s.Candidates(context.Background(), CandidateQuery{Channel: "#c", To: base, Topics: topics})
	if err != nil {
		t.Fatal(err)
	}
	want := []newsdigest.Match{
		{Topic: "z", Score: 10, Terms: []string{}},
		{Topic: "a", Score: 2, Terms: []string{`"quoted" ]`}},
		{Topic: "b:2:3:", Score: 2, Terms: []string{"x:y", "12:"}},
		{Topic: "0", Score: 0, Terms: []string{""}},
		{Topic: "é", Score: -1, Terms: []string{"ü"}},
	}
	if len(got) != 2 || got[0].Item.ID != "one" || got[1].Item.ID != "two" {
		t.Fatalf("Candidates() = %+v; want items one, two", got)
	}
	if !reflect.DeepEqual(got[0].Matches, want) {
		t.Errorf("Candidates()[0].Matches = %+v; want %+v", got[0].Matches, want)
	}
	if !reflect.DeepEqual(got[1].Matches, want[:1]) {
		t.Errorf("Candidates()[1].Matches = %+v; want %+v", got[1].Matches, want[:1])
	}
	// Only the topics asked for.
	got, err = s.Candidates(context.Background(), CandidateQuery{Channel: "#c", To: base, Topics: []string{"é", "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0].Matches, []newsdigest.Match{want[1], want[4]}) {
		t.Errorf("Candidates(topics é, a) = %+v; want item one with %+v", got, []newsdigest.Match{want[1], want[4]})
	}
}

func TestUnpackMatchRefusesMalformed(t *testing.T) {
	for _, packed := range []string{"x", "1:", "1:2:", "1:2:3:a", "-1:0:0:", "1:-1:0:a", "a:0:0:", "1:1:x:ab", "9999999999999999999999:0:0:", "9223372036854775807:9223372036854775807:0:ab"} {
		if _, _, _, _, err := unpackMatch(packed); err == nil {
			t.Errorf("unpackMatch(%q) = nil error; want malformed", packed)
		}
	}
	topic, score, terms, rest, err := unpackMatch(`2:5:-3:t:["]"]1:2:0:x[]`)
	if err != nil || topic != "t:" || score != -3 || terms != `["]"]` || rest != "1:2:0:x[]" {
		t.Errorf("unpackMatch = %q, %d, %q, %q, %v", topic, score, terms, rest, err)
	}
}
