// Package digest turns a window's matched candidates into a digest — one
// entry per story, under its best topic, ranked, with feed coverage — and
// renders it as text, Markdown or JSON. It does no I/O of its own and reads
// no clock; the Slack rendering is package slack's.
package digest

import (
	"cmp"
	"slices"
	"time"

	"github.com/newsdigest/newsdigest"
)

// Input is everything Build needs; Build does no I/O and reads no clock.
type Input struct {
	Title string
	// GeneratedAt is when the digest was made, in the configured location.
	// Every time in the digest is shown in its Location, and relative times
	// ("2h ago") are computed against it.
	GeneratedAt time.Time
	From, To    time.Time // the window
	// Topics are the configured topics in config order: they give each
	// section its label and emoji, and the sections their order. Matches of
	// topics not listed here are ignored.
	Topics     []newsdigest.Topic
	Candidates []newsdigest.Candidate
	// Delivered are items already posted to this digest's channel recently
	// (store.DeliveredStories): a candidate whose story one of them carries
	// is left out unless it brings the story news (story.GroupAfter), so a
	// story is not posted again when a new outlet picks it up later, and a
	// development of it is. Only their title, summary, link, canonical link
	// and time are used.
	Delivered []newsdigest.Candidate
	// Alerted are items alerts already carried (store.AlertedItems): a
	// story one of them belongs to is shown marked with its earliest alert
	// (Entry.Alerted), never as if it were new; with OmitAlerted it is left
	// out like a delivered story, its candidates that bring it news shown
	// as new. Only their text, links and alerts are used.
	Alerted     []newsdigest.AlertCandidate
	OmitAlerted bool
	// Channel is where the digest goes ("" for every channel): a mark
	// names the alert's channel when it is another.
	Channel string
	Feeds   []newsdigest.FeedReport // every configured feed's outcome this run, config order
	Stats   Stats
	// StaleAfter: a feed that was not fetched this run and is not failing is
	// reported stale when its LastOK is before From or older than StaleAfter
	// (measured from GeneratedAt). Zero means DefaultStaleAfter. A feed
	// fetched this run is never stale.
	StaleAfter time.Duration
}

// DefaultStaleAfter is the StaleAfter used when an Input leaves it zero. It
// matters for long windows (-since 7d), where "before From" alone would let
// a feed stay silent for days.
const DefaultStaleAfter = 48 * time.Hour

// Stats are the run's counters, passed through to the digest.
type Stats struct {
	ItemsFetched int `json:"items_fetched"`
	ItemsNew     int `json:"items_new"`
	ItemsMatched int `json:"items_matched"`
}

// Digest is a built digest; its JSON form is docs/DESIGN.md's "run -format json"
// document. All times are in GeneratedAt's location, truncated to seconds.
type Digest struct {
	Title       string    `json:"title"`
	GeneratedAt time.Time `json:"generated_at"`
	Window      Window    `json:"window"`
	Topics      []Section `json:"topics"` // only topics with items, in config order
	Feeds       Coverage  `json:"feeds"`
	Stats       Stats     `json:"stats"`
	// Alerts is what the alert rules would do now, for run -dry-run: set
	// by the caller, nil (and left out) when no rule is configured.
	Alerts *AlertPlan `json:"alerts,omitempty"`
}

// Window is the span of time a digest covers.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Section is one topic's entries, ranked: score, then coverage (outlets),
// then recency, then title.
type Section struct {
	Name    string  `json:"name"`
	Label   string  `json:"label"`
	Emoji   string  `json:"emoji,omitempty"`
	Channel string  `json:"-"`     // the topic's own Slack channel, if configured
	Total   int     `json:"total"` // number of entries, all of them in Items
	Items   []Entry `json:"items"`
}

// Entry is one story. When several stored items carry the same story (same
// canonical link, or near-duplicate titles and ledes), the best-scoring one
// (ties: the earliest) is shown and the others are listed in Also.
type Entry struct {
	Title  string `json:"title"`
	URL    string `json:"url"`
	Source string `json:"source"`
	// Published is the item's date, or when newsdigest first saw it if the
	// feed gave no usable date (zero, or a year outside 1–9999).
	Published time.Time `json:"published"`
	Score     int       `json:"score"`
	Terms     []string  `json:"terms"`
	Tags      []string  `json:"tags"` // the story's other matched topics (names, config order)
	Also      []Link    `json:"also"` // other outlets carrying the same story
	// Outlets is how many distinct outlets carry the story, the shown one
	// included: sources with the same name, or links on the same site, are
	// one outlet (outlets.go).
	Outlets int `json:"outlets"`
	// Alerted is the alert that already carried the story, nil when none.
	Alerted *Alerted `json:"alerted,omitempty"`
	// ItemIDs are the IDs of every stored item folded into this entry, the
	// shown one first: the items to mark delivered once the digest is posted.
	ItemIDs []string `json:"-"`
}

