package pipeline_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/newsdigest/newsdigest/classify"
)

// TestCoverageNow: after a poll, one feed OK, one failing with its error and
// since when, and one never fetched (stale).
func TestCoverageNow(t *testing.T) {
	f := newDeliverFixture(t)
	cfg := fmt.Sprintf("fetch: {allow_private: true}\nfeeds:\n  - {name: Wire, url: %q}\n  - {name: Gone, url: %q}\n%s", f.feeds.URL+"/feed", f.feeds.URL+"/gone", slackTopics)
	p := f.pipeline(t, cfg)
	cov, last, err := p.Coverage(context.Background())
	if err != nil || cov.Total != 2 || cov.OK != 0 || len(cov.Stale) != 2 || !last.IsZero() {
		t.Fatalf("before any poll: %+v, last %v, %v", cov, last, err)
	}
	if _, err := p.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	cov, last, err = p.Coverage(context.Background())
	if err != nil || cov.OK != 1 || len(cov.Failed) != 1 || len(cov.Stale) != 0 || last.IsZero() {
		t.Fatalf("after a poll: %+v, last %v, %v", cov, last, err)
	}
	if fl := cov.Failed[0]; fl.Name != "Gone" || fl.Error == "" || fl.FailingSince.IsZero() {
		t.Errorf("failing feed = %+v", fl)
	}
}

func TestExplainStored(t *testing.T) {
	f := newDeliverFixture(t)
	p := f.pipeline(t, f.botConfig())
	if _, err := p.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	it, ok, err := p.StoredItem(context.Background(), f.items[0].Link)
	if err != nil || !ok || it.Title != f.items[0].Title {
		t.Fatalf("StoredItem = %+v, %v, %v", it, ok, err)
	}
	found := false
	for _, x := range p.Explain(classify.Doc{Title: it.Title, Summary: it.Summary}) {
		if x.Name == "cartels" {
			found = true
			if !x.Matched {
				t.Errorf("cartels: %+v", x)
			}
		}
	}
	if !found {
		t.Error("Explain of a stored item has no cartels explanation")
	}
}
