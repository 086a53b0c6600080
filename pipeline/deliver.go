package pipeline

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/slack"
	"github.com/newsdigest/newsdigest/store"
)

// This file is the digest flow, from the store to Slack, and the whole of
// its exactly-once bookkeeping. For each channel, in order:
//
//	resolve what an earlier run left pending: a message whose answer was
//	        lost, or a crash between post and record, is looked for in the
//	        channel (by its metadata) and confirmed or abandoned
//	select  the channel's window and its undelivered, fresh candidates
//	        (store.Candidates: same-link items already delivered are left
//	        out), and the stories it already received (store.DeliveredStories)
//	build   the digest: stories grouped, already delivered stories dropped,
//	        ranked (digest.Build, story.Group)
//	render  Slack messages within Slack's limits (slack.Messages)
//	post    each message, written to the outbox first (store.BeginDelivery),
//	        tagged with its identity, retried by Retry; an answer that is
//	        lost or late is looked for in the channel before posting again
//	record  each message Slack confirmed, with the items it carries, before
//	        the next is posted (store.ConfirmDelivery)
//	close   the channel's window, once every message is posted and only for
//	        a full digest (store.FinishDigest)
//
// A lease in the store keeps a second process from posting at the same time.
// A stop (ctx cancelled) starts no new message; the one in flight finishes
// within PostTimeout, whatever ctx says, and is recorded.

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
	// Channel, when set, is the ID of the one Slack channel the digest is
	// for (the channel a slash command was typed in) instead of each
	// topic's channel; with no Topics, a configured channel gets its own
	// topics and any other channel every topic (see here.go). It needs a
	// bot token.
	Channel string
	// Tick, when set, is the scheduled tick a full digest is for: each
	// channel gets one digest per tick, from whichever process (replica)
	// gets there first; the others skip it and say so in the log.
	Tick time.Time
}

// narrowed reports whether the digest covers less than every topic since the
// last digest: such a digest posts what it selects but leaves the window
// alone, so the next full digest still brings everything else.
func (o DigestOptions) narrowed() bool { return len(o.Topics) > 0 || o.Since > 0 }

// Poster sends one message to a channel; threadTS != "" posts a thread
// reply. It makes one attempt: its errors say whether a retry may succeed
// and whether Slack may have posted the message anyway (*slack.Error).
type Poster interface {
	Post(ctx context.Context, channel, threadTS string, m slack.Message) (slack.Receipt, error)
}

// Finder finds a posted message again by its tag (a bot token can; a
// webhook cannot).
type Finder interface {
	Find(ctx context.Context, channelID, threadTS string, since time.Time, tag slack.Tag) (slack.Receipt, bool, error)
	ChannelID(ctx context.Context, name string) (string, error)
}

// DefaultPostTimeout bounds one post: the request, and the look in the
// channel when its answer was lost. A stop does not cut it shorter.
const DefaultPostTimeout = 30 * time.Second

// slackEndpoint is where a digest goes: the poster, and the finder when the
// poster's messages can be looked up (nil for a webhook).
type slackEndpoint struct {
	poster  Poster
	finder  Finder
	threads bool
}

// ChannelReport is how the digest went for one Slack channel.
type ChannelReport struct {
	Channel  string         `json:"channel"`
	Items    int            `json:"items"`    // items carried by the messages posted
	Messages int            `json:"messages"` // messages Slack confirmed
	Digest   *digest.Digest `json:"-"`
	Err      error          `json:"-"`
	// Skipped: another process already posted this channel's digest for
	// the tick (DigestOptions.Tick).
	Skipped bool `json:"skipped,omitempty"`
}

// DeliveryReport is how a whole digest went.
type DeliveryReport struct {
	Channels []ChannelReport
}

// Totals is how many messages were posted, and items carried, over every
// channel.
func (r DeliveryReport) Totals() (messages, items int) {
	for _, c := range r.Channels {
		messages += c.Messages
		items += c.Items
	}
	return messages, items
}

// endpoint returns the configured Slack poster (and finder).
func (p *Pipeline) endpoint() (slackEndpoint, error) {
	if err := p.cfg.RequireSlack(); err != nil {
		return slackEndpoint{}, err
	}
	s := p.cfg.Slack
	if s.Token != "" {
		bot := slack.NewBot(s.Token, s.APIURL, p.SlackClient)
		return slackEndpoint{poster: bot, finder: bot, threads: true}, nil
	}
	return slackEndpoint{poster: slack.NewWebhook(s.WebhookURL, p.SlackClient)}, nil
}

