package slashcmd_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/slack"
	"github.com/newsdigest/newsdigest/slashcmd"
	"github.com/newsdigest/newsdigest/store"
)

const botToken = "xoxb-test-slashcmd"

type env struct {
	slack *fakeslack.Server
	feeds *feedtest.Server
	p     *pipeline.Pipeline
	cfg   *config.Config
	link  string
}

func newEnv(t *testing.T, run slashcmd.Runner) (*env, *slashcmd.Handler) {
	e := &env{slack: fakeslack.New(t, botToken), feeds: feedtest.NewServer(t)}
	e.slack.AddChannel(fakeslack.Channel{ID: "C001", Name: "mx-digest", Member: true})
	e.link = e.feeds.URL + "/item/1"
	e.feeds.Set("/feed", feedtest.FeedSpec{Format: feedtest.RSS, Title: "Wire", Items: []feedtest.ItemSpec{
		{GUID: "1", Title: "Cartel boss <b>held</b> in Sinaloa", Link: e.link, Published: time.Now().Add(-time.Minute)}}})
	dir := t.TempDir()
	yaml := fmt.Sprintf(`store: {path: %q}
slack: {token: %q, channel: "#mx-digest", api_url: %q, signing_secret: s3cret}
fetch: {allow_private: true} # the feed server is on 127.0.0.1
feeds:
  - {name: Wire, url: %q}
  - {name: Broken <!channel>, url: %q}
topics:
  - {name: cartels, terms: ["cartel*"]}
  - {name: usmca, terms: [USMCA]}
`, filepath.Join(dir, "nd.db"), botToken, e.slack.APIURL(), e.feeds.URL+"/feed", e.feeds.URL+"/missing")
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte(yaml), 0o644)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), cfg.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if e.p, err = pipeline.New(cfg, st, nil); err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	return e, slashcmd.New(cfg, e.p, run, nil, slog.New(slog.DiscardHandler))
}

func (e *env) cmd(text string) slack.Command {
	return slack.CommandFromForm(e.slack.CommandForm(fakeslack.SlashCommand{ChannelID: "C001", UserID: "U1", Text: text}))
}

// TestExplainAndFeeds: explain a stored item by its link as Slack sends it,
// and coverage with a failing feed; text from feeds is escaped.
func TestExplainAndFeeds(t *testing.T) {
	e, h := newEnv(t, nil)
	ctx := context.Background()
	if r, later := h.Handle(ctx, e.cmd("feeds")); later != nil || !strings.Contains(r.Text, "*Feeds:* 0 of 2 OK; no poll yet.") || !strings.Contains(r.Text, "never fetched") {
		t.Errorf("feeds before a poll: %q", r.Text)
	}
	if _, err := e.p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	r, _ := h.Handle(ctx, e.cmd("feeds"))
	if !strings.Contains(r.Text, "*Feeds:* 1 of 2 OK") || !strings.Contains(r.Text, "*Failing (1):*\n• Broken &lt;!channel&gt; — ") || strings.Contains(r.Text, "<!channel>") {
		t.Errorf("feeds after a poll: %q", r.Text)
	}
	r, _ = h.Handle(ctx, e.cmd("explain <"+e.link+"|item/1>"))
	for _, want := range []string{"*Cartel boss held in Sinaloa* (Wire)", "*cartels* — *MATCH*, score 3 (min 1)", `term "cartel*" in title: "Cartel"`, "*usmca* — no match"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("explain of a stored link: %q lacks %q", r.Text, want)
		}
	}
	r, _ = h.Handle(ctx, e.cmd("explain "+e.feeds.URL+"/item/404"))
	if !strings.Contains(r.Text, "No stored item has that link") {
		t.Errorf("explain of an unknown link: %q", r.Text)
	}
	r, _ = h.Handle(ctx, e.cmd("explain USMCA <!channel> talks"))
	if !strings.Contains(r.Text, "*usmca* — *MATCH*") || strings.Contains(r.Text, "<!channel>") {
		t.Errorf("explain of a text: %q", r.Text)
	}
}

// blockingRunner holds every RunNow until released.
type blockingRunner struct{ release chan struct{} }

func (b blockingRunner) RunNow(ctx context.Context, _ pipeline.DigestOptions) (pipeline.DeliveryReport, error) {
	<-b.release
	return pipeline.DeliveryReport{}, nil
}

// TestBusy: at most MaxPending now/preview at once; the next is answered
// "busy" at once, and a slot frees when one finishes.
func TestBusy(t *testing.T) {
	run := blockingRunner{release: make(chan struct{})}
	e, h := newEnv(t, run)
	var mu sync.Mutex
	var results []string
	h.Observe = func(sub, result string) { mu.Lock(); results = append(results, sub+"/"+result); mu.Unlock() }
	finished := make(chan struct{}, slashcmd.MaxPending)
	for range slashcmd.MaxPending {
		_, later := h.Handle(context.Background(), e.cmd("now"))
		if later == nil {
			t.Fatal("now gave no later work")
		}
		go func() { later(context.Background()); finished <- struct{}{} }()
	}
	r, later := h.Handle(context.Background(), e.cmd("now"))
	if later != nil || !strings.Contains(r.Text, "try again in a minute") {
		t.Errorf("now beyond MaxPending: %q, later %v", r.Text, later != nil)
	}
	run.release <- struct{}{}
	<-finished
	if _, later := h.Handle(context.Background(), e.cmd("preview")); later == nil {
		t.Error("a freed slot was not reused")
	} else {
		later(context.Background())
	}
	close(run.release)
	for range slashcmd.MaxPending - 1 {
		<-finished
	}
	mu.Lock()
	defer mu.Unlock()
	if results[0] != "now/busy" {
		t.Errorf("results = %v; want now/busy first", results)
	}
}
