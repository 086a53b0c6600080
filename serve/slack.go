package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/slack"
	"github.com/newsdigest/newsdigest/slashcmd"
)

// This file wires the /newsdigest slash command (package slashcmd) to its
// two transports: POST /slack/commands, Slack's signed request URL, here;
// Socket Mode in socket.go. Either way an answer is sent at once and the
// work of now and preview runs afterwards as a job, taking turns with the
// scheduled ones.

// MaxCommandBody caps a request to /slack/commands: Slack's forms are about
// a kilobyte.
const MaxCommandBody = 16 << 10

// Why a request to /slack/commands was refused: the values of
// newsdigest_slack_requests_refused_total's "reason" label.
const (
	refusedUnsigned  = "unsigned"
	refusedSignature = "bad_signature"
	refusedStale     = "stale"
	refusedReplay    = "replay"
	refusedTooLarge  = "too_large"
	refusedBadForm   = "bad_form"
)

// commandMetrics are the slash command's series, on the server's registry.
type commandMetrics struct {
	commands    *prometheus.CounterVec // subcommand, result
	refused     *prometheus.CounterVec // reason
	socketUp    prometheus.Gauge
	socketConns prometheus.Counter
}

func newCommandMetrics(reg *prometheus.Registry) *commandMetrics {
	m := &commandMetrics{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_slack_commands_total",
			Help: "Slash commands answered, by subcommand (now, preview, explain, feeds, help, unknown) and result (ok, usage, denied, busy, error).",
		}, []string{"subcommand", "result"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_slack_requests_refused_total",
			Help: "Requests to POST /slack/commands refused before reading the command, by reason (unsigned, bad_signature, stale, replay, too_large, bad_form).",
		}, []string{"reason"}),
		socketUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsdigest_slack_socket_connected", Help: "1 while the Socket Mode connection to Slack is open.",
		}),
		socketConns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "newsdigest_slack_socket_connections_total", Help: "Socket Mode connections opened (the first, and every reconnection).",
		}),
	}
	reg.MustRegister(m.commands, m.refused, m.socketUp, m.socketConns)
	for _, sub := range slashcmd.Subcommands {
		for _, r := range slashcmd.Results {
			m.commands.WithLabelValues(sub, r)
		}
	}
	for _, r := range []string{refusedUnsigned, refusedSignature, refusedStale, refusedReplay, refusedTooLarge, refusedBadForm} {
		m.refused.WithLabelValues(r)
	}
	return m
}

// setupCommands builds the slash command's handler when a transport is
// configured, and routes POST /slack/commands when the signing secret is set.
func (s *Server) setupCommands() error {
	if err := s.cfg.RequireCommands(); err != nil {
		return err
	}
	if !s.cfg.Slack.Commands() {
		return nil
	}
	s.cm = newCommandMetrics(s.m.reg)
	s.cmd = slashcmd.New(s.cfg, s.p, s, s.p.SlackClient, s.logger)
	s.cmd.Observe = func(sub, result string) { s.cm.commands.WithLabelValues(sub, result).Inc() }
	if s.cfg.Slack.SigningSecret != "" {
		s.replays = &replayCache{seen: map[string]time.Time{}}
		s.mux.HandleFunc("POST /slack/commands", s.handleSlackCommand)
	}
	return nil
}

// handleSlackCommand is Slack's request URL: a signed form, answered with
// the immediate reply as JSON. A request that is too large (413), unsigned,
// wrongly signed, stale or replayed (401) is refused before the command is
// read; the store is not touched.
func (s *Server) handleSlackCommand(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCommandBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.refuse(w, r, http.StatusRequestEntityTooLarge, refusedTooLarge)
			return
		}
		s.refuse(w, r, http.StatusBadRequest, refusedBadForm)
		return
	}
	now := time.Now()
	switch err := slack.Verify(s.cfg.Slack.SigningSecret, r.Header, body, now); {
	case errors.Is(err, slack.ErrUnsigned):
		s.refuse(w, r, http.StatusUnauthorized, refusedUnsigned)
		return
	case errors.Is(err, slack.ErrStale):
		s.refuse(w, r, http.StatusUnauthorized, refusedStale)
		return
	case err != nil:
		s.refuse(w, r, http.StatusUnauthorized, refusedSignature)
		return
	}
	if !s.replays.first(r.Header.Get("X-Slack-Signature"), now) {
		s.refuse(w, r, http.StatusUnauthorized, refusedReplay)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, refusedBadForm)
		return
	}
	reply, later := s.cmd.Handle(r.Context(), slack.CommandFromForm(form))
	s.startLater(later)
	writeJSON(w, http.StatusOK, reply)
}

// refuse answers a request to /slack/commands that is not read, and counts it.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, reason string) {
	s.cm.refused.WithLabelValues(reason).Inc()
	s.logger.Warn("request to /slack/commands refused", "reason", reason, "remote", r.RemoteAddr)
	writeJSON(w, status, errorBody{"refused: " + reason})
}

// startLater runs a command's later work as a job. Once the server stops it
// still runs, with a done context, so that it answers "stopping".
func (s *Server) startLater(later slashcmd.Later) {
	if later == nil {
		return
	}
	ctx, done, ok := s.startJob()
	if !ok {
		stopped, cancel := context.WithCancel(context.Background())
		cancel()
		ctx, done = stopped, func() {}
	}
	go func() {
		defer done()
		later(ctx)
	}()
}

// RunNow is `/newsdigest now`: an on-demand run (runOnDemand) of opts
// (slashcmd.Runner). It runs within a job (startLater).
func (s *Server) RunNow(ctx context.Context, opts pipeline.DigestOptions) (pipeline.DeliveryReport, error) {
	s.logger.Info("on-demand run from Slack", "topics", opts.Topics, "since", opts.Since, "channel", opts.Channel)
	poll, rep, err := s.runOnDemand(ctx, opts)
	switch {
	case errors.Is(err, errStopping):
		return rep, slashcmd.ErrStopping
	case poll == nil:
		return rep, fmt.Errorf("poll: %w", err)
	}
	return rep, err
}

// replayCache remembers the signatures of requests accepted within
// slack.MaxSignatureAge: the same signed request sent again is refused.
// Only correctly signed requests reach it, so only Slack can fill it.
type replayCache struct {
	mu   sync.Mutex
	seen map[string]time.Time // signature → when it stops mattering
}

// first records sig and reports whether it was not seen before.
func (c *replayCache) first(sig string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until, ok := c.seen[sig]; ok && now.Before(until) {
		return false
	}
	for k, until := range c.seen {
		if !now.Before(until) {
			delete(c.seen, k)
		}
	}
	// A request is fresh for MaxSignatureAge either side of now.
	c.seen[sig] = now.Add(2 * slack.MaxSignatureAge)
	return true
}
