package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/pipeline"
)

// BenchmarkPoll measures one whole poll — fetch over loopback, parse,
// classify, store in SQLite — of 200 feeds × 50 new items, and the digest
// built from it. Each iteration starts from an empty store.
func BenchmarkPoll(b *testing.B) {
	srv := feedtest.NewServer(b)
	now := time.Now()
	const nFeeds, nItems = 200, 50
	var feeds strings.Builder
	feeds.WriteString("fetch:\n  concurrency: 16\n  allow_private: true\nfeeds:\n")
	formats := []string{feedtest.RSS, feedtest.Atom, feedtest.JSON, feedtest.RSS1252}
	var bytes int64
	for f := 0; f < nFeeds; f++ {
		spec := feedtest.FeedSpec{Format: formats[f%len(formats)], Title: fmt.Sprintf("Feed %d", f)}
		for i := 0; i < nItems; i++ {
			s := stories[(f+i)%len(stories)]
			spec.Items = append(spec.Items, feedtest.ItemSpec{
				GUID: fmt.Sprintf("urn:%d:%d", f, i), Title: s.title,
				Summary:   strings.Repeat("<p>"+s.summary+" Más detalles sobre la relación bilateral. </p>", 8),
				Link:      fmt.Sprintf("%s/s/%d/%d", srv.URL, f, i),
				Published: now.Add(-time.Duration(i) * time.Minute),
			})
		}
		path := fmt.Sprintf("/f/%d", f)
		srv.Set(path, spec)
		bytes += int64(len(feedtest.Render(spec)))
		fmt.Fprintf(&feeds, "  - {name: %q, url: %q}\n", spec.Title, srv.URL+path)
	}
	cfg := feeds.String() + testTopics
	ctx := context.Background()
	b.SetBytes(bytes)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		p, _ := newPipeline(b, cfg)
		b.StartTimer()
		poll, err := p.Poll(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Digest(ctx, pipeline.DigestOptions{}, &poll); err != nil {
			b.Fatal(err)
		}
	}
}
