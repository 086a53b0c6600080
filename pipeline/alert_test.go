package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/internal/testlog"
	"github.com/newsdigest/newsdigest/pipeline"
)

// outlets are the alert fixture's feeds: each is one outlet, and Google
// News carries the Los Angeles Times (its item names its outlet).
var outlets = []struct{ name, host string }{
	{"AP", "apnews.com"}, {"Reuters", "www.reuters.com"}, {"El Universal", "www.eluniversal.com.mx"},
	{"Google News", "news.google.com"}, {"Milenio", "www.milenio.com"}, {"Proceso", "www.proceso.com.mx"},
	{"La Jornada", "www.jornada.com.mx"}, {"Excélsior", "www.excelsior.com.mx"}, {"Reuters Americas", "www.reuters.com"},
}

// Outlet indices.
const (
	ap = iota
	reuters
	universal
	google
	milenio
	proceso
	jornada
	excelsior
	reutersAmericas
)

// breakingStories are stories no digest fixture confuses: each outlet
// carries the wire's headline.
var breakingStories = []string{
	"US announces strikes on cartel camps inside Mexico",
	"Pentagon orders 2,000 more troops to the Texas border with Mexico",
	"Mexico deploys National Guard to Culiacán after ambush on soldiers",
	"Senate blocks funding for troops at the Mexican border, 51 to 49",
	"Sheinbaum rejects any US strike on Mexican soil in tense call",
}

// alertFixture is loopback feeds (one per outlet), a fake Slack with a
// digest and an alert channel, and a clock that polls move forward.
type alertFixture struct {
	feeds   *feedtest.Server
	slack   *fakeslack.Server
	logs    *testlog.Buffer
	clock   time.Time
	items   [][]feedtest.ItemSpec // per outlet
	db      string
	rule    string // the alert rule's extra keys
	webhook bool   // post through the fake's webhook, not a bot token
}

func newAlertFixture(t *testing.T, start time.Time, rule string) *alertFixture {
	f := &alertFixture{feeds: feedtest.NewServer(t), slack: fakeslack.New(t, botToken), logs: &testlog.Buffer{},
		clock: start, items: make([][]feedtest.ItemSpec, len(outlets)), db: filepath.Join(t.TempDir(), "newsdigest.db"), rule: rule}
	f.slack.AddChannel(fakeslack.Channel{ID: "C001", Name: "mx-digest", Member: true})
	f.slack.AddChannel(fakeslack.Channel{ID: "C010", Name: "mx-alerts", Member: true})
	for i := range outlets {
		// Each outlet's first poll carries something else: a feed's
		// first poll alerts nothing.
		f.add(i, fmt.Sprintf("Weather in Oslo, day %d", i), -time.Hour)
	}
	return f
}

// add puts a headline on outlet i's feed, published ago before the clock.
func (f *alertFixture) add(i int, title string, ago time.Duration) {
	o := outlets[i]
	n := len(f.items[i])
	link := fmt.Sprintf("https://%s/news/%d/%d", o.host, i, n)
	if i == google {
		link = fmt.Sprintf("https://news.google.com/rss/articles/CBMi%d_%d?oc=5", i, n)
		title += " - Los Angeles Times"
	}
	f.items[i] = append(f.items[i], feedtest.ItemSpec{GUID: link, Title: title, Link: link, Published: f.clock.Add(-ago)})
	f.feeds.Set(fmt.Sprintf("/o/%d", i), feedtest.FeedSpec{Format: feedtest.RSS, Title: o.name, Items: f.items[i]})
}

// publish puts story s on the given outlets' feeds, published a minute ago.
func (f *alertFixture) publish(s int, on ...int) {
	for _, i := range on {
		f.add(i, breakingStories[s], time.Minute)
	}
}

func (f *alertFixture) config() string {
	var b strings.Builder
	channel := "    channel: \"#mx-alerts\"\n"
	if f.webhook {
		fmt.Fprintf(&b, "fetch: {allow_private: true}\nslack:\n  webhook_url: %q\nfeeds:\n", f.slack.WebhookURL())
		channel = ""
	} else {
		fmt.Fprintf(&b, "fetch: {allow_private: true}\nslack:\n  token: %q\n  channel: \"#mx-digest\"\n  api_url: %q\nfeeds:\n", botToken, f.slack.APIURL())
	}
	for i, o := range outlets {
		fmt.Fprintf(&b, "  - {name: %q, url: %q}\n", o.name, f.feeds.URL+fmt.Sprintf("/o/%d", i))
	}
	b.WriteString(`topics:
  - name: troops
    terms: [troops, strike*, "National Guard"]
    require:
      - [mexic*, méxico, border]
  - name: cartels
    terms: [cartel*]
alerts:
  - topics: [troops]
    min_outlets: 4
` + channel + f.rule)
	return b.String()
}

