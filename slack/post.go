package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

// maxAnswer caps how much of Slack's answer is read.
const maxAnswer = 64 << 10

// Bot posts with a bot token through the Web API's chat.postMessage, link
// and media unfurling off. Each Post is one attempt.
type Bot struct {
	token  string
	url    string // chat.postMessage's URL
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
		url:    strings.TrimSuffix(apiURL, "/") + "/chat.postMessage",
		client: orDefault(client),
		redact: redactor(token),
	}
}

// Post sends m to channel (a name such as "#mx-digest" or an ID), as a reply
// in the thread threadTS when it is not "", and returns the new message's
// ts. An error is an *Error that says whether trying again may succeed.
func (b *Bot) Post(ctx context.Context, channel, threadTS string, m Message) (string, error) {
	status, retryAfter, answer, err := send(ctx, b.client, b.url, b.token, newPayload(channel, threadTS, m))
	if err != nil {
		return "", transportError(err, b.redact, botAPI)
	}
	return Classify(botAPI, status, retryAfter, answer, time.Now())
}

// Webhook posts to an incoming webhook: one channel, no threads. Each Post
// is one attempt.
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

// Post sends m to the webhook's channel and returns "": channel and
// threadTS are ignored, since a webhook has one channel and no threads. An
// error is an *Error that says whether trying again may succeed.
func (w *Webhook) Post(ctx context.Context, channel, threadTS string, m Message) (string, error) {
	status, retryAfter, answer, err := send(ctx, w.client, w.url, "", newPayload("", "", m))
	if err != nil {
		return "", transportError(err, w.redact, webhookAPI)
	}
	return Classify(webhookAPI, status, retryAfter, answer, time.Now())
}

// payload is the JSON body of chat.postMessage and of a webhook post (which
// has no channel and no thread). Unfurling is always off.
type payload struct {
	Channel     string           `json:"channel,omitempty"`
	ThreadTS    string           `json:"thread_ts,omitempty"`
	Text        string           `json:"text"`
	Blocks      []slackapi.Block `json:"blocks,omitempty"`
	UnfurlLinks bool             `json:"unfurl_links"`
	UnfurlMedia bool             `json:"unfurl_media"`
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

// send POSTs body as JSON and returns what Slack answered: the status, the
// Retry-After header and the first maxAnswer bytes of the body.
func send(ctx context.Context, client *http.Client, url, token string, body payload) (status int, retryAfter string, answer []byte, err error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return 0, "", nil, fmt.Errorf("encode message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
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
		return 0, "", nil, err
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), answer, nil
}
