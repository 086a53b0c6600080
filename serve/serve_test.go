package serve_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/internal/testlog"
	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/serve"
	"github.com/newsdigest/newsdigest/store"
)

const (
	botToken   = "xoxb-test-0123456789-secret"
	serveToken = "serve-token-s3cret"
	yearly     = "@yearly" // a schedule that never fires during a test
	everySec   = "@every 1s"
)

const topicsYAML = `
topics:
  - name: cartels
    terms: [cartel*, narco*]
  - name: usmca
    terms: [USMCA, T-MEC]
`

// fixture is a loopback feed server, a fake Slack and a config for them.
type fixture struct {
	feeds   *feedtest.Server
	slack   *fakeslack.Server
	items   []feedtest.ItemSpec
	dbPath  string
	feedURL string // what the config polls; the feed server's /feed unless a test puts a proxy in front
	mu      sync.Mutex
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{feeds: feedtest.NewServer(t), slack: fakeslack.New(t, botToken), dbPath: filepath.Join(t.TempDir(), "nd.db")}
	f.slack.AddChannel(fakeslack.Channel{ID: "C001", Name: "mx-digest", Member: true})
	f.feedURL = f.feeds.URL + "/feed"
	for i, title := range []string{"Cartel leader arrested", "Narcos attack convoy", "USMCA review opens", "Weather in Oslo"} {
		f.addItem(i, title)
	}
	return f
}

// addItem publishes a new story on the feed; id i makes its link /item/i.
func (f *fixture) addItem(i int, title string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append([]feedtest.ItemSpec{{
		GUID: strconv.Itoa(i), Title: title, Link: fmt.Sprintf("%s/item/%d", f.feeds.URL, i), Published: time.Now().Add(-time.Minute),
	}}, f.items...)
	f.feeds.Set("/feed", feedtest.FeedSpec{Format: feedtest.RSS, Title: "Wire", Items: f.items})
}

// parseConfig loads a config from yaml, as if read from a file whose
// environment sets nothing.
func parseConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), filepath.Join(t.TempDir(), "config.yaml"), func(string) string { return "" })
	if err != nil {
		t.Fatalf("config.Parse: %v", err)
	}
	return cfg
}

// config returns a loaded config for the fixture.
func (f *fixture) config(t *testing.T, poll, dig, token, slackURL string) *config.Config {
	t.Helper()
	if slackURL == "" {
		slackURL = f.slack.APIURL()
	}
	yaml := fmt.Sprintf(`store:
  path: %q
serve:
  listen: 127.0.0.1:0
  token: %q
slack:
  token: %q
  channel: "#mx-digest"
  api_url: %q
fetch: {allow_private: true} # the feed server is on 127.0.0.1
feeds:
  - {name: Wire, url: %q}
%s`, f.dbPath, token, botToken, slackURL, f.feedURL, topicsYAML)
	cfg := parseConfig(t, yaml)
	// A config file may not poll more often than once a minute; tests do,
	// set after loading.
	cfg.Schedule.Poll, cfg.Schedule.Digest = poll, dig
	return cfg
}

// pipeline opens the store (its own handle, as another process would) and
// wires a pipeline with fast Slack retries.
func pipelineFor(t *testing.T, cfg *config.Config, logs io.Writer) (*pipeline.Pipeline, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), cfg.Store.Path)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	logger := slog.New(slog.NewTextHandler(logs, nil))
	p, err := pipeline.New(cfg, st, logger)
	if err != nil {
		t.Fatalf("pipeline.New: %v", err)
	}
	p.Retry = pipeline.Retry{Max: 3, Base: time.Millisecond, MaxWait: 50 * time.Millisecond}
	return p, st
}

// running is a Server started on 127.0.0.1:0.
type running struct {
	srv    *serve.Server
	p      *pipeline.Pipeline
	st     *store.Store
	url    string
	cancel context.CancelFunc
	done   chan error
	logs   *testlog.Buffer
}

func start(t *testing.T, cfg *config.Config) *running {
	t.Helper()
	return startWith(t, cfg, nil)
}

