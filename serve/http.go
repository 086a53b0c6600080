package serve

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/newsdigest/newsdigest/pipeline"
)

// Handler returns the HTTP API: GET /healthz, GET /metrics, POST /run and,
// when slack.signing_secret is set, POST /slack/commands.
// Other methods on those paths get 405, other paths 404.
func (s *Server) Handler() http.Handler { return s.mux }

// HTTPLimits bound what one client can hold of the HTTP server: without
// them an idle keep-alive connection is never closed, and a thousand of
// them hold a thousand file descriptors.
type HTTPLimits struct {
	ReadHeaderTimeout time.Duration // to read a request's line and headers
	ReadTimeout       time.Duration // to read a whole request, body included
	IdleTimeout       time.Duration // a keep-alive connection waits this long for its next request
	MaxHeaderBytes    int           // request line and headers
	MaxBodyBytes      int64         // request body, any endpoint (POST /slack/commands caps its own lower)
}

// DefaultHTTPLimits are the limits New sets. There is no write timeout:
// POST /run answers after a whole poll and Slack post, which can take
// minutes, and its answer is a few hundred bytes. Nor is there a cap on
// connections: a cap that a client fills with slow or idle connections
// shuts everyone else out (and /healthz fails); the timeouts bound how
// long each connection lasts, and limits per client belong to a proxy or
// firewall in front.
var DefaultHTTPLimits = HTTPLimits{
	ReadHeaderTimeout: 10 * time.Second,
	ReadTimeout:       30 * time.Second,
	IdleTimeout:       60 * time.Second,
	MaxHeaderBytes:    16 << 10,
	MaxBodyBytes:      64 << 10,
}

// httpServer returns the HTTP server of Run, within s.HTTP's limits.
func (s *Server) httpServer() *http.Server {
	lim := s.HTTP
	var h http.Handler = s.mux
	if lim.MaxBodyBytes > 0 {
		h = http.MaxBytesHandler(h, lim.MaxBodyBytes)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		IdleTimeout:       lim.IdleTimeout,
		MaxHeaderBytes:    lim.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
}

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{Registry: s.m.reg}))
	mux.HandleFunc("POST /run", s.handleRun)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// handleHealth answers 200 while the scheduler runs and the database
// answers, 503 otherwise; the body is the Status either way.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	st := s.Status()
	ctx, cancel := context.WithTimeout(r.Context(), healthDBTimeout)
	defer cancel()
	started := time.Now()
	st.Store.Driver = s.p.StoreDriver()
	if err := s.p.PingStore(ctx); err != nil {
		st.Store.Error = s.cfg.Redact(err.Error())
		if st.Status == "ok" {
			st.Status = "database unreachable"
		}
	} else {
		st.Store.OK = true
	}
	st.Store.Latency = time.Since(started).Round(time.Microsecond).String()
	code := http.StatusOK
	if st.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, st)
}

// healthDBTimeout bounds /healthz's look at the database.
const healthDBTimeout = 2 * time.Second

// RunResult is the body of POST /run: the poll's counts and what the digest
// posted per channel. Errors are redacted; it never carries a secret.
type RunResult struct {
	Poll     RunPoll      `json:"poll"`
	Channels []RunChannel `json:"channels"`
	Messages int          `json:"messages"` // Slack messages posted, all channels
	Items    int          `json:"items"`    // items they carried
	Error    string       `json:"error,omitempty"`
}

// RunPoll is the poll part of a RunResult.
type RunPoll struct {
	Feeds        int `json:"feeds"`
	OK           int `json:"ok"`
	NotModified  int `json:"not_modified"`
	Failed       int `json:"failed"`
	NotDue       int `json:"not_due"` // not fetched: the server asked for a later poll
	ItemsFetched int `json:"items_fetched"`
	ItemsNew     int `json:"items_new"`
	ItemsMatched int `json:"items_matched"`
}

// RunChannel is what one channel got.
type RunChannel struct {
	Channel  string `json:"channel"`
	Messages int    `json:"messages"`
	Items    int    `json:"items"`
	Error    string `json:"error,omitempty"`
}

type errorBody struct {
	Error string `json:"error"`
}

