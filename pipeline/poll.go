package pipeline

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/store"
	"github.com/newsdigest/newsdigest/watcher"
)

// summaryRunes caps the plain-text summary kept per item: the lede, enough for a
// digest line and for `explain`, small enough that the store stays small.
const summaryRunes = 300

// Backoff bounds for feeds that keep failing.
const (
	backoffBase = 15 * time.Minute
	backoffMax  = 6 * time.Hour
)

// PollReport is what one poll did.
type PollReport struct {
	Started, Finished time.Time
	Feeds             []newsdigest.FeedReport // every configured feed, config order
	Summary           store.PollSummary
	NewByTopic        map[string]int // new, postable items per matched topic
}

// Poll fetches every configured feed now (feeds in backoff are skipped and
// reported with their last error), classifies the new items and stores the
// poll as the feeds arrive (store.SavePoll, in groups of feeds and short
// transactions, each consistent on its own, so that a digest or another
// process can write in between). A failing feed is reported, never fatal;
// the error is for a store that cannot be used. It is PollTick for no
// tick: an on-demand poll.
func (p *Pipeline) Poll(ctx context.Context) (PollReport, error) {
	return p.PollTick(ctx, time.Time{})
}

// PollTick is the poll of a scheduled tick (zero: on demand). Each due
// feed is claimed in the store before it is fetched (store.ClaimFeeds, a
// chunk of feeds at a time as the fetch workers reach them, from a random
// starting point), so that several processes polling at once (replicas,
// or serve beside a manual run) share the feeds, each fetched by one, and
// for a scheduled tick once: a feed another process is polling, or
// already polled for this tick, is reported as skipped. The claims are
// kept alive while the poll runs and given up if it stops early; those of
// a process that died expire after LeaseTTL, and the next poll takes the
// feeds.
func (p *Pipeline) PollTick(ctx context.Context, tick time.Time) (PollReport, error) {
	p.pollMu.Lock()
	defer p.pollMu.Unlock()

	rep := PollReport{Started: p.Now()}
	states, err := p.store.FeedStates(ctx)
	if err != nil {
		return rep, fmt.Errorf("pipeline: poll: %w", err)
	}

	feeds := p.cfg.Feeds
	skipped := map[string]store.FeedState{}
	reqs := make([]watcher.Request, 0, len(feeds))
	for _, f := range feeds {
		st, ok := states[f.URL]
		if ok && !st.NextPollAt.IsZero() && rep.Started.Before(st.NextPollAt) {
			skipped[f.URL] = st
			continue
		}
		reqs = append(reqs, watcher.Request{
			Feed:       f,
			Validators: watcher.Validators{ETag: st.ETag, LastModified: st.LastModified},
			URL:        st.MovedTo, // a feed that moved permanently is fetched where it went
		})
	}
	claims := p.newClaims(tick, reqs)
	reqs = claims.reqs
	defer claims.release()

	// Each result is turned into what the store keeps as soon as it arrives,
	// on the worker that fetched it: the raw feed bodies and HTML are dropped
	// at once. The saver stores the results in groups while the other feeds
	// are still being fetched and parsed, so the store's work overlaps
	// theirs instead of following it, and a stored feed's items leave
	// memory at once.
	saver := p.startSaver(ctx, len(reqs))
	outcomes := make([]feedOutcome, len(reqs))
	var done int
	var doneMu sync.Mutex
	// A feed is done once fetched, or once another process holds it.
	progress := func(f newsdigest.Feed) {
		if p.Progress != nil {
			doneMu.Lock()
			done++
			p.Progress(done, len(reqs), f)
			doneMu.Unlock()
		}
	}
	take := func(i int) bool {
		if claims.take(ctx, i) {
			return true
		}
		progress(reqs[i].Feed)
		return false
	}
	p.fetcher.FetchEach(ctx, reqs, p.cfg.Fetch.Concurrency, take, func(i int, r watcher.Result) {
		sc := scratchPool.Get().(*classify.Scratch)
		pf := p.pollFeed(r, states[r.Feed.URL], p.Now(), sc)
		pf.Claim = claims.owner
		saver.add(pf)
		scratchPool.Put(sc)
		outcomes[i] = feedOutcome{err: r.Err, notModified: r.NotModified, status: r.Status, duration: r.Duration, items: len(r.Items)}
		progress(r.Feed)
	})
	sum, byTopic, err := saver.finish()
	if err == nil {
		err = claims.err
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return rep, fmt.Errorf("pipeline: poll: %w", err)
	}
	byURL := make(map[string]feedOutcome, len(reqs))
	elsewhere := map[string]bool{}
	fetched := 0
	for i, r := range reqs {
		if claims.mine[r.Feed.URL] {
			byURL[r.Feed.URL] = outcomes[i]
			fetched++
		} else {
			elsewhere[r.Feed.URL] = true
		}
	}
	polledAt := p.Now()
	rep.Summary = sum
	rep.NewByTopic = byTopic

	for _, f := range feeds {
		st := states[f.URL]
		if elsewhere[f.URL] {
			// Another process polls it (or did, for this tick): report what
			// the store knew before, as for a feed not due.
			fr := newsdigest.FeedReport{Name: f.Name, URL: f.URL, Skipped: true, LastOK: st.LastOKAt, FailingSince: st.FailingSince, Error: st.LastError}
			rep.Feeds = append(rep.Feeds, fr)
			continue
		}
		if s, ok := skipped[f.URL]; ok {
			fr := newsdigest.FeedReport{Name: f.Name, URL: f.URL, Skipped: true, LastOK: s.LastOKAt, FailingSince: s.FailingSince}
			if s.LastError != "" {
				// Backing off: still failing, and said so in coverage.
				fr.Error = skippedReason(s, p.location())
			} // else not due yet (Cache-Control, ttl): healthy, just not fetched
			rep.Feeds = append(rep.Feeds, fr)
			continue
		}
		r := byURL[f.URL]
		fr := newsdigest.FeedReport{
			Name: f.Name, URL: f.URL, OK: r.err == nil, NotModified: r.notModified, LastOK: st.LastOKAt,
			Status: r.status, Duration: r.duration, Items: r.items,
		}
		if r.err != nil {
			fr.Error = r.err.Error()
			fr.FailingSince = st.FailingSince
			if fr.FailingSince.IsZero() {
				fr.FailingSince = polledAt
			}
		} else {
			fr.LastOK = polledAt
		}
		rep.Feeds = append(rep.Feeds, fr)
	}
	if failed := countFailed(rep.Feeds); fetched > 0 && failed == len(rep.Feeds) {
		p.logger.Warn("every feed failed: is the network (or a proxy) reachable from here?", "feeds", failed)
	}
	rep.Finished = p.Now()
	p.logger.Info("poll finished", "tick", tickAttr(tick),
		"feeds", len(feeds), "fetched", fetched, "polled_elsewhere", len(elsewhere), "failed", countFailed(rep.Feeds),
		"items_fetched", sum.ItemsFetched, "items_new", sum.ItemsNew, "items_matched", sum.ItemsMatched,
		"duration", rep.Finished.Sub(rep.Started).Round(time.Millisecond))
	return rep, nil
}

