package main

import (
	"fmt"
	"io"
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
// each topic's terms one flow-style list: half single words, the rest
// two-word phrases and prefixes of names; about one word in eight a news
// word (plurals among them), the others synthetic names.
func watchlistConfig(n int) string {
	news := strings.Fields(`cartel cárteles narcotráfico fentanilo fentanyl Sinaloa frontera border
		tropas troops soberanía sovereignty aranceles tariffs USMCA migración México Mexico Washington`)
	w := 0
	word := func() string {
		w++
		if w%8 == 0 {
			return news[w/8%len(news)]
		}
		return syntheticName(w)
	}
	seen := map[string]bool{}
	var topics [4][]string
	for k, i := 0, 0; k < n; i++ {
		var t string
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			t = word()
		case 5, 6, 7:
			t = word() + " " + word()
		default: // a prefix of a name
			w++
			t = syntheticName(w)
			if len(t) > 4 {
				t = t[:len(t)-2]
			}
			t += "*"
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

// syntheticName returns the i-th of a series of distinct made-up names,
// syllables of a consonant and a vowel ("ba", "ca", … "zu", "caba", …).
func syntheticName(i int) string {
	const cons, vows = "bcdfghjklmnprstvz", "aeiou"
	var b []byte
	for i++; i > 0; i /= len(cons) * len(vows) {
		b = append(b, cons[i%len(cons)], vows[i/len(cons)%len(vows)])
	}
	return string(b)
}
