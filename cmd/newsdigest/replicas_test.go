package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/internal/pgtest"
	"github.com/newsdigest/newsdigest/internal/testlog"
)

// TestReplicas runs three `newsdigest serve` processes on one PostgreSQL
// database, polling every 2 s and posting a digest every 4 s to a fake
// Slack with two channels. It kills (SIGKILL) the replica that is posting
// the first digest message right after Slack accepted it, before it could
// record it; then, once new stories are out, it kills another replica as
// it starts fetching a feed (mid-poll, its feeds claimed). The survivors
// must post every matched story exactly once to its channel, lose none,
// and poll each feed at most once per tick between them (every feed once
// in the ticks where no replica died).
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	dsn := pgtest.NewDatabase(t)
	const token = "xoxb-replicas-secret"
	const nFeeds, nReplicas = 6, 3

	feeds := newReplicaFeeds(t, nFeeds)
	slack := fakeslack.New(t, token)
	slack.AddChannel(fakeslack.Channel{ID: "C1", Name: "mx-digest", Member: true})
	slack.AddChannel(fakeslack.Channel{ID: "C2", Name: "trade", Member: true})

	var feedList strings.Builder
	for i := range nFeeds {
		fmt.Fprintf(&feedList, "  - {name: Feed %d, url: %q}\n", i, feeds.srv.URL+fmt.Sprintf("/f%d", i))
	}
	replicas := make([]*replica, nReplicas)
	for k := range replicas {
		cfg := writeConfig(t, fmt.Sprintf(`schedule: {poll: "@every 2s", digest: "@every 4s"}
store: {driver: postgres, dsn: "${NEWSDIGEST_DSN}", lease_ttl: 2s, max_conns: 4}
serve: {listen: "127.0.0.1:0"}
fetch: {allow_private: true, user_agent: replica-%d}
digest: {lookback: 24h}
slack:
  token: %q
  channel: "#mx-digest"
  api_url: %q
feeds:
%stopics:
  - name: cartels
    terms: [cartel*]
  - name: trade
    terms: [usmca]
    channel: "#trade"
`, k, token, slack.APIURL(), feedList.String()))
		replicas[k] = startReplica(t, k, cfg, dsn)
	}
	t.Cleanup(func() {
		for _, r := range replicas {
			r.stop()
			if t.Failed() {
				t.Logf("replica %d's log:\n%s", r.k, r.logs())
			}
		}
	})

	// The first digest message accepted kills the replica that posted it
	// (it holds the posting lease), before it hears the answer.
	var mu sync.Mutex
	var postVictim *replica
	slack.OnAccept(func(m fakeslack.Message) fakeslack.Fault {
		mu.Lock()
		defer mu.Unlock()
		if postVictim != nil {
			return fakeslack.Fault{}
		}
		pid := leaseHolderPID(t, dsn)
		for _, r := range replicas {
			if r.pid() == pid {
				postVictim = r
				r.kill()
				return fakeslack.Fault{Drop: true}
			}
		}
		t.Errorf("a message was posted by pid %d, which is no replica", pid)
		return fakeslack.Fault{}
	})

	wantItems := feeds.addRound(1)
	waitFor(t, 60*time.Second, "the first stories posted", func() bool { return feeds.allPosted(slack, wantItems) })
	mu.Lock()
	if postVictim == nil {
		mu.Unlock()
		t.Fatal("no replica was killed mid-post")
	}
	var pollVictim *replica
	for _, r := range replicas {
		if r != postVictim {
			pollVictim = r
			break
		}
	}
	mu.Unlock()
	feeds.killOnFetch(pollVictim)
	for k, v := range feeds.addRound(2) {
		wantItems[k] = v
	}
	waitFor(t, 60*time.Second, "a replica killed mid-poll", func() bool { return feeds.killedMidPoll() })
	waitFor(t, 60*time.Second, "every story posted", func() bool { return feeds.allPosted(slack, wantItems) })
	// Let a digest tick pass (real time: the replicas' schedules run on
	// it) in which nothing more may be posted.
	time.Sleep(5 * time.Second)
	for _, r := range replicas {
		r.stop()
	}

	posted := postedItems(slack)
	for id, ch := range wantItems {
		if n := posted[id][ch]; n != 1 {
			t.Errorf("story %s posted %d times to %s; want once", id, n, ch)
		}
		for other, n := range posted[id] {
			if other != ch {
				t.Errorf("story %s posted %d times to %s; want only %s", id, n, other, ch)
			}
		}
	}
	for id := range posted {
		if _, ok := wantItems[id]; !ok {
			t.Errorf("story %s was posted, but it matched no topic", id)
		}
	}

	// Polls: per tick, the replicas fetched each feed at most once between
	// them, and all of them in every tick where no replica died; each feed
	// was fetched at most once per tick overall.
	perTick := map[string]int{}
	var logs strings.Builder
	for _, r := range replicas {
		out := r.logs()
		logs.WriteString(out)
		for _, m := range pollLineRE.FindAllStringSubmatch(out, -1) {
			n, _ := strconv.Atoi(m[2])
			perTick[m[1]] += n
		}
	}
	if len(perTick) < 4 {
		t.Fatalf("only %d poll ticks were logged; want several:\n%s", len(perTick), logs.String())
	}
	short := 0
	for tick, n := range perTick {
		switch {
		case n > nFeeds:
			t.Errorf("tick %s: %d feeds fetched between the replicas; want at most %d (each once)", tick, n, nFeeds)
		case n < nFeeds:
			short++ // the tick a replica died in: its claimed feeds wait for a later tick
		}
	}
	// The tick the replica died in, and the next if its claims had not
	// expired yet when that tick's polls claimed.
	if short > 2 {
		t.Errorf("%d ticks fetched fewer than all feeds; want at most the two around the replica killed mid-poll: %v", short, perTick)
	}
	for path, n := range feeds.hits() {
		if n > len(perTick)+1 {
			t.Errorf("%s fetched %d times in %d ticks; want at most once per tick", path, n, len(perTick))
		}
	}
	if !strings.Contains(logs.String(), "already posted by another newsdigest") {
		t.Error("no replica logged that it skipped a digest another had posted")
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the Slack token appears in the logs")
	}
	t.Logf("%d poll ticks; fetches per tick between the replicas: %v", len(perTick), perTick)
}

