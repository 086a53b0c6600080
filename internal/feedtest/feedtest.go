// Package feedtest renders RSS, Atom and JSON feeds from plain specs and
// serves them over a loopback HTTP server with ETag and Last-Modified, for the
// tests and benchmarks of other packages; Generated makes the feeds of
// whole-run measurements.
package feedtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// Formats that Render knows.
const (
	RSS     = "rss"      // RSS 2.0, UTF-8
	Atom    = "atom"     // Atom 1.0, UTF-8
	JSON    = "json"     // JSON Feed 1.1
	RSS1252 = "rss-1252" // RSS 2.0 encoded windows-1252, declared in the XML prolog
)

// FeedSpec describes a feed to render.
type FeedSpec struct {
	Format string // RSS, Atom, JSON or RSS1252; "" means RSS
	Title  string
	Link   string // the site's link (RSS channel link, Atom alternate link, JSON home_page_url); may be relative
	Items  []ItemSpec
}

// ItemSpec describes one item. Empty strings and a zero Published leave the
// element out, so tests can exercise feeds without GUIDs, links or dates.
type ItemSpec struct {
	GUID, Title, Link, Summary string
	Content                    string // RSS content:encoded, Atom content, JSON content_html
	Published                  time.Time
}

// Render returns the bytes of spec as a valid feed in spec.Format. Text is
// escaped as the format requires, so any string is safe to put in a spec.
// Render panics on an unknown format, which is a bug in the calling test.
func Render(spec FeedSpec) []byte {
	switch spec.Format {
	case RSS, "":
		return renderXML("UTF-8", rssDoc(spec), false)
	case RSS1252:
		return renderXML("windows-1252", rssDoc(spec), true)
	case Atom:
		return renderXML("UTF-8", atomDoc(spec), false)
	case JSON:
		return renderJSON(spec)
	}
	panic(fmt.Sprintf("feedtest: unknown feed format %q", spec.Format))
}

// ContentType is the Content-Type that Server sends for a format. The
// windows-1252 format has no charset, so the XML prolog decides.
func ContentType(format string) string {
	switch format {
	case Atom:
		return "application/atom+xml; charset=utf-8"
	case JSON:
		return "application/feed+json"
	case RSS1252:
		return "application/rss+xml"
	}
	return "application/rss+xml; charset=utf-8"
}

func renderXML(encoding string, doc any, win1252 bool) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "<?xml version=\"1.0\" encoding=\"%s\"?>\n", encoding)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		panic(fmt.Sprintf("feedtest: render: %v", err)) // the structs below always encode
	}
	buf.WriteByte('\n')
	if !win1252 {
		return buf.Bytes()
	}
	// The document is escaped XML, so a character windows-1252 cannot hold
	// can be written as a character reference wherever it occurs.
	var out bytes.Buffer
	for _, r := range buf.String() {
		if b, ok := charmap.Windows1252.EncodeRune(r); ok {
			out.WriteByte(b)
		} else {
			fmt.Fprintf(&out, "&#%d;", r)
		}
	}
	return out.Bytes()
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssItem struct {
	Title       string   `xml:"title,omitempty"`
	Link        string   `xml:"link,omitempty"`
	GUID        *rssGUID `xml:"guid,omitempty"`
	Description string   `xml:"description,omitempty"`
	Content     string   `xml:"content:encoded,omitempty"`
	PubDate     string   `xml:"pubDate,omitempty"`
}

type rssChannel struct {
	Title       string    `xml:"title"`
	Link        string    `xml:"link,omitempty"`
	Description string    `xml:"description"`
	Items       []rssItem `xml:"item"`
}

type rssFeed struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	ContentNS string     `xml:"xmlns:content,attr"`
	Channel   rssChannel `xml:"channel"`
}

