package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

// TestOutbox walks deliveries through the outbox: pending until confirmed or
// abandoned; only a confirmed one marks its items delivered.
func TestOutbox(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	feed := newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}
	m := []newsdigest.Match{{Topic: "t", Score: 1}}
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base.Add(-time.Hour), Status: 200, Items: []PollItem{
		{Item: item(feed, "i1", "https://a.example/1", base), Matches: m},
		{Item: item(feed, "i2", "https://a.example/2", base), Matches: m},
		{Item: item(feed, "i3", "https://a.example/3", base), Matches: m},
	}})
	cands := func() []string {
		t.Helper()
		c, err := s.Candidates(ctx, CandidateQuery{Channel: "#a", From: base.Add(-2 * time.Hour), To: base})
		if err != nil {
			t.Fatal(err)
		}
		return ids(c)
	}
	pending := func() []int {
		t.Helper()
		ds, err := s.PendingDeliveries(ctx, "#a")
		if err != nil {
			t.Fatal(err)
		}
		var parts []int
		for _, d := range ds {
			parts = append(parts, d.Part)
		}
		return parts
	}

	if _, err := s.BeginDelivery(ctx, Delivery{Channel: "#a", ItemIDs: []string{"i1", "nope"}}); err == nil || !strings.Contains(err.Error(), "item nope: no such item") {
		t.Fatalf("BeginDelivery(unknown item) = %v; want an error naming it", err)
	}
	one, err := s.BeginDelivery(ctx, Delivery{Channel: "#a", DigestID: "d1", Part: 1, ItemIDs: []string{"i1"}, PostedAt: base})
	if err != nil {
		t.Fatal(err)
	}
	two, err := s.BeginDelivery(ctx, Delivery{Channel: "#a", DigestID: "d1", Part: 2, ThreadTS: "1.0", ItemIDs: []string{"i2"}, PostedAt: base})
	if err != nil {
		t.Fatal(err)
	}
	if got := pending(); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("pending parts = %v; want [1 2]", got)
	}
	ds, _ := s.PendingDeliveries(ctx, "#a")
	if d := ds[1]; d.DigestID != "d1" || d.ThreadTS != "1.0" || !slices.Equal(d.ItemIDs, []string{"i2"}) || !d.PostedAt.Equal(base) {
		t.Errorf("pending delivery = %+v; want d1 part 2 under 1.0 carrying i2, begun at %v", d, base)
	}
	// Pending items are not delivered: a digest would still select them
	// (the pipeline resolves pending deliveries before it selects).
	if got := cands(); !slices.Equal(got, []string{"i1", "i2", "i3"}) {
		t.Errorf("candidates with two pending = %v; want all three", got)
	}

	if err := s.ConfirmDelivery(ctx, one, "1700000000.000100", "C0A", base); err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmDelivery(ctx, one, "1700000000.000999", "C0B", base); err != nil {
		t.Fatalf("confirming twice = %v; want nil", err)
	}
	if err := s.AbandonDelivery(ctx, two); err != nil {
		t.Fatal(err)
	}
	if err := s.AbandonDelivery(ctx, one); err != nil {
		t.Fatal(err) // a confirmed delivery stays confirmed
	}
	if got := pending(); len(got) != 0 {
		t.Errorf("pending parts after confirm and abandon = %v; want none", got)
	}
	if got := cands(); !slices.Equal(got, []string{"i2", "i3"}) {
		t.Errorf("candidates = %v; want i2 (abandoned) and i3", got)
	}
	if ok, _ := delivered(ctx, s, "#a", "i1"); !ok {
		t.Error("i1 not delivered after its delivery was confirmed (and then 'abandoned')")
	}
	if id, err := s.ChannelID(ctx, "#a"); err != nil || id != "C0A" {
		t.Errorf("ChannelID(#a) = %q, %v; want C0A (the first confirmation wins)", id, err)
	}
	if id, err := s.ChannelID(ctx, "#b"); err != nil || id != "" {
		t.Errorf("ChannelID(#b) = %q, %v; want \"\"", id, err)
	}
	if err := s.ConfirmDelivery(ctx, 9999, "1.0", "", base); err == nil {
		t.Error("ConfirmDelivery(no such delivery) = nil; want an error")
	}
}
