package digest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Poster sends one message to a channel and returns Slack's ts ("" for
// webhooks). threadTS != "" posts a thread reply. Posters retry what can be
// retried themselves: an error they return is final.
type Poster interface {
	Post(ctx context.Context, channel, threadTS string, m Message) (ts string, err error)
}

// Recorder stores a confirmed message (the pipeline adapts the store to it).
type Recorder interface {
	RecordDelivery(ctx context.Context, channel, ts string, itemIDs []string) error
}

// Deliver posts msgs in order to channel and, after each message Slack
// confirms, records it with the items it carries, so that a failure midway
// leaves the unposted items undelivered. Thread replies go under the first
// message's ts (or are posted on their own when there is none, as with a
// webhook). It returns how many messages were posted and the first final
// error, which names the channel and never contains a secret.
func Deliver(ctx context.Context, p Poster, rec Recorder, channel string, msgs []Message) (posted int, err error) {
	var first string
	for i, m := range msgs {
		thread := ""
		if m.Thread {
			thread = first
		}
		ts, err := p.Post(ctx, channel, thread, m)
		if err != nil {
			return posted, fmt.Errorf("digest: slack: channel %q: message %d of %d: %w", channel, i+1, len(msgs), err)
		}
		posted++
		if i == 0 || (first == "" && !m.Thread) {
			first = ts
		}
		if err := rec.RecordDelivery(ctx, channel, ts, m.ItemIDs); err != nil {
			return posted, fmt.Errorf("digest: record delivery to %q (ts %s): %w", channel, ts, err)
		}
	}
	return posted, nil
}

// PostError is a message Slack refused for good, or that could not be
// delivered within the retries.
type PostError struct {
	// Code is Slack's error code ("channel_not_found", "invalid_token"),
	// or "http_503", "network_error".
	Code string
	// Hint says which setting to check.
	Hint string
	// Tries is how many times the message was sent.
	Tries int
	// detail is a redacted description of the cause, if any.
	detail string
}

func (e *PostError) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.detail != "" {
		b.WriteString(" (" + e.detail + ")")
	}
	if e.Hint != "" {
		b.WriteString(" — " + e.Hint)
	}
	if e.Tries > 1 {
		fmt.Fprintf(&b, " [after %d tries]", e.Tries)
	}
	return b.String()
}

// PosterOption configures a BotPoster or WebhookPoster.
type PosterOption func(*posterConfig)

type posterConfig struct {
	client   *http.Client
	logger   *slog.Logger
	retries  int
	base     time.Duration
	maxWait  time.Duration
	sleep    func(context.Context, time.Duration) error
	redactor *strings.Replacer
}

// WithHTTPClient sets the HTTP client (default: one with a 30s timeout).
func WithHTTPClient(c *http.Client) PosterOption {
	return func(pc *posterConfig) { pc.client = c }
}

// WithLogger sets where retries are logged (default: slog.Default()).
func WithLogger(l *slog.Logger) PosterOption {
	return func(pc *posterConfig) { pc.logger = l }
}

// WithRetry sets how many times a 429, 5xx or network error is retried
// (default 4), the first backoff (default 1s, doubling, with jitter), and
// the longest single wait, Retry-After included (default 60s).
func WithRetry(max int, base, maxWait time.Duration) PosterOption {
	return func(pc *posterConfig) {
		pc.retries, pc.base, pc.maxWait = max, base, maxWait
	}
}

func newPosterConfig(secrets []string, opts []PosterOption) posterConfig {
	pc := posterConfig{retries: 4, base: time.Second, maxWait: 60 * time.Second, sleep: sleepCtx}
	for _, o := range opts {
		o(&pc)
	}
	if pc.client == nil {
		pc.client = &http.Client{Timeout: 30 * time.Second}
	}
	if pc.logger == nil {
		pc.logger = slog.Default()
	}
	if pc.retries < 0 {
		pc.retries = 0
	}
	if pc.base <= 0 {
		pc.base = time.Second
	}
	if pc.maxWait <= 0 {
		pc.maxWait = 60 * time.Second
	}
	pc.redactor = redactor(secrets)
	// Wrap the transport to keep what slack-go drops: the status, the
	// Retry-After header and the body of a non-200 answer.
	c := *pc.client
	c.Transport = captureTransport{base: c.Transport}
	pc.client = &c
	return pc
}

