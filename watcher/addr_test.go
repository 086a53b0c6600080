package watcher

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/newsdigest/newsdigest/internal/feedtest"
)

func TestAddressKind(t *testing.T) {
	tests := map[string]string{
		"8.8.8.8":          "",
		"93.184.215.14":    "",
		"2606:4700::1111":  "",
		"64:ff9b::808:808": "", // NAT64 of 8.8.8.8
		"2002:808:808::1":  "", // 6to4 of 8.8.8.8

		"127.0.0.1":           "a loopback",
		"127.255.0.9":         "a loopback",
		"::1":                 "a loopback",
		"::ffff:127.0.0.1":    "a loopback",
		"10.0.0.5":            "a private",
		"172.16.0.1":          "a private",
		"172.31.255.254":      "a private",
		"192.168.1.1":         "a private",
		"fd00::1":             "a private",
		"::ffff:10.0.0.5":     "a private",
		"64:ff9b::a00:5":      "a private",    // NAT64 of 10.0.0.5
		"2002:a00:5::1":       "a private",    // 6to4 of 10.0.0.5
		"169.254.169.254":     "a link-local", // cloud metadata
		"fe80::1":             "a link-local",
		"ff02::1":             "a link-local",
		"0.0.0.0":             "an unspecified",
		"::":                  "an unspecified",
		"239.1.2.3":           "a multicast",
		"ff0e::1":             "a multicast",
		"0.1.2.3":             "a reserved",
		"100.64.0.1":          "a reserved",
		"198.18.0.1":          "a reserved",
		"192.0.2.10":          "a reserved",
		"255.255.255.255":     "a reserved",
		"240.0.0.1":           "a reserved",
		"2001:db8::1":         "a reserved",
		"::a00:5":             "a reserved", // IPv4-compatible
		"64:ff9b:1::1":        "a reserved",
		"2001:0:4136:e378::1": "a reserved", // Teredo
	}
	for s, want := range tests {
		if got := addressKind(netip.MustParseAddr(s)); got != want {
			t.Errorf("addressKind(%s) = %q; want %q", s, got, want)
		}
	}
}

// countingServer is an httptest server on addr that counts its requests
// and serves a one-item feed.
func countingServer(t *testing.T, addr string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	var n atomic.Int32
	body := feedtest.Render(sampleSpec("p", 1))
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, &n
}

// TestFetchRefusesNonPublic: by default a fetch never connects to a
// loopback address, whether the URL names it or a host name resolves to
// it; the error says what to set.
func TestFetchRefusesNonPublic(t *testing.T) {
	ts, requests := countingServer(t, "127.0.0.1:0")
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	for _, u := range []string{ts.URL + "/feed", "http://localhost:" + port + "/feed"} {
		res := New(Options{}).Fetch(context.Background(), Request{Feed: feedAt(u)})
		var ae *AddressError
		if !errors.As(res.Err, &ae) || !errors.Is(res.Err, ErrPrivateAddress) {
			t.Fatalf("Fetch(%s) error = %v; want an *AddressError", u, res.Err)
		}
		if want := "refused: " + ae.Addr.String() + " is a loopback address (set fetch.allow_private to allow)"; res.Err.Error() != want {
			t.Errorf("Fetch(%s) error = %q; want %q", u, res.Err, want)
		}
		if res.Items != nil {
			t.Errorf("Fetch(%s) returned items", u)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests; want none", n)
	}
	// Opted in, the same feed is fetched.
	if res := New(Options{AllowPrivate: true}).Fetch(context.Background(), Request{Feed: feedAt(ts.URL + "/feed")}); res.Err != nil || len(res.Items) != 1 {
		t.Errorf("Fetch with AllowPrivate = %d items, %v; want 1 item", len(res.Items), res.Err)
	}
}

// TestFetchRefusesRedirectToNonPublic: a redirect is checked like the
// first URL, on the address it connects to. Loopback stands in for both
// sides here: 127.0.0.1 counts as public, 127.0.0.2 as private.
func TestFetchRefusesRedirectToNonPublic(t *testing.T) {
	internal, internalRequests := countingServer(t, "127.0.0.2:0")
	public := httptest.NewServer(http.RedirectHandler(internal.URL+"/admin/feed", http.StatusMovedPermanently))
	defer public.Close()
	publicAddr := netip.MustParseAddr("127.0.0.1")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	publicOnly(tr, func(a netip.Addr) error {
		if a == publicAddr {
			return nil
		}
		return &AddressError{Addr: a, Kind: "a private"}
	})
	res := New(Options{Transport: tr}).Fetch(context.Background(), Request{Feed: feedAt(public.URL + "/feed")})
	if res.Err == nil || res.Err.Error() != "refused: 127.0.0.2 is a private address (set fetch.allow_private to allow)" {
		t.Errorf("Fetch through a redirect to 127.0.0.2 = %v; want refused", res.Err)
	}
	if res.MovedTo != "" || res.Items != nil {
		t.Errorf("refused redirect: MovedTo %q, %d items; want neither", res.MovedTo, len(res.Items))
	}
	if n := internalRequests.Load(); n != 0 {
		t.Errorf("the internal server got %d requests; want none", n)
	}
}

// TestFetchThroughProxyChecksTarget: through an HTTP proxy (itself on
// loopback, the operator's choice), the feed's own address is checked.
func TestFetchThroughProxyChecksTarget(t *testing.T) {
	var (
		mu      sync.Mutex
		proxied []string
	)
	body := feedtest.Render(sampleSpec("x", 1))
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		proxied = append(proxied, r.URL.String()) // a forward proxy gets the absolute URL
		mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyURL(proxyURL)
	publicOnly(tr, checkAddr)
	f := New(Options{Transport: tr})

	res := f.Fetch(context.Background(), Request{Feed: feedAt("http://10.0.0.5/feed")})
	if res.Err == nil || res.Err.Error() != "refused: 10.0.0.5 is a private address (set fetch.allow_private to allow)" {
		t.Errorf("Fetch of 10.0.0.5 through a proxy = %v; want refused", res.Err)
	}
	res = f.Fetch(context.Background(), Request{Feed: feedAt("http://93.184.215.14/feed")})
	if res.Err != nil || len(res.Items) != 1 {
		t.Errorf("Fetch of a public address through the loopback proxy = %d items, %v; want 1 item", len(res.Items), res.Err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(proxied) != 1 || !strings.HasPrefix(proxied[0], "http://93.184.215.14/") {
		t.Errorf("proxy saw %q; want only the public fetch", proxied)
	}
}
