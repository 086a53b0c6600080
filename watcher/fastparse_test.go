package watcher

import (
	"bytes"
	"fmt"
	"html"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/feedtest"
)

// fastDiff compares what fastParse read with what gofeed reads from the
// same UTF-8 input, on every field parse and toItems use; "" when equal.
func fastDiff(fast, slow *gofeed.Feed) string {
	if fast.Title != slow.Title || fast.Link != slow.Link || fast.FeedType != slow.FeedType {
		return fmt.Sprintf("feed title/link/type %q %q %q; gofeed %q %q %q",
			fast.Title, fast.Link, fast.FeedType, slow.Title, slow.Link, slow.FeedType)
	}
	if len(fast.Items) != len(slow.Items) {
		return fmt.Sprintf("%d items; gofeed %d", len(fast.Items), len(slow.Items))
	}
	for i, a := range fast.Items {
		b := slow.Items[i]
		for _, f := range []struct{ name, a, b string }{
			{"GUID", a.GUID, b.GUID},
			{"Link", a.Link, b.Link},
			{"Title", a.Title, b.Title},
			{"Description", a.Description, b.Description},
			{"Content", a.Content, b.Content},
			{"Published", a.Published, b.Published},
			{"Updated", a.Updated, b.Updated},
		} {
			if f.a != f.b {
				return fmt.Sprintf("item %d %s = %q; gofeed %q", i, f.name, f.a, f.b)
			}
		}
	}
	return ""
}

// checkFastPath parses body both ways and fails the test on any difference
// where the fast path took the body. It reports whether it did.
func checkFastPath(t testing.TB, body []byte, contentType string, feed newsdigest.Feed) bool {
	t.Helper()
	input := toUTF8(body, contentType)
	fast, ok := fastParse(input)
	if !ok {
		return false
	}
	slow, err := parseFeed(input)
	if err != nil {
		t.Fatalf("fast path read %d items; gofeed fails: %v\nbody: %q", len(fast.Items), err, clip(body))
	}
	if d := fastDiff(fast, slow); d != "" {
		t.Fatalf("fast path differs from gofeed: %s\nbody: %q", d, clip(body))
	}
	for _, loc := range []*time.Location{time.UTC, time.FixedZone("CST", -6*3600)} {
		pf, ferr := parseVia(body, contentType, feed, loc, true)
		ps, serr := parseVia(body, contentType, feed, loc, false)
		if fmt.Sprint(ferr) != fmt.Sprint(serr) || !reflect.DeepEqual(pf, ps) {
			t.Fatalf("parse with the fast path = %+v, %v\nwithout = %+v, %v\nbody: %q", pf, ferr, ps, serr, clip(body))
		}
	}
	return true
}

func clip(b []byte) []byte {
	if len(b) > 2000 {
		return append(b[:2000:2000], "…"...)
	}
	return b
}

// TestFastParseCorpus compares the fast path with gofeed on every file of
// ../shared/corpus that the fast path takes.
func TestFastParseCorpus(t *testing.T) {
	files := loadCorpus(t)
	taken := 0
	var formats = map[string]int{}
	for _, cf := range files {
		feed := newsdigest.Feed{Name: "corpus", URL: "http://corpus.example/" + cf.rel}
		if checkFastPath(t, cf.body, cf.contentType, feed) {
			taken++
			f, _ := fastParse(toUTF8(cf.body, cf.contentType))
			formats[f.FeedType]++
		}
	}
	t.Logf("fast path took %d of %d corpus files (%v); gofeed read the rest", taken, len(files), formats)
	// Measured on the 2026 snapshot; a floor, so that the fast path does
	// not silently stop taking real feeds.
	if len(files) >= 409 && taken < fastCorpusFloor {
		t.Errorf("fast path took %d corpus files; want at least %d", taken, fastCorpusFloor)
	}
}

const fastCorpusFloor = 377

// hostileTitles are item titles and summaries that test the edges of
// escaping and text handling in every format.
var hostileTitles = []string{
	"plain",
	"  padded \t\n ",
	"A & B < C > D \"E\" 'F'",
	"]]> closes CDATA",
	"<![CDATA[ looks like CDATA ]]>",
	"&amp; already escaped &lt;b&gt;",
	"&nbsp; &eacute; &#233; &#xE9; &#0; &#150; &copy=2;",
	"<b>bold</b> <script>alert(1)</script>",
	"México “cártel” € ✓ 𝄞 العربية",
	"\u00a0non-breaking\u00a0",
	"line\r\nbreaks\rand\nmore",
	"tab\tand\u0085NEL",
	"&&&;;; & ; &x; &#; &#x;",
	"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>",
	strings.Repeat("long ", 400),
	"",
}