// redactor replaces each secret, and its URL-escaped and path forms, with
// "[redacted]".
func redactor(secrets []string) *strings.Replacer {
	var pairs []string
	add := func(s string) {
		if len(s) >= 4 {
			pairs = append(pairs, s, "[redacted]")
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		if u, err := url.Parse(s); err == nil && u.Host != "" && len(u.Path) > 1 {
			add(u.Path)
			add(u.EscapedPath())
		}
	}
	return strings.NewReplacer(pairs...)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// answer is what the transport saw of one HTTP exchange.
type answer struct {
	status     int
	retryAfter string
	body       string // first bytes of a non-200 body
}

type answerKey struct{}

// captureTransport fills the *answer found in a request's context.
type captureTransport struct{ base http.RoundTripper }

func (t captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	a, _ := r.Context().Value(answerKey{}).(*answer)
	if err != nil || a == nil {
		return resp, err
	}
	a.status = resp.StatusCode
	a.retryAfter = resp.Header.Get("Retry-After")
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		_ = resp.Body.Close()
		a.body = string(b)
		resp.Body = io.NopCloser(bytes.NewReader(b))
	}
	return resp, nil
}

// attempt is one try's outcome: retry says whether to try again and wait
// how long (0: back off).
type attempt struct {
	err   *PostError
	retry bool
	wait  time.Duration
}

// send runs try until it succeeds, fails for good, or the retries run out.
func (pc posterConfig) send(ctx context.Context, try func(ctx context.Context, a *answer) (string, attempt)) (string, error) {
	for n := 1; ; n++ {
		a := &answer{}
		ts, at := try(context.WithValue(ctx, answerKey{}, a), a)
		if at.err == nil {
			return ts, nil
		}
		at.err.Tries = n
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("%s: %w", at.err.Error(), err)
		}
		if !at.retry || n > pc.retries {
			return "", at.err
		}
		wait := at.wait
		if wait <= 0 {
			wait = pc.base << (n - 1)
			if wait <= 0 || wait > pc.maxWait {
				wait = pc.maxWait
			}
			wait = wait/2 + rand.N(wait/2+1)
		}
		wait = min(wait, pc.maxWait)
		pc.logger.Warn("slack post failed; retrying", "error", at.err.Error(), "try", n, "wait", wait)
		if err := pc.sleep(ctx, wait); err != nil {
			return "", fmt.Errorf("%s: %w", at.err.Error(), err)
		}
	}
}

// retryAfter parses a Retry-After header (seconds or an HTTP date); 0 when
// absent or unreadable.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return max(time.Duration(s)*time.Second, time.Millisecond)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), time.Millisecond)
	}
	return 0
}

// transient is the Web API error codes worth retrying.
var transient = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true,
}

// botHints and webhookHints name the setting to check for each final error.
var botHints = map[string]string{
	"not_authed":        "check slack.token",
	"invalid_auth":      "check slack.token (a bot token starts with xoxb-)",
	"account_inactive":  "the bot's account is inactive; check slack.token",
	"token_revoked":     "the token was revoked; reinstall the app and update slack.token",
	"token_expired":     "the token expired; update slack.token",
	"no_permission":     "the token lacks permission; check slack.token",
	"missing_scope":     "the bot token needs the chat:write scope; check slack.token",
	"channel_not_found": "invite the bot or check slack.channel (or the topic's channel)",
	"not_in_channel":    "invite the bot to the channel, or add the chat:write.public scope",
	"is_archived":       "the channel is archived; check slack.channel (or the topic's channel)",
	"restricted_action": "posting to this channel is restricted; check slack.channel",
	"invalid_blocks":    "Slack refused the message's blocks (a newsdigest bug; please report it)",
	"msg_too_long":      "Slack refused the message as too long (a newsdigest bug; please report it)",
	"invalid_arguments": "Slack refused the request's arguments; check slack.channel",
}

var webhookHints = map[string]string{
	"invalid_token":       "check slack.webhook_url",
	"no_service":          "the webhook is gone or disabled; check slack.webhook_url",
	"no_team":             "check slack.webhook_url",
	"team_disabled":       "the workspace is disabled; check slack.webhook_url",
	"channel_not_found":   "the webhook's channel is gone; check slack.webhook_url",
	"channel_is_archived": "the webhook's channel is archived; check slack.webhook_url",
	"action_prohibited":   "an admin restricted posting; check slack.webhook_url",
	"invalid_blocks":      "Slack refused the message's blocks (a newsdigest bug; please report it)",
	"msg_too_long":        "Slack refused the message as too long (a newsdigest bug; please report it)",
}

// errorCode is a short error code such as "invalid_token".
var errorCode = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// codeFromBody finds Slack's error code in a non-200 body: a bare code or
// {"ok":false,"error":"…"}; "" when there is none.
func codeFromBody(body string) string {
	body = strings.TrimSpace(body)
	if errorCode.MatchString(body) {
		return body
	}
	var r struct {
		Error string `json:"error"`
	}
	if json.Unmarshal([]byte(body), &r) == nil && errorCode.MatchString(r.Error) {
		return r.Error
	}
	return ""
}