// authorized reports whether r carries the bearer token. Without a token
// set, only a request that reached a loopback address is authorized: the
// config refuses a tokenless non-loopback serve.listen, and this holds even
// when a listen name such as "localhost" resolves elsewhere. Both sides of
// the comparison are hashed first, so it takes the same time whatever the
// token's length.
func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.Serve.Token == "" {
		return reachedLoopback(r)
	}
	got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
	want := sha256.Sum256([]byte("Bearer " + s.cfg.Serve.Token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// reachedLoopback reports whether r came in on a loopback address.
func reachedLoopback(r *http.Request) bool {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	ap, err := netip.ParseAddrPort(addr.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// runOptions reads ?topic=a&topic=b (or topic=a,b) and ?since=6h; since
// may not exceed serve.max_since (default digest.lookback), so that a
// caller cannot flood the channel with old items the normal digest holds
// back. `run -since` on the command line is the operator and is not capped.
func (s *Server) runOptions(r *http.Request) (pipeline.DigestOptions, error) {
	var opts pipeline.DigestOptions
	q := r.URL.Query()
	for _, v := range q["topic"] {
		for _, name := range strings.Split(v, ",") {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" && !slices.Contains(opts.Topics, name) {
				opts.Topics = append(opts.Topics, name)
			}
		}
	}
	if _, err := s.cfg.SelectTopics(opts.Topics); err != nil {
		return opts, err
	}
	if v := q.Get("since"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return opts, fmt.Errorf("since must be a positive duration such as 6h, not %q", v)
		}
		if limit := s.cfg.Serve.MaxSince; limit > 0 && d > limit {
			return opts, fmt.Errorf("since=%s is longer than serve.max_since (%s); raise serve.max_since in the config to allow it", v, limit)
		}
		opts.Since = d
	}
	return opts, nil
}

// handleRun polls now, then posts the digest, and answers its summary: 200
// when everything was posted, 500 when the poll or a channel failed.
// On-demand runs take turns with each other and with the scheduled jobs.
func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	// Parameters come in the query; a body is read and dropped, within
	// HTTP.MaxBodyBytes (Run's server caps it).
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{fmt.Sprintf("request body over %d bytes; POST /run takes its parameters in the query", mbe.Limit)})
			return
		}
		writeJSON(w, http.StatusBadRequest, errorBody{"reading the request body failed"})
		return
	}
	if !s.authorized(r) {
		if s.cfg.Serve.Token == "" {
			writeJSON(w, http.StatusForbidden, errorBody{"POST /run without serve.token is served on loopback only; set serve.token"})
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="newsdigest"`)
		writeJSON(w, http.StatusUnauthorized, errorBody{"missing or wrong bearer token"})
		return
	}
	opts, err := s.runOptions(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
		return
	}
	ctx, done, ok := s.startJob()
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"not running"})
		return
	}
	defer done()
	s.logger.Info("on-demand run", "topics", opts.Topics, "since", opts.Since, "remote", r.RemoteAddr)
	var res RunResult
	poll, rep, err := s.runOnDemand(ctx, opts)
	switch {
	case errors.Is(err, errStopping) && poll == nil:
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"shutting down"})
		return
	case poll == nil:
		res.Error = s.cfg.Redact(err.Error())
		writeJSON(w, http.StatusInternalServerError, res)
		return
	}
	res.Poll = RunPoll{Feeds: len(poll.Feeds), ItemsFetched: poll.Summary.ItemsFetched,
		ItemsNew: poll.Summary.ItemsNew, ItemsMatched: poll.Summary.ItemsMatched}
	for _, f := range poll.Feeds {
		switch {
		case f.Failing():
			res.Poll.Failed++
		case !f.OK:
			res.Poll.NotDue++
		case f.NotModified:
			res.Poll.NotModified++
		default:
			res.Poll.OK++
		}
	}
	if errors.Is(err, errStopping) {
		// A stop signal arrived during the poll: no Slack post was started.
		res.Error = "shutting down: polled, but the digest was not posted"
		writeJSON(w, http.StatusServiceUnavailable, res)
		return
	}
	res.Channels = []RunChannel{}
	for _, c := range rep.Channels {
		rc := RunChannel{Channel: c.Channel, Messages: c.Messages, Items: c.Items}
		if c.Err != nil {
			rc.Error = s.cfg.Redact(c.Err.Error())
		}
		res.Channels = append(res.Channels, rc)
	}
	res.Messages, res.Items = rep.Totals()
	code := http.StatusOK
	if err != nil {
		res.Error = s.cfg.Redact(err.Error())
		code = http.StatusInternalServerError
	}
	writeJSON(w, code, res)
}
