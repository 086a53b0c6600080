package watcher

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/feedtest"
)

func feedAt(url string) newsdigest.Feed { return newsdigest.Feed{Name: "F " + url, URL: url} }

func sampleSpec(title string, n int) feedtest.FeedSpec {
	spec := feedtest.FeedSpec{Title: title, Link: "https://site.example/"}
	for i := range n {
		spec.Items = append(spec.Items, feedtest.ItemSpec{
			GUID: fmt.Sprintf("%s-%d", title, i), Title: fmt.Sprintf("%s item %d", title, i),
			Link: fmt.Sprintf("/%s/%d", title, i), Published: date1.Add(time.Duration(i) * time.Hour),
		})
	}
	return spec
}

func TestFetchConditionalGet(t *testing.T) {
	srv := feedtest.NewServer(t)
	srv.Set("/feeds/1.xml", sampleSpec("one", 3))
	f := New(Options{AllowPrivate: true})
	ctx := context.Background()
	req := Request{Feed: feedAt(srv.FeedURL("/feeds/1.xml"))}

	first := f.Fetch(ctx, req)
	if first.Err != nil || first.Status != http.StatusOK || len(first.Items) != 3 || first.NotModified {
		t.Fatalf("first Fetch = status %d, %d items, not modified %v, err %v; want 200 with 3 items", first.Status, len(first.Items), first.NotModified, first.Err)
	}
	if first.Validators.ETag == "" || first.Validators.LastModified == "" {
		t.Fatalf("first Fetch validators = %+v; want ETag and Last-Modified", first.Validators)
	}
	if first.Bytes <= 0 || first.Duration <= 0 {
		t.Errorf("first Fetch Bytes, Duration = %d, %v; want > 0", first.Bytes, first.Duration)
	}

	req.Validators = first.Validators
	second := f.Fetch(ctx, req)
	if second.Err != nil || !second.NotModified || second.Status != http.StatusNotModified || second.Items != nil {
		t.Fatalf("second Fetch = status %d, not modified %v, items %v, err %v; want 304", second.Status, second.NotModified, second.Items, second.Err)
	}
	if second.Validators != first.Validators {
		t.Errorf("second Fetch validators = %+v; want %+v", second.Validators, first.Validators)
	}
	if got := srv.NotModified(); got != 1 {
		t.Errorf("server NotModified() = %d; want 1", got)
	}

	// Only If-Modified-Since: still 304.
	onlyLM := f.Fetch(ctx, Request{Feed: req.Feed, Validators: Validators{LastModified: first.Validators.LastModified}})
	if !onlyLM.NotModified {
		t.Errorf("Fetch with Last-Modified only: status %d; want 304", onlyLM.Status)
	}

	srv.Set("/feeds/1.xml", sampleSpec("one", 4))
	third := f.Fetch(ctx, req)
	if third.Err != nil || third.NotModified || len(third.Items) != 4 {
		t.Fatalf("Fetch after change = status %d, %d items, err %v; want 200 with 4 items", third.Status, len(third.Items), third.Err)
	}
	if third.Validators.ETag == first.Validators.ETag {
		t.Errorf("ETag after change = %q; want a new one", third.Validators.ETag)
	}
	if got := srv.Requests(); got != 4 {
		t.Errorf("server Requests() = %d; want 4", got)
	}
}

