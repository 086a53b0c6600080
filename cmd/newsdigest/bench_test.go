package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/benchmeter"
	"github.com/newsdigest/newsdigest/internal/feedtest"
)

// BenchmarkRun is a whole `newsdigest run -dry-run -format json` through
// Main — fetch over loopback, parse, classify, store, select, group, render
// — of feeds from feedtest.Generated (what internal/cmd/feedserve serves
// for the measurements of docs/PERFORMANCE.md, at a fifth of the size),
// each iteration on a fresh store. repoll is the run after one, where every
// feed answers 304. cpu-µs/item counts the whole process, the loopback
// server included.
//
//	go test -run='^$' -bench=Run -benchtime=3x -count=6 ./cmd/newsdigest/
func BenchmarkRun(b *testing.B) {
	const nFeeds, nItems = 200, 50
	for _, matching := range []float64{0.55, 0.10} {
		srv := feedtest.NewServer(b)
		dir := b.TempDir()
		cfg := filepath.Join(dir, "config.yaml")
		specs := feedtest.Generated(srv.URL, nFeeds, nItems, matching, time.Now())
		for f, spec := range specs {
			srv.Set(feedtest.GeneratedPath(f), spec)
		}
		if err := os.WriteFile(cfg, []byte(feedtest.GeneratedConfig(srv.URL, specs)), 0o644); err != nil {
			b.Fatal(err)
		}
		run := func(b *testing.B) {
			code := Main(context.Background(), []string{"run", "-dry-run", "-format", "json", "-config", cfg},
				strings.NewReader(""), io.Discard, io.Discard, func(string) string { return "" })
			if code != 0 {
				b.Fatalf("run exited %d", code)
			}
		}
		// A run whose feeds all fail still exits 0 and would measure
		// nothing: check once, outside the timings, that every feed was read.
		var stderr strings.Builder
		if code := Main(context.Background(), []string{"run", "-dry-run", "-format", "json", "-config", cfg},
			strings.NewReader(""), io.Discard, &stderr, func(string) string { return "" }); code != 0 ||
			!strings.Contains(stderr.String(), fmt.Sprintf("fetched=%d ", nFeeds)) || !strings.Contains(stderr.String(), "failed=0") {
			b.Fatalf("run exited %d without fetching every feed:\n%s", code, stderr.String())
		}
		fresh := func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(filepath.Join(dir, "bench.db"+suffix))
			}
		}
		name := fmt.Sprintf("feeds=%d/items=%d/matching=%.0f%%", nFeeds, nItems, matching*100)
		b.Run(name+"/fresh", func(b *testing.B) {
			var m benchmeter.Meter
			for b.Loop() {
				b.StopTimer()
				fresh()
				b.StartTimer()
				m.Start()
				run(b)
				m.Stop()
			}
			m.Report(b, b.N*nFeeds*nItems, "item")
		})
		b.Run(name+"/repoll", func(b *testing.B) {
			fresh()
			run(b)
			var m benchmeter.Meter
			for b.Loop() {
				m.Start()
				run(b)
				m.Stop()
			}
			m.Report(b, b.N*nFeeds*nItems, "item")
		})
	}
}
