package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/store"
)

// digestLease is the store lease held while a digest is selected and posted,
// so that two processes (serve and a manual run) never post the same items.
// The lease is renewed before each channel; one channel's post, with every
// retry and Retry-After wait, stays well under the TTL.
const (
	digestLease    = "digest"
	digestLeaseTTL = 30 * time.Minute
)

// windowOverlap reaches a channel's selection back before its window: an
// item is first seen when its feed is fetched but committed only when the
// whole poll is saved, so a digest running meanwhile in another process
// (serve beside a manual run) cannot see it although its first-seen time
// falls in that digest's window. Delivered items are never selected again,
// so the overlap costs nothing but catches those. It must exceed the longest
// poll.
const windowOverlap = time.Hour

// selectFrom is where a channel's selection starts: its window, reaching
// back windowOverlap unless the window was given with -since or is a dry
// run's (which follows no earlier digest).
func selectFrom(from time.Time, opts DigestOptions) time.Time {
	if opts.Since > 0 || opts.DryRun {
		return from
	}
	return from.Add(-windowOverlap)
}

// ChannelReport is how the digest went for one Slack channel.
type ChannelReport struct {
	Channel  string         `json:"channel"`
	Items    int            `json:"items"`    // items carried by the messages posted
	Messages int            `json:"messages"` // messages Slack confirmed
	Digest   *digest.Digest `json:"-"`
	Err      error          `json:"-"`
}

// DeliveryReport is how a whole digest went.
type DeliveryReport struct {
	Channels []ChannelReport
}

// Posted is the number of messages Slack confirmed.
func (r DeliveryReport) Posted() int {
	n := 0
	for _, c := range r.Channels {
		n += c.Messages
	}
	return n
}

// poster returns the configured Slack poster: a test's, a bot's or a
// webhook's. It reports whether it can thread.
func (p *Pipeline) poster() (digest.Poster, bool, error) {
	if err := p.cfg.RequireSlack(); err != nil {
		return nil, false, err
	}
	s := p.cfg.Slack
	opts := append([]digest.PosterOption{digest.WithLogger(p.logger)}, p.PosterOptions...)
	if s.Token != "" {
		return digest.NewBotPoster(s.Token, s.APIURL, opts...), true, nil
	}
	return digest.NewWebhookPoster(s.WebhookURL, opts...), false, nil
}

// Deliver builds the digest of what each channel has not received yet and
// posts it to Slack, channel by channel. Items are marked delivered message by
// message, only once Slack confirmed the message carrying them, and a
// channel's window advances only when its whole digest was posted: a failure
// leaves what was not posted for the next digest. One channel failing does
// not stop the others; the error joins every channel's failure.
func (p *Pipeline) Deliver(ctx context.Context, opts DigestOptions, poll *PollReport) (DeliveryReport, error) {
	var rep DeliveryReport
	poster, threads, err := p.poster()
	if err != nil {
		return rep, err
	}
	topics, err := p.selectTopics(opts.Topics)
	if err != nil {
		return rep, err
	}
	lease, err := p.acquireDigestLease(ctx)
	if err != nil {
		return rep, err
	}
	defer lease.release()

	now := p.Now()
	var errs []error
	for _, ch := range p.channels(topics) {
		cr := ChannelReport{Channel: ch.name}
		// Renew the lease before each channel: a digest slowed by Slack's
		// retries must never outlive it, or another process could post the
		// same items.
		if err := lease.renew(ctx); err != nil {
			errs = append(errs, err)
			break
		}
		d, from, err := p.channelDigest(ctx, ch.name, ch.topics, opts, poll, now)
		if err != nil {
			cr.Err = err
			errs = append(errs, err)
			rep.Channels = append(rep.Channels, cr)
			continue
		}
		cr.Digest = d
		msgs := d.SlackMessages(digest.SlackOptions{MaxPerTopic: p.cfg.Digest.MaxPerTopic, Threads: threads, PostEmpty: p.cfg.Digest.PostEmpty})
		posted, err := digest.Deliver(ctx, poster, recorder{p.store, p.Now}, ch.name, msgs)
		cr.Messages = posted
		for _, m := range msgs[:posted] {
			cr.Items += len(m.ItemIDs)
		}
		if err != nil {
			cr.Err = err
			errs = append(errs, err)
			p.logger.Error("digest not fully posted", "channel", ch.name, "messages_posted", posted, "messages", len(msgs), "err", err)
		} else {
			// Only a full digest advances the channel's window: one narrowed
			// by -topic or -since leaves the rest for the next full digest.
			if len(opts.Topics) == 0 && opts.Since == 0 {
				if err := p.store.FinishDigest(context.WithoutCancel(ctx), ch.name, from, now); err != nil {
					cr.Err = fmt.Errorf("pipeline: digest: %w", err)
					errs = append(errs, cr.Err)
				}
			}
			p.logger.Info("digest posted", "channel", ch.name, "messages", posted, "items", cr.Items)
		}
		rep.Channels = append(rep.Channels, cr)
	}
	return rep, errors.Join(errs...)
}

// channelTopics is one delivery channel and the topics routed to it.
type channelTopics struct {
	name   string
	topics []newsdigest.Topic
}

// channels groups topics by the channel that receives them, in config order.
func (p *Pipeline) channels(topics []newsdigest.Topic) []channelTopics {
	var out []channelTopics
	index := map[string]int{}
	for _, t := range topics {
		ch := p.Channel(t)
		i, ok := index[ch]
		if !ok {
			i = len(out)
			index[ch] = i
			out = append(out, channelTopics{name: ch})
		}
		out[i].topics = append(out[i].topics, t)
	}
	return out
}

