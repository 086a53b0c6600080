package watcher

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/feedtest"
)

var testFeed = newsdigest.Feed{Name: "Test News", URL: "https://news.example/feeds/main.xml"}

var (
	date1 = time.Date(2026, 11, 22, 14, 30, 0, 0, time.UTC)
	date2 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
)

func TestParseFormats(t *testing.T) {
	items := []feedtest.ItemSpec{
		{GUID: "urn:item:1", Title: "Cártel de Sinaloa: “México” responde €", Link: "https://news.example/a/1?utm_source=x", Summary: "<p>Summary &amp; more</p>", Content: "<p>Full text</p>", Published: date1},
		{GUID: "urn:item:2", Title: "Troops & <tariffs>", Link: "https://news.example/a/2", Summary: "Second", Published: date2},
		{Title: "No GUID, no link, no date"},
	}
	for _, format := range []string{feedtest.RSS, feedtest.Atom, feedtest.JSON, feedtest.RSS1252} {
		t.Run(format, func(t *testing.T) {
			body := feedtest.Render(feedtest.FeedSpec{Format: format, Title: "Test", Link: "https://news.example/", Items: items})
			got, err := Parse(body, feedtest.ContentType(format), testFeed)
			if err != nil {
				t.Fatalf("Parse(%s) error: %v", format, err)
			}
			if len(got) != len(items) {
				t.Fatalf("Parse(%s) = %d items; want %d", format, len(got), len(items))
			}
			for i, want := range items {
				g := got[i]
				checks := []struct{ field, got, want string }{
					{"GUID", g.GUID, want.GUID},
					{"Title", g.Title, want.Title},
					{"Link", g.Link, want.Link},
					{"Summary", g.Summary, want.Summary},
					{"Content", g.Content, want.Content},
					{"Source", g.Source, testFeed.Name},
					{"FeedName", g.FeedName, testFeed.Name},
					{"FeedURL", g.FeedURL, testFeed.URL},
				}
				for _, c := range checks {
					if c.got != c.want {
						t.Errorf("item %d %s = %q; want %q", i, c.field, c.got, c.want)
					}
				}
				if !g.Published.Equal(want.Published) {
					t.Errorf("item %d Published = %v; want %v", i, g.Published, want.Published)
				}
				if wantID := newsdigest.ItemID(testFeed.URL, g); g.ID != wantID || g.ID == "" {
					t.Errorf("item %d ID = %q; want %q", i, g.ID, wantID)
				}
			}
		})
	}
}

func TestParseOlderFormats(t *testing.T) {
	tests := []struct {
		name, body string
		wantGUID   string
		wantTitle  string
		wantLink   string
		wantDate   time.Time
	}{
		{
			name: "RSS 0.91",
			body: `<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title><link>https://old.example/</link>
<item><title>Ninety-one</title><link>https://old.example/91</link><description>d</description></item></channel></rss>`,
			wantTitle: "Ninety-one", wantLink: "https://old.example/91",
		},
		{
			name: "RSS 1.0 RDF",
			body: `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/</link></channel>
<item rdf:about="https://rdf.example/1"><title>One point oh</title><link>https://rdf.example/1</link><dc:date>2026-11-22T14:30:00Z</dc:date></item></rdf:RDF>`,
			wantTitle: "One point oh", wantLink: "https://rdf.example/1", wantDate: date1,
		},
		{
			name: "Atom 0.3",
			body: `<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Atom03</title>
<entry><title>Zero three</title><id>tag:a03,2026:1</id><link rel="alternate" type="text/html" href="https://a03.example/1"/><issued>2026-11-22T14:30:00Z</issued><modified>2026-11-22T14:30:00Z</modified></entry></feed>`,
			wantGUID: "tag:a03,2026:1", wantTitle: "Zero three", wantLink: "https://a03.example/1", wantDate: date1,
		},
		{
			name: "Atom updated only",
			body: `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><title>Updated</title><id>u1</id><updated>2026-11-23T08:00:00Z</updated></entry></feed>`,
			wantGUID: "u1", wantTitle: "Updated", wantDate: date2,
		},
		{
			name:     "JSON Feed 1.0",
			body:     `{"version":"https://jsonfeed.org/version/1","title":"J","items":[{"id":"j1","url":"https://j.example/1","title":"Jay","content_text":"t","date_published":"2026-11-22T08:30:00-06:00"}]}`,
			wantGUID: "j1", wantTitle: "Jay", wantLink: "https://j.example/1", wantDate: date1,
		},
		{
			name:     "JSON Feed 1 over http, trailing slash",
			body:     `{"version":" http://jsonfeed.org/version/1/ ","items":[{"id":"j1","url":"https://j.example/1","title":"Jay","date_published":"2026-11-22T08:30:00-06:00"}]}`,
			wantGUID: "j1", wantTitle: "Jay", wantLink: "https://j.example/1", wantDate: date1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse([]byte(tt.body), "", testFeed)
			if err != nil {
				t.Fatalf("Parse error: %v", err)
			}
			if len(items) != 1 {
				t.Fatalf("Parse = %d items; want 1", len(items))
			}
			it := items[0]
			if it.GUID != tt.wantGUID || it.Title != tt.wantTitle || it.Link != tt.wantLink || !it.Published.Equal(tt.wantDate) {
				t.Errorf("Parse = {GUID %q, Title %q, Link %q, Published %v}; want {%q, %q, %q, %v}",
					it.GUID, it.Title, it.Link, it.Published, tt.wantGUID, tt.wantTitle, tt.wantLink, tt.wantDate)
			}
		})
	}
}

