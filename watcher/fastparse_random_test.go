package watcher

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest"
)

// TestFastParseRandomDocuments compares the fast path with gofeed on
// feed-shaped documents drawn at random from the constructs each path
// reads: RSS and Atom elements under canonical, foreign and undeclared
// prefixes and in any case, extension fallbacks, entities, CDATA, comments,
// markup in text, xml:base, namespace declarations anywhere, and dates in
// many layouts. Byte-level fuzzing rarely builds such combinations.
//
// go test -run RandomDocuments -fastdocs 1000000 -fastseed 7 runs it longer.
func TestFastParseRandomDocuments(t *testing.T) {
	n := *fastDocs
	if testing.Short() {
		n = min(n, 500)
	}
	rng := rand.New(rand.NewPCG(*fastSeed, 2))
	feed := newsdigest.Feed{Name: "random", URL: "https://random.example/feed"}
	taken := 0
	for i := range n {
		body := randomFeed(rng)
		if checkFastPath(t, []byte(body), "", feed) {
			taken++
		}
		if t.Failed() {
			t.Fatalf("document %d", i)
		}
	}
	t.Logf("fast path took %d of %d random documents", taken, n)
	// Most must be taken, or the comparison says little.
	if taken < n/3 {
		t.Errorf("fast path took %d of %d random documents; want at least a third", taken, n)
	}
}

var (
	fastDocs = flag.Int("fastdocs", 4000, "random documents TestFastParseRandomDocuments compares")
	fastSeed = flag.Uint64("fastseed", 15, "seed of TestFastParseRandomDocuments")
)

func pick[T any](rng *rand.Rand, v []T) T { return v[rng.IntN(len(v))] }

var (
	randNamespaces = []string{
		`xmlns:content="http://purl.org/rss/1.0/modules/content/"`,
		`xmlns:dc="http://purl.org/dc/elements/1.1/"`,
		`xmlns:atom="http://www.w3.org/2005/Atom"`,
		`xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd"`,
		`xmlns:media="http://search.yahoo.com/mrss/"`,
		`xmlns:dc="http://purl.org/dc/elements/1.1"`, // not canonical: keyed by its prefix
		`xmlns:atom10="http://www.w3.org/2005/Atom"`,
		`xmlns:x="http://purl.org/dc/elements/1.1/"`,
		`xmlns:content="http://example.com/content"`,
		`xmlns="http://purl.org/rss/1.0/"`,
		`xmlns="http://backend.userland.com/rss2"`,
		`xmlns="http://www.w3.org/2005/Atom"`,
		`xmlns:a="http://purl.org/atom/ns#"`,
	}
	randRareNamespaces = []string{`xmlns:xml="http://www.w3.org/XML/1998/namespace"`, `xmlns:e=""`, `xmlns:t=" http://trimmed.example/ "`}
	randPrefixes       = []string{"", "", "", "dc", "content", "atom", "atom10", "itunes", "media", "x", "a", "rss", "rdf", "e", "t", "undeclared"}
	randTexts          = []string{
		"plain text", "  spaced  ", "", "A &amp; B", "&lt;p&gt;html&lt;/p&gt;", "&nbsp;&eacute;&#233;&#xE9;",
		"&#150;&#xD800;&#128512;", "&bogus; & &;", "<![CDATA[<b>cdata</b> & ]]>", "x<![CDATA[y]]>z",
		"<b>markup</b> inside", "<p xmlns=\"http://www.w3.org/1999/xhtml\">ns markup</p>", "<!-- comment -->text",
		"<?pi data?>", "line\r\nbreak\r", "a]]b", "tab\there", "México “cártel”", "\u00a0nbsp\u00a0",
		"<div><a href=\"rel/x\">link</a></div>", "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>x</p></div>",
		"aGVsbG8=", "<br/>", "&#x1F600;", "&amp;lt;", "<a:b xmlns:a=\"u\">x</a:b>", "&#x3C;b&#62;",
	}
	// randRareTexts are what the fast path declines (or gofeed fails on).
	randRareTexts = []string{"&#0;&#1;", "&#65534;", "]]>", "x<![CDATA[", "\x01", "\uFFFE", "<a:b xmlns:a=\"\">x</a:b>"}
	randDates     = []string{
		"Mon, 02 Jan 2006 15:04:05 -0700", "Tue, 10 Jun 2003 04:00:00 GMT", "2024-01-15T10:00:00Z",
		"2024-01-15T10:00:00", "2024-01-15", "2024-01-15T10:00:00.123+01:00", "", " ", "0001-01-01T00:00:00Z",
		"2 Jan 2006 15:04 EST", "Mon, 02 Jan 2006 15:04:05 -0700",
	}
	randRareDates = []string{"lun, 15 ene 2024 10:00:00 CST", "Sat, Dec 16 2023 02:02:33 PM", "garbage"}
	randLinks     = []string{"https://a.example/x", "/rel/1", "rel/2", " https://a.example/ sp", "%zz", "http://[::1", "", "#frag", "?q=1&amp;r=2"}
	randBases     = []string{"http://base.example/a/", "http://base.example/a", "sub/", "../up/", "", "%zz", "mailto:x@y"}
)

