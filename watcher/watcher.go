// Package watcher fetches news feeds with conditional GETs, within time and
// size limits, and parses them into newsdigest items.
package watcher

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/netfail"
)

// Defaults used when an Options field is zero.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultMaxBytes     = 10 << 20
	DefaultMaxRedirects = 5
)

// acceptHeader asks for feeds first, and takes anything.
const acceptHeader = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"

// Errors that Result.Err wraps, for callers that need the cause rather than
// the text. Status codes come as *StatusError, parsing failures wrap
// ErrNotFeed or ErrParse.
var (
	ErrTimeout          = errors.New("timed out")
	ErrTooLarge         = errors.New("body too large")
	ErrTooManyRedirects = errors.New("too many redirects")
)

// Options configure a Fetcher. Zero fields take the defaults.
type Options struct {
	Timeout      time.Duration // whole request, body included (default 20s)
	MaxBytes     int64         // body cap after decompression (default 10 MiB)
	UserAgent    string        // default "newsdigest/<version>"
	MaxRedirects int           // default 5; negative follows none
	Logger       *slog.Logger  // nil discards
	// Transport nil uses a clone of http.DefaultTransport that connects to
	// public addresses only (unless AllowPrivate). A custom Transport does
	// its own connecting: the address check is then its business.
	Transport http.RoundTripper
	// AllowPrivate lets fetches connect to loopback, private (RFC 1918,
	// fc00::/7), link-local, unspecified and other non-public addresses:
	// fetch.allow_private, for intranet feeds and tests on 127.0.0.1.
	// Without it such a connection is refused with an *AddressError, for the
	// feed URL and every redirect, on the address actually connected to.
	AllowPrivate bool
	// Location is where item dates that carry no zone are read (the
	// config's timezone); nil means UTC.
	Location *time.Location
	// Concurrency is how many feeds are fetched at once (fetch.concurrency):
	// the default Transport keeps that many idle connections per host, so
	// that feeds of one site (a dozen Google News searches) reuse their
	// connections instead of dialling, and shaking hands, for every feed.
	Concurrency int
}

// Fetcher fetches feeds over one http.Client. It is safe for concurrent use.
type Fetcher struct {
	client *http.Client
	opts   Options
	logger *slog.Logger
}

// New returns a Fetcher with opts, defaults filled in.
func New(opts Options) *Fetcher {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "newsdigest/" + newsdigest.Version
	}
	switch {
	case opts.MaxRedirects == 0:
		opts.MaxRedirects = DefaultMaxRedirects
	case opts.MaxRedirects < 0:
		opts.MaxRedirects = 0
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	transport := opts.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// net/http keeps 2 idle connections per host: with more fetches at
		// once, the rest were closed after each feed and dialled again.
		t.MaxIdleConnsPerHost = max(opts.Concurrency, http.DefaultMaxIdleConnsPerHost)
		if !opts.AllowPrivate {
			publicOnly(t, checkAddr)
		}
		transport = t
	}
	f := &Fetcher{opts: opts, logger: logger}
	f.client = &http.Client{
		Transport: transport,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) > opts.MaxRedirects {
				return &fetchError{msg: fmt.Sprintf("stopped after %d redirects", opts.MaxRedirects), kind: ErrTooManyRedirects}
			}
			return nil
		},
	}
	return f
}

// Validators are the HTTP cache validators of a feed, stored exactly as the
// server sent them.
type Validators struct{ ETag, LastModified string }

// Request is one feed to fetch, with the validators of its last good fetch.
type Request struct {
	Feed       newsdigest.Feed
	Validators Validators
	// URL, when set, is fetched instead of Feed.URL: where the feed moved
	// permanently. Items keep Feed.URL in their identity, so a move never
	// makes old items look new.
	URL string
}

