package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/internal/testlog"
	"github.com/newsdigest/newsdigest/pipeline"
)

const botToken = "xoxb-test-0123456789-secret"

// slackTopics routes usmca to its own channel.
const slackTopics = `
topics:
  - name: cartels
    terms: [cartel*, narco*]
    require:
      - [mexic*, méxico, sinaloa]
  - name: troops
    terms: [troops, "Guardia Nacional"]
    require:
      - [mexic*, méxico, border]
  - name: usmca
    channel: "#trade"
    terms: [USMCA, T-MEC]
`

type deliverFixture struct {
	feeds  *feedtest.Server
	slack  *fakeslack.Server
	items  []feedtest.ItemSpec
	logs   *testlog.Buffer
	cfgFor func(extra string) string
}

func newDeliverFixture(t *testing.T) *deliverFixture {
	f := &deliverFixture{feeds: feedtest.NewServer(t), slack: fakeslack.New(t, botToken), logs: &testlog.Buffer{}}
	f.slack.AddChannel(fakeslack.Channel{ID: "C001", Name: "mx-digest", Member: true})
	f.slack.AddChannel(fakeslack.Channel{ID: "C002", Name: "trade", Member: true})
	now := time.Now()
	titles := []string{
		"Cartel leader arrested in Sinaloa", "Narcos attack convoy in Mexico", "Cártel del Golfo pierde a su jefe en México",
		"Sinaloa cartel splits again", "Mexico's cartels and the fentanyl trade", "US troops at the Mexico border",
		"USMCA review opens in July", "T-MEC y cárteles: México negocia", // the last one: usmca and cartels
		"Weather in Oslo",
	}
	for i, title := range titles {
		f.items = append(f.items, feedtest.ItemSpec{GUID: fmt.Sprint(i), Title: title, Link: fmt.Sprintf("%s/item/%d", f.feeds.URL, i), Published: now.Add(-time.Duration(i+1) * time.Minute)})
	}
	f.feeds.Set("/feed", feedtest.FeedSpec{Format: feedtest.RSS, Title: "Wire", Items: f.items})
	f.cfgFor = func(extra string) string {
		return fmt.Sprintf("fetch: {allow_private: true}\ndigest:\n  max_per_topic: 2\nfeeds:\n  - {name: Wire, url: %q}\n%s%s", f.feeds.URL+"/feed", extra, slackTopics)
	}
	return f
}

func (f *deliverFixture) botConfig() string {
	return f.cfgFor(fmt.Sprintf("slack:\n  token: %q\n  channel: \"#mx-digest\"\n  api_url: %q\n", botToken, f.slack.APIURL()))
}

// pipeline wires a pipeline whose logs, and its Slack poster's, go to f.logs.
func (f *deliverFixture) pipeline(t *testing.T, cfg string) *pipeline.Pipeline {
	logger := slog.New(slog.NewTextHandler(f.logs, nil))
	p, _ := newPipelineLogged(t, cfg, "", logger)
	p.Retry = pipeline.Retry{Max: 3, Base: time.Millisecond, MaxWait: 2 * time.Second}
	return p
}

var itemLink = regexp.MustCompile(`/item/(\d+)`)

// delivered counts, per channel, how many times each item's link was posted
// as an item (thread replies included; "also" links are not item links here).
func (f *deliverFixture) delivered(t *testing.T) map[string]map[string]int {
	t.Helper()
	out := map[string]map[string]int{}
	for _, m := range f.slack.Messages() {
		ch := m.Channel
		if m.Webhook {
			ch = "webhook"
		}
		if out[ch] == nil {
			out[ch] = map[string]int{}
		}
		for _, mm := range itemLink.FindAllStringSubmatch(string(m.Blocks), -1) {
			out[ch][mm[1]]++
		}
	}
	return out
}

// messages is how many messages a digest posted, over every channel.
func messages(rep pipeline.DeliveryReport) int {
	n, _ := rep.Totals()
	return n
}

func run(t *testing.T, p *pipeline.Pipeline) (pipeline.DeliveryReport, error) {
	t.Helper()
	ctx := context.Background()
	poll, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return p.Deliver(ctx, pipeline.DigestOptions{}, &poll)
}

