package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestLease(t *testing.T) {
	ctx := context.Background()
	stores := mustOpenShared(t, 2) // a second process on the same database
	a, b := stores[0], stores[1]
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	a.Now = func() time.Time { return now }
	b.Now = func() time.Time { return now }

	steps := []struct {
		name       string
		s          *Store
		owner      string
		advance    time.Duration
		release    bool
		wantOK     bool
		wantHolder string
	}{
		{"a takes the free lease", a, "serve", 0, false, true, ""},
		{"b is refused while it is held", b, "run", time.Minute, false, false, "serve"},
		{"a extends its own lease", a, "serve", time.Minute, false, true, ""},
		{"still held 9 minutes after the extension", b, "run", 9 * time.Minute, false, false, "serve"},
		{"b takes it once it expired", b, "run", 2 * time.Minute, false, true, ""},
		{"a is refused now", a, "serve", 0, false, false, "run"},
		{"b releases; a takes it", b, "run", 0, true, false, ""},
	}
	for _, st := range steps {
		now = now.Add(st.advance)
		if st.release {
			if err := st.s.ReleaseLease(ctx, "digest", st.owner); err != nil {
				t.Fatal(err)
			}
			ok, holder, _, err := a.AcquireLease(ctx, "digest", "serve", 10*time.Minute)
			if err != nil || !ok || holder != "" {
				t.Errorf("%s: AcquireLease after release = %v, %q, %v; want true", st.name, ok, holder, err)
			}
			continue
		}
		ok, holder, until, err := st.s.AcquireLease(ctx, "digest", st.owner, 10*time.Minute)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if ok != st.wantOK || holder != st.wantHolder {
			t.Errorf("%s: AcquireLease(%s) = %v, %q; want %v, %q", st.name, st.owner, ok, holder, st.wantOK, st.wantHolder)
		}
		// Held: until the end of the new term. Refused: until the holder's
		// term ends, which is in the future.
		if ok && !until.Equal(now.Add(10*time.Minute)) || !ok && !until.After(now) {
			t.Errorf("%s: AcquireLease(%s) until %v; want the end of the holder's term (now %v)", st.name, st.owner, until, now)
		}
	}
	// Releasing a lease one does not hold changes nothing.
	if err := b.ReleaseLease(ctx, "digest", "run"); err != nil {
		t.Fatal(err)
	}
	if ok, holder, _, _ := b.AcquireLease(ctx, "digest", "run", time.Minute); ok || holder != "serve" {
		t.Errorf("after a foreign release: AcquireLease = %v, %q; want false, serve", ok, holder)
	}
}

// TestLeaseRace is several processes asking for a free lease at once
// (PostgreSQL runs their statements together): exactly one gets it.
func TestLeaseRace(t *testing.T) {
	ctx := context.Background()
	stores := mustOpenShared(t, 4)
	for round := range 10 {
		name := fmt.Sprint("race", round)
		got := make([]bool, len(stores))
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() {
				ok, _, _, err := s.AcquireLease(ctx, name, fmt.Sprint("p", i), time.Minute)
				if err != nil {
					t.Error(err)
				}
				got[i] = ok
			})
		}
		wg.Wait()
		if n := len(slices.DeleteFunc(got, func(ok bool) bool { return !ok })); n != 1 {
			t.Errorf("round %d: %d processes hold the lease; want 1", round, n)
		}
	}
}
