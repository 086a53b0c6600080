package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxPages bounds how many pages of a channel (200 messages each) a lookup
// reads: a lost answer is looked for within minutes, not days.
const maxPages = 20

// history is the part of conversations.history, conversations.replies and
// conversations.list answers that the lookups read.
type history struct {
	webAnswer
	Messages []struct {
		TS       string    `json:"ts"`
		Metadata *metadata `json:"metadata"`
	} `json:"messages"`
	Channels []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"channels"`
	ResponseMetadata struct {
		NextCursor string `json:"next_cursor"`
	} `json:"response_metadata"`
}

// read makes one read call and decodes its answer into h, or returns an
// *Error that says what went wrong.
func (b *Bot) read(ctx context.Context, name string, q url.Values, h *history) error {
	status, retryAfter, answer, err := b.call(ctx, http.MethodGet, name, q, nil)
	if err != nil {
		return err
	}
	if _, err := Classify(readAPI, status, retryAfter, answer, time.Now()); err != nil {
		return err
	}
	*h = history{}
	if err := json.Unmarshal(answer, h); err != nil {
		return &Error{Code: "bad_response", detail: "unexpected answer from Slack", Hint: "check slack.api_url", Retry: true}
	}
	return nil
}

// Find looks for the message tagged tag that was posted to channelID (an ID,
// not a name) at or after since: among the channel's messages, or, when
// threadTS is not "", among the replies to it. It reports the message's
// Receipt and whether it was found. It needs the channels:history scope
// (groups:history for a private channel); without it the error is an
// *Error with Code "missing_scope".
func (b *Bot) Find(ctx context.Context, channelID, threadTS string, since time.Time, tag Tag) (Receipt, bool, error) {
	method, q := "conversations.history", url.Values{}
	if threadTS != "" {
		method = "conversations.replies"
		q.Set("ts", threadTS)
	}
	q.Set("channel", channelID)
	q.Set("oldest", strconv.FormatFloat(float64(since.UnixMicro())/1e6, 'f', 6, 64))
	q.Set("include_all_metadata", "true")
	q.Set("inclusive", "true")
	q.Set("limit", "200")
	for range maxPages {
		var h history
		if err := b.read(ctx, method, q, &h); err != nil {
			return Receipt{}, false, err
		}
		for _, m := range h.Messages {
			if m.Metadata != nil && m.Metadata.EventType == EventType && m.Metadata.EventPayload == tag {
				return Receipt{TS: m.TS, Channel: channelID}, true, nil
			}
		}
		if h.ResponseMetadata.NextCursor == "" {
			break
		}
		q.Set("cursor", h.ResponseMetadata.NextCursor)
	}
	return Receipt{}, false, nil
}

// ChannelID returns the ID of the channel named name ("#mx-digest" or
// "mx-digest"); a name that already is an ID (C…, G…) is returned as it is.
// It needs the channels:read scope (groups:read for a private channel).
func (b *Bot) ChannelID(ctx context.Context, name string) (string, error) {
	if IsChannelID(name) {
		return name, nil
	}
	want := strings.TrimPrefix(name, "#")
	q := url.Values{}
	q.Set("types", "public_channel,private_channel")
	q.Set("exclude_archived", "true")
	q.Set("limit", "1000")
	for range maxPages {
		var h history
		if err := b.read(ctx, "conversations.list", q, &h); err != nil {
			return "", err
		}
		for _, c := range h.Channels {
			if c.Name == want {
				return c.ID, nil
			}
		}
		if h.ResponseMetadata.NextCursor == "" {
			break
		}
		q.Set("cursor", h.ResponseMetadata.NextCursor)
	}
	return "", &Error{Code: "channel_not_found", Hint: readHints["channel_not_found"]}
}

// IsChannelID reports whether s has the shape of a Slack channel ID
// ("C0123ABCD", "G…" for an old private channel), not a name: names are
// lower case, IDs upper case.
func IsChannelID(s string) bool {
	if len(s) < 2 || (s[0] != 'C' && s[0] != 'G') {
		return false
	}
	for _, r := range s[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
