package store

import (
	"context"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

// TestPrunedItemStillInItsFeedIsNotNews: an undated item pruned after the
// retention but still listed by its feed is remembered, not posted again.
func TestPrunedItemStillInItsFeedIsNotNews(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	feed := newsdigest.Feed{Name: "Wire", URL: "https://wire.example/rss"}
	undated := PollItem{Item: item(feed, "u1", "https://wire.example/u1", time.Time{}),
		Matches: []newsdigest.Match{{Topic: "cartels", Score: 3, Terms: []string{"cartel"}}}}
	// A first poll, so that the undated item of the second is postable.
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base, Status: 200})
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base.Add(time.Minute), Status: 200, Items: []PollItem{undated}})
	q := CandidateQuery{Channel: "#mx", Lookback: 24 * time.Hour}
	if got, _ := s.Candidates(ctx, q); len(got) != 1 {
		t.Fatalf("before pruning: %d candidates; want the undated item", len(got))
	}

	later := base.Add(31 * 24 * time.Hour)
	s.Now = func() time.Time { return later }
	if n, err := s.Prune(ctx, later.Add(-30*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1 item", n, err)
	}
	sum := mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: later, Status: 200, Items: []PollItem{undated}})
	if sum.ItemsMatched != 0 {
		t.Errorf("the pruned item came back as %d new matched items; want 0", sum.ItemsMatched)
	}
	if got, _ := s.Candidates(ctx, q); len(got) != 0 {
		t.Errorf("after pruning, the feed still listing it: %d candidates; want 0", len(got))
	}
}
