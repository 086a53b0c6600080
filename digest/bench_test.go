package digest

import (
	"io"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/digesttest"
)

// benchInput is a busy day: 2,000 candidates over four topics, a quarter of
// them second copies of another outlet's story.
func benchInput() Input {
	in := sampleInput()
	in.Candidates = digesttest.BusyDay()
	return in
}

func BenchmarkBuild(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	for b.Loop() {
		Build(in)
	}
}

func BenchmarkRender(b *testing.B) {
	d := Build(benchInput())
	for _, r := range []struct {
		name  string
		write func() error
	}{
		{"text", func() error { return d.WriteText(io.Discard, 8) }},
		{"markdown", func() error { return d.WriteMarkdown(io.Discard, 8) }},
		{"json", func() error { return d.WriteJSON(io.Discard) }},
	} {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := r.write(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBenchInput keeps the benchmark's input honest: the duplicates merge.
func TestBenchInput(t *testing.T) {
	d := Build(benchInput())
	entries := 0
	for _, s := range d.Topics {
		entries += len(s.Items)
	}
	if want := 1500; entries != want {
		t.Errorf("Build(benchInput()) has %d entries; want %d", entries, want)
	}
	if got := len(itemIDs(d)); got != 2000 {
		t.Errorf("ItemIDs() = %d IDs; want 2000", got)
	}
}

// BenchmarkAlerts checks one alert rule over the busy day's 2,000 items,
// as after every poll; BenchmarkBuild is the digest of the same items.
func BenchmarkAlerts(b *testing.B) {
	var items []newsdigest.AlertCandidate
	for _, c := range digesttest.BusyDay() {
		items = append(items, newsdigest.AlertCandidate{Candidate: c})
	}
	r := newsdigest.AlertRule{Name: "r", Topics: []string{"cartels", "troops"}, MinOutlets: 2, Within: 2 * time.Hour, MaxPerHour: 5, ReplyAt: 4}
	in := AlertInput{Channel: "#a", Rules: []newsdigest.AlertRule{r}, Topics: digesttest.Topics, Now: digesttest.Now, Items: items, Threads: true}
	for b.Loop() {
		Alerts(in)
	}
}