func encode1252(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode windows-1252 %q: %v", s, err)
	}
	return b
}

func encodeLatin1(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode ISO-8859-1 %q: %v", s, err)
	}
	return b
}

func TestParseEncodings(t *testing.T) {
	const rss = `<rss version="2.0"><channel><title>E</title><item><guid>e1</guid><title>%s</title><description>%s</description></item></channel></rss>`
	const title1252 = "México: “cártel” cuesta 5 €"
	const titleLatin1 = "Señal de México: cárteles"
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string
	}{
		{
			name: "windows-1252 in prolog",
			body: encode1252(t, `<?xml version="1.0" encoding="windows-1252"?>`+fmt.Sprintf(rss, title1252, title1252)),
			want: title1252,
		},
		{
			name:        "windows-1252 in prolog wins over header",
			body:        encode1252(t, `<?xml version="1.0" encoding="windows-1252"?>`+fmt.Sprintf(rss, title1252, title1252)),
			contentType: "application/rss+xml; charset=utf-8",
			want:        title1252,
		},
		{
			name:        "ISO-8859-1 in header, prolog without encoding",
			body:        encodeLatin1(t, `<?xml version="1.0"?>`+fmt.Sprintf(rss, titleLatin1, titleLatin1)),
			contentType: "application/rss+xml; charset=ISO-8859-1",
			want:        titleLatin1,
		},
		{
			name:        "ISO-8859-1 in header, no prolog",
			body:        encodeLatin1(t, fmt.Sprintf(rss, titleLatin1, titleLatin1)),
			contentType: `text/xml; charset="iso-8859-1"`,
			want:        titleLatin1,
		},
		{
			name:        "UTF-8 prolog is not decoded again by a wrong header",
			body:        []byte(`<?xml version="1.0" encoding="UTF-8"?>` + fmt.Sprintf(rss, title1252, title1252)),
			contentType: "application/xml; charset=iso-8859-1",
			want:        title1252,
		},
		{
			name:        "UTF-8 with BOM",
			body:        append([]byte("\xEF\xBB\xBF"), fmt.Sprintf(rss, title1252, title1252)...),
			contentType: "application/rss+xml",
			want:        title1252,
		},
		{
			name:        "unknown charset label read as UTF-8",
			body:        []byte(fmt.Sprintf(rss, title1252, title1252)),
			contentType: "application/rss+xml; charset=x-no-such-charset",
			want:        title1252,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse(tt.body, tt.contentType, testFeed)
			if err != nil {
				t.Fatalf("Parse error: %v", err)
			}
			if len(items) != 1 {
				t.Fatalf("Parse = %d items; want 1", len(items))
			}
			if items[0].Title != tt.want || items[0].Summary != tt.want {
				t.Errorf("Parse title, summary = %q, %q; want %q", items[0].Title, items[0].Summary, tt.want)
			}
		})
	}
}