// Alerted says when an alert already carried an entry's story, and where
// when not in the digest's own channel.
type Alerted struct {
	At      time.Time `json:"at"`
	Channel string    `json:"channel,omitempty"`
}

// Link is another outlet's copy of a story.
type Link struct {
	Source string `json:"source"`
	URL    string `json:"url"`
}

// Coverage says how the configured feeds fared, so that silence is never
// mistaken for "no news".
type Coverage struct {
	Total       int          `json:"total"`
	OK          int          `json:"ok"` // fetched this run, including NotModified
	NotModified int          `json:"not_modified"`
	Failed      []FailedFeed `json:"failed"` // config order
	Stale       []StaleFeed  `json:"stale"`  // config order
}

// FailedFeed is a feed that is failing now.
type FailedFeed struct {
	Name  string `json:"name"`
	URL   string `json:"url"`
	Error string `json:"error"`
	// FailingSince is when its current run of failures began.
	FailingSince time.Time `json:"failing_since,omitzero"`
}

// StaleFeed is a feed that is not failing now but has not been fetched
// successfully recently; LastOK is zero (and left out of JSON) when it never
// was.
type StaleFeed struct {
	Name   string    `json:"name"`
	URL    string    `json:"url"`
	LastOK time.Time `json:"last_ok,omitzero"`
}

// Empty reports whether no topic has any entry.
func (d *Digest) Empty() bool {
	for _, s := range d.Topics {
		if len(s.Items) > 0 {
			return false
		}
	}
	return true
}

// Build groups candidates into a digest: one entry per story, under its
// best-scoring topic, ranked within each section, followed by coverage. It is
// pure and deterministic: the same Input gives the same Digest.
func Build(in Input) *Digest {
	loc := in.GeneratedAt.Location()
	return &Digest{
		Title:       CleanLine(in.Title, MaxTitleRunes),
		GeneratedAt: at(in.GeneratedAt, loc),
		Window:      Window{From: at(in.From, loc), To: at(in.To, loc)},
		Topics:      sections(in, loc),
		Feeds:       coverage(in, loc),
		Stats:       in.Stats,
	}
}

// at returns t in loc, truncated to whole seconds; the zero time, and a time
// whose year is outside 1–9999 (JSON cannot encode it), become zero.
func at(t time.Time, loc *time.Location) time.Time {
	if t = t.In(loc).Truncate(time.Second); !usable(t) {
		return time.Time{}
	}
	return t
}

// usable reports whether t is a date a digest can show and encode as JSON.
func usable(t time.Time) bool {
	return !t.IsZero() && t.Year() >= 1 && t.Year() <= 9999
}

// member is one candidate with the facts grouping and ranking need.
type member struct {
	c      newsdigest.Candidate
	key    string              // canonical link, "" when none
	when   time.Time           // Published, or FirstSeen when undated
	score  int                 // best score among known topics
	best   int                 // index in Input.Topics of the best-scoring topic
	topics []topicMatch        // known topics it matched, each once, with its best match
	alert  *newsdigest.Alerted // the earliest alert that carried it, if any
}

// topicMatch is a match with the index of its topic in Input.Topics.
type topicMatch struct {
	topic int
	match newsdigest.Match
}

// matchOf returns the member's match for topic i.
func (m *member) matchOf(i int) (newsdigest.Match, bool) {
	for _, tm := range m.topics {
		if tm.topic == i {
			return tm.match, true
		}
	}
	return newsdigest.Match{}, false
}

