package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/benchmeter"
)

// BenchmarkCandidates selects a digest's window as a whole run at 55%
// matching leaves it: one poll of 1,000 feeds × 50 items, 27,500 of them
// matched (two thirds of those to two topics, as the generated feeds), with summaries of the length
// the generated feeds send, and 500 of them already delivered to the
// channel. The selection names the channel's four topics, as the
// pipeline does.
func BenchmarkCandidates(b *testing.B) {
	const feeds, perFeed = 1000, 50
	s := MustOpen(b)
	ctx := context.Background()
	topics := []string{"cartels", "usmca", "troops", "sovereignty"}
	at := base.Add(time.Hour)
	pf := make([]PollFeed, feeds)
	matched, delivered := 0, []string(nil)
	for f := range pf {
		feed := newsdigest.Feed{Name: fmt.Sprintf("Feed %d", f), URL: fmt.Sprintf("https://f%d.example/rss", f)}
		items := make([]PollItem, perFeed)
		for i := range items {
			link := fmt.Sprintf("https://f%d.example/story/%d/%d", f, f, i)
			it := newsdigest.Item{FeedURL: feed.URL, FeedName: feed.Name, Link: link, GUID: fmt.Sprintf("urn:bench:%d:%d", f, i),
				Title:     fmt.Sprintf("Report %d-%d on the Sinaloa Cartel and tariffs in Mexico", f, i),
				Summary:   strings.Repeat("Details about the Sinaloa Cartel, tariffs and the United States. ", 12),
				Published: at.Add(-time.Duration(i) * 20 * time.Minute), Source: feed.Name}
			it.ID = newsdigest.ItemID(feed.URL, it)
			items[i] = PollItem{Item: it}
			if (f*104729+i*7919)%1000 < 550 {
				t := (f + i) % len(topics)
				items[i].Matches = []newsdigest.Match{{Topic: topics[t], Score: 2 + i%3, Terms: []string{"Sinaloa Cartel", "Mexico"}}}
				if i%3 != 0 {
					items[i].Matches = append(items[i].Matches, newsdigest.Match{Topic: topics[(t+1)%len(topics)], Score: 1, Terms: []string{"tariff*"}})
				}
				matched++
				if len(delivered) < 500 && f%2 == 0 {
					delivered = append(delivered, it.ID)
				}
			}
		}
		pf[f] = PollFeed{Feed: feed, PolledAt: at, Status: 200, Items: items}
	}
	if _, err := s.SavePoll(ctx, pf); err != nil {
		b.Fatal(err)
	}
	id, err := s.BeginDelivery(ctx, Delivery{Channel: "#news", ItemIDs: delivered})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.ConfirmDelivery(ctx, id, "1.0", "C1", at); err != nil {
		b.Fatal(err)
	}
	q := CandidateQuery{Channel: "#news", From: base, To: at.Add(time.Minute), Lookback: 48 * time.Hour, Topics: topics}
	want := matched - len(delivered)
	var usage benchmeter.Meter
	n := 0
	for b.Loop() {
		usage.Start()
		cands, err := s.Candidates(ctx, q)
		usage.Stop()
		if err != nil {
			b.Fatal(err)
		}
		if len(cands) != want {
			b.Fatalf("%d candidates; want %d", len(cands), want)
		}
		n += len(cands)
	}
	usage.Report(b, n, "item")
}
