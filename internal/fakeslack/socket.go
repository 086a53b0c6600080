package fakeslack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// This file is the fake's Socket Mode: apps.connections.open (with the app
// token) hands out a one-use ws:// URL on the same server; the WebSocket
// then carries Slack's envelopes — hello, slash_commands, disconnect — and
// the app's acknowledgements, and Slack's pings. Tests send a command with
// SlashCommand, ask for a reconnect with Disconnect, and cut the line with
// DropConnections.

// AckTimeout is how long Slack waits for an envelope's acknowledgement.
const AckTimeout = 3 * time.Second

// PingEvery is how often the fake pings a Socket Mode connection
// (slack-go's client gives up on a connection after 30 s without a ping).
const PingEvery = 5 * time.Second

// SlashCommand is a command a test types.
type SlashCommand struct {
	TeamID      string // "" = the fake's TeamID
	ChannelID   string
	ChannelName string
	UserID      string
	Command     string // "" = "/newsdigest"
	Text        string
}

// Ack is the app's acknowledgement of an envelope.
type Ack struct {
	EnvelopeID  string
	Payload     json.RawMessage // the immediate reply; nil when none
	After       time.Duration   // from sending the envelope to its ack
	ResponseURL string          // the command's response_url, for Responses
}

// Reply reads the text of an acknowledgement's payload ("" when none).
func (a Ack) Reply() string {
	var r struct {
		Text string `json:"text"`
	}
	json.Unmarshal(a.Payload, &r)
	return r.Text
}

type socketState struct {
	appToken string
	teamID   string
	tickets  map[string]bool // issued; true once used
	conns    []*wsConn
	connects int
	changed  chan struct{} // closed and replaced whenever connects or conns change
	waiting  map[string]chan Ack
	seq      int
}

type wsConn struct {
	ws      *websocket.Conn
	writeMu sync.Mutex
}

func (c *wsConn) writeJSON(v any) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

// SetAppToken sets the app-level token apps.connections.open accepts.
func (s *Server) SetAppToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sock.appToken = token
}

// TeamID is the fake workspace's ID, which auth.test answers and commands
// carry by default.
func (s *Server) TeamID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.teamID
}

// WaitConnects waits until at least n Socket Mode connections were opened
// and one is live.
func (s *Server) WaitConnects(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		ok := s.sock.connects >= n && len(s.sock.conns) > 0
		ch := s.sock.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("fakeslack: waiting for Socket Mode connection %d: %w", n, ctx.Err())
		}
	}
}

// notify wakes WaitConnects; s.mu is held.
func (s *Server) notify() {
	close(s.sock.changed)
	s.sock.changed = make(chan struct{})
}

// openConnection is apps.connections.open.
func (s *Server) openConnection(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		apiError(w, "invalid_request")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch tok := bearer(r); {
	case tok == "":
		apiError(w, "not_authed")
		return
	case tok == s.token:
		apiError(w, "not_allowed_token_type")
		return
	case s.sock.appToken == "" || tok != s.sock.appToken:
		apiError(w, "invalid_auth")
		return
	}
	s.sock.seq++
	ticket := fmt.Sprintf("ticket-%d", s.sock.seq)
	s.sock.tickets[ticket] = false
	writeOK(w, map[string]any{"url": "ws://" + r.Host + "/link/?ticket=" + ticket})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// link is the WebSocket end of a Socket Mode connection.
func (s *Server) link(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	used, issued := s.sock.tickets[ticket]
	if issued && !used {
		s.sock.tickets[ticket] = true
	}
	s.mu.Unlock()
	if !issued || used {
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &wsConn{ws: ws}
	defer ws.Close()
	if err := c.writeJSON(map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A0FAKE"},
		"debug_info":      map[string]any{"host": "fakeslack", "approximate_connection_time": 3600}}); err != nil {
		return
	}
	s.mu.Lock()
	s.sock.conns = append(s.sock.conns, c)
	s.sock.connects++
	s.notify()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		for i, x := range s.sock.conns {
			if x == c {
				s.sock.conns = append(s.sock.conns[:i], s.sock.conns[i+1:]...)
				break
			}
		}
		s.notify()
		s.mu.Unlock()
	}()

	done := make(chan struct{})
	defer close(done)
	go func() { // Slack pings; the client counts a silent connection as dead
		t := time.NewTicker(PingEvery)
		defer t.Stop()
		for {
			if ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)) != nil {
				return
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil || ack.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		waiter := s.sock.waiting[ack.EnvelopeID]
		delete(s.sock.waiting, ack.EnvelopeID)
		s.mu.Unlock()
		if waiter != nil {
			waiter <- Ack{EnvelopeID: ack.EnvelopeID, Payload: ack.Payload}
		}
	}
}

