package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/internal/testlog"
)

// TestMain lets TestServeSIGTERM run this test binary as newsdigest itself.
func TestMain(m *testing.M) {
	if os.Getenv("NEWSDIGEST_TEST_AS_MAIN") == "1" {
		if os.Getenv("NEWSDIGEST_TEST_SECOND_SCHEDULES") == "1" {
			config.MinScheduleInterval = time.Second // TestReplicas runs its schedules in seconds
		}
		os.Args = append([]string{"newsdigest"}, strings.Fields(os.Getenv("NEWSDIGEST_TEST_ARGS"))...)
		main()
	}
	os.Exit(m.Run())
}

// newsdigestCmd runs this test binary as `newsdigest args` (TestMain),
// with env added to its environment.
func newsdigestCmd(args string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// GORACE: a -race binary otherwise sleeps 1s at exit.
	cmd.Env = append(append(os.Environ(), "GORACE=atexit_sleep_ms=0", "NEWSDIGEST_TEST_AS_MAIN=1", "NEWSDIGEST_TEST_ARGS="+args), env...)
	return cmd
}

const serveToken = "serve-cmd-token-7777"

// serveConfig writes a config for serve against a loopback feed and a fake
// Slack, listening on 127.0.0.1:0 with schedules that do not fire in a test.
func serveConfig(t *testing.T) (path string, slack *fakeslack.Server) {
	t.Helper()
	return serveConfigWith(t, fmt.Sprintf(`{listen: "127.0.0.1:0", token: %q}`, serveToken))
}

// serveConfigWith is serveConfig with serveYAML as the serve section.
func serveConfigWith(t *testing.T, serveYAML string) (path string, slack *fakeslack.Server) {
	t.Helper()
	const token = "xoxb-serve-cmd-secret"
	srv := feedtest.NewServer(t)
	srv.Set("/feed", feedtest.FeedSpec{Format: "rss", Title: "Wire", Items: []feedtest.ItemSpec{
		{GUID: "1", Title: "Sinaloa Cartel chief extradited from Mexico", Link: srv.URL + "/1", Published: time.Now().Add(-time.Hour)},
	}})
	slack = fakeslack.New(t, token)
	slack.AddChannel(fakeslack.Channel{ID: "C1", Name: "mx-digest", Member: true})
	path = writeConfig(t, fmt.Sprintf(`schedule: {poll: "@yearly", digest: "@yearly"}
serve: %s
slack:
  token: %q
  channel: "#mx-digest"
  api_url: %q
fetch: {allow_private: true} # the feed server is on 127.0.0.1
feeds:
  - {name: Wire, url: %q}
%s`, serveYAML, token, slack.APIURL(), srv.URL+"/feed", topicsYAML))
	return path, slack
}

var servingAddr = regexp.MustCompile(`msg=serving addr=(\S+)`)

// waitServing waits for serve's "serving" log line and returns its address.
func waitServing(t *testing.T, logs func() string, exited <-chan int) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if m := servingAddr.FindStringSubmatch(logs()); m != nil {
			return m[1]
		}
		select {
		case code := <-exited:
			t.Fatalf("serve exited %d before serving:\n%s", code, logs())
		case <-deadline:
			t.Fatalf("serve did not log its address within 10s:\n%s", logs())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestServe runs `newsdigest serve` through Main: it serves, posts on
// demand, and exits 0 soon after its context is cancelled (what SIGTERM does).
func TestServe(t *testing.T) {
	cfg, slack := serveConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr testlog.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- Main(ctx, []string{"serve", "-config", cfg}, strings.NewReader(""), io.Discard, &stderr, func(string) string { return "" })
	}()
	addr := waitServing(t, stderr.String, exited)

	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d; want 200", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/run", nil)
	req.Header.Set("Authorization", "Bearer "+serveToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(slack.Messages()) != 1 {
		t.Errorf("POST /run = %d, %d messages; want 200, 1", resp.StatusCode, len(slack.Messages()))
	}

	began := time.Now()
	cancel()
	select {
	case code := <-exited:
		if code != 0 {
			t.Errorf("serve exited %d after cancel; want 0:\n%s", code, stderr.String())
		}
		t.Logf("serve exited %v after cancel", time.Since(began))
	case <-time.After(5 * time.Second):
		t.Fatalf("serve still running 5s after cancel")
	}
	if strings.Contains(stderr.String(), serveToken) || strings.Contains(stderr.String(), "xoxb-") {
		t.Errorf("a secret appears in the logs:\n%s", stderr.String())
	}
}

func TestServeConfigErrors(t *testing.T) {
	cfg, _ := serveConfig(t)
	noSlack := writeConfig(t, "feeds:\n  - {name: Wire, url: \"http://127.0.0.1:1/feed\"}\n"+topicsYAML)
	noFeeds := writeConfig(t, "slack: {webhook_url: \"http://127.0.0.1:1/hook\"}\n"+topicsYAML)
	// The shipped serve.token with NEWSDIGEST_TOKEN unset, on every interface.
	open, _ := serveConfigWith(t, `{listen: "0.0.0.0:0", token: "${NEWSDIGEST_TOKEN:-}"}`)
	// A required secret whose variable is unset.
	unset, _ := serveConfigWith(t, `{listen: "0.0.0.0:0", token: "${NEWSDIGEST_TOKEN}"}`)
	tests := []struct {
		name     string
		args     []string
		inStderr string
	}{
		{"no slack", []string{"serve", "-config", noSlack}, "slack"},
		{"no feeds", []string{"serve", "-config", noFeeds}, "feeds"},
		{"no token off loopback", []string{"serve", "-config", open}, `:2: serve.listen: "0.0.0.0:0" is not a loopback address and serve.token is not set`},
		{"validate: no token off loopback", []string{"validate", "-config", open}, `:2: serve.listen: "0.0.0.0:0" is not a loopback address`},
		{"token variable unset", []string{"serve", "-config", unset}, ":2: serve.token: ${NEWSDIGEST_TOKEN} is not set or empty"},
		{"argument", []string{"serve", "-config", cfg, "now"}, "unexpected argument"},
		{"bad flag", []string{"serve", "-listen", ":80"}, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runMain(t, "", nil, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("Main(%q) = %d; want 2 with %q in stderr:\n%s", tt.args, code, tt.inStderr, errOut)
			}
		})
	}
}

// TestServeSIGTERM runs serve as a real process and stops it with SIGTERM.
func TestServeSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	cfg, _ := serveConfig(t)
	cmd := newsdigestCmd("serve -config " + cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs testlog.Buffer
	copied := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(&logs, sc.Text())
		}
		close(copied)
	}()
	exited := make(chan int, 1)
	addr := waitServing(t, logs.String, exited)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	began := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { <-copied; done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v; want exit 0:\n%s", err, logs.String())
		}
		t.Logf("serve exited %v after SIGTERM", time.Since(began))
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve still running 5s after SIGTERM:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "msg=stopped") {
		t.Errorf("no clean stop in the logs:\n%s", logs.String())
	}
}
