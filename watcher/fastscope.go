package watcher

import (
	"net/url"
	"strings"
)

// What xscan knows of the elements around the last tag — namespaces in
// scope, xml:base, attributes — and the readers of a whole element that
// the feed mappings use (skip, inner, directText), each as goxpp and
// encoding/xml give them to gofeed.

// pushBase is goxpp's pushBase: an xml:base that is empty or does not
// parse leaves the base around it in place.
func (s *xscan) pushBase(raw string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	if parent := s.base(); parent != nil {
		u = parent.ResolveReference(u)
	}
	s.bases = append(s.bases, baseAt{u: u, depth: len(s.open)})
}

// base is the xml:base in scope for the last start tag, or nil.
func (s *xscan) base() *url.URL {
	if len(s.bases) == 0 {
		return nil
	}
	return s.bases[len(s.bases)-1].u
}

// space is the namespace of the last tag's name as the decoder gives it:
// the URI its prefix is bound to, the bare prefix when it is bound to
// nothing, or for no prefix the default namespace, else "".
func (s *xscan) space() string {
	pre := s.b[s.prefix.lo:s.prefix.hi]
	for i := len(s.ns) - 1; i >= 0; i-- {
		if s.ns[i].prefix == string(pre) {
			return s.ns[i].uri
		}
	}
	return string(pre)
}

// prefixForURI is goxpp's PrefixForURI: the most recently declared prefix
// in scope bound to uri (possibly "", the default namespace).
func (s *xscan) prefixForURI(uri string) (string, bool) {
	for i := len(s.ns) - 1; i >= 0; i-- {
		d := s.ns[i]
		if d.uri != uri {
			continue
		}
		for j := len(s.ns) - 1; j >= 0; j-- {
			if s.ns[j].prefix == d.prefix {
				if s.ns[j].uri == uri {
					return d.prefix, true
				}
				break
			}
		}
	}
	return "", false
}

// children reads the rest of the element whose start tag was just read,
// calling child at the start tag of each child element, which must read
// that element through its end tag. It reports false when the scanner
// gives up or child returns false.
func (s *xscan) children(child func() bool) bool {
	for {
		switch s.next() {
		case tBad:
			return false
		case tEnd:
			return true
		case tStart:
			if !child() {
				return false
			}
		}
	}
}

// skip reads the rest of the element whose start tag was just read.
func (s *xscan) skip() bool {
	_, ok := s.inner()
	return ok
}

// inner reads the rest of the element whose start tag was just read and
// returns its raw content (encoding/xml's innerxml).
func (s *xscan) inner() ([]byte, bool) {
	lo := s.pos
	for depth := 0; ; {
		switch s.next() {
		case tBad:
			return nil, false
		case tStart:
			depth++
		case tEnd:
			if depth == 0 {
				return s.b[lo:s.tagStart], true
			}
			depth--
		}
	}
}

// directText reads the rest of the element whose start tag was just read
// and returns its own character data decoded, trimmed: the value gofeed
// gives an extension element (shared.parseExtensionElement).
func (s *xscan) directText() (string, bool) {
	type part struct {
		text  span
		cdata bool
	}
	var parts []part
	for {
		switch s.next() {
		case tBad:
			return "", false
		case tText:
			parts = append(parts, part{s.text, false})
		case tCDATA:
			parts = append(parts, part{s.text, true})
		case tStart:
			if !s.skip() {
				return "", false
			}
		case tEnd:
			var b strings.Builder
			for _, p := range parts {
				b.WriteString(xmlDecode(s.b[p.text.lo:p.text.hi], p.cdata))
			}
			return strings.TrimSpace(b.String()), true
		}
	}
}

// attrIndex is the attribute goxpp's Attribute picks on the last start
// tag: the first of that local name without a prefix, else the first with
// one; -1 if none.
func (s *xscan) attrIndex(name string) int {
	fallback := -1
	for i, a := range s.attrs {
		if string(s.b[a.local.lo:a.local.hi]) != name {
			continue
		}
		if a.prefix.hi == a.prefix.lo {
			return i
		}
		if fallback < 0 {
			fallback = i
		}
	}
	return fallback
}

// lastAttrIndex is the attribute encoding/xml fills an ",attr" field (and
// gofeed an extension's attribute map) from: the last of that local name,
// whatever its prefix; -1 if none.
func (s *xscan) lastAttrIndex(name string) int {
	for i := len(s.attrs) - 1; i >= 0; i-- {
		a := s.attrs[i]
		if string(s.b[a.local.lo:a.local.hi]) == name {
			return i
		}
	}
	return -1
}

// attrValue is attribute i decoded, or "" when i is -1.
func (s *xscan) attrValue(i int) string {
	if i < 0 {
		return ""
	}
	a := s.attrs[i]
	return xmlDecode(s.b[a.val.lo:a.val.hi], false)
}

// uriAttrValue is attribute i as gofeed gives a URI attribute (href …) of
// an element it reaches as a child (shared.resolveAttrs): resolved against
// the xml:base in scope, or "" when i is -1.
func (s *xscan) uriAttrValue(i int) string {
	if i < 0 {
		return ""
	}
	return resolveAttr(s.base(), s.attrValue(i))
}