// Result is how one fetch went.
type Result struct {
	Feed        newsdigest.Feed
	Items       []newsdigest.Item // nil on 304 or error
	Status      int               // HTTP status, 0 if no response
	NotModified bool              // 304
	// Validators to store for the next fetch: the response's on success; on
	// 304 the ones sent unless the server sent new ones; on error the ones
	// sent, so that a broken body is fetched in full again.
	Validators Validators
	// Err is nil when OK; its text is for people: "timed out after 20s",
	// "HTTP 404 Not Found", "HTTP 429, retry after 1h", "body over 10 MB",
	// "not a feed: HTML page 'Home'", "stopped after 5 redirects", "parse: …".
	Err        error
	RetryAfter time.Duration // from Retry-After on 429/503, at most MaxNextPollAfter; 0 if none
	Duration   time.Duration
	Bytes      int64 // body bytes read (decompressed)
	// NextPollAfter is how long the server asked not to be polled again:
	// the larger of Cache-Control max-age and the RSS <ttl>, capped at
	// MaxNextPollAfter; 0 if it asked nothing. Set on success and on 304.
	NextPollAfter time.Duration
	// MovedTo is the final URL when every redirect followed was permanent
	// (301 or 308) and the body there was a valid feed: the URL to store
	// in place of Feed.URL. "" otherwise.
	MovedTo string
	// Gone is true on HTTP 410: the feed was removed and should not be
	// polled again.
	Gone bool
	// Truncated is true when the body was cut off and only its complete
	// items were kept; Validators are then the ones sent, so the next poll
	// fetches the whole feed again.
	Truncated bool
}

// MaxNextPollAfter caps how long a server can hold a feed's next poll
// back: Result.NextPollAfter (max-age, ttl) and Result.RetryAfter
// (Retry-After on 429 and 503), so that a mistaken or hostile header
// cannot silence a feed for long. A server that asks for more is polled
// again after MaxNextPollAfter, and may ask again.
const MaxNextPollAfter = 24 * time.Hour

// StatusError is a response whose status is neither 2xx nor 304.
type StatusError struct {
	Code int
	// RetryAfter is from Retry-After on 429/503, at most MaxNextPollAfter;
	// 0 if none.
	RetryAfter time.Duration
	// Asked is what Retry-After asked for when it was over the ceiling
	// (then RetryAfter is MaxNextPollAfter); 0 otherwise.
	Asked time.Duration
}

// Error reads "HTTP 404 Not Found", "HTTP 429, retry after 1h", or
// "HTTP 503, retry after 24h (asked 8760h; 24h at most)".
func (e *StatusError) Error() string {
	if e.Asked > e.RetryAfter {
		return fmt.Sprintf("HTTP %d, retry after %s (asked %s; %s at most)", e.Code,
			humanDuration(e.RetryAfter), humanDuration(e.Asked), humanDuration(MaxNextPollAfter))
	}
	if e.RetryAfter > 0 {
		return fmt.Sprintf("HTTP %d, retry after %s", e.Code, humanDuration(e.RetryAfter))
	}
	if text := http.StatusText(e.Code); text != "" {
		return fmt.Sprintf("HTTP %d %s", e.Code, text)
	}
	return fmt.Sprintf("HTTP %d", e.Code)
}

// fetchError carries a human-readable message while keeping its kind (one of
// the Err* values) and its cause reachable through errors.Is and errors.As.
type fetchError struct {
	msg   string
	kind  error
	cause error
}

func (e *fetchError) Error() string { return e.msg }

