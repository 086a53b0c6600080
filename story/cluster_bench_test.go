package story

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/internal/storyeval"
)

// syntheticWindow is n docs of one topic: stories of 6–10 words drawn from a
// Zipf-distributed vocabulary of 20,000 words (so common words are shared by
// thousands of items, as "cartel" is), each carried by 1–5 outlets that
// change one or two words; every doc has its own link.
func syntheticWindow(n int) []Doc {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	zipf := rand.NewZipf(r, 1.1, 1, 19999)
	word := func() string { return fmt.Sprintf("w%d", zipf.Uint64()) }
	var out []Doc
	for story := 0; len(out) < n; story++ {
		words := make([]string, 6+r.IntN(5))
		for i := range words {
			words[i] = word()
		}
		for o := range 1 + r.IntN(5) {
			if len(out) == n {
				break
			}
			ws := append([]string(nil), words...)
			for range r.IntN(3) {
				ws[r.IntN(len(ws))] = word()
			}
			id := fmt.Sprintf("s%d-o%d", story, o)
			outlet := fmt.Sprintf("Outlet %d", o)
			out = append(out, Doc{Key: "https://news.test/" + id, Title: strings.Join(ws, " "), Source: outlet, Feed: outlet + " feed"})
		}
	}
	return out
}

func benchmarkCluster(b *testing.B, n int) {
	docs := syntheticWindow(n)
	b.ReportAllocs()
	for b.Loop() {
		Group(docs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/item")
}

func BenchmarkCluster5k(b *testing.B)  { benchmarkCluster(b, 5_000) }
func BenchmarkCluster50k(b *testing.B) { benchmarkCluster(b, 50_000) }

// BenchmarkGroupPublic groups real headlines and ledes: every item of the
// public sets (internal/storyeval/testdata, ~12,000 items in English and
// Spanish) as one window, where BenchmarkCluster's synthetic words have no
// case, figures or lexicon words.
func BenchmarkGroupPublic(b *testing.B) {
	var docs []Doc
	for _, set := range storyeval.Sets {
		ws, _, err := set.Load(evalDir)
		if err != nil {
			b.Fatal(err)
		}
		for _, w := range ws {
			docs = append(docs, evalDocs(w.Items)...)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		Group(docs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(docs)), "ns/item")
}

// BenchmarkGroupGenerated groups the window of a whole-run measurement at
// 55% matching (internal/cmd/feedserve, docs/PERFORMANCE.md): the 27,500
// items of 1,000 generated feeds × 50 that mention Mexico, their ledes
// without markup. Every title carries its own report number, so most
// pairs of items share their words and are told apart by their figures.
func BenchmarkGroupGenerated(b *testing.B) {
	var docs []Doc
	untag := strings.NewReplacer("<p>", "", "</p>", "")
	for _, f := range feedtest.Generated("https://news.test", 1000, 50, 0.55, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		for _, it := range f.Items {
			if strings.HasSuffix(it.Title, " in Mexico") {
				docs = append(docs, Doc{Key: it.Link, Title: it.Title, Lede: untag.Replace(it.Summary), Source: f.Title, Feed: f.Title})
			}
		}
	}
	if len(docs) != 27_500 {
		b.Fatalf("%d docs; want 27,500", len(docs))
	}
	b.ReportAllocs()
	for b.Loop() {
		Group(docs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(docs)), "ns/item")
}
