package pipeline_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/store"
)

// testTopics is a small watchlist with every kind of rule: prefixes,
// phrases, exact terms, excludes and require groups.
const testTopics = `
topics:
  - name: cartels
    label: "Cartels"
    terms: [cartel*, cártel*, narco*, "Sinaloa Cartel", CJNG]
    exclude: ["Cartel de Santa", OPEC]
    require:
      - [mexic*, méxico, sinaloa, jalisco]
  - name: troops
    label: "Troops"
    terms: [troops, tropas, "National Guard", "Guardia Nacional"]
    require:
      - [mexic*, méxico, border, frontera]
  - name: usmca
    label: "USMCA"
    terms: [USMCA, T-MEC, =NAFTA]
`

// story is one generated item and the topic it must appear under ("" = none).
type story struct {
	title, summary string
	topic          string
	tags           []string
}

var stories = []story{
	{"Sinaloa Cartel leader arrested in Culiacán", "Mexican forces detained him.", "cartels", nil},
	{"Cártel de Jalisco amplía su presencia en México", "El CJNG opera en 20 estados.", "cartels", nil},
	{"Narcotraficantes atacan a la Guardia Nacional en Michoacán, México", "", "cartels", []string{"troops"}},
	{"US sends more troops to the Mexico border", "Deployment follows talks.", "troops", nil},
	{"Tropas de Estados Unidos en la frontera", "México rechaza la presencia.", "troops", nil},
	{"USMCA review: what changes for autos", "Trade lawyers weigh in.", "usmca", nil},
	{"El T-MEC y el acero mexicano", "Aranceles en discusión.", "usmca", nil},
	{"NAFTA's legacy, thirty years on", "", "usmca", nil},
	// Decoys: must match nothing.
	{"OPEC cartel agrees to cut output", "Oil prices rise; Mexico's Pemex reacts.", "", nil},
	{"Cartel de Santa anuncia concierto en Monterrey, México", "", "", nil},
	{"Troops withdraw from eastern Ukraine", "Kyiv says the front is stable.", "", nil},
	{"Nafta prices climb in Asia", "Petrochemical feedstock rallies.", "", nil},
	{"Mexico City marathon draws record crowd", "", "", nil},
}

type genItem struct {
	feed, link string
	story      story
	fresh      bool // published within the window (or undated on a later poll)
}

// genFeeds builds n feeds in rotating formats. Every feed carries a few
// stories; every 10th feed repeats feed 0's first story (same link) to test
// that one story reached by several feeds is listed once.
func genFeeds(srv *feedtest.Server, n int, now time.Time) (yaml string, items []genItem) {
	formats := []string{"rss", "atom", "json", "rss-1252"}
	var b strings.Builder
	b.WriteString("feeds:\n")
	for f := 0; f < n; f++ {
		path := fmt.Sprintf("/feeds/%d", f)
		spec := feedtest.FeedSpec{Format: formats[f%len(formats)], Title: fmt.Sprintf("Feed %d", f)}
		for k := 0; k < 4; k++ {
			s := stories[(f*4+k)%len(stories)]
			link := fmt.Sprintf("%s/story/%d/%d?utm_source=rss", srv.URL, f, k)
			pub := now.Add(-time.Duration(k+1) * time.Hour)
			fresh := true
			if k == 3 && f%3 == 0 {
				pub = now.Add(-96 * time.Hour) // old news: stored, never posted
				fresh = false
			}
			spec.Items = append(spec.Items, feedtest.ItemSpec{
				GUID: fmt.Sprintf("urn:feed:%d:item:%d", f, k), Title: s.title, Summary: s.summary,
				Link: link, Published: pub,
			})
			items = append(items, genItem{feed: spec.Title, link: link, story: s, fresh: fresh})
		}
		if f%10 == 5 {
			// The same story as feed 0, item 0, through another feed.
			s := stories[0]
			spec.Items = append(spec.Items, feedtest.ItemSpec{
				GUID: fmt.Sprintf("urn:other:%d", f), Title: s.title, Summary: s.summary,
				Link: srv.URL + "/story/0/0?utm_medium=feed#top", Published: now.Add(-30 * time.Minute),
			})
		}
		// An undated item on the first poll is remembered only.
		spec.Items = append(spec.Items, feedtest.ItemSpec{
			GUID: fmt.Sprintf("urn:undated:%d", f), Title: stories[0].title + " (undated)",
			Link: fmt.Sprintf("%s/undated/%d", srv.URL, f),
		})
		srv.Set(path, spec)
		fmt.Fprintf(&b, "  - name: %q\n    url: %q\n", spec.Title, srv.URL+path)
	}
	return b.String(), items
}