// goneRetry is how long a feed that answered 410 Gone is left alone.
const goneRetry = 30 * 24 * time.Hour

// skippedReason says why a feed was not fetched this run: its last error and
// until when it is left alone.
func skippedReason(s store.FeedState, loc *time.Location) string {
	until := s.NextPollAt.In(loc)
	if time.Until(until) > 24*time.Hour {
		return fmt.Sprintf("%s (not polled before %s)", s.LastError, until.Format("2 Jan"))
	}
	return fmt.Sprintf("%s (backing off until %s)", s.LastError, until.Format("15:04"))
}

// feedOutcome is what the coverage report needs of one fetch.
type feedOutcome struct {
	err         error
	notModified bool
	status      int
	duration    time.Duration
	items       int
}

// scratchPool holds the matcher's per-goroutine buffers.
var scratchPool = sync.Pool{New: func() any { return new(classify.Scratch) }}

// pollFeed turns one fetch result into what the store records: plain-text
// titles and summaries, and the topics each item matched.
func (p *Pipeline) pollFeed(r watcher.Result, prev store.FeedState, polledAt time.Time, scratch *classify.Scratch) store.PollFeed {
	pf := store.PollFeed{
		Feed: r.Feed, PolledAt: polledAt, Status: r.Status, NotModified: r.NotModified,
		ETag: r.Validators.ETag, LastModified: r.Validators.LastModified,
	}
	if r.Gone {
		// 410: the publisher removed the feed. Stop polling it (a config
		// change to its URL starts afresh) and keep saying so in coverage.
		pf.Err = r.Err.Error() + ": the feed was removed; polling stopped (fix or remove it in the config)"
		pf.NextPollAt = polledAt.Add(goneRetry)
		return pf
	}
	if r.Err != nil {
		pf.Err = r.Err.Error()
		pf.NextPollAt = nextPoll(polledAt, prev.Failures+1, r.RetryAfter)
		return pf
	}
	// The earliest next poll the server asked for: Retry-After, or
	// Cache-Control max-age / RSS ttl.
	if wait := max(r.RetryAfter, r.NextPollAfter); wait > 0 {
		pf.NextPollAt = polledAt.Add(wait)
	}
	if r.MovedTo != "" && r.MovedTo != prev.MovedTo {
		pf.MovedTo = r.MovedTo
		p.logger.Warn("feed moved permanently; polling the new address (update config.yaml)",
			"feed", r.Feed.Name, "url", r.Feed.URL, "moved_to", r.MovedTo)
	}
	pf.Items = make([]store.PollItem, 0, len(r.Items))
	for _, it := range r.Items {
		matches := p.matcher.MatchAppend(nil, scratch, classify.Doc{Title: it.Title, Summary: it.Summary, Content: it.Content})
		it.Title = classify.DisplayText(it.Title)
		// The lede serves the digest (story clustering); an item that
		// matched nothing is only remembered, so it keeps none.
		if len(matches) > 0 {
			it.Summary = newsdigest.Truncate(classify.PlainText(it.Summary), summaryRunes, nil)
		} else {
			it.Summary = ""
		}
		it.Content = ""
		// Google News titles end in " - Outlet": the outlet is the source, and
		// the clean headline is what readers and the story clustering see.
		// Its description only lists the headline again, with links.
		if h, outlet, ok := newsdigest.SplitGoogleNews(r.Feed.URL, it.Link, it.Title); ok {
			it.Title, it.Source = h, outlet
			if strings.HasPrefix(it.Summary, h) {
				it.Summary = ""
			}
		}
		pf.Items = append(pf.Items, store.PollItem{Item: it, Matches: matches})
	}
	return pf
}