// pipeline wires a pipeline on the fixture's store (a new one per call is
// a restart), on the fixture's clock.
func (f *alertFixture) pipeline(t *testing.T) *pipeline.Pipeline {
	p, _ := newPipelineLogged(t, f.config(), f.db, slog.New(slog.NewTextHandler(f.logs, nil)))
	p.Retry = pipeline.Retry{Max: 3, Base: time.Millisecond, MaxWait: 2 * time.Second}
	p.Now = func() time.Time { return f.clock }
	return p
}

// pollOnly moves the clock 15 minutes and polls.
func (f *alertFixture) pollOnly(t *testing.T, p *pipeline.Pipeline) {
	t.Helper()
	f.clock = f.clock.Add(15 * time.Minute)
	if _, err := p.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// poll is pollOnly, then a check of the alert rules, as serve does after
// each poll.
func (f *alertFixture) poll(t *testing.T, p *pipeline.Pipeline) pipeline.AlertReport {
	t.Helper()
	f.pollOnly(t, p)
	rep, err := p.Alert(context.Background())
	if err != nil {
		t.Fatalf("Alert: %v\n%s", err, f.logs.String())
	}
	return rep
}

// alerts returns the messages in #mx-alerts, top-level and replies.
func (f *alertFixture) alerts() (top, replies []fakeslack.Message) {
	for _, m := range f.slack.Messages() {
		if m.Channel != "C010" {
			continue
		}
		if m.ThreadTS != "" {
			replies = append(replies, m)
		} else {
			top = append(top, m)
		}
	}
	return top, replies
}

// count is how many messages of ms mention s.
func count(ms []fakeslack.Message, s string) int {
	n := 0
	for _, m := range ms {
		if strings.Contains(text(m), s) {
			n++
		}
	}
	return n
}

// text is the mrkdwn of a message's blocks, one block a line.
func text(m fakeslack.Message) string {
	var blocks []struct {
		Text     *struct{ Text string }  `json:"text"`
		Elements []struct{ Text string } `json:"elements"`
	}
	json.Unmarshal(m.Blocks, &blocks)
	var b strings.Builder
	for _, bl := range blocks {
		if bl.Text != nil {
			b.WriteString(bl.Text.Text + "\n")
		}
		for _, e := range bl.Elements {
			b.WriteString(e.Text + "\n")
		}
	}
	return b.String()
}

// recentStart is a clock start hours in the past, so that Slack's real
// message timestamps are never before it (looking a message up reads the
// channel from when it was begun).
func recentStart() time.Time { return time.Now().Add(-12 * time.Hour).Truncate(time.Minute) }

// TestAlertWhenAStoryTakesOff is issue 14's "done when": a story that
// appears in 4 outlets over three polls raises exactly one alert, in the
// alert channel, on the poll that brings the fourth; a fifth outlet adds
// none; a restart between polls does not alert again; the next digest
// shows the story marked as alerted.
func TestAlertWhenAStoryTakesOff(t *testing.T) {
	f := newAlertFixture(t, recentStart(), "")
	p := f.pipeline(t)
	f.poll(t, p) // every feed's first poll

	f.publish(0, ap, reuters)
	f.poll(t, p)
	f.publish(0, universal)
	f.poll(t, p)
	if top, _ := f.alerts(); len(top) != 0 {
		t.Fatalf("%d alerts with three outlets; want none", len(top))
	}
	f.publish(0, google) // the fourth outlet, through Google News
	rep := f.poll(t, p)
	top, _ := f.alerts()
	if len(top) != 1 || count(top, breakingStories[0]) != 1 {
		t.Fatalf("after the fourth outlet: %d alerts in #mx-alerts; want 1 about the story\n%s", len(top), f.logs.String())
	}
	if len(rep.Channels) != 1 || len(rep.Channels[0].Posted) != 1 || rep.Channels[0].Channel != "#mx-alerts" {
		t.Errorf("report = %+v", rep)
	}
	blocks := text(top[0])
	for _, want := range []string{"*4 outlets in 46 min*: ", "|AP>", "|Reuters>", "|El Universal>", "|Los Angeles Times>", "troops · _strike*_ · rule troops"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("the alert lacks %q: %s", want, blocks)
		}
	}
	var meta struct {
		EventType string `json:"event_type"`
	}
	if json.Unmarshal(top[0].Metadata, &meta); meta.EventType != "newsdigest_message" {
		t.Errorf("the alert carries no identity (metadata %s)", top[0].Metadata)
	}
	for _, m := range f.slack.Messages() {
		if m.Channel != "C010" {
			t.Errorf("a message went to %s; want only #mx-alerts", m.Channel)
		}
	}

	// A restart between polls, then a fifth outlet: no new alert (reply_at
	// is 8 by default).
	p = f.pipeline(t)
	f.poll(t, p)
	f.publish(0, milenio)
	f.poll(t, p)
	top, replies := f.alerts()
	if len(top) != 1 || len(replies) != 0 {
		t.Fatalf("after a restart and a fifth outlet: %d alerts, %d replies; want 1 and 0", len(top), len(replies))
	}

	// The digest shows the story once, marked, in #mx-digest.
	if _, err := p.Deliver(context.Background(), pipeline.DigestOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	var digestBlocks string
	for _, m := range f.slack.Messages() {
		if m.Channel == "C001" {
			digestBlocks += text(m)
		}
	}
	if n := strings.Count(digestBlocks, breakingStories[0]); n != 1 {
		t.Errorf("the digest shows the story %d times; want once", n)
	}
	if !strings.Contains(digestBlocks, "⚡ alerted ") || !strings.Contains(digestBlocks, " in #mx-alerts") || !strings.Contains(digestBlocks, "5 outlets") {
		t.Errorf("the digest does not mark the story as alerted in #mx-alerts (5 outlets): %s", digestBlocks)
	}
	// And the alert was recorded as alerted, not delivered: nothing alerts
	// again, and the next digest has nothing new.
	before := len(f.slack.Messages())
	f.poll(t, p)
	if _, err := p.Deliver(context.Background(), pipeline.DigestOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(f.slack.Messages()) - before; n != 0 {
		t.Errorf("%d more messages after everything was posted", n)
	}
}

// TestAlertGrowthReply: with reply_at, the story's alert gets one thread
// reply listing the new outlets when it reaches that many, and no more.
func TestAlertGrowthReply(t *testing.T) {
	f := newAlertFixture(t, recentStart(), "    reply_at: 6\n")
	p := f.pipeline(t)
	f.poll(t, p)
	f.publish(0, ap, reuters, universal, google)
	f.poll(t, p)
	f.publish(0, milenio)
	f.poll(t, p)
	if top, replies := f.alerts(); len(top) != 1 || len(replies) != 0 {
		t.Fatalf("5 outlets: %d alerts, %d replies; want 1, 0", len(top), len(replies))
	}
	f.publish(0, proceso, reutersAmericas) // Reuters' second feed adds no outlet
	f.poll(t, p)
	top, replies := f.alerts()
	if len(top) != 1 || len(replies) != 1 {
		t.Fatalf("6 outlets: %d alerts, %d replies; want 1, 1", len(top), len(replies))
	}
	if replies[0].ThreadTS != top[0].TS {
		t.Errorf("the reply is under %s; want the alert %s", replies[0].ThreadTS, top[0].TS)
	}
	r := text(replies[0])
	if !strings.Contains(r, "Now *6 outlets* (+2 since the alert)") || !strings.Contains(r, "|Milenio>") || !strings.Contains(r, "|Proceso>") || strings.Contains(r, "Reuters") {
		t.Errorf("reply = %s", r)
	}
	f.publish(0, jornada, excelsior)
	f.poll(t, p)
	if top, replies := f.alerts(); len(top) != 1 || len(replies) != 1 {
		t.Errorf("8 outlets: %d alerts, %d replies; want still 1, 1", len(top), len(replies))
	}
}

// TestAlertNotFromAFirstPoll: feeds added while a story runs (their first
// poll carries it) raise no alert; the story alerts once four outlets
// report it after their first poll.
func TestAlertNotFromAFirstPoll(t *testing.T) {
	f := newAlertFixture(t, recentStart(), "")
	f.publish(0, ap, reuters, universal, google, milenio) // before the very first poll
	p := f.pipeline(t)
	f.poll(t, p)
	f.poll(t, p)
	if top, _ := f.alerts(); len(top) != 0 {
		t.Fatalf("%d alerts from first polls; want none", len(top))
	}
	d, err := p.Digest(context.Background(), pipeline.DigestOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Alerts == nil || len(d.Alerts.Post)+len(d.Alerts.Held) != 0 {
		t.Errorf("dry run's alert plan = %+v; want an empty one", d.Alerts)
	}
}

// TestAlertQuietHours: a story that takes off at night is held, and posted
// on the first poll after the quiet hours; the dry run says so meanwhile.
func TestAlertQuietHours(t *testing.T) {
	y, m, d := time.Now().UTC().Add(-48 * time.Hour).Date()
	night := time.Date(y, m, d, 23, 0, 0, 0, time.UTC) // two days ago, 23:00 UTC
	f := newAlertFixture(t, night, "    quiet_hours: \"23:00-06:00\"\n")
	p := f.pipeline(t)
	f.poll(t, p)
	f.publish(0, ap, reuters, universal, google)
	rep := f.poll(t, p)
	if top, _ := f.alerts(); len(top) != 0 || len(rep.Channels[0].Held) != 1 || rep.Channels[0].Held[0].Held != digest.HeldQuiet {
		t.Fatalf("at %s: %d alerts, report %+v; want the story held", f.clock.Format("15:04"), len(top), rep.Channels)
	}
	plan, err := p.PlanAlerts(context.Background(), nil)
	if err != nil || len(plan.Post) != 0 || len(plan.Held) != 1 || plan.Held[0].HeldUntil.Format("15:04") != "06:00" {
		t.Errorf("PlanAlerts at night = %+v, %v; want one held until 06:00", plan, err)
	}
	for f.clock.Hour() != 5 || f.clock.Minute() != 45 {
		f.clock = f.clock.Add(15 * time.Minute)
	}
	f.poll(t, p) // 06:00: the quiet hours are over
	if top, _ := f.alerts(); len(top) != 1 || count(top, breakingStories[0]) != 1 {
		t.Fatalf("at %s: %d alerts; want the held story posted", f.clock.Format("15:04"), len(top))
	}
	f.poll(t, p)
	if top, _ := f.alerts(); len(top) != 1 {
		t.Errorf("%d alerts; want still 1", len(top))
	}
}

// TestAlertHourlyCap: five stories take off at once under a cap of two an
// hour: two alerts and one summary of the other three; a sixth story in
// the same hour waits, and goes out when the hour has room.
func TestAlertHourlyCap(t *testing.T) {
	f := newAlertFixture(t, recentStart(), "    max_per_hour: 2\n")
	p := f.pipeline(t)
	f.poll(t, p)
	for s := range breakingStories {
		f.publish(s, ap, reuters, universal, google)
	}
	f.poll(t, p)
	top, _ := f.alerts()
	if len(top) != 3 {
		t.Fatalf("%d messages; want 2 alerts and 1 summary:\n%s", len(top), f.logs.String())
	}
	summary := text(top[2])
	if !strings.Contains(summary, "3 more stories took off") {
		t.Errorf("third message is not the summary of three: %s", summary)
	}
	for s, title := range breakingStories {
		if n := count(top, title); n != 1 {
			t.Errorf("story %d is in %d messages; want 1", s, n)
		}
	}

	// One more story within the hour: the cap is used and so is the
	// hour's summary; it waits.
	f.add(milenio, "Mexico's navy seizes 3 tons of fentanyl as troops arrive at the border", time.Minute)
	for _, o := range []int{ap, reuters, universal} {
		f.add(o, "Mexico's navy seizes 3 tons of fentanyl as troops arrive at the border", time.Minute)
	}
	rep := f.poll(t, p)
	if top, _ := f.alerts(); len(top) != 3 || len(rep.Channels[0].Held) != 1 || rep.Channels[0].Held[0].Held != digest.HeldCap {
		t.Fatalf("a sixth story in the hour: %d messages, held %+v; want it held by the cap", len(top), rep.Channels[0].Held)
	}
	f.clock = f.clock.Add(45 * time.Minute)
	f.poll(t, p)
	if top, _ := f.alerts(); len(top) != 4 || count(top, "3 tons of fentanyl") != 1 {
		t.Errorf("an hour later: %d messages; want the sixth story's alert", len(top))
	}
}

// TestAlertWebhook: with a webhook the alert goes to the webhook's channel,
// once, with no growth reply (no threads), and the digest that follows in
// the same channel shows the story marked.
func TestAlertWebhook(t *testing.T) {
	f := newAlertFixture(t, recentStart(), "    reply_at: 5\n")
	f.webhook = true
	p := f.pipeline(t)
	f.poll(t, p)
	f.publish(0, ap, reuters, universal, google)
	f.poll(t, p)
	f.publish(0, milenio)
	f.poll(t, p)
	if _, err := p.Deliver(context.Background(), pipeline.DigestOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	msgs := f.slack.Messages()
	if len(msgs) != 2 || !msgs[0].Webhook || count(msgs[:1], "⚡ *<") != 1 || count(msgs[:1], breakingStories[0]) != 1 {
		t.Fatalf("%d webhook messages; want the alert, then the digest", len(msgs))
	}
	if d := text(msgs[1]); strings.Count(d, breakingStories[0]) != 1 || !strings.Contains(d, "⚡ alerted ") || strings.Contains(d, " in webhook") {
		t.Errorf("the digest does not show the story once, marked (in its own channel): %s", d)
	}
}
