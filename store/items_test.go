package store

import (
	"context"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

func TestItemByLink(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	a := newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}
	b := newsdigest.Feed{Name: "B", URL: "https://b.example/rss"}
	pub := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	cartels := []newsdigest.Match{{Topic: "cartels", Score: 3, Terms: []string{"cartel"}}}
	mustSavePoll(t, s, PollFeed{Feed: a, PolledAt: base.Add(-time.Hour), Status: 200,
		Items: []PollItem{{Item: item(a, "a1", "https://news.example/story?utm_source=rss", pub), Matches: cartels},
			{Item: item(a, "a2", "https://news.example/unmatched", pub)}}})
	mustSavePoll(t, s, PollFeed{Feed: b, PolledAt: base, Status: 200,
		Items: []PollItem{{Item: item(b, "b1", "https://NEWS.example/story#top", time.Time{}), Matches: cartels}}})

	// Any spelling of the link finds it; the latest copy wins.
	for _, link := range []string{"https://news.example/story", "HTTPS://news.example/story?utm_medium=x", "https://news.example/story#x"} {
		it, ok, err := s.ItemByLink(ctx, link)
		if err != nil || !ok || it.ID != "b1" || it.Title != "Title b1" || it.FeedName != "B" || !it.Published.IsZero() {
			t.Errorf("ItemByLink(%q) = %+v, %v, %v; want b1", link, it, ok, err)
		}
	}
	for _, link := range []string{"https://news.example/other", "https://news.example/unmatched"} {
		if _, ok, err := s.ItemByLink(ctx, link); ok || err != nil {
			t.Errorf("ItemByLink(%s) = %v, %v; want not found (unknown, or kept as its identity only)", link, ok, err)
		}
	}
}
