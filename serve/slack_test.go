package serve_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/serve"
)

const (
	appToken      = "xapp-1-A0FAKE-1-s3cretappt0ken"
	signingSecret = "8f742231b10e8888abcd99s3cretsign"
)

// commandConfig is the fixture's config with the slash command's settings
// (slackKeys, indented under slack:).
func (f *fixture) commandConfig(t *testing.T, slackKeys string) *config.Config {
	t.Helper()
	yaml := fmt.Sprintf(`schedule:
  poll: %q
  digest: %q
store:
  path: %q
serve:
  listen: 127.0.0.1:0
slack:
  token: %q
  channel: "#mx-digest"
  api_url: %q
%s
fetch: {allow_private: true} # the feed server is on 127.0.0.1
feeds:
  - {name: Wire, url: %q}
%s`, yearly, yearly, f.dbPath, botToken, f.slack.APIURL(), slackKeys, f.feedURL, topicsYAML)
	cfg := parseConfig(t, yaml)
	return cfg
}

// answers waits for n answers at a command's response_url and returns them.
func answers(t *testing.T, f *fixture, responseURL string, n int) []fakeslack.Response {
	t.Helper()
	waitFor(t, 10*time.Second, fmt.Sprintf("%d answers", n), func() bool { return len(f.slack.Responses(responseURL)) >= n })
	return f.slack.Responses(responseURL)
}

// waitCounted waits until /metrics shows at least each series' count:
// now and preview are counted when their work is done, after their last
// answer reaches Slack, so a test that has seen the answer may read the
// metrics a moment before the count.
func waitCounted(t *testing.T, r *running, want map[string]float64) {
	t.Helper()
	waitFor(t, 10*time.Second, "the commands to be counted", func() bool {
		_, body := get(t, r.url+"/metrics")
		m := metricValues(t, body)
		for series, n := range want {
			if m[series] < n {
				return false
			}
		}
		return true
	})
}

func command(t *testing.T, f *fixture, c fakeslack.SlashCommand) fakeslack.Ack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ack, err := f.slack.SlashCommand(ctx, c)
	if err != nil {
		t.Fatalf("/newsdigest %s: %v", c.Text, err)
	}
	return ack
}

