package digest

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/newsdigest/newsdigest"
)

// AlertInput is one channel's alert rules and the items they look at
// (docs/ALERTS.md). Like Build, Alerts does no I/O and reads no clock.
type AlertInput struct {
	Channel string                 // where the rules post, as configured
	Rules   []newsdigest.AlertRule // the rules that post to Channel, config order
	Topics  []newsdigest.Topic     // the configured topics: labels
	// Now is when the rules are checked, in the configured location (quiet
	// hours are wall-clock times there).
	Now   time.Time
	Items []newsdigest.AlertCandidate // store.AlertItems
	// Threads: a growth reply can be posted into an alert's thread (bot
	// token).
	Threads bool
}

// Kinds of alert messages.
const (
	AlertNew     = "alert"   // one story that took off
	AlertReply   = "reply"   // the alert's one growth reply, in its thread
	AlertSummary = "summary" // one of the stories over the channel's hourly cap, posted together
)

// Why an alert waits.
const (
	HeldQuiet = "quiet_hours" // until HeldUntil
	HeldCap   = "hourly_cap"  // until the channel's hour has room
)

// ReplyWindow is how long after its alert a story can still get its growth
// reply.
const ReplyWindow = 24 * time.Hour

// Alert is a story an alert rule posts, or would.
type Alert struct {
	Kind    string   `json:"kind"` // AlertNew or AlertReply; the caller makes the ones over the cap AlertSummary
	Rule    string   `json:"rule"`
	Channel string   `json:"channel"`
	Topic   string   `json:"topic"` // the shown item's topic, by name
	Label   string   `json:"label"`
	Title   string   `json:"title"`
	URL     string   `json:"url"`
	Source  string   `json:"source"`
	Terms   []string `json:"terms"`
	// Outlets has one link per distinct outlet counted (outlets.go), in the
	// order newsdigest first saw them.
	Outlets []Link `json:"outlets"`
	// New are a reply's outlets that came after the alert.
	New []Link `json:"new,omitempty"`
	// FirstReport is the story's earliest item (its date, or when
	// newsdigest first saw it); Crossed is when it reached the rule's
	// min_outlets; Span runs from the first report to the last outlet
	// counted: "4 outlets in 38 min".
	FirstReport time.Time     `json:"first_report"`
	Crossed     time.Time     `json:"crossed,omitzero"` // zero for a reply
	Span        time.Duration `json:"-"`
	// Held says why the alert is not posted now (HeldQuiet, HeldCap), ""
	// when it is; HeldUntil is when quiet hours end.
	Held      string    `json:"held,omitempty"`
	HeldUntil time.Time `json:"held_until,omitzero"`
	// Of is the alert a reply answers.
	Of *newsdigest.Alerted `json:"-"`
	// ItemIDs are the story's items no alert carried to Channel yet: once
	// posted, they are alerted there.
	ItemIDs []string `json:"-"`
}

// AlertPlan is what the alert rules would do now (run -dry-run): post, or
// hold.
type AlertPlan struct {
	Post []Alert `json:"post"`
	Held []Alert `json:"held"`
}

// Alerts checks one channel's rules over its items, grouped into stories
// as the digest groups them, and returns what is due or held, replies
// first, then by the time each story crossed its threshold. For each story:
//   - one already alerted to Channel gets, at most once, a growth reply
//     listing the outlets that came since, when a rule's reply_at is
//     reached within ReplyWindow of the alert, outside quiet hours, and
//     Threads allows it; nothing else, ever;
//   - one a digest already carried is left alone;
//   - otherwise the first rule (config order) under which the story
//     reached min_outlets distinct outlets at most within after its first
//     report makes it an alert, due or held as the rule's Hold says.
//
// Only items that matched one of the rule's topics with at least its
// min_score count toward outlets, and items from a feed's first poll never
// do.
func Alerts(in AlertInput) []Alert {
	ms := make([]member, len(in.Items))
	for i, it := range in.Items {
		ms[i] = member{c: it.Candidate, key: storyKey(it.Candidate)}
	}
	var out []Alert
	for _, g := range partition(ms) {
		story := make([]*newsdigest.AlertCandidate, len(g))
		for k, i := range g {
			story[k] = &in.Items[i]
		}
		slices.SortStableFunc(story, byArrival)
		if a, ok := storyAlert(in, story); ok {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b Alert) int {
		if a.Kind != b.Kind {
			return cmp.Compare(b.Kind, a.Kind) // "reply" before "alert"
		}
		if c := a.Crossed.Compare(b.Crossed); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Title, b.Title); c != 0 {
			return c
		}
		return cmp.Compare(a.URL, b.URL)
	})
	return out
}

