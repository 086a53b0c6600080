package watcher

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// JSON Feed in one pass. gofeed's json types (v1.4.2, MIT licence) decode
// a feed three times over: Feed and Item have UnmarshalJSON methods that
// unmarshal again into an alias, to coerce a few loosely typed fields. The
// types below hold the same fields with the same Go types, the loose ones
// as raw JSON, so that encoding/json accepts and refuses exactly what it
// accepts and refuses for gofeed's, in one pass; the loose fields are then
// coerced by gofeed's rules. FuzzFastParse and TestFastParseGenerated
// compare the two.

type jsonFeedDoc struct {
	Version     string          `json:"version"`
	Title       string          `json:"title,omitempty"`
	HomePageURL string          `json:"home_page_url,omitempty"`
	FeedURL     string          `json:"feed_url,omitempty"`
	Description string          `json:"description,omitempty"`
	UserComment string          `json:"user_comment,omitempty"`
	NextURL     string          `json:"next_url,omitempty"`
	Icon        string          `json:"icon,omitempty"`
	Favicon     string          `json:"favicon,omitempty"`
	Author      *jsonAuthor     `json:"author,omitempty"`
	Expired     json.RawMessage `json:"expired"` // coerced by gofeed, never refused
	Items       []*jsonItem     `json:"items"`
	Authors     []*jsonAuthor   `json:"authors,omitempty"`
	Language    string          `json:"language,omitempty"`
}

type jsonItem struct {
	ID            json.RawMessage   `json:"id"` // coerced to a string
	URL           string            `json:"url,omitempty"`
	ExternalURL   string            `json:"external_url,omitempty"`
	Title         string            `json:"title,omitempty"`
	ContentHTML   string            `json:"content_html,omitempty"`
	ContentText   string            `json:"content_text,omitempty"`
	Summary       string            `json:"summary,omitempty"`
	Image         string            `json:"image,omitempty"`
	BannerImage   string            `json:"banner_image,omitempty"`
	DatePublished string            `json:"date_published,omitempty"`
	DateModified  string            `json:"date_modified,omitempty"`
	Author        *jsonAuthor       `json:"author,omitempty"`
	Tags          []string          `json:"tags,omitempty"`
	Attachments   *[]jsonAttachment `json:"attachments,omitempty"`
	Authors       []*jsonAuthor     `json:"authors,omitempty"`
	Language      string            `json:"language,omitempty"`
}

type jsonAuthor struct {
	Name   string `json:"name,omitempty"`
	URL    string `json:"url,omitempty"`
	Avatar string `json:"avatar,omitempty"`
}

type jsonAttachment struct {
	URL               string          `json:"url,omitempty"`
	MimeType          string          `json:"mime_type,omitempty"`
	Title             string          `json:"title,omitempty"`
	SizeInBytes       json.RawMessage `json:"size_in_bytes"`       // coerced, never refused
	DurationInSeconds json.RawMessage `json:"duration_in_seconds"` // likewise
}

// fastJSON reads a JSON Feed as gofeed's json parser and translator do, for
// the fields parse uses. It reports false where gofeed fails (the body
// does not decode) or would panic (null items or authors, which gofeed's
// translator dereferences; parseFeed turns that into an error).
func fastJSON(body []byte) (*gofeed.Feed, bool) {
	var doc jsonFeedDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, false
	}
	if hasNilAuthor(doc.Authors) {
		return nil, false
	}
	f := &gofeed.Feed{
		Title:       doc.Title,
		Link:        doc.HomePageURL,
		FeedType:    "json",
		FeedVersion: doc.Version,
		Items:       make([]*gofeed.Item, 0, len(doc.Items)),
	}
	for _, it := range doc.Items {
		if it == nil || hasNilAuthor(it.Authors) {
			return nil, false
		}
		content := it.ContentHTML
		if content == "" {
			content = it.ContentText
		}
		f.Items = append(f.Items, &gofeed.Item{
			GUID:        coerceString(it.ID),
			Link:        it.URL,
			Title:       it.Title,
			Description: it.Summary,
			Content:     content,
			Published:   it.DatePublished,
			Updated:     it.DateModified,
		})
	}
	return f, true
}

func hasNilAuthor(authors []*jsonAuthor) bool {
	for _, a := range authors {
		if a == nil {
			return true
		}
	}
	return false
}

// coerceString is gofeed's json coerceString: a JSON string, or a number
// as written, or else the raw JSON trimmed.
func coerceString(raw json.RawMessage) string {
	if s := strings.TrimSpace(string(raw)); s == "" || s == "null" {
		return ""
	}
	if len(raw) > 1 && raw[0] == '"' && raw[len(raw)-1] == '"' && !strings.ContainsAny(string(raw[1:len(raw)-1]), `\"`) {
		// A plain string without escapes (an ID as most feeds write it):
		// what json.Unmarshal would give, without its reflection.
		if s := string(raw[1 : len(raw)-1]); !hasControl(s) && utf8.ValidString(s) {
			return s
		}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String()
	}
	return strings.TrimSpace(string(raw))
}

// hasControl reports whether s holds a byte below 0x20, which a JSON
// string may not hold unescaped.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return true
		}
	}
	return false
}
