package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/slack"
	"github.com/newsdigest/newsdigest/store"
)

// This file is the digest flow, from the store to Slack, and the whole of
// its exactly-once bookkeeping. For each channel, in order:
//
//	select  the channel's window and its undelivered, fresh candidates
//	        (store.Candidates: same-link items already delivered are left
//	        out), and the stories it already received (store.DeliveredStories)
//	build   the digest: stories grouped, already delivered stories dropped,
//	        ranked (digest.Build, story.Group)
//	render  Slack messages within Slack's limits (slack.Messages)
//	post    each message, retried by Retry (posters make one attempt)
//	record  each message Slack confirmed, with the items it carries, before
//	        the next is posted (store.RecordDelivery)
//	close   the channel's window, once every message is posted and only for
//	        a full digest (store.FinishDigest)
//
// A lease in the store keeps a second process from posting at the same time.

// windowOverlap reaches a channel's selection back before its window: an
// item is first seen when its feed is fetched but committed only when the
// whole poll is saved, so a digest running meanwhile in another process
// (serve beside a manual run) cannot see it although its first-seen time
// falls in that digest's window. Delivered items are never selected again,
// so the overlap costs nothing but catches those. It must exceed the longest
// poll.
const windowOverlap = time.Hour

// DigestOptions narrows a digest.
type DigestOptions struct {
	Since  time.Duration // window length; 0 = since the channel's last digest (Deliver) or the lookback (Digest)
	Topics []string      // only these topics; nil = all
}

// narrowed reports whether the digest covers less than every topic since the
// last digest: such a digest posts what it selects but leaves the window
// alone, so the next full digest still brings everything else.
func (o DigestOptions) narrowed() bool { return len(o.Topics) > 0 || o.Since > 0 }

// Poster sends one message to a channel and returns Slack's ts ("" for a
// webhook); threadTS != "" posts a thread reply. It makes one attempt: its
// errors say whether a retry may succeed (*slack.Error).
type Poster interface {
	Post(ctx context.Context, channel, threadTS string, m slack.Message) (ts string, err error)
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

// poster returns the configured Slack poster, and whether it can thread.
func (p *Pipeline) poster() (Poster, bool, error) {
	if err := p.cfg.RequireSlack(); err != nil {
		return nil, false, err
	}
	s := p.cfg.Slack
	if s.Token != "" {
		return slack.NewBot(s.Token, s.APIURL, p.SlackClient), true, nil
	}
	return slack.NewWebhook(s.WebhookURL, p.SlackClient), false, nil
}

// Deliver posts to Slack, channel by channel, the digest of what each channel
// has not received yet (see the stages above). One channel failing does not
// stop the others; the error joins every channel's failure.
func (p *Pipeline) Deliver(ctx context.Context, opts DigestOptions, poll *PollReport) (DeliveryReport, error) {
	var rep DeliveryReport
	poster, threads, err := p.poster()
	if err != nil {
		return rep, err
	}
	topics, err := p.SelectTopics(opts.Topics)
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
		// Renew the lease before each channel: a digest slowed by Slack's
		// retries must never outlive it, or another process could post the
		// same items.
		if err := lease.renew(ctx); err != nil {
			errs = append(errs, err)
			break
		}
		cr := p.deliverChannel(ctx, poster, threads, ch, opts, poll, now)
		if cr.Err != nil {
			errs = append(errs, cr.Err)
		}
		rep.Channels = append(rep.Channels, cr)
	}
	return rep, errors.Join(errs...)
}

// deliverChannel runs one channel's digest through the stages, in order.
func (p *Pipeline) deliverChannel(ctx context.Context, poster Poster, threads bool, ch channelTopics, opts DigestOptions, poll *PollReport, now time.Time) ChannelReport {
	cr := ChannelReport{Channel: ch.name}

	// select
	from, cands, err := p.channelCandidates(ctx, ch, opts, now, true)
	if err != nil {
		cr.Err = err
		return cr
	}
	in := p.digestInput(ch.topics, cands, poll, from, now)
	// A story already posted here within the lookback is not posted again
	// when another outlet picks it up later.
	if in.Delivered, err = p.store.DeliveredStories(ctx, ch.name, now.Add(-p.cfg.Digest.Lookback)); err != nil {
		cr.Err = fmt.Errorf("pipeline: digest: %w", err)
		return cr
	}

	// build, render
	cr.Digest = digest.Build(in)
	msgs := slack.Messages(cr.Digest, slack.Options{MaxPerTopic: p.cfg.Digest.MaxPerTopic, Threads: threads, PostEmpty: p.cfg.Digest.PostEmpty})

	// post, record
	cr.Messages, cr.Err = p.postAll(ctx, poster, ch.name, msgs, p.record)
	for _, m := range msgs[:cr.Messages] {
		cr.Items += len(m.ItemIDs)
	}
	if cr.Err != nil {
		p.logger.Error("digest not fully posted", "channel", ch.name, "messages_posted", cr.Messages, "messages", len(msgs), "err", cr.Err)
		return cr
	}

	// close
	if !opts.narrowed() {
		if err := p.store.FinishDigest(context.WithoutCancel(ctx), ch.name, from, now); err != nil {
			cr.Err = fmt.Errorf("pipeline: digest: %w", err)
		}
	}
	p.logger.Info("digest posted", "channel", ch.name, "messages", cr.Messages, "items", cr.Items)
	return cr
}

