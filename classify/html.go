package classify

import (
	"html"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// PlainText returns the readable text of s, which may hold HTML: tags are
// dropped (and the content of <script> and <style> with them), entities are
// decoded as html.UnescapeString does ("c&aacute;rtel" becomes "cártel"),
// and runs of white space become single spaces, trimmed at both ends. Tags
// other than inline ones such as <b> or <a> separate words.
func PlainText(s string) string {
	if isPlain(s) {
		return s // most titles: nothing to drop, decode or collapse
	}
	return string(appendPlain(make([]byte, 0, len(s)), s))
}

// isPlain reports that PlainText(s) is s itself: no '<' or '&', no soft
// hyphen, and white space only as single ASCII spaces between other
// characters. It errs towards false ("a < b" is plain text but not
// reported so), never towards true.
func isPlain(s string) bool {
	space := true // as if after a space: s may not start with one
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '<' || c == '&' || c >= '\t' && c <= '\r':
				return false
			case c == ' ':
				if space {
					return false
				}
				space = true
			default:
				space = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == softHyphen || unicode.IsSpace(r) {
			return false
		}
		space = false
		i += size
	}
	return !space || s == ""
}

// DisplayText is PlainText for text that is shown, such as a title: when
// s is nothing but tags ("<!channel>", "<b></b>"), PlainText is empty and
// the text would vanish, so s itself is returned, white space collapsed,
// to be shown (escaped) as written.
func DisplayText(s string) string {
	if p := PlainText(s); p != "" {
		return p
	}
	return strings.Join(strings.Fields(s), " ")
}

// plainWriter appends text with white space collapsed.
type plainWriter struct {
	dst     []byte
	start   int
	pending bool // white space seen since the last text
}

func (w *plainWriter) space() { w.pending = true }

// softHyphen (U+00AD, &shy;) marks where a word may break; it is dropped.
const softHyphen = '\u00ad'

func (w *plainWriter) text(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' || c >= '\t' && c <= '\r' {
				w.pending = true
			} else {
				w.emit()
				w.dst = append(w.dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == softHyphen:
			// A hyphenation hint, invisible: "car&shy;tel" is "cartel",
			// as "car<wbr>tel" is.
		case unicode.IsSpace(r):
			w.pending = true
		default:
			w.emit()
			w.dst = append(w.dst, s[i:i+size]...)
		}
		i += size
	}
}

// rune is text(string(r)) for a valid rune r.
func (w *plainWriter) rune(r rune) {
	switch {
	case r < utf8.RuneSelf:
		if r == ' ' || r >= '\t' && r <= '\r' {
			w.pending = true
		} else {
			w.emit()
			w.dst = append(w.dst, byte(r))
		}
	case r == softHyphen:
	case unicode.IsSpace(r):
		w.pending = true
	default:
		w.emit()
		w.dst = utf8.AppendRune(w.dst, r)
	}
}

func (w *plainWriter) emit() {
	if w.pending && len(w.dst) > w.start {
		w.dst = append(w.dst, ' ')
	}
	w.pending = false
}

// appendPlain appends PlainText(s) to dst. It reads s once, copying each
// run of text that needs no change whole: characters that textLen accepts,
// with single spaces between them.
func appendPlain(dst []byte, s string) []byte {
	w := plainWriter{dst: dst, start: len(dst)}
	for i := 0; i < len(s); {
		if n := textLen(s, i); n > 0 {
			j := i + n
			for j < len(s) {
				if n := textLen(s, j); n > 0 {
					j += n
				} else if s[j] == ' ' && j+1 < len(s) && textLen(s, j+1) > 0 {
					j++ // a single space between text stays as it is
				} else {
					break
				}
			}
			w.emit()
			w.dst = append(w.dst, s[i:j]...)
			i = j
			continue
		}
		switch plainClass[s[i]] {
		case plainSpace:
			w.pending = true
			i++
		case plainAmp:
			i += w.entity(s[i:])
		case plainLT:
			n, sep := tagLen(s[i:])
			if n == 0 {
				w.text("<")
				i++
				continue
			}
			if sep {
				w.space()
			}
			i += n
		default: // not ASCII
			_, size := utf8.DecodeRuneInString(s[i:])
			w.text(s[i : i+size])
			i += size
		}
	}
	return w.dst
}

