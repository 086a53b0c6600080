// Package fakeslack is a Slack Web API and incoming-webhook stand-in on
// loopback, for tests: it implements chat.postMessage and a webhook path,
// enforces Slack's message limits, and records every message it accepts.
package fakeslack

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Slack's limits, as the fake enforces them.
const (
	MaxBlocks          = 50
	MaxSectionText     = 3000
	MaxHeaderText      = 150
	MaxContextElements = 10
	MaxText            = 4000  // a text of this many characters or more is msg_too_long
	MaxBlockText       = 12000 // blocks whose texts total this many characters or more are msg_too_long
)

// Channel is a channel the fake knows.
type Channel struct {
	ID       string // e.g. "C0123"
	Name     string // without "#"
	Member   bool   // the bot has joined it
	Archived bool
}

// Message is one accepted message.
type Message struct {
	Channel     string          // channel ID ("" for the webhook)
	TS          string          // assigned ts ("" for the webhook)
	ThreadTS    string          // thread_ts as sent
	Text        string          // text as sent
	Blocks      json.RawMessage // blocks as sent, JSON
	UnfurlLinks *bool           // nil when not sent
	UnfurlMedia *bool
	Webhook     bool // arrived through the webhook
}

// Failure is a scripted answer that replaces a call's normal handling.
type Failure struct {
	Status     int    // HTTP status; 0 means 200
	RetryAfter string // Retry-After header, if any
	Error      string // Web API: answered as {"ok":false,"error":Error}
	Body       string // raw body, used when Error is empty (webhook errors, HTML 5xx pages)
}

type script struct {
	from, to int // 1-based call numbers, to < 0 means forever
	f        Failure
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	srv         *httptest.Server
	token       string
	webhookPath string

	mu       sync.Mutex
	channels []Channel
	calls    int
	scripts  []script
	messages []Message
	tsSeq    int
}

// New starts a fake on 127.0.0.1 that accepts token as its bot token, and
// closes it when the test ends.
func New(t testing.TB, token string) *Server {
	s := &Server{token: token, webhookPath: "/services/T0000/B0000/" + "hooksecret0123456789"}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/chat.postMessage", s.postMessage)
	mux.HandleFunc(s.webhookPath, s.webhook)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.count()
		http.Error(w, "no_service", http.StatusNotFound)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// APIURL is the Web API base to give slack.OptionAPIURL, ending in "/".
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// WebhookURL is the fake's incoming-webhook URL; its path is the secret.
func (s *Server) WebhookURL() string { return s.srv.URL + s.webhookPath }

// Close stops the server; later calls fail with a network error.
func (s *Server) Close() { s.srv.Close() }

// AddChannel makes a channel known to the fake.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels = append(s.channels, c)
}

// Fail answers n calls, starting with the from-th call to the server
// (1-based, counting every call), with f instead of handling them; n < 0
// means every call from then on.
func (s *Server) Fail(from, n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	to := from + n - 1
	if n < 0 {
		to = -1
	}
	s.scripts = append(s.scripts, script{from: from, to: to, f: f})
}

// FailNext answers the next n calls with f.
func (s *Server) FailNext(n int, f Failure) {
	s.mu.Lock()
	from := s.calls + 1
	s.mu.Unlock()
	s.Fail(from, n, f)
}

// Calls is how many requests the server has received.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Messages returns the accepted messages in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// count registers a call and returns the scripted failure for it, if any.
func (s *Server) count() (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	for _, sc := range s.scripts {
		if s.calls >= sc.from && (sc.to < 0 || s.calls <= sc.to) {
			return sc.f, true
		}
	}
	return Failure{}, false
}

func writeFailure(w http.ResponseWriter, f Failure) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	if f.Error != "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": f.Error})
		return
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, f.Body)
}

func apiError(w http.ResponseWriter, code string) {
	writeFailure(w, Failure{Error: code})
}

// request is chat.postMessage's arguments, from a form or a JSON body.
type request struct {
	token, channel, text, threadTS string
	blocks                         json.RawMessage
	unfurlLinks, unfurlMedia       *bool
}

func parseBool(s string) *bool {
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil
	}
	return &b
}

