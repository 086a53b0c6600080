package digest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/digesttest"
)

var alertNow = time.Date(2026, 11, 23, 14, 0, 0, 0, digesttest.CST)

// report is one outlet's item about the breaking story (or another one):
// seen `ago` before alertNow, published `lag` before that.
type report struct {
	id, source, link, title string
	ago, lag                time.Duration
	topic                   string
	score                   int
}

func (r report) cand() newsdigest.AlertCandidate {
	seen := alertNow.Add(-r.ago)
	c := newsdigest.AlertCandidate{Candidate: newsdigest.Candidate{
		Item: newsdigest.Item{ID: r.id, Title: r.title, Source: r.source, FeedName: r.source, Link: r.link,
			Published: seen.Add(-r.lag).UTC()},
		CanonicalURL: newsdigest.CanonicalURL(r.link),
		FirstSeen:    seen.UTC(),
		Matches:      []newsdigest.Match{{Topic: r.topic, Score: r.score, Terms: []string{"troops"}}},
	}}
	return c
}

const strikes = "US announces strikes on cartel camps inside Mexico"

// breaking is the story from five outlets, one every 10 minutes from 50
// minutes ago, the fifth through Google News.
func breaking() []newsdigest.AlertCandidate {
	outlets := []struct{ source, link, title string }{
		{"AP", "https://apnews.com/strikes", strikes},
		{"Reuters", "https://www.reuters.com/world/strikes", "US to strike cartel camps inside Mexico, officials say"},
		{"El Universal", "https://www.eluniversal.com.mx/nacion/ataques", "US announces strikes on cartel camps inside Mexico: what we know"},
		{"Los Angeles Times", "https://news.google.com/rss/articles/CBMi1", "US announces strikes on cartel camps in Mexico"},
		{"Milenio", "https://www.milenio.com/politica/ataques", "US announces strikes on cartel camps inside Mexico, Sheinbaum responds"},
	}
	var out []newsdigest.AlertCandidate
	for i, o := range outlets {
		out = append(out, report{id: fmt.Sprint("s", i), source: o.source, link: o.link, title: o.title,
			ago: time.Duration(50-10*i) * time.Minute, lag: 2 * time.Minute, topic: "troops", score: 3}.cand())
	}
	return out
}

func rule() newsdigest.AlertRule {
	return newsdigest.AlertRule{Name: "troops", Topics: []string{"troops", "sovereignty"}, MinOutlets: 4,
		Within: 2 * time.Hour, MaxPerHour: 5, ReplyAt: 5}
}

func alertsFor(items []newsdigest.AlertCandidate, rules ...newsdigest.AlertRule) []Alert {
	return Alerts(AlertInput{Channel: "#mx-alerts", Rules: rules, Topics: digesttest.Topics, Now: alertNow, Items: items, Threads: true})
}

func TestAlertWhenTheFourthOutletArrives(t *testing.T) {
	items := breaking()
	if got := alertsFor(items[:3], rule()); len(got) != 0 {
		t.Fatalf("three outlets alert: %+v", got)
	}
	got := alertsFor(items[:4], rule())
	if len(got) != 1 {
		t.Fatalf("four outlets: %d alerts; want 1: %+v", len(got), got)
	}
	a := got[0]
	if a.Kind != AlertNew || a.Rule != "troops" || a.Channel != "#mx-alerts" || a.Held != "" || a.Label != "US troops" {
		t.Errorf("alert = %+v", a)
	}
	if want := alertNow.Add(-20 * time.Minute); !a.Crossed.Equal(want) {
		t.Errorf("crossed at %v; want %v (when the fourth outlet was seen)", a.Crossed, want)
	}
	if want := alertNow.Add(-52 * time.Minute); !a.FirstReport.Equal(want) {
		t.Errorf("first report %v; want %v (AP's date)", a.FirstReport, want)
	}
	if g := a.Growth(); g != "4 outlets in 32 min" {
		t.Errorf("Growth() = %q", g)
	}
	var names []string
	for _, l := range a.Outlets {
		names = append(names, l.Source)
	}
	if strings.Join(names, ",") != "AP,Reuters,El Universal,Los Angeles Times" {
		t.Errorf("outlets %v", names)
	}
	if len(a.ItemIDs) != 4 {
		t.Errorf("items %v; want the story's four", a.ItemIDs)
	}
}