// saveGroupItems is about how many items the saver stores per
// PollWriter.SavePoll:
// enough that a group's transactions are not dominated by commits, few
// enough that storing starts while most feeds are still being fetched.
const saveGroupItems = 2500

// saver stores a poll's feeds as their results arrive (add, from any
// goroutine), in groups, on one goroutine of its own.
type saver struct {
	feeds   chan store.PollFeed
	done    chan struct{}
	sum     store.PollSummary
	byTopic map[string]int
	err     error // the first error opening the writer or saving; later groups are not stored
}

// startSaver starts a saver for a poll of n feeds; add never blocks.
func (p *Pipeline) startSaver(ctx context.Context, n int) *saver {
	s := &saver{feeds: make(chan store.PollFeed, n), done: make(chan struct{}), byTopic: map[string]int{}}
	go func() {
		defer close(s.done)
		var group []store.PollFeed
		items := 0
		// One writer for the whole poll: the store keeps its cache of
		// the items' indexes warm from one group to the next.
		var pw *store.PollWriter
		defer func() {
			if pw != nil {
				pw.Close()
			}
		}()
		save := func() {
			if len(group) > 0 && s.err == nil && pw == nil {
				pw, s.err = p.store.NewPollWriter(ctx)
			}
			if len(group) > 0 && s.err == nil {
				sum, err := pw.SavePoll(ctx, group)
				if err != nil {
					s.err = err
				} else {
					s.sum.ItemsFetched += sum.ItemsFetched
					s.sum.ItemsNew += sum.ItemsNew
					s.sum.ItemsMatched += sum.ItemsMatched
					s.sum.NewMatched = append(s.sum.NewMatched, sum.NewMatched...)
					for topic, n := range newByTopic(group, sum.NewMatched) {
						s.byTopic[topic] += n
					}
				}
			}
			group, items = nil, 0
		}
		for f := range s.feeds {
			group = append(group, f)
			items += len(f.Items)
			if items >= saveGroupItems {
				save()
			}
		}
		save()
	}()
	return s
}

func (s *saver) add(f store.PollFeed) { s.feeds <- f }

// finish stores what is left and returns what the whole poll stored, in
// the order the feeds arrived.
func (s *saver) finish() (store.PollSummary, map[string]int, error) {
	close(s.feeds)
	<-s.done
	return s.sum, s.byTopic, s.err
}

// newByTopic counts the new, postable items of a poll per matched topic.
func newByTopic(feeds []store.PollFeed, newIDs []string) map[string]int {
	isNew := make(map[string]bool, len(newIDs))
	for _, id := range newIDs {
		isNew[id] = true
	}
	counts := map[string]int{}
	for _, f := range feeds {
		for _, it := range f.Items {
			if isNew[it.Item.ID] {
				for _, m := range it.Matches {
					counts[m.Topic]++
				}
			}
		}
	}
	return counts
}

// nextPoll is the earliest time a failing feed is tried again: Retry-After
// when the server gave one, else exponential backoff from the second
// consecutive failure on, capped at backoffMax.
func nextPoll(now time.Time, failures int, retryAfter time.Duration) time.Time {
	if retryAfter > 0 {
		return now.Add(min(retryAfter, watcher.MaxNextPollAfter))
	}
	if failures < 2 {
		return time.Time{}
	}
	d := time.Duration(float64(backoffBase) * math.Pow(2, float64(failures-2)))
	if d <= 0 || d > backoffMax {
		d = backoffMax
	}
	return now.Add(d)
}

func countFailed(fs []newsdigest.FeedReport) int {
	n := 0
	for _, f := range fs {
		if f.Failing() {
			n++
		}
	}
	return n
}