// members keeps the candidates that matched at least one known topic, each
// ID once.
func members(in Input, index map[string]int) []member {
	ms := make([]member, 0, len(in.Candidates))
	seen := make(map[string]bool, len(in.Candidates))
	for _, c := range in.Candidates {
		if c.Item.ID != "" {
			if seen[c.Item.ID] {
				continue
			}
			seen[c.Item.ID] = true
		}
		m := member{c: c, best: -1}
		for _, mt := range c.Matches {
			i, ok := index[mt.Topic]
			if !ok {
				continue
			}
			if k := slices.IndexFunc(m.topics, func(tm topicMatch) bool { return tm.topic == i }); k >= 0 {
				if m.topics[k].match.Score < mt.Score {
					m.topics[k].match = mt
				}
			} else {
				m.topics = append(m.topics, topicMatch{i, mt})
			}
			if m.best < 0 || mt.Score > m.score || (mt.Score == m.score && i < m.best) {
				m.best, m.score = i, mt.Score
			}
		}
		if m.best < 0 {
			continue
		}
		m.key = storyKey(c)
		switch {
		case usable(c.Item.Published):
			m.when = c.Item.Published
		case usable(c.FirstSeen):
			m.when = c.FirstSeen
		}
		ms = append(ms, m)
	}
	return ms
}

// groupStories partitions members into stories, each ordered best first
// (byRank), with the earliest alert each story's items had (or nil).
// Members with the same non-empty canonical link are one story, and so are
// members whose titles and ledes say the same thing (package story); a
// story that an already delivered item (with omitAlerted: or an alerted
// one) belongs to keeps only the members that bring it news, and is
// dropped when none does (clusterMembers). Stories come in order of first
// appearance.
func groupStories(ms, delivered, alerted []member, omitAlerted bool) ([][]member, []*newsdigest.Alerted) {
	stories, alerts := clusterMembers(ms, delivered, alerted, omitAlerted)
	for _, s := range stories {
		slices.SortStableFunc(s, byRank)
	}
	return stories, alerts
}

// earliestAlert is the earliest of an item's alerts, or nil.
func earliestAlert(as []newsdigest.Alerted) *newsdigest.Alerted {
	var first *newsdigest.Alerted
	for i := range as {
		if first == nil || as[i].At.Before(first.At) {
			first = &as[i]
		}
	}
	return first
}

// sections builds one section per configured topic that has entries.
func sections(in Input, loc *time.Location) []Section {
	index := make(map[string]int, len(in.Topics))
	for i, t := range in.Topics {
		if _, dup := index[t.Name]; !dup {
			index[t.Name] = i
		}
	}
	type ranked struct {
		e    *Entry
		when time.Time
	}
	byTopic := make([][]ranked, len(in.Topics))
	var delivered []member
	for _, c := range in.Delivered {
		delivered = append(delivered, member{c: c, key: storyKey(c)})
	}
	alertOf := map[string]*newsdigest.Alerted{}
	var alerted []member
	for _, c := range in.Alerted {
		if a := earliestAlert(c.Alerts); a != nil {
			alertOf[c.Item.ID] = a
			alerted = append(alerted, member{c: c.Candidate, key: storyKey(c.Candidate), alert: a})
		}
	}
	ms := members(in, index)
	for i := range ms {
		ms[i].alert = alertOf[ms[i].c.Item.ID]
	}
	// With OmitAlerted, the stories alerts carried come back only with the
	// candidates that bring them news, and without an alert.
	stories, alerts := groupStories(ms, delivered, alerted, in.OmitAlerted)
	entries := make([]Entry, len(stories))
	inChunks(len(stories), entryChunk, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			entries[k] = entry(stories[k], in.Topics, loc)
		}
	})
	for k, story := range stories {
		rep := story[0]
		e := &entries[k]
		if a := alerts[k]; a != nil {
			e.Alerted = &Alerted{At: at(a.At, loc)}
			if a.Channel != in.Channel {
				e.Alerted.Channel = CleanLine(a.Channel, MaxSourceRunes)
			}
		}
		byTopic[rep.best] = append(byTopic[rep.best], ranked{e, rep.when})
	}
	out := []Section{}
	for i, rs := range byTopic {
		if len(rs) == 0 {
			continue
		}
		slices.SortStableFunc(rs, func(a, b ranked) int {
			if c := cmp.Compare(b.e.Score, a.e.Score); c != 0 {
				return c
			}
			if c := cmp.Compare(b.e.Outlets, a.e.Outlets); c != 0 {
				return c
			}
			if c := b.when.Compare(a.when); c != 0 {
				return c
			}
			if c := cmp.Compare(a.e.Title, b.e.Title); c != 0 {
				return c
			}
			if c := cmp.Compare(a.e.URL, b.e.URL); c != 0 {
				return c
			}
			return slices.Compare(a.e.ItemIDs, b.e.ItemIDs)
		})
		t := in.Topics[i]
		s := Section{
			Name:    CleanLine(t.Name, MaxTitleRunes),
			Label:   CleanLine(t.DisplayLabel(), MaxTitleRunes),
			Emoji:   CleanLine(t.Emoji, MaxTitleRunes),
			Channel: t.Channel,
			Total:   len(rs),
			Items:   make([]Entry, len(rs)),
		}
		for j, r := range rs {
			s.Items[j] = *r.e
		}
		out = append(out, s)
	}
	return out
}

