package slack

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
)

// TestFind posts tagged messages, then finds each one again — top level or
// in its thread — and does not find what was never posted.
func TestFind(t *testing.T) {
	fake := newFake(t)
	bot := NewBot(testToken, fake.APIURL(), nil)
	ctx := context.Background()
	start := time.Now().Add(-time.Second)
	var posted []Receipt
	for part := 1; part <= 3; part++ {
		thread := ""
		if part == 3 {
			thread = posted[0].TS
		}
		rc, err := bot.Post(ctx, "#mx-digest", thread, Message{Text: "m", Tag: Tag{Digest: "d1", Part: part}})
		if err != nil {
			t.Fatal(err)
		}
		posted = append(posted, rc)
	}
	// Another digest's message with the same part: not a match.
	if _, err := bot.Post(ctx, "C1", "", Message{Text: "m", Tag: Tag{Digest: "d2", Part: 2}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		thread string
		tag    Tag
		want   Receipt
		found  bool
	}{
		{"", Tag{"d1", 1}, posted[0], true},
		{"", Tag{"d1", 2}, posted[1], true},
		{posted[0].TS, Tag{"d1", 3}, posted[2], true},
		{"", Tag{"d1", 3}, Receipt{}, false}, // a reply is not in the channel's history
		{"", Tag{"d1", 4}, Receipt{}, false},
		{"", Tag{"d3", 1}, Receipt{}, false},
	}
	for _, tt := range tests {
		rc, found, err := bot.Find(ctx, "C1", tt.thread, start, tt.tag)
		if err != nil || found != tt.found || rc != tt.want {
			t.Errorf("Find(%q, %+v) = %+v, %v, %v; want %+v, %v", tt.thread, tt.tag, rc, found, err, tt.want, tt.found)
		}
	}
	if _, found, _ := bot.Find(ctx, "C1", "", time.Now().Add(time.Hour), Tag{"d1", 1}); found {
		t.Error("Find(since an hour from now) found a message posted before")
	}

	// Without the history scopes the error says which to add.
	fake.SetScopes("chat:write")
	_, _, err := bot.Find(ctx, "C1", "", start, Tag{"d1", 1})
	var e *Error
	if !errors.As(err, &e) || e.Code != "missing_scope" || e.Retry {
		t.Errorf("Find without channels:history = %v; want a final missing_scope naming the scope", err)
	}
}

func TestChannelID(t *testing.T) {
	fake := newFake(t)
	bot := NewBot(testToken, fake.APIURL(), nil)
	ctx := context.Background()
	for in, want := range map[string]string{"#mx-security": "C2", "mx-digest": "C1", "C0123ABC": "C0123ABC"} {
		if got, err := bot.ChannelID(ctx, in); err != nil || got != want {
			t.Errorf("ChannelID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := bot.ChannelID(ctx, "#nope"); err == nil {
		t.Error("ChannelID(#nope) = nil error; want channel_not_found")
	}
}

// TestUnknownOutcome: a post whose answer is lost, late or a 5xx may have
// been posted (Unknown); one that never reached Slack was not.
func TestUnknownOutcome(t *testing.T) {
	fake := newFake(t)
	fake.OnAccept(func(m fakeslack.Message) fakeslack.Fault {
		switch m.Text {
		case "drop":
			return fakeslack.Fault{Drop: true}
		case "late":
			return fakeslack.Fault{Delay: 2 * time.Second}
		case "502":
			return fakeslack.Fault{Status: 502}
		}
		return fakeslack.Fault{}
	})
	bot := NewBot(testToken, fake.APIURL(), &http.Client{Timeout: 300 * time.Millisecond})
	for _, text := range []string{"drop", "late", "502"} {
		_, err := bot.Post(context.Background(), "C1", "", Message{Text: text})
		var e *Error
		if !errors.As(err, &e) || !e.Unknown || !e.Retry {
			t.Errorf("Post(%s) = %v; want a retryable error of unknown outcome", text, err)
		}
	}
	// Nobody listening: the request never left.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = NewBot(testToken, "http://"+addr+"/api/", nil).Post(context.Background(), "C1", "", Message{Text: "x"})
	var e *Error
	if !errors.As(err, &e) || e.Unknown || !e.Retry {
		t.Errorf("Post(to a closed port) = %v; want a retryable error that was surely not posted", err)
	}
}