// TestSocketModeCommands is the slash command over Socket Mode, against the
// fake's WebSocket: `now cartels` in #mx-digest posts the cartels digest
// there once (a second posts nothing), preview posts nothing to the
// channel, and the connection comes back after Slack asks for a reconnect
// and after it drops.
func TestSocketModeCommands(t *testing.T) {
	f := newFixture(t)
	f.slack.SetAppToken(appToken)
	r := start(t, f.commandConfig(t, "  app_token: "+appToken))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := f.slack.WaitConnects(ctx, 1); err != nil {
		t.Fatal(err)
	}

	ack := command(t, f, fakeslack.SlashCommand{ChannelID: "C001", ChannelName: "mx-digest", UserID: "U1", Text: "now cartels"})
	if want := "Polling 1 feeds, then posting the digest of cartels here."; ack.Reply() != want {
		t.Errorf("ack = %q; want %q", ack.Reply(), want)
	}
	if got := answers(t, f, ack.ResponseURL, 1)[0]; got.Text != "Posted 1 message with 2 items." || got.ResponseType != "ephemeral" {
		t.Errorf("answer = %+v", got)
	}
	if got, want := fmt.Sprint(posted(f.slack)), fmt.Sprint(map[string]int{"0": 1, "1": 1}); got != want {
		t.Errorf("posted = %s; want %s (the cartels items, once)", got, want)
	}
	for _, m := range f.slack.Messages() {
		if m.Channel != "C001" {
			t.Errorf("posted to %s; want the caller's channel C001", m.Channel)
		}
	}

	ack = command(t, f, fakeslack.SlashCommand{ChannelID: "C001", UserID: "U1", Text: "now cartels"})
	if got := answers(t, f, ack.ResponseURL, 1)[0].Text; got != "Nothing new for the digest of cartels here." {
		t.Errorf("second now: %q", got)
	}
	before := len(f.slack.Messages())

	ack = command(t, f, fakeslack.SlashCommand{ChannelID: "C001", UserID: "U2", Text: "preview"})
	if got := answers(t, f, ack.ResponseURL, 1)[0]; got.ResponseType != "ephemeral" || !strings.Contains(string(got.Blocks), "USMCA review opens") {
		t.Errorf("preview = %+v; want the usmca story, ephemeral", got)
	}
	if n := len(f.slack.Messages()); n != before {
		t.Errorf("preview posted %d messages to the channel", n-before)
	}
	// Preview marked nothing delivered: now posts the usmca story.
	ack = command(t, f, fakeslack.SlashCommand{ChannelID: "C001", UserID: "U1", Text: "now"})
	answers(t, f, ack.ResponseURL, 1)
	if got := posted(f.slack); got["2"] != 1 || len(got) != 3 {
		t.Errorf("after preview and now: posted %v; want every story once", got)
	}

	for i, cut := range []func(){func() { f.slack.Disconnect("refresh_requested") }, f.slack.DropConnections} {
		cut()
		if err := f.slack.WaitConnects(ctx, i+2); err != nil {
			t.Fatal(err)
		}
		if ack := command(t, f, fakeslack.SlashCommand{ChannelID: "C001", UserID: "U1", Text: "help"}); !strings.Contains(ack.Reply(), "/newsdigest now") {
			t.Errorf("help after reconnection %d: %q", i+1, ack.Reply())
		}
	}
	waitCounted(t, r, map[string]float64{
		`newsdigest_slack_commands_total{result="ok",subcommand="now"}`:     3,
		`newsdigest_slack_commands_total{result="ok",subcommand="preview"}`: 1,
	})
	_, body := get(t, r.url+"/metrics")
	m := metricValues(t, body)
	for series, want := range map[string]float64{
		`newsdigest_slack_commands_total{result="ok",subcommand="now"}`:     3,
		`newsdigest_slack_commands_total{result="ok",subcommand="preview"}`: 1,
		`newsdigest_slack_commands_total{result="ok",subcommand="help"}`:    2,
		`newsdigest_slack_socket_connections_total`:                         3,
		`newsdigest_slack_socket_connected`:                                 1,
	} {
		if m[series] != want {
			t.Errorf("%s = %v; want %v", series, m[series], want)
		}
	}
	checkNoSecret(t, r, body)
}

// checkNoSecret: neither the app token nor the signing secret is in the
// logs, /healthz or /metrics.
func checkNoSecret(t *testing.T, r *running, metrics string) {
	t.Helper()
	_, health := get(t, r.url+"/healthz")
	for what, s := range map[string]string{"logs": r.logs.String(), "/healthz": health, "/metrics": metrics} {
		for _, secret := range []string{appToken, signingSecret, botToken} {
			if strings.Contains(s, secret) {
				t.Errorf("%s shows a secret", what)
			}
		}
	}
}

// signedPost sends body to /slack/commands signed with secret at ts.
func signedPost(t *testing.T, r *running, secret, body string, ts time.Time) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(fakeslack.SignedForm(r.url+"/slack/commands", secret, body, ts))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body) // what arrived, even if the server closed early
	return resp.StatusCode, string(answer)
}

