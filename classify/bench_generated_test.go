package classify_test

import (
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/internal/feedtest"
)

// BenchmarkMatchGeneratedItem measures matching on the items of the
// whole-run measurements (feedtest.Generated: a short title, a ~750-byte
// HTML summary of repeated paragraphs, 55% of them written to match) with
// their watchlist (feedtest.GeneratedConfig): the matching share of
// `newsdigest run` in BenchmarkRun and the feedserve races, per item.
func BenchmarkMatchGeneratedItem(b *testing.B) {
	specs := feedtest.Generated("http://127.0.0.1", 4, 25, 0.55, time.Unix(1_750_000_000, 0))
	cfg, err := config.Parse([]byte(feedtest.GeneratedConfig("http://127.0.0.1", specs)), "config.yaml", func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	m, err := classify.Compile(cfg.Topics)
	if err != nil {
		b.Fatal(err)
	}
	var docs []classify.Doc
	var size int64
	for _, spec := range specs {
		for _, it := range spec.Items {
			docs = append(docs, classify.Doc{Title: it.Title, Summary: it.Summary})
			size += int64(len(it.Title) + len(it.Summary))
		}
	}
	var s classify.Scratch
	var dst []newsdigest.Match
	b.SetBytes(size / int64(len(docs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dst = m.MatchAppend(dst[:0], &s, docs[i%len(docs)])
		i++
	}
}
