package slashcmd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/slack"
)

// Results, the values of the metrics' "result" label.
const (
	ResultOK     = "ok"
	ResultUsage  = "usage"  // the text could not be read: the usage was shown
	ResultDenied = "denied" // another workspace, or not allowed to run now here
	ResultBusy   = "busy"   // too many commands waiting
	ResultError  = "error"  // it failed: Slack, the store, or a digest not fully posted
)

// Results lists every result.
var Results = []string{ResultOK, ResultUsage, ResultDenied, ResultBusy, ResultError}

// Runner runs the on-demand digest of `now`: poll, then post opts's digest,
// taking turns with the scheduled jobs. serve implements it.
type Runner interface {
	RunNow(ctx context.Context, opts pipeline.DigestOptions) (pipeline.DeliveryReport, error)
}

// AnswerRetry retries a later answer within its 10 s.
var AnswerRetry = pipeline.Retry{Max: 2, Base: 500 * time.Millisecond, MaxWait: 2 * time.Second, MaxRetryAfter: 5 * time.Second}

// MaxPending is how many now and preview commands may be under way at once;
// more are answered "busy" rather than queued without bound.
const MaxPending = 4

// checkTimeout bounds what is looked up before the immediate answer (the
// workspace, an allowed channel's ID): Slack waits 3 s for it.
const checkTimeout = 2 * time.Second

// Handler answers /newsdigest. Build it with New.
type Handler struct {
	cfg       *config.Config
	p         *pipeline.Pipeline
	run       Runner
	responder *slack.Responder
	bot       *slack.Bot
	logger    *slog.Logger
	pending   chan struct{}

	// Retry is how a later answer is retried (AnswerRetry; tests shorten
	// it). An answer whose outcome is unknown may be shown twice: it is
	// ephemeral, and a lost one would be worse.
	Retry pipeline.Retry

	// Observe, when set, is told each command's subcommand and result
	// (metrics). now and preview are observed when their work is done.
	Observe func(sub, result string)

	teamMu sync.Mutex
	team   string // the workspace, from config or auth.test
}

// New returns the command's handler. client (nil for a default) makes the
// Slack calls: auth.test, and the answers at response_urls.
func New(cfg *config.Config, p *pipeline.Pipeline, run Runner, client *http.Client, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{
		cfg: cfg, p: p, run: run, logger: logger,
		responder: slack.NewResponder(cfg.Slack.APIURL, client),
		bot:       slack.NewBot(cfg.Slack.Token, cfg.Slack.APIURL, client),
		pending:   make(chan struct{}, MaxPending),
		Retry:     AnswerRetry,
		team:      cfg.Slack.TeamID,
	}
}

// Later is work to do after the immediate answer, which answers at the
// command's response_url. The caller runs it on its own goroutine, with a
// context that ends when the service stops.
type Later func(ctx context.Context)

