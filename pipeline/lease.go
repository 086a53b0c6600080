package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"
)

// digestLease is the store lease held while a digest is selected and posted,
// so that two processes (serve and a manual run) never post the same items.
// The lease is renewed before each channel; one channel's post, with every
// retry and Retry-After wait, stays well under the TTL.
const (
	digestLease    = "digest"
	digestLeaseTTL = 30 * time.Minute
)

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
