package watcher

import (
	"slices"
	"strings"

	"github.com/mmcdole/gofeed"
)

// RSS 0.9x, 1.0 (RDF) and 2.0 on the fast path, as gofeed's rss parser and
// DefaultRSSTranslator (v1.4.2) read them: channel title and link (else
// dc:title and an Atom link), and per item title, description, content,
// link, guid and dates, with their Dublin Core, iTunes and Atom fallbacks.

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

// extLink is an atom:link of an RSS channel: its extension key (atom,
// atom10, atom03) and the rel and href gofeed's extension map holds.
type extLink struct{ key, rel, href string }

// rssItem is what gofeed's rss parser and translator keep of an item.
type rssItem struct {
	title, description, content, link, guid, pubDate string
	pubDates                                         int // <pubDate> elements

	// Extension elements, keyed as gofeed keys them: dc and itunes are
	// set by any element of those extensions (gofeed then builds its
	// DublinCoreExt and ITunesExt), the slices hold every value, atom the
	// first value per key (atom, atom10, atom03) and element name.
	dc, itunes              bool
	dcTitle, dcDesc, dcDate []string
	itunesSummary           string
	itunesSummarySet        bool
	atom                    map[string]map[string]string
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
	ok := s.children(func() bool {
		var ok bool
		switch {
		case !slices.Contains(native, s.space()):
			return s.skip()
		case s.localIs("channel"):
			channel, ok = s.rssChannel(native)
			return ok
		case s.localIs("item"):
			var it *gofeed.Item
			it, ok = s.rssItem(native)
			rootItems = append(rootItems, it)
			return ok
		}
		return s.skip()
	})
	if !ok {
		return nil, false
	}
	if channel == nil {
		channel = &gofeed.Feed{}
	}
	channel.FeedType = "rss"
	channel.Items = append(channel.Items, rootItems...)
	return channel, true
}

func (s *xscan) rssChannel(native []string) (*gofeed.Feed, bool) {
	f := &gofeed.Feed{Items: []*gofeed.Item{}}
	var (
		dc       bool
		dcTitle  []string
		atomLink []extLink
	)
	ok := s.children(func() bool {
		var ok bool
		if space := s.space(); !slices.Contains(native, space) {
			switch key := s.extKey(space); {
			case key == "dc" && s.localName() == "title":
				dc = true
				var v string
				v, ok = s.directText()
				dcTitle = append(dcTitle, v)
				return ok
			case key == "dc":
				dc = true
			case (key == "atom" || key == "atom10" || key == "atom03") && s.localName() == "link":
				atomLink = append(atomLink, extLink{key: key,
					rel: s.attrValue(s.lastAttrIndex("rel")), href: s.uriAttrValue(s.lastAttrIndex("href"))})
			}
			return s.skip()
		}
		switch {
		case s.localIs("title"):
			return s.innerText(&f.Title)
		case s.localIs("link"):
			f.Link, ok = s.rssLink()
			return ok
		case s.localIs("item"):
			var it *gofeed.Item
			it, ok = s.rssItem(native)
			f.Items = append(f.Items, it)
			return ok
		}
		return s.skip()
	})
	if !ok {
		return nil, false
	}
	if f.Title == "" && dc {
		f.Title = first(dcTitle)
	}
	if f.Link == "" {
		f.Link = rssAtomLink(atomLink)
	}
	return f, true
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
	ok := s.children(func() bool {
		space := s.space()
		var key string
		if s.localIs("encoded") || !slices.Contains(native, space) {
			key = s.extKey(space)
		}
		switch {
		case s.localIs("encoded") && key == "content":
			return s.innerText(&it.content)
		case !slices.Contains(native, space):
			return s.rssItemExt(&it, key)
		case s.localIs("title"):
			return s.innerText(&it.title)
		case s.localIs("description"):
			return s.innerText(&it.description)
		case s.localIs("link"):
			var ok bool
			it.link, ok = s.rssLink()
			return ok
		case s.localIs("guid"):
			return s.innerText(&it.guid)
		case s.localIs("pubdate"):
			it.pubDates++
			return s.innerText(&it.pubDate)
		}
		return s.skip()
	})
	if !ok {
		return nil, false
	}
	return it.translate()
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
	// gofeed keeps the date it parsed from an earlier <pubDate> when a
	// later one is empty, and dates the item by it: a reading only gofeed
	// has.
	if it.pubDates > 1 && it.pubDate == "" {
		return nil, false
	}
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
	// An empty dc:date is the raw date, but gofeed parses its date from
	// atom:published then: a reading only gofeed has.
	if strings.TrimSpace(out.Published) == "" && it.atomExt("published") != "" {
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
