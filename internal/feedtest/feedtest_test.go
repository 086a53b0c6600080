package feedtest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

func TestRender(t *testing.T) {
	date := time.Date(2026, 11, 22, 14, 30, 0, 0, time.UTC)
	spec := FeedSpec{Title: "Noticias & más", Link: "https://site.example/", Items: []ItemSpec{
		{GUID: "g1", Title: "México “cártel” € ]]> <b>", Link: "https://site.example/1", Summary: "<p>a &amp; b</p>", Content: "<p>full</p>", Published: date},
		{Title: "日本 bare"},
	}}
	for _, format := range []string{RSS, Atom, JSON, RSS1252, ""} {
		t.Run(format, func(t *testing.T) {
			spec.Format = format
			f, err := gofeed.NewParser().Parse(bytes.NewReader(Render(spec)))
			if err != nil {
				t.Fatalf("gofeed cannot parse Render(%q): %v", format, err)
			}
			if f.Title != spec.Title || f.Link != spec.Link || len(f.Items) != 2 {
				t.Fatalf("Render(%q) = title %q, link %q, %d items; want %q, %q, 2", format, f.Title, f.Link, len(f.Items), spec.Title, spec.Link)
			}
			first, second := f.Items[0], f.Items[1]
			want := spec.Items[0]
			if first.GUID != want.GUID || first.Title != want.Title || first.Link != want.Link || first.Description != want.Summary || first.Content != want.Content {
				t.Errorf("Render(%q) first item = %q %q %q %q %q; want %q %q %q %q %q", format,
					first.GUID, first.Title, first.Link, first.Description, first.Content,
					want.GUID, want.Title, want.Link, want.Summary, want.Content)
			}
			if first.PublishedParsed == nil || !first.PublishedParsed.Equal(date) {
				t.Errorf("Render(%q) first item published = %v; want %v", format, first.PublishedParsed, date)
			}
			if second.GUID != "" || second.Link != "" || second.PublishedParsed != nil || second.UpdatedParsed != nil || second.Title != "日本 bare" {
				t.Errorf("Render(%q) second item = guid %q, link %q, published %v, title %q; want only the title", format,
					second.GUID, second.Link, second.PublishedParsed, second.Title)
			}
		})
	}
}

func TestRenderWindows1252Bytes(t *testing.T) {
	b := Render(FeedSpec{Format: RSS1252, Title: "é", Items: []ItemSpec{{Title: "€ 日"}}})
	if !bytes.HasPrefix(b, []byte(`<?xml version="1.0" encoding="windows-1252"?>`)) {
		t.Errorf("Render(rss-1252) starts %q; want a windows-1252 prolog", b[:50])
	}
	for _, want := range [][]byte{{'>', 0xE9, '<'}, {'>', 0x80, ' '}, []byte("&#26085;")} {
		if !bytes.Contains(b, want) {
			t.Errorf("Render(rss-1252) = %q; want it to contain %q", b, want)
		}
	}
	if bytes.Contains(b, []byte("é")) {
		t.Errorf("Render(rss-1252) contains UTF-8 é; want windows-1252 bytes")
	}
}

func TestRenderUnknownFormatPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "rdf") {
			t.Errorf("Render(rdf) recovered %v; want a panic naming the format", r)
		}
	}()
	Render(FeedSpec{Format: "rdf"})
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read: %v", url, err)
	}
	return resp, body
}

func TestServer(t *testing.T) {
	s := NewServer(t)
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("Server URL = %q; want loopback", s.URL)
	}
	spec := FeedSpec{Format: Atom, Title: "A", Items: []ItemSpec{{GUID: "1", Title: "one"}}}
	s.Set("/feeds/a.xml", spec)
	url := s.FeedURL("/feeds/a.xml")

	resp, body := get(t, url, nil)
	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.StatusCode != 200 || !bytes.Equal(body, Render(spec)) {
		t.Fatalf("GET = %d, %q; want 200 with the rendered feed", resp.StatusCode, body)
	}
	if etag == "" || lastMod == "" || resp.Header.Get("Content-Type") != ContentType(Atom) {
		t.Errorf("GET headers ETag %q, Last-Modified %q, Content-Type %q; want all set", etag, lastMod, resp.Header.Get("Content-Type"))
	}

	conditional := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"matching ETag", map[string]string{"If-None-Match": etag}, 304},
		{"matching Last-Modified", map[string]string{"If-Modified-Since": lastMod}, 304},
		{"other ETag", map[string]string{"If-None-Match": `"nope"`}, 200},
		{"other ETag wins over Last-Modified", map[string]string{"If-None-Match": `"nope"`, "If-Modified-Since": lastMod}, 200},
	}
	for _, c := range conditional {
		if resp, _ := get(t, url, c.header); resp.StatusCode != c.want {
			t.Errorf("GET with %s = %d; want %d", c.name, resp.StatusCode, c.want)
		}
	}
	if got := s.NotModified(); got != 2 {
		t.Errorf("NotModified() = %d; want 2", got)
	}

	s.Set("/feeds/a.xml", spec) // same body: same validators
	if resp, _ := get(t, url, map[string]string{"If-None-Match": etag}); resp.StatusCode != 304 {
		t.Errorf("GET after setting the same feed = %d; want 304", resp.StatusCode)
	}

	spec.Items = append(spec.Items, ItemSpec{GUID: "2", Title: "two"})
	s.Set("/feeds/a.xml", spec)
	resp, _ = get(t, url, map[string]string{"If-None-Match": etag})
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Errorf("GET after change = %d with ETag %q; want 200 with a new ETag", resp.StatusCode, resp.Header.Get("ETag"))
	}
	oldLM, _ := http.ParseTime(lastMod)
	newLM, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
	if !newLM.After(oldLM) {
		t.Errorf("Last-Modified after change = %v; want after %v", newLM, oldLM)
	}
	if resp, _ := get(t, url, map[string]string{"If-Modified-Since": lastMod}); resp.StatusCode != 200 {
		t.Errorf("GET with old Last-Modified after change = %d; want 200", resp.StatusCode)
	}

	s.SetRaw("/raw", "text/plain; charset=iso-8859-1", []byte{'c', 0xE9})
	if resp, body := get(t, s.FeedURL("/raw"), nil); resp.Header.Get("Content-Type") != "text/plain; charset=iso-8859-1" || !bytes.Equal(body, []byte{'c', 0xE9}) {
		t.Errorf("GET raw = %q, %q; want the bytes and type as set", resp.Header.Get("Content-Type"), body)
	}

	s.Handle("/teapot", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	if resp, _ := get(t, s.FeedURL("/teapot"), nil); resp.StatusCode != http.StatusTeapot {
		t.Errorf("GET handled path = %d; want 418", resp.StatusCode)
	}
	s.Delete("/feeds/a.xml")
	if resp, _ := get(t, url, nil); resp.StatusCode != 404 {
		t.Errorf("GET deleted path = %d; want 404", resp.StatusCode)
	}
	if resp, _ := get(t, s.FeedURL("/missing"), nil); resp.StatusCode != 404 {
		t.Errorf("GET unknown path = %d; want 404", resp.StatusCode)
	}
	if got, want := s.Requests(), 12; got != want {
		t.Errorf("Requests() = %d; want %d", got, want)
	}
	if got, want := s.RequestsFor("/feeds/a.xml"), 9; got != want {
		t.Errorf("RequestsFor(/feeds/a.xml) = %d; want %d", got, want)
	}
}
