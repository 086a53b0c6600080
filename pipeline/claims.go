package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/newsdigest/newsdigest/watcher"
)

// claimChunk is how many feeds a poll claims at a time, as its workers
// reach them: small enough that replicas polling together share a tick's
// feeds, large enough that a poll of 1,000 feeds takes few transactions.
const claimChunk = 32

// feedClaims are the feeds one poll claims in the store (see PollTick) as
// its fetch workers reach them, kept alive by a heartbeat until release.
type feedClaims struct {
	p     *Pipeline
	owner string
	tick  time.Time
	ttl   time.Duration
	reqs  []watcher.Request

	mu      sync.Mutex
	claimed []bool // per chunk of reqs: asked the store
	mine    map[string]bool
	err     error // the first store error: the poll fails
	beating bool

	stop chan struct{}
	done chan struct{}
}

// newClaims prepares the claims of a poll of reqs for tick. It puts reqs
// in the order the poll should take them: a random rotation, so that
// replicas polling at once start at different feeds and meet late.
func (p *Pipeline) newClaims(tick time.Time, reqs []watcher.Request) *feedClaims {
	if n := len(reqs); n > claimChunk {
		k := rand.IntN(n)
		reqs = append(reqs[k:len(reqs):len(reqs)], reqs[:k]...)
	}
	return &feedClaims{
		p: p, owner: p.owner, tick: tick, ttl: p.leaseTTL(), reqs: reqs,
		claimed: make([]bool, (len(reqs)+claimChunk-1)/claimChunk),
		mine:    map[string]bool{},
		stop:    make(chan struct{}), done: make(chan struct{}),
	}
}

// take reports whether this poll holds reqs[i], claiming its chunk first
// when no worker did yet.
func (c *feedClaims) take(ctx context.Context, i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return false
	}
	if k := i / claimChunk; !c.claimed[k] {
		c.claimed[k] = true
		chunk := c.reqs[k*claimChunk : min(len(c.reqs), (k+1)*claimChunk)]
		urls := make([]string, len(chunk))
		for j, r := range chunk {
			urls[j] = r.Feed.URL
		}
		got, err := c.p.store.ClaimFeeds(ctx, c.owner, c.tick, urls, c.ttl)
		if err != nil {
			c.err = fmt.Errorf("pipeline: poll: %w", err)
			return false
		}
		for _, u := range got {
			c.mine[u] = true
		}
		if len(got) > 0 && !c.beating {
			c.beating = true
			go c.heartbeat()
		}
	}
	return c.mine[c.reqs[i].Feed.URL]
}

// heartbeat renews the claims every third of their TTL until release.
func (c *feedClaims) heartbeat() {
	beat(c.ttl, c.stop, c.done, func() {
		if err := c.p.store.RenewClaims(context.Background(), c.owner, c.ttl); err != nil {
			c.p.logger.Warn("could not renew the poll's feed claims; another newsdigest may poll those feeds too once they expire", "err", err)
		}
	})
}

// release stops the heartbeat and gives up the claims the poll did not
// complete (it stopped early), so that another process may take them now.
func (c *feedClaims) release() {
	c.mu.Lock()
	beating := c.beating
	c.mu.Unlock()
	if !beating {
		return // nothing claimed
	}
	close(c.stop)
	<-c.done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.p.store.ReleaseClaims(ctx, c.owner); err != nil {
		c.p.logger.Warn("could not release the poll's feed claims; they expire by themselves", "err", err)
	}
}

func (p *Pipeline) leaseTTL() time.Duration {
	if p.LeaseTTL > 0 {
		return p.LeaseTTL
	}
	return DefaultLeaseTTL
}

// tickAttr is a tick for the log: "on demand" when there is none.
func tickAttr(tick time.Time) string {
	if tick.IsZero() {
		return "on demand"
	}
	return tick.Format(time.RFC3339)
}