// startWith is start with configure called on the Server before Run.
func startWith(t *testing.T, cfg *config.Config, configure func(*serve.Server)) *running {
	t.Helper()
	logs := &testlog.Buffer{}
	p, st := pipelineFor(t, cfg, logs)
	srv, err := serve.New(cfg, p, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatalf("serve.New: %v", err)
	}
	if configure != nil {
		configure(srv)
	}
	ln, err := net.Listen("tcp", cfg.Serve.Listen)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{srv: srv, p: p, st: st, url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1), logs: logs}
	go func() { r.done <- srv.Run(ctx, ln) }()
	t.Cleanup(func() {
		r.stop(t)
		if t.Failed() {
			t.Logf("serve logs:\n%s", logs.String())
		}
	})
	return r
}

// stop cancels Run and returns how long it took to return.
func (r *running) stop(t *testing.T) time.Duration {
	t.Helper()
	if r.cancel == nil {
		return 0
	}
	began := time.Now()
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run = %v; want nil after cancel", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return within 15s of cancel")
	}
	return time.Since(began)
}

var itemLink = regexp.MustCompile(`/item/(\d+)`)

// posted counts how many times each item was posted, by its id.
func posted(s *fakeslack.Server) map[string]int {
	out := map[string]int{}
	for _, m := range s.Messages() {
		for _, mm := range itemLink.FindAllStringSubmatch(string(m.Blocks), -1) {
			out[mm[1]]++
		}
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// postRun POSTs to /run with auth as the Authorization header (none when
// empty) and returns the status and the answer; status 0 and the error when
// the request failed.
func postRun(t *testing.T, url, auth string) (int, serve.RunResult, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, serve.RunResult{}, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var res serve.RunResult
	json.Unmarshal(b, &res)
	return resp.StatusCode, res, string(b)
}

// metricValues parses the Prometheus text format into series → value.
func metricValues(t *testing.T, body string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// TestScheduledDigests serves with second-scale schedules: the first digest
// posts the matching stories, a story added while serving is posted by a
// later digest, and nothing is posted twice. /healthz and /metrics then tell
// what happened.
func TestScheduledDigests(t *testing.T) {
	f := newFixture(t)
	// A slow feed: a digest that did not wait for the poll due with it
	// would be over before the poll stored anything.
	f.feedURL, _, _ = slowProxy(t, f.feedURL, 300*time.Millisecond)
	r := start(t, f.config(t, everySec, everySec, "", ""))

	metric := func(name string) float64 {
		_, body := get(t, r.url+"/metrics")
		return metricValues(t, body)[name]
	}
	waitFor(t, 8*time.Second, "the first digest", func() bool { return metric(`newsdigest_digests_total{result="ok"}`) >= 1 })
	if n := len(f.slack.Messages()); n != 1 {
		t.Errorf("the first digest, due with the first poll, posted %d messages; want 1 (it waits for the poll)", n)
	}
	waitFor(t, 8*time.Second, "the first stories", func() bool { return len(posted(f.slack)) >= 3 })
	f.addItem(9, "Sinaloa cartel splits")
	waitFor(t, 8*time.Second, "the story added while serving", func() bool { return posted(f.slack)["9"] > 0 })
	// Let at least one more poll and digest pass: nothing may be posted again.
	polls := func() float64 { return metric(`newsdigest_polls_total{result="ok"}`) }
	after := polls()
	waitFor(t, 8*time.Second, "two more polls", func() bool { return polls() >= after+2 })

	want := map[string]int{"0": 1, "1": 1, "2": 1, "9": 1} // 3 is Oslo's weather
	got := posted(f.slack)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("posted items = %v; want %v (each matching story exactly once)", got, want)
	}

	t.Run("healthz", func(t *testing.T) {
		code, body := get(t, r.url+"/healthz")
		if code != http.StatusOK {
			t.Fatalf("GET /healthz = %d; want 200:\n%s", code, body)
		}
		var st serve.Status
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatalf("healthz body: %v\n%s", err, body)
		}
		if st.Status != "ok" || st.Poll.LastSuccess.IsZero() || st.Digest.LastSuccess.IsZero() ||
			st.Poll.Next.IsZero() || st.Digest.Next.IsZero() || st.Poll.LastError != "" || st.Poll.Schedule != everySec {
			t.Errorf("healthz = %+v; want status ok, last successes, next runs, no error", st)
		}
		if st.Store.Driver != "sqlite" || !st.Store.OK || st.Store.Error != "" {
			t.Errorf("healthz store = %+v; want sqlite answering", st.Store)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		code, body := get(t, r.url+"/metrics")
		if code != http.StatusOK {
			t.Fatalf("GET /metrics = %d", code)
		}
		m := metricValues(t, body)
		atLeast := map[string]float64{
			`newsdigest_polls_total{result="ok"}`:                   3,
			`newsdigest_fetches_total{outcome="ok"}`:                2, // the first fetch and the one after the story was added
			`newsdigest_fetches_total{outcome="not_modified"}`:      1,
			`newsdigest_items_new_total`:                            5,
			`newsdigest_items_matched_total{topic="cartels"}`:       3,
			`newsdigest_items_matched_total{topic="usmca"}`:         1,
			`newsdigest_slack_messages_total{channel="#mx-digest"}`: 2,
			`newsdigest_items_posted_total{channel="#mx-digest"}`:   4,
			`newsdigest_digests_total{result="ok"}`:                 2,
			`newsdigest_fetch_duration_seconds_count`:               3,
			`newsdigest_last_poll_success_timestamp_seconds`:        float64(time.Now().Add(-time.Minute).Unix()),
			`newsdigest_last_digest_success_timestamp_seconds`:      float64(time.Now().Add(-time.Minute).Unix()),
			`go_goroutines`: 1,
		}
		exactly := map[string]float64{
			`newsdigest_fetches_total{outcome="error"}`:           0,
			`newsdigest_slack_errors_total{channel="#mx-digest"}`: 0,
			`newsdigest_digests_total{result="error"}`:            0,
			`newsdigest_items_posted_total{channel="#mx-digest"}`: 4,
			`newsdigest_items_matched_total{topic="usmca"}`:       1,
		}
		for k, min := range atLeast {
			if v, ok := m[k]; !ok || v < min {
				t.Errorf("metric %s = %v (present %v); want >= %v", k, v, ok, min)
			}
		}
		for k, w := range exactly {
			if v, ok := m[k]; !ok || v != w {
				t.Errorf("metric %s = %v (present %v); want %v", k, v, ok, w)
			}
		}
	})

	took := r.stop(t)
	if took > 3*time.Second {
		t.Errorf("Run took %v to return after cancel; want < 3s", took)
	}
	t.Logf("shutdown took %v", took)
	code, _ := serveHealth(r.srv)
	if code != http.StatusServiceUnavailable {
		t.Errorf("healthz after stop = %d; want 503", code)
	}
}

func serveHealth(s *serve.Server) (int, string) {
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	return rec.Code, rec.Body.String()
}

// TestRunEndpoint checks POST /run's token, parameters and answer.
func TestRunEndpoint(t *testing.T) {
	f := newFixture(t)
	r := start(t, f.config(t, yearly, yearly, serveToken, ""))
	waitFor(t, 5*time.Second, "healthz 200", func() bool { c, _ := get(t, r.url+"/healthz"); return c == http.StatusOK })

	tests := []struct {
		name, query, auth string
		code              int
	}{
		{"no token", "", "", http.StatusUnauthorized},
		{"wrong token", "", "Bearer nope", http.StatusUnauthorized},
		{"token without Bearer", "", serveToken, http.StatusUnauthorized},
		{"token as prefix", "", "Bearer " + serveToken + "x", http.StatusUnauthorized},
		{"unknown topic", "?topic=weather", "Bearer " + serveToken, http.StatusBadRequest},
		{"bad since", "?since=yesterday", "Bearer " + serveToken, http.StatusBadRequest},
		{"negative since", "?since=-1h", "Bearer " + serveToken, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := postRun(t, r.url+"/run"+tt.query, tt.auth)
			if code != tt.code {
				t.Errorf("POST /run%s with %q = %d; want %d:\n%s", tt.query, tt.auth, code, tt.code, body)
			}
			if strings.Contains(body, serveToken) || strings.Contains(body, botToken) {
				t.Errorf("answer carries a secret:\n%s", body)
			}
		})
	}
	if n := len(f.slack.Messages()); n != 0 || f.feeds.Requests() != 0 {
		t.Fatalf("refused requests did work: %d messages, %d feed requests", n, f.feeds.Requests())
	}

	for _, m := range []string{http.MethodGet, http.MethodPut} {
		req, _ := http.NewRequest(m, r.url+"/run", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s /run = %d; want 405", m, resp.StatusCode)
		}
	}

	// Only usmca, then both topics: each story once.
	code, res, body := postRun(t, r.url+"/run?topic=usmca", "Bearer "+serveToken)
	if code != http.StatusOK || res.Items != 1 || res.Messages != 1 || res.Poll.Feeds != 1 || res.Poll.OK != 1 || res.Poll.ItemsNew != 4 {
		t.Errorf("POST /run?topic=usmca = %d %+v; want 200, 1 message carrying 1 item, poll of 1 feed with 4 new items:\n%s", code, res, body)
	}
	code, res, body = postRun(t, r.url+"/run?topic=cartels,USMCA&since=6h", "Bearer "+serveToken)
	if code != http.StatusOK || res.Items != 2 || res.Poll.NotModified != 1 || len(res.Channels) != 1 || res.Channels[0].Channel != "#mx-digest" {
		t.Errorf("second POST /run = %d %+v; want 200, the 2 cartels items, feed not modified:\n%s", code, res, body)
	}
	if got, want := fmt.Sprint(posted(f.slack)), fmt.Sprint(map[string]int{"0": 1, "1": 1, "2": 1}); got != want {
		t.Errorf("posted = %s; want %s", got, want)
	}
}

// TestRunReportsSlackFailure: a refused post answers 500 with the channel's
// error, and the items are posted by the next run.
func TestRunReportsSlackFailure(t *testing.T) {
	f := newFixture(t)
	r := start(t, f.config(t, yearly, yearly, "", ""))
	f.slack.FailNext(1, fakeslack.Failure{Error: "channel_not_found"})
	code, res, body := postRun(t, r.url+"/run", "")
	if code != http.StatusInternalServerError || res.Error == "" || len(res.Channels) != 1 || res.Channels[0].Error == "" || res.Messages != 0 {
		t.Errorf("POST /run with Slack refusing = %d %+v; want 500 naming the channel's error:\n%s", code, res, body)
	}
	if strings.Contains(body, botToken) {
		t.Errorf("answer carries the bot token:\n%s", body)
	}
	code, res, body = postRun(t, r.url+"/run", "")
	if code != http.StatusOK || res.Items != 3 {
		t.Errorf("POST /run after the failure = %d %+v; want 200 with the 3 items left over:\n%s", code, res, body)
	}
	_, mb := get(t, r.url+"/metrics")
	m := metricValues(t, mb)
	if m[`newsdigest_slack_errors_total{channel="#mx-digest"}`] != 1 || m[`newsdigest_digests_total{result="error"}`] != 1 {
		t.Errorf("metrics after one failure: slack_errors %v, digests error %v; want 1, 1",
			m[`newsdigest_slack_errors_total{channel="#mx-digest"}`], m[`newsdigest_digests_total{result="error"}`])
	}
	_, hb := get(t, r.url+"/healthz")
	var st serve.Status
	json.Unmarshal([]byte(hb), &st)
	if st.Digest.LastError != "" || st.Digest.LastSuccess.IsZero() {
		t.Errorf("healthz digest = %+v; want the last run's success", st.Digest)
	}
}

// TestConcurrentRunsPostOnce fires on-demand runs at once: every story is
// posted once in all.
func TestConcurrentRunsPostOnce(t *testing.T) {
	f := newFixture(t)
	r := start(t, f.config(t, yearly, yearly, "", ""))
	const n = 4
	results := make([]serve.RunResult, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { codes[i], results[i], _ = postRun(t, r.url+"/run", "") })
	}
	wg.Wait()
	items := 0
	for i := range n {
		if codes[i] != http.StatusOK {
			t.Errorf("run %d = %d; want 200", i, codes[i])
		}
		items += results[i].Items
	}
	if items != 3 {
		t.Errorf("items posted by %d concurrent runs = %d; want 3 in all", n, items)
	}
	if got, want := fmt.Sprint(posted(f.slack)), fmt.Sprint(map[string]int{"0": 1, "1": 1, "2": 1}); got != want {
		t.Errorf("posted = %s; want %s", got, want)
	}
}