func TestAlertCountsRealOutlets(t *testing.T) {
	items := breaking()[:3]
	// A second Reuters feed, and AP through its other site: still three.
	items = append(items,
		report{id: "r2", source: "Reuters Americas", link: "https://www.reuters.com/americas/strikes", title: strikes, ago: 15 * time.Minute, topic: "troops", score: 3}.cand(),
		report{id: "g2", source: "AP", link: "https://news.google.com/rss/articles/CBMi9", title: strikes, ago: 14 * time.Minute, topic: "troops", score: 3}.cand())
	if got := alertsFor(items, rule()); len(got) != 0 {
		t.Fatalf("three outlets through five feeds alert: %+v", got)
	}
	// An outlet's item from its feed's first poll counts toward nothing.
	first := report{id: "n1", source: "Proceso", link: "https://www.proceso.com.mx/strikes", title: strikes, ago: 10 * time.Minute, topic: "troops", score: 3}.cand()
	first.FirstPoll = true
	if got := alertsFor(append(items, first), rule()); len(got) != 0 {
		t.Fatalf("a first poll's item made the story alert: %+v", got)
	}
	first.FirstPoll = false
	if got := alertsFor(append(items, first), rule()); len(got) != 1 {
		t.Fatalf("a fourth outlet: %d alerts; want 1", len(got))
	}
}

func TestAlertRuleFilters(t *testing.T) {
	items := breaking()[:4]
	r := rule()
	r.MinScore = 4
	if got := alertsFor(items, r); len(got) != 0 {
		t.Errorf("min_score 4 with scores of 3: %+v", got)
	}
	r = rule()
	r.Topics = []string{"cartels"}
	if got := alertsFor(items, r); len(got) != 0 {
		t.Errorf("a rule for another topic alerts: %+v", got)
	}
	// The first report 3h before the fourth outlet: not breaking.
	old := report{id: "old", source: "Proceso", link: "https://www.proceso.com.mx/a", title: strikes, ago: 200 * time.Minute, topic: "troops", score: 3}.cand()
	if got := alertsFor(append(items, old), rule()); len(got) != 0 {
		t.Errorf("a story first reported 3h before crossing alerts: %+v", got)
	}
	// A story a digest carried is not news any more.
	digested := breaking()[:4]
	digested[0].Digested = true
	if got := alertsFor(digested, rule()); len(got) != 0 {
		t.Errorf("a digested story alerts: %+v", got)
	}
	// The first rule that qualifies claims the story.
	loose := rule()
	loose.Name, loose.MinOutlets = "loose", 2
	if got := alertsFor(items, loose, rule()); len(got) != 1 || got[0].Rule != "loose" {
		t.Errorf("two rules: %+v; want one alert, by the first rule", got)
	}
}