func (e *fetchError) Unwrap() []error {
	errs := make([]error, 0, 2)
	for _, err := range []error{e.kind, e.cause} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// Fetch does one conditional GET of req.Feed.URL within the configured
// timeout and size cap, and parses the body. Every failure is reported in
// Result.Err; Fetch never panics on any input.
func (f *Fetcher) Fetch(ctx context.Context, req Request) Result {
	start := time.Now()
	res := f.fetch(ctx, req)
	res.Duration = time.Since(start)
	if res.Err != nil {
		res.Items = nil
		res.Validators = req.Validators
	}
	f.logger.Debug("feed fetched", "feed", req.Feed.URL, "status", res.Status,
		"not_modified", res.NotModified, "items", len(res.Items), "bytes", res.Bytes,
		"duration", res.Duration, "error", res.Err)
	return res
}

func (f *Fetcher) fetch(ctx context.Context, req Request) Result {
	res := Result{Feed: req.Feed, Validators: req.Validators}
	reqCtx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()

	target := req.Feed.URL
	if req.URL != "" {
		target = req.URL
	}
	hreq, err := http.NewRequestWithContext(reqCtx, http.MethodGet, target, nil)
	if err != nil {
		res.Err = &fetchError{msg: "invalid URL: " + validUTF8(netfail.Unwrap(err).Error()), cause: err}
		return res
	}
	hreq.Header.Set("User-Agent", f.opts.UserAgent)
	hreq.Header.Set("Accept", acceptHeader)
	hreq.Header.Set("Accept-Encoding", "gzip")
	if req.Validators.ETag != "" {
		hreq.Header.Set("If-None-Match", req.Validators.ETag)
	}
	if req.Validators.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.Validators.LastModified)
	}

	resp, err := f.client.Do(hreq)
	if resp != nil {
		res.Status = resp.StatusCode
	}
	if err != nil {
		res.Err = f.transportError(ctx, reqCtx, err)
		return res
	}
	defer resp.Body.Close()

	switch code := resp.StatusCode; {
	case code == http.StatusNotModified:
		res.NotModified = true
		if v := resp.Header.Get("ETag"); v != "" {
			res.Validators.ETag = v
		}
		if v := resp.Header.Get("Last-Modified"); v != "" {
			res.Validators.LastModified = v
		}
		res.NextPollAfter = min(maxAge(resp.Header), MaxNextPollAfter)
		return res
	case code < 200 || code > 299:
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10) // lets the connection be reused
		se := &StatusError{Code: code}
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			asked, _ := netfail.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
			se.RetryAfter = min(asked, MaxNextPollAfter)
			if asked > MaxNextPollAfter {
				se.Asked = asked
			}
		}
		res.RetryAfter = se.RetryAfter
		res.Gone = code == http.StatusGone
		res.Err = se
		return res
	}

	body, err := f.readBody(resp)
	res.Bytes = int64(len(body))
	if err != nil {
		res.Err = f.transportError(ctx, reqCtx, err)
		return res
	}
	if res.Bytes > f.opts.MaxBytes {
		res.Err = &fetchError{msg: "body over " + humanSize(f.opts.MaxBytes), kind: ErrTooLarge}
		return res
	}
	parsed, err := parse(body, resp.Header.Get("Content-Type"), req.Feed, f.opts.Location)
	if err != nil {
		res.Err = err
		return res
	}
	res.Items = parsed.items
	res.NextPollAfter = min(max(maxAge(resp.Header), parsed.ttl), MaxNextPollAfter)
	res.MovedTo = permanentlyMovedTo(resp)
	res.Truncated = parsed.truncated
	if !parsed.truncated {
		res.Validators = Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	}
	return res
}

// maxAge is the Cache-Control max-age of a response, 0 if none, or if the
// response must not be cached at all.
func maxAge(h http.Header) time.Duration {
	var age time.Duration
	for _, directive := range strings.Split(strings.ToLower(strings.Join(h.Values("Cache-Control"), ",")), ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
		switch strings.TrimSpace(name) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			secs, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(value), `"`), 10, 64)
			if err == nil && secs > 0 {
				age = time.Duration(min(secs, int64(MaxNextPollAfter/time.Second))) * time.Second
			}
		}
	}
	return age
}

// permanentlyMovedTo is the final URL of resp when it was reached only
// through permanent redirects (301, 308), else "".
func permanentlyMovedTo(resp *http.Response) string {
	req := resp.Request
	if req == nil || req.Response == nil {
		return "" // no redirect
	}
	for r := req; r != nil && r.Response != nil; r = r.Response.Request {
		if code := r.Response.StatusCode; code != http.StatusMovedPermanently && code != http.StatusPermanentRedirect {
			return ""
		}
	}
	return req.URL.String()
}

// readBody reads at most MaxBytes+1 decompressed bytes of the body, so that
// neither a huge body nor a gzip bomb can use more memory than the cap.
func (f *Fetcher) readBody(resp *http.Response) ([]byte, error) {
	var r io.Reader = resp.Body
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		gz, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, &fetchError{msg: "gzip: " + err.Error(), cause: err}
		}
		defer gz.Close()
		r = gz
	}
	limit := min(f.opts.MaxBytes, math.MaxInt64-1) + 1
	var buf []byte
	if n := resp.ContentLength; n > 0 && n < limit && r == resp.Body {
		// The body's size is known: read it into one buffer of that size
		// (and a byte to see its end) instead of growing one by doubling,
		// which allocated twice the 64 MB of a 1,000-feed poll. A server
		// that sends less than it announced costs no more than one that
		// sends what it may (limit); one that sends more grows the buffer.
		buf = make([]byte, 0, n+1)
	}
	body, err := readAll(io.LimitReader(r, limit), buf)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		err = &fetchError{msg: "read body: " + err.Error(), cause: err}
	}
	return body, err
}

