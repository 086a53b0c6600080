package digest

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
)

const testToken = "xoxb-1111-2222-SECRETtokenvalue"

// delivery is one RecordDelivery call.
type delivery struct {
	channel, ts string
	ids         []string
}

// recorder is an in-memory Recorder that checks, when asked to record a
// message, that the fake Slack really holds it.
type recorder struct {
	t    *testing.T
	fake *fakeslack.Server
	mu   sync.Mutex
	got  []delivery
	fail error
}

func (r *recorder) RecordDelivery(ctx context.Context, channel, ts string, ids []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fake != nil {
		msgs := r.fake.Messages()
		confirmed := slices.ContainsFunc(msgs, func(m fakeslack.Message) bool { return m.TS == ts })
		if !confirmed {
			r.t.Errorf("RecordDelivery(%q, %q) before Slack accepted that message", channel, ts)
		}
	}
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, delivery{channel, ts, append([]string(nil), ids...)})
	return nil
}

// newFake is a fake Slack with a joined #mx-digest (C1), #mx-security (C2),
// a channel the bot is not in (C3) and an archived one (C4).
func newFake(t *testing.T) *fakeslack.Server {
	f := fakeslack.New(t, testToken)
	f.AddChannel(fakeslack.Channel{ID: "C1", Name: "mx-digest", Member: true})
	f.AddChannel(fakeslack.Channel{ID: "C2", Name: "mx-security", Member: true})
	f.AddChannel(fakeslack.Channel{ID: "C3", Name: "outside"})
	f.AddChannel(fakeslack.Channel{ID: "C4", Name: "old", Member: true, Archived: true})
	return f
}

