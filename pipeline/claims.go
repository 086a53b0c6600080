package pipeline

import (
	"context"
	"fmt"
	"time"
)

// feedClaims are the feeds one poll claimed in the store (see PollTick),
// kept alive by a heartbeat until release.
type feedClaims struct {
	p     *Pipeline
	owner string
	mine  map[string]bool
	stop  chan struct{}
	done  chan struct{}
}

// claimFeeds claims, for this process, those of urls it may poll for tick,
// and keeps the claims alive until release.
func (p *Pipeline) claimFeeds(ctx context.Context, tick time.Time, urls []string) (*feedClaims, error) {
	c := &feedClaims{p: p, owner: p.owner, mine: map[string]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	if len(urls) == 0 {
		close(c.done)
		return c, nil
	}
	ttl := p.leaseTTL()
	got, err := p.store.ClaimFeeds(ctx, c.owner, tick, urls, ttl)
	if err != nil {
		return nil, fmt.Errorf("pipeline: poll: %w", err)
	}
	for _, u := range got {
		c.mine[u] = true
	}
	if n := len(urls) - len(got); n > 0 {
		p.logger.Info("feeds polled by another newsdigest", "feeds", n, "tick", tickAttr(tick))
	}
	go c.heartbeat(ttl)
	return c, nil
}

// heartbeat renews the claims every third of their TTL until release.
func (c *feedClaims) heartbeat(ttl time.Duration) {
	defer close(c.done)
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if err := c.p.store.RenewClaims(context.Background(), c.owner, ttl); err != nil {
				c.p.logger.Warn("could not renew the poll's feed claims; another newsdigest may poll those feeds too once they expire", "err", err)
			}
		}
	}
}

// release stops the heartbeat and gives up the claims the poll did not
// complete (it stopped early), so that another process may take them now.
func (c *feedClaims) release() {
	select {
	case <-c.done: // nothing was claimed
		return
	default:
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
