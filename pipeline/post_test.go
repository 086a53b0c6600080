package pipeline

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/slack"
)

const postToken = "xoxb-1111-2222-SECRETtokenvalue"

// delivery is one recorded message.
type delivery struct {
	channel, ts string
	ids         []string
}

// recorder keeps recorded messages in memory and checks, when asked to
// record one, that the fake Slack really holds it.
type recorder struct {
	t    *testing.T
	fake *fakeslack.Server
	mu   sync.Mutex
	got  []delivery
	fail error
}

func (r *recorder) record(ctx context.Context, channel, ts string, ids []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fake != nil && ts != "" && !slices.ContainsFunc(r.fake.Messages(), func(m fakeslack.Message) bool { return m.TS == ts }) {
		r.t.Errorf("record(%q, %q) before Slack accepted that message", channel, ts)
	}
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, delivery{channel, ts, append([]string(nil), ids...)})
	return nil
}

// postFixture is a fake Slack with a joined #mx-digest (C1) and #mx-security
// (C2), a channel the bot is not in (#outside) and an archived one (C4), and
// a pipeline that retries 3 times from a 1ms backoff and logs to logs.
func postFixture(t *testing.T) (*fakeslack.Server, *Pipeline, *bytes.Buffer) {
	f := fakeslack.New(t, postToken)
	f.AddChannel(fakeslack.Channel{ID: "C1", Name: "mx-digest", Member: true})
	f.AddChannel(fakeslack.Channel{ID: "C2", Name: "mx-security", Member: true})
	f.AddChannel(fakeslack.Channel{ID: "C3", Name: "outside"})
	f.AddChannel(fakeslack.Channel{ID: "C4", Name: "old", Member: true, Archived: true})
	logs := &bytes.Buffer{}
	p := &Pipeline{
		logger: slog.New(slog.NewTextHandler(logs, nil)),
		Retry:  Retry{Max: 3, Base: time.Millisecond, MaxWait: 2 * time.Second},
		Now:    time.Now,
	}
	return f, p, logs
}

func TestPostAllThreads(t *testing.T) {
	fake, p, _ := postFixture(t)
	rec := &recorder{t: t, fake: fake}
	msgs := []slack.Message{
		{Text: "digest", ItemIDs: []string{"a"}},
		{Text: "more", ItemIDs: []string{"b", "c"}, Thread: true},
	}
	posted, err := p.postAll(context.Background(), slack.NewBot(postToken, fake.APIURL(), nil), "#mx-digest", msgs, rec.record)
	if err != nil || posted != 2 {
		t.Fatalf("postAll() = %d, %v; want 2, nil", posted, err)
	}
	got := fake.Messages()
	if len(got) != 2 || got[0].ThreadTS != "" || got[1].ThreadTS != got[0].TS {
		t.Fatalf("Slack got %+v; want the digest, then a reply under it", got)
	}
	want := []delivery{{"#mx-digest", got[0].TS, []string{"a"}}, {"#mx-digest", got[1].TS, []string{"b", "c"}}}
	for i := range want {
		if i >= len(rec.got) || rec.got[i].ts != want[i].ts || !slices.Equal(rec.got[i].ids, want[i].ids) {
			t.Fatalf("recorded %+v; want %+v", rec.got, want)
		}
	}
}