// entryChunk is how many stories' entries one goroutine makes at a time.
const entryChunk = 1024

// entry makes the digest entry of one story whose best member comes first.
func entry(story []member, topics []newsdigest.Topic, loc *time.Location) Entry {
	rep := story[0]
	it := rep.c.Item
	e := Entry{
		Title:     CleanLine(it.Title, MaxTitleRunes),
		URL:       CleanURL(it.Link),
		Source:    source(it),
		Published: at(rep.when, loc),
		Score:     rep.score,
		Terms:     []string{},
		Tags:      []string{},
		Also:      []Link{},
		Outlets:   countOutlets(story),
	}
	if e.Title == "" {
		e.Title = cmp.Or(e.URL, "(untitled)")
	}
	best, _ := rep.matchOf(rep.best)
	for _, t := range best.Terms {
		e.Terms = append(e.Terms, CleanLine(t, MaxTitleRunes))
	}
	tagged := map[int]bool{}
	links := map[Link]bool{{e.Source, e.URL}: true}
	ids := map[string]bool{}
	for _, m := range story {
		for _, tm := range m.topics {
			if tm.topic != rep.best {
				tagged[tm.topic] = true
			}
		}
		if id := m.c.Item.ID; id != "" && !ids[id] {
			ids[id] = true
			e.ItemIDs = append(e.ItemIDs, id)
		}
		l := Link{Source: source(m.c.Item), URL: CleanURL(m.c.Item.Link)}
		if !links[l] {
			links[l] = true
			e.Also = append(e.Also, l)
		}
	}
	for i, t := range topics {
		if tagged[i] {
			e.Tags = append(e.Tags, CleanLine(t.Name, MaxTitleRunes))
		}
	}
	return e
}

// storyKey is a candidate's canonical link, the key that makes items one
// story: the stored one, else CanonicalURL of its link, "" without a link.
func storyKey(c newsdigest.Candidate) string {
	if c.CanonicalURL != "" || c.Item.Link == "" {
		return c.CanonicalURL
	}
	return newsdigest.CanonicalURL(c.Item.Link)
}

// source is the outlet to show for an item: its Source, else its feed name.
func source(it newsdigest.Item) string {
	return cmp.Or(CleanLine(it.Source, MaxSourceRunes), CleanLine(it.FeedName, MaxSourceRunes), "unknown source")
}

// coverage counts how the feeds fared this run.
func coverage(in Input, loc *time.Location) Coverage {
	staleAfter := in.StaleAfter
	if staleAfter <= 0 {
		staleAfter = DefaultStaleAfter
	}
	cv := Coverage{Total: len(in.Feeds), Failed: []FailedFeed{}, Stale: []StaleFeed{}}
	for _, r := range in.Feeds {
		name := cmp.Or(CleanLine(r.Name, MaxSourceRunes), CleanURL(r.URL))
		switch {
		case r.OK:
			cv.OK++
			if r.NotModified {
				cv.NotModified++
			}
		case r.Error != "" || !r.FailingSince.IsZero():
			msg := CleanLine(r.Error, maxErrorRunes)
			if msg == "" {
				msg = "failing since " + at(r.FailingSince, loc).Format(time.RFC3339)
			}
			var since time.Time
			if usable(r.FailingSince) {
				since = at(r.FailingSince, loc)
			}
			cv.Failed = append(cv.Failed, FailedFeed{Name: name, URL: CleanURL(r.URL), Error: msg, FailingSince: since})
		default:
			// Not fetched this run (backoff, or not due) and not failing:
			// stale when its last success is too old.
			last := r.LastOK
			if !usable(last) || (!in.From.IsZero() && last.Before(in.From)) || in.GeneratedAt.Sub(last) > staleAfter {
				var lastOK time.Time
				if usable(last) {
					lastOK = at(last, loc)
				}
				cv.Stale = append(cv.Stale, StaleFeed{Name: name, URL: CleanURL(r.URL), LastOK: lastOK})
			}
		}
	}
	return cv
}