// textLen returns the length of the character at s[i] when plainWriter.text
// would copy it as it is — ASCII that is neither white space nor markup, or
// a 2-byte rune from U+00C0 to U+07FF (Latin letters with accents, Greek,
// Cyrillic...: none is white space or a soft hyphen) — and 0 otherwise.
func textLen(s string, i int) int {
	c := s[i]
	if plainClass[c] == plainText {
		return 1
	}
	if c >= 0xC3 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
		return 2
	}
	return 0
}

// The classes of bytes that appendPlain tells apart.
const (
	plainText  = iota // ASCII, not white space, '<' or '&'
	plainSpace        // ASCII white space
	plainAmp          // '&'
	plainLT           // '<'
	plainHigh         // the first byte of a rune that is not ASCII, or an invalid byte
)

var plainClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = plainHigh
		case c == ' ' || c >= '\t' && c <= '\r':
			t[c] = plainSpace
		case c == '&':
			t[c] = plainAmp
		case c == '<':
			t[c] = plainLT
		}
	}
	return t
}()

// entity decodes the character reference at the start of s (s[0] == '&')
// as html.UnescapeString would, and returns how many bytes it used.
func (w *plainWriter) entity(s string) int {
	if len(s) > 1 && s[1] == '#' {
		// Numeric reference: the same rules as html.UnescapeString.
		if len(s) <= 3 {
			w.text("&")
			return 1
		}
		i, hex := 2, false
		if s[i] == 'x' || s[i] == 'X' {
			hex = true
			i++
		}
		var x rune
		for i < len(s) {
			c := s[i]
			i++
			switch {
			case c >= '0' && c <= '9':
				if hex {
					x = 16*x + rune(c) - '0'
				} else {
					x = 10*x + rune(c) - '0'
				}
				continue
			case hex && c >= 'a' && c <= 'f':
				x = 16*x + rune(c) - 'a' + 10
				continue
			case hex && c >= 'A' && c <= 'F':
				x = 16*x + rune(c) - 'A' + 10
				continue
			}
			if c != ';' {
				i--
			}
			break
		}
		switch {
		case i <= 3:
			w.text("&")
			return 1
		case x >= 0x80 && x <= 0x9F:
			// Windows-1252 replacements: let html do it (rare).
			w.text(html.UnescapeString(s[:i]))
			return i
		case x == 0 || x >= 0xD800 && x <= 0xDFFF || x > unicode.MaxRune || x < 0:
			x = utf8.RuneError
		}
		w.rune(x)
		return i
	}
	// Named reference: '&', letters and digits, and an optional ';' make a
	// chunk that html.UnescapeString decodes on its own exactly as in context.
	i := 1
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i < len(s) && s[i] == ';' {
		i++
	}
	switch chunk := s[:i]; chunk {
	case "&amp;":
		w.text("&")
	case "&lt;":
		w.text("<")
	case "&gt;":
		w.text(">")
	case "&quot;":
		w.text(`"`)
	case "&apos;", "&#39;":
		w.text("'")
	case "&nbsp;":
		w.space()
	default:
		if t, ok := namedRefs()[chunk]; ok {
			w.text(t)
		} else {
			w.text(html.UnescapeString(chunk))
		}
	}
	return i
}

// namedRefs holds the named references that news feeds use most beyond
// those entity decodes itself, decoded once by html.UnescapeString (which
// allocates on every call). It is made when the first one is met, not at
// start-up: its first html.UnescapeString builds html's table of all 2,231
// references (0.12 ms and 118 KB), which a command that never reads a
// reference, such as classify on plain text, need not pay for.
var namedRefs = sync.OnceValue(func() map[string]string {
	names := strings.Fields(`hellip mdash ndash lsquo rsquo sbquo ldquo rdquo bdquo laquo raquo
		shy middot bull copy reg trade euro pound deg ordm ordf iexcl iquest times
		aacute eacute iacute oacute uacute ntilde uuml agrave egrave ccedil ouml auml
		Aacute Eacute Iacute Oacute Uacute Ntilde Uuml`)
	m := make(map[string]string, len(names))
	for _, n := range names {
		chunk := "&" + n + ";"
		m[chunk] = html.UnescapeString(chunk)
	}
	return m
})