// fast are retry settings for tests: 3 retries, 1ms first backoff.
func fast(logs *bytes.Buffer) []PosterOption {
	opts := []PosterOption{WithRetry(3, time.Millisecond, 2*time.Second)}
	if logs != nil {
		opts = append(opts, WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	return opts
}

func TestDeliverBot(t *testing.T) {
	fake := newFake(t)
	rec := &recorder{t: t, fake: fake}
	p := NewBotPoster(testToken, strings.TrimSuffix(fake.APIURL(), "/"), fast(nil)...)
	msgs := Build(sampleInput()).SlackMessages(SlackOptions{MaxPerTopic: 2, Threads: true})
	posted, err := Deliver(context.Background(), p, rec, "#mx-digest", msgs)
	if err != nil || posted != 2 {
		t.Fatalf("Deliver() = %d, %v; want 2, nil", posted, err)
	}
	got := fake.Messages()
	if len(got) != 2 {
		t.Fatalf("Slack got %d messages; want 2", len(got))
	}
	first, reply := got[0], got[1]
	if first.Channel != "C1" || first.ThreadTS != "" || reply.ThreadTS != first.TS {
		t.Errorf("messages posted to %s (thread %q), reply thread %q; want C1, top level, reply under %q", first.Channel, first.ThreadTS, reply.ThreadTS, first.TS)
	}
	for i, m := range got {
		if m.UnfurlLinks == nil || *m.UnfurlLinks || m.UnfurlMedia == nil || *m.UnfurlMedia {
			t.Errorf("message %d: unfurl_links %v, unfurl_media %v; want both false", i+1, m.UnfurlLinks, m.UnfurlMedia)
		}
		if m.Text != msgs[i].Text {
			t.Errorf("message %d: text %q; want %q", i+1, m.Text, msgs[i].Text)
		}
	}
	want := []delivery{{"#mx-digest", first.TS, msgs[0].ItemIDs}, {"#mx-digest", reply.TS, msgs[1].ItemIDs}}
	if len(rec.got) != len(want) {
		t.Fatalf("recorded %+v; want %+v", rec.got, want)
	}
	for i := range want {
		if rec.got[i].channel != want[i].channel || rec.got[i].ts != want[i].ts || !slices.Equal(rec.got[i].ids, want[i].ids) {
			t.Errorf("delivery %d = %+v; want %+v", i+1, rec.got[i], want[i])
		}
	}
}

// TestDeliverHuge posts a 500-story digest: Slack accepts every message.
func TestDeliverHuge(t *testing.T) {
	fake := newFake(t)
	rec := &recorder{t: t}
	d := Build(hugeInput(500))
	msgs := d.SlackMessages(SlackOptions{MaxPerTopic: 8, Threads: true})
	posted, err := Deliver(context.Background(), NewBotPoster(testToken, fake.APIURL(), fast(nil)...), rec, "C2", msgs)
	if err != nil || posted != len(msgs) {
		t.Fatalf("Deliver(%d messages) = %d, %v; want all posted", len(msgs), posted, err)
	}
	var ids []string
	for _, r := range rec.got {
		ids = append(ids, r.ids...)
	}
	if len(ids) != len(d.ItemIDs()) {
		t.Errorf("recorded %d items; want %d", len(ids), len(d.ItemIDs()))
	}
}

func TestDeliverRetries(t *testing.T) {
	msgs := []Message{{Text: "hello"}}
	tests := []struct {
		name      string
		channel   string
		failures  []fakeslack.Failure // answered in turn, before normal handling
		forever   *fakeslack.Failure  // answered to every call
		wantErr   []string            // substrings of the error; nil means success
		wantCalls int
	}{
		{name: "ok", channel: "#mx-digest", wantCalls: 1},
		{name: "by ID", channel: "C1", wantCalls: 1},
		{name: "500 twice then ok", channel: "#mx-digest", failures: []fakeslack.Failure{{Status: 500, Body: "<html>oops</html>"}, {Status: 503}}, wantCalls: 3},
		{name: "429 then ok", channel: "#mx-digest", failures: []fakeslack.Failure{{Status: 429, RetryAfter: "0"}}, wantCalls: 2},
		{name: "429 without Retry-After", channel: "#mx-digest", failures: []fakeslack.Failure{{Status: 429}}, wantCalls: 2},
		{name: "ratelimited in a 200", channel: "#mx-digest", failures: []fakeslack.Failure{{Error: "ratelimited"}}, wantCalls: 2},
		{name: "internal_error then ok", channel: "#mx-digest", failures: []fakeslack.Failure{{Error: "internal_error"}}, wantCalls: 2},
		{name: "500 forever", channel: "#mx-digest", forever: &fakeslack.Failure{Status: 500},
			wantErr: []string{`channel "#mx-digest"`, "http_500", "after 4 tries"}, wantCalls: 4},
		{name: "channel_not_found", channel: "#nope",
			wantErr: []string{`slack: channel "#nope"`, "channel_not_found", "slack.channel"}, wantCalls: 1},
		{name: "not_in_channel", channel: "#outside",
			wantErr: []string{`channel "#outside"`, "not_in_channel", "invite the bot"}, wantCalls: 1},
		{name: "is_archived", channel: "C4",
			wantErr: []string{`channel "C4"`, "is_archived", "slack.channel"}, wantCalls: 1},
		{name: "invalid_blocks", channel: "#mx-digest", failures: []fakeslack.Failure{{Error: "invalid_blocks"}},
			wantErr: []string{"invalid_blocks", "newsdigest bug"}, wantCalls: 1},
		{name: "403 with JSON body", channel: "#mx-digest", failures: []fakeslack.Failure{{Status: 403, Error: "missing_scope"}},
			wantErr: []string{"missing_scope", "chat:write"}, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			for i, f := range tt.failures {
				fake.Fail(i+1, 1, f)
			}
			if tt.forever != nil {
				fake.Fail(1, -1, *tt.forever)
			}
			rec := &recorder{t: t, fake: fake}
			posted, err := Deliver(context.Background(), NewBotPoster(testToken, fake.APIURL(), fast(nil)...), rec, tt.channel, msgs)
			if tt.wantErr == nil {
				if err != nil || posted != 1 || len(rec.got) != 1 {
					t.Errorf("Deliver() = %d, %v, %d recorded; want 1, nil, 1", posted, err, len(rec.got))
				}
			} else {
				if err == nil || posted != 0 || len(rec.got) != 0 {
					t.Fatalf("Deliver() = %d, %v, %d recorded; want 0, an error, none", posted, err, len(rec.got))
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("Deliver() error %q lacks %q", err, w)
					}
				}
				if !strings.HasPrefix(err.Error(), "digest: ") {
					t.Errorf("Deliver() error %q; want a \"digest: \" prefix", err)
				}
				var pe *PostError
				if !errors.As(err, &pe) {
					t.Errorf("Deliver() error %q is not a *PostError", err)
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
	fake := newFake(t)
	fake.FailNext(1, fakeslack.Failure{Status: 429, RetryAfter: "1"})
	start := time.Now()
	ts, err := NewBotPoster(testToken, fake.APIURL(), fast(nil)...).Post(context.Background(), "#mx-digest", "", Message{Text: "hi"})
	if err != nil || ts == "" {
		t.Fatalf("Post() = %q, %v; want a ts", ts, err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("Post() after a 429 with Retry-After: 1 took %v; want at least 1s", waited)
	}
}

// TestRetryAfterRespectsContext checks that a long Retry-After is cut short
// by the context.
func TestRetryAfterRespectsContext(t *testing.T) {
	fake := newFake(t)
	fake.FailNext(1, fakeslack.Failure{Status: 429, RetryAfter: "30"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	p := NewBotPoster(testToken, fake.APIURL(), WithRetry(3, time.Millisecond, time.Minute))
	_, err := p.Post(ctx, "#mx-digest", "", Message{Text: "hi"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Post() = %v; want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Post() took %v; want it to stop with the context", took)
	}
}

// TestDeliverMidway fails the second of three messages: only the first is
// recorded, and a second run posts the rest without re-posting it.
func TestDeliverMidway(t *testing.T) {
	fake := newFake(t)
	rec := &recorder{t: t, fake: fake}
	msgs := []Message{
		{Text: "one", ItemIDs: []string{"a", "b"}},
		{Text: "two", ItemIDs: []string{"c"}},
		{Text: "three", ItemIDs: []string{"d"}},
	}
	fake.Fail(2, -1, fakeslack.Failure{Status: 500})
	p := NewBotPoster(testToken, fake.APIURL(), fast(nil)...)
	posted, err := Deliver(context.Background(), p, rec, "#mx-digest", msgs)
	if err == nil || posted != 1 {
		t.Fatalf("Deliver() = %d, %v; want 1 and an error", posted, err)
	}
	if len(rec.got) != 1 || !slices.Equal(rec.got[0].ids, []string{"a", "b"}) {
		t.Fatalf("recorded %+v; want exactly message 1 (a, b)", rec.got)
	}

	// The next run carries only what was not recorded.
	fake2 := newFake(t)
	rec2 := &recorder{t: t, fake: fake2}
	delivered := map[string]bool{}
	for _, d := range rec.got {
		for _, id := range d.ids {
			delivered[id] = true
		}
	}
	var rest []Message
	for _, m := range msgs {
		if !slices.ContainsFunc(m.ItemIDs, func(id string) bool { return delivered[id] }) {
			rest = append(rest, m)
		}
	}
	posted, err = Deliver(context.Background(), NewBotPoster(testToken, fake2.APIURL(), fast(nil)...), rec2, "#mx-digest", rest)
	if err != nil || posted != 2 {
		t.Fatalf("second Deliver() = %d, %v; want 2, nil", posted, err)
	}
	var texts []string
	for _, m := range fake2.Messages() {
		texts = append(texts, m.Text)
	}
	if want := []string{"two", "three"}; !slices.Equal(texts, want) {
		t.Errorf("second run posted %q; want %q", texts, want)
	}
}

func TestDeliverRecordError(t *testing.T) {
	fake := newFake(t)
	rec := &recorder{t: t, fake: fake, fail: errors.New("store: database is locked")}
	posted, err := Deliver(context.Background(), NewBotPoster(testToken, fake.APIURL(), fast(nil)...), rec, "#mx-digest",
		[]Message{{Text: "one"}, {Text: "two"}})
	if err == nil || posted != 1 || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("Deliver() with a failing recorder = %d, %v; want 1 and the store's error", posted, err)
	}
	if got := len(fake.Messages()); got != 1 {
		t.Errorf("Slack got %d messages; want 1 (stop when a delivery cannot be recorded)", got)
	}
}

func TestDeliverWebhook(t *testing.T) {
	fake := newFake(t)
	rec := &recorder{t: t}
	msgs := Build(sampleInput()).SlackMessages(SlackOptions{MaxPerTopic: 2})
	posted, err := Deliver(context.Background(), NewWebhookPoster(fake.WebhookURL(), fast(nil)...), rec, "#ignored", msgs)
	if err != nil || posted != len(msgs) {
		t.Fatalf("Deliver(webhook) = %d, %v; want %d, nil", posted, err, len(msgs))
	}
	got := fake.Messages()
	if len(got) != 1 || !got[0].Webhook || got[0].Text != msgs[0].Text {
		t.Fatalf("webhook got %+v; want the one message", got)
	}
	if m := got[0]; m.UnfurlLinks == nil || *m.UnfurlLinks || m.UnfurlMedia == nil || *m.UnfurlMedia {
		t.Errorf("webhook message unfurl_links %v, unfurl_media %v; want both false", m.UnfurlLinks, m.UnfurlMedia)
	}
	if len(rec.got) != 1 || rec.got[0].ts != "" || !slices.Equal(rec.got[0].ids, msgs[0].ItemIDs) {
		t.Errorf("recorded %+v; want one delivery with ts \"\" and %v", rec.got, msgs[0].ItemIDs)
	}

	tests := []struct {
		name      string
		f         fakeslack.Failure
		n         int
		wantErr   []string
		wantCalls int
	}{
		{"403 invalid_token", fakeslack.Failure{Status: 403, Body: "invalid_token"}, 1, []string{"invalid_token", "slack.webhook_url"}, 1},
		{"404 no_service", fakeslack.Failure{Status: 404, Body: "no_service"}, 1, []string{"no_service", "slack.webhook_url"}, 1},
		{"410 channel_is_archived", fakeslack.Failure{Status: 410, Body: "channel_is_archived"}, 1, []string{"channel_is_archived"}, 1},
		{"500 then ok", fakeslack.Failure{Status: 500}, 1, nil, 2},
		{"429 then ok", fakeslack.Failure{Status: 429, RetryAfter: "0"}, 1, nil, 2},
		{"500 forever", fakeslack.Failure{Status: 502}, -1, []string{"http_502", "after 4 tries"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			fake.Fail(1, tt.n, tt.f)
			_, err := NewWebhookPoster(fake.WebhookURL(), fast(nil)...).Post(context.Background(), "", "", Message{Text: "hi"})
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("Post() = %v; want success", err)
			case tt.wantErr != nil && err == nil:
				t.Errorf("Post() = nil; want an error with %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if err != nil && !strings.Contains(err.Error(), w) {
					t.Errorf("Post() error %q lacks %q", err, w)
				}
			}
			if got := fake.Calls(); got != tt.wantCalls {
				t.Errorf("webhook got %d calls; want %d", got, tt.wantCalls)
			}
		})
	}
}

// TestSecretsNeverLeak forces every error path and checks that neither the
// token nor the webhook URL appears in the error or the logs.
func TestSecretsNeverLeak(t *testing.T) {
	tests := []struct {
		name    string
		webhook bool
		setup   func(f *fakeslack.Server)
		token   string
	}{
		{name: "bot invalid_auth", token: "xoxb-9999-WRONGsecretTOKEN"},
		{name: "bot 500 echoing the token", setup: func(f *fakeslack.Server) {
			f.Fail(1, -1, fakeslack.Failure{Status: 500, Body: "bad token " + testToken})
		}},
		{name: "bot 400 echoing the token", setup: func(f *fakeslack.Server) {
			f.Fail(1, -1, fakeslack.Failure{Status: 400, Body: testToken})
		}},
		{name: "bot network error", setup: func(f *fakeslack.Server) { f.Close() }},
		{name: "bot channel_not_found", setup: func(f *fakeslack.Server) {
			f.Fail(1, -1, fakeslack.Failure{Error: "channel_not_found"})
		}},
		{name: "webhook 404", webhook: true, setup: func(f *fakeslack.Server) {
			f.Fail(1, -1, fakeslack.Failure{Status: 404, Body: "no_service"})
		}},
		{name: "webhook 500 echoing the URL", webhook: true, setup: func(f *fakeslack.Server) {
			f.Fail(1, -1, fakeslack.Failure{Status: 500, Body: "error at " + f.WebhookURL()})
		}},
		{name: "webhook network error", webhook: true, setup: func(f *fakeslack.Server) { f.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			hook := fake.WebhookURL()
			if tt.setup != nil {
				tt.setup(fake)
			}
			var logs bytes.Buffer
			var p Poster
			secrets := []string{testToken, hook[strings.Index(hook, "/services/"):]}
			if tt.webhook {
				p = NewWebhookPoster(hook, fast(&logs)...)
			} else {
				tok := testToken
				if tt.token != "" {
					tok = tt.token
					secrets = append(secrets, tok)
				}
				p = NewBotPoster(tok, fake.APIURL(), fast(&logs)...)
			}
			_, err := Deliver(context.Background(), p, &recorder{t: t}, "#mx-digest", []Message{{Text: "hi"}})
			if err == nil {
				t.Fatal("Deliver() = nil; want an error")
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains the secret %q", err, s)
				}
				if strings.Contains(logs.String(), s) {
					t.Errorf("logs contain the secret %q:\n%s", s, logs.String())
				}
			}
		})
	}
}

func TestRetryAfterHeader(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{" 2 ", 2 * time.Second},
		{"0", time.Millisecond},
		{"soon", 0},
		{"-1", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in); got != tt.want {
			t.Errorf("retryAfter(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
	if got := retryAfter(time.Now().Add(time.Hour).UTC().Format(http1123)); got < 59*time.Minute || got > time.Hour {
		t.Errorf("retryAfter(an HTTP date an hour ahead) = %v; want about 1h", got)
	}
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"
