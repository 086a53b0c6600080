package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/benchmeter"
)

// BenchmarkSavePoll stores one poll of 1,000 feeds × 50 new items, a quarter
// of them matched, as one SavePoll. Every iteration brings new items.
func BenchmarkSavePoll(b *testing.B) {
	const feeds, perFeed = 1000, 50
	s := MustOpen(b)
	ctx := context.Background()
	match := []newsdigest.Match{{Topic: "cartels", Score: 3, Terms: []string{"cartel*", "narco*"}}}
	poll := func(round int) []PollFeed {
		at := base.Add(time.Duration(round) * 15 * time.Minute)
		pf := make([]PollFeed, feeds)
		for f := range pf {
			feed := newsdigest.Feed{Name: fmt.Sprintf("Feed %d", f), URL: fmt.Sprintf("https://f%d.example/rss", f)}
			items := make([]PollItem, perFeed)
			for i := range items {
				link := fmt.Sprintf("https://f%d.example/news/%d/%d?utm_source=rss", f, round, i)
				it := newsdigest.Item{FeedURL: feed.URL, FeedName: feed.Name, Link: link,
					Title:     fmt.Sprintf("Cartel news %d/%d from feed %d", round, i, f),
					Summary:   "A summary of about the length feeds send, two sentences of plain text. " + link,
					Published: at.Add(-time.Duration(i) * time.Minute), Source: feed.Name}
				it.ID = newsdigest.ItemID(feed.URL, it)
				items[i] = PollItem{Item: it}
				if i%4 == 0 {
					items[i].Matches = match
				}
			}
			pf[f] = PollFeed{Feed: feed, PolledAt: at, Status: 200, ETag: fmt.Sprintf(`W/"%d"`, round), Items: items}
		}
		return pf
	}
	round := 0
	var usage benchmeter.Meter
	for b.Loop() {
		b.StopTimer()
		pf := poll(round)
		round++
		b.StartTimer()
		usage.Start()
		sum, err := s.SavePoll(ctx, pf)
		usage.Stop()
		if err != nil {
			b.Fatal(err)
		}
		if sum.ItemsNew != feeds*perFeed {
			b.Fatalf("SavePoll().ItemsNew = %d; want %d", sum.ItemsNew, feeds*perFeed)
		}
	}
	b.ReportMetric(float64(round*feeds*perFeed)/b.Elapsed().Seconds(), "items/s")
	usage.Report(b, round*feeds*perFeed, "item")
}
