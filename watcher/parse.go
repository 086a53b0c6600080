package watcher

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
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
var prologEncoding = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']`) })

// Parse turns a feed body into items: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON
// Feed 1.x. contentType is the HTTP Content-Type; its charset decides the
// encoding of bytes that are not valid UTF-8 (see toUTF8). feed gives the
// name and URL used for each item's identity and Source. Every string in the
// items is valid UTF-8, and Link is absolute whenever the feed URL is. Dates
// without a zone are read as UTC; ParseIn reads them elsewhere. A body the
// feed parser rejects is repaired (undeclared HTML entities, bare &, control
// characters, a cut-off tail) and parsed again; a well-formed feed is never
// altered. Most well-formed feeds are read by a fast path (fastParse) that
// gives exactly the items gofeed gives, several times faster; gofeed reads
// the rest. Parse never panics; errors wrap ErrNotFeed or ErrParse and read
// like "not a feed: HTML page 'Home'".
func Parse(body []byte, contentType string, feed newsdigest.Feed) ([]newsdigest.Item, error) {
	return ParseIn(body, contentType, feed, time.UTC)
}

// ParseIn is Parse with dates that carry no zone read as wall clock time in
// loc (nil means UTC).
func ParseIn(body []byte, contentType string, feed newsdigest.Feed, loc *time.Location) ([]newsdigest.Item, error) {
	p, err := parse(body, contentType, feed, loc)
	return p.items, err
}

// parsedFeed is what parse reads from a body.
type parsedFeed struct {
	title string
	items []newsdigest.Item
	ttl   time.Duration // RSS <ttl>, 0 if none
	// truncated is true when the body was cut off and only its complete
	// items were kept.
	truncated bool
}

func parse(body []byte, contentType string, feed newsdigest.Feed, loc *time.Location) (parsedFeed, error) {
	return parseVia(body, contentType, feed, loc, true)
}

// parseVia is parse, with or without the fast path (fastParse) in front of
// gofeed; the tests compare the two.
func parseVia(body []byte, contentType string, feed newsdigest.Feed, loc *time.Location, fast bool) (parsedFeed, error) {
	if loc == nil {
		loc = time.UTC
	}
	input := toUTF8(body, contentType)
	trimmed := bytes.TrimSpace(input)
	if len(trimmed) == 0 {
		return parsedFeed{}, fmt.Errorf("%w: empty body", ErrNotFeed)
	}
	var (
		parsed *gofeed.Feed
		err    error
		ok     bool
	)
	if fast {
		parsed, ok = guardedFastParse(input)
	}
	if !ok {
		parsed, err = parseFeed(input)
	}
	truncated := false
	if err != nil && trimmed[0] == '<' {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			if title, ok := htmlPage(bytes.TrimSpace(bytes.TrimPrefix(body, utf8BOM)), contentType); ok {
				if title == "" {
					return parsedFeed{}, fmt.Errorf("%w: HTML page", ErrNotFeed)
				}
				return parsedFeed{}, fmt.Errorf("%w: HTML page '%s'", ErrNotFeed, title)
			}
		}
		// A repair that cut the tail and kept no item has recovered
		// nothing: the feed fails with the parser's error.
		if fixed, cut, ok := repairXML(input); ok {
			if p, rerr := parseFeed(fixed); rerr == nil && (!cut || len(p.Items) > 0) {
				parsed, err, truncated = p, nil, cut
			}
		}
	}
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return parsedFeed{}, fmt.Errorf("%w: no RSS, Atom or JSON Feed found", ErrNotFeed)
		}
		return parsedFeed{}, &fetchError{msg: "parse: " + validUTF8(err.Error()), kind: ErrParse, cause: err}
	}
	if err := checkJSONFeed(parsed); err != nil {
		return parsedFeed{}, err
	}
	return parsedFeed{
		title:     validUTF8(parsed.Title),
		items:     toItems(parsed, feed, loc),
		ttl:       rssTTL(input),
		truncated: truncated,
	}, nil
}

// jsonFeedVersion matches the version URLs of JSON Feed 1.x: 1 and 1.1
// (https://jsonfeed.org/version/1.1), and later 1.x.
var jsonFeedVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^https?://jsonfeed\.org/version/1(\.\d+)?/?$`) })

// checkJSONFeed refuses a JSON document that is not a JSON Feed. gofeed
// takes any JSON object for a feed (its root elements settle RSS, RDF and
// Atom), so an API error or a maintenance answer would read as a healthy
// feed with no news, and a permanent redirect to one would be remembered
// as the feed's new address.
func checkJSONFeed(f *gofeed.Feed) error {
	if f.FeedType != "json" || jsonFeedVersion().MatchString(strings.TrimSpace(f.FeedVersion)) {
		return nil
	}
	if f.FeedVersion == "" {
		return fmt.Errorf("%w: JSON without a JSON Feed \"version\" (an API error or maintenance answer?)", ErrNotFeed)
	}
	return fmt.Errorf("%w: JSON \"version\" %q is not JSON Feed 1.x (https://jsonfeed.org/version/1.1)",
		ErrNotFeed, newsdigest.Truncate(validUTF8(f.FeedVersion), 60, nil))
}

// ttlElement finds an RSS channel's <ttl>, in minutes.
var ttlElement = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)<ttl>\s*(\d{1,7})\s*</ttl>`) })

// rssTTL is the RSS channel's <ttl> (minutes the feed may be cached), read
// from the part of body before the first item; 0 if none.
func rssTTL(body []byte) time.Duration {
	head := body
	if i := bytes.Index(head, []byte("<item")); i >= 0 {
		head = head[:i]
	}
	m := ttlElement().FindSubmatch(head)
	if m == nil {
		return 0
	}
	minutes, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return 0
	}
	return time.Duration(minutes) * time.Minute
}

// guardedFastParse is fastParse, declining instead of panicking should it
// ever panic (FuzzFastParse calls fastParse itself, so that it would
// fail on one): the body then goes to gofeed.
func guardedFastParse(body []byte) (f *gofeed.Feed, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			f, ok = nil, false
		}
	}()
	return fastParse(body)
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
func toItems(parsed *gofeed.Feed, feed newsdigest.Feed, loc *time.Location) []newsdigest.Item {
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
			Title:     fixMojibake(validUTF8(it.Title)),
			Summary:   fixMojibake(validUTF8(it.Description)),
			Content:   fixMojibake(validUTF8(it.Content)),
			Published: published(it, loc),
			Source:    feed.Name,
		}
		item.ID = newsdigest.ItemID(feed.URL, item)
		items = append(items, item)
	}
	return items
}

// published is the item's publication date, else its update date, in UTC;
// zero when it has neither or neither can be read.
func published(it *gofeed.Item, loc *time.Location) time.Time {
	if t := itemDate(it.Published, it.PublishedParsed, loc); !t.IsZero() {
		return t
	}
	return itemDate(it.Updated, it.UpdatedParsed, loc)
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
	if utf8.ValidString(s) {
		return s // strings.ToValidUTF8 gives s too, but scans it a byte at a time
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