// byArrival orders items as newsdigest first saw them, ties by ID.
func byArrival(a, b *newsdigest.AlertCandidate) int {
	if c := a.FirstSeen.Compare(b.FirstSeen); c != 0 {
		return c
	}
	return cmp.Compare(a.Item.ID, b.Item.ID)
}

// storyAlert is what the rules do with one story, its items in order of
// arrival.
func storyAlert(in AlertInput, story []*newsdigest.AlertCandidate) (Alert, bool) {
	var here *newsdigest.Alerted
	digested := false
	for _, it := range story {
		for k := range it.Alerts {
			if a := &it.Alerts[k]; a.Channel == in.Channel && (here == nil || a.At.Before(here.At)) {
				here = a
			}
		}
		digested = digested || it.Digested
	}
	if here != nil {
		return growthReply(in, story, here)
	}
	if digested {
		return Alert{}, false
	}
	first := firstReport(story)
	for _, r := range in.Rules {
		counted := counting(r, story, "")
		var o outlets
		var crossed time.Time
		for _, it := range counted {
			if o.add(it.Item); o.n >= r.MinOutlets {
				crossed = it.FirstSeen
				break
			}
		}
		if crossed.IsZero() || crossed.Sub(first) > r.Within {
			continue
		}
		due, until := r.Hold(crossed, in.Now)
		if !due && until.IsZero() {
			continue // stale: the digest brings it
		}
		a := newAlert(in, r, AlertNew, story, counted, first)
		a.Crossed = at(crossed, in.Now.Location())
		if !due {
			a.Held, a.HeldUntil = HeldQuiet, at(until, in.Now.Location())
		}
		return a, true
	}
	return Alert{}, false
}

// growthReply is the one reply a story alerted to the channel (here) gets
// once a rule's reply_at outlets carry it, if it is due now.
func growthReply(in AlertInput, story []*newsdigest.AlertCandidate, here *newsdigest.Alerted) (Alert, bool) {
	if !in.Threads || here.Summary || here.Replied || here.TS == "" || in.Now.Sub(here.At) > ReplyWindow {
		return Alert{}, false
	}
	for _, r := range in.Rules {
		if r.ReplyAt <= 0 {
			continue
		}
		if start, end, quiet := r.Quiet.Last(in.Now); quiet && !in.Now.Before(start) && in.Now.Before(end) {
			continue
		}
		counted := counting(r, story, in.Channel)
		outlet, n := outletsOf(counted)
		if n < r.ReplyAt {
			continue
		}
		listed := map[int]bool{} // the alert's outlets, then the new ones
		for k, it := range counted {
			if alertedTo(it, in.Channel) {
				listed[outlet[k]] = true
			}
		}
		a := newAlert(in, r, AlertReply, story, counted, firstReport(story))
		a.Of = here
		for k, it := range counted {
			if !listed[outlet[k]] {
				listed[outlet[k]] = true
				a.New = append(a.New, Link{Source: source(it.Item), URL: CleanURL(it.Item.Link)})
			}
		}
		if len(a.New) == 0 {
			continue
		}
		return a, true
	}
	return Alert{}, false
}

// counting returns the items of a story that count toward r's outlets, in
// order of arrival: those that matched one of its topics with at least its
// min_score, and not from their feed's first poll. With channel set, the
// items already alerted there count too (a reply counts its alert's
// outlets).
func counting(r newsdigest.AlertRule, story []*newsdigest.AlertCandidate, channel string) []*newsdigest.AlertCandidate {
	var out []*newsdigest.AlertCandidate
	for _, it := range story {
		_, ok := ruleMatch(r, it)
		if (ok && !it.FirstPoll) || (channel != "" && alertedTo(it, channel)) {
			out = append(out, it)
		}
	}
	return out
}

