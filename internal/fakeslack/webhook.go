package fakeslack

import (
	"encoding/json"
	"io"
	"net/http"
)

func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
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
	defer s.mu.Unlock()
	m := Message{ThreadTS: body.ThreadTS, Text: body.Text, Blocks: body.Blocks,
		UnfurlLinks: body.UnfurlLinks, UnfurlMedia: body.UnfurlMedia, Webhook: true}
	s.accept(w, r, m, func() { _, _ = io.WriteString(w, "ok") })
}