// Handle answers cmd: the reply to send at once (within Slack's 3 s: the
// request URL's response, or the Socket Mode acknowledgement), and, for now
// and preview, the work to run afterwards (nil otherwise). It never fails:
// every problem is an answer.
func (h *Handler) Handle(ctx context.Context, cmd slack.Command) (slack.Reply, Later) {
	parsed, perr := Parse(cmd.Text, h.maxSince())
	log := h.logger.With("subcommand", parsed.Sub, "user", cmd.UserID, "channel", cmd.ChannelID)
	done := func(result string) {
		log.Info("slash command", "result", result)
		if h.Observe != nil {
			h.Observe(parsed.Sub, result)
		}
	}
	check, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	if reply, ok := h.checkTeam(check, cmd); !ok {
		done(ResultDenied)
		return reply, nil
	}
	if perr != nil {
		done(ResultUsage)
		return slack.Ephemeral(fmt.Sprintf("%s.\n%s", capitalize(perr.Error()), h.usage(cmd.Command))), nil
	}
	if parsed.Sub == SubNow || parsed.Sub == SubPreview {
		if _, err := h.cfg.SelectTopics(parsed.Topics); err != nil {
			done(ResultUsage)
			return slack.Ephemeral(fmt.Sprintf("%s.\nTopics: %s.", capitalize(err.Error()), strings.Join(h.topicNames(), ", "))), nil
		}
	}
	switch parsed.Sub {
	case SubHelp:
		done(ResultOK)
		return slack.Ephemeral(h.usage(cmd.Command)), nil
	case SubFeeds:
		text, err := h.feeds(ctx)
		if err != nil {
			log.Error("slash command: coverage", "err", h.cfg.Redact(err.Error()))
			done(ResultError)
			return slack.Ephemeral("Could not read the feeds' state; the service log says why."), nil
		}
		done(ResultOK)
		return slack.Ephemeral(text), nil
	case SubExplain:
		text, err := h.explain(ctx, parsed.Arg)
		if err != nil {
			log.Error("slash command: explain", "err", h.cfg.Redact(err.Error()))
			done(ResultError)
			return slack.Ephemeral("Could not read the store; the service log says why."), nil
		}
		done(ResultOK)
		return slack.Ephemeral(text), nil
	case SubNow:
		if reply, ok := h.mayPost(check, cmd); !ok {
			done(ResultDenied)
			return reply, nil
		}
	}
	// now and preview: answered when done, one at a time per slot.
	select {
	case h.pending <- struct{}{}:
	default:
		done(ResultBusy)
		return slack.Ephemeral("Too many digests are being prepared; try again in a minute."), nil
	}
	opts := pipeline.DigestOptions{Topics: parsed.Topics, Since: parsed.Since, Channel: cmd.ChannelID}
	if parsed.Sub == SubPreview {
		return slack.Ephemeral("Preparing your preview of " + describe(opts) + "; only you will see it."), func(ctx context.Context) {
			defer func() { <-h.pending }()
			done(h.preview(ctx, log, cmd, opts))
		}
	}
	return slack.Ephemeral(fmt.Sprintf("Polling %d feeds, then posting %s here.", len(h.cfg.Feeds), describe(opts))), func(ctx context.Context) {
		defer func() { <-h.pending }()
		done(h.now(ctx, log, cmd, opts))
	}
}

// maxSince caps "since" as for POST /run: serve.max_since (by default the
// digest's lookback).
func (h *Handler) maxSince() time.Duration {
	return cmp.Or(h.cfg.Serve.MaxSince, h.cfg.Digest.Lookback)
}

// checkTeam refuses a command from another workspace than the bot's.
func (h *Handler) checkTeam(ctx context.Context, cmd slack.Command) (slack.Reply, bool) {
	h.teamMu.Lock()
	defer h.teamMu.Unlock()
	if h.team == "" {
		team, err := h.bot.TeamID(ctx)
		if err != nil {
			h.logger.Error("slash command: cannot learn the bot's workspace (auth.test); set slack.team_id", "err", h.cfg.Redact(err.Error()))
			return slack.Ephemeral("newsdigest could not check which workspace it serves; try again in a minute."), false
		}
		h.team = team
	}
	if cmd.TeamID != h.team {
		h.logger.Warn("slash command from another workspace refused", "team", cmd.TeamID)
		return slack.Ephemeral("This newsdigest does not serve this workspace."), false
	}
	return slack.Reply{}, true
}