// ruleMatch is an item's best match among r's topics with at least r's
// min_score.
func ruleMatch(r newsdigest.AlertRule, it *newsdigest.AlertCandidate) (newsdigest.Match, bool) {
	var best newsdigest.Match
	ok := false
	for _, m := range it.Matches {
		if slices.Contains(r.Topics, m.Topic) && m.Score >= r.MinScore && (!ok || m.Score > best.Score) {
			best, ok = m, true
		}
	}
	return best, ok
}

// outletsOf counts the distinct outlets of items (outlets.go): it returns
// the outlet of each item, once all are counted, and how many there are.
func outletsOf(items []*newsdigest.AlertCandidate) (outlet []int, n int) {
	var o outlets
	outlet = make([]int, len(items))
	for k, it := range items {
		outlet[k] = o.add(it.Item)
	}
	for k := range outlet {
		outlet[k] = o.root(outlet[k])
	}
	return outlet, o.n
}

func alertedTo(it *newsdigest.AlertCandidate, channel string) bool {
	return slices.ContainsFunc(it.Alerts, func(a newsdigest.Alerted) bool { return a.Channel == channel })
}

// reported is when an item was reported: its date, unless it has none or
// one after newsdigest first saw it, then when newsdigest first saw it.
func reported(it *newsdigest.AlertCandidate) time.Time {
	if p := it.Item.Published; usable(p) && !p.After(it.FirstSeen) {
		return p
	}
	return it.FirstSeen
}

func firstReport(story []*newsdigest.AlertCandidate) time.Time {
	var first time.Time
	for _, it := range story {
		if r := reported(it); first.IsZero() || r.Before(first) {
			first = r
		}
	}
	return first
}

// newAlert describes a story for rule r: its best counted item (highest
// score for the rule's topics, then the earliest), its outlets, and the
// items not yet alerted to the channel.
func newAlert(in AlertInput, r newsdigest.AlertRule, kind string, story, counted []*newsdigest.AlertCandidate, first time.Time) Alert {
	loc := in.Now.Location()
	var rep *newsdigest.AlertCandidate
	var best newsdigest.Match
	for _, it := range counted {
		if m, ok := ruleMatch(r, it); ok && (rep == nil || m.Score > best.Score) {
			rep, best = it, m
		}
	}
	if rep == nil {
		rep = counted[0]
	}
	a := Alert{
		Kind: kind, Rule: CleanLine(r.Name, MaxTitleRunes), Channel: CleanLine(in.Channel, MaxSourceRunes),
		Topic: CleanLine(best.Topic, MaxTitleRunes), Label: CleanLine(best.Topic, MaxTitleRunes),
		Title: CleanLine(rep.Item.Title, MaxTitleRunes), URL: CleanURL(rep.Item.Link), Source: source(rep.Item),
		Terms: []string{}, Outlets: []Link{}, FirstReport: at(first, loc),
	}
	if a.Title == "" {
		a.Title = cmp.Or(a.URL, "(untitled)")
	}
	for _, t := range in.Topics {
		if t.Name == best.Topic {
			a.Label = CleanLine(t.DisplayLabel(), MaxTitleRunes)
		}
	}
	for _, t := range best.Terms {
		a.Terms = append(a.Terms, CleanLine(t, MaxTitleRunes))
	}
	outlet, _ := outletsOf(counted)
	seen := map[int]bool{}
	var last time.Time
	for k, it := range counted {
		if !seen[outlet[k]] {
			seen[outlet[k]] = true
			a.Outlets = append(a.Outlets, Link{Source: source(it.Item), URL: CleanURL(it.Item.Link)})
			last = it.FirstSeen
		}
	}
	a.Span = max(last.Sub(first), 0)
	for _, it := range story {
		if !alertedTo(it, in.Channel) {
			a.ItemIDs = append(a.ItemIDs, it.Item.ID)
		}
	}
	return a
}

// Growth is how fast the story grew: "4 outlets in 38 min".
func (a Alert) Growth() string {
	n := len(a.Outlets)
	s := fmt.Sprintf("%d %s", n, newsdigest.Plural(n, "outlet", "outlets"))
	switch d := a.Span.Round(time.Minute); {
	case d < time.Minute:
		return s + " in under a minute"
	case d < time.Hour:
		return s + fmt.Sprintf(" in %d min", int(d/time.Minute))
	case d%time.Hour == 0:
		return s + fmt.Sprintf(" in %dh", int(d/time.Hour))
	default:
		return s + fmt.Sprintf(" in %dh %02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}