func TestFetchValidatorsExact(t *testing.T) {
	const etag, lastMod = `W/"Odd Tag ñ"`, "Sun, 22 Nov 2026 14:30:00 GMT"
	body := feedtest.Render(sampleSpec("v", 1))
	var mu sync.Mutex
	var gotINM, gotIMS []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotINM = append(gotINM, r.Header.Get("If-None-Match"))
		gotIMS = append(gotIMS, r.Header.Get("If-Modified-Since"))
		mu.Unlock()
		if r.Header.Get("If-None-Match") == etag {
			if r.URL.Query().Has("newtag") {
				w.Header().Set("ETag", `"fresh"`)
			}
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Write(body)
	})
	ts := httptest.NewServer(h)
	defer ts.Close()
	f := New(Options{AllowPrivate: true})
	ctx := context.Background()

	first := f.Fetch(ctx, Request{Feed: feedAt(ts.URL)})
	want := Validators{ETag: etag, LastModified: lastMod}
	if first.Err != nil || first.Validators != want {
		t.Fatalf("Fetch validators = %+v, err %v; want %+v", first.Validators, first.Err, want)
	}
	second := f.Fetch(ctx, Request{Feed: feedAt(ts.URL), Validators: first.Validators})
	if !second.NotModified || second.Validators != want {
		t.Errorf("Fetch 304 = not modified %v, validators %+v; want true, %+v", second.NotModified, second.Validators, want)
	}
	third := f.Fetch(ctx, Request{Feed: feedAt(ts.URL + "/?newtag"), Validators: first.Validators})
	if want := (Validators{ETag: `"fresh"`, LastModified: lastMod}); !third.NotModified || third.Validators != want {
		t.Errorf("Fetch 304 with new ETag = validators %+v; want %+v", third.Validators, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if gotINM[0] != "" || gotIMS[0] != "" {
		t.Errorf("first request sent If-None-Match %q, If-Modified-Since %q; want none", gotINM[0], gotIMS[0])
	}
	if gotINM[1] != etag || gotIMS[1] != lastMod {
		t.Errorf("second request sent If-None-Match %q, If-Modified-Since %q; want %q, %q", gotINM[1], gotIMS[1], etag, lastMod)
	}
}

func TestFetchErrorKeepsSentValidators(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"broken"`)
		w.Write([]byte("<rss><channel><item><title>unterminated"))
	}))
	defer ts.Close()
	sent := Validators{ETag: `"old"`, LastModified: "Sat, 21 Nov 2026 00:00:00 GMT"}
	res := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL), Validators: sent})
	if res.Err == nil {
		t.Fatalf("Fetch of truncated XML = %d items, nil error; want error", len(res.Items))
	}
	if res.Validators != sent || res.Items != nil {
		t.Errorf("Fetch error result validators %+v, items %v; want %+v, nil", res.Validators, res.Items, sent)
	}
}

func TestFetchHeaders(t *testing.T) {
	tests := []struct {
		name, userAgent, wantUA string
	}{
		{"configured", "newsdigest-test/9 (+https://example.org)", "newsdigest-test/9 (+https://example.org)"},
		{"default", "", "newsdigest/" + newsdigest.Version},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got http.Header
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Clone()
				w.Write(feedtest.Render(sampleSpec("h", 1)))
			}))
			defer ts.Close()
			res := New(Options{AllowPrivate: true, UserAgent: tt.userAgent}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL)})
			if res.Err != nil {
				t.Fatalf("Fetch error: %v", res.Err)
			}
			if ua := got.Get("User-Agent"); ua != tt.wantUA {
				t.Errorf("User-Agent = %q; want %q", ua, tt.wantUA)
			}
			if a := got.Get("Accept"); a != acceptHeader {
				t.Errorf("Accept = %q; want %q", a, acceptHeader)
			}
			if ae := got.Get("Accept-Encoding"); ae != "gzip" {
				t.Errorf("Accept-Encoding = %q; want gzip", ae)
			}
		})
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFetchGzip(t *testing.T) {
	plain := feedtest.Render(sampleSpec("gz", 20))
	compressed := gzipBytes(t, plain)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("Accept-Encoding = %q; want gzip", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(compressed)
	}))
	defer ts.Close()
	res := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL)})
	if res.Err != nil || len(res.Items) != 20 {
		t.Fatalf("Fetch gzip = %d items, %v; want 20 items", len(res.Items), res.Err)
	}
	if res.Bytes != int64(len(plain)) {
		t.Errorf("Fetch gzip Bytes = %d; want decompressed size %d (compressed %d)", res.Bytes, len(plain), len(compressed))
	}
}

func TestFetchCorruptGzip(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write([]byte("this is not gzip"))
	}))
	defer ts.Close()
	res := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL)})
	if res.Err == nil || !strings.HasPrefix(res.Err.Error(), "gzip: ") {
		t.Errorf("Fetch corrupt gzip error = %v; want gzip: …", res.Err)
	}
}

func TestFetchTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"slow headers", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}},
		{"trickling body", trickle(`<rss version="2.0"><channel><title>slow</title>`, 20*time.Millisecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(tt.handler)
			defer ts.Close()
			start := time.Now()
			res := New(Options{AllowPrivate: true, Timeout: timeout}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL)})
			elapsed := time.Since(start)
			if res.Err == nil || res.Err.Error() != "timed out after 300ms" {
				t.Fatalf("Fetch error = %v; want timed out after 300ms", res.Err)
			}
			if !errors.Is(res.Err, ErrTimeout) {
				t.Errorf("Fetch error %v is not ErrTimeout", res.Err)
			}
			if elapsed < timeout || elapsed > timeout+2*time.Second {
				t.Errorf("Fetch took %v; want about %v", elapsed, timeout)
			}
		})
	}
}

func TestFetchBodyCap(t *testing.T) {
	valid := feedtest.Render(sampleSpec("cap", 2))
	tests := []struct {
		name     string
		maxBytes int64
		body     []byte
		wantErr  string
	}{
		{"under the cap", int64(len(valid)) + 1, valid, ""},
		{"exactly the cap", int64(len(valid)), valid, ""},
		{"one byte over", int64(len(valid)) - 1, valid, "body over " + humanSize(int64(len(valid))-1)},
		{"1 KB cap", 1024, bytes.Repeat([]byte("x"), 5000), "body over 1 KB"},
		{"default 10 MB cap", 0, bytes.Repeat([]byte(" "), 10<<20+10), "body over 10 MB"},
	}
	for _, tt := range tests {
		// Announced: the body's Content-Length is sent, so it is read into
		// a buffer of that size; else the body is chunked (or sized by the
		// server when it is small) and read by growing a buffer.
		for _, announced := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/announced=%v", tt.name, announced), func(t *testing.T) {
				ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if announced {
						w.Header().Set("Content-Length", strconv.Itoa(len(tt.body)))
					} else {
						w.(http.Flusher).Flush() // no Content-Length: chunked
					}
					w.Write(tt.body)
				}))
				defer ts.Close()
				f := New(Options{AllowPrivate: true, MaxBytes: tt.maxBytes})
				res := f.Fetch(context.Background(), Request{Feed: feedAt(ts.URL)})
				if tt.wantErr == "" {
					if res.Err != nil || res.Bytes != int64(len(tt.body)) {
						t.Errorf("Fetch = %d bytes, %v; want %d bytes, no error", res.Bytes, res.Err, len(tt.body))
					}
					return
				}
				if res.Err == nil || res.Err.Error() != tt.wantErr || !errors.Is(res.Err, ErrTooLarge) {
					t.Errorf("Fetch error = %v; want %q", res.Err, tt.wantErr)
				}
				if res.Bytes != f.opts.MaxBytes+1 {
					t.Errorf("Fetch Bytes = %d; want the cap + 1 = %d", res.Bytes, f.opts.MaxBytes+1)
				}
			})
		}
	}
}

// TestReadAll: readAll reads what io.ReadAll reads, whatever room its
// buffer starts with (none, too little, exactly enough, more) and however
// the reader hands out its bytes.
func TestReadAll(t *testing.T) {
	for _, size := range []int{0, 1, 511, 512, 513, 4096, 100_000} {
		want := bytes.Repeat([]byte("feed "), size/5+1)[:size]
		for _, room := range []int{0, 1, size / 2, size, size + 1, 2*size + 7} {
			for _, slow := range []bool{false, true} {
				var r io.Reader = bytes.NewReader(want)
				if slow {
					r = iotest.HalfReader(r)
				}
				got, err := readAll(r, make([]byte, 0, room))
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("readAll(%d bytes, room %d, slow %v) = %d bytes, %v", size, room, slow, len(got), err)
				}
			}
		}
	}
	if _, err := readAll(iotest.ErrReader(io.ErrUnexpectedEOF), nil); err != io.ErrUnexpectedEOF {
		t.Errorf("readAll of a failing reader: %v; want its error", err)
	}
}

func TestFetchGzipBomb(t *testing.T) {
	// A gzip stream may hold many members; 512 copies of 1 MiB of zeros
	// compressed make about 0.5 MB that inflate to 512 MiB.
	member := gzipBytes(t, make([]byte, 1<<20))
	bomb := bytes.Repeat(member, 512)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}))
	defer ts.Close()
	const maxBytes = 1 << 20
	f := New(Options{AllowPrivate: true, MaxBytes: maxBytes})

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := f.Fetch(context.Background(), Request{Feed: feedAt(ts.URL)})
	runtime.ReadMemStats(&after)

	if res.Err == nil || res.Err.Error() != "body over 1 MB" {
		t.Fatalf("Fetch gzip bomb error = %v; want body over 1 MB", res.Err)
	}
	if res.Bytes != maxBytes+1 {
		t.Errorf("Fetch gzip bomb Bytes = %d; want %d", res.Bytes, maxBytes+1)
	}
	// Everything allocated during the fetch, server included, stays within a
	// small multiple of the cap rather than the 512 MiB the bomb holds.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("Fetch gzip bomb allocated %d bytes; want under 16 MiB", alloc)
	}
}

func TestFetchRedirects(t *testing.T) {
	body := feedtest.Render(sampleSpec("r", 1))
	mux := http.NewServeMux()
	// /hop/N redirects to /hop/N-1; /hop/0 serves the feed.
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			w.Write(body)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/b", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	tests := []struct {
		name         string
		path         string
		maxRedirects int
		wantErr      string
		wantStatus   int
	}{
		{"no redirect", "/hop/0", 0, "", 200},
		{"five redirects", "/hop/5", 0, "", 200},
		{"six redirects", "/hop/6", 0, "stopped after 5 redirects", 302},
		{"loop", "/loop/a", 0, "stopped after 5 redirects", 301},
		{"limit of two", "/hop/3", 2, "stopped after 2 redirects", 302},
		{"redirects off", "/hop/1", -1, "stopped after 0 redirects", 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := New(Options{AllowPrivate: true, MaxRedirects: tt.maxRedirects}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL + tt.path)})
			if res.Status != tt.wantStatus {
				t.Errorf("Fetch(%s) Status = %d; want %d", tt.path, res.Status, tt.wantStatus)
			}
			if tt.wantErr == "" {
				if res.Err != nil || len(res.Items) != 1 {
					t.Errorf("Fetch(%s) = %d items, %v; want 1 item", tt.path, len(res.Items), res.Err)
				}
				return
			}
			if res.Err == nil || res.Err.Error() != tt.wantErr || !errors.Is(res.Err, ErrTooManyRedirects) {
				t.Errorf("Fetch(%s) error = %v; want %q", tt.path, res.Err, tt.wantErr)
			}
		})
	}
}

func TestFetchHTTPErrors(t *testing.T) {
	tests := []struct {
		name           string
		status         int
		retryAfter     string
		wantErr        string
		wantRetryAfter time.Duration
	}{
		{"404", 404, "", "HTTP 404 Not Found", 0},
		{"500", 500, "", "HTTP 500 Internal Server Error", 0},
		{"429 seconds", 429, "3600", "HTTP 429, retry after 1h", time.Hour},
		{"503 seconds", 503, "120", "HTTP 503, retry after 2m", 2 * time.Minute},
		// Beyond the ceiling: honoured up to MaxNextPollAfter, and said so.
		{"503 a year", 503, "31536000", "HTTP 503, retry after 24h (asked 8760h; 24h at most)", MaxNextPollAfter},
		{"429 huge", 429, "99999999999999999", "HTTP 429, retry after 24h (asked 2562047h47m16s; 24h at most)", MaxNextPollAfter},
		{"429 at the ceiling", 429, "86400", "HTTP 429, retry after 24h", MaxNextPollAfter},
		{"429 without Retry-After", 429, "", "HTTP 429 Too Many Requests", 0},
		{"429 bad Retry-After", 429, "soon", "HTTP 429 Too Many Requests", 0},
		{"404 ignores Retry-After", 404, "60", "HTTP 404 Not Found", 0},
		{"unknown status", 599, "", "HTTP 599", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte("<html><title>error</title></html>"))
			}))
			defer ts.Close()
			res := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL)})
			if res.Err == nil || res.Err.Error() != tt.wantErr {
				t.Errorf("Fetch error = %v; want %q", res.Err, tt.wantErr)
			}
			var se *StatusError
			if !errors.As(res.Err, &se) || se.Code != tt.status {
				t.Errorf("Fetch error %v; want *StatusError with code %d", res.Err, tt.status)
			}
			if res.Status != tt.status || res.RetryAfter != tt.wantRetryAfter || res.Items != nil {
				t.Errorf("Fetch = status %d, RetryAfter %v, items %v; want %d, %v, nil", res.Status, res.RetryAfter, res.Items, tt.status, tt.wantRetryAfter)
			}
		})
	}
}

func TestFetchRetryAfterDate(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(10*time.Minute).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer ts.Close()
	res := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL)})
	if res.RetryAfter < 9*time.Minute || res.RetryAfter > 10*time.Minute {
		t.Errorf("Fetch RetryAfter = %v; want about 10m", res.RetryAfter)
	}
	if res.Err == nil || !strings.HasPrefix(res.Err.Error(), "HTTP 503, retry after ") {
		t.Errorf("Fetch error = %v; want HTTP 503, retry after …", res.Err)
	}
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{10 << 20, "10 MB"},
		{1 << 20, "1 MB"},
		{3 << 19, "1.5 MB"},
		{1024, "1 KB"},
		{1536, "1.5 KB"},
		{500, "500 bytes"},
		{2 << 30, "2 GB"},
	}
	for _, tt := range tests {
		if got := humanSize(tt.in); got != tt.want {
			t.Errorf("humanSize(%d) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFetchNotAFeed(t *testing.T) {
	tests := []struct {
		name, contentType, body, wantErr string
	}{
		{"HTML page", "text/html; charset=utf-8", "<!doctype html><html><head><title>Home</title></head><body></body></html>", "not a feed: HTML page 'Home'"},
		{"empty body", "application/rss+xml", "", "not a feed: empty body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.Write([]byte(tt.body))
			}))
			defer ts.Close()
			res := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL)})
			if res.Err == nil || res.Err.Error() != tt.wantErr || !errors.Is(res.Err, ErrNotFeed) {
				t.Errorf("Fetch error = %v; want %q", res.Err, tt.wantErr)
			}
			if res.Status != http.StatusOK {
				t.Errorf("Fetch Status = %d; want 200", res.Status)
			}
		})
	}
}

func TestFetchEncodingsOverHTTP(t *testing.T) {
	const title = "México: “cártel” cuesta 5 €"
	srv := feedtest.NewServer(t)
	srv.Set("/1252.xml", feedtest.FeedSpec{Format: feedtest.RSS1252, Title: "E", Items: []feedtest.ItemSpec{{GUID: "1", Title: title}}})
	latin1 := encodeLatin1(t, `<?xml version="1.0"?><rss version="2.0"><channel><title>L</title><item><guid>1</guid><title>Señal de México</title></item></channel></rss>`)
	srv.SetRaw("/latin1.xml", "application/rss+xml; charset=ISO-8859-1", latin1)
	tests := []struct{ path, want string }{
		{"/1252.xml", title},
		{"/latin1.xml", "Señal de México"},
	}
	f := New(Options{AllowPrivate: true})
	for _, tt := range tests {
		res := f.Fetch(context.Background(), Request{Feed: feedAt(srv.FeedURL(tt.path))})
		if res.Err != nil || len(res.Items) != 1 || res.Items[0].Title != tt.want {
			t.Errorf("Fetch(%s) = %+v, %v; want one item titled %q", tt.path, res.Items, res.Err, tt.want)
		}
	}
}

func TestFetchNetworkErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name, url, wantPrefix string
	}{
		{"connection refused", closedURL, "connection refused"},
		{"invalid URL", "http://[::1", "invalid URL: "},
		{"unsupported scheme", "ftp://127.0.0.1/feed", "unsupported protocol scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{Feed: feedAt(tt.url)})
			if res.Err == nil || !strings.HasPrefix(res.Err.Error(), tt.wantPrefix) {
				t.Errorf("Fetch(%q) error = %v; want prefix %q", tt.url, res.Err, tt.wantPrefix)
			}
			if res.Status != 0 || res.Items != nil {
				t.Errorf("Fetch(%q) = status %d, items %v; want 0, nil", tt.url, res.Status, res.Items)
			}
		})
	}
}

// fetchAll collects FetchEach's results in the order of reqs, calling
// onResult (when not nil) as each arrives.
func fetchAll(f *Fetcher, ctx context.Context, reqs []Request, concurrency int, onResult func(Result)) []Result {
	results := make([]Result, len(reqs))
	var mu sync.Mutex
	f.FetchEach(ctx, reqs, concurrency, nil, func(i int, r Result) {
		mu.Lock()
		defer mu.Unlock()
		results[i] = r
		if onResult != nil {
			onResult(r)
		}
	})
	return results
}

func TestFetchEach(t *testing.T) {
	const feeds, concurrency = 12, 3
	srv := feedtest.NewServer(t)
	var inFlight, maxInFlight atomic.Int32
	full := make(chan struct{})
	var fullOnce sync.Once
	reqs := make([]Request, feeds)
	for i := range feeds {
		path := fmt.Sprintf("/feeds/%d.xml", i)
		body := feedtest.Render(sampleSpec(fmt.Sprintf("f%d", i), i%4+1))
		srv.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				m := maxInFlight.Load()
				if n <= m || maxInFlight.CompareAndSwap(m, n) {
					break
				}
			}
			if n == concurrency {
				fullOnce.Do(func() { close(full) })
			}
			// Hold every request until `concurrency` are in flight at once:
			// the pool is then proven full, without guessing at timing.
			select {
			case <-full:
			case <-time.After(5 * time.Second):
			}
			switch i {
			case 4:
				http.Error(w, "gone", http.StatusInternalServerError)
			case 7:
				w.Write([]byte("<html><title>Oops</title></html>"))
			default:
				w.Write(body)
			}
		}))
		reqs[i] = Request{Feed: newsdigest.Feed{Name: fmt.Sprintf("feed %d", i), URL: srv.FeedURL(path)}}
	}
	var calls atomic.Int32
	results := fetchAll(New(Options{AllowPrivate: true}), context.Background(), reqs, concurrency, func(Result) { calls.Add(1) })

	if len(results) != feeds {
		t.Fatalf("FetchEach returned %d results; want %d", len(results), feeds)
	}
	if got := maxInFlight.Load(); got != concurrency {
		t.Errorf("max requests in flight = %d; want %d", got, concurrency)
	}
	if got := calls.Load(); got != feeds {
		t.Errorf("onResult called %d times; want %d", got, feeds)
	}
	for i, res := range results {
		if res.Feed != reqs[i].Feed {
			t.Errorf("results[%d].Feed = %+v; want %+v", i, res.Feed, reqs[i].Feed)
		}
		switch i {
		case 4:
			if res.Err == nil || res.Err.Error() != "HTTP 500 Internal Server Error" {
				t.Errorf("results[4].Err = %v; want HTTP 500 Internal Server Error", res.Err)
			}
		case 7:
			if res.Err == nil || res.Err.Error() != "not a feed: HTML page 'Oops'" {
				t.Errorf("results[7].Err = %v; want not a feed: HTML page 'Oops'", res.Err)
			}
		default:
			want := fmt.Sprintf("f%d item 0", i)
			if res.Err != nil || len(res.Items) != i%4+1 || res.Items[0].Title != want || res.Items[0].FeedName != reqs[i].Feed.Name {
				t.Errorf("results[%d] = %d items, err %v; want %d items starting %q", i, len(res.Items), res.Err, i%4+1, want)
			}
		}
	}
}

func TestFetchEachCancel(t *testing.T) {
	srv := feedtest.NewServer(t)
	srv.Handle("/slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	reqs := make([]Request, 6)
	for i := range reqs {
		reqs[i] = Request{Feed: feedAt(srv.FeedURL("/slow")), Validators: Validators{ETag: fmt.Sprint(i)}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	var calls atomic.Int32
	start := time.Now()
	results := fetchAll(New(Options{AllowPrivate: true}), ctx, reqs, 2, func(Result) { calls.Add(1) })
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("FetchEach after cancel took %v; want it to stop promptly", elapsed)
	}
	if len(results) != len(reqs) || int(calls.Load()) != len(reqs) {
		t.Fatalf("FetchEach = %d results, %d callbacks; want %d each", len(results), calls.Load(), len(reqs))
	}
	for i, res := range results {
		if !errors.Is(res.Err, context.Canceled) || !strings.HasPrefix(res.Err.Error(), "stopped: ") {
			t.Errorf("results[%d].Err = %v; want stopped: context canceled", i, res.Err)
		}
		if res.Validators != reqs[i].Validators {
			t.Errorf("results[%d].Validators = %+v; want %+v", i, res.Validators, reqs[i].Validators)
		}
	}
}

func TestFetchEachEmpty(t *testing.T) {
	if got := fetchAll(New(Options{AllowPrivate: true}), context.Background(), nil, 4, nil); len(got) != 0 {
		t.Errorf("FetchEach(nil) = %v; want empty", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestFetchCustomTransportAndLogger(t *testing.T) {
	body := feedtest.Render(sampleSpec("t", 2))
	var calls atomic.Int32
	transport := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		return &http.Response{
			StatusCode: http.StatusOK,
			Header:     http.Header{"Content-Type": {"application/rss+xml"}, "Etag": {`"t"`}},
			Body:       io.NopCloser(bytes.NewReader(body)),
			Request:    r,
		}, nil
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	const url = "https://feeds.example/t.xml"
	res := New(Options{Transport: transport, Logger: logger}).Fetch(context.Background(), Request{Feed: feedAt(url)})
	if res.Err != nil || len(res.Items) != 2 || res.Validators.ETag != `"t"` {
		t.Fatalf("Fetch via custom transport = %d items, validators %+v, err %v; want 2 items, ETag \"t\"", len(res.Items), res.Validators, res.Err)
	}
	if calls.Load() != 1 {
		t.Errorf("custom transport called %d times; want 1", calls.Load())
	}
	if !strings.Contains(logs.String(), "feed="+url) || !strings.Contains(logs.String(), "items=2") {
		t.Errorf("log = %q; want a line with feed=%s and items=2", logs.String(), url)
	}
}

// trickle answers with an RSS head, then a byte every interval until the
// client gives up: a server that never finishes its body.
func trickle(head string, every time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(head))
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(every):
				w.Write([]byte(" "))
			}
		}
	}
}

// TestFetchEachReusesConnections: feeds of one host fetched many at once
// reuse their connections. net/http keeps two idle connections per host
// by default; with eight fetches at once the other six were closed after
// each feed and dialled again (a TLS handshake per feed for a dozen Google
// News searches).
func TestFetchEachReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond) // keep several fetches in flight at once
		w.WriteHeader(http.StatusNotModified)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	const concurrency, feeds = 8, 400
	f := New(Options{AllowPrivate: true, Concurrency: concurrency})
	var reqs []Request
	for i := range feeds {
		reqs = append(reqs, Request{Feed: feedAt(fmt.Sprintf("%s/feed/%d", srv.URL, i)), Validators: Validators{ETag: `"x"`}})
	}
	var notModified atomic.Int32
	f.FetchEach(context.Background(), reqs, concurrency, nil, func(_ int, r Result) {
		if r.Err == nil && r.NotModified {
			notModified.Add(1)
		}
	})
	if notModified.Load() != feeds {
		t.Fatalf("%d of %d fetches answered 304", notModified.Load(), feeds)
	}
	// One connection per fetch at once, and as many again twice over to
	// spare for dials that race a connection coming back to the pool
	// (without the fix: 164).
	if n := conns.Load(); n > 3*concurrency {
		t.Errorf("%d connections for %d feeds fetched %d at a time; want at most %d", n, feeds, concurrency, 3*concurrency)
	}
}
