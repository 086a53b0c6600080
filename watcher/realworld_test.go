package watcher

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/mmcdole/gofeed"

	"github.com/newsdigest/newsdigest"
)

const spanishTitle = "Año nuevo: “México” y el cártel — 5 €"

func encodeWith(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func TestParseUnicodeAndLyingEncodings(t *testing.T) {
	const rss = `<rss version="2.0"><channel><title>E</title><item><guid>e1</guid><title>%s</title></item></channel></rss>`
	doc := func(prolog string) string { return prolog + fmt.Sprintf(rss, spanishTitle) }
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	utf32le := utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)
	utf32be := utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)
	tests := []struct {
		name        string
		body        []byte
		contentType string
	}{
		{"UTF-16LE with BOM", encodeWith(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), doc(`<?xml version="1.0" encoding="utf-16"?>`)), ""},
		{"UTF-16BE with BOM", encodeWith(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), doc(`<?xml version="1.0" encoding="utf-16"?>`)), ""},
		{"UTF-16LE without BOM", encodeWith(t, utf16le, doc(`<?xml version="1.0" encoding="utf-16le"?>`)), ""},
		{"UTF-16BE without BOM or declaration", encodeWith(t, utf16be, doc("")), ""},
		{"UTF-32LE with BOM", encodeWith(t, utf32.UTF32(utf32.LittleEndian, utf32.UseBOM), doc(`<?xml version="1.0" encoding="utf-32"?>`)), ""},
		{"UTF-32BE without BOM", encodeWith(t, utf32be, doc(`<?xml version="1.0"?>`)), ""},
		{"UTF-32LE without BOM", encodeWith(t, utf32le, doc("")), "application/xml"},
		{"UTF-8 under a latin-1 prolog stays UTF-8", []byte(doc(`<?xml version="1.0" encoding="ISO-8859-1"?>`)), ""},
		{"UTF-8 under a windows-1252 header stays UTF-8", []byte(doc("")), "text/xml; charset=windows-1252"},
		{"UTF-8 under a bogus prolog", []byte(doc(`<?xml version="1.0" encoding="x-bogus"?>`)), ""},
		{"windows-1252 only in prolog", encode1252(t, doc(`<?xml version="1.0" encoding="windows-1252"?>`)), "application/rss+xml"},
		{"windows-1252 only in header", encode1252(t, doc(`<?xml version="1.0"?>`)), "application/rss+xml; charset=windows-1252"},
		{"windows-1252 under a UTF-8 prolog", encode1252(t, doc(`<?xml version="1.0" encoding="utf-8"?>`)), ""},
		{"windows-1252 undeclared", encode1252(t, doc("")), "text/xml"},
		{"ISO-8859-1 label, windows-1252 bytes", encode1252(t, doc(`<?xml version="1.0" encoding="iso-8859-1"?>`)), ""},
		{"header charset in odd syntax", encode1252(t, doc("")), `application/xml;charset = 'windows-1252'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse(tt.body, tt.contentType, testFeed)
			if err != nil {
				t.Fatalf("Parse error: %v", err)
			}
			if len(items) != 1 || items[0].Title != spanishTitle {
				t.Fatalf("Parse = %d items, first %q; want 1, %q", len(items), firstTitle(items), spanishTitle)
			}
		})
	}
}

func firstTitle(items []newsdigest.Item) string {
	if len(items) == 0 {
		return "(none)"
	}
	return items[0].Title
}

func TestFixMojibake(t *testing.T) {
	tests := []struct{ in, want string }{
		{"MÃ©xico", "México"},
		{"el cÃ¡rtel â€” dijo", "el cártel — dijo"},
		{"don\u0092t", "don’t"},                      // C1 control meant as windows-1252
		{"\u00e2\u0080\u00a6", "…"},                  // &#226;&#128;&#166;
		{"México y el cártel", "México y el cártel"}, // correct text is untouched
		{"Ñandú © 2024 ½", "Ñandú © 2024 ½"},
		{"日本語 “quotes” €", "日本語 “quotes” €"},
		// Correct text whose windows-1252 bytes happen to be valid UTF-8.
		{"«No sé…» dijo AMLO", "«No sé…» dijo AMLO"},
		{"«Así…»", "«Así…»"},
		{"LLEGÓ… y se fue", "LLEGÓ… y se fue"},
		{"JOSÉ’S BAR", "JOSÉ’S BAR"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := fixMojibake(tt.in); got != tt.want {
			t.Errorf("fixMojibake(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseRecoversBrokenXML(t *testing.T) {
	const head = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Noticias</title><link>https://n.example/</link>`
	item := func(n int, title string) string {
		return fmt.Sprintf(`<item><guid>g%d</guid><title>%s</title><link>https://n.example/%d</link></item>`, n, title, n)
	}
	tests := []struct {
		name       string
		body       string
		wantTitles []string
		wantTrunc  bool
	}{
		{"undeclared HTML entities", head + item(1, "Se&ntilde;al&nbsp;de M&eacute;xico &mdash; &euro;5 &hellip;") + `</channel></rss>`,
			[]string{"Señal\u00a0de México — €5 …"}, false},
		{"bare ampersand", head + item(1, "Trump & AMLO; R&D") + `</channel></rss>`, []string{"Trump & AMLO; R&D"}, false},
		{"raw control characters", head + item(1, "Ca\x01r\x1ftel\x0b") + `</channel></rss>`, []string{"Cartel"}, false},
		{"control character reference", head + item(1, "T-MEC&#x1A; hoy&#8;") + `</channel></rss>`, []string{"T-MEC hoy"}, false},
		{"cut after complete items", head + item(1, "Uno") + item(2, "Dos") + `<item><title>Tr`, []string{"Uno", "Dos"}, true},
		{"cut inside a tag", head + item(1, "Uno") + `</chan`, []string{"Uno"}, true},
		{"root end tag incomplete", head + item(1, "Uno") + `</channel></rss`, []string{"Uno"}, false},
		{"incomplete CDATA", head + item(1, "Uno") + `<item><title><![CD`, []string{"Uno"}, true},
		{"stray end tag", head + `<item><guid>g1</guid><title>Uno</b></title></item></channel></rss>`, []string{"Uno"}, false},
		{"entity and truncation together", head + item(1, "Ni&ntilde;os & ma&ntilde;ana") + item(2, "x"), []string{"Niños & mañana", "x"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parse([]byte(tt.body), "application/rss+xml", testFeed, time.UTC)
			if err != nil {
				t.Fatalf("parse error: %v", err)
			}
			var titles []string
			for _, it := range p.items {
				titles = append(titles, it.Title)
			}
			if strings.Join(titles, "|") != strings.Join(tt.wantTitles, "|") {
				t.Errorf("parse titles = %q; want %q", titles, tt.wantTitles)
			}
			if p.truncated != tt.wantTrunc {
				t.Errorf("parse truncated = %v; want %v", p.truncated, tt.wantTrunc)
			}
		})
	}
}

