// Package serve runs newsdigest as a service: the poll and digest jobs on
// their cron schedules, on-demand runs over HTTP and from Slack's
// /newsdigest command (Socket Mode or the request URL), health and
// Prometheus metrics, and a shutdown that lets an in-flight Slack post
// finish.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/slashcmd"
)

// DefaultGrace is how long shutdown waits for a Slack post in flight.
const DefaultGrace = 10 * time.Second

// Server schedules and serves one pipeline. Build it with New, then call Run.
type Server struct {
	cfg    *config.Config
	p      *pipeline.Pipeline
	logger *slog.Logger
	m      *metrics
	mux    *http.ServeMux

	pollSched, digestSched cron.Schedule

	// Grace bounds how long Run waits, after its ctx is cancelled, for a
	// job in progress to finish the Slack post it has in flight. New sets
	// DefaultGrace.
	Grace time.Duration
	// HTTP bounds the HTTP server's connections. New sets
	// DefaultHTTPLimits; Run reads it once.
	HTTP HTTPLimits

	// jobMu makes polls and digests take turns within the process: a digest
	// waits for a poll in progress so that it carries the poll's items, and
	// two on-demand runs never post the same items. (Deliver's store lease
	// does the same between processes.)
	jobMu sync.Mutex

	mu       sync.Mutex // guards what follows
	running  bool       // the scheduler runs
	stopping bool       // no new jobs start
	jobCtx   context.Context
	jobs     sync.WaitGroup
	cron     *cron.Cron
	pollID   cron.EntryID
	digestID cron.EntryID
	lastPoll *pipeline.PollReport // feeds of the last successful poll, for the digest's coverage
	poll     JobStatus
	digest   JobStatus

	// The slash command (slack.go, socket.go); nil when not configured.
	cmd     *slashcmd.Handler
	cm      *commandMetrics
	replays *replayCache
	alerts  *AlertStatus // nil without alert rules
}

// New checks that cfg can be served (feeds, Slack, schedules) and returns a
// Server for p. p must have been built from cfg.
func New(cfg *config.Config, p *pipeline.Pipeline, logger *slog.Logger) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.RequireFeeds(); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if err := cfg.RequireSlack(); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s := &Server{cfg: cfg, p: p, logger: logger, Grace: DefaultGrace, HTTP: DefaultHTTPLimits}
	var err error
	if s.pollSched, err = cron.ParseStandard(cfg.Schedule.Poll); err != nil {
		return nil, fmt.Errorf("serve: schedule.poll %q: %w", cfg.Schedule.Poll, err)
	}
	if s.digestSched, err = cron.ParseStandard(cfg.Schedule.Digest); err != nil {
		return nil, fmt.Errorf("serve: schedule.digest %q: %w", cfg.Schedule.Digest, err)
	}
	s.poll.Schedule, s.digest.Schedule = cfg.Schedule.Poll, cfg.Schedule.Digest

	var topics, channels []string
	seen := map[string]bool{}
	for _, t := range cfg.Topics {
		topics = append(topics, t.Name)
		if ch := p.Channel(t); !seen[ch] {
			seen[ch] = true
			channels = append(channels, ch)
		}
	}
	var rules []string
	for _, r := range p.AlertRules() {
		rules = append(rules, r.Name)
	}
	if len(rules) > 0 {
		s.alerts = &AlertStatus{Rules: rules}
	}
	s.m = newMetrics(topics, channels, rules)
	s.mux = s.routes()
	if err := s.setupCommands(); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	return s, nil
}

func (s *Server) location() *time.Location {
	if s.cfg.Location != nil {
		return s.cfg.Location
	}
	return time.UTC
}