func newPipeline(t testing.TB, cfgYAML string) (*pipeline.Pipeline, *config.Config) {
	t.Helper()
	return newPipelineAt(t, cfgYAML, "")
}

// newPipelineAt is newPipeline with the store at dbPath ("" = a new file).
func newPipelineAt(t testing.TB, cfgYAML, dbPath string) (*pipeline.Pipeline, *config.Config) {
	t.Helper()
	return newPipelineLogged(t, cfgYAML, dbPath, slog.New(slog.DiscardHandler))
}

// newPipelineLogged is newPipelineAt logging to logger.
func newPipelineLogged(t testing.TB, cfgYAML, dbPath string, logger *slog.Logger) (*pipeline.Pipeline, *config.Config) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfgYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if dbPath != "" {
		cfg.Store.Path = dbPath
	}
	st, err := store.Open(context.Background(), cfg.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, err := pipeline.New(cfg, st, logger)
	if err != nil {
		t.Fatal(err)
	}
	return p, cfg
}

func TestDryRunOverGeneratedFeeds(t *testing.T) {
	srv := feedtest.NewServer(t)
	now := time.Now()
	const nFeeds = 300
	feedsYAML, items := genFeeds(srv, nFeeds, now)
	p, _ := newPipeline(t, "fetch:\n  concurrency: 16\n  timeout: 10s\n  allow_private: true\n"+feedsYAML+testTopics)
	ctx := context.Background()

	poll, err := p.Poll(ctx)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	for _, f := range poll.Feeds {
		if !f.OK {
			t.Errorf("feed %s failed: %s", f.Name, f.Error)
		}
	}
	d, err := p.Digest(ctx, pipeline.DigestOptions{}, &poll)
	if err != nil {
		t.Fatalf("Digest: %v", err)
	}

	// Expected: every fresh matching item listed exactly once — as a story's
	// link or among its `also` — under its topic. The feeds repeat a dozen
	// headlines across hundreds of links, as wires do across outlets: each
	// headline is one story, carried by every fresh link that has it.
	want := map[string]story{}              // canonical link -> story
	outlets := map[string]map[string]bool{} // headline -> feeds carrying it
	for _, it := range items {
		if it.fresh && it.story.topic != "" {
			want[newsdigest.CanonicalURL(it.link)] = it.story
			if outlets[it.story.title] == nil {
				outlets[it.story.title] = map[string]bool{}
			}
			outlets[it.story.title][it.feed] = true
		}
	}
	// The story at /story/0/0 is also reached, by the same link, through
	// every tenth feed.
	story00 := newsdigest.CanonicalURL(srv.URL + "/story/0/0")
	for f := 5; f < nFeeds; f += 10 {
		outlets[stories[0].title][fmt.Sprintf("Feed %d", f)] = true
	}
	listed := map[string]int{}
	var entries int
	for _, sec := range d.Topics {
		for _, e := range sec.Items {
			entries++
			s, ok := want[newsdigest.CanonicalURL(e.URL)]
			if !ok {
				t.Errorf("unexpected entry %q (%s) under %s", e.Title, e.URL, sec.Name)
				continue
			}
			if s.topic != sec.Name {
				t.Errorf("%q under %s; want %s", e.Title, sec.Name, s.topic)
			}
			if e.Title != s.title {
				t.Errorf("entry %q carries the link of %q", e.Title, s.title)
			}
			if fmt.Sprint(e.Tags) != fmt.Sprint(nonNil(s.tags)) {
				t.Errorf("%q tags = %v; want %v", e.Title, e.Tags, s.tags)
			}
			listed[newsdigest.CanonicalURL(e.URL)]++
			for _, a := range e.Also {
				listed[newsdigest.CanonicalURL(a.URL)]++
			}
			if want := len(outlets[s.title]); e.Outlets != want {
				t.Errorf("%q: %d outlets; want %d", e.Title, e.Outlets, want)
			}
		}
	}
	for u, s := range want {
		n := 1
		if u == story00 {
			n += nFeeds / 10
		}
		if listed[u] != n {
			t.Errorf("%q (%s) listed %d times; want %d", s.title, u, listed[u], n)
		}
	}
	if entries != len(outlets) {
		t.Errorf("digest has %d entries; want %d (one per headline)", entries, len(outlets))
	}
	if poll.Summary.ItemsNew == 0 || d.Stats.ItemsNew != poll.Summary.ItemsNew {
		t.Errorf("stats items_new = %d, poll says %d", d.Stats.ItemsNew, poll.Summary.ItemsNew)
	}

	// A second dry run right after: every feed answers 304, and the digest
	// (nothing was delivered) is the same.
	before := srv.NotModified()
	poll2, err := p.Poll(ctx)
	if err != nil {
		t.Fatalf("second Poll: %v", err)
	}
	if got := srv.NotModified() - before; got != nFeeds {
		t.Errorf("second poll: %d answers were 304; want %d", got, nFeeds)
	}
	if poll2.Summary.ItemsNew != 0 {
		t.Errorf("second poll stored %d new items; want 0", poll2.Summary.ItemsNew)
	}
	d2, err := p.Digest(ctx, pipeline.DigestOptions{}, &poll2)
	if err != nil {
		t.Fatal(err)
	}
	if n := countEntries(d2); n != entries {
		t.Errorf("second dry run lists %d entries; want %d", n, entries)
	}
	if d2.Feeds.NotModified != nFeeds {
		t.Errorf("coverage not_modified = %d; want %d", d2.Feeds.NotModified, nFeeds)
	}
}