// TestFastParseGenerated compares the two paths on the feeds of whole-run
// measurements (feedtest.Generated, every format) and on feeds of hostile
// titles and summaries in every format.
func TestFastParseGenerated(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	taken := map[string]int{}
	total := map[string]int{}
	check := func(spec feedtest.FeedSpec) {
		feed := newsdigest.Feed{Name: spec.Title, URL: "https://feeds.example/" + spec.Format}
		total[spec.Format]++
		if checkFastPath(t, feedtest.Render(spec), feedtest.ContentType(spec.Format), feed) {
			taken[spec.Format]++
		}
	}
	for _, spec := range feedtest.Generated("https://news.example", 40, 50, 0.55, now) {
		check(spec)
	}
	for _, format := range []string{feedtest.RSS, feedtest.Atom, feedtest.JSON, feedtest.RSS1252} {
		for i, title := range hostileTitles {
			spec := feedtest.FeedSpec{Format: format, Title: title, Link: "/site"}
			for j, other := range hostileTitles {
				spec.Items = append(spec.Items, feedtest.ItemSpec{
					GUID:      fmt.Sprintf("g %d/%d %s", i, j, other),
					Title:     title,
					Link:      "story/" + other,
					Summary:   other,
					Content:   title + other,
					Published: now.Add(-time.Duration(j) * time.Hour),
				})
			}
			check(spec)
		}
	}
	t.Logf("fast path took %v of %v generated feeds", taken, total)
	for _, format := range []string{feedtest.RSS, feedtest.Atom, feedtest.JSON, feedtest.RSS1252} {
		if taken[format] != total[format] {
			t.Errorf("fast path took %d of %d %s feeds; want all", taken[format], total[format], format)
		}
	}
}

// FuzzFastParse checks, on any bytes, that the fast path either declines
// or reads what gofeed reads.
func FuzzFastParse(f *testing.F) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, spec := range feedtest.Generated("https://news.example", 4, 2, 0.5, now) {
		f.Add(feedtest.Render(spec))
	}
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	feed := newsdigest.Feed{Name: "fuzz", URL: "https://fuzz.example/feed"}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFastPath(t, body, "", feed)
	})
}

// FuzzDecodeEntities checks decodeEntities, which decodes the common
// references itself, against gofeed's DecodeEntities.
func FuzzDecodeEntities(f *testing.F) {
	for _, s := range hostileTitles {
		f.Add(s)
	}
	f.Add("&#x1F600; &#128512; &#xd800; &#1114112; &#00065; &#X41; &#x; &#9 ; &amp &AMP; &ampx; &#150;")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := decodeEntities(s), gofeedDecodeEntities(s); got != want {
			t.Fatalf("decodeEntities(%q) = %q; gofeed gives %q", s, got, want)
		}
	})
}

