package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

// maxAnswer caps how much of Slack's answer is read.
const maxAnswer = 1 << 20

// Receipt is what Slack answered for a message it accepted: its ts and the
// ID of the channel it is in (both "" for a webhook).
type Receipt struct {
	TS      string
	Channel string
}

// Bot talks to the Web API with a bot token: chat.postMessage (link and
// media unfurling off), and the reads that find a message again. Each call
// is one attempt.
type Bot struct {
	token  string
	api    string // the Web API base, ending in "/"
	client *http.Client
	redact *strings.Replacer
}

// NewBot returns a poster for a bot token; apiURL "" means Slack's
// (https://slack.com/api/). client nil means one with a 30s timeout. The
// token never appears in its errors.
func NewBot(token, apiURL string, client *http.Client) *Bot {
	if apiURL == "" {
		apiURL = "https://slack.com/api/"
	}
	return &Bot{
		token:  token,
		api:    strings.TrimSuffix(apiURL, "/") + "/",
		client: orDefault(client),
		redact: redactor(token),
	}
}

// Post sends m to channel (a name such as "#mx-digest" or an ID), as a reply
// in the thread threadTS when it is not "", with m.Tag as its metadata. An
// error is an *Error that says whether trying again may succeed and whether
// Slack may have posted the message all the same (Unknown).
func (b *Bot) Post(ctx context.Context, channel, threadTS string, m Message) (Receipt, error) {
	body := newPayload(channel, threadTS, m)
	if m.Tag != (Tag{}) {
		body.Metadata = &metadata{EventType: EventType, EventPayload: m.Tag}
	}
	status, retryAfter, answer, err := b.call(ctx, http.MethodPost, "chat.postMessage", nil, body)
	if err != nil {
		return Receipt{}, err
	}
	return Classify(botAPI, status, retryAfter, answer, time.Now())
}

// call makes one Web API request — a JSON POST of body, or a GET of query —
// and returns Slack's answer, or a transport *Error.
func (b *Bot) call(ctx context.Context, method, name string, query url.Values, body any) (status int, retryAfter string, answer []byte, err error) {
	u := b.api + name
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	status, retryAfter, answer, err = send(ctx, b.client, method, u, b.token, body)
	if err != nil {
		return 0, "", nil, transportError(err, b.redact, botAPI)
	}
	return status, retryAfter, answer, nil
}

// Webhook posts to an incoming webhook: one channel, no threads, and no way
// to read a message back. Each Post is one attempt.
type Webhook struct {
	url    string
	client *http.Client
	redact *strings.Replacer
}

// NewWebhook returns a poster for an incoming webhook; client nil means one
// with a 30s timeout. The URL never appears in its errors.
func NewWebhook(webhookURL string, client *http.Client) *Webhook {
	return &Webhook{url: webhookURL, client: orDefault(client), redact: redactor(webhookURL)}
}

// Post sends m to the webhook's channel and returns an empty Receipt:
// channel, threadTS and m.Tag are ignored, since a webhook has one channel,
// no threads and no read-back. An error is an *Error as for Bot.Post.
func (w *Webhook) Post(ctx context.Context, channel, threadTS string, m Message) (Receipt, error) {
	status, retryAfter, answer, err := send(ctx, w.client, http.MethodPost, w.url, "", newPayload("", "", m))
	if err != nil {
		return Receipt{}, transportError(err, w.redact, webhookAPI)
	}
	return Classify(webhookAPI, status, retryAfter, answer, time.Now())
}

// payload is the JSON body of chat.postMessage and of a webhook post (which
// has no channel, thread or metadata). Unfurling is always off.
type payload struct {
	Channel     string           `json:"channel,omitempty"`
	ThreadTS    string           `json:"thread_ts,omitempty"`
	Text        string           `json:"text"`
	Blocks      []slackapi.Block `json:"blocks,omitempty"`
	UnfurlLinks bool             `json:"unfurl_links"`
	UnfurlMedia bool             `json:"unfurl_media"`
	Metadata    *metadata        `json:"metadata,omitempty"`
}

// metadata is Slack's message metadata.
type metadata struct {
	EventType    string `json:"event_type"`
	EventPayload Tag    `json:"event_payload"`
}

func newPayload(channel, threadTS string, m Message) payload {
	return payload{Channel: channel, ThreadTS: threadTS, Text: m.Text, Blocks: m.Blocks}
}

func orDefault(c *http.Client) *http.Client {
	if c == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return c
}

// send makes one request — body as JSON unless nil — and returns what Slack
// answered: the status, the Retry-After header and the first maxAnswer bytes
// of the body.
func send(ctx context.Context, client *http.Client, method, url, token string, body any) (status int, retryAfter string, answer []byte, err error) {
	var rd io.Reader
	if body != nil {
		payload, err := json.Marshal(body)
		if err != nil {
			return 0, "", nil, fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, "", nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	answer, err = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, "", nil, fmt.Errorf("reading the answer to HTTP %d: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), answer, nil
}