func TestAlertOncePerChannel(t *testing.T) {
	items := breaking()
	alerted := newsdigest.Alerted{Channel: "#mx-alerts", ID: 7, TS: "1.000100", At: alertNow.Add(-15 * time.Minute)}
	for i := range 4 {
		items[i].Alerts = []newsdigest.Alerted{alerted}
	}
	// The fifth outlet reaches reply_at: one reply, with it as new.
	got := alertsFor(items, rule())
	if len(got) != 1 || got[0].Kind != AlertReply || got[0].Of.ID != 7 {
		t.Fatalf("after the alert, a fifth outlet: %+v; want one reply to alert 7", got)
	}
	if len(got[0].New) != 1 || got[0].New[0].Source != "Milenio" || len(got[0].Outlets) != 5 || len(got[0].ItemIDs) != 1 {
		t.Errorf("reply = %+v; want Milenio new, 5 outlets, one item to record", got[0])
	}
	// Not without threads, not twice, not under a summary, not below
	// reply_at, and not a day later.
	if got := Alerts(AlertInput{Channel: "#mx-alerts", Rules: []newsdigest.AlertRule{rule()}, Now: alertNow, Items: items}); len(got) != 0 {
		t.Errorf("a reply without threads: %+v", got)
	}
	for name, change := range map[string]func(*newsdigest.Alerted, *newsdigest.AlertRule){
		"replied":   func(a *newsdigest.Alerted, _ *newsdigest.AlertRule) { a.Replied = true },
		"summary":   func(a *newsdigest.Alerted, _ *newsdigest.AlertRule) { a.Summary, a.TS = true, "" },
		"below":     func(_ *newsdigest.Alerted, r *newsdigest.AlertRule) { r.ReplyAt = 6 },
		"no reply":  func(_ *newsdigest.Alerted, r *newsdigest.AlertRule) { r.ReplyAt = 0 },
		"a day old": func(a *newsdigest.Alerted, _ *newsdigest.AlertRule) { a.At = alertNow.Add(-25 * time.Hour) },
	} {
		a, r := alerted, rule()
		change(&a, &r)
		its := breaking()
		for i := range 4 {
			its[i].Alerts = []newsdigest.Alerted{a}
		}
		if got := alertsFor(its, r); len(got) != 0 {
			t.Errorf("%s: %+v; want nothing", name, got)
		}
	}
	// Alerted in another channel: this channel still gets its alert.
	other := breaking()
	for i := range 4 {
		other[i].Alerts = []newsdigest.Alerted{{Channel: "#mx-digest", ID: 3, At: alertNow.Add(-15 * time.Minute)}}
	}
	if got := alertsFor(other, rule()); len(got) != 1 || got[0].Kind != AlertNew || len(got[0].ItemIDs) != 5 {
		t.Errorf("alerted elsewhere: %+v; want an alert here", got)
	}
}

func TestAlertQuietHoursHoldAndRelease(t *testing.T) {
	r := rule()
	r.Quiet = newsdigest.QuietHours{Start: 23 * 60, End: 6 * 60}
	night := time.Date(2026, 11, 23, 23, 30, 0, 0, digesttest.CST)
	check := func(now time.Time, crossedAgo time.Duration, wantDue bool, wantUntil time.Time) {
		t.Helper()
		due, until := r.Hold(now.Add(-crossedAgo), now)
		if due != wantDue || !until.Equal(wantUntil) {
			t.Errorf("at %s, crossed %v before: due %v until %v; want %v until %v", now.Format("Mon 15:04"), crossedAgo, due, until, wantDue, wantUntil)
		}
	}
	morning := time.Date(2026, 11, 24, 6, 0, 0, 0, digesttest.CST)
	check(night, 10*time.Minute, false, morning)                        // held until 06:00
	check(night, 3*time.Hour, false, time.Time{})                       // stale before the quiet began
	check(morning.Add(5*time.Minute), 6*time.Hour, true, time.Time{})   // released: crossed at 00:05
	check(morning.Add(5*time.Minute), 9*time.Hour, true, time.Time{})   // crossed 21:05: still fresh when the quiet began
	check(morning.Add(5*time.Minute), 10*time.Hour, false, time.Time{}) // crossed 20:05: stale before it
	check(morning.Add(3*time.Hour), 9*time.Hour, false, time.Time{})    // the release window is over
	check(time.Date(2026, 11, 23, 14, 0, 0, 0, digesttest.CST), time.Hour, true, time.Time{})
	check(time.Date(2026, 11, 23, 14, 0, 0, 0, digesttest.CST), 3*time.Hour, false, time.Time{})

	// Through Alerts: a story breaking at night is held, with the reason.
	items := breaking()[:4]
	got := Alerts(AlertInput{Channel: "#mx-alerts", Rules: []newsdigest.AlertRule{r}, Now: alertNow.Add(9*time.Hour + 30*time.Minute), Items: shift(items, 9*time.Hour+30*time.Minute)})
	if len(got) != 1 || got[0].Held != HeldQuiet || !got[0].HeldUntil.Equal(morning) {
		t.Errorf("at night: %+v; want one alert held until 06:00", got)
	}
}

