// Package netfail reads a failed or throttled HTTP exchange the same way for
// the feed fetcher and the Slack poster: network errors worded the way an
// operator reads them, without the URL (which may hold a secret), and the
// server's Retry-After.
package netfail

import (
	"crypto/tls"
	"errors"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Unwrap drops the `Post "https://…":` wrapper that net/http puts around a
// transport error: its message holds the URL, which for a webhook or a feed
// with a key in its query is a secret.
func Unwrap(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// Reason words a transport error for people: "host not found: example.org",
// "connection refused", "connection reset by the server", "TLS certificate
// not valid: …"; anything else keeps Go's wording, without the URL.
func Reason(err error) string {
	err = Unwrap(err)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return "host not found: " + dnsErr.Name
		case dnsErr.IsTimeout:
			return "DNS lookup timed out: " + dnsErr.Name
		default:
			return "DNS lookup failed: " + dnsErr.Name
		}
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "connection refused"
	}
	if errors.Is(err, syscall.ECONNRESET) {
		return "connection reset by the server"
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return "TLS certificate not valid: " + certErr.Err.Error()
	}
	return err.Error()
}

// NotSent reports whether err shows that a request never reached the server:
// its host could not be resolved or connected to. Any other transport error
// may have come after the server received the request.
func NotSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// RetryAfter reads a Retry-After header value — delay seconds or an HTTP
// date — as a wait from now. ok is false when the value is absent or
// unreadable; a date in the past, or "0", is a wait of zero with ok true
// ("retry now", which is not the same as "no advice").
func RetryAfter(v string, now time.Time) (wait time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		switch {
		case secs < 0:
			return 0, false
		case secs > math.MaxInt64/int64(time.Second):
			return time.Duration(math.MaxInt64 / int64(time.Second) * int64(time.Second)), true
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now).Round(time.Second), 0), true
	}
	return 0, false
}
