package fakeslack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func blocksJSON(t *testing.T, bs ...slack.Block) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(bs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func TestCheckMessage(t *testing.T) {
	section := func(n int) slack.Block { return slack.NewSectionBlock(mrkdwn(strings.Repeat("a", n)), nil, nil) }
	header := func(n int) slack.Block {
		return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("é", n), false, false))
	}
	contextN := func(n int) slack.Block {
		var els []slack.MixedElement
		for range n {
			els = append(els, mrkdwn("x"))
		}
		return slack.NewContextBlock("", els...)
	}
	many := func(n int, b slack.Block) []slack.Block {
		out := make([]slack.Block, n)
		for i := range out {
			out[i] = b
		}
		return out
	}
	tests := []struct {
		name   string
		text   string
		blocks []slack.Block
		raw    string
		want   string
	}{
		{name: "text only", text: "hi", want: ""},
		{name: "nothing", want: "no_text"},
		{name: "text 3999", text: strings.Repeat("a", 3999), want: ""},
		{name: "text 4000", text: strings.Repeat("a", 4000), want: "msg_too_long"},
		{name: "50 blocks", text: "t", blocks: many(50, slack.NewDividerBlock()), want: ""},
		{name: "51 blocks", text: "t", blocks: many(51, slack.NewDividerBlock()), want: "invalid_blocks"},
		{name: "section 3000", text: "t", blocks: []slack.Block{section(3000)}, want: ""},
		{name: "section 3001", text: "t", blocks: []slack.Block{section(3001)}, want: "invalid_blocks"},
		{name: "empty section", text: "t", blocks: []slack.Block{section(0)}, want: "invalid_blocks"},
		{name: "header 150 runes", text: "t", blocks: []slack.Block{header(150)}, want: ""},
		{name: "header 151", text: "t", blocks: []slack.Block{header(151)}, want: "invalid_blocks"},
		{name: "mrkdwn header", text: "t", blocks: []slack.Block{slack.NewHeaderBlock(mrkdwn("x"))}, want: "invalid_blocks"},
		{name: "context 10", text: "t", blocks: []slack.Block{contextN(10)}, want: ""},
		{name: "context 11", text: "t", blocks: []slack.Block{contextN(11)}, want: "invalid_blocks"},
		{name: "block text 11999", text: "t", blocks: append(many(3, section(3000)), section(2999)), want: ""},
		{name: "block text 12000", text: "t", blocks: many(4, section(3000)), want: "msg_too_long"},
		{name: "unknown block", text: "t", raw: `[{"type":"video"}]`, want: "invalid_blocks"},
		{name: "not JSON", text: "t", raw: `[{`, want: "invalid_blocks_format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := json.RawMessage(tt.raw)
			if tt.blocks != nil {
				raw = blocksJSON(t, tt.blocks...)
			}
			if got := CheckMessage(tt.text, raw); got != tt.want {
				t.Errorf("CheckMessage(%d chars, %d blocks) = %q; want %q", len(tt.text), len(tt.blocks), got, tt.want)
			}
		})
	}
}

func newServer(t *testing.T) *Server {
	s := New(t, "xoxb-good")
	s.AddChannel(Channel{ID: "C1", Name: "general", Member: true})
	s.AddChannel(Channel{ID: "C2", Name: "private"})
	s.AddChannel(Channel{ID: "C3", Name: "old", Member: true, Archived: true})
	return s
}

