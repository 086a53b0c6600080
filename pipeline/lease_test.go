package pipeline_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/store"
)

// leaseFixture is a deliver fixture's pipeline, with a second handle on its
// store for playing the other process.
func leaseFixture(t *testing.T) (*deliverFixture, *pipeline.Pipeline, *store.Store) {
	f := newDeliverFixture(t)
	p, cfg := newPipelineLogged(t, f.botConfig(), "", slog.New(slog.NewTextHandler(f.logs, nil)))
	p.Retry = pipeline.Retry{Max: 3, Base: time.Millisecond, MaxWait: time.Second}
	other, err := store.Open(context.Background(), cfg.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return f, p, other
}

// TestLeaseOfAnotherHostExpires: a holder on another host that stopped
// renewing blocks posting only until its short lease expires, and the log
// says whose lease it was and when it expires.
func TestLeaseOfAnotherHostExpires(t *testing.T) {
	f, p, other := leaseFixture(t)
	if ok, _, _, err := other.AcquireLease(context.Background(), "digest", "otherhost pid 4242 #dead", 1500*time.Millisecond); err != nil || !ok {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := run(t, p); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if took < time.Second || took > 10*time.Second {
		t.Errorf("Deliver took %v with a 1.5s lease in the way; want it to wait for the lease to expire, no longer", took)
	}
	if logs := f.logs.String(); !strings.Contains(logs, "otherhost pid 4242") || !strings.Contains(logs, "lease_expires=") {
		t.Errorf("logs do not name the holder and the expiry:\n%s", logs)
	}
	if len(f.slack.Messages()) == 0 {
		t.Error("nothing posted after the lease expired")
	}
}

// TestLeaseOfDeadLocalProcessIsTakenOver: a holder on this host whose
// process is gone (kill -9) is taken over at once, however long its lease.
func TestLeaseOfDeadLocalProcessIsTakenOver(t *testing.T) {
	f, p, other := leaseFixture(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skipf("no process to outlive: %v", err)
	}
	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s pid %d #gone", host, dead.Process.Pid)
	if ok, _, _, err := other.AcquireLease(context.Background(), "digest", holder, time.Hour); err != nil || !ok {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := run(t, p); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Deliver took %v behind a dead process's lease; want it taken over at once", took)
	}
	if !strings.Contains(f.logs.String(), "taking the lease over") {
		t.Errorf("the takeover is not logged:\n%s", f.logs.String())
	}
}

// TestHeartbeatKeepsTheLease: a post slower than the lease's TTL does not
// let another process in; the heartbeat renews the lease meanwhile.
func TestHeartbeatKeepsTheLease(t *testing.T) {
	f, p, other := leaseFixture(t)
	p.LeaseTTL = 300 * time.Millisecond
	refused := make(chan bool, 1)
	var once sync.Once
	f.slack.OnAccept(func(fakeslack.Message) fakeslack.Fault {
		once.Do(func() {
			// Three TTLs into the post, another process tries for the lease.
			go func() {
				<-time.After(3 * p.LeaseTTL)
				ok, _, _, err := other.AcquireLease(context.Background(), "digest", "intruder", time.Minute)
				refused <- err == nil && !ok
			}()
		})
		return fakeslack.Fault{Delay: 4 * p.LeaseTTL} // Slack answers after four
	})
	if _, err := run(t, p); err != nil {
		t.Fatal(err)
	}
	if !<-refused {
		t.Error("another process took the lease while a slow post was under way")
	}
}

// TestLostLeaseStopsPosting: when another process has taken the lease (this
// one's expired while it was frozen, say), no further message is posted.
func TestLostLeaseStopsPosting(t *testing.T) {
	f, p, other := leaseFixture(t)
	ctx := context.Background()
	f.slack.OnAccept(func(m fakeslack.Message) fakeslack.Fault {
		if len(f.slack.Messages()) == 1 {
			// Steal the lease: release it for whoever holds it, take it.
			var holder string
			if _, h, _, err := other.AcquireLease(ctx, "digest", "thief", time.Minute); err == nil {
				holder = h
			}
			other.ReleaseLease(ctx, "digest", holder)
			other.AcquireLease(ctx, "digest", "thief", time.Minute)
		}
		return fakeslack.Fault{}
	})
	_, err := run(t, p)
	if err == nil || !strings.Contains(err.Error(), "thief took it") {
		t.Fatalf("Deliver after losing the lease = %v; want an error naming the new holder", err)
	}
	if n := len(f.slack.Messages()); n != 1 {
		t.Errorf("%d messages posted; want 1 (none after the lease was lost)", n)
	}
}