func TestParseUnrecoverable(t *testing.T) {
	tests := []struct{ name, body string }{
		{"cut inside the only item", `<rss version="2.0"><channel><title>x</title><item><title>Half`},
		{"cut inside the channel, no items", `<rss version="2.0"><channel><title>x</title><description>abc`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse([]byte(tt.body), "", testFeed)
			if err == nil || !strings.HasPrefix(err.Error(), "parse: ") {
				t.Errorf("Parse(%q) = %d items, %v; want a parse error", tt.body, len(items), err)
			}
		})
	}
}

// TestParseGoodFeedsUnaltered checks that well-formed feeds never go
// through the repair: the items are exactly gofeed's.
func TestParseGoodFeedsUnaltered(t *testing.T) {
	bodies := []string{
		`<rss version="2.0"><channel><title>t</title><item><title>A &amp; B &lt;c&gt;</title><description><![CDATA[<p>x &nbsp; y</p>]]></description><guid>1</guid></item></channel></rss>`,
		`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY ntilde "&#241;">]><rss version="2.0"><channel><title>t</title><item><title>Se&ntilde;al</title><guid>2</guid></item></channel></rss>`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><title>a</title><entry><id>3</id><title type="html">&lt;b&gt;Hoy&lt;/b&gt;</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Q</p></div></content></entry></feed>`,
	}
	for _, body := range bodies {
		want, err := gofeed.NewParser().Parse(strings.NewReader(body))
		if err != nil {
			t.Fatalf("gofeed.Parse(%q) error: %v", body, err)
		}
		p, err := parse([]byte(body), "", testFeed, time.UTC)
		if err != nil {
			t.Fatalf("parse(%q) error: %v", body, err)
		}
		if len(p.items) != len(want.Items) || p.items[0].Title != want.Items[0].Title || p.items[0].Summary != want.Items[0].Description ||
			p.items[0].Content != want.Items[0].Content || p.truncated {
			t.Errorf("parse(%q) = %+v; want gofeed's %+v", body, p.items, want.Items[0])
		}
	}
}

func TestNormalizeAndParseDates(t *testing.T) {
	mexico := time.FixedZone("CST", -6*3600)
	tests := []struct {
		raw  string
		loc  *time.Location
		want time.Time
	}{
		{"lun, 15 ene 2024 10:00:00 -0600", time.UTC, time.Date(2024, 1, 15, 16, 0, 0, 0, time.UTC)},
		{"Martes, 16 de Enero de 2024 08:30", mexico, time.Date(2024, 1, 16, 14, 30, 0, 0, time.UTC)},
		{"mar, 5 mar 2024 09:00:00 GMT", time.UTC, time.Date(2024, 3, 5, 9, 0, 0, 0, time.UTC)},
		{"15 de enero de 2024", mexico, time.Date(2024, 1, 15, 6, 0, 0, 0, time.UTC)},
		{"sáb, 3 ago. 2024 23:15:00 CST", time.UTC, time.Date(2024, 8, 4, 5, 15, 0, 0, time.UTC)},
		{"3 septiembre 2024 a las 10:00 hrs", mexico, time.Date(2024, 9, 3, 16, 0, 0, 0, time.UTC)},
		{"2024-01-15 10:00:00", mexico, time.Date(2024, 1, 15, 16, 0, 0, 0, time.UTC)},
		{"2024-01-15T10:00:00", mexico, time.Date(2024, 1, 15, 16, 0, 0, 0, time.UTC)},
		{"Mon, 15 Jan 2024 10:00:00", mexico, time.Date(2024, 1, 15, 16, 0, 0, 0, time.UTC)},
		{"January 15, 2024 3:04 PM", mexico, time.Date(2024, 1, 15, 21, 4, 0, 0, time.UTC)},
		{"Mon, 15 Jan 2024 10:00:00 +0100", mexico, time.Date(2024, 1, 15, 9, 0, 0, 0, time.UTC)},
		{"2024-01-15T10:00:00Z", mexico, time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)},
		{"not a date", time.UTC, time.Time{}},
		{"", time.UTC, time.Time{}},
	}
	for _, tt := range tests {
		// gofeed's own reading, as parse passes it in.
		var parsed *time.Time
		if g, err := gofeedDate(tt.raw); err == nil {
			parsed = &g
		}
		if got := itemDate(tt.raw, parsed, tt.loc); !got.Equal(tt.want) {
			t.Errorf("itemDate(%q, %v) = %v; want %v", tt.raw, tt.loc, got, tt.want)
		}
	}
}

// gofeedDate reads a date the way gofeed does for an RSS pubDate.
func gofeedDate(raw string) (time.Time, error) {
	body := `<rss version="2.0"><channel><item><title>x</title><pubDate>` + raw + `</pubDate></item></channel></rss>`
	f, err := gofeed.NewParser().Parse(strings.NewReader(body))
	if err != nil || len(f.Items) == 0 || f.Items[0].PublishedParsed == nil {
		return time.Time{}, fmt.Errorf("no date")
	}
	return *f.Items[0].PublishedParsed, nil
}

func TestParseInLocationAndUndated(t *testing.T) {
	body := []byte(`<rss version="2.0"><channel><title>t</title><ttl>90</ttl>
<item><guid>1</guid><title>Con fecha</title><pubDate>lun, 15 ene 2024 10:00:00</pubDate></item>
<item><guid>2</guid><title>Sin fecha</title></item></channel></rss>`)
	mexico := time.FixedZone("CST", -6*3600)
	items, err := ParseIn(body, "", testFeed, mexico)
	if err != nil || len(items) != 2 {
		t.Fatalf("ParseIn = %d items, %v; want 2, nil", len(items), err)
	}
	if want := time.Date(2024, 1, 15, 16, 0, 0, 0, time.UTC); !items[0].Published.Equal(want) {
		t.Errorf("ParseIn Published = %v; want %v", items[0].Published, want)
	}
	if !items[1].Published.IsZero() {
		t.Errorf("undated item Published = %v; want zero (the store uses first-seen)", items[1].Published)
	}
	p, _ := parse(body, "", testFeed, mexico)
	if p.ttl != 90*time.Minute {
		t.Errorf("parse ttl = %v; want 1h30m", p.ttl)
	}
}

func TestParseXMLBase(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"atom xml:base on feed", `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://base.example/news/"><title>a</title><entry><id>1</id><title>x</title><link href="2024/story"/></entry></feed>`, "https://base.example/news/2024/story"},
		{"atom xml:base on entry, relative to feed's", `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://base.example/news/"><title>a</title><entry xml:base="sub/"><id>1</id><title>x</title><link href="story"/></entry></feed>`, "https://base.example/news/sub/story"},
		{"rss xml:base on item", `<rss version="2.0"><channel><title>t</title><item xml:base="https://base.example/es/"><title>x</title><link>nota/1</link></item></channel></rss>`, "https://base.example/es/nota/1"},
		{"no base: feed URL", `<rss version="2.0"><channel><title>t</title><item><title>x</title><link>/nota/1</link></item></channel></rss>`, "https://news.example/nota/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse([]byte(tt.body), "", testFeed)
			if err != nil || len(items) != 1 {
				t.Fatalf("Parse = %d items, %v; want 1", len(items), err)
			}
			if items[0].Link != tt.want {
				t.Errorf("Parse link = %q; want %q", items[0].Link, tt.want)
			}
		})
	}
}

