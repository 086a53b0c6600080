package netfail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"-5", 0, false},
		{" 90 ", 90 * time.Second, true},
		{"3", 3 * time.Second, true},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Mon, 23 Nov 2026 09:00:00 GMT", time.Hour, true},
		{"Monday, 23-Nov-26 08:02:00 GMT", 2 * time.Minute, true},
		{"Mon, 23 Nov 2026 07:00:00 GMT", 0, true}, // in the past: retry now
		{"99999999999999999999", 0, false},
		{"9223372036854775807", time.Duration(9223372036) * time.Second, true},
	}
	for _, tt := range tests {
		if got, ok := RetryAfter(tt.in, now); got != tt.want || ok != tt.wantOK {
			t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestReason(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&net.DNSError{Err: "no such host", Name: "news.google.com", IsNotFound: true}, "host not found: news.google.com"},
		{&net.DNSError{Err: "i/o timeout", Name: "example.org", IsTimeout: true}, "DNS lookup timed out: example.org"},
		{&net.DNSError{Err: "server misbehaving", Name: "example.org"}, "DNS lookup failed: example.org"},
		{&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, "connection reset by the server"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, "connection refused"},
		{errors.New("something else"), "something else"},
		// The URL, which may carry a secret, never survives.
		{&url.Error{Op: "Post", URL: "https://hooks.slack.com/services/T/B/secret", Err: errors.New("EOF")}, "EOF"},
		{fmt.Errorf("wrapped: %w", &url.Error{Op: "Get", URL: "https://x.example/?key=secret", Err: syscall.ECONNREFUSED}), "connection refused"},
	}
	for _, tt := range tests {
		if got := Reason(tt.err); got != tt.want {
			t.Errorf("Reason(%v) = %q; want %q", tt.err, got, tt.want)
		}
	}
}