// shift moves items d later.
func shift(items []newsdigest.AlertCandidate, d time.Duration) []newsdigest.AlertCandidate {
	out := make([]newsdigest.AlertCandidate, len(items))
	for i, it := range items {
		it.FirstSeen = it.FirstSeen.Add(d)
		it.Item.Published = it.Item.Published.Add(d)
		out[i] = it
	}
	return out
}

// TestDigestMarksAlertedStories: a story an alert carried is shown marked
// (with the alert's channel when it is another), or left out; never as if
// it were new. The mark holds for the items the alert carried and for
// those that joined the story after it. Left out (omit), it is like a
// delivered story: a later report that brings news is shown, as new.
func TestDigestMarksAlertedStories(t *testing.T) {
	items := breaking()
	alert := newsdigest.Alerted{Channel: "#mx-alerts", ID: 7, TS: "1.0", At: time.Date(2026, 11, 22, 14, 5, 0, 0, cst).UTC()}
	var alerted []newsdigest.AlertCandidate
	for i := range 4 {
		items[i].Alerts = []newsdigest.Alerted{alert}
		alerted = append(alerted, items[i])
	}
	var cands []newsdigest.Candidate
	for _, it := range items[1:] { // the first was delivered by another digest; the fifth came later
		cands = append(cands, it.Candidate)
	}
	cands = append(cands, cand("other", "Senate votes on the border budget", "AP", "https://apnews.com/budget", time.Hour, m("troops", 3, "border")))
	in := Input{Title: "T", GeneratedAt: now.Add(24 * time.Hour), Topics: testTopics, Candidates: cands, Alerted: alerted, Channel: "#mx-digest"}
	d := Build(in)
	var marked, plain []Entry
	for _, s := range d.Topics {
		for _, e := range s.Items {
			if e.Alerted != nil {
				marked = append(marked, e)
			} else {
				plain = append(plain, e)
			}
		}
	}
	if len(marked) != 1 || len(plain) != 1 || len(marked[0].ItemIDs) != 4 {
		t.Fatalf("marked %+v, plain %+v; want the story (4 items) marked and the other plain", marked, plain)
	}
	if a := marked[0].Alerted; a.Channel != "#mx-alerts" || !a.At.Equal(alert.At) {
		t.Errorf("mark = %+v", a)
	}
	meta := marked[0].Meta(d.GeneratedAt, textMeta)
	if !strings.HasPrefix(meta, "⚡ alerted Sun 14:05 in #mx-alerts · ") {
		t.Errorf("meta line %q does not start with the mark", meta)
	}
	// In its own channel the mark names none.
	in.Channel = "#mx-alerts"
	if e := firstMarked(Build(in)); e == nil || e.Alerted.Channel != "" {
		t.Errorf("in the alert's own channel: %+v", e)
	}
	// omit leaves the story out, but for the report that came after the
	// alert and brings news (it names Sheinbaum's answer), shown as new.
	in.OmitAlerted = true
	d = Build(in)
	var titles []string
	for _, s := range d.Topics {
		for _, e := range s.Items {
			titles = append(titles, e.Title)
		}
	}
	slices.Sort(titles)
	want := []string{"Senate votes on the border budget", "US announces strikes on cartel camps inside Mexico, Sheinbaum responds"}
	if firstMarked(d) != nil || !slices.Equal(titles, want) {
		t.Errorf("omit: entries %q (marked: %v); want %q, none marked", titles, firstMarked(d) != nil, want)
	}
	// Without the news, omit leaves the whole story out.
	in.Candidates = slices.DeleteFunc(slices.Clone(in.Candidates), func(c newsdigest.Candidate) bool { return strings.Contains(c.Item.Title, "Sheinbaum") })
	if d := Build(in); firstMarked(d) != nil || countEntries(d) != 1 {
		t.Errorf("omit without the follow-up: %d entries; want only the other story", countEntries(d))
	}
}

func firstMarked(d *Digest) *Entry {
	for _, s := range d.Topics {
		for i := range s.Items {
			if s.Items[i].Alerted != nil {
				return &s.Items[i]
			}
		}
	}
	return nil
}

func countEntries(d *Digest) int {
	n := 0
	for _, s := range d.Topics {
		n += len(s.Items)
	}
	return n
}
