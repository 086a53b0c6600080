package store

import (
	"context"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

func TestMovedToIsKeptUntilTheNextMove(t *testing.T) {
	s := MustOpen(t)
	feed := newsdigest.Feed{Name: "Proceso", URL: "http://old.example/rss"}
	steps := []struct {
		pf   PollFeed
		want string
	}{
		{PollFeed{Feed: feed, PolledAt: base, Status: 200}, ""},
		{PollFeed{Feed: feed, PolledAt: base.Add(time.Hour), Status: 200, MovedTo: "https://new.example/rss"}, "https://new.example/rss"},
		{PollFeed{Feed: feed, PolledAt: base.Add(2 * time.Hour), Status: 304, NotModified: true}, "https://new.example/rss"},
		{PollFeed{Feed: feed, PolledAt: base.Add(3 * time.Hour), Err: "HTTP 500"}, "https://new.example/rss"},
		{PollFeed{Feed: feed, PolledAt: base.Add(4 * time.Hour), Status: 200, MovedTo: "https://newer.example/feed"}, "https://newer.example/feed"},
	}
	for i, st := range steps {
		mustSavePoll(t, s, st.pf)
		states, err := s.FeedStates(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := states[feed.URL].MovedTo; got != st.want {
			t.Errorf("after poll %d: MovedTo = %q; want %q", i+1, got, st.want)
		}
	}
}
