package watcher

import (
	"bytes"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The text rules of gofeed v1.4.2 (github.com/mmcdole/gofeed, MIT licence,
// internal/shared/parseutils.go and xmlbase.go), which the fast path must
// apply exactly as gofeed does: they live in an internal package and cannot
// be called from here. FuzzFastParse compares the two paths end to end;
// FuzzDecodeEntities compares decodeEntities with gofeed's own function.

const (
	cdataStart = "<![CDATA["
	cdataEnd   = "]]>"
)

// parseText is gofeed's shared.ParseText applied to an element's raw inner
// XML: trimmed, then CDATA sections unwrapped, or entities decoded.
func parseText(inner []byte) string {
	s := strings.TrimSpace(string(inner))
	if strings.Contains(s, cdataStart) {
		return stripCDATA(s)
	}
	return decodeEntities(s)
}

// stripCDATA is gofeed's shared.StripCDATA: CDATA content verbatim, the
// text around it entity-decoded.
func stripCDATA(str string) string {
	var buf strings.Builder
	curr := 0
	for curr < len(str) {
		start := indexAt(str, cdataStart, curr)
		if start == -1 {
			buf.WriteString(decodeEntities(str[curr:]))
			return buf.String()
		}
		buf.WriteString(decodeEntities(str[curr:start]))
		end := indexAt(str, cdataEnd, start+len(cdataStart))
		if end == -1 {
			buf.WriteString(decodeEntities(str[start:]))
			return buf.String()
		}
		buf.WriteString(str[start+len(cdataStart) : end])
		curr = end + len(cdataEnd)
	}
	return buf.String()
}

func indexAt(str, substr string, start int) int {
	idx := strings.Index(str[start:], substr)
	if idx > -1 {
		idx += start
	}
	return idx
}

// maxEntityLen is gofeed's bound on how far past an '&' its ';' may be.
const maxEntityLen = 64

// decodeEntities is gofeed's shared.DecodeEntities: HTML character
// references that end in ';' are decoded, anything else is kept literally.
// The common references (the five of XML, simple numeric ones) are decoded
// without html.UnescapeString; they decode to what it gives.
func decodeEntities(str string) string {
	if strings.IndexByte(str, '&') == -1 {
		return str
	}
	var buf strings.Builder
	buf.Grow(len(str))
	data := str
	for len(data) > 0 {
		idx := strings.IndexByte(data, '&')
		if idx == -1 {
			buf.WriteString(data)
			break
		}
		buf.WriteString(data[:idx])
		data = data[idx:]

		window := data
		if len(window) > maxEntityLen {
			window = window[:maxEntityLen]
		}
		end := strings.IndexByte(window, ';')
		if end == -1 && len(window) == len(data) {
			buf.WriteString(data)
			break
		}
		if end == -1 || hasXMLSpace(data[1:end]) {
			buf.WriteByte('&')
			data = data[1:]
			continue
		}
		span := data[:end+1]
		if r, ok := commonEntity(span); ok {
			if r < utf8.RuneSelf {
				buf.WriteByte(byte(r))
			} else {
				buf.WriteRune(r)
			}
			data = data[end+1:]
			continue
		}
		dec := html.UnescapeString(span)
		if dec == html.UnescapeString(span[:len(span)-1])+";" {
			buf.WriteByte('&')
			data = data[1:]
			continue
		}
		buf.WriteString(dec)
		data = data[end+1:]
	}
	return buf.String()
}

// hasXMLSpace reports whether s holds a space, tab, CR or LF.
func hasXMLSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return true
		}
	}
	return false
}

// commonEntity decodes "&amp;" "&lt;" "&gt;" "&quot;" "&apos;" and numeric
// references to characters that html.UnescapeString leaves as they are
// (not NUL, not C1 controls, which it maps to windows-1252, not
// surrogates); it reports false for anything else.
func commonEntity(span string) (rune, bool) {
	switch span {
	case "&amp;":
		return '&', true
	case "&lt;":
		return '<', true
	case "&gt;":
		return '>', true
	case "&quot;":
		return '"', true
	case "&apos;":
		return '\'', true
	}
	if len(span) < 4 || span[1] != '#' {
		return 0, false
	}
	digits := span[2 : len(span)-1]
	base := rune(10)
	if digits[0] == 'x' || digits[0] == 'X' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 || len(digits) > 6 {
		return 0, false
	}
	var v rune
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		var d rune
		switch {
		case '0' <= c && c <= '9':
			d = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0, false
		}
		v = v*base + d
	}
	if v == 0 || v >= 0x80 && v <= 0x9F || v >= 0xD800 && v <= 0xDFFF || v > utf8.MaxRune {
		return 0, false
	}
	return v, true
}

// xmlBaseResolve is gofeed's shared.XmlBaseResolveUrl: u parsed and, with
// a base, resolved against it as a directory.
func xmlBaseResolve(b *url.URL, u string) (*url.URL, error) {
	rel, err := url.Parse(strings.TrimLeft(u, " "))
	if err != nil {
		return nil, err
	}
	if b == nil {
		return rel, nil
	}
	base := *b
	if base.Path != "" && u != "" && base.Path[len(base.Path)-1] != '/' {
		base.Path += "/"
	}
	return base.ResolveReference(rel), nil
}

