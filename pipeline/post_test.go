package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/testlog"
	"github.com/newsdigest/newsdigest/slack"
	"github.com/newsdigest/newsdigest/store"
)

const postToken = "xoxb-1111-2222-SECRETtokenvalue"

// postFixture is a fake Slack with a joined #mx-digest (C1) and #mx-security
// (C2), a channel the bot is not in (#outside) and an archived one (C4); a
// real store holding items "a" to "f"; and a pipeline on them that retries 3
// times from a 1ms backoff, holds the posting lease and logs to logs.
func postFixture(t *testing.T) (*fakeslack.Server, *Pipeline, *lease, *testlog.Buffer) {
	f := fakeslack.New(t, postToken)
	f.AddChannel(fakeslack.Channel{ID: "C1", Name: "mx-digest", Member: true})
	f.AddChannel(fakeslack.Channel{ID: "C2", Name: "mx-security", Member: true})
	f.AddChannel(fakeslack.Channel{ID: "C3", Name: "outside"})
	f.AddChannel(fakeslack.Channel{ID: "C4", Name: "old", Member: true, Archived: true})
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "nd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	feed := newsdigest.Feed{Name: "Wire", URL: "https://wire.example/rss"}
	pf := store.PollFeed{Feed: feed, PolledAt: time.Now(), Status: 200}
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		pf.Items = append(pf.Items, store.PollItem{Item: newsdigest.Item{ID: id, FeedURL: feed.URL, Title: id, Link: "https://wire.example/" + id, Published: time.Now()},
			Matches: []newsdigest.Match{{Topic: "t", Score: 1}}})
	}
	if _, err := st.SavePoll(ctx, []store.PollFeed{pf}); err != nil {
		t.Fatal(err)
	}
	logs := &testlog.Buffer{}
	p := &Pipeline{
		store:  st,
		logger: slog.New(slog.NewTextHandler(logs, nil)),
		Retry:  Retry{Max: 3, Base: time.Millisecond, MaxWait: 2 * time.Second},
		Now:    time.Now,
	}
	l, err := p.acquireLease(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.release)
	return f, p, l, logs
}

// bot is the Slack endpoint of a bot token on fake.
func bot(fake *fakeslack.Server) slackEndpoint {
	b := slack.NewBot(postToken, fake.APIURL(), nil)
	return slackEndpoint{poster: b, finder: b, threads: true}
}

// delivered lists, in order, the items of "a" to "f" the store holds as
// delivered to channel.
func delivered(t *testing.T, p *Pipeline, channel string) []string {
	t.Helper()
	cands, err := p.store.Candidates(context.Background(), store.CandidateQuery{Channel: channel})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, id := range []string{"a", "b", "c", "d", "e", "f"} {
		if !slices.ContainsFunc(cands, func(c newsdigest.Candidate) bool { return c.Item.ID == id }) {
			out = append(out, id)
		}
	}
	return out
}

func TestPostAllThreads(t *testing.T) {
	fake, p, l, _ := postFixture(t)
	msgs := []slack.Message{
		{Text: "digest", ItemIDs: []string{"a"}},
		{Text: "more", ItemIDs: []string{"b", "c"}, Thread: true},
	}
	posted, err := p.post(context.Background(), bot(fake), l, "#mx-digest", msgs, nil)
	if err != nil || posted != 2 {
		t.Fatalf("post() = %d, %v; want 2, nil", posted, err)
	}
	got := fake.Messages()
	if len(got) != 2 || got[0].ThreadTS != "" || got[1].ThreadTS != got[0].TS {
		t.Fatalf("Slack got %+v; want the digest, then a reply under it", got)
	}
	if got := delivered(t, p, "#mx-digest"); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("delivered %v; want a, b, c", got)
	}
	if id, _ := p.store.ChannelID(context.Background(), "#mx-digest"); id != "C1" {
		t.Errorf("ChannelID(#mx-digest) = %q; want C1, learnt from Slack's answer", id)
	}
}

