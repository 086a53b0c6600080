package slack

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
)

const testToken = "xoxb-1111-2222-SECRETtokenvalue"

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

// TestClassify reads every kind of answer Slack gives, without a network.
func TestClassify(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		api        API
		status     int
		retryAfter string
		body       string
		wantTS     string
		wantCode   string // "" means success
		wantRetry  bool
		wantWait   time.Duration
		wantHint   string
		unknown    bool // Slack may have posted it anyway
	}{
		{name: "bot ok", status: 200, body: `{"ok":true,"channel":"C1","ts":"1.000100"}`, wantTS: "1.000100"},
		{name: "webhook ok", api: webhookAPI, status: 200, body: "ok"},
		{name: "bot 500 html", status: 500, body: "<html>oops</html>", wantCode: "http_500", wantRetry: true, unknown: true},
		{name: "bot 503 with code", status: 503, body: `{"ok":false,"error":"service_unavailable"}`, wantCode: "http_503", wantRetry: true, unknown: true},
		{name: "429 with Retry-After", status: 429, retryAfter: "3", wantCode: "rate_limited", wantRetry: true, wantWait: 3 * time.Second},
		{name: "429 Retry-After 0 is now", status: 429, retryAfter: "0", wantCode: "rate_limited", wantRetry: true, wantWait: time.Millisecond},
		{name: "429 Retry-After date", status: 429, retryAfter: "Mon, 23 Nov 2026 08:01:00 GMT", wantCode: "rate_limited", wantRetry: true, wantWait: time.Minute},
		{name: "429 without Retry-After", status: 429, wantCode: "rate_limited", wantRetry: true},
		{name: "ratelimited in a 200", status: 200, body: `{"ok":false,"error":"ratelimited"}`, wantCode: "ratelimited", wantRetry: true},
		{name: "internal_error in a 200", status: 200, body: `{"ok":false,"error":"internal_error"}`, wantCode: "internal_error", wantRetry: true},
		{name: "channel_not_found", status: 200, body: `{"ok":false,"error":"channel_not_found"}`, wantCode: "channel_not_found", wantHint: "slack.channel"},
		{name: "not_in_channel", status: 200, body: `{"ok":false,"error":"not_in_channel"}`, wantCode: "not_in_channel", wantHint: "invite the bot"},
		{name: "is_archived", status: 200, body: `{"ok":false,"error":"is_archived"}`, wantCode: "is_archived", wantHint: "slack.channel"},
		{name: "invalid_blocks", status: 200, body: `{"ok":false,"error":"invalid_blocks"}`, wantCode: "invalid_blocks", wantHint: "newsdigest bug"},
		{name: "unknown code", status: 200, body: `{"ok":false,"error":"something_new"}`, wantCode: "something_new", wantHint: "slack.token"},
		{name: "403 with JSON body", status: 403, body: `{"ok":false,"error":"missing_scope"}`, wantCode: "missing_scope", wantHint: "chat:write"},
		{name: "404 no body", status: 404, wantCode: "http_404", wantHint: "slack.token"},
		{name: "200 not JSON", status: 200, body: "<html>proxy</html>", wantCode: "bad_response", wantRetry: true, unknown: true},
		{name: "200 cut short", status: 200, body: `{"ok":true,"chan`, wantCode: "bad_response", wantRetry: true, unknown: true},
		{name: "webhook 403 invalid_token", api: webhookAPI, status: 403, body: "invalid_token", wantCode: "invalid_token", wantHint: "slack.webhook_url"},
		{name: "webhook 404 no_service", api: webhookAPI, status: 404, body: "no_service", wantCode: "no_service", wantHint: "slack.webhook_url"},
		{name: "webhook 410 channel_is_archived", api: webhookAPI, status: 410, body: "channel_is_archived", wantCode: "channel_is_archived", wantHint: "archived"},
		{name: "webhook 502", api: webhookAPI, status: 502, wantCode: "http_502", wantRetry: true, unknown: true},
		{name: "read missing_scope", api: readAPI, status: 200, body: `{"ok":false,"error":"missing_scope"}`, wantCode: "missing_scope", wantHint: "channels:history"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := Classify(tt.api, tt.status, tt.retryAfter, []byte(tt.body), now)
			ts := rc.TS
			if tt.wantCode == "" {
				if err != nil || ts != tt.wantTS {
					t.Errorf("Classify(%d, %q) = %q, %v; want %q, nil", tt.status, tt.body, ts, err, tt.wantTS)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Classify(%d, %q) = %q, %v; want an *Error", tt.status, tt.body, ts, err)
			}
			if e.Code != tt.wantCode || e.Retry != tt.wantRetry || e.Wait != tt.wantWait || e.Unknown != tt.unknown {
				t.Errorf("Classify(%d, %q) = code %q, retry %v, wait %v, unknown %v; want %q, %v, %v, %v", tt.status, tt.body,
					e.Code, e.Retry, e.Wait, e.Unknown, tt.wantCode, tt.wantRetry, tt.wantWait, tt.unknown)
			}
			if !strings.Contains(e.Error(), tt.wantHint) {
				t.Errorf("Classify(%d, %q) error %q lacks %q", tt.status, tt.body, e, tt.wantHint)
			}
		})
	}
}

