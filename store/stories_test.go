package store

import (
	"context"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

func TestDeliveredStories(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	feed := newsdigest.Feed{Name: "Wire", URL: "https://wire.example/rss"}
	var items []PollItem
	for _, id := range []string{"a", "b", "c"} {
		items = append(items, PollItem{Item: item(feed, id, "https://wire.example/"+id+"?utm_source=x", base.Add(-time.Hour)),
			Matches: []newsdigest.Match{{Topic: "cartels", Score: 3, Terms: []string{"cartel"}}}})
	}
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base, Status: 200, Items: items})
	deliveries := []Delivery{
		{Channel: "#mx", PostedAt: base.Add(-48 * time.Hour), ItemIDs: []string{"a"}}, // too old
		{Channel: "#mx", PostedAt: base.Add(-time.Hour), ItemIDs: []string{"b"}},
		{Channel: "#other", PostedAt: base.Add(-time.Hour), ItemIDs: []string{"c"}}, // another channel
	}
	for _, d := range deliveries {
		if err := record(ctx, s, d); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.DeliveredStories(ctx, "#mx", base.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Item.ID != "b" {
		t.Fatalf("DeliveredStories(#mx, last 24h) = %+v; want item b only", got)
	}
	b := got[0]
	if b.Item.Title != "Title b" || b.Item.Summary != "Summary b" || b.Item.Source != "Wire" ||
		b.CanonicalURL != "https://wire.example/b" || b.Item.Link != "https://wire.example/b?utm_source=x" {
		t.Errorf("DeliveredStories item = %+v; want its title, lede, source and links", b)
	}
	// Its times, which story grouping reads: published, and first seen.
	if !b.Item.Published.Equal(base.Add(-time.Hour)) || !b.FirstSeen.Equal(base) {
		t.Errorf("DeliveredStories item published %v, first seen %v; want %v and %v", b.Item.Published, b.FirstSeen, base.Add(-time.Hour), base)
	}
}
