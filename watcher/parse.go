package watcher

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"github.com/newsdigest/newsdigest"
)

// ErrNotFeed is wrapped by the errors Parse returns when the body is not a
// feed at all: empty, an HTML page, or no RSS, Atom or JSON Feed root.
var ErrNotFeed = errors.New("not a feed")

// ErrParse is wrapped by the errors Parse returns when the body looks like a
// feed but the feed parser rejected it.
var ErrParse = errors.New("parse")

// utf8BOM is the UTF-8 byte order mark, which some servers put before the
// XML prolog.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// prologEncoding finds the encoding pseudo-attribute of an XML declaration.
var prologEncoding = regexp.MustCompile(`^<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']`)

// Parse turns a feed body into items: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON
// Feed 1.x. contentType is the HTTP Content-Type; its charset is used when the
// XML prolog declares no encoding. feed gives the name and URL used for each
// item's identity and Source. Every string in the items is valid UTF-8, and
// Link is absolute whenever the feed URL is. Parse never panics; errors wrap
// ErrNotFeed or ErrParse and read like "not a feed: HTML page 'Home'".
func Parse(body []byte, contentType string, feed newsdigest.Feed) ([]newsdigest.Item, error) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, utf8BOM))
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrNotFeed)
	}
	input := body
	if trimmed[0] == '<' {
		input = decodeByHeader(trimmed, contentType)
	}
	parsed, err := parseFeed(input)
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			if title, ok := htmlPage(trimmed, contentType); ok {
				if title == "" {
					return nil, fmt.Errorf("%w: HTML page", ErrNotFeed)
				}
				return nil, fmt.Errorf("%w: HTML page '%s'", ErrNotFeed, title)
			}
			return nil, fmt.Errorf("%w: no RSS, Atom or JSON Feed found", ErrNotFeed)
		}
		return nil, &fetchError{msg: "parse: " + validUTF8(err.Error()), kind: ErrParse, cause: err}
	}
	return toItems(parsed, feed), nil
}

// parseFeed runs gofeed on body, turning a panic inside the parser into an
// error so that no feed, however hostile, can take the process down.
func parseFeed(body []byte) (f *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("feed parser panicked: %v", r)
		}
	}()
	p := gofeed.NewParser()
	// newsdigest shows no images; the scan for one parses every item's HTML
	// again and was a quarter of all allocations of a large poll.
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	return p.Parse(bytes.NewReader(body))
}

// decodeByHeader converts an XML body to UTF-8 using the charset of the
// Content-Type when the XML prolog declares no encoding. When the prolog does
// declare one, gofeed converts it, so the body is returned unchanged to avoid
// decoding twice.
func decodeByHeader(xmlBody []byte, contentType string) []byte {
	if prologEncoding.Match(xmlBody) {
		return xmlBody
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return xmlBody
	}
	label := strings.ToLower(strings.TrimSpace(params["charset"]))
	if label == "" || label == "utf-8" || label == "utf8" {
		return xmlBody
	}
	r, err := charset.NewReaderLabel(label, bytes.NewReader(xmlBody))
	if err != nil {
		return xmlBody // unknown label: read it as UTF-8
	}
	decoded, err := io.ReadAll(r)
	if err != nil {
		return xmlBody
	}
	return decoded
}

// htmlPage reports whether body is an HTML page and returns its title,
// whitespace collapsed and cut to 100 characters.
func htmlPage(body []byte, contentType string) (string, bool) {
	head := body[:min(len(body), 1024)]
	lower := bytes.ToLower(head)
	mediaType, _, _ := mime.ParseMediaType(contentType)
	if mediaType != "text/html" && !bytes.Contains(lower, []byte("<html")) && !bytes.Contains(lower, []byte("<!doctype html")) {
		return "", false
	}
	r, err := charset.NewReader(bytes.NewReader(body), contentType)
	if err != nil {
		r = bytes.NewReader(body)
	}
	z := html.NewTokenizer(r)
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", true
		case html.StartTagToken:
			name, _ := z.TagName()
			if string(name) != "title" {
				continue
			}
			if z.Next() != html.TextToken {
				return "", true
			}
			title := strings.Join(strings.Fields(validUTF8(string(z.Text()))), " ")
			if utf8.RuneCountInString(title) > 100 {
				title = string([]rune(title)[:100]) + "…"
			}
			return title, true
		}
	}
}

// toItems maps gofeed's items to newsdigest items for feed.
func toItems(parsed *gofeed.Feed, feed newsdigest.Feed) []newsdigest.Item {
	base := linkBase(feed.URL, parsed.Link)
	items := make([]newsdigest.Item, 0, len(parsed.Items))
	for _, it := range parsed.Items {
		if it == nil {
			continue
		}
		item := newsdigest.Item{
			FeedURL:   feed.URL,
			FeedName:  feed.Name,
			GUID:      validUTF8(strings.TrimSpace(it.GUID)),
			Link:      validUTF8(resolve(base, it.Link)),
			Title:     validUTF8(it.Title),
			Summary:   validUTF8(it.Description),
			Content:   validUTF8(it.Content),
			Published: published(it),
			Source:    feed.Name,
		}
		item.ID = newsdigest.ItemID(feed.URL, item)
		items = append(items, item)
	}
	return items
}

// published is the item's publication date, else its update date, in UTC.
func published(it *gofeed.Item) time.Time {
	switch {
	case it.PublishedParsed != nil && !it.PublishedParsed.IsZero():
		return it.PublishedParsed.UTC()
	case it.UpdatedParsed != nil && !it.UpdatedParsed.IsZero():
		return it.UpdatedParsed.UTC()
	}
	return time.Time{}
}

// linkBase is the URL that relative item links are resolved against: the
// feed's own link (itself resolved against the feed URL), else the feed URL.
// It is nil when neither parses.
func linkBase(feedURL, feedLink string) *url.URL {
	base, err := url.Parse(strings.TrimSpace(feedURL))
	if err != nil {
		base = nil
	}
	link := strings.TrimSpace(feedLink)
	if link == "" {
		return base
	}
	l, err := url.Parse(link)
	if err != nil {
		return base
	}
	if base != nil {
		l = base.ResolveReference(l)
	}
	if !l.IsAbs() && base != nil && base.IsAbs() {
		return base
	}
	return l
}

// resolve makes link absolute against base; a link that does not parse, or
// that is already absolute, is returned trimmed.
func resolve(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	if link == "" || base == nil {
		return link
	}
	u, err := url.Parse(link)
	if err != nil || u.IsAbs() {
		return link
	}
	return base.ResolveReference(u).String()
}

// validUTF8 replaces invalid UTF-8 sequences with U+FFFD.
func validUTF8(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}