// Run starts the schedules and serves HTTP on ln until ctx is cancelled or
// serving fails. Then it stops the scheduler, stops accepting requests, and
// tells jobs in progress to start nothing new (a Slack post in flight still
// finishes and is recorded); it returns once no job uses the pipeline any
// more, or after Grace. A cancelled ctx is a clean stop: Run returns nil.
// Run can be called once.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	loc := s.location()
	s.loadLastAlert(ctx)
	c := cron.New(cron.WithLocation(loc), cron.WithLogger(cronLogger{s.logger}), cron.WithChain(cron.Recover(cronLogger{s.logger})))
	skip := cron.NewChain(cron.SkipIfStillRunning(cronLogger{s.logger}))

	s.mu.Lock()
	if s.cron != nil || s.stopping {
		s.mu.Unlock()
		return errors.New("serve: Run called twice")
	}
	s.jobCtx, s.cron = jobCtx, c
	s.pollID = c.Schedule(s.pollSched, skip.Then(cron.FuncJob(s.pollJob)))
	s.digestID = c.Schedule(s.digestSched, cron.FuncJob(s.digestJob))
	s.running = true
	s.mu.Unlock()
	socketDone := s.startSocket(jobCtx)

	hs := s.httpServer()
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	c.Start()
	now := time.Now().In(loc)
	s.logger.Info("serving", "addr", ln.Addr().String(), "timezone", loc.String(),
		"poll", s.cfg.Schedule.Poll, "next_poll", s.pollSched.Next(now).Format(time.RFC3339),
		"digest", s.cfg.Schedule.Digest, "next_digest", s.digestSched.Next(now).Format(time.RFC3339))

	var err error
	select {
	case <-ctx.Done():
		s.logger.Info("shutting down", "grace", s.Grace)
	case err = <-serveErr:
		err = fmt.Errorf("serve: http: %w", err)
		s.logger.Error("HTTP server failed; shutting down", "err", err)
	}

	// No new work: neither scheduled nor on demand.
	s.mu.Lock()
	s.running, s.stopping = false, true
	s.mu.Unlock()
	cronDone := c.Stop()

	// Jobs under way start nothing new: a poll stops fetching, a digest
	// posts no further message. A Slack post in flight is never cut (Slack
	// may be processing it): it finishes, or is looked for in the channel,
	// within pipeline.PostTimeout, and is recorded. Run waits for that
	// within Grace; a job still running then finishes on its own, and what
	// it could not record is settled by the next run.
	cancelJobs()
	graceCtx, cancelGrace := context.WithTimeout(context.Background(), s.Grace)
	defer cancelGrace()
	shutdownDone := make(chan error, 1)
	go func() { shutdownDone <- hs.Shutdown(graceCtx) }()
	jobsDone := make(chan struct{})
	go func() { s.jobs.Wait(); close(jobsDone) }()
	select {
	case <-jobsDone:
	case <-graceCtx.Done():
		s.logger.Warn("a job was still running after the grace period; stopping without it (the next run settles what it could not record)")
	}
	awaitSocket(graceCtx, socketDone)
	if serr := <-shutdownDone; serr != nil {
		hs.Close()
	}
	select {
	case <-cronDone.Done(): // over with the jobs: each is counted in s.jobs
	case <-time.After(time.Second):
	}
	if err == nil {
		s.logger.Info("stopped")
	}
	return err
}

// startJob registers a job and returns its context, or ok=false when the
// server is stopping (or not started).
func (s *Server) startJob() (ctx context.Context, done func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping || s.jobCtx == nil {
		return nil, nil, false
	}
	s.jobs.Add(1)
	return s.jobCtx, s.jobs.Done, true
}

// isStopping reports whether shutdown has begun.
func (s *Server) isStopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopping
}

// pollJob is the scheduled poll.
func (s *Server) pollJob() { s.pollJobAt(scheduledTick(s.pollSched, time.Now().In(s.location()))) }

// pollJobAt is the scheduled poll of tick: with several replicas, each
// feed is polled once per tick between them (pipeline.PollTick).
func (s *Server) pollJobAt(tick time.Time) {
	ctx, done, ok := s.startJob()
	if !ok {
		return
	}
	defer done()
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	if s.isStopping() || ctx.Err() != nil {
		return // queued behind another job while shutdown began
	}
	if _, err := s.runPoll(ctx, tick); err == nil && !s.isStopping() {
		s.runAlerts(ctx)
	}
}

// scheduledTick is the schedule's time that a job starting at now was
// scheduled for: the same on every replica, whenever each one's timer
// fired. For a cron spec it is the latest activation at or before now
// (within a day); for "@every D" it is now rounded down to a multiple of D
// (since the Unix epoch), so that replicas agree on it too.
func scheduledTick(sched cron.Schedule, now time.Time) time.Time {
	if every, ok := sched.(cron.ConstantDelaySchedule); ok {
		return now.Truncate(every.Delay)
	}
	now = now.Truncate(time.Second)
	tick := now
	for t := sched.Next(now.Add(-24 * time.Hour)); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		tick = t
	}
	return tick
}

// errStopping: a stop came before the on-demand run could start, or
// between its poll and its posts.
var errStopping = errors.New("serve: shutting down")

// runOnDemand is an on-demand run — POST /run, or /newsdigest now: a poll,
// the alert rules (as after every poll), then the digest of opts, in turn
// with the scheduled jobs. poll is nil when the poll did not happen or
// failed; err is errStopping when a stop came first, or between the poll
// and the posts (then nothing was posted).
func (s *Server) runOnDemand(ctx context.Context, opts pipeline.DigestOptions) (*pipeline.PollReport, pipeline.DeliveryReport, error) {
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	if s.isStopping() || ctx.Err() != nil {
		return nil, pipeline.DeliveryReport{}, errStopping
	}
	poll, err := s.runPoll(ctx, time.Time{})
	if err != nil {
		return nil, pipeline.DeliveryReport{}, err
	}
	if !s.isStopping() {
		s.runAlerts(ctx) // its outcome is in /healthz
	}
	if s.isStopping() {
		return &poll, pipeline.DeliveryReport{}, errStopping
	}
	rep, err := s.runDeliver(ctx, opts, &poll)
	return &poll, rep, err
}

