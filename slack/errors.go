package slack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest/internal/netfail"
)

// Error is a post Slack refused, or one that did not get an answer.
type Error struct {
	// Code is Slack's error code ("channel_not_found", "invalid_token"),
	// or "rate_limited", "http_503", "network_error", "bad_response".
	Code string
	// Hint says which setting to check, or what Slack asked for.
	Hint string
	// Retry: the same request may succeed if sent again.
	Retry bool
	// Wait is how long Slack asked to wait before trying again
	// (Retry-After); zero when it gave no advice.
	Wait time.Duration
	// Unknown: Slack may have posted the message all the same — the
	// request was sent but its answer was lost, cut off, late, or a 5xx.
	// Before posting it again, look for it in the channel (Bot.Find).
	Unknown bool
	// detail is a redacted description of the cause, if any.
	detail string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.detail != "" {
		b.WriteString(" (" + e.detail + ")")
	}
	if e.Hint != "" {
		b.WriteString(" — " + e.Hint)
	}
	return b.String()
}

// API is which Slack interface an answer came from: they word errors
// differently and name different settings.
type API int

const (
	botAPI      API = iota // the Web API, with slack.token
	webhookAPI             // an incoming webhook, slack.webhook_url
	readAPI                // the Web API's reads, with slack.token
	responseAPI            // a slash command's response_url
)

func (a API) setting() string {
	switch a {
	case webhookAPI:
		return "slack.webhook_url"
	case responseAPI:
		return "the command's response_url"
	}
	return "slack.token and slack.api_url"
}

func (a API) hints() map[string]string {
	switch a {
	case webhookAPI:
		return webhookHints
	case readAPI:
		return readHints
	case responseAPI:
		return responseHints
	}
	return botHints
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

// readHints are for the reads that find a message again after its answer was
// lost, and a channel's ID.
var readHints = map[string]string{
	"missing_scope":     "to check whether a message whose answer was lost is in the channel, the bot token needs channels:history and groups:history (and channels:read, groups:read when slack.channel is a name); see the app manifest",
	"not_authed":        "check slack.token",
	"invalid_auth":      "check slack.token (a bot token starts with xoxb-)",
	"channel_not_found": "check slack.channel (or the topic's channel)",
	"not_in_channel":    "invite the bot to the channel",
	"thread_not_found":  "the thread's first message is gone",
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

// responseHints are for a slash command's response_url.
var responseHints = map[string]string{
	"expired_url":    "the command is more than 30 minutes old; run it again",
	"used_url":       "Slack allows 5 answers to one command",
	"no_text":        "the answer was empty (a newsdigest bug; please report it)",
	"invalid_blocks": "Slack refused the answer's blocks (a newsdigest bug; please report it)",
	"msg_too_long":   "Slack refused the answer as too long (a newsdigest bug; please report it)",
}

// isErrorCode reports whether s has the shape of a Slack error code such as
// "invalid_token": a lowercase ASCII letter, then up to 63 lowercase
// letters, digits and underscores. (A regexp compiled at start-up cost
// every command 0.2 ms: {0,63} compiles to 63 copies of its class.)
func isErrorCode(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// Classify reads one answer of api: the HTTP status, the Retry-After header
// and the body. It returns the new message's Receipt (empty for a webhook)
// when Slack accepted the message, else an *Error that says whether to
// retry, how long Slack asked to wait (now is when the answer came, for a
// Retry-After given as a date), and whether Slack may have posted it anyway.
// It does no I/O: every answer Slack can give is a table test.
func Classify(api API, status int, retryAfter string, body []byte, now time.Time) (Receipt, error) {
	var web webAnswer
	code := ""
	text := strings.TrimSpace(string(body))
	switch {
	case isErrorCode(text):
		code = text // a webhook's bare code, or "ok"
	case json.Unmarshal(body, &web) == nil && isErrorCode(web.Error):
		code = web.Error
	}
	wait, advised := netfail.RetryAfter(retryAfter, now)
	if advised {
		wait = max(wait, time.Millisecond) // "retry now", not "no advice"
	}
	final := func(code string) error {
		hint, ok := api.hints()[code]
		if !ok || hint == "" {
			hint = "check " + api.setting()
		}
		return &Error{Code: code, Hint: hint}
	}
	switch {
	case status == http.StatusTooManyRequests:
		return Receipt{}, &Error{Code: "rate_limited", Hint: "Slack asked to slow down", Retry: true, Wait: wait}
	case status >= 500:
		// Slack may have posted the message before failing to answer.
		return Receipt{}, &Error{Code: fmt.Sprintf("http_%d", status), Hint: "Slack is unavailable", Retry: true, Unknown: true, detail: code}
	case status != http.StatusOK:
		if code == "" {
			code = fmt.Sprintf("http_%d", status)
		}
		return Receipt{}, final(code)
	case api == webhookAPI:
		return Receipt{}, nil // a webhook says "ok"; its errors come with a 4xx
	case api == responseAPI && (code == "ok" || web.OK):
		return Receipt{}, nil // "ok", or {"ok":true}
	case web.OK:
		return Receipt{TS: web.TS, Channel: web.Channel}, nil
	case code != "":
		if transient[code] {
			return Receipt{}, &Error{Code: code, Hint: "Slack asked to retry", Retry: true, Wait: wait}
		}
		return Receipt{}, final(code)
	}
	// A 200 that is neither a success nor an error Slack would send: a
	// proxy's page, or an answer cut short.
	return Receipt{}, &Error{Code: "bad_response", detail: "unexpected answer from Slack", Hint: "check " + api.setting(), Retry: true, Unknown: true}
}

// webAnswer is what every Web API answer says, and chat.postMessage's.
type webAnswer struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	TS      string `json:"ts"`
	Channel string `json:"channel"`
}

// transportError is a call that got no answer: a network error, or a
// request that could not be made. Its outcome is unknown unless the request
// never left: the connection could not be made, or the name not resolved.
// Its message has the URL and secrets removed.
func transportError(err error, redact *strings.Replacer, api API) error {
	return &Error{
		Code:    "network_error",
		detail:  redact.Replace(netfail.Reason(err)),
		Hint:    "check that Slack is reachable (" + api.setting() + ")",
		Retry:   true,
		Unknown: !netfail.NotSent(err),
	}
}

// redactor replaces each secret, and its URL-escaped and path forms, with
// "[redacted]".
func redactor(secrets ...string) *strings.Replacer {
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
