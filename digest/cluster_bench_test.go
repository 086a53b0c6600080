package digest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

// syntheticWindow is n candidates of one topic: stories of 6–10 words drawn
// from a Zipf-distributed vocabulary of 20,000 words (so common words are
// shared by thousands of items, as "cartel" is), each carried by 1–5
// outlets that change one or two words; every candidate has its own link.
func syntheticWindow(n int) []newsdigest.Candidate {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	zipf := rand.NewZipf(r, 1.1, 1, 19999)
	word := func() string { return fmt.Sprintf("w%d", zipf.Uint64()) }
	var out []newsdigest.Candidate
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
			out = append(out, cand(id, strings.Join(ws, " "), fmt.Sprintf("Outlet %d", o),
				"https://news.test/"+id, time.Duration(len(out))*time.Second, m("cartels", 3, "cartel*")))
		}
	}
	return out
}

func benchmarkCluster(b *testing.B, n int) {
	in := sampleInput()
	in.Candidates = syntheticWindow(n)
	b.ReportAllocs()
	for b.Loop() {
		Build(in)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/item")
}

func BenchmarkCluster5k(b *testing.B)  { benchmarkCluster(b, 5_000) }
func BenchmarkCluster50k(b *testing.B) { benchmarkCluster(b, 50_000) }