// ErrNotAcked is SlashCommand's error when no acknowledgement came within
// AckTimeout: Slack shows the user "operation_timeout".
var ErrNotAcked = errors.New("fakeslack: the envelope was not acknowledged within 3s")

// SlashCommand sends c as a slash_commands envelope over the newest live
// Socket Mode connection (waiting for one while ctx allows), and returns the
// app's acknowledgement, or ErrNotAcked after AckTimeout.
func (s *Server) SlashCommand(ctx context.Context, c SlashCommand) (Ack, error) {
	if err := s.WaitConnects(ctx, 1); err != nil {
		return Ack{}, err
	}
	payload, responseURL := s.commandPayload(c)
	s.mu.Lock()
	if len(s.sock.conns) == 0 {
		s.mu.Unlock()
		return Ack{}, errors.New("fakeslack: the Socket Mode connection closed")
	}
	conn := s.sock.conns[len(s.sock.conns)-1]
	s.sock.seq++
	id := fmt.Sprintf("envelope-%d", s.sock.seq)
	waiter := make(chan Ack, 1)
	s.sock.waiting[id] = waiter
	s.mu.Unlock()

	sent := time.Now()
	if err := conn.writeJSON(map[string]any{"envelope_id": id, "type": "slash_commands",
		"accepts_response_payload": true, "payload": payload}); err != nil {
		return Ack{}, fmt.Errorf("fakeslack: send envelope: %w", err)
	}
	timer := time.NewTimer(AckTimeout)
	defer timer.Stop()
	select {
	case a := <-waiter:
		a.After, a.ResponseURL = time.Since(sent), responseURL
		return a, nil
	case <-timer.C:
		return Ack{ResponseURL: responseURL}, ErrNotAcked
	case <-ctx.Done():
		return Ack{}, ctx.Err()
	}
}

// commandPayload is c as Slack sends it, with a new response_url.
func (s *Server) commandPayload(c SlashCommand) (map[string]string, string) {
	responseURL := s.NewResponseURL(c.ChannelID)
	if c.TeamID == "" {
		c.TeamID = s.TeamID()
	}
	if c.Command == "" {
		c.Command = "/newsdigest"
	}
	return map[string]string{
		"token": "deprecated-verification-token", "team_id": c.TeamID, "team_domain": "fake",
		"channel_id": c.ChannelID, "channel_name": c.ChannelName, "user_id": c.UserID, "user_name": strings.ToLower(c.UserID),
		"command": c.Command, "text": c.Text, "response_url": responseURL, "trigger_id": "1.2.3", "api_app_id": "A0FAKE",
	}, responseURL
}

// Disconnect sends every live connection Slack's disconnect message (reason
// such as "refresh_requested" or "warning"); the app is expected to open a
// new connection. The old ones are left to the app to close.
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	conns := append([]*wsConn(nil), s.sock.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		c.writeJSON(map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "fakeslack"}})
	}
}

// DropConnections cuts every live Socket Mode connection without a close
// frame, as a network failure would.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := append([]*wsConn(nil), s.sock.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.NetConn().Close()
	}
}

// closeSockets ends every connection (at cleanup, before the server stops).
func (s *Server) closeSockets() { s.DropConnections() }
