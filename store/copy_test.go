package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

// TestCopy moves a SQLite store's history into a new store (PostgreSQL
// when the suite runs there): what was delivered stays delivered, windows
// stay closed, pending messages stay pending, and new IDs follow the old.
func TestCopy(t *testing.T) {
	ctx := context.Background()
	src := mustOpenPath(t, filepath.Join(t.TempDir(), "old.db"))
	feed := newsdigest.Feed{Name: "Wire", URL: "https://wire.example/rss"}
	m := []newsdigest.Match{{Topic: "cartels", Score: 2, Terms: []string{"cártel"}}}
	var items []PollItem
	for i := range 5 {
		items = append(items, PollItem{Item: item(feed, fmt.Sprint("i", i), fmt.Sprintf("https://wire.example/%d", i), base.Add(-time.Hour)), Matches: m})
	}
	items = append(items, PollItem{Item: item(feed, "plain", "https://wire.example/p", base)}) // matched nothing
	mustSavePoll(t, src, PollFeed{Feed: feed, PolledAt: base, Status: 200, ETag: `"e1"`, Items: items})
	posted, err := src.BeginDelivery(ctx, Delivery{Channel: "#mx", DigestID: "d1", Part: 1, ItemIDs: []string{"i0", "i1"}, PostedAt: base, Tick: base})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.ConfirmDelivery(ctx, posted, "1.1", "C1", base); err != nil {
		t.Fatal(err)
	}
	alert, err := src.BeginDelivery(ctx, Delivery{Channel: "#mx", Kind: KindAlert, ItemIDs: []string{"i2"}, PostedAt: base, Rule: "r", Headline: "h", Outlets: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.ConfirmDelivery(ctx, alert, "1.2", "C1", base); err != nil {
		t.Fatal(err)
	}
	if _, err := src.BeginDelivery(ctx, Delivery{Channel: "#mx", DigestID: "d2", Part: 1, ItemIDs: []string{"i3"}, PostedAt: base}); err != nil {
		t.Fatal(err)
	}
	if err := src.FinishDigest(ctx, "#mx", base, base.Add(-24*time.Hour), base); err != nil {
		t.Fatal(err)
	}

	dst := MustOpen(t)
	rep, err := Copy(ctx, dst, src)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Tables[:3], []string{"feeds", "items", "matches"}) || rep.Rows[1] != 6 || rep.Rows[2] != 5 {
		t.Errorf("Copy() = %+v; want feeds, items (6), matches (5), …", rep)
	}
	for name, s := range map[string]*Store{"source": src, "copy": dst} {
		cands, err := s.Candidates(ctx, CandidateQuery{Channel: "#mx", To: base.Add(time.Hour), Lookback: 48 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(cands); !slices.Equal(got, []string{"i2", "i3", "i4"}) {
			t.Errorf("%s: candidates = %v; want i2 i3 i4 (i0, i1 delivered)", name, got)
		}
		if last, ok, err := s.LastDigest(ctx, "#mx"); err != nil || !ok || !last.Equal(base) {
			t.Errorf("%s: LastDigest = %v, %v, %v; want %v", name, last, ok, err, base)
		}
		if done, err := s.DigestDone(ctx, "#mx", base); err != nil || !done {
			t.Errorf("%s: DigestDone = %v, %v; want true", name, done, err)
		}
		if p, err := s.PendingDeliveries(ctx, "#mx"); err != nil || len(p) != 1 || p[0].DigestID != "d2" {
			t.Errorf("%s: pending = %+v, %v; want d2", name, p, err)
		}
		if a, ok, err := s.LastAlert(ctx); err != nil || !ok || a.ID != alert || a.Outlets != 3 {
			t.Errorf("%s: LastAlert = %+v, %v, %v; want delivery %d", name, a, ok, err, alert)
		}
		st, err := s.FeedStates(ctx)
		if err != nil || st[feed.URL].ETag != `"e1"` || st[feed.URL].Polls != 1 {
			t.Errorf("%s: feed state = %+v, %v", name, st[feed.URL], err)
		}
	}
	next, err := dst.BeginDelivery(ctx, Delivery{Channel: "#mx", DigestID: "d3", Part: 1, PostedAt: base})
	if err != nil {
		t.Fatal(err)
	}
	if next <= alert+1 {
		t.Errorf("a new delivery in the copy got ID %d; want one after the copied ones (%d)", next, alert+1)
	}
	if _, err := Copy(ctx, dst, src); err == nil {
		t.Error("Copy into a store that is not empty = nil error; want it refused")
	}
}