func TestRepairXMLKeepsNamespaces(t *testing.T) {
	body := []byte(`<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title><item><title>A&nbsp;B</title><dc:creator>Ana</dc:creator><dc:date>2024-01-15T10:00:00Z</dc:date></item></channel></rss>`)
	fixed, cut, ok := repairXML(body)
	if !ok || cut {
		t.Fatalf("repairXML = ok %v, cut %v; want true, false", ok, cut)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(fixed))
	if err != nil || len(f.Items) != 1 {
		t.Fatalf("gofeed on repaired %q: %v", fixed, err)
	}
	it := f.Items[0]
	if it.Title != "A\u00a0B" || len(it.Authors) == 0 || it.Authors[0].Name != "Ana" || it.PublishedParsed == nil {
		t.Errorf("repaired item = title %q, authors %v, date %v; want \"A\\u00a0B\", Ana, 2024-01-15", it.Title, it.Authors, it.PublishedParsed)
	}
}

// FuzzDecode checks the decoding helpers on any bytes: toUTF8 always gives
// valid UTF-8 and leaves valid UTF-8 without a declaration alone;
// fixMojibake keeps text valid; repairXML output is
// valid UTF-8; itemDate never panics.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1252"?><rss>caf`+"\xe9"+`</rss>`), "text/xml; charset=latin1")
	f.Add([]byte("\xfe\xff\x00<\x00r"), "")
	f.Add([]byte("M\xc3\x83\xc2\xa9xico don\xc2\x92t \xc3\xa2\xc2\x80\xc2\xa6"), "")
	f.Add([]byte(`<rss><channel><item><title>a&nbsp;b</title></item><item>`), "application/xml")
	f.Add([]byte("lun, 15 ene 2024 10:00:00 CST"), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		out := toUTF8(body, contentType)
		if !utf8.Valid(out) {
			t.Fatalf("toUTF8(%q, %q) = %q; not valid UTF-8", body, contentType, out)
		}
		if utf8.Valid(body) && !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("<?xml")) && unicodeByBytes(body) == nil &&
			!bytes.HasPrefix(body, utf8BOM) && !bytes.Equal(out, body) {
			t.Fatalf("toUTF8(%q) = %q; want valid UTF-8 unchanged", body, out)
		}
		s := string(out)
		if fixed := fixMojibake(s); !utf8.ValidString(fixed) {
			t.Fatalf("fixMojibake(%q) = %q; not valid UTF-8", s, fixed)
		}
		if fixed, _, ok := repairXML(out); ok && !utf8.Valid(fixed) {
			t.Fatalf("repairXML(%q) = %q; not valid UTF-8", out, fixed)
		}
		_ = itemDate(s, nil, time.UTC)
		// decodeLegacy is the decoder's Bytes, into a buffer sized ahead.
		for _, label := range []string{charsetOf(contentType), "windows-1252", "shift_jis", "gbk", "euc-kr", "big5", "iso-2022-jp"} {
			enc := legacyEncoding(label)
			if enc == nil {
				continue
			}
			want, werr := enc.NewDecoder().Bytes(body)
			got, gerr := decodeLegacy(enc, body)
			if !bytes.Equal(got, want) || (gerr == nil) != (werr == nil) {
				t.Fatalf("decodeLegacy(%s, %q) = %q, %v; the decoder gives %q, %v", label, body, got, gerr, want, werr)
			}
		}
	})
}
