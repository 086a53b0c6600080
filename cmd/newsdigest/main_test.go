package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
)

// runMain runs the whole program as a user would, and returns its exit
// status and output streams.
func runMain(t *testing.T, stdin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := Main(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr, getenv)
	return code, stdout.String(), stderr.String()
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	return writeTemp(t, "config.yaml", body)
}

// writeTemp writes body to a file named name in a fresh temporary
// directory and returns its path.
func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const topicsYAML = `
topics:
  - name: cartels
    label: "Cartels & organized crime"
    emoji: ":rotating_light:"
    terms: [cartel*, narco*, fentanyl, "Sinaloa Cartel", CJNG]
    exclude: ["Cartel de Santa"]
    require:
      - [mexico, méxico, mexican*]
  - name: usmca
    label: "USMCA"
    terms: [USMCA, T-MEC]
`

func TestRunDryRunJSON(t *testing.T) {
	srv := feedtest.NewServer(t)
	now := time.Now()
	srv.Set("/feed", feedtest.FeedSpec{Format: "rss", Title: "Wire", Items: []feedtest.ItemSpec{
		{GUID: "1", Title: "Sinaloa Cartel chief extradited from Mexico", Summary: "A <b>major</b> case.", Link: srv.URL + "/1", Published: now.Add(-time.Hour)},
		{GUID: "2", Title: "T-MEC: revisión en 2026", Link: srv.URL + "/2", Published: now.Add(-2 * time.Hour)},
		{GUID: "3", Title: "Weather in Oslo", Link: srv.URL + "/3", Published: now.Add(-time.Hour)},
	}})
	cfg := writeConfig(t, fmt.Sprintf("timezone: America/Mexico_City\nfetch: {allow_private: true}\ndigest:\n  title: Test Watch\nfeeds:\n  - {name: Wire, url: %q}\n  - {name: Down, url: %q}\n%s",
		srv.URL+"/feed", srv.URL+"/404", topicsYAML))

	code, out, errOut := runMain(t, "", nil, "run", "-config", cfg, "-dry-run", "-format", "json")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	for _, k := range []string{"title", "generated_at", "window", "topics", "feeds", "stats"} {
		if _, ok := d[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	if d["title"] != "Test Watch" {
		t.Errorf("title = %v", d["title"])
	}
	if ga, _ := d["generated_at"].(string); !strings.HasSuffix(ga, "-06:00") {
		t.Errorf("generated_at = %q; want Mexico City offset", ga)
	}
	topics, _ := d["topics"].([]any)
	if len(topics) != 2 {
		t.Fatalf("topics = %d; want 2 (cartels, usmca):\n%s", len(topics), out)
	}
	feeds, _ := d["feeds"].(map[string]any)
	failed, _ := feeds["failed"].([]any)
	if feeds["total"] != 2.0 || feeds["ok"] != 1.0 || len(failed) != 1 {
		t.Errorf("feeds = %v; want total 2, ok 1, one failed", feeds)
	}
	if strings.Contains(out, "level=") {
		t.Error("log lines on stdout")
	}

	// Text rendering of the same store: a second dry run, answered by 304.
	code, out, errOut = runMain(t, "", nil, "run", "-config", cfg, "-dry-run")
	if code != 0 {
		t.Fatalf("text run: exit %d; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"Test Watch", "Sinaloa Cartel chief extradited from Mexico", "T-MEC", "Down"} {
		if !strings.Contains(out, want) {
			t.Errorf("text digest lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Oslo") {
		t.Errorf("unmatched item in the digest:\n%s", out)
	}
}

func TestExitCodes(t *testing.T) {
	good := writeConfig(t, topicsYAML)
	// A feed that must never be fetched: -topic is checked before polling,
	// and validate fetches nothing.
	never := feedtest.NewServer(t)
	withFeed := writeConfig(t, fmt.Sprintf("fetch: {allow_private: true}\nfeeds:\n  - {name: Never, url: %q}\n", never.URL+"/never")+topicsYAML)
	t.Cleanup(func() {
		if n := never.Requests(); n != 0 {
			t.Errorf("the feed was fetched %d times; -topic and validate must fail or finish before polling", n)
		}
	})
	bad := writeConfig(t, "topics:\n  - name: Cartels\n    terms: [\"*\"]\n    termz: [x]\n")
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no command", nil, 2, "Usage"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"validate ok", []string{"validate", "-config", withFeed}, 0, ""},
		{"validate without feeds", []string{"validate", "-config", good}, 2, "feeds: no feeds configured"},
		{"validate bad", []string{"validate", "-config", bad}, 2, ":4:"},
		{"missing config", []string{"validate", "-config", filepath.Join(t.TempDir(), "nope.yaml")}, 2, "nope.yaml"},
		{"run without feeds", []string{"run", "-dry-run", "-config", good}, 2, "feed"},
		{"bad format", []string{"run", "-dry-run", "-format", "xml", "-config", good}, 2, "-format"},
		{"unknown topic", []string{"run", "-dry-run", "-topic", "nosuch", "-config", withFeed}, 2, "unknown topic nosuch"},
		{"bad flag", []string{"run", "-bogus"}, 2, "bogus"},
		{"version", []string{"version"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runMain(t, "", nil, tt.args...)
			if code != tt.code {
				t.Errorf("Main(%q) = %d; want %d; stderr:\n%s", tt.args, code, tt.code, errOut)
			}
			if tt.inStderr != "" && !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("Main(%q) stderr lacks %q:\n%s", tt.args, tt.inStderr, errOut)
			}
		})
	}
}

func TestValidateNamesEveryProblemLine(t *testing.T) {
	cfg := writeConfig(t, `timezone: Mars/Olympus
fetch:
  timeout: soon
topics:
  - name: cartels
    terms: [cartel*, "a*b"]
  - name: cartels
    terms: []
`)
	code, _, errOut := runMain(t, "", nil, "validate", "-config", cfg)
	if code != 2 {
		t.Fatalf("exit %d; want 2", code)
	}
	for _, line := range []string{":1:", ":3:", ":6:", ":7:"} {
		if !strings.Contains(errOut, line) {
			t.Errorf("validate output lacks a problem at line %s:\n%s", line, errOut)
		}
	}
}

func TestExplain(t *testing.T) {
	cfg := writeConfig(t, topicsYAML)
	code, out, errOut := runMain(t, "", nil, "explain", "-config", cfg, "-json",
		"-title", "Cártel de Sinaloa: concierto de Cartel de Santa", "-summary", "En México")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Topics []struct {
			Name           string `json:"name"`
			Matched        bool   `json:"matched"`
			Score          int    `json:"score"`
			Terms          []struct{ Term, Field, Text string }
			ExcludedBy     []string   `json:"excluded_by"`
			MissingRequire [][]string `json:"missing_require"`
		} `json:"topics"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("explain -json: %v\n%s", err, out)
	}
	if len(res.Topics) != 2 || res.Topics[0].Name != "cartels" {
		t.Fatalf("topics = %+v", res.Topics)
	}
	c := res.Topics[0]
	if c.Matched || len(c.ExcludedBy) != 1 || c.ExcludedBy[0] != "Cartel de Santa" {
		t.Errorf("cartels: matched=%v excluded_by=%v; want vetoed by \"Cartel de Santa\"", c.Matched, c.ExcludedBy)
	}
	if len(c.Terms) == 0 || c.Terms[0].Field != "title" {
		t.Errorf("cartels terms = %+v; want a title hit", c.Terms)
	}

	code, out, _ = runMain(t, "", nil, "explain", "-config", cfg, "-title", "USMCA review opens")
	if code != 0 || !strings.Contains(out, "usmca") || !strings.Contains(out, "MATCH") {
		t.Errorf("explain text = %d:\n%s", code, out)
	}
}

func TestClassifyLines(t *testing.T) {
	cfg := writeConfig(t, topicsYAML)
	in := `{"id":"a","title":"Fentanyl seizure in Mexico","summary":""}
not json
{"id":"b","title":"Nothing to see","summary":"here"}
{"id":"c","title":"T-MEC","summary":"CJNG in México"}
`
	code, out, errOut := runMain(t, in, nil, "classify", "-config", cfg)
	if code != 1 {
		t.Errorf("exit %d; want 1 for one bad line", code)
	}
	if !strings.Contains(errOut, "stdin:2: invalid JSON") {
		t.Errorf("stderr does not name line 2 of stdin: %s", errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d output lines; want 4 (one per input):\n%s", len(lines), out)
	}
	type topic struct {
		Name  string   `json:"name"`
		Score int      `json:"score"`
		Terms []string `json:"terms"`
	}
	var got []struct {
		ID     string  `json:"id"`
		Topics []topic `json:"topics"`
	}
	for _, l := range lines {
		var v struct {
			ID     string  `json:"id"`
			Topics []topic `json:"topics"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		got = append(got, v)
	}
	if got[0].ID != "a" || len(got[0].Topics) != 1 || got[0].Topics[0].Name != "cartels" || got[0].Topics[0].Score != 3 {
		t.Errorf("line a = %+v; want cartels score 3", got[0])
	}
	if got[2].ID != "b" || len(got[2].Topics) != 0 {
		t.Errorf("line b = %+v; want no topics", got[2])
	}
	if got[3].ID != "c" || len(got[3].Topics) != 2 {
		t.Errorf("line c = %+v; want usmca and cartels", got[3])
	}
}

// classify reads the files it is given, in order, and stdin for "-"; a
// file it cannot open is an error before anything is written for it.
func TestClassifyFiles(t *testing.T) {
	cfg := writeConfig(t, topicsYAML)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	if err := os.WriteFile(a, []byte(`{"id":"a1","title":"T-MEC"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(`{"id":"b1","title":"Nothing"}`+"\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runMain(t, `{"id":"s1","title":"CJNG in México"}`+"\n", nil, "classify", "-config", cfg, a, "-", b)
	if code != 1 || !strings.Contains(errOut, b+":2: invalid JSON") {
		t.Errorf("exit %d, stderr %q; want 1 and the bad line named by file and line", code, errOut)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct{ ID string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, ","); got != "a1,s1,b1," {
		t.Errorf("output ids %q; want a1,s1,b1, (the bad line has no id)", got)
	}
	code, _, errOut = runMain(t, "", nil, "classify", "-config", cfg, filepath.Join(dir, "missing.jsonl"))
	if code != 2 || !strings.Contains(errOut, "missing.jsonl") {
		t.Errorf("missing file: exit %d, stderr %q; want 2 naming the file", code, errOut)
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRunPostsToSlack(t *testing.T) {
	const token = "xoxb-cmd-test-secret-4242"
	srv := feedtest.NewServer(t)
	srv.Set("/feed", feedtest.FeedSpec{Format: "atom", Title: "Wire", Items: []feedtest.ItemSpec{
		{GUID: "1", Title: "<!channel> Sinaloa Cartel chief extradited from Mexico <@U123>", Link: srv.URL + "/1", Published: time.Now().Add(-time.Hour)},
	}})
	slack := fakeslack.New(t, token)
	slack.AddChannel(fakeslack.Channel{ID: "C1", Name: "mx-digest", Member: true})
	env := map[string]string{"SLACK_BOT_TOKEN": token}
	cfgFor := func(channel string) string {
		return writeConfig(t, fmt.Sprintf("fetch: {allow_private: true}\nslack:\n  token: ${SLACK_BOT_TOKEN}\n  channel: %q\n  api_url: %q\nfeeds:\n  - {name: Wire, url: %q}\n%s",
			channel, slack.APIURL(), srv.URL+"/feed", topicsYAML))
	}

	// A channel the bot cannot see: exit 1, the channel named, no secret.
	code, out, errOut := runMain(t, "", env, "run", "-config", cfgFor("#missing"))
	if code != 1 || !strings.Contains(errOut, "#missing") || !strings.Contains(errOut, "channel_not_found") {
		t.Errorf("run to a missing channel = %d; stderr:\n%s", code, errOut)
	}
	if strings.Contains(errOut+out, token) {
		t.Error("the token appears in the output")
	}

	cfg := cfgFor("#mx-digest")
	code, out, errOut = runMain(t, "", env, "run", "-config", cfg)
	if code != 0 {
		t.Fatalf("run = %d; stderr:\n%s", code, errOut)
	}
	if out != "" {
		t.Errorf("run printed to stdout:\n%s", out)
	}
	msgs := slack.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages posted; want 1", len(msgs))
	}
	for _, raw := range []string{"<!channel>", "<@U123>"} {
		if strings.Contains(string(msgs[0].Blocks), raw) || strings.Contains(msgs[0].Text, raw) {
			t.Errorf("posted message contains %q unescaped", raw)
		}
	}
	// Nothing new: nothing posted.
	if code, _, errOut := runMain(t, "", env, "run", "-config", cfg); code != 0 || len(slack.Messages()) != 1 {
		t.Errorf("second run = %d, %d messages; want 0, 1; stderr:\n%s", code, len(slack.Messages()), errOut)
	}
	// Without Slack settings, a real run is a config error.
	code, _, errOut = runMain(t, "", nil, "run", "-config", cfg)
	if code != 2 || !strings.Contains(errOut, "slack") {
		t.Errorf("run without a token = %d; want 2 naming the slack setting; stderr:\n%s", code, errOut)
	}
}

func TestValidateWarnsAboutDuplicateFeeds(t *testing.T) {
	cfg := writeConfig(t, "feeds:\n  - {name: A, url: \"https://a.example/rss\"}\n  - {name: B, url: \"https://A.example/rss?utm_source=x\"}\n"+topicsYAML)
	code, out, errOut := runMain(t, "", nil, "validate", "-config", cfg)
	if code != 0 || !strings.Contains(out, "OK: 1 feeds") {
		t.Errorf("validate = %d, %q; want 0 and one feed", code, out)
	}
	if !strings.Contains(errOut, "warning: ") || !strings.Contains(errOut, ":3: feeds[1].url: duplicate feed URL") {
		t.Errorf("validate stderr lacks the duplicate-URL warning with its line:\n%s", errOut)
	}
}

// TestValidateRefusesWhatRunRefuses: every config that run refuses after
// loading it, validate refuses too, with the line (the finding: validate
// passed a store.path that run rejected, zero topics, and "@every 1ns").
func TestValidateRefusesWhatRunRefuses(t *testing.T) {
	dir := t.TempDir()
	feeds := "feeds:\n  - {name: Never, url: \"http://127.0.0.1:9/never\"}\n"
	tests := []struct {
		name, body string
		want       string // in stderr of both
	}{
		{"store URI", "store:\n  path: \"file:nd.db\"\n" + feeds + topicsYAML, ":2: store.path: must be a plain file name"},
		{"store in memory", "store:\n  path: \":memory:\"\n" + feeds + topicsYAML, ":2: store.path: must be a plain file name"},
		{"store query", "store:\n  path: \"nd.db?mode=ro\"\n" + feeds + topicsYAML, ":2: store.path: must be a plain file name"},
		{"store directory missing", "store:\n  path: nodir/nd.db\n" + feeds + topicsYAML, ":2: store.path: directory " + filepath.Join(dir, "nodir") + " does not exist (create it first)"},
		{"store is a directory", "store:\n  path: " + dir + "\n" + feeds + topicsYAML, ":2: store.path: " + dir + " is a directory"},
		{"no topics", feeds + "topics: []\n", ":3: topics: no topics configured"},
		{"no topics at all", feeds, "topics: no topics configured"},
		{"poll every nanosecond", "schedule:\n  poll: \"@every 1ns\"\n" + feeds + topicsYAML,
			`:2: schedule.poll: "@every 1ns" runs more often than once a minute`},
		{"digest every 30s", "schedule:\n  digest: \"@every 30s\"\n" + feeds + topicsYAML, `:2: schedule.digest: "@every 30s" runs more often`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, fmt.Sprintf("config%d.yaml", i))
			if err := os.WriteFile(cfg, []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"validate", "-config", cfg}, {"run", "-dry-run", "-config", cfg}} {
				code, out, errOut := runMain(t, "", nil, args...)
				if code != 2 || !strings.Contains(errOut, tt.want) {
					t.Errorf("%s = %d; want 2 with %q in stderr:\n%s%s", args[0], code, tt.want, out, errOut)
				}
			}
		})
	}
	// The same settings done right pass both.
	ok := filepath.Join(dir, "ok.yaml")
	os.WriteFile(ok, []byte("schedule:\n  poll: \"@every 1m\"\nstore:\n  path: nd.db\n"+feeds+topicsYAML), 0o644)
	if code, out, errOut := runMain(t, "", nil, "validate", "-config", ok); code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("validate of a good config = %d:\n%s%s", code, out, errOut)
	}
}
