package watcher

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// fastDateSeeds are the layouts of real feeds and their near misses.
var fastDateSeeds = []string{
	"Mon, 02 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 +0000", "2 Jan 2006 15:04:05 GMT",
	"Tue, 10 Jun 2003 04:00:00 GMT", "Sat, 31 Dec 2022 23:59:59 EST", "Sun, 01 Mar 2020 01:02 PDT",
	"Wed, 29 Feb 2023 10:00:00 +0000", "Mon, 02 Jan 2006 24:00:00 +0000", "Mon, 02 Jan 2006 15:04:60 +0000",
	"Mon, 02 Jan 2006 15:04:05 +2400", "Mon, 02 Jan 2006 15:04:05 +05:30", "Mon, 02 Jan 2006 15:04:05 UT",
	"Mon, 02 Jan 2006 15:04:05 Z", "Mon, 02 Jan 2006 15:04:05 IST", "Mon, 02 jan 2006 15:04:05 GMT",
	"Monday, 02 Jan 2006 15:04:05 GMT", "Mon, 02 Jan 06 15:04:05 GMT", "Mon,  02 Jan 2006 15:04:05 GMT",
	"2006-01-02T15:04:05Z", "2006-01-02T15:04:05+05:30", "2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05.123456789Z", "2006-01-02T15:04:05.1234567891Z", "2006-01-02T15:04:05,5Z",
	"2006-01-02T15:04:05", "2006-01-02T15:04:05.5", "2006-02-30T15:04:05Z", "2006-01-02t15:04:05z",
	"2006-01-02T15:04:05 Z", "2006-01-02T15:04:05+25:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59",
}

// FuzzFastDate checks that whatever fastDate reads, the general path reads
// the same (given gofeed's own reading, as parse passes it in).
func FuzzFastDate(f *testing.F) {
	for _, s := range fastDateSeeds {
		f.Add(s)
	}
	mexico := time.FixedZone("CST", -6*3600)
	f.Fuzz(func(t *testing.T, raw string) {
		for _, loc := range []*time.Location{time.UTC, mexico} {
			fast, ok := fastDate(strings.TrimSpace(raw), loc)
			if !ok {
				continue
			}
			var parsed *time.Time
			if g, err := gofeedDate(raw); err == nil {
				parsed = &g
			}
			if slow := slowItemDate(raw, parsed, loc); !fast.Equal(slow) {
				t.Errorf("fastDate(%q, %v) = %v; the general path reads %v", raw, loc, fast, slow)
			}
		}
	})
}

// TestFastDateCorpus reads every item date of the real-world corpus both
// ways.
func TestFastDateCorpus(t *testing.T) {
	files := loadCorpus(t)
	var dates, fast int
	for _, cf := range files {
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(cf.body))
		if err != nil {
			continue
		}
		for _, it := range feed.Items {
			for _, d := range []struct {
				raw    string
				parsed *time.Time
			}{{it.Published, it.PublishedParsed}, {it.Updated, it.UpdatedParsed}} {
				if strings.TrimSpace(d.raw) == "" {
					continue
				}
				dates++
				if _, ok := fastDate(strings.TrimSpace(d.raw), time.UTC); ok {
					fast++
				}
				if got, want := itemDate(d.raw, d.parsed, time.UTC), slowItemDate(d.raw, d.parsed, time.UTC); !got.Equal(want) {
					t.Errorf("%s: itemDate(%q) = %v; the general path reads %v", cf.rel, d.raw, got, want)
				}
			}
		}
	}
	t.Logf("%d item dates in the corpus, %d read by the fast path", dates, fast)
	if dates > 0 && fast == 0 {
		t.Errorf("the fast path read none of %d corpus dates", dates)
	}
}

// BenchmarkItemDate reads common dates with itemDate and with the general
// path alone (which is what itemDate was before the fast path).
func BenchmarkItemDate(b *testing.B) {
	for _, raw := range []string{"Mon, 02 Jan 2006 15:04:05 -0700", "2006-01-02T15:04:05Z", "lun, 15 ene 2024 10:00:00 CST"} {
		var parsed *time.Time
		if g, err := gofeedDate(raw); err == nil {
			parsed = &g
		}
		for _, path := range []struct {
			name string
			read func(string, *time.Time, *time.Location) time.Time
		}{{"itemDate", itemDate}, {"general", slowItemDate}} {
			b.Run(path.name+"/"+raw, func(b *testing.B) {
				for b.Loop() {
					path.read(raw, parsed, time.UTC)
				}
			})
		}
	}
}
