package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// digestLease is the store lease held while a digest (or the alerts) is
// selected and posted, so that two processes (serve and a manual run, or
// two replicas) never post the same items. It is short and kept alive by a heartbeat while this
// process posts, so that a holder that crashed blocks the others for
// seconds; one on this host whose process is gone is taken over at once.
const (
	digestLease = "digest"
	// DefaultLeaseTTL is how long the lease outlives its last heartbeat.
	DefaultLeaseTTL = 20 * time.Second
	// leaseWait is how long Deliver waits for another process's lease.
	leaseWait = time.Minute
)

// lease is the digest lease, held by this process until release.
type lease struct {
	p     *Pipeline
	owner string
	ttl   time.Duration

	mu   sync.Mutex
	lost error // set when a renewal found the lease taken

	stop chan struct{}
	done chan struct{}
}

// acquireLease waits, while ctx allows and for at most leaseWait, for the
// store's digest lease, then keeps it alive until release.
func (p *Pipeline) acquireLease(ctx context.Context) (*lease, error) {
	owner := leaseOwner()
	ttl := p.leaseTTL()
	deadline := time.Now().Add(leaseWait)
	logged := ""
	for {
		ok, holder, until, err := p.store.AcquireLease(ctx, digestLease, owner, ttl)
		if err != nil {
			return nil, fmt.Errorf("pipeline: digest: %w", err)
		}
		if ok {
			l := &lease{p: p, owner: owner, ttl: ttl, stop: make(chan struct{}), done: make(chan struct{})}
			go l.heartbeat()
			return l, nil
		}
		if deadOnThisHost(holder) {
			p.logger.Warn("the digest lease's holder is no longer running on this host; taking the lease over", "holder", holder)
			if err := p.store.ReleaseLease(ctx, digestLease, holder); err != nil {
				return nil, fmt.Errorf("pipeline: digest: %w", err)
			}
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("pipeline: another newsdigest (%s) is posting a digest to this store; its lease expires at %s unless it renews it; try again later",
				holder, until.Format(time.RFC3339))
		}
		if holder != logged {
			p.logger.Info("waiting for another newsdigest to finish its digest", "holder", holder, "lease_expires", until.Format(time.RFC3339))
			logged = holder
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("pipeline: digest: %w", ctx.Err())
		case <-time.After(min(500*time.Millisecond, time.Until(until)+10*time.Millisecond)):
		}
	}
}

// heartbeat renews the lease every third of its TTL until release.
func (l *lease) heartbeat() {
	beat(l.ttl, l.stop, l.done, func() {
		if err := l.renew(context.Background()); err != nil {
			l.p.logger.Error("could not renew the digest lease", "err", err)
		}
	})
}

// beat calls renew every third of ttl until stop is closed, then closes
// done: the heartbeat of the digest lease and of a poll's feed claims.
func beat(ttl time.Duration, stop <-chan struct{}, done chan<- struct{}, renew func()) {
	defer close(done)
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			renew()
		}
	}
}

// renew extends the lease. It fails, for good, once another process took it
// (this one's expired, say while this process was frozen): the caller must
// then stop posting.
func (l *lease) renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost != nil {
		return l.lost
	}
	ok, holder, _, err := l.p.store.AcquireLease(ctx, digestLease, l.owner, l.ttl)
	if err != nil {
		return fmt.Errorf("pipeline: digest: renew the posting lease: %w", err)
	}
	if !ok {
		l.lost = fmt.Errorf("pipeline: digest: the posting lease expired and %s took it; stopping so as not to post twice", holder)
		return l.lost
	}
	return nil
}

// release stops the heartbeat and gives the lease up, even when the
// digest's context was cancelled: the post is over.
func (l *lease) release() {
	close(l.stop)
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.p.store.ReleaseLease(ctx, digestLease, l.owner); err != nil {
		l.p.logger.Warn("could not release the digest lease; it expires by itself", "err", err)
	}
}

// leaseOwner names this process: host, pid and a random tag (pids repeat).
func leaseOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s pid %d #%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// deadOnThisHost reports whether a lease owner names a process of this host
// that no longer runs. Any doubt (another host, a pid that now belongs to
// another process) answers false: the lease then simply expires.
func deadOnThisHost(owner string) bool {
	host, _ := os.Hostname()
	rest, ok := strings.CutPrefix(owner, host+" pid ")
	if !ok {
		return false
	}
	pidText, _, _ := strings.Cut(rest, " ")
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	proc, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = proc.Signal(syscall.Signal(0))
	return errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH)
}