// digestJob is the scheduled digest: everything since the last successful
// digest, with the last poll's feed coverage.
func (s *Server) digestJob() {
	s.digestJobAt(scheduledTick(s.digestSched, time.Now().In(s.location())))
}

// digestJobAt is the scheduled digest of tick: with several replicas, one
// digest per channel per tick between them (pipeline.DigestOptions.Tick).
func (s *Server) digestJobAt(tick time.Time) {
	ctx, done, ok := s.startJob()
	if !ok {
		return
	}
	defer done()
	s.awaitPollDue(ctx, tick)
	s.jobMu.Lock()
	defer s.jobMu.Unlock()
	if s.isStopping() || ctx.Err() != nil {
		return // queued behind another job while shutdown began
	}
	s.mu.Lock()
	var cov *pipeline.PollReport
	if s.lastPoll != nil {
		cov = &pipeline.PollReport{Feeds: s.lastPoll.Feeds}
	}
	s.mu.Unlock()
	s.runDeliver(ctx, pipeline.DigestOptions{Tick: tick}, cov)
}

// pollWait bounds how long a digest waits for a poll due at the same time
// to start (it may have been skipped because the one before still runs).
const pollWait = 2 * time.Second

// awaitPollDue returns once a poll due at the same time as a digest due at
// due has started, so that the digest, queued behind it on s.jobMu, carries
// its items: both jobs fire at once on such ticks (say */15 * * * * and
// 0 8 * * *), in no set order. It returns at once when no poll is due then.
func (s *Server) awaitPollDue(ctx context.Context, due time.Time) {
	if !s.pollSched.Next(due.Add(-time.Second)).Equal(due) {
		return
	}
	deadline := time.Now().Add(pollWait)
	for {
		s.mu.Lock()
		started := !s.poll.LastStarted.Before(due)
		s.mu.Unlock()
		if started || time.Now().After(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// runPoll polls for tick (zero: on demand), records the outcome and prunes
// the store. s.jobMu is held.
func (s *Server) runPoll(ctx context.Context, tick time.Time) (pipeline.PollReport, error) {
	started := time.Now()
	s.mu.Lock()
	s.poll.LastStarted, s.poll.Running = started, true
	s.mu.Unlock()

	rep, err := s.p.PollTick(ctx, tick)
	s.m.observePoll(rep, err)
	finished := time.Now()

	s.mu.Lock()
	s.poll.LastFinished, s.poll.Running, s.poll.LastError = finished, false, ""
	if err != nil {
		s.poll.LastError = s.cfg.Redact(err.Error())
	} else {
		s.poll.LastSuccess = finished
		s.lastPoll = &rep
	}
	s.mu.Unlock()
	if err != nil {
		s.logger.Error("poll failed", "err", s.cfg.Redact(err.Error()))
		return rep, err
	}
	s.p.Prune(ctx)
	return rep, nil
}

// runDeliver posts the digest and records the outcome. s.jobMu is held.
func (s *Server) runDeliver(ctx context.Context, opts pipeline.DigestOptions, poll *pipeline.PollReport) (pipeline.DeliveryReport, error) {
	started := time.Now()
	s.mu.Lock()
	s.digest.LastStarted, s.digest.Running = started, true
	s.mu.Unlock()

	rep, err := s.p.Deliver(ctx, opts, poll)
	finished := time.Now()
	s.m.observeDigest(rep, err, float64(finished.UnixNano())/1e9)

	s.mu.Lock()
	s.digest.LastFinished, s.digest.Running, s.digest.LastError = finished, false, ""
	if err != nil {
		s.digest.LastError = s.cfg.Redact(err.Error())
	} else {
		s.digest.LastSuccess = finished
	}
	s.mu.Unlock()
	if err != nil {
		s.logger.Error("digest failed", "err", s.cfg.Redact(err.Error()))
	}
	return rep, err
}

// runAlerts checks the alert rules after a poll and records the outcome.
// s.jobMu is held.
func (s *Server) runAlerts(ctx context.Context) (pipeline.AlertReport, error) {
	if s.alerts == nil {
		return pipeline.AlertReport{}, nil
	}
	rep, err := s.p.Alert(ctx)
	s.m.observeAlerts(rep, err)
	held := 0
	for _, c := range rep.Channels {
		held += len(c.Held)
	}
	// The last alert is read before the status changes, so that /healthz
	// never shows this check without the alert it posted.
	last := s.lastAlert(ctx)
	s.mu.Lock()
	s.alerts.LastChecked, s.alerts.LastError, s.alerts.Held = time.Now(), "", held
	if err != nil {
		s.alerts.LastError = s.cfg.Redact(err.Error())
	}
	if last != nil {
		s.alerts.Last = last
	}
	s.mu.Unlock()
	if err != nil {
		s.logger.Error("alerts failed", "err", s.cfg.Redact(err.Error()))
	}
	return rep, err
}

// cronLogger sends robfig/cron's messages to slog: its info (job starts,
// skips) at debug level, its errors (recovered panics) at error level.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
