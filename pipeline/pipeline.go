// Package pipeline runs newsdigest's jobs, one file each: the poll
// (poll.go: fetch every feed, classify new items, store them), the digest
// (deliver.go: select what each channel has not received, build, render,
// post to Slack, record, close the window — the exactly-once bookkeeping)
// and the alerts after each poll (alert.go: the stories that took off,
// posted once through deliver.go's path).
// cmd/newsdigest and serve wire it; it owns no flags and no output streams.
package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/store"
	"github.com/newsdigest/newsdigest/watcher"
)

// Pipeline holds what a poll and a digest need. Build it with New.
type Pipeline struct {
	cfg     *config.Config
	store   *store.Store
	fetcher *watcher.Fetcher
	matcher *classify.Matcher
	logger  *slog.Logger

	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Progress, when set, is called after each feed of a poll finishes.
	Progress func(done, total int, feed newsdigest.Feed)
	// Retry is how Slack calls are retried (DefaultRetry; tests shorten it).
	Retry Retry
	// SlackClient, when set, is the HTTP client of Slack calls (tests).
	SlackClient *http.Client
	// PostTimeout bounds one Slack post and the look for it when its answer
	// was lost (DefaultPostTimeout when zero); a stop does not cut it.
	PostTimeout time.Duration
	// LeaseTTL is how long the posting lease and a poll's feed claims
	// outlive their last heartbeat (DefaultLeaseTTL when zero).
	LeaseTTL time.Duration

	owner string // this process in the store's feed claims

	pollMu sync.Mutex // one poll at a time per process
}

// New wires a pipeline from a loaded config and an open store.
func New(cfg *config.Config, st *store.Store, logger *slog.Logger) (*Pipeline, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m, err := cfg.Matcher()
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if _, unknown := m.LearnedTopics(); len(unknown) > 0 {
		logger.Warn("the learned model does not know these topics; their terms alone match them (retrain it with newsdigest learn)",
			"model", cfg.Learned.Model, "topics", unknown)
	}
	f := watcher.New(watcher.Options{
		Location:  cfg.Location, // zone-less feed dates are read in the configured zone
		Timeout:   cfg.Fetch.Timeout,
		MaxBytes:  cfg.Fetch.MaxBytes,
		UserAgent: cfg.Fetch.UserAgent,
		// Off by default: feeds reach public addresses only.
		AllowPrivate: cfg.Fetch.AllowPrivate,
		Concurrency:  cfg.Fetch.Concurrency,
		Logger:       logger,
	})
	return &Pipeline{cfg: cfg, store: st, fetcher: f, matcher: m, logger: logger, Now: time.Now, Retry: DefaultRetry, owner: leaseOwner()}, nil
}

// Channel is the delivery-state key used for a topic: its own channel, the
// default channel, or "default" when Slack is not configured.
func (p *Pipeline) Channel(t newsdigest.Topic) string {
	switch {
	case t.Channel != "":
		return t.Channel
	case p.cfg.Slack.Channel != "":
		return p.cfg.Slack.Channel
	case p.cfg.Slack.WebhookURL != "":
		return "webhook"
	default:
		return "default"
	}
}

// Prune deletes items older than the configured retention and logs what it
// did. A failure is only logged: the next run prunes again.
func (p *Pipeline) Prune(ctx context.Context) {
	n, err := p.store.Prune(ctx, p.Now().Add(-p.cfg.Store.Retention))
	switch {
	case err != nil:
		p.logger.Warn("prune failed", "err", err)
	case n > 0:
		p.logger.Info("pruned old items", "items", n)
	}
}

// StoreDriver names the store's engine: sqlite or postgres.
func (p *Pipeline) StoreDriver() string { return p.store.Driver() }

// PingStore checks that the store's database answers.
func (p *Pipeline) PingStore(ctx context.Context) error { return p.store.Ping(ctx) }

// SelectTopics returns the configured topics that names lists (all when
// none); an unknown name is a *config.UnknownTopicError.
func (p *Pipeline) SelectTopics(names []string) ([]newsdigest.Topic, error) {
	return p.cfg.SelectTopics(names)
}

// channelGroup is one delivery channel and what goes to it: topics for a
// digest, rules for alerts.
type channelGroup[T any] struct {
	name  string
	items []T
}

type channelTopics = channelGroup[newsdigest.Topic]

// channels groups topics by the channel that receives them, in config order.
func (p *Pipeline) channels(topics []newsdigest.Topic) []channelTopics {
	return groupByChannel(topics, p.Channel)
}

// groupByChannel groups xs by the channel each goes to, channels in order
// of first appearance.
func groupByChannel[T any](xs []T, channel func(T) string) []channelGroup[T] {
	var out []channelGroup[T]
	index := map[string]int{}
	for _, x := range xs {
		ch := channel(x)
		i, ok := index[ch]
		if !ok {
			i = len(out)
			index[ch] = i
			out = append(out, channelGroup[T]{name: ch})
		}
		out[i].items = append(out[i].items, x)
	}
	return out
}

func (p *Pipeline) location() *time.Location {
	if p.cfg.Location != nil {
		return p.cfg.Location
	}
	return time.UTC
}
