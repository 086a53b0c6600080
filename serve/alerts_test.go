package serve_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/serve"
)

// TestServeAlertsOnceAcrossARestart serves with a poll every second: a
// story that four outlets carry is alerted once, in the alert channel,
// after the poll that brings the fourth; /healthz and /metrics say so; a
// restart of serve, and a fifth outlet, add no alert.
func TestServeAlertsOnceAcrossARestart(t *testing.T) {
	feeds := feedtest.NewServer(t)
	slack := fakeslack.New(t, botToken)
	slack.AddChannel(fakeslack.Channel{ID: "C001", Name: "mx-digest", Member: true})
	slack.AddChannel(fakeslack.Channel{ID: "C010", Name: "mx-alerts", Member: true})
	names := []string{"AP", "Reuters", "El Universal", "Milenio", "Proceso"}
	hosts := []string{"apnews.com", "www.reuters.com", "www.eluniversal.com.mx", "www.milenio.com", "www.proceso.com.mx"}
	items := make([][]feedtest.ItemSpec, len(names))
	publish := func(i int, title string) {
		link := fmt.Sprintf("https://%s/news/%d", hosts[i], len(items[i]))
		items[i] = append(items[i], feedtest.ItemSpec{GUID: link, Title: title, Link: link, Published: time.Now().Add(-time.Minute)})
		feeds.Set(fmt.Sprintf("/o/%d", i), feedtest.FeedSpec{Title: names[i], Items: items[i]})
	}
	var feedsYAML strings.Builder
	for i, n := range names {
		publish(i, "Weather in Oslo") // the first poll of each feed alerts nothing
		fmt.Fprintf(&feedsYAML, "  - {name: %q, url: %q}\n", n, feeds.URL+fmt.Sprintf("/o/%d", i))
	}
	yaml := fmt.Sprintf(`store:
  path: %q
serve:
  listen: 127.0.0.1:0
fetch: {allow_private: true} # the feed servers are on 127.0.0.1
slack:
  token: %q
  channel: "#mx-digest"
  api_url: %q
feeds:
%stopics:
  - name: troops
    terms: [troops, strike*]
    require: [[mexic*]]
alerts:
  - name: breaking
    topics: [troops]
    min_outlets: 4
    channel: "#mx-alerts"
`, filepath.Join(t.TempDir(), "nd.db"), botToken, slack.APIURL(), feedsYAML.String())
	cfg := parseConfig(t, yaml)
	// A config file may not poll more often than once a minute; the test
	// does, set after loading.
	cfg.Schedule.Poll, cfg.Schedule.Digest = everySec, yearly
	health := func(r *running) serve.Status {
		t.Helper()
		_, body := get(t, r.url+"/healthz")
		var st serve.Status
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatalf("/healthz: %v: %s", err, body)
		}
		return st
	}
	// polls waits until n more checks of the rules followed polls.
	polls := func(r *running, n int) {
		t.Helper()
		before := health(r).Alerts.LastChecked
		var seen []time.Time
		waitFor(t, 15*time.Second, fmt.Sprintf("%d checks of the alert rules", n), func() bool {
			if c := health(r).Alerts.LastChecked; c.After(before) && (len(seen) == 0 || c.After(seen[len(seen)-1])) {
				seen = append(seen, c)
			}
			return len(seen) >= n
		})
	}
	alerts := func() []fakeslack.Message {
		var out []fakeslack.Message
		for _, m := range slack.Messages() {
			if m.Channel != "C010" || m.ThreadTS != "" {
				t.Errorf("a message in %s (thread %q); want only alerts in #mx-alerts", m.Channel, m.ThreadTS)
			}
			out = append(out, m)
		}
		return out
	}
	const story = "US announces strikes on cartel camps inside Mexico"

	r := start(t, cfg)
	polls(r, 1)
	if st := health(r); st.Alerts == nil || st.Alerts.Last != nil || len(st.Alerts.Rules) != 1 || st.Alerts.Rules[0] != "breaking" {
		t.Fatalf("/healthz alerts before any alert = %+v", st.Alerts)
	}
	for i := range 3 {
		publish(i, story)
	}
	polls(r, 2)
	if n := len(alerts()); n != 0 {
		t.Fatalf("%d alerts with three outlets; want none", n)
	}
	publish(3, story)
	waitFor(t, 15*time.Second, "the alert", func() bool { return len(alerts()) > 0 })
	polls(r, 1)
	if got := alerts(); len(got) != 1 || !strings.Contains(string(got[0].Blocks), story) {
		t.Fatalf("%d alerts; want one about the story", len(got))
	}
	st := health(r)
	if a := st.Alerts; a.LastError != "" || a.Last == nil || a.Last.Headline != story || a.Last.Channel != "#mx-alerts" ||
		a.Last.Kind != "alert" || a.Last.Rule != "breaking" || a.Last.Outlets != 4 {
		t.Errorf("/healthz alerts = %+v (last %+v)", a, a.Last)
	}
	_, body := get(t, r.url+"/metrics")
	m := metricValues(t, body)
	if v := m[`newsdigest_alerts_total{kind="alert",rule="breaking"}`]; v != 1 {
		t.Errorf("newsdigest_alerts_total{alert, breaking} = %v; want 1", v)
	}
	if v, ok := m[`newsdigest_alerts_held{reason="quiet_hours",rule="breaking"}`]; !ok || v != 0 {
		t.Errorf("newsdigest_alerts_held{quiet_hours} = %v (%v); want 0", v, ok)
	}
	if m[`newsdigest_alert_checks_total{result="ok"}`] < 3 || m[`newsdigest_last_alert_timestamp_seconds{rule="breaking"}`] == 0 {
		t.Errorf("alert checks or last alert time missing:\n%s", body)
	}

	// A restart between polls: the new process knows the last alert from
	// the store, and alerts nothing again, not even for a fifth outlet.
	r.stop(t)
	r = start(t, cfg)
	if a := health(r).Alerts; a.Last == nil || a.Last.Headline != story {
		t.Errorf("after a restart /healthz alerts = %+v; want the last alert from the store", a)
	}
	polls(r, 1)
	publish(4, story)
	polls(r, 2)
	if n := len(alerts()); n != 1 {
		t.Errorf("after a restart and a fifth outlet: %d alerts; want still 1", n)
	}
}
