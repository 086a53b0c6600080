package fakeslack

import (
	"encoding/json"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// request is chat.postMessage's arguments, from a form or a JSON body.
type request struct {
	token, channel, text, threadTS string
	blocks, metadata               json.RawMessage
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

func bearer(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		return strings.TrimPrefix(auth, "Bearer ")
	}
	return ""
}

func readRequest(r *http.Request) (request, error) {
	q := request{token: bearer(r)}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		var body struct {
			Channel     string          `json:"channel"`
			Text        string          `json:"text"`
			ThreadTS    string          `json:"thread_ts"`
			Blocks      json.RawMessage `json:"blocks"`
			Metadata    json.RawMessage `json:"metadata"`
			UnfurlLinks *bool           `json:"unfurl_links"`
			UnfurlMedia *bool           `json:"unfurl_media"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return q, err
		}
		q.channel, q.text, q.threadTS, q.blocks, q.metadata = body.Channel, body.Text, body.ThreadTS, body.Blocks, body.Metadata
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
	if m := r.PostForm.Get("metadata"); m != "" {
		q.metadata = json.RawMessage(m)
	}
	q.unfurlLinks = parseBool(r.PostForm.Get("unfurl_links"))
	q.unfurlMedia = parseBool(r.PostForm.Get("unfurl_media"))
	return q, nil
}

func apiError(w http.ResponseWriter, code string) {
	writeFailure(w, Failure{Error: code})
}

func writeOK(w http.ResponseWriter, v map[string]any) {
	v["ok"] = true
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// authorized answers not_authed, invalid_auth or missing_scope and returns
// false unless token is the bot token with one of the scopes (if any are
// named). s.mu is held.
func (s *Server) authorized(w http.ResponseWriter, token string, scopes ...string) bool {
	switch {
	case token == "":
		apiError(w, "not_authed")
		return false
	case token != s.token:
		apiError(w, "invalid_auth")
		return false
	case len(scopes) > 0 && !slices.ContainsFunc(scopes, func(sc string) bool { return s.scopes[sc] }):
		apiError(w, "missing_scope")
		return false
	}
	return true
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		apiError(w, "invalid_request")
		return
	}
	q, err := readRequest(r)
	if err != nil {
		apiError(w, "invalid_form_data")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorized(w, q.token, "chat:write") {
		return
	}
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
	if len(q.metadata) > 0 && string(q.metadata) != "null" {
		var md struct {
			EventType    string          `json:"event_type"`
			EventPayload json.RawMessage `json:"event_payload"`
		}
		if json.Unmarshal(q.metadata, &md) != nil || md.EventType == "" || len(md.EventPayload) == 0 || md.EventPayload[0] != '{' {
			apiError(w, "invalid_metadata_format")
			return
		}
	} else {
		q.metadata = nil
	}
	if q.threadTS != "" && !s.hasMessage(ch.ID, q.threadTS) {
		apiError(w, "thread_not_found")
		return
	}
	m := Message{Channel: ch.ID, TS: s.nextTS(), ThreadTS: q.threadTS, Text: q.text,
		Blocks: q.blocks, Metadata: q.metadata, UnfurlLinks: q.unfurlLinks, UnfurlMedia: q.unfurlMedia}
	s.accept(w, r, m, func() {
		writeOK(w, map[string]any{"channel": ch.ID, "ts": m.TS,
			"message": map[string]any{"type": "message", "text": q.text, "ts": m.TS}})
	})
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

// readable finds the channel a read names, answering Slack's error when it
// cannot be read with the token's scopes. s.mu is held.
func (s *Server) readable(w http.ResponseWriter, r *http.Request) (Channel, bool) {
	ch, ok := s.channel(r.FormValue("channel"))
	scope := "channels:history"
	if ok && ch.Private {
		scope = "groups:history"
	}
	if !s.authorized(w, bearer(r), scope) {
		return Channel{}, false
	}
	switch {
	case !ok || strings.HasPrefix(r.FormValue("channel"), "#"):
		apiError(w, "channel_not_found") // reads take IDs, not names
		return Channel{}, false
	case !ch.Member && ch.Private:
		apiError(w, "not_in_channel")
		return Channel{}, false
	}
	return ch, true
}

// history is conversations.history: a channel's top-level messages, newest
// first, from oldest on, limit per page with a cursor. Metadata only with
// include_all_metadata.
func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.readable(w, r)
	if !ok {
		return
	}
	var msgs []Message
	for i := len(s.messages) - 1; i >= 0; i-- {
		if m := s.messages[i]; m.Channel == ch.ID && m.ThreadTS == "" {
			msgs = append(msgs, m)
		}
	}
	s.page(w, r, msgs)
}

// replies is conversations.replies: a thread's first message and its
// replies, oldest first.
func (s *Server) replies(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.readable(w, r)
	if !ok {
		return
	}
	ts := r.FormValue("ts")
	if !s.hasMessage(ch.ID, ts) {
		apiError(w, "thread_not_found")
		return
	}
	var msgs []Message
	for _, m := range s.messages {
		if m.Channel == ch.ID && (m.TS == ts || m.ThreadTS == ts) {
			msgs = append(msgs, m)
		}
	}
	s.page(w, r, msgs)
}

// page answers one page of msgs after the oldest filter.
func (s *Server) page(w http.ResponseWriter, r *http.Request, msgs []Message) {
	if oldest := r.FormValue("oldest"); oldest != "" {
		min, err := strconv.ParseFloat(oldest, 64)
		if err != nil {
			apiError(w, "invalid_arguments")
			return
		}
		msgs = slices.DeleteFunc(msgs, func(m Message) bool {
			ts, _ := strconv.ParseFloat(m.TS, 64)
			return ts < min
		})
	}
	limit, _ := strconv.Atoi(r.FormValue("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	start, _ := strconv.Atoi(r.FormValue("cursor"))
	start = min(max(start, 0), len(msgs))
	end := min(start+limit, len(msgs))
	withMeta := r.FormValue("include_all_metadata") == "true"
	out := []map[string]any{}
	for _, m := range msgs[start:end] {
		o := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
		if m.ThreadTS != "" {
			o["thread_ts"] = m.ThreadTS
		}
		if withMeta && m.Metadata != nil {
			o["metadata"] = m.Metadata
		}
		out = append(out, o)
	}
	next := ""
	if end < len(msgs) {
		next = strconv.Itoa(end)
	}
	writeOK(w, map[string]any{"messages": out, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}})
}

// list is conversations.list: the channels, a page at a time.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.authorized(w, bearer(r), "channels:read") {
		return
	}
	out := []map[string]any{}
	for _, c := range s.channels {
		if c.Archived && r.FormValue("exclude_archived") == "true" {
			continue
		}
		if c.Private && !s.scopes["groups:read"] {
			continue
		}
		out = append(out, map[string]any{"id": c.ID, "name": c.Name, "is_private": c.Private, "is_archived": c.Archived})
	}
	writeOK(w, map[string]any{"channels": out, "response_metadata": map[string]any{"next_cursor": ""}})
}
