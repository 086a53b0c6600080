package digest

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest"
)

// FuzzEscapeMarkdown checks that escaped text has no unescaped special
// character and reads back as the original.
func FuzzEscapeMarkdown(f *testing.F) {
	for _, s := range []string{"", "plain", "[a](b)", `\*_` + "`", "<b>&amp;", "~~x~~", "é[ü]", "\\\\", "\xff["} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc := escapeMarkdown(s)
		var back strings.Builder
		for i := 0; i < len(esc); i++ {
			c := esc[i]
			switch {
			case c == '\\':
				if i+1 >= len(esc) || !strings.ContainsRune(markdownSpecial, rune(esc[i+1])) {
					t.Fatalf("escapeMarkdown(%q) = %q: stray backslash at %d", s, esc, i)
				}
				i++
				back.WriteByte(esc[i])
			case strings.IndexByte(markdownSpecial, c) >= 0:
				t.Fatalf("escapeMarkdown(%q) = %q: unescaped %q at %d", s, esc, c, i)
			default:
				back.WriteByte(c)
			}
		}
		if back.String() != s && utf8.ValidString(s) {
			t.Errorf("unescape(escapeMarkdown(%q)) = %q; want the input", s, back.String())
		}
	})
}

// FuzzCleanLine checks that cleaned text is one valid, trimmed line within
// the limit, and that cleaning is idempotent.
func FuzzCleanLine(f *testing.F) {
	f.Add("plain", 300)
	f.Add("  two\r\nlines\t ", 300)
	f.Add("\x1b[31mred\u202e\u2028x\x00", 5)
	f.Add(strings.Repeat("é ", 200), 300)
	f.Add("a b", 2)
	f.Add("\xff\xfe", 1)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 1 || max > 1000 {
			max = 300
		}
		out := CleanLine(s, max)
		if !utf8.ValidString(out) {
			t.Fatalf("CleanLine(%q, %d) = %q: invalid UTF-8", s, max, out)
		}
		if n := utf8.RuneCountInString(out); n > max {
			t.Errorf("CleanLine(%q, %d) = %q: %d runes", s, max, out, n)
		}
		if strings.TrimSpace(out) != out || strings.Contains(out, "  ") {
			t.Errorf("CleanLine(%q, %d) = %q: untrimmed or double space", s, max, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) || (unicode.IsSpace(r) && r != ' ') || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("CleanLine(%q, %d) = %q: contains %U", s, max, out, r)
			}
		}
		if again := CleanLine(out, max); again != out {
			t.Errorf("CleanLine(CleanLine(%q, %d)) = %q; want %q", s, max, again, out)
		}
	})
}

var escapedPair = regexp.MustCompile(`\\.`)

// FuzzBuildRender builds a digest from hostile feed text and checks every
// rendering: JSON decodes, text has no control characters, and Markdown has
// exactly the links the digest made.
func FuzzBuildRender(f *testing.F) {
	f.Add("Title [x](y)", "Src", "https://x.test/a", "javascript:x", "HTTP 503", 3, int64(0))
	f.Add("\x1b[2J\n", "", "", "", "", 0, int64(-1<<40))
	f.Add(strings.Repeat("ü*", 300), "A](b", "http://h/(a)", "https://h2/\\)", "err\r\nx", -5, int64(1<<40))
	f.Add("t", "s", "https://x.test/\u202e", "https://x.test/", "", 1, int64(253402300800)) // year 10000
	f.Fuzz(func(t *testing.T, title, src, link, link2, errText string, score int, pub int64) {
		c1 := newsdigest.Candidate{
			Item:      newsdigest.Item{ID: "1", Title: title, Source: src, Link: link, Published: time.Unix(pub, 0)},
			FirstSeen: now.Add(-time.Hour),
			Matches:   []newsdigest.Match{{Topic: "cartels", Score: score, Terms: []string{title}}, {Topic: src, Score: 1}},
		}
		c2 := newsdigest.Candidate{
			Item:         newsdigest.Item{ID: "2", Title: src, FeedName: title, Link: link2},
			CanonicalURL: newsdigest.CanonicalURL(link),
			FirstSeen:    time.Unix(-pub, 0),
			Matches:      []newsdigest.Match{{Topic: "troops", Score: score, Terms: []string{src}}},
		}
		in := Input{Title: title, GeneratedAt: now, From: time.Unix(pub, 0), To: now, Topics: testTopics,
			Candidates: []newsdigest.Candidate{c1, c2},
			Feeds:      []newsdigest.FeedReport{{Name: src, URL: link, Error: errText}, {Name: title, OK: true}}}
		d := Build(in)
		if got := len(itemIDs(d)); got != 2 {
			t.Errorf("ItemIDs() has %d IDs; want 2 (every candidate matched a known topic)", got)
		}

		var js bytes.Buffer
		if err := d.WriteJSON(&js); err != nil {
			t.Fatalf("WriteJSON: %v", err)
		}
		var back Digest
		if err := json.Unmarshal(js.Bytes(), &back); err != nil {
			t.Fatalf("WriteJSON wrote undecodable JSON: %v\n%s", err, js.String())
		}
		if want := oneEncoder(t, d); !bytes.Equal(js.Bytes(), want) {
			t.Fatalf("WriteJSON wrote\n%s\nwant what one encoder writes:\n%s", js.Bytes(), want)
		}

		var txt bytes.Buffer
		if err := d.WriteText(&txt, 1); err != nil {
			t.Fatalf("WriteText: %v", err)
		}
		for _, r := range txt.String() {
			if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
				t.Fatalf("WriteText wrote %U:\n%q", r, txt.String())
			}
		}

		var md bytes.Buffer
		if err := d.WriteMarkdown(&md, 0); err != nil {
			t.Fatalf("WriteMarkdown: %v", err)
		}
		links := 0
		for _, s := range d.Topics {
			for _, e := range s.Items {
				if markdownURL(e.URL) != "" {
					links++
				}
				for _, l := range e.Also {
					if markdownURL(l.URL) != "" {
						links++
					}
				}
			}
		}
		if got := strings.Count(escapedPair.ReplaceAllString(md.String(), ""), "]("); got != links {
			t.Errorf("WriteMarkdown has %d links; want %d:\n%s", got, links, md.String())
		}
	})
}
