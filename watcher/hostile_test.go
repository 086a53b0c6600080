package watcher

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/feedtest"
)

// hostileMux serves one loopback site of good, broken and hostile feeds.
func hostileMux(t *testing.T) *http.ServeMux {
	t.Helper()
	var bomb bytes.Buffer
	gz := gzip.NewWriter(&bomb)
	zeros := make([]byte, 1<<20)
	for range 32 { // 32 MB of zeros in about 32 KB
		gz.Write(zeros)
	}
	gz.Close()
	rss := func(prolog, title string) string {
		return prolog + `<rss version="2.0"><channel><title>c</title><item><guid>x1</guid><title>` + title + `</title></item></channel></rss>`
	}
	mux := http.NewServeMux()
	good := func(path, title string, n int) {
		body := feedtest.Render(sampleSpec(title, n))
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", feedtest.ContentType(feedtest.RSS))
			w.Write(body)
		})
	}
	good("/good/1", "Uno", 3)
	good("/good/2", "Dos", 2)
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("/trickle", trickle(`<rss version="2.0"><channel>`, 200*time.Millisecond))
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		chunk := []byte(strings.Repeat("<item><title>more</title></item>", 1000))
		w.Write([]byte(`<rss version="2.0"><channel>`))
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/limited", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusGone)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><html><head><title>Home</title></head><body>Welcome</body></html>"))
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
	})
	prolog1252 := encode1252(t, rss(`<?xml version="1.0" encoding="windows-1252"?>`, spanishTitle))
	mux.HandleFunc("/prolog-1252", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(prolog1252)
	})
	headerLatin1 := encodeLatin1(t, rss(`<?xml version="1.0"?>`, "Señal de México: cárteles"))
	mux.HandleFunc("/header-latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=ISO-8859-1")
		w.Write(headerLatin1)
	})
	mux.HandleFunc("/old-home", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/good/1", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/cached", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=600")
		w.Write([]byte(`<rss version="2.0"><channel><title>c</title><ttl>60</ttl><item><guid>c1</guid><title>Cacheable</title></item></channel></rss>`))
	})
	return mux
}