func TestDeliverExactlyOncePerChannel(t *testing.T) {
	f := newDeliverFixture(t)
	p := f.pipeline(t, f.botConfig())
	if _, err := run(t, p); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	want := map[string]map[string]int{
		"C001": {"0": 1, "1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "7": 1}, // cartels (5, overflow in a thread) and troops; item 7 is cartels here
		"C002": {"6": 1, "7": 1},                                         // usmca, item 7 again: once per channel
	}
	got := f.delivered(t)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delivered = %v; want %v", got, want)
	}
	var threads int
	for _, m := range f.slack.Messages() {
		if m.ThreadTS != "" {
			threads++
		}
		if m.UnfurlLinks == nil || *m.UnfurlLinks || m.UnfurlMedia == nil || *m.UnfurlMedia {
			t.Errorf("message %s: unfurl_links/unfurl_media not false", m.TS)
		}
		if m.Text == "" {
			t.Errorf("message %s has no text fallback", m.TS)
		}
	}
	if threads != 1 {
		t.Errorf("%d thread replies; want 1 (cartels beyond max_per_topic)", threads)
	}

	// A second run posts nothing: everything was confirmed.
	before := len(f.slack.Messages())
	if _, err := run(t, p); err != nil {
		t.Fatal(err)
	}
	if n := len(f.slack.Messages()) - before; n != 0 {
		t.Errorf("second run posted %d messages; want 0", n)
	}

	// A story added later is posted by the next run, once.
	f.items = append(f.items, feedtest.ItemSpec{GUID: "new", Title: "Navy seizes narco lab and 2 tons of meth in Sonora, Mexico", Link: f.feeds.URL + "/item/99", Published: time.Now()})
	f.feeds.Set("/feed", feedtest.FeedSpec{Format: feedtest.RSS, Title: "Wire", Items: f.items})
	if _, err := run(t, p); err != nil {
		t.Fatal(err)
	}
	if got := f.delivered(t); got["C001"]["99"] != 1 || got["C001"]["0"] != 1 {
		t.Errorf("after a new story: delivered = %v; want 99 once and nothing re-posted", got)
	}
	if strings.Contains(f.logs.String(), botToken) {
		t.Error("the bot token appears in the logs")
	}
}

func TestDeliverFailureMidwayLosesNothing(t *testing.T) {
	f := newDeliverFixture(t)
	p := f.pipeline(t, f.botConfig())
	// The first message goes through; then Slack fails long enough to
	// exhaust the retries of the second: its post answers 500 (an unknown
	// outcome), and the three looks in the channel that follow fail too.
	f.slack.Fail(2, 4, fakeslack.Failure{Status: http.StatusInternalServerError, Body: "oops"})
	rep, err := run(t, p)
	if err == nil {
		t.Fatal("Deliver succeeded through a Slack outage")
	}
	if !strings.Contains(err.Error(), "#mx-digest") {
		t.Errorf("error %q does not name the channel", err)
	}
	if strings.Contains(err.Error(), botToken) {
		t.Errorf("error leaks the token: %v", err)
	}
	if !strings.Contains(f.logs.String(), "digest not fully posted") {
		t.Errorf("the failure was not logged:\n%s", f.logs.String())
	}
	if strings.Contains(f.logs.String(), botToken) {
		t.Error("the logs leak the token")
	}
	if posted := messages(rep); posted != 2 { // #mx-digest's main message, then #trade's (after the failed thread reply)
		t.Errorf("posted %d messages; want 2", posted)
	}
	// The next run posts what was not confirmed, and nothing twice.
	if _, err := run(t, p); err != nil {
		t.Fatalf("retry run: %v", err)
	}
	got := f.delivered(t)
	for ch, items := range got {
		for id, n := range items {
			if n != 1 {
				t.Errorf("item %s posted %d times to %s", id, n, ch)
			}
		}
	}
	if len(got["C001"]) != 7 || len(got["C002"]) != 2 {
		t.Errorf("delivered = %v; want 7 items in C001 and 2 in C002", got)
	}
}

func TestDeliverRateLimitedWaits(t *testing.T) {
	f := newDeliverFixture(t)
	p := f.pipeline(t, f.botConfig())
	f.slack.FailNext(1, fakeslack.Failure{Status: http.StatusTooManyRequests, RetryAfter: "1"})
	start := time.Now()
	if _, err := run(t, p); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("finished after %v; want at least the 1s Retry-After", waited)
	}
	if got := f.delivered(t); len(got["C001"]) != 7 {
		t.Errorf("delivered = %v", got)
	}
}

