package serve_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/serve"
)

// TestRunWithoutTokenOnlyOnLoopback: with no serve.token, POST /run is
// answered only on a connection that reached a loopback address. The
// config already refuses a tokenless non-loopback listen address; this is
// the check at request time, for a name such as "localhost" that resolves
// elsewhere.
func TestRunWithoutTokenOnlyOnLoopback(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(t, yearly, yearly, "", "")
	p, _ := pipelineFor(t, cfg, io.Discard)
	srv, err := serve.New(cfg, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		local net.Addr
		want  int
	}{
		{&net.TCPAddr{IP: net.ParseIP("10.0.0.5"), Port: 8080}, http.StatusForbidden},
		{&net.TCPAddr{IP: net.ParseIP("203.0.113.7"), Port: 8080}, http.StatusForbidden},
		{nil, http.StatusForbidden},
		// Allowed through; the server is not running, so 503.
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080}, http.StatusServiceUnavailable},
		{&net.TCPAddr{IP: net.ParseIP("::1"), Port: 8080}, http.StatusServiceUnavailable},
	} {
		req := httptest.NewRequest(http.MethodPost, "/run", nil)
		if tt.local != nil {
			req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, tt.local))
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("POST /run reaching %v without a token = %d %s; want %d", tt.local, rec.Code, rec.Body, tt.want)
		}
		if tt.want == http.StatusForbidden && !strings.Contains(rec.Body.String(), "serve.token") {
			t.Errorf("refusal does not name serve.token: %s", rec.Body)
		}
	}
	if n := f.feeds.Requests(); n != 0 {
		t.Errorf("%d feed requests; want none", n)
	}
}

// TestRunSinceCapped: ?since= may not reach further back than
// serve.max_since (default digest.lookback), or a caller could flood the
// channel with year-old items the normal digest holds back.
func TestRunSinceCapped(t *testing.T) {
	f := newFixture(t)
	r := start(t, f.config(t, yearly, yearly, serveToken, ""))
	code, _, body := postRun(t, r.url+"/run?since=8760h", "Bearer "+serveToken)
	if code != http.StatusBadRequest || !strings.Contains(body, "serve.max_since (24h0m0s)") {
		t.Errorf("POST /run?since=8760h = %d %s; want 400 naming serve.max_since", code, body)
	}
	if n := f.feeds.Requests(); n != 0 || len(f.slack.Messages()) != 0 {
		t.Errorf("refused run fetched %d times and posted %d messages; want nothing", n, len(f.slack.Messages()))
	}
	if code, res, body := postRun(t, r.url+"/run?since=24h", "Bearer "+serveToken); code != http.StatusOK || res.Items != 3 {
		t.Errorf("POST /run?since=24h = %d %s; want 200 with 3 items", code, body)
	}

	// The config may allow more.
	f2 := newFixture(t)
	cfg := f2.config(t, yearly, yearly, serveToken, "")
	cfg.Serve.MaxSince = 9000 * time.Hour
	r2 := start(t, cfg)
	if code, _, body := postRun(t, r2.url+"/run?since=8760h", "Bearer "+serveToken); code != http.StatusOK {
		t.Errorf("POST /run?since=8760h with serve.max_since 9000h = %d %s; want 200", code, body)
	}
}

// rawGet sends GET /healthz on conn and reads the answer, leaving the
// connection open (keep-alive).
func rawGet(t *testing.T, conn net.Conn, br *bufio.Reader) int {
	t.Helper()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: nd\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestHTTPLimits: an idle keep-alive connection is closed after
// IdleTimeout (the finding: 1,000 idle connections held open for 30 s,
// file descriptors 12 → 1011), and oversized headers and bodies are
// refused.
func TestHTTPLimits(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(t, yearly, yearly, serveToken, "")
	if (serve.DefaultHTTPLimits == serve.HTTPLimits{}) {
		t.Fatal("no default HTTP limits")
	}
	var defaults serve.HTTPLimits
	r := startWith(t, cfg, func(s *serve.Server) {
		defaults = s.HTTP
		s.HTTP.IdleTimeout = 200 * time.Millisecond
	})
	if defaults != serve.DefaultHTTPLimits || defaults.ReadHeaderTimeout <= 0 || defaults.ReadTimeout <= 0 ||
		defaults.IdleTimeout <= 0 || defaults.MaxHeaderBytes <= 0 || defaults.MaxBodyBytes <= 0 {
		t.Errorf("New set HTTP limits %+v; want DefaultHTTPLimits, every one set", defaults)
	}
	addr := strings.TrimPrefix(r.url, "http://")

	t.Run("idle connection closed", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		br := bufio.NewReader(conn)
		if code := rawGet(t, conn, br); code != http.StatusOK {
			t.Fatalf("GET /healthz = %d", code)
		}
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = br.ReadByte()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("idle keep-alive connection still open 5s after an IdleTimeout of 200ms")
		}
		if !errors.Is(err, io.EOF) {
			t.Fatalf("read on idle connection = %v; want EOF (closed by the server)", err)
		}
	})

	t.Run("header cap", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, r.url+"/healthz", nil)
		req.Header.Set("X-Padding", strings.Repeat("a", 64<<10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("GET with 64 KiB of headers = %d; want 431", resp.StatusCode)
		}
	})

	t.Run("body cap", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, r.url+"/run", strings.NewReader(strings.Repeat("x", 1<<20)))
		req.Header.Set("Authorization", "Bearer "+serveToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || f.feeds.Requests() != 0 {
			t.Errorf("POST /run with a 1 MiB body = %d %s after %d feed requests; want 413 before any", resp.StatusCode, b, f.feeds.Requests())
		}
	})
}
