package fakeslack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// call makes one Web API request with the fake's bot token: a JSON POST
// when body is not nil, else a GET with q. It returns the decoded answer.
func call(t *testing.T, s *Server, method string, q url.Values, body any) (map[string]any, error) {
	t.Helper()
	u := s.APIURL() + method + "?" + q.Encode()
	var rd io.Reader
	verb := http.MethodGet
	if body != nil {
		b, _ := json.Marshal(body)
		rd, verb = bytes.NewReader(b), http.MethodPost
	}
	req, _ := http.NewRequest(verb, u, rd)
	req.Header.Set("Authorization", "Bearer xoxb-good")
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if out["ok"] != true {
		return out, errors.New(out["error"].(string))
	}
	return out, nil
}

func post(t *testing.T, s *Server, channel, thread, part string) string {
	t.Helper()
	body := map[string]any{"channel": channel, "text": "hi " + part, "thread_ts": thread}
	if part != "" {
		body["metadata"] = map[string]any{"event_type": "newsdigest_message", "event_payload": map[string]any{"digest": "d", "part": part}}
	}
	out, err := call(t, s, "chat.postMessage", nil, body)
	if err != nil {
		t.Fatalf("post %s: %v", part, err)
	}
	return out["ts"].(string)
}

// TestReadBack: history and replies give back what was posted, metadata
// included only when asked for, a page at a time, from oldest on.
func TestReadBack(t *testing.T) {
	s := newServer(t)
	s.AddChannel(Channel{ID: "G9", Name: "secret", Member: true, Private: true})
	first := post(t, s, "#general", "", "1")
	reply := post(t, s, "C1", first, "2")
	third := post(t, s, "C1", "", "3")
	post(t, s, "G9", "", "4")

	h, err := call(t, s, "conversations.history", url.Values{"channel": {"C1"}, "include_all_metadata": {"true"}, "limit": {"1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	msgs := h["messages"].([]any)
	next := h["response_metadata"].(map[string]any)["next_cursor"].(string)
	if len(msgs) != 1 || msgs[0].(map[string]any)["ts"] != third || next == "" || msgs[0].(map[string]any)["metadata"] == nil {
		t.Errorf("history page 1 = %v, cursor %q; want the newest top-level message with its metadata and a cursor", msgs, next)
	}
	h, _ = call(t, s, "conversations.history", url.Values{"channel": {"C1"}, "cursor": {next}}, nil)
	msgs = h["messages"].([]any)
	if len(msgs) != 1 || msgs[0].(map[string]any)["ts"] != first || msgs[0].(map[string]any)["metadata"] != nil {
		t.Errorf("history page 2 = %v; want the first message, no metadata unasked", msgs)
	}
	h, _ = call(t, s, "conversations.history", url.Values{"channel": {"C1"}, "oldest": {third}}, nil)
	if n := len(h["messages"].([]any)); n != 1 {
		t.Errorf("history from oldest=%s has %d messages; want 1", third, n)
	}
	r, err := call(t, s, "conversations.replies", url.Values{"channel": {"C1"}, "ts": {first}, "include_all_metadata": {"true"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if msgs := r["messages"].([]any); len(msgs) != 2 || msgs[1].(map[string]any)["ts"] != reply {
		t.Errorf("replies = %v; want the parent and the reply", msgs)
	}
	if _, err := call(t, s, "conversations.history", url.Values{"channel": {"#general"}}, nil); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("history by name = %v; want channel_not_found (reads take IDs)", err)
	}
	l, err := call(t, s, "conversations.list", url.Values{"exclude_archived": {"true"}}, nil)
	if err != nil || len(l["channels"].([]any)) != 3 {
		t.Errorf("list = %v, %v; want general, private and secret", l, err)
	}

	// Scopes: a private channel needs groups:history, a public one
	// channels:history.
	s.SetScopes("chat:write", "channels:history")
	if _, err := call(t, s, "conversations.history", url.Values{"channel": {"G9"}}, nil); err == nil || err.Error() != "missing_scope" {
		t.Errorf("private history without groups:history = %v; want missing_scope", err)
	}
	if _, err := call(t, s, "conversations.history", url.Values{"channel": {"C1"}}, nil); err != nil {
		t.Errorf("public history with channels:history = %v; want ok", err)
	}
	s.SetScopes("chat:write")
	if _, err := call(t, s, "conversations.list", nil, nil); err == nil || err.Error() != "missing_scope" {
		t.Errorf("list without channels:read = %v; want missing_scope", err)
	}
	if _, err := call(t, s, "chat.postMessage", nil, map[string]any{"channel": "C1", "text": "x", "metadata": map[string]any{"event_type": "e", "event_payload": "not an object"}}); err == nil || err.Error() != "invalid_metadata_format" {
		t.Errorf("post with bad metadata = %v; want invalid_metadata_format", err)
	}
}

// TestOnAccept: a message the fake accepted is recorded whatever the client
// hears — nothing, a late answer, or a 5xx.
func TestOnAccept(t *testing.T) {
	s := newServer(t)
	var hooked atomic.Int32 // the hook runs on the requests' goroutines
	lateHooked := make(chan struct{})
	s.OnAccept(func(m Message) Fault {
		hooked.Add(1)
		switch m.Text {
		case "drop":
			return Fault{Drop: true}
		case "late":
			close(lateHooked)
			return Fault{Delay: time.Second}
		case "500":
			return Fault{Status: 503}
		}
		return Fault{}
	})
	for _, text := range []string{"drop", "late", "500", "fine"} {
		// Only "late" is given up on early; a loaded machine may take a
		// while over the others.
		client := &http.Client{Timeout: 10 * time.Second}
		if text == "late" {
			client.Timeout = 200 * time.Millisecond
		}
		b, _ := json.Marshal(map[string]any{"channel": "C1", "text": text})
		req, _ := http.NewRequest(http.MethodPost, s.APIURL()+"chat.postMessage", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer xoxb-good")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		switch text {
		case "drop", "late":
			if err == nil {
				resp.Body.Close()
				t.Errorf("%s: got HTTP %d; want no answer", text, resp.StatusCode)
			}
			if text == "late" {
				<-lateHooked // the client may give up before the fake has read it
			}
		case "500":
			if err != nil || resp.StatusCode != 503 {
				t.Errorf("%s: %v; want HTTP 503", text, err)
			}
		default:
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("%s: %v; want 200", text, err)
			}
		}
		if err == nil {
			resp.Body.Close()
		}
	}
	var texts []string
	for _, m := range s.Messages() {
		texts = append(texts, m.Text)
	}
	if got := strings.Join(texts, ","); got != "drop,late,500,fine" || hooked.Load() != 4 {
		t.Errorf("accepted %q (hook called %d times); want all four", got, hooked.Load())
	}
}