// gofeedDecodeEntities is gofeed v1.4.2's shared.DecodeEntities as it is.
func gofeedDecodeEntities(str string) string {
	idx := strings.IndexByte(str, '&')
	if idx == -1 {
		return str
	}
	var buf bytes.Buffer
	data := []byte(str)
	for len(data) > 0 {
		idx := bytes.IndexByte(data, '&')
		if idx == -1 {
			buf.Write(data)
			break
		}
		buf.Write(data[:idx])
		data = data[idx:]
		window := data
		if len(window) > maxEntityLen {
			window = window[:maxEntityLen]
		}
		end := bytes.IndexByte(window, ';')
		if end == -1 && len(window) == len(data) {
			buf.Write(data)
			break
		}
		if end == -1 || bytes.ContainsAny(data[1:end], " \t\r\n") {
			buf.WriteByte('&')
			data = data[1:]
			continue
		}
		span := string(data[:end+1])
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

// fastSeeds are small documents at the edges of what the fast path reads.
var fastSeeds = []string{
	`<rss version="2.0"><channel><title>t</title><link>http://x/</link><item><title>a &amp; b</title><link>/1</link><guid>g</guid><description>&lt;p&gt;x&lt;/p&gt;</description><pubDate>Mon, 02 Jan 2006 15:04:05 -0700</pubDate></item></channel></rss>`,
	`<?xml version="1.0" encoding="utf-8"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><item><title><![CDATA[<b>x</b>]]> &nbsp;y</title></item></channel></rss>`,
	`<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"><channel><atom:link rel="self" href="http://x/feed"/><atom:link href=" http://x/ a"/><dc:title>DC</dc:title><item><dc:title>dt</dc:title><dc:date>2024-01-15T10:00:00</dc:date><content:encoded><![CDATA[<p>c</p>]]></content:encoded><dc:description> d &amp; &nbsp; </dc:description></item></channel></rss>`,
	`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>r</title><link>http://r/</link></channel><item rdf:about="1"><title>i</title><link>http://r/1</link></item></rdf:RDF>`,
	`<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">a &amp;amp; b</title><link href="http://a/"/><link rel="self" href="http://a/feed"/><entry><id> tag:a,2024:1 </id><title type="text">t</title><link rel="alternate" href="1"/><summary type="html">&lt;p&gt;s&lt;/p&gt;</summary><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">c</div></content><updated>2024-01-15T10:00:00Z</updated></entry></feed>`,
	`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:x:1</id><title type="html"><![CDATA[<b>x</b>]]></title><content type="image/png">aGVsbG8=</content><published>2024-01-15T10:00:00+01:00</published></entry></feed>`,
	`<rss><channel><item><title>a</title><title>b</title><link href="h"/><guid isPermaLink="false">x</guid><itunes:summary xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd">s</itunes:summary></item></channel><item><title>root</title></item></rss>`,
	`<RSS><Channel><Item><Title>T</Title><PubDate>Tue, 10 Jun 2003 04:00:00 GMT</PubDate></Item></Channel></RSS>`,
	`<rss><channel><item><title>&#1; &#xD800; &#65534;</title></item></channel></rss>`,
	"<rss><channel><item><title>a\r\nb</title><dc:title xmlns:dc=\"http://purl.org/dc/elements/1.1/\">x&#13;\r\n<![CDATA[\ry]]>&#xD;</dc:title><dc:date xmlns:dc=\"http://purl.org/dc/elements/1.1/\">2024-01-15</dc:date></item></channel></rss>",
	`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://b/a/"><link href="../x"/><entry xml:base="e"><id>1</id><link href=""/><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><a href="y">t</a></div></title><content type="html">&lt;img src="i.png"&gt;</content><summary type="html"><![CDATA[<a href="z">s</a>]]></summary></entry></feed>`,
	`<rss version="2.0"><channel xml:base="http://b/c"><link>/site</link><item xml:base="d/"><link href="h"></link></item><item><link>l</link></item></channel></rss>`,
	`<!DOCTYPE rss [<!ENTITY x "y">]><rss><channel><item><title>&x;</title></item></channel></rss>`,
	`<rss><channel><item><title>t</channel></item></rss>`,
	"<rss><channel><item><title></title></item></channel></rss>",
	"<rss><channel><item><title>￾</title></item></channel></rss>",
	`<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><item><title>t</title></item></channel></rss>`,
	`<?xml version="1.1"?><rss><channel/></rss>`,
	`<rss><channel><item><title>t</title><pubDate>mer, 16 nov 2022 00:38:15 +0100</pubDate></item></channel></rss>`,
	`<rss><channel><item><a:b xmlns:a="u"></c><title>t</title></item><item></d></item></channel></rss>`,
	`<rss x=y><channel/></rss>`,
	`<rss xmlns=""><channel><title>t</title></channel></rss>`,
	// gofeed dates this item by the first <pubDate> (found by
	// TestFastParseRandomDocuments).
	`<rss><channel><item><title>t</title><pubDate>Mon, 02 Jan 2006 15:04:05 -0700</pubDate><pubDate></pubDate></item></channel></rss>`,
	`{"version":"https://jsonfeed.org/version/1.1","title":"j","home_page_url":"/h","items":[{"id":7,"url":"/1","title":"t","summary":"s","content_text":"c","date_published":"2024-01-15T10:00:00Z","date_modified":"x"},{"id":"a\u0041","content_html":"<p>h</p>","ID":1.50,"tags":["x"],"attachments":[{"size_in_bytes":"12"}],"authors":[{"name":"n"}]}]}`,
	`{"version":"1","items":[null]}`,
	`{"version":"1","items":[{"id":{"x":1},"title":5}]}`,
	`{"version":"1","authors":[null],"items":[]}`,
	` {"items":[{"id":"x","date_published":" "}], "expired": "yes"} `,
	`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://b/"><entry><link href="x"/></entry></feed>`,
	`<rss xmlns="http://backend.userland.com/rss2"><channel><item><title>bogus default namespace</title></item></channel></rss>`,
	`<rss><channel><item><a:title xmlns:a="http://purl.org/atom/ns#">x</a:title><atom:summary xmlns:atom="http://www.w3.org/2005/Atom">s</atom:summary><atom:published xmlns:atom="http://www.w3.org/2005/Atom">2024-01-15T10:00:00Z</atom:published></item></channel></rss>`,
}

// BenchmarkParseGenerated parses the feeds of whole-run measurements
// (feedtest.Generated, 50 items, one feed per format) with and without the
// fast path: `benchstat -col /path` compares them.
func BenchmarkParseGenerated(b *testing.B) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, spec := range feedtest.Generated("https://news.example", 4, 50, 0.55, now) {
		body := feedtest.Render(spec)
		ct := feedtest.ContentType(spec.Format)
		feed := newsdigest.Feed{Name: spec.Title, URL: "https://feeds.example/" + spec.Format}
		for _, path := range []string{"gofeed", "fast"} {
			b.Run("format="+spec.Format+"/path="+path, func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					p, err := parseVia(body, ct, feed, time.UTC, path == "fast")
					if err != nil || len(p.items) != 50 {
						b.Fatalf("parse = %d items, %v; want 50", len(p.items), err)
					}
				}
			})
		}
	}
}

// TestFastParseMirrorsGofeedVersion fails when gofeed is upgraded: the fast
// path ports gofeed v1.4.2's rules (fasttext.go, fasthtml.go, fastjson.go,
// the namespace tables of fastfeed.go), which must then be checked against
// the new version, and this test moved on with them.
func TestFastParseMirrorsGofeedVersion(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Skipf("go.mod: %v", err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/mmcdole/gofeed (\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require github.com/mmcdole/gofeed")
	}
	if v := string(m[1]); v != "v1.4.2" {
		t.Fatalf("gofeed is %s; the fast path mirrors v1.4.2: check its ported rules against the new version", v)
	}
}