func TestPostAllRetries(t *testing.T) {
	msgs := []slack.Message{{Text: "hello"}}
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
			fake, p, _ := postFixture(t)
			for i, f := range tt.failures {
				fake.Fail(i+1, 1, f)
			}
			if tt.forever != nil {
				fake.Fail(1, -1, *tt.forever)
			}
			rec := &recorder{t: t, fake: fake}
			posted, err := p.postAll(context.Background(), slack.NewBot(postToken, fake.APIURL(), nil), tt.channel, msgs, rec.record)
			if tt.wantErr == nil {
				if err != nil || posted != 1 || len(rec.got) != 1 {
					t.Errorf("postAll() = %d, %v, %d recorded; want 1, nil, 1", posted, err, len(rec.got))
				}
			} else {
				if err == nil || posted != 0 || len(rec.got) != 0 {
					t.Fatalf("postAll() = %d, %v, %d recorded; want 0, an error, none", posted, err, len(rec.got))
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("postAll() error %q lacks %q", err, w)
					}
				}
				var se *slack.Error
				if !errors.As(err, &se) {
					t.Errorf("postAll() error %q is not a *slack.Error", err)
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
	fake, p, _ := postFixture(t)
	fake.FailNext(1, fakeslack.Failure{Status: 429, RetryAfter: "1"})
	start := time.Now()
	posted, err := p.postAll(context.Background(), slack.NewBot(postToken, fake.APIURL(), nil), "#mx-digest", []slack.Message{{Text: "hi"}}, (&recorder{t: t}).record)
	if err != nil || posted != 1 {
		t.Fatalf("postAll() = %d, %v; want 1, nil", posted, err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("postAll() after a 429 with Retry-After: 1 took %v; want at least 1s", waited)
	}
}

// TestRetryAfterRespectsContext checks that a long Retry-After is cut short
// by the context.
func TestRetryAfterRespectsContext(t *testing.T) {
	fake, p, _ := postFixture(t)
	p.Retry.MaxWait = time.Minute
	fake.FailNext(1, fakeslack.Failure{Status: 429, RetryAfter: "30"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.postAll(ctx, slack.NewBot(postToken, fake.APIURL(), nil), "#mx-digest", []slack.Message{{Text: "hi"}}, (&recorder{t: t}).record)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("postAll() = %v; want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("postAll() took %v; want it to stop with the context", took)
	}
}

// TestPostAllMidway fails the second of three messages: only the first is
// recorded.
func TestPostAllMidway(t *testing.T) {
	fake, p, _ := postFixture(t)
	rec := &recorder{t: t, fake: fake}
	msgs := []slack.Message{
		{Text: "one", ItemIDs: []string{"a", "b"}},
		{Text: "two", ItemIDs: []string{"c"}},
		{Text: "three", ItemIDs: []string{"d"}},
	}
	fake.Fail(2, -1, fakeslack.Failure{Status: 500})
	posted, err := p.postAll(context.Background(), slack.NewBot(postToken, fake.APIURL(), nil), "#mx-digest", msgs, rec.record)
	if err == nil || posted != 1 {
		t.Fatalf("postAll() = %d, %v; want 1 and an error", posted, err)
	}
	if len(rec.got) != 1 || !slices.Equal(rec.got[0].ids, []string{"a", "b"}) {
		t.Fatalf("recorded %+v; want exactly message 1 (a, b)", rec.got)
	}
}

// TestPostAllRecordError stops posting when a delivery cannot be recorded.
func TestPostAllRecordError(t *testing.T) {
	fake, p, _ := postFixture(t)
	rec := &recorder{t: t, fake: fake, fail: errors.New("store: database is locked")}
	posted, err := p.postAll(context.Background(), slack.NewBot(postToken, fake.APIURL(), nil), "#mx-digest",
		[]slack.Message{{Text: "one"}, {Text: "two"}}, rec.record)
	if err == nil || posted != 1 || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("postAll() with a failing recorder = %d, %v; want 1 and the store's error", posted, err)
	}
	if got := len(fake.Messages()); got != 1 {
		t.Errorf("Slack got %d messages; want 1 (stop when a delivery cannot be recorded)", got)
	}
}

// TestRetryLogsNoSecret: what the retries log names no token or webhook URL.
func TestRetryLogsNoSecret(t *testing.T) {
	fake, p, logs := postFixture(t)
	hook := fake.WebhookURL()
	fake.Fail(1, -1, fakeslack.Failure{Status: 500, Body: "error at " + hook + " with " + postToken})
	for _, poster := range []Poster{slack.NewBot(postToken, fake.APIURL(), nil), slack.NewWebhook(hook, nil)} {
		if _, err := p.postAll(context.Background(), poster, "#mx-digest", []slack.Message{{Text: "hi"}}, (&recorder{t: t}).record); err == nil {
			t.Fatal("postAll() = nil; want an error")
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
