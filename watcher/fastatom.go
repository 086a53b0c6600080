package watcher

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed"
)

// Atom on the fast path, as gofeed's atom parser and DefaultAtomTranslator
// (v1.4.2) read it: feed title and alternate link, and per entry title, id,
// summary, content, alternate link and dates.

func (s *xscan) atom() (*gofeed.Feed, bool) {
	f := &gofeed.Feed{FeedType: "atom", Items: []*gofeed.Item{}}
	var links []atomLink
	ok := s.children(func() bool {
		switch {
		case !slices.Contains(atomNative, s.space()):
			return s.skip()
		case s.localIs("title"):
			var ok bool
			f.Title, ok = s.atomText(false)
			return ok
		case s.localIs("link"):
			links = append(links, s.atomLink())
			return s.skip()
		case s.localIs("entry"):
			it, ok := s.atomEntry()
			f.Items = append(f.Items, it)
			return ok
		}
		return s.skip()
	})
	if !ok {
		return nil, false
	}
	f.Link = firstAlternate(links)
	return f, true
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
	ok := s.children(func() bool {
		var dst *string
		uri := false
		switch {
		case !slices.Contains(atomNative, s.space()):
			return s.skip()
		case s.localIs("title"):
			dst = &it.Title
		case s.localIs("id"):
			dst, uri = &it.GUID, true
		case s.localIs("summary"):
			dst = &it.Description
		case s.localIs("content"):
			dst = &it.Content
		case s.localIs("updated") || s.localIs("modified"):
			dst = &updated
		case s.localIs("published") || s.localIs("issued"):
			dst = &published
		case s.localIs("link"):
			links = append(links, s.atomLink())
			return s.skip()
		default:
			return s.skip()
		}
		var ok bool
		*dst, ok = s.atomText(uri)
		return ok
	})
	if !ok {
		return nil, false
	}
	it.Link = firstAlternate(links)
	it.Published, it.Updated = published, updated
	if it.Published == "" {
		it.Published = updated
	}
	return it, true
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