// TestRunBesideServe: another process (its own store handle and pipeline)
// runs poll + deliver repeatedly while serve polls and posts every second;
// no story is posted twice.
func TestRunBesideServe(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(t, everySec, everySec, "", "")
	start(t, cfg)
	other, _ := pipelineFor(t, f.config(t, everySec, everySec, "", ""), io.Discard)
	ctx := context.Background()
	deadline := time.Now().Add(3 * time.Second)
	for i := 10; time.Now().Before(deadline); i++ {
		f.addItem(i, fmt.Sprintf("Cartel story %d", i))
		poll, err := other.Poll(ctx)
		if err != nil {
			t.Fatalf("other Poll: %v", err)
		}
		if _, err := other.Deliver(ctx, pipeline.DigestOptions{}, &poll); err != nil {
			t.Fatalf("other Deliver: %v", err)
		}
		time.Sleep(150 * time.Millisecond)
	}
	for id, n := range posted(f.slack) {
		if n != 1 {
			t.Errorf("item %s posted %d times; want once", id, n)
		}
	}
	if len(posted(f.slack)) < 4 {
		t.Errorf("posted %v; want at least the 3 first stories and one added", posted(f.slack))
	}
}

// slowProxy forwards to target's host after a delay, and signals each
// request as it arrives and each client that gave up waiting (dropping
// signals nobody waits for). It returns the URL to use instead of target.
func slowProxy(t *testing.T, target string, delay time.Duration) (proxyURL string, arrived, gaveUp <-chan struct{}) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	in, gone := make(chan struct{}, 16), make(chan struct{}, 16)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body first: then the server notices the client going away.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		select {
		case in <- struct{}{}:
		default:
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			select {
			case gone <- struct{}{}:
			default:
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + u.Path, in, gone
}

// TestShutdownLetsPostFinish cancels Run while a Slack post is in flight:
// the post completes and is recorded, and Run returns nil soon after.
func TestShutdownLetsPostFinish(t *testing.T) {
	f := newFixture(t)
	api, arrived, _ := slowProxy(t, f.slack.APIURL(), 600*time.Millisecond)
	r := start(t, f.config(t, yearly, yearly, "", api))
	type answer struct {
		code int
		res  serve.RunResult
	}
	ans := make(chan answer, 1)
	go func() {
		code, res, _ := postRun(t, r.url+"/run", "")
		ans <- answer{code, res}
	}()
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("no Slack post within 5s")
	}
	// A second run queued behind the first when shutdown begins is refused.
	queued := make(chan int, 1)
	go func() { code, _, _ := postRun(t, r.url+"/run", ""); queued <- code }()
	time.Sleep(100 * time.Millisecond)
	took := r.stop(t)
	t.Logf("shutdown with a post in flight took %v", took)
	if code := <-queued; code == http.StatusOK || f.feeds.Requests() != 1 {
		t.Errorf("run queued at shutdown = %d with %d feed requests in all; want it refused (503), 1 request", code, f.feeds.Requests())
	}
	if took < 400*time.Millisecond || took > 3*time.Second {
		t.Errorf("Run returned %v after cancel; want after the post (~600ms) and within 3s", took)
	}
	a := <-ans
	if a.code != http.StatusOK || a.res.Items != 3 {
		t.Errorf("in-flight POST /run = %d %+v; want 200 with 3 items", a.code, a.res)
	}
	d, err := r.p.Digest(context.Background(), pipeline.DigestOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Topics) != 0 {
		t.Errorf("after shutdown, undelivered topics = %+v; want none (the post was recorded)", d.Topics)
	}
	if code, _, _ := postRun(t, r.url+"/run", ""); code != 0 {
		t.Errorf("POST /run after shutdown answered %d; want the connection refused", code)
	}
}

