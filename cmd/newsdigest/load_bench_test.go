package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkLoadMatcher is the start-up of explain and classify: read
// config.yaml, check it and compile its topics (loadMatcher), for the
// shipped config and for generated watchlists of 1,000 and 10,000 terms
// in four topics (mostly synthetic names, some news words; half single
// words, the rest phrases and prefixes), like the watchlists of the
// start-up race (docs/STARTUP.md). A whole `newsdigest classify` process
// adds the runtime's and the packages' start-up.
//
//	go test -run='^$' -bench=LoadMatcher -benchmem -count=6 ./cmd/newsdigest/
func BenchmarkLoadMatcher(b *testing.B) {
	bench := func(name, path string) {
		b.Run(name, func(b *testing.B) {
			e := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := loadMatcher(e, path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	bench("shipped", filepath.Join("..", "..", "config.yaml"))
	for _, n := range []int{1000, 10000} {
		path := filepath.Join(b.TempDir(), "config.yaml")
		if err := os.WriteFile(path, []byte(watchlistConfig(n)), 0o644); err != nil {
			b.Fatal(err)
		}
		bench(fmt.Sprintf("terms=%d", n), path)
	}
}

// watchlistConfig returns a config of n distinct terms in four topics,
// each topic's terms one flow-style list.
func watchlistConfig(n int) string {
	r := rand.New(rand.NewPCG(1, 2))
	news := strings.Fields(`cartel cárteles narcotráfico fentanilo fentanyl Sinaloa frontera border
		tropas troops soberanía sovereignty aranceles tariffs USMCA migración México Mexico Washington`)
	word := func() string {
		if r.Float64() < min(0.25, 250/float64(n)) {
			return news[r.IntN(len(news))]
		}
		const cons, vows = "bcdfghjklmnprstvz", "aeiou"
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteByte(cons[r.IntN(len(cons))])
			b.WriteByte(vows[r.IntN(len(vows))])
		}
		return b.String()
	}
	seen := map[string]bool{}
	var topics [4][]string
	for k := 0; k < n; {
		var t string
		switch x := r.IntN(10); {
		case x < 5:
			t = word()
		case x < 8:
			t = word() + " " + word()
		default:
			w := word()
			t = w[:max(3, len(w)-2)] + "*"
		}
		if !seen[strings.ToLower(t)] {
			seen[strings.ToLower(t)] = true
			topics[k%4] = append(topics[k%4], strconv.Quote(t))
			k++
		}
	}
	var b strings.Builder
	b.WriteString("topics:\n")
	for i, terms := range topics {
		fmt.Fprintf(&b, "  - name: t%d\n    terms: [%s]\n", i, strings.Join(terms, ", "))
	}
	return b.String()
}
