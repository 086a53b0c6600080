package classify

import (
	"strings"
	"testing"
	"unicode"
)

// refAttrEnd is attrEnd as first written, byte by byte, remembering the
// last byte that is not white space.
func refAttrEnd(s string) int {
	var quote, last byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && last == '=':
			quote = c
		case c == '>':
			return i + 1
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			last = c
		}
	}
	return -1
}

func FuzzAttrEnd(f *testing.F) {
	for _, s := range []string{`a href="x>y">`, `p class=it's>`, `img alt = 'a>b' src="c">`, `a b="c`, `x="a"'b>'>`, `a title='"'>`, `=">`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := attrEnd(s), refAttrEnd(s); got != want {
			t.Errorf("attrEnd(%q) = %d; want %d", s, got, want)
		}
	})
}

// refAppendPlain is appendPlain as first written: the text up to the next
// '<' or '&' goes through plainWriter.text byte by byte.
func refAppendPlain(dst []byte, s string) []byte {
	w := plainWriter{dst: dst, start: len(dst)}
	for len(s) > 0 {
		j := strings.IndexAny(s, "<&")
		if j < 0 {
			w.text(s)
			break
		}
		w.text(s[:j])
		s = s[j:]
		if s[0] == '&' {
			s = s[w.entity(s):]
			continue
		}
		n, sep := tagLen(s)
		if n == 0 {
			w.text("<")
			s = s[1:]
			continue
		}
		if sep {
			w.space()
		}
		s = s[n:]
	}
	return w.dst
}

// FuzzPlainTextMarkup compares appendPlain, which copies runs of plain
// ASCII whole, with refAppendPlain on text with tags and references.
func FuzzPlainTextMarkup(f *testing.F) {
	f.Add("x", `<p>Mexico&#8217;s <a href="https://example.com/a?b=1&amp;c=2" rel="x">cartel</a>&nbsp;&hellip;</p>`)
	f.Add("", "<figure><img src='x.jpg' alt=\"a>b\" /><figcaption>Guardia\u00a0Nacional\u00ad</figcaption></figure>\n<p>a < b &amp c</p>")
	f.Add("", "Los cárteles  de  Sinaloa;\tla Guardia Nacional\u00a0y\u0085el T-MEC. Ελλάδα и Россия 日本 é\xc3 \xc3(")
	f.Add(" ", "car<b>tel</b> <!-- c --> x<script>var a='<p>';</script>y\xff\u2003z &#x1F600; &#128;")
	f.Fuzz(func(t *testing.T, prefix, s string) {
		got := string(appendPlain([]byte(prefix), s))
		if want := string(refAppendPlain([]byte(prefix), s)); got != want {
			t.Errorf("appendPlain(%q, %q) = %q; want %q", prefix, s, got, want)
		}
	})
}

// FuzzTagKind compares tagKind with the rules as first written: a map of
// the inline names and strings.EqualFold for script and style.
func FuzzTagKind(f *testing.F) {
	inline := map[string]bool{}
	for _, n := range strings.Fields(`a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small
		span strong sub sup time u var wbr`) {
		inline[n] = true
		f.Add(n)
		f.Add(strings.ToUpper(n))
	}
	for _, n := range []string{"script", "STYLE", "Script", "p", "div", "br", "spans", "strongx", "h1", "x-y", "a:b"} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, _ := tagName(s)
		want := tagBlock
		switch {
		case strings.EqualFold(name, "script"):
			want = tagScript
		case strings.EqualFold(name, "style"):
			want = tagStyle
		case inline[strings.ToLower(name)]:
			want = tagInline
		}
		if got := tagKind(name); got != want {
			t.Errorf("tagKind(%q) = %d; want %d", name, got, want)
		}
	})
}

// TestTextLenRunes checks the claim textLen rests on: no rune of 2 bytes
// from U+00C0 on is white space or a soft hyphen, so plainWriter.text
// copies each as it is.
func TestTextLenRunes(t *testing.T) {
	for r := rune(0xC0); r < 0x800; r++ {
		s := string(r)
		if textLen(s, 0) != 2 || unicode.IsSpace(r) || r == softHyphen {
			t.Errorf("%U: textLen %d, white space %v", r, textLen(s, 0), unicode.IsSpace(r))
		}
	}
	for _, s := range []string{"\u00a0", "\u0085", "\u00ad", "\xc3", "\xc3(", "\xe2\x80\x83"} {
		if n := textLen(s, 0); n != 0 {
			t.Errorf("textLen(%q) = %d; want 0", s, n)
		}
	}
}
