// Package fakeslack is a Slack stand-in on loopback, for tests: the Web API
// calls newsdigest makes (chat.postMessage, and conversations.history,
// .replies and .list to find a message again, auth.test), an incoming
// webhook, the slash command's transports (Socket Mode's
// apps.connections.open and WebSocket envelopes, a signed request URL
// form) and its response_url, and the ways Slack fails — scripted error answers, and answers lost, late or
// failed after Slack accepted the message. It enforces Slack's message
// limits and the token's scopes, and records every message it accepts.
package fakeslack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
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

// AllScopes are the bot token scopes a new fake grants.
var AllScopes = []string{"chat:write", "channels:history", "groups:history", "channels:read", "groups:read"}

// Channel is a channel the fake knows.
type Channel struct {
	ID       string // e.g. "C0123"
	Name     string // without "#"
	Member   bool   // the bot has joined it
	Archived bool
	Private  bool // reading it needs groups:history rather than channels:history
}

// Message is one accepted message.
type Message struct {
	Channel     string          // channel ID ("" for the webhook)
	TS          string          // assigned ts ("" for the webhook)
	ThreadTS    string          // thread_ts as sent
	Text        string          // text as sent
	Blocks      json.RawMessage // blocks as sent, JSON
	Metadata    json.RawMessage // metadata as sent, JSON; nil when none
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

// Fault is what happens to the answer of a message the fake has accepted
// (and recorded): the message is in the channel whatever the client learns.
type Fault struct {
	Drop   bool          // close the connection without answering
	Delay  time.Duration // answer this late (or not at all if the client gives up first)
	Status int           // answer with this HTTP status (a 5xx) instead of ok
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
	scopes   map[string]bool
	calls    int
	scripts  []script
	messages []Message
	lastTS   int64 // microseconds of the last ts given
	onAccept func(Message) Fault

	sock         socketState
	responseURLs map[string]*responseURL // by path
	responses    []Response
}

// New starts a fake on 127.0.0.1 that accepts token as its bot token, with
// every scope in AllScopes, and closes it when the test ends.
func New(t testing.TB, token string) *Server {
	s := &Server{token: token, webhookPath: "/services/T0000/B0000/" + "hooksecret0123456789", scopes: map[string]bool{},
		responseURLs: map[string]*responseURL{},
		sock: socketState{teamID: "T0000FAKE", tickets: map[string]bool{},
			changed: make(chan struct{}), waiting: map[string]chan Ack{}}}
	for _, sc := range AllScopes {
		s.scopes[sc] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/chat.postMessage", s.scripted(s.postMessage))
	mux.HandleFunc("/api/conversations.history", s.scripted(s.history))
	mux.HandleFunc("/api/conversations.replies", s.scripted(s.replies))
	mux.HandleFunc("/api/conversations.list", s.scripted(s.list))
	mux.HandleFunc("/api/apps.connections.open", s.scripted(s.openConnection))
	mux.HandleFunc("/api/auth.test", s.scripted(s.authTest))
	mux.HandleFunc("/link/", s.link)
	mux.HandleFunc("/commands/", s.scripted(s.respond))
	mux.HandleFunc(s.webhookPath, s.scripted(s.webhook))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.count()
		http.Error(w, "no_service", http.StatusNotFound)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	t.Cleanup(s.closeSockets) // first: a WebSocket outlives its request
	return s
}

// APIURL is the Web API base, ending in "/".
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// WebhookURL is the fake's incoming-webhook URL; its path is the secret.
func (s *Server) WebhookURL() string { return s.srv.URL + s.webhookPath }

// Close stops the server; later calls fail with a network error.
func (s *Server) Close() { s.closeSockets(); s.srv.Close() }

// AddChannel makes a channel known to the fake.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels = append(s.channels, c)
}

// SetScopes replaces the bot token's scopes.
func (s *Server) SetScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = map[string]bool{}
	for _, sc := range scopes {
		s.scopes[sc] = true
	}
}

// Fail answers n calls, starting with the from-th call to the server
// (1-based, counting every request but the Socket Mode WebSocket's), with f
// instead of handling them; n < 0 means every call from then on. A request
// to an unknown path counts, and is answered 404 all the same.
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

// OnAccept sets a function called with every message chat.postMessage or
// the webhook accepts, after it is recorded and before it is answered; the
// Fault it returns decides what the client hears. It runs on the request's
// goroutine, outside the fake's lock. nil removes it.
func (s *Server) OnAccept(f func(Message) Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onAccept = f
}

// Calls is how many requests the server has received, the Socket Mode
// WebSocket's aside.
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

// scripted wraps a handler: it counts the call and answers it with its
// scripted Failure, if any, instead of handling it.
func (s *Server) scripted(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if f, ok := s.count(); ok {
			writeFailure(w, f)
			return
		}
		h(w, r)
	}
}

// nextTS is a new message ts: the wall clock in microseconds, always later
// than the last one given. s.mu is held.
func (s *Server) nextTS() string {
	now := time.Now().UnixMicro()
	if now <= s.lastTS {
		now = s.lastTS + 1
	}
	s.lastTS = now
	return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
}

// accept records m and answers it as the OnAccept hook says; ok writes the
// normal answer.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, m Message, ok func()) {
	s.messages = append(s.messages, m)
	hook := s.onAccept
	s.mu.Unlock()
	defer s.mu.Lock()
	var f Fault
	if hook != nil {
		f = hook(m)
	}
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case f.Drop:
		if hj, isHJ := w.(http.Hijacker); isHJ {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case f.Status != 0:
		writeFailure(w, Failure{Status: f.Status, Body: "<html>upstream error</html>"})
	default:
		ok()
	}
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
	_, _ = w.Write([]byte(f.Body))
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
