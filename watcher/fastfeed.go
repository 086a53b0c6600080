package watcher

import (
	"bytes"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// fastParse reads well-formed RSS 0.9x/1.0/2.0 and Atom feeds (xscan,
// fastrss.go, fastatom.go) and JSON Feeds (fastjson.go) without gofeed. It
// reads exactly what parse and toItems use — the feed's title and link;
// each item's title, description or summary, content, link, GUID or ID and
// raw dates — by the rules of gofeed v1.4.2's parsers and default
// translators, ported where they are internal to gofeed. It reports false,
// and the body goes to gofeed (and its repair) as before, for anything it
// is not sure to read as gofeed does: every construct xscan refuses, JSON
// that gofeed refuses or would panic on, and dates that itemDate would
// take from gofeed's own date parser. Wherever it reports true, the items
// are gofeed's field for field: TestFastParseCorpus, TestFastParseGenerated
// and FuzzFastParse compare the two paths. body is toUTF8's output (valid
// UTF-8); fastParse never panics and never reads past it.
func fastParse(body []byte) (*gofeed.Feed, bool) {
	var (
		f  *gofeed.Feed
		ok bool
	)
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		f, ok = fastJSON(body)
	} else if s := (&xscan{b: body}); s.prolog() {
		switch local := s.b[s.local.lo:s.local.hi]; {
		case bytes.EqualFold(local, []byte("rss")) || bytes.EqualFold(local, []byte("rdf")):
			f, ok = s.rss()
		case bytes.EqualFold(local, []byte("feed")):
			f, ok = s.atom()
		}
	}
	if !ok {
		return nil, false
	}
	for _, it := range f.Items {
		if !dateReadable(it.Published) || !dateReadable(it.Updated) {
			return nil, false
		}
	}
	return f, true
}

// dateReadable reports whether itemDate reads raw without gofeed's parsed
// date: it is empty (gofeed parses no date then either), or itemDate reads
// it before it would look at gofeed's reading (its fast path, or a layout
// without a zone).
func dateReadable(raw string) bool {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return true
	}
	if _, ok := fastDate(raw, time.UTC); ok {
		return true
	}
	_, ok := parseZoneless(normalizeDate(raw), time.UTC)
	return ok
}

// RSS namespaces gofeed treats as RSS itself (rss.nativeNamespaces).
var rssNative = []string{
	"", "rss", "rdf",
	"http://www.w3.org/1999/02/22-rdf-syntax-ns#",
	"http://purl.org/rss/1.0/",
	"http://channel.netscape.com/rdf/simple/0.9/",
	"http://my.netscape.com/rdf/simple/0.9/",
}

// Atom namespaces gofeed treats as Atom itself (atom.nativeNamespaces).
var atomNative = []string{"", "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#"}

// canonicalPrefix is the part of gofeed's table of canonical namespace
// prefixes that decides fields the fast path reads; a namespace in the
// rest of the table only matters for being in it (rssRootSpace).
var canonicalPrefix = map[string]string{
	"http://www.w3.org/2005/Atom":                "atom",
	"http://purl.org/atom/ns#":                   "atom03",
	"http://purl.org/rss/1.0/modules/content/":   "content",
	"http://purl.org/dc/elements/1.1/":           "dc",
	"http://www.itunes.com/DTDs/PodCast-1.0.dtd": "itunes",
	"http://example.com/DTDs/PodCast-1.0.dtd":    "itunes",
}

// otherCanonical lists the rest of gofeed's canonical namespaces
// (shared.canonicalNamespaces).
var otherCanonical = map[string]bool{
	"http://webns.net/mvcb/": true, "http://purl.org/rss/1.0/modules/aggregation/": true,
	"http://purl.org/rss/1.0/modules/annotate/": true, "http://media.tangent.org/rss/1.0/": true,
	"http://backend.userland.com/blogChannelModule": true, "http://creativecommons.org/ns#license": true,
	"http://web.resource.org/cc/": true, "http://cyber.law.harvard.edu/rss/creativeCommonsRssModule.html": true,
	"http://backend.userland.com/creativeCommonsRssModule": true, "http://purl.org/rss/1.0/modules/company": true,
	"http://my.theinfo.org/changed/1.0/rss/": true, "http://purl.org/dc/terms/": true,
	"http://purl.org/rss/1.0/modules/email/": true, "http://purl.org/rss/1.0/modules/event/": true,
	"http://rssnamespace.org/feedburner/ext/1.0": true, "http://freshmeat.net/rss/fm/": true,
	"http://xmlns.com/foaf/0.1/": true, "http://www.w3.org/2003/01/geo/wgs84_pos#": true,
	"http://www.georss.org/georss": true, "http://www.opengis.net/gml": true, "http://postneo.com/icbm/": true,
	"http://purl.org/rss/1.0/modules/image/": true, "http://purl.org/rss/1.0/modules/link/": true,
	"http://search.yahoo.com/mrss": true, "http://search.yahoo.com/mrss/": true,
	"http://madskills.com/public/xml/rss/module/pingback/": true, "http://prismstandard.org/namespaces/1.2/basic/": true,
	"http://www.w3.org/1999/02/22-rdf-syntax-ns#": true, "http://www.w3.org/2000/01/rdf-schema#": true,
	"http://purl.org/rss/1.0/modules/reference/": true, "http://purl.org/rss/1.0/modules/richequiv/": true,
	"http://purl.org/rss/1.0/modules/search/": true, "http://purl.org/rss/1.0/modules/slash/": true,
	"http://schemas.xmlsoap.org/soap/envelope/": true, "http://purl.org/rss/1.0/modules/servicestatus/": true,
	"http://hacks.benhammersley.com/rss/streaming/": true, "http://purl.org/rss/1.0/modules/subscription/": true,
	"http://purl.org/rss/1.0/modules/syndication/": true, "http://schemas.pocketsoap.com/rss/myDescModule/": true,
	"http://purl.org/rss/1.0/modules/taxonomy/": true, "http://purl.org/rss/1.0/modules/threading/": true,
	"http://purl.org/rss/1.0/modules/textinput/": true, "http://madskills.com/public/xml/rss/module/trackback/": true,
	"http://wellformedweb.org/commentAPI/": true, "http://purl.org/rss/1.0/modules/wiki/": true,
	"http://www.w3.org/1999/xhtml": true, "http://www.w3.org/1999/xlink": true,
	"http://www.w3.org/XML/1998/namespace": true, "http://podlove.org/simple-chapters": true,
}

// extKey is gofeed's shared.PrefixForNamespace for the last tag: the key
// its extension map files the element under.
func (s *xscan) extKey(space string) string {
	if p, ok := canonicalPrefix[space]; ok {
		return p
	}
	if otherCanonical[space] {
		return "other canonical" // a key that no field the fast path reads uses
	}
	if p, ok := s.prefixForURI(space); ok && p != "" {
		return p
	}
	return space
}

func (s *xscan) localIs(name string) bool {
	return bytes.EqualFold(s.b[s.local.lo:s.local.hi], []byte(name))
}

// localName is the last tag's local name as written: extension maps are
// keyed by it, case and all.
func (s *xscan) localName() string { return s.b2s(s.local) }