// Deliver posts to Slack, channel by channel, the digest of what each channel
// has not received yet (see the stages above). One channel failing does not
// stop the others; the error joins every channel's failure.
func (p *Pipeline) Deliver(ctx context.Context, opts DigestOptions, poll *PollReport) (DeliveryReport, error) {
	var rep DeliveryReport
	out, err := p.endpoint()
	if err != nil {
		return rep, err
	}
	topics, err := p.SelectTopics(opts.Topics)
	if err != nil {
		return rep, err
	}
	lease, err := p.acquireLease(ctx)
	if err != nil {
		return rep, err
	}
	defer lease.release()

	chans, err := p.digestChannels(ctx, out, opts, topics)
	if err != nil {
		return rep, err
	}
	now := p.Now()
	var errs []error
	for _, ch := range chans {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("pipeline: digest: stopped before channel %q: %w", ch.name, err))
			break
		}
		cr := p.deliverChannel(ctx, out, lease, ch, opts, poll, now)
		if cr.Err != nil {
			errs = append(errs, cr.Err)
		}
		rep.Channels = append(rep.Channels, cr)
	}
	return rep, errors.Join(errs...)
}

// deliverChannel runs one channel's digest through the stages, in order.
func (p *Pipeline) deliverChannel(ctx context.Context, out slackEndpoint, l *lease, ch channelTopics, opts DigestOptions, poll *PollReport, now time.Time) ChannelReport {
	cr := ChannelReport{Channel: ch.name}
	tick := opts.Tick
	if opts.narrowed() {
		tick = time.Time{}
	}
	if !tick.IsZero() {
		done, err := p.store.DigestDone(ctx, ch.name, tick)
		if err != nil {
			cr.Err = fmt.Errorf("pipeline: digest: %w", err)
			return cr
		}
		if done {
			p.logger.Info("this tick's digest was already posted by another newsdigest; skipping it", "channel", ch.name, "tick", tickAttr(tick))
			cr.Skipped = true
			return cr
		}
	}

	// resolve
	if err := p.resolvePending(ctx, out, ch.name); err != nil {
		cr.Err = err
		return cr
	}

	// select
	from, cands, err := p.channelCandidates(ctx, ch, opts, now, true)
	if err != nil {
		cr.Err = err
		return cr
	}
	in := p.digestInput(ch.items, cands, poll, from, now)
	// A story already posted here within the lookback is not posted again
	// when another outlet picks it up later.
	if in.Delivered, err = p.store.DeliveredStories(ctx, ch.name, now.Add(-p.cfg.Digest.Lookback)); err != nil {
		cr.Err = fmt.Errorf("pipeline: digest: %w", err)
		return cr
	}
	// A story an alert already carried is shown marked, or left out.
	if cr.Err = p.markAlerted(ctx, &in, ch.name); cr.Err != nil {
		return cr
	}

	// build, render
	cr.Digest = digest.Build(in)
	msgs := slack.Messages(cr.Digest, slack.Options{MaxPerTopic: p.cfg.Digest.MaxPerTopic, Threads: out.threads, PostEmpty: p.cfg.Digest.PostEmpty})
	if !tick.IsZero() && carried(msgs) == 0 {
		// A process that began this tick's digest and died before closing
		// it posted what there was: no "nothing new" note after it.
		begun, err := p.store.TickDeliveries(ctx, ch.name, tick)
		if err != nil {
			cr.Err = fmt.Errorf("pipeline: digest: %w", err)
			return cr
		}
		if begun > 0 {
			p.logger.Info("another newsdigest posted this tick's digest and stopped before closing it; closing it", "channel", ch.name, "tick", tickAttr(tick))
			msgs = nil
		}
	}

	// post, record
	cr.Messages, cr.Err = p.post(ctx, out, l, ch.name, msgs, func(_ int, d *store.Delivery) { d.Tick = tick })
	cr.Items = carried(msgs[:cr.Messages])
	if cr.Err != nil {
		p.logger.Error("digest not fully posted", "channel", ch.name, "messages_posted", cr.Messages, "messages", len(msgs), "err", cr.Err)
		return cr
	}

	// close
	if !opts.narrowed() {
		if err := p.store.FinishDigest(context.WithoutCancel(ctx), ch.name, tick, from, now); err != nil {
			cr.Err = fmt.Errorf("pipeline: digest: %w", err)
		}
	}
	p.logger.Info("digest posted", "channel", ch.name, "messages", cr.Messages, "items", cr.Items)
	return cr
}