// postAll posts msgs in order to channel and records each one Slack
// confirmed, with the items it carries, before posting the next: a failure
// midway leaves the unposted items undelivered. Thread replies go under the
// first message's ts (or are posted on their own when there is none, as with
// a webhook). It returns how many messages were posted and the first final
// error, which names the channel and never contains a secret.
func (p *Pipeline) postAll(ctx context.Context, poster Poster, channel string, msgs []slack.Message, record recordFunc) (posted int, err error) {
	var first string
	for i, m := range msgs {
		thread := ""
		if m.Thread {
			thread = first
		}
		var ts string
		err := p.Retry.do(ctx, p.logger, func(ctx context.Context) (err error) {
			ts, err = poster.Post(ctx, channel, thread, m)
			return err
		})
		if err != nil {
			return posted, fmt.Errorf("pipeline: slack: channel %q: message %d of %d: %w", channel, i+1, len(msgs), err)
		}
		posted++
		if i == 0 || (first == "" && !m.Thread) {
			first = ts
		}
		if err := record(ctx, channel, ts, m.ItemIDs); err != nil {
			return posted, fmt.Errorf("pipeline: record delivery to %q (ts %s): %w", channel, ts, err)
		}
	}
	return posted, nil
}

// recordFunc stores a message Slack confirmed with the items it carries.
type recordFunc func(ctx context.Context, channel, ts string, itemIDs []string) error

// record stores a message Slack confirmed. It runs even when ctx was just
// cancelled (a stop signal, serve's grace period running out): the message
// is in the channel, and forgetting it would post it again.
func (p *Pipeline) record(ctx context.Context, channel, ts string, itemIDs []string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return p.store.RecordDelivery(ctx, store.Delivery{Channel: channel, TS: ts, PostedAt: p.Now(), ItemIDs: itemIDs})
}

// Digest builds, without posting or recording anything, the digest of the
// lookback window (or opts.Since): the matched items not yet delivered, for
// the topics selected. It is what `run -dry-run` prints, and can be repeated. With
// per-topic channels it is every channel's digest in one document; an item
// bound for two channels is listed once. poll (may be nil) supplies this
// run's feed outcomes and counts for the coverage line.
func (p *Pipeline) Digest(ctx context.Context, opts DigestOptions, poll *PollReport) (*digest.Digest, error) {
	now := p.Now()
	topics, err := p.SelectTopics(opts.Topics)
	if err != nil {
		return nil, err
	}
	from := p.windowStart(opts, now)
	var cands []newsdigest.Candidate
	seen := map[string]bool{}
	for _, ch := range p.channels(topics) {
		chFrom, cs, err := p.channelCandidates(ctx, ch, opts, now, false)
		if err != nil {
			return nil, err
		}
		if chFrom.Before(from) {
			from = chFrom
		}
		for _, c := range cs {
			if !seen[c.Item.ID] {
				seen[c.Item.ID] = true
				cands = append(cands, c)
			}
		}
	}
	return digest.Build(p.digestInput(topics, cands, poll, from, now)), nil
}

// windowStart is where a digest's window starts when it does not follow the
// channel's last digest: -since, else the lookback.
func (p *Pipeline) windowStart(opts DigestOptions, now time.Time) time.Time {
	if opts.Since > 0 {
		return now.Add(-opts.Since)
	}
	return now.Add(-p.cfg.Digest.Lookback)
}

// channelCandidates returns where a channel's window starts and the
// undelivered items of its topics selected for it. With afterLast, a window
// not given by -since starts where the channel's last digest ended (the
// lookback for its first), and the selection reaches back windowOverlap
// before it.
func (p *Pipeline) channelCandidates(ctx context.Context, ch channelTopics, opts DigestOptions, now time.Time, afterLast bool) (time.Time, []newsdigest.Candidate, error) {
	from, selectFrom := p.windowStart(opts, now), p.windowStart(opts, now)
	if afterLast && opts.Since == 0 {
		last, ok, err := p.store.LastDigest(ctx, ch.name)
		if err != nil {
			return from, nil, fmt.Errorf("pipeline: digest: %w", err)
		}
		if ok {
			from = last
		}
		selectFrom = from.Add(-windowOverlap)
	}
	names := make([]string, len(ch.topics))
	for i, t := range ch.topics {
		names[i] = t.Name
	}
	cands, err := p.store.Candidates(ctx, store.CandidateQuery{
		Channel: ch.name, From: selectFrom, To: now, Lookback: p.cfg.Digest.Lookback, Topics: names,
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