func TestBotPost(t *testing.T) {
	fake := newFake(t)
	bot := NewBot(testToken, strings.TrimSuffix(fake.APIURL(), "/"), nil)
	ctx := context.Background()
	rc, err := bot.Post(ctx, "#mx-digest", "", Message{Text: "first", Blocks: []slackapi.Block{section("*hi*")}, Tag: Tag{Digest: "d1", Part: 1}})
	ts := rc.TS
	if err != nil || ts == "" || rc.Channel != "C1" {
		t.Fatalf("Post() = %+v, %v; want a ts in C1", rc, err)
	}
	rc, err = bot.Post(ctx, "C1", ts, Message{Text: "reply"})
	reply := rc.TS
	if err != nil || reply == "" || reply == ts {
		t.Fatalf("Post(reply) = %q, %v; want a new ts", reply, err)
	}
	got := fake.Messages()
	if len(got) != 2 || got[0].Channel != "C1" || got[0].ThreadTS != "" || got[1].ThreadTS != ts || got[1].TS != reply {
		t.Fatalf("Slack got %+v; want the message in C1 and the reply under %s", got, ts)
	}
	for i, m := range got {
		if m.UnfurlLinks == nil || *m.UnfurlLinks || m.UnfurlMedia == nil || *m.UnfurlMedia {
			t.Errorf("message %d: unfurl_links %v, unfurl_media %v; want both false", i+1, m.UnfurlLinks, m.UnfurlMedia)
		}
	}
	if !strings.Contains(string(got[0].Blocks), `"*hi*"`) {
		t.Errorf("blocks sent = %s; want the section", got[0].Blocks)
	}
	if want := `{"event_type":"newsdigest_message","event_payload":{"digest":"d1","part":1}}`; string(got[0].Metadata) != want || got[1].Metadata != nil {
		t.Errorf("metadata sent = %s, %s; want %s on the tagged message only", got[0].Metadata, got[1].Metadata, want)
	}

	// One attempt per call: a 500 is answered once, as a retryable error.
	fake.FailNext(1, fakeslack.Failure{Status: 500})
	calls := fake.Calls()
	_, err = bot.Post(ctx, "#mx-digest", "", Message{Text: "x"})
	var e *Error
	if !errors.As(err, &e) || !e.Retry || fake.Calls() != calls+1 {
		t.Errorf("Post() on a 500 = %v after %d calls; want one call and a retryable *Error", err, fake.Calls()-calls)
	}
	// Final errors name the setting to check.
	for ch, want := range map[string]string{"#nope": "channel_not_found", "#outside": "not_in_channel", "C4": "is_archived"} {
		_, err := bot.Post(ctx, ch, "", Message{Text: "x"})
		if !errors.As(err, &e) || e.Retry || e.Code != want {
			t.Errorf("Post(%s) = %v; want a final %s", ch, err, want)
		}
	}
}

func TestWebhookPost(t *testing.T) {
	fake := newFake(t)
	hook := NewWebhook(fake.WebhookURL(), nil)
	if rc, err := hook.Post(context.Background(), "#ignored", "1.0", Message{Text: "hi", Tag: Tag{Digest: "d", Part: 1}}); err != nil || rc != (Receipt{}) {
		t.Fatalf("Post() = %+v, %v; want an empty receipt, nil", rc, err)
	}
	got := fake.Messages()
	if len(got) != 1 || !got[0].Webhook || got[0].Text != "hi" || got[0].ThreadTS != "" {
		t.Fatalf("webhook got %+v; want the one message, no thread", got)
	}
	if m := got[0]; m.UnfurlLinks == nil || *m.UnfurlLinks || m.UnfurlMedia == nil || *m.UnfurlMedia {
		t.Errorf("webhook message unfurl_links %v, unfurl_media %v; want both false", m.UnfurlLinks, m.UnfurlMedia)
	}
	fake.FailNext(1, fakeslack.Failure{Status: 404, Body: "no_service"})
	_, err := hook.Post(context.Background(), "", "", Message{Text: "hi"})
	var e *Error
	if !errors.As(err, &e) || e.Code != "no_service" || e.Retry {
		t.Errorf("Post() on 404 no_service = %v; want a final no_service", err)
	}
}

// TestSecretsNeverLeak forces every error path and checks that neither the
// token nor the webhook URL appears in the error.
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
			secrets := []string{testToken, hook[strings.Index(hook, "/services/"):]}
			var err error
			if tt.webhook {
				_, err = NewWebhook(hook, nil).Post(context.Background(), "#mx-digest", "", Message{Text: "hi"})
			} else {
				tok := testToken
				if tt.token != "" {
					tok = tt.token
					secrets = append(secrets, tok)
				}
				_, err = NewBot(tok, fake.APIURL(), nil).Post(context.Background(), "#mx-digest", "", Message{Text: "hi"})
			}
			if err == nil {
				t.Fatal("Post() = nil; want an error")
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains the secret %q", err, s)
				}
			}
		})
	}
}