var pollLineRE = regexp.MustCompile(`msg="poll finished" tick=(\S+) feeds=\d+ fetched=(\d+)`)

// replica is one `newsdigest serve` process.
type replica struct {
	t    *testing.T
	k    int
	cmd  *exec.Cmd
	out  *testlog.Buffer
	done chan struct{}
}

func startReplica(t *testing.T, k int, cfg, dsn string) *replica {
	cmd := newsdigestCmd("serve -config "+cfg, "NEWSDIGEST_TEST_SECOND_SCHEDULES=1", "NEWSDIGEST_DSN="+dsn)
	r := &replica{t: t, k: k, cmd: cmd, out: &testlog.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = r.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(r.done) }()
	return r
}

func (r *replica) pid() int     { return r.cmd.Process.Pid }
func (r *replica) kill()        { r.cmd.Process.Signal(syscall.SIGKILL) }
func (r *replica) logs() string { return r.out.String() }

// stop ends the replica (SIGTERM) and waits for it, if it still runs.
func (r *replica) stop() {
	select {
	case <-r.done:
		return
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(20 * time.Second):
		r.kill()
		<-r.done
		r.t.Errorf("replica %d did not stop within 20s of SIGTERM", r.k)
	}
}

// leaseHolderPID reads which process holds the posting lease.
func leaseHolderPID(t *testing.T, dsn string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer conn.Close(ctx)
	var owner string
	if err := conn.QueryRow(ctx, `SELECT owner FROM leases WHERE name = 'digest'`).Scan(&owner); err != nil {
		t.Error(err)
		return 0
	}
	_, rest, _ := strings.Cut(owner, " pid ")
	pid, _ := strconv.Atoi(strings.Fields(rest)[0])
	return pid
}