func countEntries(d *digest.Digest) int {
	n := 0
	for _, s := range d.Topics {
		n += len(s.Items)
	}
	return n
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestBrokenFeedDoesNotStopOthers(t *testing.T) {
	srv := feedtest.NewServer(t)
	now := time.Now()
	srv.Set("/good", feedtest.FeedSpec{Format: "rss", Title: "Good", Items: []feedtest.ItemSpec{
		{GUID: "g1", Title: "Sinaloa Cartel leader arrested", Summary: "In Mexico.", Link: srv.URL + "/a/1", Published: now.Add(-time.Hour)},
	}})
	srv.SetRaw("/html", "text/html", []byte("<!doctype html><html><head><title>Home</title></head><body>hi</body></html>"))
	srv.SetRaw("/broken", "application/rss+xml", []byte("<rss><channel><item><title>cut"))
	cfg := fmt.Sprintf("fetch:\n  timeout: 5s\n  allow_private: true\nfeeds:\n  - {name: Good, url: %q}\n  - {name: Page, url: %q}\n  - {name: Broken, url: %q}\n  - {name: Gone, url: %q}\n%s",
		srv.URL+"/good", srv.URL+"/html", srv.URL+"/broken", srv.URL+"/missing", testTopics)
	p, _ := newPipeline(t, cfg)
	ctx := context.Background()
	poll, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.Digest(ctx, pipeline.DigestOptions{}, &poll)
	if err != nil {
		t.Fatal(err)
	}
	if n := countEntries(d); n != 1 {
		t.Errorf("digest has %d entries; want 1 (the good feed's)", n)
	}
	if d.Feeds.Total != 4 || d.Feeds.OK != 1 || len(d.Feeds.Failed) != 3 {
		t.Errorf("coverage = total %d ok %d failed %d; want 4, 1, 3", d.Feeds.Total, d.Feeds.OK, len(d.Feeds.Failed))
	}
	for _, f := range d.Feeds.Failed {
		if f.Error == "" || f.Name == "" || f.URL == "" {
			t.Errorf("failed feed without name, url or reason: %+v", f)
		}
	}
}

func TestDigestWindowAndTopicFilter(t *testing.T) {
	srv := feedtest.NewServer(t)
	now := time.Now()
	srv.Set("/f", feedtest.FeedSpec{Format: "atom", Title: "F", Items: []feedtest.ItemSpec{
		{GUID: "1", Title: "Cartel violence in Sinaloa", Link: srv.URL + "/1", Published: now.Add(-2 * time.Hour)},
		{GUID: "2", Title: "USMCA talks resume", Link: srv.URL + "/2", Published: now.Add(-3 * time.Hour)},
		{GUID: "3", Title: "Cartel leader in Mexico sentenced", Link: srv.URL + "/3", Published: now.Add(-40 * time.Hour)},
	}})
	p, _ := newPipeline(t, fmt.Sprintf("fetch: {allow_private: true}\nfeeds:\n  - {name: F, url: %q}\n%s", srv.URL+"/f", testTopics))
	ctx := context.Background()
	poll, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := poll.NewByTopic; got["cartels"] != 2 || got["usmca"] != 1 || len(got) != 2 {
		t.Errorf("NewByTopic = %v; want cartels 2, usmca 1", got)
	}
	if f := poll.Feeds[0]; f.Status != 200 || f.Items != 3 || f.Duration <= 0 {
		t.Errorf("feed report = %+v; want status 200, 3 items, a duration", f)
	}
	tests := []struct {
		name string
		opts pipeline.DigestOptions
		want int
	}{
		{"lookback 24h", pipeline.DigestOptions{}, 2},
		{"since 72h", pipeline.DigestOptions{Since: 72 * time.Hour}, 3},
		{"topic usmca", pipeline.DigestOptions{Topics: []string{"usmca"}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := p.Digest(ctx, tt.opts, &poll)
			if err != nil {
				t.Fatal(err)
			}
			if got := countEntries(d); got != tt.want {
				t.Errorf("entries = %d; want %d", got, tt.want)
			}
		})
	}
	if _, err := p.Digest(ctx, pipeline.DigestOptions{Topics: []string{"nope"}}, &poll); err == nil {
		t.Error("unknown topic: no error")
	}
}

func TestFailingFeedBacksOff(t *testing.T) {
	srv := feedtest.NewServer(t)
	var fail atomic.Bool
	fail.Store(true)
	srv.Handle("/flaky", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feedtest.Render(feedtest.FeedSpec{Format: feedtest.RSS, Title: "Flaky", Items: []feedtest.ItemSpec{
			{GUID: "1", Title: "Cartel news from Mexico", Link: "http://example.org/1", Published: time.Now()},
		}}))
	}))
	p, _ := newPipeline(t, fmt.Sprintf("fetch: {allow_private: true}\nfeeds:\n  - {name: Flaky, url: %q}\n%s", srv.URL+"/flaky", testTopics))
	now := time.Now()
	p.Now = func() time.Time { return now }
	ctx := context.Background()
	poll := func() pipeline.PollReport {
		t.Helper()
		rep, err := p.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	// First failure: retried at the next poll.
	if rep := poll(); rep.Feeds[0].OK || !strings.Contains(rep.Feeds[0].Error, "502") {
		t.Fatalf("first poll: %+v; want an HTTP 502 failure", rep.Feeds[0])
	}
	// Second failure in a row: backs off 15 minutes.
	poll()
	requests := srv.RequestsFor("/flaky")
	if requests != 2 {
		t.Fatalf("requests = %d; want 2", requests)
	}
	now = now.Add(5 * time.Minute)
	rep := poll()
	if srv.RequestsFor("/flaky") != requests {
		t.Error("feed polled again during its backoff")
	}
	if rep.Feeds[0].OK || !strings.Contains(rep.Feeds[0].Error, "backing off") || rep.Feeds[0].FailingSince.IsZero() {
		t.Errorf("report during backoff = %+v; want the last error, 'backing off' and when it started failing", rep.Feeds[0])
	}
	// After the backoff it is polled again, and recovers.
	fail.Store(false)
	now = now.Add(15 * time.Minute)
	if rep := poll(); !rep.Feeds[0].OK {
		t.Errorf("after backoff: %+v; want OK", rep.Feeds[0])
	}
	if srv.RequestsFor("/flaky") != requests+1 {
		t.Errorf("requests = %d; want %d", srv.RequestsFor("/flaky"), requests+1)
	}
}

