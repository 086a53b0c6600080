package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

// This file is Slack's side of a slash command: who sent it (the signature
// of a request to the request URL), what it says (Command), and the answer
// sent later to its response_url (Responder).

// Command is one invocation of a slash command, from the HTTP request URL's
// form or a Socket Mode envelope.
type Command struct {
	TeamID       string // the workspace, T…
	EnterpriseID string // the Enterprise Grid org, E…, if any
	ChannelID    string // where it was typed, C… (or D… for a direct message)
	ChannelName  string // that channel's name now, without "#"
	UserID       string // who typed it, U… or W…
	Command      string // "/newsdigest"
	Text         string // what followed the command
	ResponseURL  string // where later answers go (30 minutes, 5 uses)
}

// CommandFromForm reads the fields of a slash command request.
func CommandFromForm(f url.Values) Command {
	return Command{
		TeamID: f.Get("team_id"), EnterpriseID: f.Get("enterprise_id"),
		ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"),
		UserID: f.Get("user_id"), Command: f.Get("command"), Text: f.Get("text"),
		ResponseURL: f.Get("response_url"),
	}
}

// CommandFrom converts slack-go's slash command (from Socket Mode).
func CommandFrom(c slackapi.SlashCommand) Command {
	return Command{
		TeamID: c.TeamID, EnterpriseID: c.EnterpriseID, ChannelID: c.ChannelID, ChannelName: c.ChannelName,
		UserID: c.UserID, Command: c.Command, Text: c.Text, ResponseURL: c.ResponseURL,
	}
}

// MaxSignatureAge is how old a signed request may be: Slack's advice, and
// what makes a captured request useless after a while.
const MaxSignatureAge = 5 * time.Minute

// Why a request to the request URL was refused.
var (
	ErrUnsigned     = errors.New("slack: request is not signed (no X-Slack-Signature or X-Slack-Request-Timestamp)")
	ErrBadSignature = errors.New("slack: request signature does not match the signing secret")
	ErrStale        = errors.New("slack: request timestamp is more than 5 minutes from now")
)

// Verify checks a request to the slash command's request URL: the v0
// signature of its timestamp and body with the app's signing secret
// (HMAC-SHA256, compared in constant time), and that the timestamp is within
// MaxSignatureAge of now. It returns nil, ErrUnsigned, ErrBadSignature or
// ErrStale; the error never contains the secret.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	sig, ts := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || ts == "" {
		return ErrUnsigned
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	// Checked before the signature, so that no HMAC is computed for a
	// replay of an old request; the signature still decides for a fresh one.
	if d := now.Sub(time.Unix(sec, 0)); d > MaxSignatureAge || d < -MaxSignatureAge {
		return ErrStale
	}
	got, err := hex.DecodeString(strings.TrimPrefix(sig, "v0="))
	if err != nil || !strings.HasPrefix(sig, "v0=") {
		return ErrBadSignature
	}
	if !hmac.Equal(got, Sign(secret, ts, body)) {
		return ErrBadSignature
	}
	return nil
}

// Sign is the v0 signature of a request: HMAC-SHA256 of "v0:ts:body" with the
// signing secret (hex-encode it, after "v0=", for X-Slack-Signature).
func Sign(secret, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return mac.Sum(nil)
}

// Reply is an answer to a slash command: the immediate one (the request
// URL's response body, or the Socket Mode acknowledgement's payload), or a
// later one sent to its response_url.
type Reply struct {
	ResponseType string           `json:"response_type,omitempty"` // "ephemeral" (the default) or "in_channel"
	Text         string           `json:"text"`
	Blocks       []slackapi.Block `json:"blocks,omitempty"`
}

// Ephemeral is a reply only the caller sees.
func Ephemeral(text string) Reply { return Reply{ResponseType: "ephemeral", Text: text} }

// EphemeralMessage is m as a reply only the caller sees.
func EphemeralMessage(m Message) Reply {
	return Reply{ResponseType: "ephemeral", Text: m.Text, Blocks: m.Blocks}
}

// Responder sends later answers to commands' response_urls. Each Respond is
// one attempt.
type Responder struct {
	client *http.Client
	allow  func(*url.URL) bool
}

// NewResponder returns a Responder; client nil means one with a 30s timeout.
// It only posts to Slack's response URLs (https://hooks.slack.com/…, or
// hooks.slack-gov.com for GovSlack), or,
// when apiURL is set (a stand-in Slack), to that host: a response_url is
// data from the request, and must not send newsdigest anywhere else.
func NewResponder(apiURL string, client *http.Client) *Responder {
	allow := func(u *url.URL) bool {
		return u.Scheme == "https" && (u.Host == "hooks.slack.com" || u.Host == "hooks.slack-gov.com")
	}
	if apiURL != "" {
		if api, err := url.Parse(apiURL); err == nil {
			allow = func(u *url.URL) bool { return u.Scheme == api.Scheme && u.Host == api.Host }
		}
	}
	return &Responder{client: orDefault(client), allow: allow}
}

// Respond posts r to responseURL. An error is an *Error; neither it nor any
// log line shows the URL, which lets anyone answer in the caller's channel.
func (p *Responder) Respond(ctx context.Context, responseURL string, r Reply) error {
	u, err := url.Parse(responseURL)
	if err != nil || !p.allow(u) {
		return &Error{Code: "bad_response_url", Hint: "the command's response_url is not Slack's"}
	}
	status, retryAfter, answer, err := send(ctx, p.client, http.MethodPost, responseURL, "", r)
	if err != nil {
		return transportError(err, redactor(responseURL), responseAPI)
	}
	_, err = Classify(responseAPI, status, retryAfter, answer, time.Now())
	return err
}

// TeamID asks Slack (auth.test) which workspace the bot token belongs to.
func (b *Bot) TeamID(ctx context.Context) (string, error) {
	status, retryAfter, answer, err := b.call(ctx, http.MethodPost, "auth.test", nil, struct{}{})
	if err != nil {
		return "", err
	}
	if _, err := Classify(readAPI, status, retryAfter, answer, time.Now()); err != nil {
		return "", err
	}
	var a struct {
		TeamID string `json:"team_id"`
	}
	if jsonErr := json.Unmarshal(answer, &a); jsonErr != nil || a.TeamID == "" {
		return "", &Error{Code: "bad_response", detail: "auth.test gave no team_id", Hint: "check slack.api_url", Retry: true}
	}
	return a.TeamID, nil
}

// MaxReplyText is the longest text a reply gets (UTF-16 code units): within
// a message's 4000 and Socket Mode's 20 KB acknowledgement.
const MaxReplyText = 3500

// Escape makes text safe for mrkdwn: it can neither mention anyone
// (<!channel>) nor forge a link.
func Escape(s string) string { return mrkdwn(s) }

// FitReply cuts escaped mrkdwn text to MaxReplyText, ending in "…" when it
// cut, without leaving half an entity behind.
func FitReply(s string) string { return truncMrkdwn(s, MaxReplyText) }