func TestPostAllRetries(t *testing.T) {
	msgs := []slack.Message{{Text: "hello", ItemIDs: []string{"a"}}}
	tests := []struct {
		name      string
		channel   string
		failures  []fakeslack.Failure // answered in turn, before normal handling
		forever   *fakeslack.Failure  // answered to every call
		wantErr   []string            // substrings of the error; nil means success
		wantCalls int
	}{
		{name: "ok", channel: "#mx-digest", wantCalls: 1},
		{name: "500 twice then ok", channel: "#mx-digest", failures: []fakeslack.Failure{{Status: 500, Body: "<html>oops</html>"}, {Status: 503}}, wantCalls: 3},
		{name: "429 then ok", channel: "#mx-digest", failures: []fakeslack.Failure{{Status: 429, RetryAfter: "0"}}, wantCalls: 2},
		{name: "ratelimited in a 200", channel: "#mx-digest", failures: []fakeslack.Failure{{Error: "ratelimited"}}, wantCalls: 2},
		{name: "500 forever", channel: "#mx-digest", forever: &fakeslack.Failure{Status: 500},
			wantErr: []string{`channel "#mx-digest"`, "http_500", "after 4 tries"}, wantCalls: 4},
		{name: "channel_not_found", channel: "#nope",
			wantErr: []string{`slack: channel "#nope"`, "channel_not_found", "slack.channel"}, wantCalls: 1},
		{name: "not_in_channel", channel: "#outside",
			wantErr: []string{`channel "#outside"`, "not_in_channel", "invite the bot"}, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, p, l, _ := postFixture(t)
			for i, f := range tt.failures {
				fake.Fail(i+1, 1, f)
			}
			if tt.forever != nil {
				fake.Fail(1, -1, *tt.forever)
			}
			// Retries alone: no look in the channel between them.
			posted, err := p.post(context.Background(), slackEndpoint{poster: slack.NewBot(postToken, fake.APIURL(), nil)}, l, tt.channel, msgs, nil)
			got := delivered(t, p, tt.channel)
			if tt.wantErr == nil {
				if err != nil || posted != 1 || len(got) != 1 {
					t.Errorf("post() = %d, %v, delivered %v; want 1, nil, [a]", posted, err, got)
				}
			} else {
				if err == nil || posted != 0 || len(got) != 0 {
					t.Fatalf("post() = %d, %v, delivered %v; want 0, an error, none", posted, err, got)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("post() error %q lacks %q", err, w)
					}
				}
				var se *slack.Error
				if !errors.As(err, &se) {
					t.Errorf("post() error %q is not a *slack.Error", err)
				}
			}
			if got := fake.Calls(); got != tt.wantCalls {
				t.Errorf("Slack got %d calls; want %d", got, tt.wantCalls)
			}
		})
	}
}