// replicaFeeds serves the test's feeds, counts their fetches, and can kill
// the replica that fetches next.
type replicaFeeds struct {
	t   *testing.T
	srv *httptest.Server
	n   int

	mu        sync.Mutex
	specs     map[string]feedtest.FeedSpec
	fetches   map[string]int
	victim    *replica
	killedMid bool
}

func newReplicaFeeds(t *testing.T, n int) *replicaFeeds {
	f := &replicaFeeds{t: t, n: n, specs: map[string]feedtest.FeedSpec{}, fetches: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *replicaFeeds) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if v := f.victim; v != nil && r.UserAgent() == fmt.Sprintf("replica-%d", v.k) {
		f.victim, f.killedMid = nil, true
		v.kill()
		f.mu.Unlock()
		<-r.Context().Done() // its connection dies with it
		return
	}
	spec, ok := f.specs[r.URL.Path]
	if ok {
		f.fetches[r.URL.Path]++
	}
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", feedtest.ContentType(spec.Format))
	w.Write(feedtest.Render(spec))
}

// addRound publishes two new stories in every feed, a cartel story and a
// trade story, and returns where each must be posted, by story ID.
func (f *replicaFeeds) addRound(round int) map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	want := map[string]string{}
	for i := range f.n {
		path := fmt.Sprintf("/f%d", i)
		spec := f.specs[path]
		spec.Format, spec.Title = feedtest.RSS, fmt.Sprintf("Feed %d", i)
		for j, title := range []string{"Cartel %s", "USMCA %s"} {
			id := fmt.Sprintf("r%d-f%d-%d", round, i, j)
			// Words of their own, so that no two stories group as one.
			var words []string
			for w := range 4 {
				words = append(words, nonsenseWord(((round*100+i)*10+j)*10+w))
			}
			spec.Items = append(spec.Items, feedtest.ItemSpec{GUID: id, Title: fmt.Sprintf(title, strings.Join(words, " ")),
				Link: f.srv.URL + "/item/" + id, Published: time.Now()})
			want[id] = map[int]string{0: "C1", 1: "C2"}[j]
		}
		f.specs[path] = spec
	}
	return want
}

func (f *replicaFeeds) killOnFetch(r *replica) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.victim = r
}

func (f *replicaFeeds) killedMidPoll() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.killedMid
}

func (f *replicaFeeds) hits() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.fetches {
		out[k] = v
	}
	return out
}

// allPosted reports whether every wanted story reached Slack.
func (f *replicaFeeds) allPosted(slack *fakeslack.Server, want map[string]string) bool {
	posted := postedItems(slack)
	for id, ch := range want {
		if posted[id][ch] == 0 {
			return false
		}
	}
	return true
}

var storyRE = regexp.MustCompile(`/item/(r\d+-f\d+-\d+)`)

// postedItems counts, per story and channel ID, the messages that carried
// it (its link; once per message).
func postedItems(slack *fakeslack.Server) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, m := range slack.Messages() {
		seen := map[string]bool{}
		for _, mm := range storyRE.FindAllStringSubmatch(string(m.Blocks), -1) {
			if seen[mm[1]] {
				continue
			}
			seen[mm[1]] = true
			if out[mm[1]] == nil {
				out[mm[1]] = map[string]int{}
			}
			out[mm[1]][m.Channel]++
		}
	}
	return out
}

// waitFor polls cond until it holds, failing the test after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// nonsenseWord is a made-up word of its own for each n.
func nonsenseWord(n int) string {
	const consonants, vowels = "bdfgklmnprstvz", "aeiou"
	var b []byte
	for n = n*7919 + 104729; len(b) < 8; n /= 7 {
		b = append(b, consonants[n%len(consonants)], vowels[n%len(vowels)])
	}
	return string(b)
}
