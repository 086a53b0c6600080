package pipeline_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/pipeline"
)

// TestExactlyOnceUnderFaults runs 30 randomized trials of the digest against
// a Slack that accepts messages and then loses the answer, answers after the
// client gave up, answers 502, fails before accepting, or is cut off by a
// stop arriving mid-post. Each trial runs digests with faults a few times,
// then without, until one succeeds: every item must then have been posted
// to each of its channels exactly once — not twice, not never.
func TestExactlyOnceUnderFaults(t *testing.T) {
	want := map[string]map[string]int{
		"C001": {"0": 1, "1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "7": 1},
		"C002": {"6": 1, "7": 1},
	}
	faults := map[string]int{}
	trials := 30
	if raceEnabled {
		trials = 8
	}
	for trial := range trials {
		f := newDeliverFixture(t)
		p := f.pipeline(t, f.botConfig())
		p.SlackClient = &http.Client{Timeout: 100 * time.Millisecond}
		p.PostTimeout = 200 * time.Millisecond

		fa := injectFaults(f.slack, rand.New(rand.NewPCG(uint64(trial), 0x5eed)), faults)
		for i := 0; i < 12 && fa.intN(3) > 0; i++ {
			f.slack.Fail(1+fa.intN(30), 1, fakeslack.Failure{Status: 500}) // before accepting
		}

		ok := false
		for run := 0; run < 15 && !ok; run++ {
			ctx, cancel := fa.run(run < 3)
			poll, err := p.Poll(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Deliver(ctx, pipeline.DigestOptions{}, &poll)
			ok = err == nil && ctx.Err() == nil
			cancel()
		}
		if !ok {
			t.Fatalf("trial %d: no digest succeeded once the faults stopped\n%s", trial, f.logs.String())
		}
		if got := f.delivered(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("trial %d: delivered = %v; want each item once per channel: %v", trial, got, want)
		}
	}
	t.Logf("faults injected over %d trials: %v", trials, faults)
	for _, kind := range []string{"lost", "late", "502 after accepting", "stop mid-post"} {
		if faults[kind] == 0 {
			t.Errorf("no %q fault was injected; the trials prove nothing about it", kind)
		}
	}
}

// faultyAnswers answers the messages a fake Slack accepted, while on, with
// a random fault: the answer lost, late (after the client gave up), a 502,
// or a stop of the current run arriving mid-post. It counts them in faults.
type faultyAnswers struct {
	mu     sync.Mutex
	rng    *rand.Rand
	on     bool
	stop   context.CancelFunc // the current run's
	faults map[string]int
}

func injectFaults(s *fakeslack.Server, rng *rand.Rand, faults map[string]int) *faultyAnswers {
	fa := &faultyAnswers{rng: rng, faults: faults}
	s.OnAccept(func(fakeslack.Message) fakeslack.Fault {
		fa.mu.Lock()
		defer fa.mu.Unlock()
		if !fa.on {
			return fakeslack.Fault{}
		}
		switch r := fa.rng.IntN(10); {
		case r < 2:
			fa.faults["lost"]++
			return fakeslack.Fault{Drop: true}
		case r < 4:
			fa.faults["late"]++
			return fakeslack.Fault{Delay: 150 * time.Millisecond}
		case r < 5:
			fa.faults["502 after accepting"]++
			return fakeslack.Fault{Status: 502}
		case r < 6:
			fa.faults["stop mid-post"]++
			fa.stop()
			return fakeslack.Fault{Delay: 20 * time.Millisecond}
		}
		return fakeslack.Fault{}
	})
	return fa
}

// run returns the context of a new run, which a fault may stop, and turns
// the faults on or off for it.
func (fa *faultyAnswers) run(faulty bool) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	fa.mu.Lock()
	defer fa.mu.Unlock()
	fa.stop, fa.on = cancel, faulty
	return ctx, cancel
}

// intN draws from the trial's random source.
func (fa *faultyAnswers) intN(n int) int {
	fa.mu.Lock()
	defer fa.mu.Unlock()
	return fa.rng.IntN(n)
}

// TestWithoutHistoryScope: a token that cannot read the channel cannot
// check a lost answer; the message is posted again (at least once, never
// lost) and the log says which scopes would prevent that.
func TestWithoutHistoryScope(t *testing.T) {
	f := newDeliverFixture(t)
	f.slack.SetScopes("chat:write")
	p := f.pipeline(t, f.botConfig())
	p.SlackClient = &http.Client{Timeout: 100 * time.Millisecond}
	var once sync.Once
	f.slack.OnAccept(func(fakeslack.Message) fakeslack.Fault {
		drop := false
		once.Do(func() { drop = true })
		return fakeslack.Fault{Drop: drop}
	})
	if _, err := run(t, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.logs.String(), "posting it again may duplicate it") || !strings.Contains(f.logs.String(), "channels:history") {
		t.Errorf("no warning naming the missing scope:\n%s", f.logs.String())
	}
	if got := f.delivered(t); got["C001"]["0"] != 2 {
		t.Errorf("delivered = %v; want the first message's items twice (the fallback is at least once)", got)
	}
}

// TestWebhookLostAnswerIsPostedAgain: a webhook cannot be read back, so a
// message whose answer was lost is posted again by the next run: at least
// once, as the README says.
func TestWebhookLostAnswerIsPostedAgain(t *testing.T) {
	f := newDeliverFixture(t)
	p := f.pipeline(t, strings.Replace(f.cfgFor(fmt.Sprintf("slack:\n  webhook_url: %q\n", f.slack.WebhookURL())), "    channel: \"#trade\"\n", "", 1))
	p.Retry.Max = 0
	var once sync.Once
	f.slack.OnAccept(func(fakeslack.Message) fakeslack.Fault {
		drop := false
		once.Do(func() { drop = true })
		return fakeslack.Fault{Drop: drop}
	})
	if _, err := run(t, p); err == nil {
		t.Fatal("a run whose only answer was lost succeeded")
	}
	if _, err := run(t, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.logs.String(), "a webhook cannot be read back") {
		t.Errorf("no warning that the webhook message is posted again:\n%s", f.logs.String())
	}
	// The webhook digest is one message (overflow goes in compact lists):
	// all of it is posted twice.
	for id, n := range f.delivered(t)["webhook"] {
		if n != 2 {
			t.Errorf("item %s delivered %d times; want twice (the lost message, then again)", id, n)
		}
	}
}

// TestAlertsExactlyOnceUnderFaults runs 20 randomized trials of the alerts
// through the digest's delivery path, against the faults the digest
// survives: Slack accepts an alert and then the answer is lost, comes after
// the client gave up, is a 502, or a stop arrives mid-post; or Slack answers
// 500 or 429 before accepting it. Each trial checks the rules with faults a
// few times, then without, until a check succeeds: three stories must then
// have been alerted exactly once each, and the first one's growth reply
// posted exactly once, under its alert.
func TestAlertsExactlyOnceUnderFaults(t *testing.T) {
	faults := map[string]int{}
	trials := 20
	if raceEnabled {
		trials = 5
	}
	for trial := range trials {
		f := newAlertFixture(t, recentStart(), "    reply_at: 5\n")
		p := f.pipeline(t)
		p.SlackClient = &http.Client{Timeout: 100 * time.Millisecond}
		p.PostTimeout = 200 * time.Millisecond
		f.poll(t, p) // first polls

		fa := injectFaults(f.slack, rand.New(rand.NewPCG(uint64(trial), 0xa1e7)), faults)
		settle := func(phase string) {
			t.Helper()
			base := f.slack.Calls()
			for i := 0; i < 8 && fa.intN(3) > 0; i++ {
				if fa.intN(2) == 0 {
					faults["500 before accepting"]++
					f.slack.Fail(base+1+fa.intN(20), 1, fakeslack.Failure{Status: 500})
				} else {
					faults["429 before accepting"]++
					f.slack.Fail(base+1+fa.intN(20), 1, fakeslack.Failure{Status: 429, RetryAfter: "0", Error: "ratelimited"})
				}
			}
			ok := false
			for run := 0; run < 15 && !ok; run++ {
				ctx, cancel := fa.run(run < 3)
				_, err := p.Alert(ctx)
				ok = err == nil && ctx.Err() == nil
				cancel()
			}
			if !ok {
				t.Fatalf("trial %d, %s: no check of the rules succeeded once the faults stopped\n%s", trial, phase, f.logs.String())
			}
		}

		for s := range 3 {
			f.publish(s, ap, reuters, universal, google)
		}
		f.pollOnly(t, p)
		settle("alerts")
		f.publish(0, milenio)
		f.pollOnly(t, p)
		settle("reply")

		top, replies := f.alerts()
		for s := range 3 {
			if n := count(top, breakingStories[s]); n != 1 {
				t.Errorf("trial %d: story %d alerted %d times; want once", trial, s, n)
			}
		}
		if len(top) != 3 || len(replies) != 1 {
			t.Errorf("trial %d: %d alerts and %d replies; want 3 and 1", trial, len(top), len(replies))
		} else if alert := top[slices.IndexFunc(top, func(m fakeslack.Message) bool { return count([]fakeslack.Message{m}, breakingStories[0]) == 1 })]; replies[0].ThreadTS != alert.TS {
			t.Errorf("trial %d: the reply is under %s; want the first story's alert %s", trial, replies[0].ThreadTS, alert.TS)
		}
	}
	t.Logf("faults injected over %d trials: %v", trials, faults)
	for _, kind := range []string{"lost", "late", "502 after accepting", "stop mid-post", "500 before accepting", "429 before accepting"} {
		if faults[kind] == 0 {
			t.Errorf("no %q fault was injected; the trials prove nothing about it", kind)
		}
	}
}