// TestRetryAfterWaits checks that a 429's Retry-After is honoured.
func TestRetryAfterWaits(t *testing.T) {
	fake, p, l, _ := postFixture(t)
	fake.FailNext(1, fakeslack.Failure{Status: 429, RetryAfter: "1"})
	start := time.Now()
	posted, err := p.post(context.Background(), bot(fake), l, "#mx-digest", []slack.Message{{Text: "hi"}}, nil)
	if err != nil || posted != 1 {
		t.Fatalf("post() = %d, %v; want 1, nil", posted, err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("post() after a 429 with Retry-After: 1 took %v; want at least 1s", waited)
	}
}

// TestRetryAfterCeiling: Slack asking for an hour's wait is not waited out
// for a minute and retried (which Slack would refuse again), nor waited out
// in full: the digest stops and says why.
func TestRetryAfterCeiling(t *testing.T) {
	fake, p, l, _ := postFixture(t)
	fake.FailNext(1, fakeslack.Failure{Status: 429, RetryAfter: "3600"})
	start := time.Now()
	_, err := p.post(context.Background(), bot(fake), l, "#mx-digest", []slack.Message{{Text: "hi", ItemIDs: []string{"a"}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "Slack asked to wait 1h0m0s") || time.Since(start) > 5*time.Second || fake.Calls() != 1 {
		t.Errorf("post() after Retry-After: 3600 = %v after %v and %d calls; want an error at once saying so", err, time.Since(start), fake.Calls())
	}
	if ds, _ := p.store.PendingDeliveries(context.Background(), "#mx-digest"); len(ds) != 0 {
		t.Errorf("pending after a refused post = %+v; want none (abandoned: Slack did not post it)", ds)
	}
}

// TestRetryAfterRespectsContext checks that a long Retry-After is cut short
// by the context.
func TestRetryAfterRespectsContext(t *testing.T) {
	fake, p, l, _ := postFixture(t)
	fake.FailNext(1, fakeslack.Failure{Status: 429, RetryAfter: "30"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.post(ctx, bot(fake), l, "#mx-digest", []slack.Message{{Text: "hi"}}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("post() = %v; want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("post() took %v; want it to stop with the context", took)
	}
}

// TestPostAllMidway fails the second of three messages: only the first is
// recorded.
func TestPostAllMidway(t *testing.T) {
	fake, p, l, _ := postFixture(t)
	msgs := []slack.Message{
		{Text: "one", ItemIDs: []string{"a", "b"}},
		{Text: "two", ItemIDs: []string{"c"}},
		{Text: "three", ItemIDs: []string{"d"}},
	}
	fake.Fail(2, -1, fakeslack.Failure{Error: "channel_not_found"})
	posted, err := p.post(context.Background(), bot(fake), l, "#mx-digest", msgs, nil)
	if err == nil || posted != 1 {
		t.Fatalf("post() = %d, %v; want 1 and an error", posted, err)
	}
	if got := delivered(t, p, "#mx-digest"); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("delivered %v; want exactly message 1's (a, b)", got)
	}
}

// TestStopStartsNoNewMessage: once ctx is done, no message is started, and
// the one in flight is finished and recorded.
func TestStopStartsNoNewMessage(t *testing.T) {
	fake, p, l, _ := postFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fake.OnAccept(func(m fakeslack.Message) fakeslack.Fault {
		if m.Text == "one" {
			cancel() // the stop arrives while Slack processes the first message
			return fakeslack.Fault{Delay: 200 * time.Millisecond}
		}
		return fakeslack.Fault{}
	})
	msgs := []slack.Message{{Text: "one", ItemIDs: []string{"a"}}, {Text: "two", ItemIDs: []string{"b"}}}
	posted, err := p.post(ctx, bot(fake), l, "#mx-digest", msgs, nil)
	if !errors.Is(err, context.Canceled) || posted != 1 || len(fake.Messages()) != 1 {
		t.Fatalf("post() stopped mid-post = %d posted, %v, Slack holds %d; want 1, context.Canceled, 1", posted, err, len(fake.Messages()))
	}
	if got := delivered(t, p, "#mx-digest"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("delivered %v; want the message in flight recorded (a)", got)
	}
}

// TestStoreFailureStopsPosting stops posting when a delivery cannot be
// written to the store.
func TestStoreFailureStopsPosting(t *testing.T) {
	fake, p, l, _ := postFixture(t)
	fake.OnAccept(func(fakeslack.Message) fakeslack.Fault {
		p.store.Close() // the disk is gone once Slack has the first message
		return fakeslack.Fault{}
	})
	posted, err := p.post(context.Background(), bot(fake), l, "#mx-digest",
		[]slack.Message{{Text: "one", ItemIDs: []string{"a"}}, {Text: "two", ItemIDs: []string{"b"}}}, nil)
	if err == nil || posted != 0 || !strings.Contains(err.Error(), "record delivery") {
		t.Errorf("post() with the store gone = %d, %v; want 0 and the store's error", posted, err)
	}
	if got := len(fake.Messages()); got != 1 {
		t.Errorf("Slack got %d messages; want 1 (stop when a delivery cannot be recorded)", got)
	}
}

// TestRetryLogsNoSecret: what the retries log names no token or webhook URL.
func TestRetryLogsNoSecret(t *testing.T) {
	fake, p, l, logs := postFixture(t)
	hook := fake.WebhookURL()
	fake.Fail(1, -1, fakeslack.Failure{Status: 500, Body: "error at " + hook + " with " + postToken})
	for _, out := range []slackEndpoint{bot(fake), {poster: slack.NewWebhook(hook, nil)}} {
		if _, err := p.post(context.Background(), out, l, "#mx-digest", []slack.Message{{Text: "hi"}}, nil); err == nil {
			t.Fatal("post() = nil; want an error")
		}
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Fatalf("logs = %q; want the retries logged", logs)
	}
	for _, s := range []string{postToken, hook[strings.Index(hook, "/services/"):]} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("logs contain the secret %q:\n%s", s, logs)
		}
	}
}
