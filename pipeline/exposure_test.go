package pipeline_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/pipeline"
)

// TestJSONAnswerIsNotAHealthyFeed: an API error or maintenance answer in
// JSON used to count as a healthy feed with no news (silence mistaken for
// "no news"), and a 301 to one became the feed's new address. Both must
// fail the feed in coverage, and the configured URL must stay the one
// polled.
func TestJSONAnswerIsNotAHealthyFeed(t *testing.T) {
	srv := feedtest.NewServer(t)
	srv.SetRaw("/api", "application/json", []byte(`{"error": "maintenance", "retry_in": 600}`))
	srv.Handle("/old", http.RedirectHandler(srv.URL+"/api", http.StatusMovedPermanently))
	now := time.Now()
	p, _ := newPipeline(t, fmt.Sprintf("fetch: {allow_private: true}\nfeeds:\n  - {name: API, url: %q}\n  - {name: Moved, url: %q}\n%s",
		srv.URL+"/api", srv.URL+"/old", testTopics))
	p.Now = func() time.Time { return now }
	ctx := context.Background()
	poll, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range poll.Feeds {
		if f.OK || !f.Failing() || !strings.Contains(f.Error, `not a feed: JSON without a JSON Feed "version"`) {
			t.Errorf("feed %s = %+v; want failing with the reason", f.Name, f)
		}
	}
	d, err := p.Digest(ctx, pipeline.DigestOptions{}, &poll)
	if err != nil {
		t.Fatal(err)
	}
	if d.Feeds.OK != 0 || len(d.Feeds.Failed) != 2 {
		t.Errorf("coverage = %+v; want 0 OK, both failed", d.Feeds)
	}
	now = now.Add(time.Minute)
	if _, err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.RequestsFor("/old"); n != 2 {
		t.Errorf("/old requested %d times in two polls; want 2 (a 301 to a non-feed is not a new address)", n)
	}
}

// TestLoopbackFeedRefusedByDefault: without fetch.allow_private, a feed on
// an internal address is never fetched, and coverage says why and what to
// set, so neither an internal page's title nor its items reach Slack.
func TestLoopbackFeedRefusedByDefault(t *testing.T) {
	srv := feedtest.NewServer(t)
	srv.Set("/internal", feedtest.FeedSpec{Format: feedtest.RSS, Title: "Intranet", Items: []feedtest.ItemSpec{
		{GUID: "1", Title: "Internal: cartel memo for Mexico desk", Link: srv.URL + "/1", Published: time.Now().Add(-time.Hour)},
	}})
	p, _ := newPipeline(t, fmt.Sprintf("feeds:\n  - {name: Intranet, url: %q}\n%s", srv.URL+"/internal", testTopics))
	poll, err := p.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "refused: 127.0.0.1 is a loopback address (set fetch.allow_private to allow)"
	if f := poll.Feeds[0]; f.OK || f.Error != want {
		t.Errorf("feed = %+v; want the error %q", f, want)
	}
	if n := srv.Requests(); n != 0 || poll.Summary.ItemsNew != 0 {
		t.Errorf("%d requests reached the internal server, %d items stored; want none", n, poll.Summary.ItemsNew)
	}
}