// mayPost applies slack.allowed_users and slack.allowed_channels to now.
func (h *Handler) mayPost(ctx context.Context, cmd slack.Command) (slack.Reply, bool) {
	s := h.cfg.Slack
	if len(s.AllowedUsers) > 0 && !slices.Contains(s.AllowedUsers, cmd.UserID) {
		return slack.Ephemeral("You are not among the users who may post a digest on demand (slack.allowed_users); preview shows it to you alone."), false
	}
	if len(s.AllowedChannels) == 0 {
		return slack.Reply{}, true
	}
	for _, ch := range s.AllowedChannels {
		is, err := h.p.ChannelIs(ctx, ch, cmd.ChannelID)
		if err != nil {
			h.logger.Error("slash command: cannot check slack.allowed_channels", "channel", ch, "err", h.cfg.Redact(err.Error()))
			return slack.Ephemeral("newsdigest could not check where it may post; try again in a minute."), false
		}
		if is {
			return slack.Reply{}, true
		}
	}
	return slack.Ephemeral("A digest cannot be posted on demand in this channel (slack.allowed_channels); preview shows it to you alone."), false
}

// now polls and posts, then says how it went.
func (h *Handler) now(ctx context.Context, log *slog.Logger, cmd slack.Command, opts pipeline.DigestOptions) string {
	rep, err := h.run.RunNow(ctx, opts)
	msgs, items := rep.Totals()
	var text string
	result := ResultOK
	switch {
	case errors.Is(err, ErrStopping):
		text, result = "newsdigest is stopping; nothing was posted. Try again in a minute.", ResultError
	case err != nil:
		log.Error("slash command: now", "err", h.cfg.Redact(err.Error()))
		text, result = "The digest was not fully posted: "+slack.Escape(h.cfg.Redact(err.Error())), ResultError
		if msgs > 0 {
			text += fmt.Sprintf(" (%d %s posted; the next digest brings the rest)", msgs, newsdigest.Plural(msgs, "message was", "messages were"))
		}
	case msgs == 0:
		text = "Nothing new for " + describe(opts) + " here."
	default:
		text = fmt.Sprintf("Posted %d %s with %d %s.", msgs, newsdigest.Plural(msgs, "message", "messages"), items, newsdigest.Plural(items, "item", "items"))
	}
	h.respond(ctx, log, cmd, slack.Ephemeral(slack.FitReply(text)))
	return result
}

// ErrStopping is what a Runner answers when the service stops before the
// digest could start.
var ErrStopping = errors.New("stopping")

// preview answers with the channel's digest as it would be posted, to the
// caller alone; nothing is recorded.
func (h *Handler) preview(ctx context.Context, log *slog.Logger, cmd slack.Command, opts pipeline.DigestOptions) string {
	d, err := h.p.Digest(ctx, opts, nil)
	if err != nil {
		log.Error("slash command: preview", "err", h.cfg.Redact(err.Error()))
		h.respond(ctx, log, cmd, slack.Ephemeral("Could not build the preview; the service log says why."))
		return ResultError
	}
	msgs := slack.Messages(d, slack.Options{MaxPerTopic: h.cfg.Digest.MaxPerTopic, PostEmpty: true})
	// A response_url takes 5 answers: the last one may have to say what
	// did not fit.
	const most = 5
	if len(msgs) > most {
		rest := len(msgs) - (most - 1)
		msgs = append(msgs[:most-1], slack.Message{Text: fmt.Sprintf("…and %d more %s: `newsdigest run -dry-run` prints the whole digest.", rest, newsdigest.Plural(rest, "message", "messages"))})
	}
	result := ResultOK
	for _, m := range msgs {
		if !h.respond(ctx, log, cmd, slack.EphemeralMessage(m)) {
			result = ResultError
			break
		}
	}
	return result
}

// respond sends a later answer, within its own time even once ctx ends (a
// stop), and logs a failure; it reports whether Slack took it.
func (h *Handler) respond(ctx context.Context, log *slog.Logger, cmd slack.Command, r slack.Reply) bool {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := h.Retry.Do(rctx, log, func(ctx context.Context) error {
		return h.responder.Respond(ctx, cmd.ResponseURL, r)
	})
	if err != nil {
		log.Error("slash command: answer not delivered", "err", h.cfg.Redact(err.Error()))
		return false
	}
	return true
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