// TestHTTPCommands is the slash command at the request URL: a correctly
// signed `now cartels` works; a wrong signature, a stale timestamp, a
// replay, no signature or an oversized body is refused (401, 413) and
// counted, before the store or Slack is touched.
func TestHTTPCommands(t *testing.T) {
	f := newFixture(t)
	r := start(t, f.commandConfig(t, "  signing_secret: "+signingSecret))
	waitFor(t, 5*time.Second, "healthz 200", func() bool { c, _ := get(t, r.url+"/healthz"); return c == http.StatusOK })

	form := f.slack.CommandForm(fakeslack.SlashCommand{ChannelID: "C001", UserID: "U1", Text: "now cartels"}).Encode()
	now := time.Now()
	refused := []struct {
		name, secret, body string
		at                 time.Time
		code               int
		reason             string
	}{
		{"wrong signature", "not-the-secret", form, now, http.StatusUnauthorized, "bad_signature"},
		{"stale timestamp", signingSecret, form, now.Add(-6 * time.Minute), http.StatusUnauthorized, "stale"},
		{"oversized body", signingSecret, form + "&pad=" + strings.Repeat("x", serve.MaxCommandBody), now, http.StatusRequestEntityTooLarge, "too_large"},
	}
	for _, tt := range refused {
		if code, body := signedPost(t, r, tt.secret, tt.body, tt.at); code != tt.code || !strings.Contains(body, tt.reason) {
			t.Errorf("%s: %d %s; want %d", tt.name, code, body, tt.code)
		}
	}
	unsigned, _ := http.Post(r.url+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader(form))
	unsigned.Body.Close()
	if unsigned.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned: %d; want 401", unsigned.StatusCode)
	}
	if f.feeds.Requests() != 0 || f.slack.Calls() != 0 {
		t.Fatalf("refused requests did work: %d feed requests, %d Slack calls", f.feeds.Requests(), f.slack.Calls())
	}
	if states, err := r.st.FeedStates(context.Background()); err != nil || len(states) != 0 {
		t.Fatalf("refused requests touched the store: %v, %v", states, err)
	}

	code, body := signedPost(t, r, signingSecret, form, now)
	if code != http.StatusOK || !strings.Contains(body, "Polling 1 feeds, then posting the digest of cartels here.") || !strings.Contains(body, `"response_type": "ephemeral"`) {
		t.Fatalf("signed now cartels: %d %s", code, body)
	}
	ru, _ := url.ParseQuery(form)
	if got := answers(t, f, ru.Get("response_url"), 1)[0].Text; got != "Posted 1 message with 2 items." {
		t.Errorf("answer: %q", got)
	}
	// The same request again is a replay.
	if code, body := signedPost(t, r, signingSecret, form, now); code != http.StatusUnauthorized || !strings.Contains(body, "replay") {
		t.Errorf("replay: %d %s", code, body)
	}
	if got, want := fmt.Sprint(posted(f.slack)), fmt.Sprint(map[string]int{"0": 1, "1": 1}); got != want {
		t.Errorf("posted = %s; want %s", got, want)
	}

	// The command is counted once its work is done, which ends with the
	// answer just seen: the count may trail it by a moment.
	waitCounted(t, r, map[string]float64{`newsdigest_slack_commands_total{result="ok",subcommand="now"}`: 1})
	_, mb := get(t, r.url+"/metrics")
	m := metricValues(t, mb)
	for series, want := range map[string]float64{
		`newsdigest_slack_requests_refused_total{reason="bad_signature"}`: 1,
		`newsdigest_slack_requests_refused_total{reason="stale"}`:         1,
		`newsdigest_slack_requests_refused_total{reason="too_large"}`:     1,
		`newsdigest_slack_requests_refused_total{reason="unsigned"}`:      1,
		`newsdigest_slack_requests_refused_total{reason="replay"}`:        1,
		`newsdigest_slack_commands_total{result="ok",subcommand="now"}`:   1,
	} {
		if m[series] != want {
			t.Errorf("%s = %v; want %v", series, m[series], want)
		}
	}
	checkNoSecret(t, r, mb)
}