func TestDeliverFinalErrorsNameTheChannel(t *testing.T) {
	f := newDeliverFixture(t)
	cfg := f.cfgFor(fmt.Sprintf("slack:\n  token: %q\n  channel: \"#nowhere\"\n  api_url: %q\n", botToken, f.slack.APIURL()))
	p := f.pipeline(t, cfg)
	calls := f.slack.Calls()
	_, err := run(t, p)
	if err == nil || !strings.Contains(err.Error(), "#nowhere") || !strings.Contains(err.Error(), "channel_not_found") {
		t.Fatalf("Deliver = %v; want channel_not_found naming #nowhere", err)
	}
	// #trade still got its digest; #nowhere was tried once, not retried.
	if got := f.delivered(t); len(got["C002"]) != 2 {
		t.Errorf("delivered = %v; want #trade's 2 items", got)
	}
	if n := f.slack.Calls() - calls; n != 2 {
		t.Errorf("%d calls; want 2 (one refused, one for #trade)", n)
	}
}

func TestDeliverWebhook(t *testing.T) {
	f := newDeliverFixture(t)
	cfg := strings.Replace(f.cfgFor(fmt.Sprintf("slack:\n  webhook_url: %q\n", f.slack.WebhookURL())), "    channel: \"#trade\"\n", "", 1)
	p := f.pipeline(t, cfg)
	if _, err := run(t, p); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	got := f.delivered(t)
	if len(got["webhook"]) != 8 {
		t.Errorf("webhook delivered %v; want the 8 matching items, each once", got)
	}
	for id, n := range got["webhook"] {
		if n != 1 {
			t.Errorf("item %s posted %d times", id, n)
		}
	}
	before := len(f.slack.Messages())
	if _, err := run(t, p); err != nil {
		t.Fatal(err)
	}
	if n := len(f.slack.Messages()) - before; n != 0 {
		t.Errorf("second webhook run posted %d messages; want 0", n)
	}
	hook := f.slack.WebhookURL()
	if strings.Contains(f.logs.String(), hook[strings.LastIndex(hook, "/"):]) {
		t.Error("the webhook URL appears in the logs")
	}
}