// window returns where a channel's digest starts: -since, else the end of
// its last completed digest, else the lookback.
func (p *Pipeline) windowStart(ctx context.Context, channel string, opts DigestOptions, now time.Time) (time.Time, error) {
	if opts.Since > 0 {
		return now.Add(-opts.Since), nil
	}
	if !opts.DryRun {
		last, ok, err := p.store.LastDigest(ctx, channel)
		if err != nil {
			return time.Time{}, fmt.Errorf("pipeline: digest: %w", err)
		}
		if ok {
			return last, nil
		}
	}
	return now.Add(-p.cfg.Digest.Lookback), nil
}

// channelDigest builds the digest of one channel's undelivered items.
func (p *Pipeline) channelDigest(ctx context.Context, channel string, topics []newsdigest.Topic, opts DigestOptions, poll *PollReport, now time.Time) (*digest.Digest, time.Time, error) {
	from, cands, err := p.channelCandidates(ctx, channel, topics, opts, now)
	if err != nil {
		return nil, from, err
	}
	in := p.digestInput(topics, cands, poll, from, now)
	if !opts.DryRun {
		// A story already posted here today is not posted again when
		// another outlet picks it up later.
		in.Delivered, err = p.store.DeliveredStories(ctx, channel, now.Add(-p.cfg.Digest.Lookback))
		if err != nil {
			return nil, from, fmt.Errorf("pipeline: digest: %w", err)
		}
	}
	return digest.Build(in), from, nil
}

// channelCandidates returns where a channel's window starts and the
// undelivered items of its topics selected for it.
func (p *Pipeline) channelCandidates(ctx context.Context, channel string, topics []newsdigest.Topic, opts DigestOptions, now time.Time) (time.Time, []newsdigest.Candidate, error) {
	from, err := p.windowStart(ctx, channel, opts, now)
	if err != nil {
		return from, nil, err
	}
	names := make([]string, len(topics))
	for i, t := range topics {
		names[i] = t.Name
	}
	cands, err := p.store.Candidates(ctx, store.CandidateQuery{
		Channel: channel, From: selectFrom(from, opts), To: now, Lookback: p.cfg.Digest.Lookback, Topics: names,
	})
	if err != nil {
		return from, nil, fmt.Errorf("pipeline: digest: %w", err)
	}
	return from, cands, nil
}

func (p *Pipeline) digestInput(topics []newsdigest.Topic, cands []newsdigest.Candidate, poll *PollReport, from, now time.Time) digest.Input {
	loc := p.location()
	in := digest.Input{
		Title:       p.cfg.Digest.Title,
		GeneratedAt: now.In(loc),
		From:        from.In(loc),
		To:          now.In(loc),
		Topics:      topics,
		Candidates:  cands,
	}
	if poll != nil {
		in.Feeds = poll.Feeds
		in.Stats = digest.Stats{ItemsFetched: poll.Summary.ItemsFetched, ItemsNew: poll.Summary.ItemsNew, ItemsMatched: poll.Summary.ItemsMatched}
	}
	return in
}

// digestLeaseHeld is the store's digest lease, held by this process.
type digestLeaseHeld struct {
	p     *Pipeline
	owner string
	ctx   context.Context
}

// renew extends the lease; it fails if another process took it meanwhile
// (this one's expired), so that the caller stops posting.
func (l digestLeaseHeld) renew(ctx context.Context) error {
	ok, holder, err := l.p.store.AcquireLease(ctx, digestLease, l.owner, digestLeaseTTL)
	if err != nil {
		return fmt.Errorf("pipeline: digest: %w", err)
	}
	if !ok {
		return fmt.Errorf("pipeline: digest: the posting lease expired and %s took it; stopping so as not to post twice", holder)
	}
	return nil
}

// release gives the lease up, even when ctx was cancelled: the post is over.
func (l digestLeaseHeld) release() {
	if err := l.p.store.ReleaseLease(context.WithoutCancel(l.ctx), digestLease, l.owner); err != nil {
		l.p.logger.Warn("could not release the digest lease; it expires by itself", "err", err)
	}
}

// acquireDigestLease waits, while ctx allows and for at most a minute, for
// the store's digest lease.
func (p *Pipeline) acquireDigestLease(ctx context.Context) (digestLeaseHeld, error) {
	owner := leaseOwner()
	deadline := time.Now().Add(time.Minute)
	for {
		ok, holder, err := p.store.AcquireLease(ctx, digestLease, owner, digestLeaseTTL)
		if err != nil {
			return digestLeaseHeld{}, fmt.Errorf("pipeline: digest: %w", err)
		}
		if ok {
			return digestLeaseHeld{p: p, owner: owner, ctx: ctx}, nil
		}
		if time.Now().After(deadline) {
			return digestLeaseHeld{}, fmt.Errorf("pipeline: another newsdigest (%s) is posting a digest to this store; try again later", holder)
		}
		p.logger.Info("waiting for another newsdigest to finish its digest", "holder", holder)
		select {
		case <-ctx.Done():
			return digestLeaseHeld{}, fmt.Errorf("pipeline: digest: %w", ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// leaseOwner names this process: host, pid and a random tag (pids repeat).
func leaseOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s pid %d #%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// recorder adapts the store to digest.Recorder.
type recorder struct {
	st  *store.Store
	now func() time.Time
}

// RecordDelivery records a message Slack confirmed. It runs even when ctx
// was just cancelled (a stop signal, serve's grace period running out): the
// message is in the channel, and forgetting it would post it again.
func (r recorder) RecordDelivery(ctx context.Context, channel, ts string, itemIDs []string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return r.st.RecordDelivery(ctx, store.Delivery{Channel: channel, TS: ts, PostedAt: r.now(), ItemIDs: itemIDs})
}