// classify turns one try's outcome into an attempt. setting names the
// setting to check when nothing more precise is known.
func (pc posterConfig) classify(err error, a *answer, setting string, hints map[string]string) attempt {
	final := func(code string) attempt {
		hint, ok := hints[code]
		if !ok || hint == "" {
			hint = "check " + setting
		}
		return attempt{err: &PostError{Code: code, Hint: hint}}
	}
	if a.status == 0 {
		// No answer: a network error, or the request was never sent.
		msg := pc.redactor.Replace(unwrapURLError(err).Error())
		return attempt{err: &PostError{Code: "network_error", detail: msg, Hint: "check that Slack is reachable (" + setting + ")"}, retry: true}
	}
	code := codeFromBody(a.body)
	var slackErr slack.SlackErrorResponse
	if a.status == http.StatusOK && errors.As(err, &slackErr) {
		code = slackErr.Err
	}
	switch {
	case a.status == http.StatusTooManyRequests:
		return attempt{err: &PostError{Code: "rate_limited", Hint: "Slack asked to slow down"}, retry: true, wait: retryAfter(a.retryAfter)}
	case a.status >= 500:
		e := &PostError{Code: fmt.Sprintf("http_%d", a.status), Hint: "Slack is unavailable"}
		if code != "" {
			e.detail = code
		}
		return attempt{err: e, retry: true}
	case a.status != http.StatusOK:
		if code == "" {
			code = fmt.Sprintf("http_%d", a.status)
		}
		return final(code)
	case code != "":
		if transient[code] {
			return attempt{err: &PostError{Code: code, Hint: "Slack asked to retry"}, retry: true, wait: retryAfter(a.retryAfter)}
		}
		return final(code)
	}
	// A 200 that slack-go could not read.
	return attempt{err: &PostError{Code: "bad_response", detail: pc.redactor.Replace(err.Error()), Hint: "check " + setting}, retry: true}
}

// unwrapURLError drops the *url.Error wrapper, whose message holds the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// BotPoster posts with chat.postMessage, link and media unfurling off.
type BotPoster struct {
	client *slack.Client
	cfg    posterConfig
}

var _ Poster = (*BotPoster)(nil)

// NewBotPoster returns a Poster for a bot token; apiURL "" means Slack's.
// The token never appears in its errors or logs.
func NewBotPoster(token, apiURL string, opts ...PosterOption) *BotPoster {
	if apiURL == "" {
		apiURL = slack.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	cfg := newPosterConfig([]string{token}, opts)
	return &BotPoster{
		client: slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(cfg.client)),
		cfg:    cfg,
	}
}

// Post sends m to channel (a name such as "#mx-digest" or an ID), as a
// reply in the thread threadTS when it is not "", and returns the new
// message's ts. 429s, 5xx answers, transient Slack errors and network
// errors are retried within the configured bounds; other errors are final.
func (p *BotPoster) Post(ctx context.Context, channel, threadTS string, m Message) (string, error) {
	opts := []slack.MsgOption{
		slack.MsgOptionText(m.Text, false),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	return p.cfg.send(ctx, func(ctx context.Context, a *answer) (string, attempt) {
		_, ts, err := p.client.PostMessageContext(ctx, channel, opts...)
		if err == nil {
			return ts, attempt{}
		}
		return "", p.cfg.classify(err, a, "slack.token and slack.api_url", botHints)
	})
}

// WebhookPoster posts to an incoming webhook: one channel, no threads.
type WebhookPoster struct {
	url string
	cfg posterConfig
}

var _ Poster = (*WebhookPoster)(nil)

// NewWebhookPoster returns a Poster for an incoming webhook. The URL never
// appears in its errors or logs.
func NewWebhookPoster(webhookURL string, opts ...PosterOption) *WebhookPoster {
	return &WebhookPoster{url: webhookURL, cfg: newPosterConfig([]string{webhookURL}, opts)}
}

// Post sends m to the webhook's channel (channel and threadTS are ignored:
// a webhook has one channel and no threads) and returns "". Retries are as
// for BotPoster.
func (p *WebhookPoster) Post(ctx context.Context, channel, threadTS string, m Message) (string, error) {
	off := false
	msg := &slack.WebhookMessage{Text: m.Text, UnfurlLinks: &off, UnfurlMedia: &off}
	if len(m.Blocks) > 0 {
		msg.Blocks = &slack.Blocks{BlockSet: m.Blocks}
	}
	return p.cfg.send(ctx, func(ctx context.Context, a *answer) (string, attempt) {
		err := slack.PostWebhookCustomHTTPContext(ctx, p.url, p.cfg.client, msg)
		if err == nil {
			return "", attempt{}
		}
		return "", p.cfg.classify(err, a, "slack.webhook_url", webhookHints)
	})
}
