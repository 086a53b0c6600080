package watcher

// Keeping fetches to public addresses: a feed (or a redirect) that points
// at loopback, a private network or a cloud metadata address would
// otherwise have newsdigest fetch an internal page and post what it says
// into Slack. The check runs on the address actually connected to, after
// DNS resolution (net.Dialer.ControlContext), so a name that resolves to a
// public address when checked and to a private one when connecting
// (DNS rebinding) gains nothing; it covers the feed URL and every redirect,
// since each is a new connection or reuses one that was checked.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// ErrPrivateAddress is wrapped by the error of a fetch refused because it
// would have connected to an address that is not public.
var ErrPrivateAddress = errors.New("address not public")

// AddressError is a connection refused because its address is not public.
type AddressError struct {
	Addr netip.Addr
	Kind string // "a loopback", "a private", "a link-local", …
}

// Error reads "refused: 10.0.0.5 is a private address (set
// fetch.allow_private to allow)".
func (e *AddressError) Error() string {
	return fmt.Sprintf("refused: %s is %s address (set fetch.allow_private to allow)", e.Addr, e.Kind)
}

func (e *AddressError) Unwrap() error { return ErrPrivateAddress }

// reserved are IPv4 and IPv6 ranges that are neither loopback, private,
// link-local nor multicast by netip's methods, and are no place for a feed.
var reserved = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this network"
		"100.64.0.0/10",   // shared address space (carrier-grade NAT)
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation (TEST-NET-1)
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation (TEST-NET-2)
		"203.0.113.0/24",  // documentation (TEST-NET-3)
		"240.0.0.0/4",     // reserved, and 255.255.255.255 broadcast
		"::/96",           // IPv4-compatible IPv6 (deprecated)
		"100::/64",        // discard-only
		"2001::/32",       // Teredo
		"2001:db8::/32",   // documentation
		"fec0::/10",       // site-local (deprecated)
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// IPv6 prefixes that carry an IPv4 address, which is checked in turn.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // IPv4 in the last 4 bytes
	nat64Loc  = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour = netip.MustParsePrefix("2002::/16") // IPv4 in bytes 2–5
)

// addressKind says what kind of non-public address a is ("a private"),
// or "" when a is public.
func addressKind(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return "an invalid"
	case a.IsLoopback():
		return "a loopback"
	case a.IsPrivate():
		return "a private"
	case a.IsUnspecified():
		return "an unspecified"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "a link-local"
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return "a multicast"
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return "a reserved"
		}
	}
	if a.Is6() {
		b := a.As16()
		var v4 netip.Addr
		switch {
		case nat64.Contains(a):
			v4 = netip.AddrFrom4([4]byte(b[12:16]))
		case sixToFour.Contains(a):
			v4 = netip.AddrFrom4([4]byte(b[2:6]))
		case nat64Loc.Contains(a):
			return "a reserved" // local-use translation: may map anywhere
		}
		if v4.IsValid() {
			return addressKind(v4)
		}
	}
	return ""
}

// checkAddr returns an *AddressError when a is not public.
func checkAddr(a netip.Addr) error {
	if kind := addressKind(a); kind != "" {
		return &AddressError{Addr: a.Unmap(), Kind: kind}
	}
	return nil
}

// publicOnly makes t connect only to addresses that check (checkAddr)
// accepts. With a proxy (the HTTP_PROXY family of variables), the proxy is
// the operator's and is connected to without the check; the feed's host is
// then checked on the addresses this host resolves it to, as the proxy
// connects on our behalf. A name that only the proxy can resolve is left
// to the proxy.
func publicOnly(t *http.Transport, check func(netip.Addr) error) {
	const timeout, keepAlive = 30 * time.Second, 30 * time.Second
	// ControlContext runs after DNS resolution, just before connecting,
	// with the address connected to.
	control := func(_ context.Context, _, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("refused: cannot read the address %q", address)
		}
		return check(ap.Addr())
	}
	checked := &net.Dialer{Timeout: timeout, KeepAlive: keepAlive, ControlContext: control}
	plain := &net.Dialer{Timeout: timeout, KeepAlive: keepAlive}
	var proxies sync.Map // "host:port" of the proxies in use → true
	if proxy := t.Proxy; proxy != nil {
		t.Proxy = func(req *http.Request) (*url.URL, error) {
			u, err := proxy(req)
			if u == nil || err != nil {
				return u, err
			}
			if err := checkHost(req.Context(), req.URL.Hostname(), check); err != nil {
				return nil, err
			}
			proxies.Store(proxyAddr(u), true)
			return u, nil
		}
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if _, ok := proxies.Load(addr); ok {
			return plain.DialContext(ctx, network, addr)
		}
		return checked.DialContext(ctx, network, addr)
	}
}

// checkHost checks an IP literal, or every address host resolves to.
func checkHost(ctx context.Context, host string, check func(netip.Addr) error) error {
	if a, err := netip.ParseAddr(host); err == nil {
		return check(a)
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil // the proxy resolves it, or fails to
	}
	for _, a := range addrs {
		if err := check(a); err != nil {
			return err
		}
	}
	return nil
}

// proxyAddr is the "host:port" that http.Transport dials for proxy u.
func proxyAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[u.Scheme]
	}
	return net.JoinHostPort(u.Hostname(), port)
}
