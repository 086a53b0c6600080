package watcher

import (
	"bytes"
	"encoding/base64"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// fastParse reads the common, well-formed RSS 0.9x/1.0/2.0 and Atom 1.0
// feeds, and JSON Feeds (fastJSON), without gofeed, reading exactly what toItems and parse use (the
// feed's title and link; each item's title, description or summary,
// content, link, GUID or ID, and raw dates) by gofeed's own rules (its
// parsers and default translators, v1.4.2). It reports false — and the
// body goes to gofeed as before — for anything it is not sure to read as
// gofeed does: every construct xscan refuses, Atom text it would have to
// run through an HTML parser (xhtml, markup inside html) or base64, and
// dates that only gofeed's date parser would read. Wherever it reports
// true, the items are gofeed's, field for field: TestFastParseCorpus,
// TestFastParseGenerated and FuzzFastParse compare the two paths.
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

func inList(space string, list []string) bool {
	for _, v := range list {
		if v == space {
			return true
		}
	}
	return false
}

func (s *xscan) localIs(name string) bool {
	return bytes.EqualFold(s.b[s.local.lo:s.local.hi], []byte(name))
}

// localName is the last tag's local name as written: extension maps are
// keyed by it, case and all.
func (s *xscan) localName() string { return s.b2s(s.local) }

// rssLink is gofeed's rss parseLink: the element's text, else its href
// attribute, resolved against the xml:base in scope.
func (s *xscan) rssLink() (string, bool) {
	base := s.base()
	href := s.uriAttrValue(s.attrIndex("href"))
	inner, ok := s.inner()
	if !ok {
		return "", false
	}
	link := parseText(inner)
	if link == "" && href != "" {
		link = href
	}
	return resolveURLIfBase(base, link), true
}

// extLinks holds the atom:link elements of an RSS channel by extension key.
type extLink struct{ key, rel, href string }

// rssItem is what gofeed's rss parser and translator keep of an item.
type rssItem struct {
	title, description, content, link, guid, pubDate string

	dc, itunes                 bool // any element of these extensions
	dcTitle, dcDesc, dcDate    []string
	itunesSummary              string
	itunesSummarySet           bool
	atom                       map[string]map[string]string // key → name → first value
	hasAtomPublishedOrUpdating bool
}

func (s *xscan) rss() (*gofeed.Feed, bool) {
	native := rssNative
	if sp := s.space(); sp != "" && canonicalPrefix[sp] == "" && !otherCanonical[sp] {
		native = append([]string{sp}, rssNative...)
	}
	var (
		channel   *gofeed.Feed
		rootItems []*gofeed.Item
	)
	for {
		switch s.next() {
		case tBad:
			return nil, false
		case tEnd:
			if channel == nil {
				channel = &gofeed.Feed{}
			}
			channel.FeedType = "rss"
			channel.Items = append(channel.Items, rootItems...)
			return channel, true
		case tStart:
			var ok bool
			switch {
			case !inList(s.space(), native):
				ok = s.skip()
			case s.localIs("channel"):
				channel, ok = s.rssChannel(native)
			case s.localIs("item"):
				var it *gofeed.Item
				if it, ok = s.rssItem(native); ok {
					rootItems = append(rootItems, it)
				}
			default:
				ok = s.skip()
			}
			if !ok {
				return nil, false
			}
		}
	}
}

func (s *xscan) rssChannel(native []string) (*gofeed.Feed, bool) {
	f := &gofeed.Feed{Items: []*gofeed.Item{}}
	var (
		dc       bool
		dcTitle  []string
		atomLink []extLink
	)
	for {
		switch s.next() {
		case tBad:
			return nil, false
		case tEnd:
			if f.Title == "" && dc && len(dcTitle) > 0 {
				f.Title = dcTitle[0]
			}
			if f.Link == "" {
				f.Link = rssAtomLink(atomLink)
			}
			return f, true
		case tStart:
			ok := true
			if space := s.space(); !inList(space, native) {
				switch key := s.extKey(space); {
				case key == "dc":
					dc = true
					if s.localName() == "title" {
						var v string
						if v, ok = s.directText(); ok {
							dcTitle = append(dcTitle, v)
						}
						break
					}
					ok = s.skip()
				case (key == "atom" || key == "atom10" || key == "atom03") && s.localName() == "link":
					l := extLink{key: key, rel: s.attrValue(s.lastAttrIndex("rel")), href: s.uriAttrValue(s.lastAttrIndex("href"))}
					atomLink = append(atomLink, l)
					ok = s.skip()
				default:
					ok = s.skip()
				}
			} else {
				switch {
				case s.localIs("title"):
					var inner []byte
					if inner, ok = s.inner(); ok {
						f.Title = parseText(inner)
					}
				case s.localIs("link"):
					f.Link, ok = s.rssLink()
				case s.localIs("item"):
					var it *gofeed.Item
					if it, ok = s.rssItem(native); ok {
						f.Items = append(f.Items, it)
					}
				default:
					ok = s.skip()
				}
			}
			if !ok {
				return nil, false
			}
		}
	}
}

// rssAtomLink is the translator's fallback feed link: the first atom:link
// with rel "" or "alternate", by extension key in gofeed's order.
func rssAtomLink(links []extLink) string {
	for _, key := range []string{"atom", "atom10", "atom03"} {
		for _, l := range links {
			if l.key == key && (l.rel == "" || l.rel == "alternate") {
				return l.href
			}
		}
	}
	return ""
}

func (s *xscan) rssItem(native []string) (*gofeed.Item, bool) {
	var it rssItem
	for {
		switch s.next() {
		case tBad:
			return nil, false
		case tEnd:
			return it.translate()
		case tStart:
			ok := true
			space := s.space()
			var key string
			if s.localIs("encoded") || !inList(space, native) {
				key = s.extKey(space)
			}
			switch {
			case s.localIs("encoded") && key == "content":
				var inner []byte
				if inner, ok = s.inner(); ok {
					it.content = parseText(inner)
				}
			case !inList(space, native):
				ok = s.rssItemExt(&it, key)
			case s.localIs("title"):
				ok = s.innerText(&it.title)
			case s.localIs("description"):
				ok = s.innerText(&it.description)
			case s.localIs("link"):
				it.link, ok = s.rssLink()
			case s.localIs("guid"):
				ok = s.innerText(&it.guid)
			case s.localIs("pubdate"):
				ok = s.innerText(&it.pubDate)
			default:
				ok = s.skip()
			}
			if !ok {
				return nil, false
			}
		}
	}
}

func (s *xscan) innerText(dst *string) bool {
	inner, ok := s.inner()
	if ok {
		*dst = parseText(inner)
	}
	return ok
}

// rssItemExt reads an item's extension element: the Dublin Core, iTunes
// and Atom elements the translator falls back on are kept, the rest read
// past.
func (s *xscan) rssItemExt(it *rssItem, key string) bool {
	name := s.localName()
	var dst *[]string
	switch key {
	case "dc":
		it.dc = true
		switch name {
		case "title":
			dst = &it.dcTitle
		case "description":
			dst = &it.dcDesc
		case "date":
			dst = &it.dcDate
		}
	case "itunes":
		it.itunes = true
		if name == "summary" && !it.itunesSummarySet {
			v, ok := s.directText()
			it.itunesSummary, it.itunesSummarySet = v, true
			return ok
		}
	case "atom", "atom10", "atom03":
		switch name {
		case "summary", "content", "published", "updated":
			v, ok := s.directText()
			if it.atom == nil {
				it.atom = map[string]map[string]string{}
			}
			if it.atom[key] == nil {
				it.atom[key] = map[string]string{}
			}
			if _, seen := it.atom[key][name]; !seen {
				it.atom[key][name] = v
			}
			return ok
		}
	}
	if dst == nil {
		return s.skip()
	}
	v, ok := s.directText()
	*dst = append(*dst, v)
	return ok
}

// atomExt is the translator's atomExtValue: the first value of an Atom
// element in the item, by key in gofeed's order.
func (it *rssItem) atomExt(name string) string {
	for _, key := range []string{"atom", "atom10", "atom03"} {
		if v, ok := it.atom[key][name]; ok {
			return v
		}
	}
	return ""
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// translate is gofeed's DefaultRSSTranslator for the fields toItems reads.
func (it *rssItem) translate() (*gofeed.Item, bool) {
	out := &gofeed.Item{Link: it.link, GUID: it.guid, Title: it.title, Content: it.content}
	if out.Title == "" && it.dc {
		out.Title = first(it.dcTitle)
	}
	switch {
	case it.description != "":
		out.Description = it.description
	case it.dc && it.dcDesc != nil:
		out.Description = first(it.dcDesc)
	case it.itunes && it.itunesSummary != "":
		out.Description = it.itunesSummary
	}
	if out.Description == "" {
		out.Description = it.atomExt("summary")
	}
	if out.Content == "" {
		out.Content = it.atomExt("content")
	}
	switch {
	case it.pubDate != "":
		out.Published = it.pubDate
	case it.dc && it.dcDate != nil:
		out.Published = first(it.dcDate)
	default:
		out.Published = it.atomExt("published")
	}
	// gofeed parses its date from dc:date, else atom:published, when the
	// raw date is an empty dc:date: that reading only gofeed has.
	if strings.TrimSpace(out.Published) == "" && it.pubDate == "" && it.atomExt("published") != "" {
		return nil, false
	}
	if it.dc && it.dcDate != nil {
		out.Updated = first(it.dcDate)
	}
	if out.Updated == "" {
		out.Updated = it.atomExt("updated")
	}
	return out, true
}

func (s *xscan) atom() (*gofeed.Feed, bool) {
	f := &gofeed.Feed{FeedType: "atom", Items: []*gofeed.Item{}}
	var links []atomLink
	for {
		switch s.next() {
		case tBad:
			return nil, false
		case tEnd:
			f.Link = firstAlternate(links)
			return f, true
		case tStart:
			ok := true
			switch {
			case !inList(s.space(), atomNative):
				ok = s.skip()
			case s.localIs("title"):
				f.Title, ok = s.atomText(false)
			case s.localIs("link"):
				links = append(links, s.atomLink())
				ok = s.skip()
			case s.localIs("entry"):
				var it *gofeed.Item
				if it, ok = s.atomEntry(); ok {
					f.Items = append(f.Items, it)
				}
			default:
				ok = s.skip()
			}
			if !ok {
				return nil, false
			}
		}
	}
}

type atomLink struct{ rel, href string }

// atomLink is gofeed's atom parseLink: href (resolved as gofeed resolves
// every URI attribute), rel defaulting to "alternate".
func (s *xscan) atomLink() atomLink {
	l := atomLink{rel: s.attrValue(s.attrIndex("rel")), href: s.uriAttrValue(s.attrIndex("href"))}
	if l.rel == "" {
		l.rel = "alternate"
	}
	return l
}

func firstAlternate(links []atomLink) string {
	for _, l := range links {
		if l.rel == "alternate" {
			return l.href
		}
	}
	return ""
}

func (s *xscan) atomEntry() (*gofeed.Item, bool) {
	it := &gofeed.Item{}
	var (
		links              []atomLink
		published, updated string
	)
	for {
		switch s.next() {
		case tBad:
			return nil, false
		case tEnd:
			it.Link = firstAlternate(links)
			it.Published, it.Updated = published, updated
			if it.Published == "" {
				it.Published = updated
			}
			return it, true
		case tStart:
			ok := true
			switch {
			case !inList(s.space(), atomNative):
				ok = s.skip()
			case s.localIs("title"):
				it.Title, ok = s.atomText(false)
			case s.localIs("id"):
				it.GUID, ok = s.atomText(true)
			case s.localIs("summary"):
				it.Description, ok = s.atomText(false)
			case s.localIs("content"):
				it.Content, ok = s.atomText(false)
			case s.localIs("updated") || s.localIs("modified"):
				updated, ok = s.atomText(false)
			case s.localIs("published") || s.localIs("issued"):
				published, ok = s.atomText(false)
			case s.localIs("link"):
				links = append(links, s.atomLink())
				ok = s.skip()
			default:
				ok = s.skip()
			}
			if !ok {
				return nil, false
			}
		}
	}
}

// atomText is gofeed's atom parseAtomText: the element's raw content,
// trimmed, its CDATA unwrapped or its entities decoded or its base64
// decoded according to its type and mode, HTML and XHTML resolved against
// the xml:base in scope, and for elements holding a URI (id; uri is set)
// the text resolved too.
func (s *xscan) atomText(uri bool) (string, bool) {
	base := s.base()
	lowerType := strings.ToLower(s.attrValue(s.lastAttrIndex("type")))
	lowerMode := strings.ToLower(s.attrValue(s.lastAttrIndex("mode")))
	inner, ok := s.inner()
	if !ok {
		return "", false
	}
	result := strings.TrimSpace(string(inner))
	if strings.Contains(result, cdataStart) {
		result = stripCDATA(result)
		if lowerType == "html" || strings.Contains(lowerType, "xhtml") {
			result = resolveHTML(base, result)
		}
	} else if lowerType == "text" || strings.HasPrefix(lowerType, "text/") || lowerType == "" && lowerMode == "" {
		result = decodeEntities(result)
	} else if strings.Contains(lowerType, "xhtml") {
		result = resolveHTML(base, stripWrappingDiv(result))
	} else if lowerType == "html" {
		result = resolveHTML(base, decodeEntities(stripWrappingDiv(result)))
	} else if lowerMode == "base64" || isBinaryMediaType(lowerType) {
		if decoded, err := base64.StdEncoding.DecodeString(result); err == nil {
			result = string(decoded)
		}
	}
	if uri {
		if resolved, err := xmlBaseResolve(base, result); err == nil && resolved != nil {
			result = resolved.String()
		}
	}
	return result, true
}

// isBinaryMediaType is gofeed's atom.isBinaryMediaType.
func isBinaryMediaType(t string) bool {
	if t == "" || strings.HasPrefix(t, "text/") || strings.Contains(t, "xml") {
		return false
	}
	if strings.HasPrefix(t, "image/") || strings.HasPrefix(t, "audio/") || strings.HasPrefix(t, "video/") {
		return true
	}
	switch t {
	case "application/octet-stream", "application/pdf", "application/zip",
		"application/gzip", "application/x-gzip", "application/ogg":
		return true
	}
	return false
}