// TestPostMessage speaks to the fake with slack-go, as the digest does.
func TestPostMessage(t *testing.T) {
	s := newServer(t)
	big := slack.NewSectionBlock(mrkdwn(strings.Repeat("b", 3000)), nil, nil)
	tests := []struct {
		token, channel string
		opts           []slack.MsgOption
		wantErr        string
		wantChannel    string
	}{
		{"xoxb-good", "#general", nil, "", "C1"},
		{"xoxb-good", "general", nil, "", "C1"},
		{"xoxb-good", "C1", nil, "", "C1"},
		{"xoxb-bad", "C1", nil, "invalid_auth", ""},
		{"", "C1", nil, "not_authed", ""},
		{"xoxb-good", "#nope", nil, "channel_not_found", ""},
		{"xoxb-good", "#private", nil, "not_in_channel", ""},
		{"xoxb-good", "C3", nil, "is_archived", ""},
		{"xoxb-good", "C1", []slack.MsgOption{slack.MsgOptionTS("1.2")}, "thread_not_found", ""},
		{"xoxb-good", "C1", []slack.MsgOption{slack.MsgOptionBlocks(big, big, big, big)}, "msg_too_long", ""},
		{"xoxb-good", "C1", []slack.MsgOption{slack.MsgOptionBlocks(slack.NewHeaderBlock(mrkdwn("x")))}, "invalid_blocks", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tt.token, tt.channel, tt.wantErr), func(t *testing.T) {
			c := slack.New(tt.token, slack.OptionAPIURL(s.APIURL()))
			opts := append([]slack.MsgOption{slack.MsgOptionText("hello", false), slack.MsgOptionDisableLinkUnfurl()}, tt.opts...)
			ch, ts, err := c.PostMessageContext(context.Background(), tt.channel, opts...)
			if tt.wantErr != "" {
				var se slack.SlackErrorResponse
				if !errors.As(err, &se) || se.Err != tt.wantErr {
					t.Errorf("PostMessage(%q) = %v; want %s", tt.channel, err, tt.wantErr)
				}
				return
			}
			if err != nil || ch != tt.wantChannel || ts == "" {
				t.Errorf("PostMessage(%q) = %q, %q, %v; want %s and a ts", tt.channel, ch, ts, err, tt.wantChannel)
			}
		})
	}
	msgs := s.Messages()
	if len(msgs) != 3 {
		t.Fatalf("Messages() = %d; want the 3 accepted", len(msgs))
	}
	if m := msgs[0]; m.TS == "" || m.Text != "hello" || m.UnfurlLinks == nil || *m.UnfurlLinks || m.UnfurlMedia != nil {
		t.Errorf("first message = %+v; want a ts, text hello, unfurl_links false, unfurl_media unset", m)
	}
	if !(msgs[0].TS < msgs[1].TS && msgs[1].TS < msgs[2].TS) {
		t.Errorf("timestamps %s, %s, %s; want them increasing", msgs[0].TS, msgs[1].TS, msgs[2].TS)
	}
	// A reply to an accepted message is accepted, and recorded with its thread.
	c := slack.New("xoxb-good", slack.OptionAPIURL(s.APIURL()))
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn("*hi*"), nil, nil)}
	_, ts, err := c.PostMessageContext(context.Background(), "C1", slack.MsgOptionText("r", false), slack.MsgOptionTS(msgs[0].TS), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	last := s.Messages()[3]
	if last.TS != ts || last.ThreadTS != msgs[0].TS || !strings.Contains(string(last.Blocks), `"*hi*"`) {
		t.Errorf("reply recorded as %+v; want ts %s under %s with its blocks", last, ts, msgs[0].TS)
	}
}

func TestPostMessageJSON(t *testing.T) {
	s := newServer(t)
	body := `{"channel":"C1","text":"json","blocks":[{"type":"divider"}],"unfurl_links":false}`
	req, _ := http.NewRequest(http.MethodPost, s.APIURL()+"chat.postMessage", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer xoxb-good")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		OK bool   `json:"ok"`
		TS string `json:"ts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || !r.OK {
		t.Fatalf("JSON chat.postMessage = %+v, %v; want ok", r, err)
	}
	if m := s.Messages()[0]; m.Text != "json" || string(m.Blocks) != `[{"type":"divider"}]` || m.UnfurlLinks == nil || *m.UnfurlLinks {
		t.Errorf("recorded %+v; want the JSON message", m)
	}
}

func TestFail(t *testing.T) {
	s := newServer(t)
	s.FailNext(1, Failure{Status: 429, RetryAfter: "7"})
	s.Fail(3, 2, Failure{Status: 500, Body: "<html>"})
	want := []int{429, 200, 500, 500, 200}
	for i, w := range want {
		resp, err := http.PostForm(s.APIURL()+"chat.postMessage", map[string][]string{"token": {"xoxb-good"}, "channel": {"C1"}, "text": {"x"}})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != w {
			t.Errorf("call %d: status %d; want %d", i+1, resp.StatusCode, w)
		}
		if i == 0 && resp.Header.Get("Retry-After") != "7" {
			t.Errorf("call 1: Retry-After %q; want 7", resp.Header.Get("Retry-After"))
		}
	}
	if got := s.Calls(); got != 5 {
		t.Errorf("Calls() = %d; want 5", got)
	}
	if got := len(s.Messages()); got != 2 {
		t.Errorf("Messages() = %d; want 2 (failed calls record nothing)", got)
	}
}

func TestWebhook(t *testing.T) {
	s := newServer(t)
	off := false
	err := slack.PostWebhookContext(context.Background(), s.WebhookURL(), &slack.WebhookMessage{Text: "hook", UnfurlLinks: &off})
	if err != nil {
		t.Fatalf("PostWebhook: %v", err)
	}
	if m := s.Messages(); len(m) != 1 || !m[0].Webhook || m[0].Text != "hook" || m[0].UnfurlLinks == nil || *m[0].UnfurlLinks {
		t.Errorf("Messages() = %+v; want the webhook message", m)
	}
	bad := strings.TrimSuffix(s.WebhookURL(), "9") + "x"
	if err := slack.PostWebhookContext(context.Background(), bad, &slack.WebhookMessage{Text: "x"}); err == nil {
		t.Error("PostWebhook(wrong URL) = nil; want a 404")
	}
	if err := slack.PostWebhookContext(context.Background(), s.WebhookURL(), &slack.WebhookMessage{Text: strings.Repeat("a", 4000)}); err == nil {
		t.Error("PostWebhook(4000 chars) = nil; want msg_too_long")
	}
}
