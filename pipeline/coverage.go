package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/digest"
)

// This file answers questions about what the store holds, without polling
// or posting: the feeds' coverage now, and why a stored item matched.

// Coverage is how the configured feeds stand now, from what the last polls
// recorded: OK (fetched successfully within digest.DefaultStaleAfter),
// failing (with the error and since when) or stale (no success for longer,
// or never). lastPoll is the latest poll of any feed (zero if none).
func (p *Pipeline) Coverage(ctx context.Context) (cov digest.Coverage, lastPoll time.Time, err error) {
	states, err := p.store.FeedStates(ctx)
	if err != nil {
		return cov, lastPoll, fmt.Errorf("pipeline: coverage: %w", err)
	}
	now := p.Now()
	reports := make([]newsdigest.FeedReport, 0, len(p.cfg.Feeds))
	for _, f := range p.cfg.Feeds {
		st := states[f.URL]
		if st.LastPolledAt.After(lastPoll) {
			lastPoll = st.LastPolledAt
		}
		r := newsdigest.FeedReport{Name: f.Name, URL: f.URL, LastOK: st.LastOKAt}
		switch {
		case st.LastError != "":
			r.Error, r.FailingSince = st.LastError, st.FailingSince
		case !st.LastOKAt.IsZero() && now.Sub(st.LastOKAt) <= digest.DefaultStaleAfter:
			r.OK = true
		}
		reports = append(reports, r)
	}
	d := digest.Build(digest.Input{GeneratedAt: now.In(p.location()), Feeds: reports})
	return d.Feeds, lastPoll.In(p.location()), nil
}

// Explain says, topic by topic, why doc matches or not (classify's Explain
// with the configured topics).
func (p *Pipeline) Explain(doc classify.Doc) []classify.Explanation { return p.matcher.Explain(doc) }

// StoredItem returns the stored item whose link is link (any spelling of
// it), and whether there is one.
func (p *Pipeline) StoredItem(ctx context.Context, link string) (newsdigest.Item, bool, error) {
	return p.store.ItemByLink(ctx, link)
}
