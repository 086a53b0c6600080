package watcher

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/transform"
)

// headerCharset finds the charset parameter of a Content-Type leniently:
// servers write `charset = us-ascii`, `charset='gb2312'` and `charset="x"`,
// which mime.ParseMediaType rejects or keeps quoted.
var headerCharset = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i);\s*charset\s*=\s*["']?([^"';\s]+)`) })

// prologDecl matches an XML declaration at the start of a document.
var prologDecl = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*<\?xml[^>]*?>`) })

// prologEncodingAttr matches the encoding pseudo-attribute inside a declaration.
var prologEncodingAttr = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\sencoding\s*=\s*(?:"[^"]*"|'[^']*')`) })

// charsetOf returns the lower-cased charset label of a Content-Type, or "".
func charsetOf(contentType string) string {
	m := headerCharset().FindStringSubmatch(contentType)
	if m == nil {
		return ""
	}
	return strings.ToLower(m[1])
}

// declaredEncoding returns the lower-cased encoding label of the XML
// declaration at the start of body, or "" when there is none.
func declaredEncoding(body []byte) string {
	m := prologEncoding().FindSubmatch(bytes.TrimLeft(body, " \t\r\n"))
	if m == nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(string(m[1])))
}

// unicodeByBytes recognises UTF-16 and UTF-32 from a byte order mark or, when
// there is none, from the zero bytes around the first '<' or '{' (XML 1.0
// appendix F). It returns nil for anything else.
func unicodeByBytes(b []byte) encoding.Encoding {
	switch {
	case bytes.HasPrefix(b, []byte{0x00, 0x00, 0xFE, 0xFF}):
		return utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0x00, 0x00}):
		return utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	}
	if len(b) < 4 {
		return nil
	}
	isMarkup := func(c byte) bool { return c == '<' || c == '{' || c == ' ' || c == '\n' || c == '\r' || c == '\t' }
	switch {
	case b[0] == 0 && b[1] == 0 && b[2] == 0 && isMarkup(b[3]):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)
	case isMarkup(b[0]) && b[1] == 0 && b[2] == 0 && b[3] == 0:
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)
	case b[0] == 0 && isMarkup(b[1]) && b[2] == 0 && b[3] != 0:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case isMarkup(b[0]) && b[1] == 0 && b[2] != 0 && b[3] == 0:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	}
	return nil
}

// toUTF8 converts a feed body to UTF-8 and makes its XML declaration, if
// any, say so, so that the XML parser does not convert it a second time.
//
// The order of evidence: a UTF-16/32 byte order mark or zero-byte pattern;
// a UTF-8 byte order mark; bytes that are valid UTF-8 stay as they are,
// whatever the labels say (a latin-1 label on UTF-8 text is a lie, while
// legacy text that happens to be valid UTF-8 is vanishingly rare); otherwise
// the Content-Type charset, then the declared encoding, and windows-1252 when
// neither names a usable legacy encoding. The result is always valid UTF-8.
func toUTF8(body []byte, contentType string) []byte {
	if enc := unicodeByBytes(body); enc != nil {
		decoded, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			decoded = body
		}
		return declareUTF8(validBytes(decoded))
	}
	if bytes.HasPrefix(body, utf8BOM) {
		return declareUTF8(validBytes(body[len(utf8BOM):]))
	}
	if utf8.Valid(body) {
		return declareUTF8(body)
	}
	enc := legacyEncoding(charsetOf(contentType))
	if enc == nil {
		enc = legacyEncoding(declaredEncoding(body))
	}
	if enc == nil {
		enc = charmap.Windows1252
	}
	decoded, err := decodeLegacy(enc, body)
	if err != nil {
		decoded, _ = decodeLegacy(charmap.Windows1252, body)
	}
	return declareUTF8(validBytes(decoded))
}

