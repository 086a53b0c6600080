package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

func TestFeedClaims(t *testing.T) {
	ctx := context.Background()
	stores := mustOpenShared(t, 2)
	a, b := stores[0], stores[1]
	now := base
	for _, s := range stores {
		s.Now = func() time.Time { return now }
	}
	urls := []string{"https://f2.example/rss", "https://f1.example/rss", "https://f1.example/rss"}
	f1, f2 := urls[1], urls[0]
	t1, t2 := base, base.Add(15*time.Minute)
	const ttl = time.Minute
	claim := func(s *Store, owner string, tick time.Time, want ...string) {
		t.Helper()
		got, err := s.ClaimFeeds(ctx, owner, tick, urls, ttl)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("ClaimFeeds(%s, tick %s) = %v; want %v", owner, tick.Format("15:04"), got, want)
		}
	}
	done := func(s *Store, owner, url string) {
		t.Helper()
		mustSavePoll(t, s, PollFeed{Feed: newsdigest.Feed{Name: "F", URL: url}, PolledAt: now, Status: 200, Claim: owner})
	}

	claim(a, "A", t1, f1, f2) // sorted, each once
	claim(b, "B", t1)         // A is polling both
	done(a, "A", f1)
	claim(b, "B", t1) // f1 was polled for t1; f2 is still A's
	now = now.Add(ttl / 2)
	if err := a.RenewClaims(ctx, "A", ttl); err != nil {
		t.Fatal(err)
	}
	now = now.Add(ttl * 3 / 4)
	claim(b, "B", t1) // renewed: A still holds f2
	now = now.Add(ttl)
	claim(b, "B", t1, f2) // A died: its claim on f2 expired, f2 not polled for t1 yet
	claim(a, "A", t2, f1) // next tick: f1 again; f2 is B's now
	if err := b.ReleaseClaims(ctx, "B"); err != nil {
		t.Fatal(err)
	}
	claim(a, "A", t2, f2) // released: anyone may take it
	done(a, "A", f1)
	done(a, "A", f2)
	claim(b, "B", t2)                  // both polled for t2
	claim(b, "B", t1)                  // and for an earlier tick
	claim(b, "B", time.Time{}, f1, f2) // on demand: whatever no one polls now
	done(b, "B", f1)
	done(b, "B", f2)
	claim(a, "A", t2) // an on-demand poll keeps the feeds' tick
}

// TestFeedClaimsRace is replicas claiming one tick's feeds at once: each
// feed goes to exactly one.
func TestFeedClaimsRace(t *testing.T) {
	ctx := context.Background()
	stores := mustOpenShared(t, 3)
	var urls []string
	for i := range 300 {
		urls = append(urls, fmt.Sprintf("https://f%03d.example/rss", i))
	}
	for round := range 3 {
		tick := base.Add(time.Duration(round) * time.Minute)
		got := make([][]string, len(stores))
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() {
				var err error
				if got[i], err = s.ClaimFeeds(ctx, fmt.Sprint("r", i), tick, urls, time.Hour); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		count := map[string]int{}
		for _, g := range got {
			for _, u := range g {
				count[u]++
			}
		}
		for _, u := range urls {
			if count[u] != 1 {
				t.Errorf("round %d: %s claimed %d times; want once", round, u, count[u])
			}
		}
		for i, s := range stores { // each replica polls what it got
			var polls []PollFeed
			for _, u := range got[i] {
				polls = append(polls, PollFeed{Feed: newsdigest.Feed{Name: "F", URL: u}, PolledAt: tick, Status: 200, Claim: fmt.Sprint("r", i)})
			}
			mustSavePoll(t, s, polls...)
		}
	}
}

func TestDigestTicks(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	tick := base
	if done, err := s.DigestDone(ctx, "#a", tick); err != nil || done {
		t.Fatalf("DigestDone before any = %v, %v; want false", done, err)
	}
	feed := newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}
	mustSavePoll(t, s, PollFeed{Feed: feed, PolledAt: base, Status: 200, Items: []PollItem{
		{Item: item(feed, "i1", "https://a.example/1", base), Matches: []newsdigest.Match{{Topic: "t", Score: 1}}},
	}})
	one, err := s.BeginDelivery(ctx, Delivery{Channel: "#a", DigestID: "d", Part: 1, ItemIDs: []string{"i1"}, Tick: tick})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginDelivery(ctx, Delivery{Channel: "#a", DigestID: "e", Part: 1, Tick: tick.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.TickDeliveries(ctx, "#a", tick); err != nil || n != 1 {
		t.Errorf("TickDeliveries(#a) = %d, %v; want 1", n, err)
	}
	if err := s.AbandonDelivery(ctx, one); err != nil {
		t.Fatal(err)
	}
	if n, err := s.TickDeliveries(ctx, "#a", tick); err != nil || n != 0 {
		t.Errorf("TickDeliveries(#a) after abandoning = %d, %v; want 0", n, err)
	}
	if err := s.FinishDigest(ctx, "#a", tick, base.Add(-time.Hour), base); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		channel string
		tick    time.Time
		want    bool
	}{{"#a", tick, true}, {"#b", tick, false}, {"#a", tick.Add(time.Minute), false}} {
		if done, err := s.DigestDone(ctx, tt.channel, tt.tick); err != nil || done != tt.want {
			t.Errorf("DigestDone(%s, %s) = %v, %v; want %v", tt.channel, tt.tick.Format("15:04"), done, err, tt.want)
		}
	}
	if err := s.FinishDigest(ctx, "#a", tick, base, base.Add(time.Minute)); err == nil {
		t.Error("a second digest for #a's tick was recorded; want it refused")
	}
	if err := s.FinishDigest(ctx, "#b", tick, base, base.Add(time.Minute)); err != nil {
		t.Errorf("another channel's digest for the same tick: %v", err)
	}
	if last, ok, err := s.LastDigest(ctx, "#a"); err != nil || !ok || !last.Equal(base) {
		t.Errorf("LastDigest(#a) = %v, %v, %v; want %v", last, ok, err, base)
	}
}