func randAttr(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(3) {
		switch rng.IntN(9) {
		case 0:
			fmt.Fprintf(&b, ` xml:base="%s"`, pick(rng, randBases))
		case 1:
			if rng.IntN(20) == 0 {
				b.WriteString(" " + pick(rng, randRareNamespaces))
			} else {
				b.WriteString(" " + pick(rng, randNamespaces))
			}
		case 2:
			fmt.Fprintf(&b, ` type="%s"`, pick(rng, []string{"html", "text", "xhtml", "HTML", "text/plain", "image/png", "application/xml", ""}))
		case 3:
			fmt.Fprintf(&b, ` href="%s"`, pick(rng, randLinks))
		case 4:
			fmt.Fprintf(&b, ` rel="%s"`, pick(rng, []string{"alternate", "self", "", "enclosure", "Alternate"}))
		case 5:
			b.WriteString(pick(rng, []string{` mode="base64"`, ` length="1"`}))
		case 6:
			fmt.Fprintf(&b, ` x:href='%s'`, pick(rng, randLinks))
		case 7:
			b.WriteString(` isPermaLink="false"`)
		case 8:
			fmt.Fprintf(&b, ` type='%s'`, pick(rng, []string{"html", "xhtml"}))
		}
	}
	return b.String()
}

func randElement(rng *rand.Rand, names []string, depth int) string {
	name := pick(rng, names)
	if rng.IntN(6) == 0 {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	if p := pick(rng, randPrefixes); p != "" && rng.IntN(3) == 0 {
		name = p + ":" + name
	}
	attrs := randAttr(rng)
	if rng.IntN(10) == 0 {
		return "<" + name + attrs + "/>"
	}
	var text string
	switch {
	case strings.HasSuffix(strings.ToLower(name), "date") || strings.HasSuffix(name, "published") || strings.HasSuffix(name, "updated"):
		text = pick(rng, randDates)
		if rng.IntN(40) == 0 {
			text = pick(rng, randRareDates)
		}
	case strings.HasSuffix(name, "link") || strings.HasSuffix(name, "id") || strings.HasSuffix(name, "guid"):
		text = pick(rng, randLinks)
	default:
		for range 1 + rng.IntN(3) {
			text += pick(rng, randTexts)
		}
		if rng.IntN(60) == 0 {
			text += pick(rng, randRareTexts)
		}
	}
	if depth > 0 && rng.IntN(8) == 0 {
		text += randElement(rng, names, depth-1)
	}
	return "<" + name + attrs + ">" + text + "</" + name + ">"
}

var (
	rssItemNames    = []string{"title", "description", "link", "guid", "pubDate", "encoded", "date", "summary", "content", "published", "updated", "creator", "author", "category", "enclosure"}
	rssChannelNames = []string{"title", "link", "description", "ttl", "image", "date", "language"}
	atomEntryNames  = []string{"title", "id", "summary", "content", "updated", "published", "issued", "modified", "link", "link", "author", "category", "source"}
	atomFeedNames   = []string{"title", "link", "id", "updated", "subtitle", "author"}
)

func randFeed(rng *rand.Rand) string {
	var b strings.Builder
	if rng.IntN(2) == 0 {
		b.WriteString(pick(rng, []string{`<?xml version="1.0" encoding="utf-8"?>`, `<?xml version="1.0"?>`, `<?xml version='1.0' encoding='UTF-8' standalone='yes'?>`, `<?xml version="1.0" encoding="utf-8"?>`, `<?xml version="1.1"?>`}))
	}
	if rng.IntN(8) == 0 {
		b.WriteString(`<!-- before the root --><!DOCTYPE rss PUBLIC "-//x//EN" "http://x/">`)
	}
	kind := rng.IntN(3)
	root, outer, entryName := "rss", "channel", "item"
	items, fields := rssItemNames, rssChannelNames
	switch kind {
	case 1:
		root, outer = "rdf:RDF", ""
	case 2:
		root, outer, entryName = "feed", "", "entry"
		items, fields = atomEntryNames, atomFeedNames
	}
	b.WriteString("<" + root)
	if kind == 1 {
		b.WriteString(` xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"`)
	}
	for range rng.IntN(4) {
		b.WriteString(" " + pick(rng, randNamespaces))
	}
	if rng.IntN(5) == 0 {
		fmt.Fprintf(&b, ` xml:base="%s"`, pick(rng, randBases))
	}
	b.WriteString(">\n")
	if outer != "" {
		b.WriteString("<" + outer + randAttr(rng) + ">")
	}
	for range rng.IntN(4) {
		b.WriteString(randElement(rng, fields, 1))
	}
	if kind == 1 {
		b.WriteString("<channel>" + randElement(rng, fields, 0) + "</channel>")
	}
	for range rng.IntN(5) {
		b.WriteString("\n<" + entryName + randAttr(rng) + ">")
		for range rng.IntN(8) {
			b.WriteString(randElement(rng, items, 1))
		}
		b.WriteString("</" + entryName + ">")
	}
	if outer != "" {
		b.WriteString("</" + outer + ">")
	}
	b.WriteString("</" + root + ">\n")
	return b.String()
}

// randomFeed is randFeed, sometimes cut or with a byte changed, so that
// documents just outside what the fast path reads are compared too.
func randomFeed(rng *rand.Rand) string {
	s := randFeed(rng)
	switch rng.IntN(20) {
	case 0:
		return s[:rng.IntN(len(s))]
	case 1:
		i := rng.IntN(len(s))
		return s[:i] + pick(rng, []string{"<", ">", "&", "\"", "'", "/", ":", "]]>", "--", "x"}) + s[i+1:]
	}
	return s
}
