package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

// BenchmarkSavePoll stores one poll of 1,000 feeds × 50 new items, a quarter
// of them matched, as one SavePoll. Every iteration brings new items.
func BenchmarkSavePoll(b *testing.B) {
	const feeds, perFeed = 1000, 50
	s := MustOpen(b)
	ctx := context.Background()
	match := []newsdigest.Match{{Topic: "cartels", Score: 3, Terms: []string{"cartel*", "narco*"}}}
	poll := func(round int) []PollFeed {
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
	round := 0
	var usage resourceMeter
	for b.Loop() {
		b.StopTimer()
		pf := poll(round)
		round++
		b.StartTimer()
		usage.start()
		sum, err := s.SavePoll(ctx, pf)
		usage.stop()
		if err != nil {
			b.Fatal(err)
		}
		if sum.ItemsNew != feeds*perFeed {
			b.Fatalf("SavePoll().ItemsNew = %d; want %d", sum.ItemsNew, feeds*perFeed)
		}
	}
	b.ReportMetric(float64(round*feeds*perFeed)/b.Elapsed().Seconds(), "items/s")
	usage.report(b, round*feeds*perFeed, "item")
}

// resourceMeter adds up the CPU time and the bytes written to files of
// the measured sections. On a shared two-core machine wall time says more
// about the neighbours than about the code; CPU time and bytes written do
// not.
type resourceMeter struct {
	cpu            time.Duration
	written        int64
	cpu0, written0 int64
}

func (m *resourceMeter) start() { m.cpu0, m.written0 = cpuNanos(), writtenBytes() }
func (m *resourceMeter) stop() {
	m.cpu += time.Duration(cpuNanos() - m.cpu0)
	m.written += writtenBytes() - m.written0
}

// report adds cpu-µs/<unit> and written-B/<unit> to the benchmark's output.
func (m *resourceMeter) report(b *testing.B, n int, unit string) {
	if n == 0 {
		return
	}
	b.ReportMetric(float64(m.cpu.Microseconds())/float64(n), "cpu-µs/"+unit)
	if m.written >= 0 {
		b.ReportMetric(float64(m.written)/float64(n), "written-B/"+unit)
	}
}

// cpuNanos is the process's user and system CPU time so far.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// writtenBytes is what the process has written through write calls so far
// (wchar of /proc/self/io), or -1 where that is not available.
func writtenBytes() int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}