func TestParseNotAFeed(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		wantErr                 string
		wantIs                  error
	}{
		{name: "empty", body: "", wantErr: "not a feed: empty body", wantIs: ErrNotFeed},
		{name: "whitespace", body: " \r\n\t ", wantErr: "not a feed: empty body", wantIs: ErrNotFeed},
		{name: "BOM only", body: "\xEF\xBB\xBF\n", wantErr: "not a feed: empty body", wantIs: ErrNotFeed},
		{
			name:    "HTML page",
			body:    "<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>\n  Home  |\n News </title></head><body><p>hi</body></html>",
			wantErr: "not a feed: HTML page 'Home | News'", wantIs: ErrNotFeed,
		},
		{
			name: "HTML page in windows-1252", contentType: "text/html; charset=windows-1252",
			body:    "<html><head><title>Portada \xe9xito</title></head></html>",
			wantErr: "not a feed: HTML page 'Portada éxito'", wantIs: ErrNotFeed,
		},
		{name: "HTML without title", body: "<html><body>nothing</body></html>", wantErr: "not a feed: HTML page", wantIs: ErrNotFeed},
		{name: "plain text", body: "Service temporarily unavailable", wantErr: "not a feed: no RSS, Atom or JSON Feed found", wantIs: ErrNotFeed},
		{name: "other XML", body: `<?xml version="1.0"?><sitemap><url/></sitemap>`, wantErr: "not a feed: no RSS, Atom or JSON Feed found", wantIs: ErrNotFeed},
		{name: "broken JSON", body: `{"version": "https://jsonfeed.org/version/1.1", "items": [`, wantIs: ErrParse},
		{name: "JSON items of wrong type", body: `{"version": "1", "items": "nope"}`, wantIs: ErrParse},
		// Any JSON object used to pass for a healthy, empty feed: an API
		// error or maintenance answer must fail the feed with its reason.
		{name: "JSON API error", body: `{"error": "rate limited", "status": 429}`,
			wantErr: `not a feed: JSON without a JSON Feed "version" (an API error or maintenance answer?)`, wantIs: ErrNotFeed},
		{name: "JSON maintenance with items", body: `{"status": "maintenance", "items": []}`, wantErr: `not a feed: JSON without a JSON Feed "version" (an API error or maintenance answer?)`, wantIs: ErrNotFeed},
		{name: "empty JSON object", body: `{}`, wantIs: ErrNotFeed},
		{name: "JSON other version", body: `{"version": "2.0", "items": [{"id": "1", "title": "x"}]}`,
			wantErr: `not a feed: JSON "version" "2.0" is not JSON Feed 1.x (https://jsonfeed.org/version/1.1)`, wantIs: ErrNotFeed},
		{name: "JSON other site", body: `{"version": "https://example.org/version/1", "items": []}`, wantIs: ErrNotFeed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse([]byte(tt.body), tt.contentType, testFeed)
			if err == nil {
				t.Fatalf("Parse(%q) = %d items, nil error; want error", tt.body, len(items))
			}
			if tt.wantErr != "" && err.Error() != tt.wantErr {
				t.Errorf("Parse(%q) error = %q; want %q", tt.body, err, tt.wantErr)
			}
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("Parse(%q) error = %v; want errors.Is %v", tt.body, err, tt.wantIs)
			}
			if items != nil {
				t.Errorf("Parse(%q) items = %v; want nil", tt.body, items)
			}
		})
	}
}

func TestParseRelativeLinks(t *testing.T) {
	tests := []struct {
		name, feedURL, feedLink, itemLink, want string
	}{
		{"absolute item link unchanged", "https://a.example/feed.xml", "https://site.example/", "https://b.example/x", "https://b.example/x"},
		{"against feed link", "https://a.example/feeds/feed.xml", "https://site.example/news/", "story/1", "https://site.example/news/story/1"},
		{"root-relative against feed link", "https://a.example/feeds/feed.xml", "https://site.example/news/", "/story/1", "https://site.example/story/1"},
		{"against relative feed link", "https://a.example/feeds/feed.xml", "/blog/", "post", "https://a.example/blog/post"},
		{"against feed URL without feed link", "https://a.example/feeds/feed.xml", "", "story/2", "https://a.example/feeds/story/2"},
		{"scheme-relative", "https://a.example/feed.xml", "", "//cdn.example/s", "https://cdn.example/s"},
		{"whitespace trimmed", "https://a.example/feed.xml", "", "  /s/3\n", "https://a.example/s/3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, format := range []string{feedtest.RSS, feedtest.Atom, feedtest.JSON} {
				body := feedtest.Render(feedtest.FeedSpec{Format: format, Title: "L", Link: tt.feedLink,
					Items: []feedtest.ItemSpec{{GUID: "l1", Title: "t", Link: tt.itemLink}}})
				items, err := Parse(body, "", newsdigest.Feed{Name: "L", URL: tt.feedURL})
				if err != nil || len(items) != 1 {
					t.Fatalf("%s: Parse = %d items, %v; want 1 item", format, len(items), err)
				}
				if items[0].Link != tt.want {
					t.Errorf("%s: Link(%q against %q, %q) = %q; want %q", format, tt.itemLink, tt.feedURL, tt.feedLink, items[0].Link, tt.want)
				}
			}
		})
	}
}