// post posts msgs in order to channel and records each one Slack
// confirmed, with the items it carries, before posting the next: a failure
// midway leaves the unposted items undelivered. Each message is written to
// the outbox first and tagged with its identity, so that its outcome can be
// learnt again if Slack's answer is lost (now, or by the next run). Thread
// replies go under the first message's ts (or are posted on their own when
// there is none, as with a webhook). No message is started once ctx is
// done or the lease is lost. outbox, when not nil, completes each
// message's outbox row before it is begun (its kind, the thread it goes
// into, what an alert says): digests and alerts go through post alike. It
// returns how many messages were posted and the first final error, which
// names the channel and never contains a secret.
func (p *Pipeline) post(ctx context.Context, out slackEndpoint, l *lease, channel string, msgs []slack.Message, outbox func(i int, d *store.Delivery)) (posted int, err error) {
	digestID := newDigestID()
	// Bookkeeping outlives a stop: what Slack holds must be recorded.
	keep := context.WithoutCancel(ctx)
	var first string
	for i, m := range msgs {
		where := fmt.Sprintf("pipeline: slack: channel %q: message %d of %d", channel, i+1, len(msgs))
		if err := ctx.Err(); err != nil {
			return posted, fmt.Errorf("%s: stopped before posting it: %w", where, err)
		}
		if err := l.renew(ctx); err != nil {
			return posted, fmt.Errorf("%s: %w", where, err)
		}
		thread := ""
		if m.Thread {
			thread = first
		}
		m.Tag = slack.Tag{Digest: digestID, Part: i + 1}
		d := store.Delivery{Channel: channel, DigestID: digestID, Part: i + 1, ThreadTS: thread, ItemIDs: m.ItemIDs, PostedAt: p.Now()}
		if outbox != nil {
			outbox(i, &d)
			thread = d.ThreadTS
		}
		id, err := p.store.BeginDelivery(keep, d)
		if err != nil {
			return posted, fmt.Errorf("%s: %w", where, err)
		}
		rc, err := p.send(ctx, out, channel, thread, m, d.PostedAt)
		if err != nil {
			var se *slack.Error
			if errors.As(err, &se) && se.Unknown {
				// Slack may hold it: the next run looks before posting again.
				p.logger.Warn("a message's outcome is unknown; the next run looks for it in the channel before posting it again",
					"channel", channel, "digest", digestID, "part", i+1)
			} else if aerr := p.store.AbandonDelivery(keep, id); aerr != nil {
				err = errors.Join(err, aerr)
			}
			return posted, fmt.Errorf("%s: %w", where, err)
		}
		if err := p.store.ConfirmDelivery(keep, id, rc.TS, rc.Channel, p.Now()); err != nil {
			return posted, fmt.Errorf("pipeline: record delivery to %q (ts %s): %w", channel, rc.TS, err)
		}
		posted++
		if i == 0 || (first == "" && !m.Thread) {
			first = rc.TS
		}
	}
	return posted, nil
}

// send posts m, retried by p.Retry. Each attempt runs to its own timeout
// (PostTimeout) even after a stop, since Slack may already be processing
// it. Once an attempt's answer is lost, late or a 5xx, the next attempts
// look for the message in the channel (posted since `since`) before posting
// it again: found means posted; a look that fails for a passing reason is
// retried as a look. Only where the channel cannot be read at all (no
// history scope) is the message posted again without looking, with a
// warning: at least once, never lost.
func (p *Pipeline) send(ctx context.Context, out slackEndpoint, channel, thread string, m slack.Message, since time.Time) (slack.Receipt, error) {
	var rc slack.Receipt
	var unknown error // the last attempt's outcome is unknown
	err := p.Retry.Do(ctx, p.logger, func(ctx context.Context) error {
		attempt, cancel := context.WithTimeout(context.WithoutCancel(ctx), cmp.Or(p.PostTimeout, DefaultPostTimeout))
		defer cancel()
		if unknown != nil && out.finder != nil {
			found, ok, err := p.find(attempt, out.finder, channel, thread, since, m.Tag)
			var se *slack.Error
			switch {
			case ok:
				p.logger.Info("Slack's answer was lost, but the message is in the channel", "channel", channel, "ts", found.TS)
				rc = found
				return nil
			case err != nil && errors.As(err, &se) && se.Retry:
				// Still unknown: look again on the next attempt.
				return &slack.Error{Code: se.Code, Hint: "could not look in the channel for a message whose answer was lost", Retry: true, Unknown: true, Wait: se.Wait}
			case err != nil:
				p.logger.Warn("cannot look in the channel for a message whose answer was lost; posting it again may duplicate it",
					"channel", channel, "err", err)
			}
		}
		var err error
		rc, err = out.poster.Post(attempt, channel, thread, m)
		if se := (*slack.Error)(nil); errors.As(err, &se) && se.Unknown {
			unknown = err
		} else {
			unknown = nil
		}
		return err
	})
	return rc, err
}