// TestConcurrentDeliveriesDoNotDoublePost runs two pipelines on one store
// file at once, as `serve` and a manual `run` would.
func TestConcurrentDeliveriesDoNotDoublePost(t *testing.T) {
	f := newDeliverFixture(t)
	cfg := f.botConfig()
	p1, c := newPipeline(t, cfg)
	p2, _ := newPipelineAt(t, cfg, c.Store.Path)
	for _, p := range []*pipeline.Pipeline{p1, p2} {
		p.Retry = pipeline.Retry{Max: 3, Base: time.Millisecond, MaxWait: time.Second}
	}
	if _, err := p1.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range []*pipeline.Pipeline{p1, p2} {
		wg.Go(func() {
			_, errs[i] = p.Deliver(context.Background(), pipeline.DigestOptions{}, nil)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for ch, items := range f.delivered(t) {
		for id, n := range items {
			if n != 1 {
				t.Errorf("item %s posted %d times to %s", id, n, ch)
			}
		}
	}
}

// TestNarrowedRunLeavesTheRest: a run limited to one topic posts that topic
// and leaves the others for the next full digest.
func TestNarrowedRunLeavesTheRest(t *testing.T) {
	f := newDeliverFixture(t)
	p := f.pipeline(t, f.botConfig())
	ctx := context.Background()
	poll, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Deliver(ctx, pipeline.DigestOptions{Topics: []string{"troops"}}, &poll); err != nil {
		t.Fatal(err)
	}
	if got := f.delivered(t); len(got["C001"]) != 1 || got["C001"]["5"] != 1 {
		t.Fatalf("after -topic troops: delivered = %v; want item 5 only", got)
	}
	if _, err := p.Deliver(ctx, pipeline.DigestOptions{}, &poll); err != nil {
		t.Fatal(err)
	}
	got := f.delivered(t)
	if len(got["C001"]) != 7 || len(got["C002"]) != 2 || got["C001"]["5"] != 1 {
		t.Errorf("after the full digest: delivered = %v; want every item once", got)
	}
}

// TestItemsSavedAfterADigestAreNotLost: a poll fetches items, a digest in
// another process ends its window, and only then is the poll saved — its
// items' first-seen times fall inside a window that is already closed. The
// next digest still posts them.
func TestItemsSavedAfterADigestAreNotLost(t *testing.T) {
	f := newDeliverFixture(t)
	p := f.pipeline(t, f.botConfig())
	ctx := context.Background()
	t0 := time.Now()
	p.Now = func() time.Time { return t0 }
	if _, err := p.Deliver(ctx, pipeline.DigestOptions{}, nil); err != nil { // nothing yet: closes the window at t0
		t.Fatal(err)
	}
	p.Now = func() time.Time { return t0.Add(-5 * time.Minute) } // fetched before, saved after
	if _, err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	p.Now = func() time.Time { return t0.Add(15 * time.Minute) }
	if _, err := p.Deliver(ctx, pipeline.DigestOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.delivered(t); len(got["C001"]) != 7 || len(got["C002"]) != 2 {
		t.Errorf("delivered = %v; want every item", got)
	}
}

// TestOneStoryFromFiveOutlets: the same story from five outlets, one of them
// through Google News, is one entry with four `also` links — in the dry run
// and in Slack.
func TestOneStoryFromFiveOutlets(t *testing.T) {
	f := newDeliverFixture(t)
	now := time.Now()
	outlets := []struct{ feed, title, link string }{
		{"AP", "Mexico sends 26 cartel figures to the United States", f.feeds.URL + "/ap/1"},
		{"Reuters", "Mexico sends 26 cartel figures to the US in major handover", f.feeds.URL + "/reuters/1"},
		{"El Universal", "Mexico sends 26 cartel members to the United States", f.feeds.URL + "/eu/1"},
		{"Border Report", "Mexico transfers 26 cartel figures to the United States", f.feeds.URL + "/br/1"},
		{"Google News", "Mexico sends 26 cartel figures to the United States - Los Angeles Times", "https://news.google.com/rss/articles/CBMiX2h0dHBzOi8vd3d3?oc=5"},
	}
	var feeds strings.Builder
	for i, o := range outlets {
		path := fmt.Sprintf("/outlet/%d", i)
		f.feeds.Set(path, feedtest.FeedSpec{Format: feedtest.RSS, Title: o.feed, Items: []feedtest.ItemSpec{
			{GUID: o.link, Title: o.title, Link: o.link, Published: now.Add(-time.Duration(i+1) * time.Minute)},
			{GUID: o.link + "/other", Title: fmt.Sprintf("Cartel gunmen kill %d in a Sinaloa town", 3+i*7), Link: o.link + "/other", Published: now.Add(-time.Hour)},
		}})
		fmt.Fprintf(&feeds, "  - {name: %q, url: %q}\n", o.feed, f.feeds.URL+path)
	}
	cfg := fmt.Sprintf("fetch: {allow_private: true}\nslack:\n  token: %q\n  channel: \"#mx-digest\"\n  api_url: %q\nfeeds:\n%s%s", botToken, f.slack.APIURL(), feeds.String(), slackTopics)
	p := f.pipeline(t, cfg)
	ctx := context.Background()
	poll, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.Digest(ctx, pipeline.DigestOptions{}, &poll)
	if err != nil {
		t.Fatal(err)
	}
	var story *digest.Entry
	for i, e := range d.Topics[0].Items {
		if strings.Contains(e.Title, "26 cartel") {
			if story != nil {
				t.Errorf("the story is listed twice: %q and %q", story.Title, e.Title)
			}
			story = &d.Topics[0].Items[i]
		}
	}
	if story == nil {
		t.Fatalf("the story is missing from the digest: %+v", d.Topics)
	}
	// Five different killings that share words and a place stay apart.
	var lookalikes int
	for _, e := range d.Topics[0].Items {
		if strings.Contains(e.Title, "gunmen kill") {
			lookalikes++
		}
	}
	if lookalikes != 5 {
		t.Errorf("%d entries for the five different killings; want 5", lookalikes)
	}
	if len(story.Also) != 4 || story.Outlets != 5 {
		t.Errorf("story %q: %d also links, %d outlets; want 4 and 5: %+v", story.Title, len(story.Also), story.Outlets, story.Also)
	}
	var sawGoogle bool
	for _, a := range story.Also {
		if a.Source == "Los Angeles Times" && strings.HasPrefix(a.URL, "https://news.google.com/") {
			sawGoogle = true
		}
	}
	if !sawGoogle && !(story.Source == "Los Angeles Times") {
		t.Errorf("the Google News item is not shown as its outlet with its link: %+v", story)
	}
	var text bytes.Buffer
	if err := d.WriteText(&text, 8); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "5 outlets") {
		t.Errorf("text digest does not say \"5 outlets\":\n%s", text.String())
	}

	// Slack shows the same: one item section with the four other outlets.
	if _, err := p.Deliver(ctx, pipeline.DigestOptions{}, &poll); err != nil {
		t.Fatal(err)
	}
	var blocks string
	for _, m := range f.slack.Messages() {
		blocks += string(m.Blocks)
	}
	if n := strings.Count(blocks, "26 cartel"); n != 1 {
		t.Errorf("Slack shows the story %d times; want once", n)
	}
	for _, u := range []string{"/ap/1", "/reuters/1", "/eu/1", "/br/1", "news.google.com/rss/articles/"} {
		if !strings.Contains(blocks, u) {
			t.Errorf("Slack message lacks the link %s", u)
		}
	}
	if !strings.Contains(blocks, "5 outlets") {
		t.Error("Slack message does not say \"5 outlets\"")
	}
}

// cancelAfter is a transport that cancels a context once Slack has answered
// n requests: a stop signal arriving just after a confirmation.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
	mu     sync.Mutex
	calls  int
}

func (c *cancelAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls++; c.calls == c.n {
		c.cancel()
	}
	return resp, err
}

// TestCancelAfterConfirmationDoesNotRepost: a message Slack confirmed is
// recorded even when the run is cancelled in that instant, so the next run
// does not post it again.
func TestCancelAfterConfirmationDoesNotRepost(t *testing.T) {
	f := newDeliverFixture(t)
	p := f.pipeline(t, f.botConfig())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p.SlackClient = &http.Client{Transport: &cancelAfter{n: 1, cancel: cancel}}
	poll, err := p.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Deliver(ctx, pipeline.DigestOptions{}, &poll)
	if posted := messages(rep); err == nil || posted != 1 {
		t.Fatalf("cancelled Deliver = %d posted, %v; want 1 posted and an error", posted, err)
	}
	p.SlackClient = nil
	if _, err := p.Deliver(context.Background(), pipeline.DigestOptions{}, &poll); err != nil {
		t.Fatal(err)
	}
	for ch, items := range f.delivered(t) {
		for id, n := range items {
			if n != 1 {
				t.Errorf("item %s posted %d times to %s", id, n, ch)
			}
		}
	}
}

// TestDeliverWebhookOverflowLosesNoItem: with a webhook (no threads) and a
// cap of one entry per topic, the stories beyond the cap go in a compact
// "+N more" list; each of them is carried by three outlets, and every
// outlet's copy must be linked in the channel, not only the one shown.
func TestDeliverWebhookOverflowLosesNoItem(t *testing.T) {
	feeds := feedtest.NewServer(t)
	hook := fakeslack.New(t, botToken)
	now := time.Now()
	titles := []string{
		"Cartel leader arrested in Sinaloa after a gunfight in Culiacán",
		"Navy seizes two tons of cocaine from cartel boats off Mexico",
		"Mexico extradites 26 cartel members to the United States",
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "fetch: {allow_private: true}\ndigest:\n  max_per_topic: 1\nslack:\n  webhook_url: %q\nfeeds:\n", hook.WebhookURL())
	want := map[string]bool{}
	for o, outlet := range []string{"Reuters", "AP", "El Universal"} {
		spec := feedtest.FeedSpec{Title: outlet}
		for s, title := range titles {
			id := fmt.Sprintf("%d%d", s, o)
			spec.Items = append(spec.Items, feedtest.ItemSpec{GUID: id, Title: title, Link: fmt.Sprintf("%s/item/%s", feeds.URL, id),
				Published: now.Add(-time.Duration(10*s+o+1) * time.Minute)})
			want[id] = true
		}
		path := fmt.Sprintf("/feed/%d", o)
		feeds.Set(path, spec)
		fmt.Fprintf(&cfg, "  - {name: %q, url: %q}\n", outlet, feeds.URL+path)
	}
	cfg.WriteString(strings.Replace(slackTopics, "    channel: \"#trade\"\n", "", 1))
	p, _ := newPipeline(t, cfg.String())
	rep, err := run(t, p)
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if len(rep.Channels) != 1 || rep.Channels[0].Digest == nil || len(rep.Channels[0].Digest.Topics[0].Items) != 3 {
		t.Fatalf("want one channel whose digest has the 3 stories; got %+v", rep.Channels)
	}
	if rep.Channels[0].Items != 9 {
		t.Errorf("messages carried %d items; want all 9", rep.Channels[0].Items)
	}
	linked := map[string]bool{}
	for _, m := range hook.Messages() {
		for _, mm := range itemLink.FindAllStringSubmatch(string(m.Blocks), -1) {
			linked[mm[1]] = true
		}
	}
	for id := range want {
		if !linked[id] {
			t.Errorf("item %s is in the digest but linked nowhere in the channel", id)
		}
	}
}

// TestPostedStoryFollowUps: the digest after a story was posted leaves out
// another outlet's copy of it, but posts the next development (an
// extradition after the arrest) and a report of it that names someone new.
func TestPostedStoryFollowUps(t *testing.T) {
	f := newDeliverFixture(t)
	now := time.Now()
	first := feedtest.ItemSpec{GUID: "arrest", Title: "Mexico arrests Sinaloa cartel leader in Culiacán", Link: f.feeds.URL + "/ap/arrest", Published: now.Add(-3 * time.Hour)}
	f.feeds.Set("/ap", feedtest.FeedSpec{Format: feedtest.RSS, Title: "AP", Items: []feedtest.ItemSpec{first}})
	f.feeds.Set("/reuters", feedtest.FeedSpec{Format: feedtest.RSS, Title: "Reuters"})
	cfg := fmt.Sprintf("fetch: {allow_private: true}\nslack:\n  token: %q\n  channel: \"#mx-digest\"\n  api_url: %q\nfeeds:\n  - {name: AP, url: %q}\n  - {name: Reuters, url: %q}\n%s",
		botToken, f.slack.APIURL(), f.feeds.URL+"/ap", f.feeds.URL+"/reuters", slackTopics)
	p := f.pipeline(t, cfg)
	ctx := context.Background()
	deliver := func() string {
		t.Helper()
		poll, err := p.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		before := len(f.slack.Messages())
		if _, err := p.Deliver(ctx, pipeline.DigestOptions{}, &poll); err != nil {
			t.Fatal(err)
		}
		var blocks string
		for _, m := range f.slack.Messages()[before:] {
			blocks += string(m.Blocks)
		}
		return blocks
	}
	if got := deliver(); !strings.Contains(got, "Mexico arrests Sinaloa cartel leader") {
		t.Fatalf("first digest lacks the arrest: %s", got)
	}

	// Later that day: a copy, the extradition, and a report naming him.
	f.feeds.Set("/reuters", feedtest.FeedSpec{Format: feedtest.RSS, Title: "Reuters", Items: []feedtest.ItemSpec{
		{GUID: "copy", Title: "Mexican forces arrest Sinaloa cartel leader in Culiacán", Link: f.feeds.URL + "/reuters/copy", Published: now.Add(-2 * time.Hour)},
		{GUID: "extradition", Title: "Mexico extradites Sinaloa cartel leader to the US", Link: f.feeds.URL + "/reuters/extradition", Published: now.Add(-time.Hour)},
		{GUID: "named", Title: "Sinaloa cartel leader arrested in Culiacán was Iván Archivaldo Guzmán's security chief, Mexico says", Link: f.feeds.URL + "/reuters/named", Published: now.Add(-90 * time.Minute)},
	}})
	got := deliver()
	for _, want := range []string{"extradites Sinaloa cartel leader", "Iván Archivaldo Guzmán"} {
		if !strings.Contains(got, want) {
			t.Errorf("second digest lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, "Mexican forces arrest") || strings.Contains(got, "Mexico arrests Sinaloa") {
		t.Errorf("second digest posts the arrest again: %s", got)
	}
}