func TestParseIdentityFallbacks(t *testing.T) {
	body := feedtest.Render(feedtest.FeedSpec{Title: "I", Items: []feedtest.ItemSpec{
		{GUID: "g", Title: "same", Link: "https://x.example/1"},
		{Title: "same", Link: "https://x.example/1?utm_source=rss#top"},
		{Title: "same", Link: "https://X.example/1"},
		{Title: "same", Published: date1},
		{Title: "same", Published: date2},
	}})
	items, err := Parse(body, "", testFeed)
	if err != nil || len(items) != 5 {
		t.Fatalf("Parse = %d items, %v; want 5", len(items), err)
	}
	if items[1].ID != items[2].ID {
		t.Errorf("ID of links differing only in tracking and case = %q, %q; want equal", items[1].ID, items[2].ID)
	}
	if items[0].ID == items[1].ID || items[3].ID == items[4].ID || items[1].ID == items[3].ID {
		t.Errorf("IDs = %q, %q, %q, %q; want GUID, link and dated-title IDs to differ", items[0].ID, items[1].ID, items[3].ID, items[4].ID)
	}
}

func FuzzParse(f *testing.F) {
	spec := feedtest.FeedSpec{Title: "Fuzz", Link: "/site", Items: []feedtest.ItemSpec{
		{GUID: "1", Title: "México “cártel” €", Link: "a/b", Summary: "<b>s</b>", Content: "c", Published: date1},
		{Title: "untitled"},
	}}
	for _, format := range []string{feedtest.RSS, feedtest.Atom, feedtest.JSON, feedtest.RSS1252} {
		spec.Format = format
		f.Add(feedtest.Render(spec), feedtest.ContentType(format))
	}
	f.Add([]byte("<html><title>x</title></html>"), "text/html")
	f.Add([]byte(`<?xml version="1.0" encoding="utf-16"?><rss><channel><item><title>x</title></item></channel></rss>`), "")
	f.Add([]byte("<rss><channel><item><title>caf\xe9</title><link>%zz</link></item></channel></rss>"), "text/xml; charset=latin1")
	f.Add([]byte(`{"items":[{"id":"\ud800","title":"\xff"}]}`), "application/json")
	f.Add([]byte("<feed><entry><title>t</title><link href=\"::\"/></entry></feed>"), "")
	f.Add([]byte(""), "")
	// Real-world breakage: the repair and decoding paths.
	f.Add([]byte("\xff\xfe<\x00r\x00s\x00s\x00>\x00"), "")
	f.Add([]byte("\x00<\x00f\x00e\x00e\x00d\x00>"), "")
	f.Add([]byte(`<rss version="2.0"><channel><item><title>Se&ntilde;al & m&aacute;s&#x1A;</title></item><item><title>cut`), "")
	f.Add([]byte(`<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><item><title>M\xc3\xa9xico \x92</title><pubDate>lun, 15 ene 2024 10:00:00</pubDate></item></channel></rss`), "text/xml; charset='koi8-r'")
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://b/"><entry><title><![CDATA[x`), "")
	f.Add([]byte(`<rss><channel><item><a:b xmlns:a="u"></c><title>t</title></item><item></d></item></channel></rss>`), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		items, err := ParseIn(body, contentType, testFeed, time.FixedZone("CST", -6*3600))
		if err != nil {
			if items != nil {
				t.Fatalf("Parse returned items and error %v", err)
			}
			if !utf8.ValidString(err.Error()) {
				t.Fatalf("Parse error %q is not valid UTF-8", err)
			}
			return
		}
		for i, it := range items {
			for _, s := range []string{it.ID, it.GUID, it.Link, it.Title, it.Summary, it.Content, it.Source, it.FeedName, it.FeedURL} {
				if !utf8.ValidString(s) {
					t.Fatalf("item %d has invalid UTF-8 %q", i, s)
				}
			}
			if it.ID == "" {
				t.Fatalf("item %d has no ID", i)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	spec := feedtest.FeedSpec{Title: "Bench", Link: "https://bench.example/"}
	for i := range 50 {
		spec.Items = append(spec.Items, feedtest.ItemSpec{
			GUID:      fmt.Sprintf("https://bench.example/news/%d", i),
			Title:     fmt.Sprintf("Story %d: México and the USMCA review, cártel violence", i),
			Link:      fmt.Sprintf("/news/%d?utm_source=rss", i),
			Summary:   strings.Repeat("<p>Officials met in Mexico City to discuss trade &amp; security.</p>", 4),
			Content:   strings.Repeat("<p>Long article body with several paragraphs of text.</p>", 20),
			Published: date1.Add(time.Duration(i) * time.Minute),
		})
	}
	body := feedtest.Render(spec)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		items, err := Parse(body, "application/rss+xml", testFeed)
		if err != nil || len(items) != 50 {
			b.Fatalf("Parse = %d items, %v; want 50", len(items), err)
		}
	}
}