// readAll is io.ReadAll into b: it reads r to its end, appending to b, and
// grows b only when it is full.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // let append choose how to grow
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
	}
}

// transportError turns an error from the client or the body into the
// human-readable error of one cause.
func (f *Fetcher) transportError(ctx, reqCtx context.Context, err error) error {
	if ctx.Err() != nil {
		return &fetchError{msg: "stopped: " + ctx.Err().Error(), cause: ctx.Err()}
	}
	if errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
		return &fetchError{msg: "timed out after " + humanDuration(f.opts.Timeout), kind: ErrTimeout, cause: err}
	}
	var fe *fetchError
	if errors.As(err, &fe) {
		return fe
	}
	if ae := (*AddressError)(nil); errors.As(err, &ae) {
		return ae
	}
	return &fetchError{msg: validUTF8(netfail.Reason(err)), cause: err}
}

// humanDuration writes a duration without zero units: "20s", "1h",
// "1h30m", "1.5s"; sub-second values keep Go's form ("250ms").
func humanDuration(d time.Duration) string {
	s := d.String()
	if d >= time.Minute && d%time.Minute == 0 {
		s = strings.TrimSuffix(s, "0s")
		if d%time.Hour == 0 {
			s = strings.TrimSuffix(s, "0m")
		}
	}
	return s
}

// humanSize writes a byte count the way people say it: "10 MB", "1.5 MB",
// "512 KB", "100 bytes" (binary multiples).
func humanSize(n int64) string {
	format := func(v int64, unit int64, name string) string {
		if v%unit == 0 {
			return fmt.Sprintf("%d %s", v/unit, name)
		}
		return strconv.FormatFloat(float64(v)/float64(unit), 'f', 1, 64) + " " + name
	}
	switch {
	case n >= 1<<30:
		return format(n, 1<<30, "GB")
	case n >= 1<<20:
		return format(n, 1<<20, "MB")
	case n >= 1<<10:
		return format(n, 1<<10, "KB")
	}
	return fmt.Sprintf("%d bytes", n)
}

// FetchEach fetches reqs with at most concurrency requests at once. fn is
// called once per fetched request, with its index, from the worker
// goroutine that fetched it (so at most `concurrency` calls run at once),
// and nothing is retained after it returns: a run over many large feeds
// holds only what fn keeps. A broken feed never stops the others. Requests
// not started because ctx was cancelled get a "stopped: …" result.
//
// take, when not nil, chooses the requests: a worker asks take(i) just
// before it would fetch reqs[i] (in about the order of reqs) and skips the
// request when take says no; fn is called for taken requests only. This is
// how replicas claim feeds as their workers reach them, so that they share
// a poll's feeds.
func (f *Fetcher) FetchEach(ctx context.Context, reqs []Request, concurrency int, take func(i int) bool, fn func(i int, r Result)) {
	if len(reqs) == 0 {
		return
	}
	concurrency = max(1, min(concurrency, len(reqs)))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for i := range jobs {
				if take != nil && !take(i) {
					continue
				}
				fn(i, f.Fetch(ctx, reqs[i]))
			}
		})
	}
	next := 0
send:
	for ; next < len(reqs); next++ {
		select {
		case jobs <- next:
		case <-ctx.Done():
			break send
		}
	}
	close(jobs)
	wg.Wait()
	if take != nil {
		return // the requests never sent were never taken
	}
	for i := next; i < len(reqs); i++ {
		fn(i, Result{
			Feed:       reqs[i].Feed,
			Validators: reqs[i].Validators,
			Err:        &fetchError{msg: "stopped: " + ctx.Err().Error(), cause: ctx.Err()},
		})
	}
}
