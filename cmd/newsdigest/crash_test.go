package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/internal/testlog"
)

// TestKilledMidPost runs `newsdigest run` as a real process and kills it
// (SIGKILL) or stops it (SIGTERM) at a random moment of its posting: right
// after Slack accepted a message, before newsdigest heard the answer. The
// next runs must post everything that was not posted, and nothing twice;
// after a kill the next run must not wait for the dead process's lease.
func TestKilledMidPost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	const token = "xoxb-crash-test-secret"
	trials := 30
	if raceEnabled {
		trials = 6
	}
	var slowest time.Duration
	for trial := range trials {
		rng := rand.New(rand.NewPCG(uint64(trial), 9))
		srv := feedtest.NewServer(t)
		var items []feedtest.ItemSpec
		for i := range 7 {
			items = append(items, feedtest.ItemSpec{GUID: fmt.Sprint(i), Title: fmt.Sprintf("Sinaloa Cartel story %d in Mexico", i),
				Link: fmt.Sprintf("%s/item/%d", srv.URL, i), Published: time.Now().Add(-time.Duration(i+1) * time.Minute)})
		}
		srv.Set("/feed", feedtest.FeedSpec{Format: feedtest.RSS, Title: "Wire", Items: items})
		slack := fakeslack.New(t, token)
		slack.AddChannel(fakeslack.Channel{ID: "C1", Name: "mx-digest", Member: true})
		// Two stories per message part: a digest message and thread replies.
		cfg := writeConfig(t, fmt.Sprintf("fetch: {allow_private: true}\ndigest: {max_per_topic: 2}\nslack:\n  token: %q\n  channel: \"#mx-digest\"\n  api_url: %q\nfeeds:\n  - {name: Wire, url: %q}\n%s",
			token, slack.APIURL(), srv.URL+"/feed", topicsYAML))

		var child atomic.Pointer[os.Process]
		kill := rng.IntN(2) == 0
		at := 1 + rng.IntN(2) // the accepted message (of 2) after which the signal comes
		signalled := signalMidPost(slack, &child, kill, at, nil)

		code, logs := runChild(t, cfg, &child)
		if signalled().IsZero() {
			t.Fatalf("trial %d: the run ended (exit %d) before message %d was posted:\n%s", trial, code, at, logs)
		}
		if code == 0 && kill {
			t.Fatalf("trial %d: a killed run exited 0", trial)
		}
		logs = rerunUntilOK(t, trial, cfg, &child, kill)
		slowest = max(slowest, time.Since(signalled()))
		posted := map[string]int{}
		for _, m := range slack.Messages() {
			for _, mm := range itemLinkRE.FindAllStringSubmatch(string(m.Blocks), -1) {
				posted[mm[1]]++
			}
		}
		for i := range items {
			if n := posted[fmt.Sprint(i)]; n != 1 {
				t.Errorf("trial %d (%s after message %d): item %d posted %d times; want once\n%s", trial,
					signalName(kill), at, i, n, logs)
			}
		}
		if strings.Contains(logs, token) {
			t.Errorf("trial %d: the token appears in the logs", trial)
		}
	}
	t.Logf("%d trials; the longest from the signal to a complete digest: %v", trials, slowest)
	if slowest > time.Minute {
		t.Errorf("a digest completed %v after a crash; want within a minute", slowest)
	}
}

var itemLinkRE = regexp.MustCompile(`/item/(\d+)`)

// signalMidPost makes slack signal the running child right after it
// accepted the at-th message that counts (every message when counts is
// nil), before the child hears the answer: SIGKILL (the answer is lost), or
// SIGTERM (the answer comes after the stop). The func it returns says when
// it did (zero: not yet).
func signalMidPost(slack *fakeslack.Server, child *atomic.Pointer[os.Process], kill bool, at int, counts func(fakeslack.Message) bool) func() time.Time {
	var mu sync.Mutex
	accepted, signalled := 0, time.Time{}
	slack.OnAccept(func(m fakeslack.Message) fakeslack.Fault {
		mu.Lock()
		defer mu.Unlock()
		if child.Load() == nil || !signalled.IsZero() || (counts != nil && !counts(m)) {
			return fakeslack.Fault{}
		}
		if accepted++; accepted != at {
			return fakeslack.Fault{}
		}
		signalled = time.Now()
		if kill {
			child.Load().Signal(syscall.SIGKILL)
			return fakeslack.Fault{Drop: true}
		}
		child.Load().Signal(syscall.SIGTERM)
		return fakeslack.Fault{Delay: 50 * time.Millisecond}
	})
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return signalled
	}
}

// rerunUntilOK runs the child after a signalled run until a run exits 0,
// at most four times, failing the trial when none does; it returns the
// last run's logs.
func rerunUntilOK(t *testing.T, trial int, cfg string, child *atomic.Pointer[os.Process], kill bool) string {
	t.Helper()
	var logs string
	for range 4 {
		var code int
		if code, logs = runChild(t, cfg, child); code == 0 {
			return logs
		}
	}
	t.Fatalf("trial %d: no run succeeded after the %s:\n%s", trial, signalName(kill), logs)
	return ""
}

func signalName(kill bool) string {
	if kill {
		return "SIGKILL"
	}
	return "SIGTERM"
}

// runChild runs `newsdigest run -config cfg` as a real process, with its
// process in child while it runs (for a test to signal), and returns its
// exit status and what it logged.
func runChild(t *testing.T, cfg string, child *atomic.Pointer[os.Process]) (int, string) {
	t.Helper()
	cmd := newsdigestCmd("run -config " + cfg)
	var stderr testlog.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	child.Store(cmd.Process)
	err := cmd.Wait()
	child.Store(nil)
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stderr.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}