// TestShutdownStartsNoNewMessage stops serve while the first of a digest's
// two messages is in flight: that one finishes and is recorded, the second
// is not started, and the next run posts it — each story once.
func TestShutdownStartsNoNewMessage(t *testing.T) {
	f := newFixture(t)
	api, arrived, _ := slowProxy(t, f.slack.APIURL(), 400*time.Millisecond)
	cfg := f.config(t, yearly, yearly, "", api)
	cfg.Digest.MaxPerTopic = 1 // the digest, then a thread reply
	r := start(t, cfg)
	code := make(chan int, 1)
	go func() { c, _, _ := postRun(t, r.url+"/run", ""); code <- c }()
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("no Slack post within 5s")
	}
	r.stop(t)
	if c := <-code; c != http.StatusInternalServerError {
		t.Errorf("POST /run stopped after its first message = %d; want 500 (not all posted)", c)
	}
	if n := len(f.slack.Messages()); n != 1 {
		t.Fatalf("Slack holds %d messages after the stop; want 1 (the one in flight, no new one)", n)
	}
	// The next process posts the rest.
	cfg2 := f.config(t, yearly, yearly, "", "")
	cfg2.Digest.MaxPerTopic = 1
	p, _ := pipelineFor(t, cfg2, io.Discard)
	poll, err := p.Poll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Deliver(context.Background(), pipeline.DigestOptions{}, &poll); err != nil {
		t.Fatal(err)
	}
	for id, n := range posted(f.slack) {
		if n != 1 {
			t.Errorf("item %s posted %d times; want once", id, n)
		}
	}
	if got := len(posted(f.slack)); got != 3 {
		t.Errorf("%d stories posted in all; want the 3", got)
	}
}

