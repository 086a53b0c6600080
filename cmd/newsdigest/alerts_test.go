package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
)

// alertSetup is four outlets' feeds on loopback (each first carrying
// something else, so that their first poll is over before the news), a
// fake Slack with a digest and an alert channel, and a config with one
// alert rule.
type alertSetup struct {
	feeds *feedtest.Server
	slack *fakeslack.Server
	items [][]feedtest.ItemSpec
	cfg   string
}

var alertHosts = []string{"apnews.com", "www.reuters.com", "www.eluniversal.com.mx", "www.milenio.com"}

func newAlertSetup(t *testing.T, token string) *alertSetup {
	s := &alertSetup{feeds: feedtest.NewServer(t), slack: fakeslack.New(t, token), items: make([][]feedtest.ItemSpec, len(alertHosts))}
	s.slack.AddChannel(fakeslack.Channel{ID: "C1", Name: "mx-digest", Member: true})
	s.slack.AddChannel(fakeslack.Channel{ID: "C2", Name: "mx-alerts", Member: true})
	var feeds strings.Builder
	for i := range alertHosts {
		s.publish(i, "Weather in Oslo")
		fmt.Fprintf(&feeds, "  - {name: %q, url: %q}\n", alertHosts[i], s.feeds.URL+fmt.Sprintf("/o/%d", i))
	}
	s.cfg = writeConfig(t, fmt.Sprintf(`fetch: {allow_private: true}
slack:
  token: %q
  channel: "#mx-digest"
  api_url: %q
feeds:
%s%s
alerts:
  - topics: [cartels]
    min_outlets: 4
    channel: "#mx-alerts"
`, token, s.slack.APIURL(), feeds.String(), topicsYAML))
	return s
}

func (s *alertSetup) publish(i int, title string) {
	link := fmt.Sprintf("https://%s/news/%d", alertHosts[i], len(s.items[i]))
	s.items[i] = append(s.items[i], feedtest.ItemSpec{GUID: link, Title: title, Link: link, Published: time.Now().Add(-time.Minute)})
	s.feeds.Set(fmt.Sprintf("/o/%d", i), feedtest.FeedSpec{Title: alertHosts[i], Items: s.items[i]})
}

// inChannel counts the messages in a channel that mention text.
func (s *alertSetup) inChannel(id, text string) int {
	n := 0
	for _, m := range s.slack.Messages() {
		if m.Channel == id && strings.Contains(string(m.Blocks), text) {
			n++
		}
	}
	return n
}

// TestRunAlerts: run -dry-run says which stories would alert now (text and
// JSON); run posts the alert, then the digest with the story marked; a dry
// run afterwards has nothing to alert.
func TestRunAlerts(t *testing.T) {
	const token = "xoxb-alerts-test-secret"
	s := newAlertSetup(t, token)
	if code, _, errOut := runMain(t, "", nil, "run", "-config", s.cfg); code != 0 {
		t.Fatalf("first run = %d:\n%s", code, errOut)
	}
	if code, out, _ := runMain(t, "", nil, "validate", "-config", s.cfg); code != 0 || !strings.Contains(out, "OK: 4 feeds, 2 topics, 1 alert rule;") {
		t.Errorf("validate = %d: %s", code, out)
	}
	const story = "Sinaloa Cartel chief extradited from Mexico in a surprise night flight"
	for i := range alertHosts {
		s.publish(i, story)
	}

	code, out, errOut := runMain(t, "", nil, "run", "-config", s.cfg, "-dry-run")
	if code != 0 || !strings.Contains(out, "== Alerts: 1 would be posted now ==") || !strings.Contains(out, "⚡ "+story) ||
		!strings.Contains(out, "#mx-alerts · rule cartels · 4 outlets in ") {
		t.Fatalf("dry run = %d:\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runMain(t, "", nil, "run", "-config", s.cfg, "-dry-run", "-format", "json")
	var doc struct {
		Alerts struct {
			Post []struct {
				Title   string
				Channel string
				Outlets []struct{ Source string }
			}
			Held []any
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil || len(doc.Alerts.Post) != 1 || doc.Alerts.Post[0].Title != story ||
		len(doc.Alerts.Post[0].Outlets) != 4 || doc.Alerts.Held == nil {
		t.Fatalf("dry run JSON = %d, %v: %+v\n%s", code, err, doc, out)
	}
	if len(s.slack.Messages()) != 0 {
		t.Fatal("a dry run posted")
	}

	if code, _, errOut := runMain(t, "", nil, "run", "-config", s.cfg); code != 0 {
		t.Fatalf("run = %d:\n%s", code, errOut)
	}
	if n := s.inChannel("C2", story); n != 1 {
		t.Errorf("%d alerts in #mx-alerts; want 1", n)
	}
	if n := s.inChannel("C1", story); n != 1 || s.inChannel("C1", "⚡ alerted ") != 1 {
		t.Errorf("the digest shows the story %d times, marked: %v; want once, marked", n, s.inChannel("C1", "⚡ alerted ") == 1)
	}
	code, out, _ = runMain(t, "", nil, "run", "-config", s.cfg, "-dry-run", "-since", "2h")
	if code != 0 || !strings.Contains(out, "== Alerts: 0 would be posted now ==") || !strings.Contains(out, "No story qualifies now.") {
		t.Errorf("dry run after the alert:\n%s", out)
	}
}

// TestKilledMidAlert runs `newsdigest run` as a real process and kills it
// (SIGKILL) or stops it (SIGTERM) right after Slack accepted one of its
// three alerts, before newsdigest heard the answer. The next runs must post
// every alert that was not posted and none twice, and the digest must show
// each story once.
func TestKilledMidAlert(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	const token = "xoxb-alert-crash-secret"
	trials := 10
	if raceEnabled {
		trials = 3
	}
	stories := []string{
		"Sinaloa Cartel chief extradited from Mexico in a surprise night flight",
		"CJNG gunmen ambush Mexican navy convoy near Manzanillo port",
		"Mexico seizes record fentanyl haul from cartel lab in Sonora",
	}
	for trial := range trials {
		rng := rand.New(rand.NewPCG(uint64(trial), 14))
		s := newAlertSetup(t, token)
		var child atomic.Pointer[os.Process]
		kill := rng.IntN(2) == 0
		at := 1 + rng.IntN(3) // the accepted alert after which the signal comes
		signalled := signalMidPost(s.slack, &child, kill, at, func(m fakeslack.Message) bool { return m.Channel == "C2" })
		if code, logs := runChild(t, s.cfg, &child); code != 0 { // the feeds' first polls
			t.Fatalf("trial %d: first run = %d:\n%s", trial, code, logs)
		}
		for _, story := range stories {
			for i := range alertHosts {
				s.publish(i, story)
			}
		}
		code, logs := runChild(t, s.cfg, &child)
		if signalled().IsZero() {
			t.Fatalf("trial %d: the run ended (exit %d) before alert %d was posted:\n%s", trial, code, at, logs)
		}
		logs = rerunUntilOK(t, trial, s.cfg, &child, kill)
		for k, story := range stories {
			if n := s.inChannel("C2", story); n != 1 {
				t.Errorf("trial %d (%s after alert %d): story %d alerted %d times; want once\n%s", trial,
					signalName(kill), at, k, n, logs)
			}
			if n := s.inChannel("C1", story); n != 1 {
				t.Errorf("trial %d: story %d in the digest %d times; want once", trial, k, n)
			}
		}
		if strings.Contains(logs, token) {
			t.Errorf("trial %d: the token appears in the logs", trial)
		}
	}
}
