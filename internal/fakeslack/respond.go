package fakeslack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file is the rest of a slash command's round trip: its response_url
// (5 answers at most, ephemeral or in the channel), auth.test (which
// workspace the bot is in), and the request URL's signed form (SignedForm).

// MaxResponses is how many answers Slack takes at one response_url.
const MaxResponses = 5

// Response is one answer posted to a response_url.
type Response struct {
	URL          string
	Channel      string // the command's channel
	ResponseType string // "ephemeral" (also when not sent) or "in_channel"
	Text         string
	Blocks       json.RawMessage
}

type responseURL struct {
	channel string
	uses    int
}

// NewResponseURL registers a response_url for a command typed in channel.
func (s *Server) NewResponseURL(channel string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sock.seq++
	id := fmt.Sprintf("/commands/T0000/%d/%s", s.sock.seq, "respsecret"+strconv.Itoa(s.sock.seq))
	s.responseURLs[id] = &responseURL{channel: channel}
	return s.srv.URL + id
}

// Responses returns the answers posted to responseURL, in order.
func (s *Server) Responses(responseURL string) []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Response
	for _, r := range s.responses {
		if r.URL == responseURL {
			out = append(out, r)
		}
	}
	return out
}

// respond is a response_url: an ephemeral answer is shown to the caller
// only; an in_channel one is a message in the channel.
func (s *Server) respond(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ru := s.responseURLs[r.URL.Path]
	switch {
	case r.Method != http.MethodPost:
		http.Error(w, "invalid_request", http.StatusMethodNotAllowed)
		return
	case ru == nil:
		http.Error(w, "expired_url", http.StatusNotFound)
		return
	case ru.uses >= MaxResponses:
		http.Error(w, "used_url", http.StatusNotFound)
		return
	}
	var body struct {
		ResponseType string          `json:"response_type"`
		Text         string          `json:"text"`
		Blocks       json.RawMessage `json:"blocks"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	if code := CheckMessage(body.Text, body.Blocks); code != "" {
		http.Error(w, code, http.StatusBadRequest)
		return
	}
	ru.uses++
	rt := body.ResponseType
	if rt == "" {
		rt = "ephemeral"
	}
	s.responses = append(s.responses, Response{URL: s.srv.URL + r.URL.Path, Channel: ru.channel, ResponseType: rt, Text: body.Text, Blocks: body.Blocks})
	if rt == "in_channel" {
		s.messages = append(s.messages, Message{Channel: ru.channel, TS: s.nextTS(), Text: body.Text, Blocks: body.Blocks})
	}
	writeOK(w, map[string]any{})
}

// authTest is auth.test: the bot's workspace.
func (s *Server) authTest(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.authorized(w, bearer(r)) {
		writeOK(w, map[string]any{"team_id": s.sock.teamID, "team": "Fake", "user_id": "U0BOT", "bot_id": "B0BOT", "url": "https://fake.slack.com/"})
	}
}

// CommandForm is c as the form Slack posts to a request URL, with a new
// response_url.
func (s *Server) CommandForm(c SlashCommand) url.Values {
	p, _ := s.commandPayload(c)
	f := url.Values{}
	for k, v := range p {
		f.Set(k, v)
	}
	return f
}

// SignedForm is a request Slack would post to the request URL target: body,
// signed with secret as sent at ts.
func SignedForm(target, secret, body string, ts time.Time) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}