// tagLen reports the length of the tag, comment or declaration at the start
// of s (s[0] == '<'), including the content of <script> and <style>, and
// whether it separates words. It returns 0 when '<' starts no tag, as in
// "a < b".
func tagLen(s string) (n int, sep bool) {
	if len(s) < 2 {
		return 0, false
	}
	switch c := s[1]; {
	case strings.HasPrefix(s, "<!--"):
		if k := strings.Index(s[4:], "-->"); k >= 0 {
			return 4 + k + 3, false
		}
		return len(s), false
	case c == '!' || c == '?':
		if k := strings.IndexByte(s, '>'); k >= 0 {
			return k + 1, true
		}
		return len(s), true
	case c == '/':
		if len(s) < 3 || !isASCIILetter(s[2]) {
			return 0, false
		}
		name, _ := tagName(s[2:])
		k := strings.IndexByte(s, '>')
		if k < 0 {
			return len(s), true
		}
		return k + 1, tagKind(name) != tagInline
	case isASCIILetter(c):
		name, k := tagName(s[1:])
		kind := tagKind(name)
		end := attrEnd(s[1+k:])
		if end < 0 {
			return len(s), true
		}
		n = 1 + k + end
		selfClosing := s[n-2] == '/'
		if !selfClosing && (kind == tagScript || kind == tagStyle) {
			// Skip to the matching end tag, or to the end.
			rest := s[n:]
			closing := "</style"
			if kind == tagScript {
				closing = "</script"
			}
			for j := 0; j+len(closing) <= len(rest); j++ {
				if rest[j] == '<' && strings.EqualFold(rest[j:j+len(closing)], closing) {
					k := strings.IndexByte(rest[j:], '>')
					if k < 0 {
						return len(s), true
					}
					return n + j + k + 1, true
				}
			}
			return len(s), true
		}
		return n, kind != tagInline
	}
	return 0, false
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// tagName returns the name at the start of s and its length.
func tagName(s string) (string, int) {
	k := 0
	for k < len(s) && (isASCIILetter(s[k]) || s[k] >= '0' && s[k] <= '9' || s[k] == '-' || s[k] == ':') {
		k++
	}
	return s[:k], k
}

// The kinds of tag that tagLen tells apart, by name (tagKind).
const (
	tagBlock  = iota // separates words: <p>, <br>, <div>, unknown names
	tagInline        // does not: "car<b>tel</b>" reads "cartel"
	tagScript        // <script>: its content is skipped
	tagStyle         // <style>: likewise
)

// tagKind returns the kind of the tag named name, in any case.
func tagKind(name string) int {
	if len(name) > 6 {
		return tagBlock
	}
	var b [6]byte
	for i := 0; i < len(name); i++ {
		b[i] = name[i] | 0x20
	}
	switch string(b[:len(name)]) {
	case "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i",
		"kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
		"u", "var", "wbr":
		return tagInline
	case "script":
		return tagScript
	case "style":
		return tagStyle
	}
	return tagBlock
}

// attrEnd returns the length of s up to and including the '>' that closes a
// tag, skipping quoted attribute values; -1 when the tag is not closed. A
// quote opens a value when the last byte before it that is not white space
// is '='; the value ends at the same quote.
func attrEnd(s string) int {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '>':
			return i + 1
		case '"', '\'':
			k := i - 1
			for k >= 0 && isTagSpace(s[k]) {
				k--
			}
			if k < 0 || s[k] != '=' {
				continue
			}
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return -1
			}
			i += 1 + j // the closing quote
		}
	}
	return -1
}

func isTagSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