// TestShutdownDoesNotWaitPastGrace: with a Slack that never answers, Run
// returns after Grace; the post in flight is not cut short of the
// pipeline's PostTimeout, and its outcome is left for the next run to
// settle, never forgotten.
func TestShutdownDoesNotWaitPastGrace(t *testing.T) {
	f := newFixture(t)
	api, arrived, gaveUp := slowProxy(t, f.slack.APIURL(), time.Minute)
	r := start(t, f.config(t, yearly, yearly, "", api))
	r.srv.Grace = 300 * time.Millisecond
	r.p.PostTimeout = time.Second
	codec := make(chan int, 1)
	go func() { code, _, _ := postRun(t, r.url+"/run", ""); codec <- code }()
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("no Slack post within 5s")
	}
	began := time.Now()
	took := r.stop(t)
	if took > 2*time.Second {
		t.Errorf("Run returned %v after cancel with grace 300ms; want < 2s", took)
	}
	code := <-codec
	select {
	case <-gaveUp:
		if waited := time.Since(began); waited < 900*time.Millisecond {
			t.Errorf("the post in flight was given up %v after the stop; want it left to its 1s timeout", waited)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the post in flight was never given up")
	}
	if code != http.StatusInternalServerError && code != 0 {
		t.Errorf("POST /run cut by shutdown = %d; want 500 or no answer", code)
	}
	if n := len(f.slack.Messages()); n != 0 {
		t.Errorf("%d messages reached Slack; want 0 (the proxy never forwarded it)", n)
	}
	pending, err := r.st.PendingDeliveries(context.Background(), "#mx-digest")
	if err != nil || len(pending) != 1 {
		t.Errorf("pending deliveries after shutdown = %+v, %v; want the unanswered post, left for the next run", pending, err)
	}
}

func TestNewRefusesUnservableConfig(t *testing.T) {
	f := newFixture(t)
	good := f.config(t, yearly, yearly, "", "")
	p, _ := pipelineFor(t, good, io.Discard)
	tests := []struct {
		name string
		edit func(c *config.Config)
		want string
	}{
		{"no slack", func(c *config.Config) { c.Slack = config.Slack{} }, "slack"},
		{"no feeds", func(c *config.Config) { c.Feeds = nil }, "feeds"},
		{"bad poll schedule", func(c *config.Config) { c.Schedule.Poll = "every day" }, "schedule.poll"},
		{"bad digest schedule", func(c *config.Config) { c.Schedule.Digest = "61 * * * *" }, "schedule.digest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := *good
			tt.edit(&cfg)
			_, err := serve.New(&cfg, p, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "serve: ") {
				t.Errorf("New(%s) = %v; want an error naming %q", tt.name, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), botToken) {
				t.Errorf("error carries the bot token: %v", err)
			}
		})
	}
	s, err := serve.New(good, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := serveHealth(s); code != http.StatusServiceUnavailable || !strings.Contains(body, `"stopped"`) {
		t.Errorf("healthz before Run = %d %s; want 503 stopped", code, body)
	}
}