func TestNextPoll(t *testing.T) {
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		failures   int
		retryAfter time.Duration
		want       time.Duration // from now; 0 = no wait
	}{
		{1, 0, 0},
		{2, 0, 15 * time.Minute},
		{3, 0, 30 * time.Minute},
		{6, 0, 4 * time.Hour},
		{7, 0, 6 * time.Hour},
		{40, 0, 6 * time.Hour},
		{1, time.Hour, time.Hour},
		{1, 100 * time.Hour, 24 * time.Hour},
	}
	for _, tt := range tests {
		got := pipeline.NextPoll(now, tt.failures, tt.retryAfter)
		var d time.Duration
		if !got.IsZero() {
			d = got.Sub(now)
		}
		if d != tt.want {
			t.Errorf("NextPoll(%d failures, retry after %v) = +%v; want +%v", tt.failures, tt.retryAfter, d, tt.want)
		}
	}
}

// TestPolitePolling: a feed that moved permanently is polled where it went
// (its items keep their identity), a 410 stops polling, and Cache-Control
// max-age is honoured as the earliest next poll.
func TestPolitePolling(t *testing.T) {
	srv := feedtest.NewServer(t)
	now := time.Now()
	spec := feedtest.FeedSpec{Format: feedtest.RSS, Title: "F", Items: []feedtest.ItemSpec{
		{GUID: "1", Title: "Cartel news from Mexico", Link: srv.URL + "/a/1", Published: now.Add(-time.Hour)},
	}}
	srv.Set("/new", spec)
	srv.Handle("/old", http.RedirectHandler(srv.URL+"/new", http.StatusMovedPermanently))
	srv.Handle("/gone", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	}))
	body := feedtest.Render(spec)
	srv.Handle("/cached", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write(body)
	}))
	p, _ := newPipeline(t, fmt.Sprintf("fetch: {allow_private: true}\nfeeds:\n  - {name: Moved, url: %q}\n  - {name: Gone, url: %q}\n  - {name: Cached, url: %q}\n%s",
		srv.URL+"/old", srv.URL+"/gone", srv.URL+"/cached", testTopics))
	p.Now = func() time.Time { return now }
	ctx := context.Background()
	first, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first.Summary.ItemsNew != 2 {
		t.Fatalf("first poll stored %d new items; want 2", first.Summary.ItemsNew)
	}
	if f := first.Feeds[1]; f.OK || !strings.Contains(f.Error, "410") {
		t.Errorf("gone feed report = %+v; want a 410 failure", f)
	}

	now = now.Add(10 * time.Minute)
	second, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.RequestsFor("/old"); n != 1 {
		t.Errorf("/old requested %d times; want 1 (then the new address)", n)
	}
	if n := srv.RequestsFor("/new"); n != 2 {
		t.Errorf("/new requested %d times; want 2", n)
	}
	if second.Summary.ItemsNew != 0 {
		t.Errorf("after the move, %d items looked new; want 0 (identity keeps the configured URL)", second.Summary.ItemsNew)
	}
	if n := srv.RequestsFor("/gone"); n != 1 {
		t.Errorf("/gone requested %d times; want 1 (polling stops after 410)", n)
	}
	if f := second.Feeds[1]; f.OK || !f.Skipped || !strings.Contains(f.Error, "polling stopped") {
		t.Errorf("gone feed on the next poll = %+v; want skipped, 'polling stopped'", f)
	}
	if n := srv.RequestsFor("/cached"); n != 1 {
		t.Errorf("/cached requested %d times within its max-age; want 1", n)
	}
	if f := second.Feeds[2]; !f.Skipped || f.Error != "" {
		t.Errorf("cached feed within its max-age = %+v; want skipped without an error (healthy, not due)", f)
	}
	now = now.Add(time.Hour)
	if _, err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.RequestsFor("/cached"); n != 2 {
		t.Errorf("/cached requested %d times after its max-age; want 2", n)
	}
}