// TestCommandPermissions: another workspace is refused; now obeys
// allowed_users and allowed_channels while preview, explain and feeds stay
// open; unknown input gets the usage.
func TestCommandPermissions(t *testing.T) {
	f := newFixture(t)
	f.slack.AddChannel(fakeslack.Channel{ID: "C002", Name: "random", Member: true})
	r := start(t, f.commandConfig(t, "  signing_secret: "+signingSecret+"\n  allowed_users: [U1]\n  allowed_channels: [\"#mx-digest\"]"))
	waitFor(t, 5*time.Second, "healthz 200", func() bool { c, _ := get(t, r.url+"/healthz"); return c == http.StatusOK })
	send := func(c fakeslack.SlashCommand) string {
		t.Helper()
		code, body := signedPost(t, r, signingSecret, f.slack.CommandForm(c).Encode(), time.Now())
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", c.Text, code, body)
		}
		return body
	}
	for _, tt := range []struct {
		c    fakeslack.SlashCommand
		want string
	}{
		{fakeslack.SlashCommand{TeamID: "T0OTHER", ChannelID: "C001", UserID: "U1", Text: "help"}, "does not serve this workspace"},
		{fakeslack.SlashCommand{ChannelID: "C001", UserID: "U2", Text: "now"}, "slack.allowed_users"},
		{fakeslack.SlashCommand{ChannelID: "C002", UserID: "U1", Text: "now"}, "slack.allowed_channels"},
		{fakeslack.SlashCommand{ChannelID: "C001", UserID: "U1", Text: "now weather"}, "unknown topic"},
		{fakeslack.SlashCommand{ChannelID: "C001", UserID: "U1", Text: "now since forever"}, "since needs a positive duration"},
		{fakeslack.SlashCommand{ChannelID: "C001", UserID: "U1", Text: "now since 48h"}, "since can reach back at most 24h"},
		{fakeslack.SlashCommand{ChannelID: "C001", UserID: "U1", Text: "subscribe https://x"}, "/newsdigest preview"},
		{fakeslack.SlashCommand{ChannelID: "C002", UserID: "U2", Text: "feeds"}, "no poll yet"},
		{fakeslack.SlashCommand{ChannelID: "C002", UserID: "U2", Text: "explain Cartel boss held in Sinaloa"}, "term \\\"cartel*\\\" in title"},
		{fakeslack.SlashCommand{ChannelID: "C002", UserID: "U2", Text: "preview cartels"}, "only you will see it"},
	} {
		if body := send(tt.c); !strings.Contains(strings.ToLower(body), strings.ToLower(tt.want)) {
			t.Errorf("%s (user %s, channel %s): %s; want %q", tt.c.Text, tt.c.UserID, tt.c.ChannelID, body, tt.want)
		}
	}
	if n := len(f.slack.Messages()); n != 0 {
		t.Errorf("%d messages posted; every now was refused", n)
	}
	_, mb := get(t, r.url+"/metrics")
	m := metricValues(t, mb)
	if m[`newsdigest_slack_commands_total{result="denied",subcommand="now"}`] != 2 || m[`newsdigest_slack_commands_total{result="denied",subcommand="help"}`] != 1 ||
		m[`newsdigest_slack_commands_total{result="usage",subcommand="unknown"}`] != 1 {
		t.Errorf("denied/usage metrics wrong:\n%s", grepLines(mb, "slack_commands_total"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasSuffix(l, " 0") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestCommandsNeedTheirSecrets: a transport written in the file with its
// variable unset stops serve from starting, naming the variable.
func TestCommandsNeedTheirSecrets(t *testing.T) {
	f := newFixture(t)
	// Marked optional, so that Load lets it through (a plain ${VAR} that is
	// unset is a config error for every secret): serve still refuses.
	cfg := f.commandConfig(t, "  app_token: ${SLACK_APP_TOKEN:-}")
	p, _ := pipelineFor(t, cfg, &strings.Builder{})
	_, err := serve.New(cfg, p, nil)
	if err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN is not set") {
		t.Errorf("serve.New = %v; want the unset SLACK_APP_TOKEN named", err)
	}
}