func rssDoc(spec FeedSpec) rssFeed {
	f := rssFeed{
		Version:   "2.0",
		ContentNS: "http://purl.org/rss/1.0/modules/content/",
		Channel:   rssChannel{Title: spec.Title, Link: spec.Link, Description: spec.Title},
	}
	for _, it := range spec.Items {
		ri := rssItem{Title: it.Title, Link: it.Link, Description: it.Summary, Content: it.Content}
		if it.GUID != "" {
			ri.GUID = &rssGUID{IsPermaLink: "false", Value: it.GUID}
		}
		if !it.Published.IsZero() {
			ri.PubDate = it.Published.Format(time.RFC1123Z)
		}
		f.Channel.Items = append(f.Channel.Items, ri)
	}
	return f
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type atomEntry struct {
	Title     string    `xml:"title"`
	ID        string    `xml:"id,omitempty"`
	Link      *atomLink `xml:"link,omitempty"`
	Summary   *atomText `xml:"summary,omitempty"`
	Content   *atomText `xml:"content,omitempty"`
	Published string    `xml:"published,omitempty"`
	Updated   string    `xml:"updated,omitempty"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated,omitempty"`
	Link    *atomLink   `xml:"link,omitempty"`
	Entries []atomEntry `xml:"entry"`
}

func atomDoc(spec FeedSpec) atomFeed {
	f := atomFeed{Title: spec.Title, ID: "urn:feedtest:" + spec.Title}
	if spec.Link != "" {
		f.Link = &atomLink{Rel: "alternate", Href: spec.Link}
	}
	var latest time.Time
	for _, it := range spec.Items {
		e := atomEntry{Title: it.Title, ID: it.GUID}
		if it.Link != "" {
			e.Link = &atomLink{Rel: "alternate", Href: it.Link}
		}
		if it.Summary != "" {
			e.Summary = &atomText{Type: "html", Value: it.Summary}
		}
		if it.Content != "" {
			e.Content = &atomText{Type: "html", Value: it.Content}
		}
		if !it.Published.IsZero() {
			e.Published = it.Published.Format(time.RFC3339)
			e.Updated = e.Published
			if it.Published.After(latest) {
				latest = it.Published
			}
		}
		f.Entries = append(f.Entries, e)
	}
	if !latest.IsZero() {
		f.Updated = latest.Format(time.RFC3339)
	}
	return f
}

type jsonItem struct {
	ID            string `json:"id,omitempty"`
	URL           string `json:"url,omitempty"`
	Title         string `json:"title,omitempty"`
	Summary       string `json:"summary,omitempty"`
	ContentHTML   string `json:"content_html,omitempty"`
	DatePublished string `json:"date_published,omitempty"`
}

type jsonFeed struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url,omitempty"`
	Items       []jsonItem `json:"items"`
}

func renderJSON(spec FeedSpec) []byte {
	f := jsonFeed{Version: "https://jsonfeed.org/version/1.1", Title: spec.Title, HomePageURL: spec.Link, Items: []jsonItem{}}
	for _, it := range spec.Items {
		ji := jsonItem{ID: it.GUID, URL: it.Link, Title: it.Title, Summary: it.Summary, ContentHTML: it.Content}
		if !it.Published.IsZero() {
			ji.DatePublished = it.Published.Format(time.RFC3339)
		}
		f.Items = append(f.Items, ji)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("feedtest: render: %v", err)) // strings and slices always encode
	}
	return append(b, '\n')
}

// Server serves feeds at paths over HTTP on 127.0.0.1. Each feed has a strong
// ETag (a hash of its body) and a Last-Modified that moves forward whenever
// its body changes; conditional requests that match get 304 Not Modified.
// Paths with no feed answer 404. It counts requests and 304s, and feeds can
// be changed while the server runs. It is safe for concurrent use.
type Server struct {
	URL string // base URL, such as http://127.0.0.1:41234

	srv *httptest.Server

	mu          sync.Mutex
	feeds       map[string]*feed
	handlers    map[string]http.Handler
	requests    int
	notModified int
	perPath     map[string]int
}

type feed struct {
	contentType string
	body        []byte
	etag        string
	modTime     time.Time
}

// NewServer starts a Server on 127.0.0.1; t.Cleanup closes it.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{feeds: map[string]*feed{}, handlers: map[string]http.Handler{}, perPath: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// FeedURL is the absolute URL of path on this server.
func (s *Server) FeedURL(path string) string { return s.URL + path }

// Set serves spec, rendered, at path (such as "/feeds/17.xml").
func (s *Server) Set(path string, spec FeedSpec) {
	s.SetRaw(path, ContentType(spec.Format), Render(spec))
}

// SetRaw serves body with contentType at path. Setting the same body again
// keeps its ETag and Last-Modified; a different body gets new ones.
func (s *Server) SetRaw(path, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.handlers, path)
	old := s.feeds[path]
	if old != nil && old.etag == etag && old.contentType == contentType {
		return
	}
	mod := time.Now().UTC().Truncate(time.Second)
	if old != nil && !mod.After(old.modTime) {
		mod = old.modTime.Add(time.Second) // Last-Modified has one-second resolution
	}
	s.feeds[path] = &feed{contentType: contentType, body: bytes.Clone(body), etag: etag, modTime: mod}
}

// Handle serves path with h instead of a feed, for slow, failing or
// otherwise unusual responses. Requests to it are counted like the others.
func (s *Server) Handle(path string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.feeds, path)
	s.handlers[path] = h
}

// Delete stops serving path; it answers 404 from then on.
func (s *Server) Delete(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.feeds, path)
	delete(s.handlers, path)
}

// Requests is the number of requests served so far, to any path.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// RequestsFor is the number of requests served so far for path.
func (s *Server) RequestsFor(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perPath[path]
}

// NotModified is the number of 304 responses sent so far.
func (s *Server) NotModified() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notModified
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.perPath[r.URL.Path]++
	f, h := s.feeds[r.URL.Path], s.handlers[r.URL.Path]
	s.mu.Unlock()
	if h != nil {
		h.ServeHTTP(w, r)
		return
	}
	if f == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("ETag", f.etag)
	rec := &statusRecorder{ResponseWriter: w}
	http.ServeContent(rec, r, "", f.modTime, bytes.NewReader(f.body))
	if rec.status == http.StatusNotModified {
		s.mu.Lock()
		s.notModified++
		s.mu.Unlock()
	}
}

// statusRecorder remembers the status written through it.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