// find looks in channel (a name or an ID) for the message tagged tag,
// posted at or after since (two minutes' grace for Slack's clock).
func (p *Pipeline) find(ctx context.Context, f Finder, channel, thread string, since time.Time, tag slack.Tag) (slack.Receipt, bool, error) {
	id := channel
	if !slack.IsChannelID(channel) {
		known, err := p.store.ChannelID(ctx, channel)
		if err != nil {
			return slack.Receipt{}, false, err
		}
		if id = known; id == "" {
			if id, err = f.ChannelID(ctx, channel); err != nil {
				return slack.Receipt{}, false, err
			}
		}
	}
	return f.Find(ctx, id, thread, since.Add(-2*time.Minute), tag)
}

// resolvePending settles the messages an earlier run left pending in
// channel: found in the channel, they are confirmed (and their items
// delivered); not found, abandoned (their items go into this digest). A
// webhook cannot be read back, and neither can a channel without the
// history scopes: then they are abandoned with a warning — at least once,
// never lost. A lookup that fails for a passing reason leaves them pending
// and fails this channel's digest for now.
func (p *Pipeline) resolvePending(ctx context.Context, out slackEndpoint, channel string) error {
	pending, err := p.store.PendingDeliveries(ctx, channel)
	if err != nil {
		return fmt.Errorf("pipeline: digest: %w", err)
	}
	keep := context.WithoutCancel(ctx)
	for _, d := range pending {
		if out.finder == nil {
			p.logger.Warn("a webhook message's outcome is unknown and a webhook cannot be read back; posting its items again",
				"channel", channel, "digest", d.DigestID, "part", d.Part)
			if err := p.store.AbandonDelivery(keep, d.ID); err != nil {
				return fmt.Errorf("pipeline: digest: %w", err)
			}
			continue
		}
		lookup, cancel := context.WithTimeout(ctx, cmp.Or(p.PostTimeout, DefaultPostTimeout))
		rc, found, err := p.find(lookup, out.finder, channel, d.ThreadTS, d.PostedAt, slack.Tag{Digest: d.DigestID, Part: d.Part})
		cancel()
		var se *slack.Error
		switch {
		case err != nil && errors.As(err, &se) && se.Retry:
			return fmt.Errorf("pipeline: digest: channel %q: could not learn whether an earlier message was posted (digest %s, part %d); trying again next run: %w",
				channel, d.DigestID, d.Part, err)
		case err != nil:
			p.logger.Warn("cannot look in the channel for a message whose outcome is unknown; posting its items again may duplicate them",
				"channel", channel, "digest", d.DigestID, "part", d.Part, "err", err)
			found = false
		case found:
			p.logger.Info("an earlier message whose answer was lost is in the channel; recording it", "channel", channel, "ts", rc.TS)
			if err := p.store.ConfirmDelivery(keep, d.ID, rc.TS, rc.Channel, p.Now()); err != nil {
				return fmt.Errorf("pipeline: digest: %w", err)
			}
			continue
		}
		if err := p.store.AbandonDelivery(keep, d.ID); err != nil {
			return fmt.Errorf("pipeline: digest: %w", err)
		}
	}
	return nil
}

// newDigestID names one digest's messages in Slack's metadata.
func newDigestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// carried counts the items msgs carry.
func carried(msgs []slack.Message) int {
	n := 0
	for _, m := range msgs {
		n += len(m.ItemIDs)
	}
	return n
}
