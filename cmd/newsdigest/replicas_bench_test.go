package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/internal/benchmeter"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/internal/pgtest"
	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/store"
)

// BenchmarkReplicas is one scheduled poll of 1,000 feeds × 50 new items
// (feedtest.Generated, a tenth matching) by 1 and by 3 replicas on one
// PostgreSQL database, each replica a pipeline with its own pool in this
// process, all polling the same tick at once; each iteration starts from
// an empty database. share-max-% is the largest replica's share of the
// feeds; cpu-µs/item counts the whole process (replicas, loopback feed
// server, not the PostgreSQL server). On a 2-core machine the replicas
// compete for the same cores: the figure says how the work divides, not
// what three machines would gain.
//
//	NEWSDIGEST_TEST_POSTGRES=… go test -run='^$' -bench=Replicas -benchtime=2x -count=3 ./cmd/newsdigest/
func BenchmarkReplicas(b *testing.B) {
	const nFeeds, nItems = 1000, 50
	pgtest.Server(b)
	srv := feedtest.NewServer(b)
	specs := feedtest.Generated(srv.URL, nFeeds, nItems, 0.10, time.Now())
	for f, spec := range specs {
		srv.Set(feedtest.GeneratedPath(f), spec)
	}
	// Its store section is unused: each replica opens its own.
	cfg, err := config.Parse([]byte(feedtest.GeneratedConfig(srv.URL, specs)), "", func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("feeds=%d/items=%d/replicas=%d", nFeeds, nItems, n), func(b *testing.B) {
			var m benchmeter.Meter
			var maxShare float64
			tick := time.Now().Truncate(time.Minute)
			for b.Loop() {
				b.StopTimer()
				dsn := pgtest.NewDatabase(b)
				ps := make([]*pipeline.Pipeline, n)
				for i := range ps {
					st, err := store.OpenWith(ctx, store.Options{Driver: store.DriverPostgres, DSN: dsn})
					if err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() { st.Close() })
					if ps[i], err = pipeline.New(cfg, st, nil); err != nil {
						b.Fatal(err)
					}
				}
				tick = tick.Add(time.Minute)
				fetched := make([]int, n)
				b.StartTimer()
				m.Start()
				var wg sync.WaitGroup
				for i, p := range ps {
					wg.Go(func() {
						rep, err := p.PollTick(ctx, tick)
						if err != nil {
							b.Error(err)
						}
						fetched[i] = rep.Summary.ItemsFetched
					})
				}
				wg.Wait()
				m.Stop()
				b.StopTimer()
				total := 0
				for _, f := range fetched {
					total += f
				}
				if total != nFeeds*nItems {
					b.Fatalf("the replicas fetched %d items between them; want %d (each feed once)", total, nFeeds*nItems)
				}
				maxShare = max(maxShare, 100*float64(slices.Max(fetched))/float64(total))
				b.Logf("replicas=%d: items fetched per replica %v", n, fetched)
				b.StartTimer()
			}
			m.Report(b, b.N*nFeeds*nItems, "item")
			b.ReportMetric(float64(b.N*nFeeds*nItems)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(maxShare, "share-max-%")
		})
	}
}