// decodeLegacy is enc.NewDecoder().Bytes(body) for a legacy encoding, into
// one buffer sized for the result: each byte of 0x80 or more becomes at most
// three bytes of UTF-8 (two bytes of a double-byte encoding at most three
// or four), so the decoder never has to grow its output by doubling, which
// allocated 2.5 times the windows-1252 bodies of a poll.
func decodeLegacy(enc encoding.Encoding, body []byte) ([]byte, error) {
	high := 0
	for _, c := range body {
		if c >= utf8.RuneSelf {
			high++
		}
	}
	out, _, err := transform.Append(enc.NewDecoder(), make([]byte, 0, len(body)+2*high), body)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// legacyEncoding is the encoding a label names (WHATWG names, so
// iso-8859-1 and us-ascii read as windows-1252), or nil when the label is
// empty, unknown, or a Unicode encoding, none of which explain bytes that are
// not valid UTF-8.
func legacyEncoding(label string) encoding.Encoding {
	if label == "" {
		return nil
	}
	enc, name := charset.Lookup(label)
	if enc == nil || strings.HasPrefix(name, "utf-") || name == "replacement" {
		return nil
	}
	return enc
}

// declareUTF8 rewrites the encoding of an XML declaration at the start of
// body to utf-8. A body without a declaration, or whose declaration names
// no encoding, is returned as it is.
func declareUTF8(body []byte) []byte {
	loc := prologDecl().FindIndex(body)
	if loc == nil {
		return body
	}
	decl := body[loc[0]:loc[1]]
	attr := prologEncodingAttr().FindIndex(decl)
	if attr == nil {
		return body
	}
	a := decl[attr[0]:attr[1]] // ` encoding = "value"`
	if q := bytes.IndexAny(a, `"'`); bytes.EqualFold(a[q+1:len(a)-1], []byte("utf-8")) {
		return body // it says so already: the XML parser reads "UTF-8" as "utf-8"
	}
	out := make([]byte, 0, len(body)+8)
	out = append(out, body[:loc[0]+attr[0]]...)
	out = append(out, ` encoding="utf-8"`...)
	out = append(out, body[loc[0]+attr[1]:]...)
	return out
}

// fixMojibake repairs text that went through the wrong decoder: a run of
// non-ASCII characters that are all windows-1252 (or C1 control) characters
// and whose bytes in that encoding are valid multi-byte UTF-8 decoding to
// text that mojibake hides (see plausibleRepair) ("Ã©", "â€™",
// "&#226;&#128;&#166;") is replaced by what those bytes say ("é", "’", "…").
// Left-over C1 controls, which no feed means literally, become the
// windows-1252 characters servers meant by them (U+0092 → ’). Other text is
// returned unchanged.
func fixMojibake(s string) string {
	if !hasHighLatin(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	enc := charmap.Windows1252.NewEncoder()
	dec := charmap.Windows1252.NewDecoder()
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < 0x80 {
			b.WriteByte(s[i])
			i += size
			continue
		}
		// The run of characters with a one-byte windows-1252 form.
		var run []byte
		j := i
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			c, ok := cp1252Byte(enc, r)
			if !ok {
				break
			}
			run = append(run, c)
			j += size
		}
		if len(run) >= 2 && utf8.Valid(run) && plausibleRepair(run) {
			b.Write(run)
			i = j
			continue
		}
		if j == i { // not a windows-1252 character: copy it
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		for _, c := range run {
			if c >= 0x80 && c <= 0x9F {
				d, _ := dec.Bytes([]byte{c})
				b.Write(d)
			} else {
				b.WriteRune(rune(c)) // latin-1 ⊂ unicode
			}
		}
		i = j
	}
	return b.String()
}

// cp1252Byte is r's one-byte form: C1 controls and latin-1 characters as
// themselves, the other windows-1252 characters (€, ’, …) as their byte.
func cp1252Byte(enc *encoding.Encoder, r rune) (byte, bool) {
	if r >= 0x80 && r <= 0xFF {
		return byte(r), true
	}
	if r < 0x80 || r > 0x2122 {
		return 0, false
	}
	out, err := enc.Bytes([]byte(string(r)))
	if err != nil || len(out) != 1 {
		return 0, false
	}
	return out[0], true
}

// hasHighLatin reports whether s has a character in U+0080–U+00FF, the
// only start of mojibake fixMojibake repairs.
func hasHighLatin(s string) bool {
	return strings.IndexByte(s, 0xC2) >= 0 || strings.IndexByte(s, 0xC3) >= 0
}

// plausibleRepair reports whether UTF-8 bytes b, recovered from a run of
// windows-1252 characters, decode to what mojibake of Latin-script news
// hides: Latin letters (up to Latin Extended-B), general punctuation,
// currency and letterlike symbols. Correct text can look like mojibake —
// "sé…»" is the bytes E9 85 BB, valid UTF-8 for "酻" — and must be left
// alone; its "repair" decodes to something else entirely.
func plausibleRepair(b []byte) bool {
	for _, r := range string(b) {
		switch {
		case r < 0x80, r <= 0x24F, r >= 0x2000 && r <= 0x20CF, r >= 0x2100 && r <= 0x2122:
		default:
			return false
		}
	}
	return true
}

// validBytes is b with invalid UTF-8 replaced by U+FFFD; b itself when it
// is valid (bytes.ToValidUTF8 always copies).
func validBytes(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}