// resolveAttr is what gofeed makes of a URI attribute (href, src …) of an
// element it reaches as a child (shared.resolveAttrs): resolved against
// base, and so round-tripped through url.Parse even without one, when it
// parses; else unchanged.
func resolveAttr(base *url.URL, v string) string {
	abs, err := xmlBaseResolve(base, v)
	if err != nil || abs == nil {
		return v
	}
	return abs.String()
}

// resolveURLIfBase is gofeed's shared.ResolveURLIfBase, for element text
// that is a URL (an RSS <link>).
func resolveURLIfBase(base *url.URL, s string) string {
	if base == nil || s == "" {
		return s
	}
	return resolveAttr(base, s)
}

// xmlDecode is the character data encoding/xml's non-strict decoder gives
// for raw text (cdata false) or a CDATA section's content (cdata true):
// the five XML entities and numeric references decoded (unknown entities
// kept literally), and \r\n and \r turned into \n. The raw text must have
// passed the scanner's checks.
func xmlDecode(raw []byte, cdata bool) string {
	if bytes.IndexByte(raw, '\r') < 0 && (cdata || bytes.IndexByte(raw, '&') < 0) {
		return string(raw)
	}
	var buf strings.Builder
	buf.Grow(len(raw))
	var prev byte
	for i := 0; i < len(raw); {
		c := raw[i]
		if c == '&' && !cdata {
			if s, n, ok := xmlEntity(raw[i:]); ok {
				buf.WriteString(s)
				i += n
				prev = 0
				continue
			}
			// Not a reference: the decoder keeps what it read.
			n := literalRefLen(raw[i:])
			buf.Write(raw[i : i+n])
			i += n
			prev = 0
			continue
		}
		switch {
		case c == '\r':
			buf.WriteByte('\n')
		case prev == '\r' && c == '\n':
		default:
			buf.WriteByte(c)
		}
		prev = c
		i++
	}
	return buf.String()
}

// xmlEntity decodes the reference at the start of b ("&amp;", "&#38;",
// "&#x26;") the way encoding/xml does; n is its length.
func xmlEntity(b []byte) (s string, n int, ok bool) {
	if len(b) > 1 && b[1] == '#' {
		v, end, ok := numericRef(b)
		if !ok || v < 0 {
			return "", 0, false
		}
		return string(rune(v)), end, true
	}
	j := 1
	for j < len(b) && isNameByteOrHigh(b[j]) {
		j++
	}
	if j >= len(b) || b[j] != ';' {
		return "", 0, false
	}
	switch string(b[1:j]) {
	case "lt":
		return "<", j + 1, true
	case "gt":
		return ">", j + 1, true
	case "amp":
		return "&", j + 1, true
	case "apos":
		return "'", j + 1, true
	case "quot":
		return `"`, j + 1, true
	}
	return "", 0, false
}

// literalRefLen is how many bytes from an '&' that is not a reference the
// decoder consumes before going on: the '&', a numeric reference's "#",
// "x" and digits, or an entity name, and its ';' if there is one.
func literalRefLen(b []byte) int {
	j := 1
	if j < len(b) && b[j] == '#' {
		j++
		hex := j < len(b) && b[j] == 'x'
		if hex {
			j++
		}
		for j < len(b) && (isDigit(b[j]) || hex && isHexLetter(b[j])) {
			j++
		}
	} else {
		for j < len(b) && isNameByteOrHigh(b[j]) {
			j++
		}
	}
	if j < len(b) && b[j] == ';' {
		j++
	}
	return j
}

// numericRef reads "&#123;" or "&#x7B;" at the start of b as encoding/xml
// does: end is the length through the ';'; v is -1 when the reference
// names no character (no digits, or beyond U+10FFFF), which the decoder
// keeps as literal text; ok is false when b holds no complete reference.
func numericRef(b []byte) (v rune, end int, ok bool) {
	j := 2
	hex := j < len(b) && b[j] == 'x'
	if hex {
		j++
	}
	start := j
	v = 0
	big := false
	for j < len(b) && (isDigit(b[j]) || hex && isHexLetter(b[j])) {
		if !big {
			c := b[j]
			var d rune
			switch {
			case isDigit(c):
				d = rune(c - '0')
			case c >= 'a':
				d = rune(c-'a') + 10
			default:
				d = rune(c-'A') + 10
			}
			if hex {
				v = v*16 + d
			} else {
				v = v*10 + d
			}
			if v > utf8.MaxRune {
				big = true
			}
		}
		j++
	}
	if j >= len(b) || b[j] != ';' {
		return 0, 0, false
	}
	if j == start || big {
		return -1, j + 1, true
	}
	return v, j + 1, true
}

func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isHexLetter(c byte) bool { return 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isNameByteOrHigh is what encoding/xml's readName accepts: ASCII name
// bytes (':' included) and any byte of a multi-byte character.
func isNameByteOrHigh(c byte) bool {
	return c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' ||
		'0' <= c && c <= '9' || c == '_' || c == ':' || c == '.' || c == '-'
}
