package pipeline

// What a digest holds: the window of each channel, its undelivered
// candidates from the store and the input digest.Build gets (the select and
// build steps of deliver.go's flow), and Digest, which stops there for
// `run -dry-run`.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/store"
)

// Digest builds, without posting or recording anything, the digest of the
// lookback window (or opts.Since): the matched items not yet delivered, for
// the topics selected, with what the alert rules would do now. It is what
// `run -dry-run` prints, and can be repeated. With
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
	chans := p.channels(topics)
	if opts.Channel != "" {
		out, err := p.endpoint()
		if err != nil {
			return nil, err
		}
		if chans, err = p.digestChannels(ctx, out, opts, topics); err != nil {
			return nil, err
		}
		kept := map[string]bool{}
		for _, ch := range chans {
			for _, t := range ch.items {
				kept[t.Name] = true
			}
		}
		topics = slices.DeleteFunc(slices.Clone(topics), func(t newsdigest.Topic) bool { return !kept[t.Name] })
	}
	var cands []newsdigest.Candidate
	seen := map[string]bool{}
	for _, ch := range chans {
		chFrom, cs, err := p.channelCandidates(ctx, ch, opts, now, false)
		if err != nil {
			return nil, err
		}
		if chFrom.Before(from) {
			from = chFrom
		}
		if len(chans) == 1 {
			cands = cs // nothing to merge: no copy of a large window
			break
		}
		for _, c := range cs {
			if !seen[c.Item.ID] {
				seen[c.Item.ID] = true
				cands = append(cands, c)
			}
		}
	}
	in := p.digestInput(topics, cands, poll, from, now)
	if err := p.markAlerted(ctx, &in, ""); err != nil {
		return nil, err
	}
	d := digest.Build(in)
	var names []string // the rules of a narrowed digest's topics
	if len(opts.Topics) > 0 {
		for _, t := range topics {
			names = append(names, t.Name)
		}
	}
	if d.Alerts, err = p.PlanAlerts(ctx, names); err != nil {
		return nil, err
	}
	return d, nil
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
	names := make([]string, len(ch.items))
	for i, t := range ch.items {
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
