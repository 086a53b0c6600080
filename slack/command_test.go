package slack

import (
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
)

// TestVerify checks requests signed as Slack signs them (by the fake, an
// independent implementation) against every way one can be wrong.
func TestVerify(t *testing.T) {
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	body := "team_id=T1&text=now+cartels"
	signed := func(secret, body string, at time.Time) (*fakeHeader, []byte) {
		req := fakeslack.SignedForm("http://x/slack/commands", secret, body, at)
		b, _ := io.ReadAll(req.Body)
		return &fakeHeader{req.Header.Get("X-Slack-Signature"), req.Header.Get("X-Slack-Request-Timestamp")}, b
	}
	for _, tt := range []struct {
		name   string
		mutate func(h *fakeHeader, b []byte) []byte
		at     time.Time
		want   error
	}{
		{"valid", nil, now, nil},
		{"valid, 4 minutes old", nil, now.Add(-4 * time.Minute), nil},
		{"stale", nil, now.Add(-5*time.Minute - time.Second), ErrStale},
		{"from the future", nil, now.Add(6 * time.Minute), ErrStale},
		{"body changed", func(h *fakeHeader, b []byte) []byte {
			return []byte(strings.Replace(string(b), "cartels", "troops", 1))
		}, now, ErrBadSignature},
		{"timestamp changed", func(h *fakeHeader, b []byte) []byte { h.ts = "1795420801"; return b }, now, ErrBadSignature},
		{"wrong secret", func(h *fakeHeader, b []byte) []byte { o, _ := signed("other", body, now); *h = *o; return b }, now, ErrBadSignature},
		{"no v0", func(h *fakeHeader, b []byte) []byte { h.sig = strings.TrimPrefix(h.sig, "v0="); return b }, now, ErrBadSignature},
		{"not hex", func(h *fakeHeader, b []byte) []byte { h.sig = "v0=zz"; return b }, now, ErrBadSignature},
		{"bad timestamp", func(h *fakeHeader, b []byte) []byte { h.ts = "soon"; return b }, now, ErrBadSignature},
		{"unsigned", func(h *fakeHeader, b []byte) []byte { h.sig = ""; return b }, now, ErrUnsigned},
		{"no timestamp", func(h *fakeHeader, b []byte) []byte { h.ts = ""; return b }, now, ErrUnsigned},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, b := signed(secret, body, tt.at)
			if tt.mutate != nil {
				b = tt.mutate(h, b)
			}
			hdr := map[string][]string{}
			if h.sig != "" {
				hdr["X-Slack-Signature"] = []string{h.sig}
			}
			if h.ts != "" {
				hdr["X-Slack-Request-Timestamp"] = []string{h.ts}
			}
			err := Verify(secret, hdr, b, now)
			if !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v; want %v", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

type fakeHeader struct{ sig, ts string }

func TestCommandFromForm(t *testing.T) {
	f := newFake(t)
	c := CommandFromForm(f.CommandForm(fakeslack.SlashCommand{ChannelID: "C1", ChannelName: "mx-digest", UserID: "U1", Text: "now cartels"}))
	if c.TeamID != f.TeamID() || c.ChannelID != "C1" || c.ChannelName != "mx-digest" || c.UserID != "U1" ||
		c.Command != "/newsdigest" || c.Text != "now cartels" || c.ResponseURL == "" {
		t.Errorf("CommandFromForm = %+v", c)
	}
}

func TestRespond(t *testing.T) {
	f := newFake(t)
	ru := f.NewResponseURL("C1")
	r := NewResponder(f.APIURL(), nil)
	ctx := context.Background()
	if err := r.Respond(ctx, ru, Ephemeral("hello")); err != nil {
		t.Fatal(err)
	}
	if got := f.Responses(ru); len(got) != 1 || got[0].Text != "hello" || got[0].ResponseType != "ephemeral" {
		t.Errorf("responses = %+v", got)
	}
	for range fakeslack.MaxResponses - 1 {
		r.Respond(ctx, ru, Ephemeral("more"))
	}
	err := r.Respond(ctx, ru, Ephemeral("one too many"))
	var se *Error
	if !errors.As(err, &se) || se.Code != "used_url" || se.Retry {
		t.Errorf("sixth answer: %v; want a final used_url", err)
	}
	// Not Slack's host: refused without a request.
	calls := f.Calls()
	for _, bad := range []string{"http://169.254.169.254/latest", "https://hooks.slack.com.evil.example/x", "file:///etc/passwd", "::"} {
		if err := r.Respond(ctx, bad, Ephemeral("x")); err == nil || strings.Contains(err.Error(), bad) {
			t.Errorf("Respond(%q) = %v; want a refusal that does not quote the URL", bad, err)
		}
	}
	if f.Calls() != calls {
		t.Error("a refused response_url was requested")
	}
	prod := NewResponder("", nil)
	u, _ := url.Parse("https://hooks.slack.com/commands/T1/2/x")
	if !prod.allow(u) {
		t.Error("Slack's own response URL refused")
	}
	// A lost answer names neither the URL nor its path.
	f.Close()
	err = r.Respond(ctx, ru, Ephemeral("x"))
	if err == nil || strings.Contains(err.Error(), "respsecret") {
		t.Errorf("Respond to a closed Slack = %v", err)
	}
}

func TestTeamID(t *testing.T) {
	f := newFake(t)
	id, err := NewBot(testToken, f.APIURL(), nil).TeamID(context.Background())
	if err != nil || id != f.TeamID() {
		t.Errorf("TeamID = %q, %v", id, err)
	}
	if _, err := NewBot("xoxb-wrong", f.APIURL(), nil).TeamID(context.Background()); err == nil {
		t.Error("TeamID with a wrong token: no error")
	}
}
