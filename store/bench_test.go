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
	benchSavePoll(b, func(ctx context.Context, s *Store, pf []PollFeed) error {
		_, err := s.SavePoll(ctx, pf)
		return err
	})
}

// BenchmarkSavePollGroups stores the same polls as pipeline does: on one
// PollWriter, in groups of 50 feeds (2,500 items, pipeline's
// saveGroupItems).
func BenchmarkSavePollGroups(b *testing.B) {
	benchSavePoll(b, func(ctx context.Context, s *Store, pf []PollFeed) error {
		pw, err := s.NewPollWriter(ctx)
		if err != nil {
			return err
		}
		defer pw.Close()
		for g := 0; g < len(pf); g += 50 {
			if _, err := pw.SavePoll(ctx, pf[g:min(g+50, len(pf))]); err != nil {
				return err
			}
		}
		return nil
	})
}

// benchSavePoll measures save storing a new poll of 1,000 feeds × 50
// items (benchPoll) each iteration, into one growing store.
func benchSavePoll(b *testing.B, save func(ctx context.Context, s *Store, pf []PollFeed) error) {
	const feeds, perFeed = 1000, 50
	s := MustOpen(b)
	ctx := context.Background()
	round := 0
	var usage benchmeter.Meter
	for b.Loop() {
		b.StopTimer()
		pf := benchPoll(feeds, perFeed, round)
		round++
		b.StartTimer()
		usage.Start()
		err := save(ctx, s, pf)
		usage.Stop()
		if err != nil {
			b.Fatal(err)
		}
	}
	var stored int
	if err := s.db.QueryRow("SELECT count(*) FROM items").Scan(&stored); err != nil {
		b.Fatal(err)
	}
	if stored != round*feeds*perFeed {
		b.Fatalf("%d items stored; want %d", stored, round*feeds*perFeed)
	}
	b.ReportMetric(float64(round*feeds*perFeed)/b.Elapsed().Seconds(), "items/s")
	usage.Report(b, round*feeds*perFeed, "item")
}

// benchPoll is round's poll of feeds × perFeed new items, a quarter of
// them matched.
func benchPoll(feeds, perFeed, round int) []PollFeed {
	match := []newsdigest.Match{{Topic: "cartels", Score: 3, Terms: []string{"cartel*", "narco*"}}}
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

// BenchmarkAlertItems selects what the alert rules look at after a poll:
// a day of 100 feeds polled every 15 minutes, 4 new items each per poll, a
// quarter matched to the rules' topic (n matched items in the horizon), and
// 40 items already alerted.
func BenchmarkAlertItems(b *testing.B) {
	for _, polls := range []int{24, 96} {
		const feeds, perPoll = 100, 4
		s := MustOpen(b)
		ctx := context.Background()
		match := []newsdigest.Match{{Topic: "cartels", Score: 3, Terms: []string{"cartel*"}}}
		var alerted []string
		for round := range polls {
			at := base.Add(time.Duration(round) * 15 * time.Minute)
			pf := make([]PollFeed, feeds)
			for f := range pf {
				feed := newsdigest.Feed{Name: fmt.Sprintf("Feed %d", f), URL: fmt.Sprintf("https://f%d.example/rss", f)}
				for i := range perPoll {
					it := newsdigest.Item{FeedURL: feed.URL, FeedName: feed.Name, Link: fmt.Sprintf("https://f%d.example/n/%d/%d", f, round, i),
						Title: fmt.Sprintf("Cartel news %d/%d from feed %d", round, i, f), Published: at, Source: feed.Name}
					it.ID = newsdigest.ItemID(feed.URL, it)
					pi := PollItem{Item: it}
					if i == 0 {
						pi.Matches = match
						if f == 0 && len(alerted) < 40 {
							alerted = append(alerted, it.ID)
						}
					}
					pf[f].Items = append(pf[f].Items, pi)
				}
				pf[f].Feed, pf[f].PolledAt, pf[f].Status = feed, at, 200
			}
			if _, err := s.SavePoll(ctx, pf); err != nil {
				b.Fatal(err)
			}
		}
		id, err := s.BeginDelivery(ctx, Delivery{Channel: "#a", Kind: KindAlert, ItemIDs: alerted})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.ConfirmDelivery(ctx, id, "1.0", "C1", base); err != nil {
			b.Fatal(err)
		}
		since := base.Add(time.Duration(polls)*15*time.Minute - 28*time.Hour)
		b.Run(fmt.Sprintf("matched=%d", polls*feeds), func(b *testing.B) {
			n := 0
			for b.Loop() {
				items, err := s.AlertItems(ctx, since, []string{"cartels"})
				if err != nil {
					b.Fatal(err)
				}
				n = len(items)
			}
			if n != polls*feeds {
				b.Fatalf("%d items; want %d", n, polls*feeds)
			}
		})
	}
}
