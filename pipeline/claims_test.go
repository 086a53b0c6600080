package pipeline_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/pipeline"
)

// TestPollTickShared is three processes polling the same tick on one store
// (here one SQLite file; TestReplicas does it on PostgreSQL): every feed is
// fetched once between them, the feeds are shared, and a repeat of the
// tick fetches nothing while the next tick fetches everything again.
func TestPollTickShared(t *testing.T) {
	srv := feedtest.NewServer(t)
	const nFeeds = 100 // a few claim chunks
	const concurrency = 4
	// On loopback one replica could claim and fetch every chunk before the
	// others have started. The gate holds the feed requests until more are
	// in flight than one replica makes at once — until a second replica is
	// fetching — so that which replica gets which feeds is up to the claims,
	// not to how the goroutines happen to start.
	var (
		gateMu   sync.Mutex
		inFlight int
		gate     = make(chan struct{})
		opened   bool
	)
	gated := func(body []byte) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gateMu.Lock()
			if inFlight++; !opened && inFlight > concurrency {
				opened = true
				close(gate)
			}
			gateMu.Unlock()
			select {
			case <-gate:
			case <-time.After(10 * time.Second): // never opened: the assertions below fail
			case <-r.Context().Done():
			}
			gateMu.Lock()
			inFlight--
			gateMu.Unlock()
			w.Header().Set("Content-Type", feedtest.ContentType(feedtest.RSS))
			w.Write(body)
		})
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "fetch: {allow_private: true, concurrency: %d}\nfeeds:\n", concurrency)
	for i := range nFeeds {
		path := fmt.Sprintf("/f/%d", i)
		srv.Handle(path, gated(feedtest.Render(feedtest.FeedSpec{Format: feedtest.RSS, Title: fmt.Sprint("F", i), Items: []feedtest.ItemSpec{
			{GUID: fmt.Sprint(i), Title: "Sinaloa Cartel news in Mexico", Link: srv.URL + "/item/" + fmt.Sprint(i), Published: time.Now()},
		}})))
		fmt.Fprintf(&cfg, "  - {name: F%d, url: %q}\n", i, srv.URL+path)
	}
	cfg.WriteString(testTopics)
	db := filepath.Join(t.TempDir(), "shared.db")
	p0, _ := newPipelineAt(t, cfg.String(), db)
	p1, _ := newPipelineAt(t, cfg.String(), db)
	p2, _ := newPipelineAt(t, cfg.String(), db)
	replicas := []*struct{ fetched int }{{}, {}, {}}
	poll := func(tick time.Time) {
		t.Helper()
		var wg sync.WaitGroup
		for i, p := range []*pipeline.Pipeline{p0, p1, p2} {
			wg.Go(func() {
				rep, err := p.PollTick(context.Background(), tick)
				if err != nil {
					t.Error(err)
				}
				replicas[i].fetched = 0
				for _, f := range rep.Feeds {
					if !f.Skipped {
						replicas[i].fetched++
					}
				}
			})
		}
		wg.Wait()
	}
	tick := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	poll(tick)
	total, most := 0, 0
	for _, r := range replicas {
		total += r.fetched
		most = max(most, r.fetched)
	}
	if total != nFeeds {
		t.Errorf("the replicas fetched %d feeds between them; want each of %d once", total, nFeeds)
	}
	if most == nFeeds {
		t.Errorf("one replica fetched every feed (%d, %d, %d); want them shared", replicas[0].fetched, replicas[1].fetched, replicas[2].fetched)
	}
	for i := range nFeeds {
		if n := srv.RequestsFor(fmt.Sprintf("/f/%d", i)); n != 1 {
			t.Fatalf("feed %d fetched %d times in one tick; want once", i, n)
		}
	}
	poll(tick) // the tick again (a replica whose timer fired late): nothing to do
	if n := srv.Requests(); n != nFeeds {
		t.Errorf("after a repeat of the tick: %d fetches; want still %d", n, nFeeds)
	}
	poll(tick.Add(15 * time.Minute))
	if n := srv.Requests(); n != 2*nFeeds {
		t.Errorf("after the next tick: %d fetches; want %d (each feed once more)", n, 2*nFeeds)
	}
}