// TestFetchEachHostile fetches good feeds beside every kind of hostile or
// broken server at once: the run ends within about the fetch timeout, heap
// growth stays bounded, each failure has its human-readable reason, and
// every good feed's items arrive.
func TestFetchEachHostile(t *testing.T) {
	ts := httptest.NewServer(hostileMux(t))
	defer ts.Close()

	const timeout = time.Second
	const maxBytes = 1 << 20
	tests := []struct {
		path      string
		wantErr   string // "" for success
		wantItems int
		wantTitle string
		check     func(t *testing.T, r Result)
	}{
		{path: "/good/1", wantItems: 3},
		{path: "/good/2", wantItems: 2},
		{path: "/hang", wantErr: "timed out after 1s"},
		{path: "/trickle", wantErr: "timed out after 1s"},
		{path: "/endless", wantErr: "body over 1 MB"},
		{path: "/bomb", wantErr: "body over 1 MB"},
		{path: "/loop", wantErr: "stopped after 5 redirects"},
		{path: "/limited", wantErr: "HTTP 429, retry after 1h", check: func(t *testing.T, r Result) {
			if r.RetryAfter != time.Hour {
				t.Errorf("RetryAfter = %v; want 1h", r.RetryAfter)
			}
		}},
		{path: "/gone", wantErr: "HTTP 410 Gone", check: func(t *testing.T, r Result) {
			if !r.Gone {
				t.Errorf("Gone = false; want true")
			}
		}},
		{path: "/broken", wantErr: "HTTP 500 Internal Server Error"},
		{path: "/html", wantErr: "not a feed: HTML page 'Home'"},
		{path: "/empty", wantErr: "not a feed: empty body"},
		{path: "/prolog-1252", wantItems: 1, wantTitle: spanishTitle},
		{path: "/header-latin1", wantItems: 1, wantTitle: "Señal de México: cárteles"},
		{path: "/old-home", wantItems: 3, check: func(t *testing.T, r Result) {
			if want := ts.URL + "/good/1"; r.MovedTo != want {
				t.Errorf("MovedTo = %q; want %q", r.MovedTo, want)
			}
		}},
		{path: "/cached", wantItems: 1, check: func(t *testing.T, r Result) {
			if r.NextPollAfter != time.Hour {
				t.Errorf("NextPollAfter = %v; want 1h (ttl 60 min beats max-age 600s)", r.NextPollAfter)
			}
		}},
	}
	reqs := make([]Request, len(tests))
	for i, tt := range tests {
		reqs[i] = Request{Feed: feedAt(ts.URL + tt.path)}
	}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})

	start := time.Now()
	results := fetchAll(New(Options{AllowPrivate: true, Timeout: timeout, MaxBytes: maxBytes}), context.Background(), reqs, len(reqs), nil)
	elapsed := time.Since(start)
	close(stop)
	sampler.Wait()

	if elapsed > timeout+time.Second {
		t.Errorf("FetchEach took %v; want about the %v timeout", elapsed, timeout)
	}
	// Each fetch holds at most about 2×MaxBytes while reading plus the
	// decoded copy; 16 fetches at once stay far below what one unbounded
	// stream or the 32 MB bomb would take.
	growth := int64(peak.Load()) - int64(before.HeapAlloc)
	if bound := int64(len(reqs)) * 4 * maxBytes; growth > bound {
		t.Errorf("heap grew by %d MB during FetchEach; want under %d MB", growth>>20, bound>>20)
	}
	t.Logf("FetchEach of %d feeds: %v, peak heap growth %.1f MB", len(reqs), elapsed, float64(growth)/(1<<20))

	for i, tt := range tests {
		t.Run(strings.TrimPrefix(tt.path, "/"), func(t *testing.T) {
			r := results[i]
			gotErr := ""
			if r.Err != nil {
				gotErr = r.Err.Error()
			}
			if gotErr != tt.wantErr {
				t.Errorf("Fetch(%s) error = %q; want %q", tt.path, gotErr, tt.wantErr)
			}
			if len(r.Items) != tt.wantItems {
				t.Errorf("Fetch(%s) = %d items; want %d", tt.path, len(r.Items), tt.wantItems)
			}
			if tt.wantTitle != "" && len(r.Items) > 0 && r.Items[0].Title != tt.wantTitle {
				t.Errorf("Fetch(%s) title = %q; want %q", tt.path, r.Items[0].Title, tt.wantTitle)
			}
			if r.Bytes > maxBytes+1 {
				t.Errorf("Fetch(%s) read %d bytes; want at most %d", tt.path, r.Bytes, maxBytes+1)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
	if !errors.Is(results[2].Err, ErrTimeout) || !errors.Is(results[5].Err, ErrTooLarge) || !errors.Is(results[6].Err, ErrTooManyRedirects) {
		t.Errorf("errors %v, %v, %v; want ErrTimeout, ErrTooLarge, ErrTooManyRedirects", results[2].Err, results[5].Err, results[6].Err)
	}
}

func TestFetchPoliteness(t *testing.T) {
	mux := http.NewServeMux()
	body := []byte(`<rss version="2.0"><channel><title>c</title><item><guid>1</guid><title>t</title></item></channel></rss>`)
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Write(body)
	})
	redirect := func(path, to string, code int) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, code) })
	}
	redirect("/a301", "/feed", http.StatusMovedPermanently)
	redirect("/a308", "/a301", http.StatusPermanentRedirect)
	redirect("/a302", "/feed", http.StatusFound)
	redirect("/mixed", "/a302", http.StatusMovedPermanently)
	redirect("/to-html", "/page", http.StatusMovedPermanently)
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><title>Moved</title></html>"))
	})
	redirect("/to-json", "/api", http.StatusMovedPermanently)
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"error": "maintenance", "retry": true}`))
	})
	cacheHeader := func(path, value string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", value)
			if r.Header.Get("If-None-Match") != "" {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write(body)
		})
	}
	cacheHeader("/max-age", "max-age=900")
	cacheHeader("/no-cache", "no-cache, max-age=900")
	cacheHeader("/huge", "max-age=99999999999")
	ts := httptest.NewServer(mux)
	defer ts.Close()

	tests := []struct {
		path     string
		etag     string
		wantMove string
		wantNext time.Duration
		wantErr  bool
	}{
		{path: "/feed"},
		{path: "/a301", wantMove: "/feed"},
		{path: "/a308", wantMove: "/feed"},
		{path: "/a302"},
		{path: "/mixed"},
		{path: "/to-html", wantErr: true},
		{path: "/to-json", wantErr: true}, // not remembered as the new address
		{path: "/max-age", wantNext: 15 * time.Minute},
		{path: "/max-age", etag: `"x"`, wantNext: 15 * time.Minute}, // 304
		{path: "/no-cache"},
		{path: "/huge", wantNext: MaxNextPollAfter},
	}
	f := New(Options{AllowPrivate: true, Timeout: 5 * time.Second})
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s etag %q", tt.path, tt.etag), func(t *testing.T) {
			r := f.Fetch(context.Background(), Request{Feed: feedAt(ts.URL + tt.path), Validators: Validators{ETag: tt.etag}})
			if (r.Err != nil) != tt.wantErr {
				t.Fatalf("Fetch(%s) error = %v; want error %v", tt.path, r.Err, tt.wantErr)
			}
			wantMove := ""
			if tt.wantMove != "" {
				wantMove = ts.URL + tt.wantMove
			}
			if r.MovedTo != wantMove {
				t.Errorf("Fetch(%s) MovedTo = %q; want %q", tt.path, r.MovedTo, wantMove)
			}
			if r.NextPollAfter != tt.wantNext {
				t.Errorf("Fetch(%s) NextPollAfter = %v; want %v", tt.path, r.NextPollAfter, tt.wantNext)
			}
		})
	}
}

func TestFetchTruncatedKeepsItemsNotValidators(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"partial"`)
		w.Write([]byte(`<rss version="2.0"><channel><title>c</title><item><guid>1</guid><title>Completa</title></item><item><guid>2</guid><title>Cort`))
	}))
	defer ts.Close()
	sent := Validators{ETag: `"old"`}
	r := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL), Validators: sent})
	if r.Err != nil || len(r.Items) != 1 || r.Items[0].Title != "Completa" {
		t.Fatalf("Fetch = %d items, %v; want the 1 complete item", len(r.Items), r.Err)
	}
	if !r.Truncated || r.Validators != sent {
		t.Errorf("Fetch Truncated %v, Validators %+v; want true, the sent %+v (so the whole feed is fetched again)", r.Truncated, r.Validators, sent)
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{20 * time.Second, "20s"},
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{time.Hour + 30*time.Second, "1h0m30s"},
		{2 * time.Minute, "2m"},
		{1500 * time.Millisecond, "1.5s"},
		{250 * time.Millisecond, "250ms"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.d); got != tt.want {
			t.Errorf("humanDuration(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
}