func readRequest(r *http.Request) (request, error) {
	var q request
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		q.token = strings.TrimPrefix(auth, "Bearer ")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		var body struct {
			Channel     string          `json:"channel"`
			Text        string          `json:"text"`
			ThreadTS    string          `json:"thread_ts"`
			Blocks      json.RawMessage `json:"blocks"`
			UnfurlLinks *bool           `json:"unfurl_links"`
			UnfurlMedia *bool           `json:"unfurl_media"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return q, err
		}
		q.channel, q.text, q.threadTS, q.blocks = body.Channel, body.Text, body.ThreadTS, body.Blocks
		q.unfurlLinks, q.unfurlMedia = body.UnfurlLinks, body.UnfurlMedia
		return q, nil
	}
	if err := r.ParseForm(); err != nil {
		return q, err
	}
	if tok := r.PostForm.Get("token"); tok != "" && q.token == "" {
		q.token = tok
	}
	q.channel = r.PostForm.Get("channel")
	q.text = r.PostForm.Get("text")
	q.threadTS = r.PostForm.Get("thread_ts")
	if b := r.PostForm.Get("blocks"); b != "" {
		q.blocks = json.RawMessage(b)
	}
	q.unfurlLinks = parseBool(r.PostForm.Get("unfurl_links"))
	q.unfurlMedia = parseBool(r.PostForm.Get("unfurl_media"))
	return q, nil
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.count(); ok {
		writeFailure(w, f)
		return
	}
	if r.Method != http.MethodPost {
		apiError(w, "invalid_request")
		return
	}
	q, err := readRequest(r)
	if err != nil {
		apiError(w, "invalid_form_data")
		return
	}
	switch {
	case q.token == "":
		apiError(w, "not_authed")
		return
	case q.token != s.token:
		apiError(w, "invalid_auth")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channel(q.channel)
	switch {
	case !ok:
		apiError(w, "channel_not_found")
		return
	case ch.Archived:
		apiError(w, "is_archived")
		return
	case !ch.Member:
		apiError(w, "not_in_channel")
		return
	}
	if code := CheckMessage(q.text, q.blocks); code != "" {
		apiError(w, code)
		return
	}
	if q.threadTS != "" && !s.hasMessage(ch.ID, q.threadTS) {
		apiError(w, "thread_not_found")
		return
	}
	s.tsSeq++
	ts := fmt.Sprintf("1700000000.%06d", s.tsSeq*100)
	s.messages = append(s.messages, Message{Channel: ch.ID, TS: ts, ThreadTS: q.threadTS, Text: q.text,
		Blocks: q.blocks, UnfurlLinks: q.unfurlLinks, UnfurlMedia: q.unfurlMedia})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": ch.ID, "ts": ts,
		"message": map[string]any{"type": "message", "text": q.text, "ts": ts}})
}

// channel finds a channel by ID, name or "#name"; s.mu is held.
func (s *Server) channel(ref string) (Channel, bool) {
	name := strings.TrimPrefix(ref, "#")
	for _, c := range s.channels {
		if ref != "" && (c.ID == ref || c.Name == name) {
			return c, true
		}
	}
	return Channel{}, false
}

// hasMessage reports whether channel has a top-level message ts; s.mu is held.
func (s *Server) hasMessage(channel, ts string) bool {
	for _, m := range s.messages {
		if m.Channel == channel && m.TS == ts && m.ThreadTS == "" {
			return true
		}
	}
	return false
}

func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.count(); ok {
		writeFailure(w, f)
		return
	}
	var body struct {
		Text        string          `json:"text"`
		ThreadTS    string          `json:"thread_ts"`
		Blocks      json.RawMessage `json:"blocks"`
		UnfurlLinks *bool           `json:"unfurl_links"`
		UnfurlMedia *bool           `json:"unfurl_media"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	if code := CheckMessage(body.Text, body.Blocks); code != "" {
		http.Error(w, code, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.messages = append(s.messages, Message{ThreadTS: body.ThreadTS, Text: body.Text, Blocks: body.Blocks,
		UnfurlLinks: body.UnfurlLinks, UnfurlMedia: body.UnfurlMedia, Webhook: true})
	s.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

// textObject is a Block Kit text object.
type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type block struct {
	Type     string       `json:"type"`
	Text     *textObject  `json:"text"`
	Fields   []textObject `json:"fields"`
	Elements []textObject `json:"elements"`
}

// CheckMessage returns the error code Slack would answer for a message with
// this text and these blocks (a JSON array, or empty), or "" when Slack
// would accept it. It knows header, section, context and divider blocks;
// any other block type is invalid_blocks.
func CheckMessage(text string, blocks json.RawMessage) string {
	if utf8.RuneCountInString(text) >= MaxText {
		return "msg_too_long"
	}
	if len(blocks) == 0 || string(blocks) == "null" {
		if strings.TrimSpace(text) == "" {
			return "no_text"
		}
		return ""
	}
	var bs []block
	if err := json.Unmarshal(blocks, &bs); err != nil {
		return "invalid_blocks_format"
	}
	if len(bs) > MaxBlocks {
		return "invalid_blocks"
	}
	total := 0
	validText := func(t *textObject, max int, types ...string) bool {
		if t == nil || t.Text == "" {
			return false
		}
		n := utf8.RuneCountInString(t.Text)
		total += n
		ok := false
		for _, typ := range types {
			ok = ok || t.Type == typ
		}
		return ok && n <= max
	}
	for _, b := range bs {
		switch b.Type {
		case "header":
			if !validText(b.Text, MaxHeaderText, "plain_text") {
				return "invalid_blocks"
			}
		case "section":
			if b.Text == nil && len(b.Fields) == 0 {
				return "invalid_blocks"
			}
			if b.Text != nil && !validText(b.Text, MaxSectionText, "plain_text", "mrkdwn") {
				return "invalid_blocks"
			}
			if len(b.Fields) > 10 {
				return "invalid_blocks"
			}
			for i := range b.Fields {
				if !validText(&b.Fields[i], 2000, "plain_text", "mrkdwn") {
					return "invalid_blocks"
				}
			}
		case "context":
			if len(b.Elements) == 0 || len(b.Elements) > MaxContextElements {
				return "invalid_blocks"
			}
			for i := range b.Elements {
				if !validText(&b.Elements[i], MaxSectionText, "plain_text", "mrkdwn") {
					return "invalid_blocks"
				}
			}
		case "divider":
		default:
			return "invalid_blocks"
		}
	}
	if total >= MaxBlockText {
		return "msg_too_long"
	}
	return ""
}
