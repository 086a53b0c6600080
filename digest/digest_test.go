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

// The sample window's parts, shared with the slack tests.
var (
	cst        = digesttest.CST
	now        = digesttest.Now
	testTopics = digesttest.Topics
	m          = digesttest.M
	cand       = digesttest.Cand
)

// itemIDs is every stored item the digest carries, in rendering order, once.
func itemIDs(d *Digest) []string {
	var ids []string
	for _, s := range d.Topics {
		for _, e := range s.Items {
			for _, id := range e.ItemIDs {
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// summary describes a digest's sections one entry a line.
func summary(d *Digest) []string {
	var out []string
	for _, s := range d.Topics {
		for _, e := range s.Items {
			line := fmt.Sprintf("%s: %s score=%d ids=%s", s.Name, e.Title, e.Score, strings.Join(e.ItemIDs, ","))
			if len(e.Tags) > 0 {
				line += " tags=" + strings.Join(e.Tags, ",")
			}
			for _, l := range e.Also {
				line += " also=" + l.Source + "|" + l.URL
			}
			out = append(out, line)
		}
	}
	return out
}

func TestBuildGrouping(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name  string
		cands []newsdigest.Candidate
		want  []string
	}{
		{
			name: "same canonical link is one entry led by the best score",
			cands: []newsdigest.Candidate{
				cand("a", "Wire copy", "Google News", "https://Example.com/story?utm_source=gn", 1*h, m("cartels", 3, "cartel*")),
				cand("b", "Original", "Reuters", "https://example.com/story#top", 2*h, m("cartels", 6, "cartel*", "CJNG")),
			},
			want: []string{"cartels: Original score=6 ids=b,a also=Google News|https://Example.com/story?utm_source=gn"},
		},
		{
			name: "score tie within a story goes to the earliest",
			cands: []newsdigest.Candidate{
				cand("late", "Late", "B", "https://example.com/s", 1*h, m("cartels", 3)),
				cand("early", "Early", "A", "https://example.com/s", 5*h, m("cartels", 3)),
			},
			want: []string{"cartels: Early score=3 ids=early,late also=B|https://example.com/s"},
		},
		{
			name: "same source and link listed once in also",
			cands: []newsdigest.Candidate{
				cand("a", "Lead", "Reuters", "https://example.com/s", 1*h, m("cartels", 3)),
				cand("b", "Copy", "AP", "https://example.com/s?fbclid=1", 1*h, m("cartels", 1)),
				cand("c", "Copy again", "AP", "https://example.com/s?fbclid=1", 1*h, m("cartels", 1)),
				cand("d", "Same as lead", "Reuters", "https://example.com/s", 1*h, m("cartels", 1)),
			},
			want: []string{"cartels: Lead score=3 ids=a,b,c,d also=AP|https://example.com/s?fbclid=1"},
		},
		{
			name: "items without links are never merged",
			cands: []newsdigest.Candidate{
				cand("a", "One", "X", "", 1*h, m("cartels", 1)),
				cand("b", "Two", "X", "", 2*h, m("cartels", 1)),
			},
			want: []string{"cartels: One score=1 ids=a", "cartels: Two score=1 ids=b"},
		},
		{
			name: "best topic wins and the others become tags in config order",
			cands: []newsdigest.Candidate{
				cand("a", "Troops story", "X", "https://x.test/1", h, m("usmca", 1), m("troops", 4), m("sovereignty", 1), m("cartels", 3)),
			},
			want: []string{"troops: Troops story score=4 ids=a tags=cartels,usmca,sovereignty"},
		},
		{
			name: "score tie between topics goes to config order, not match order",
			cands: []newsdigest.Candidate{
				cand("a", "Tie", "X", "https://x.test/1", h, m("usmca", 3), m("troops", 3)),
			},
			want: []string{"troops: Tie score=3 ids=a tags=usmca"},
		},
		{
			name: "tags are the union over the story's items",
			cands: []newsdigest.Candidate{
				cand("a", "Lead", "X", "https://x.test/1", h, m("cartels", 6)),
				cand("b", "Copy", "Y", "https://x.test/1", h, m("cartels", 1), m("troops", 1)),
			},
			want: []string{"cartels: Lead score=6 ids=a,b tags=troops also=Y|https://x.test/1"},
		},
		{
			name: "matches of unknown topics are ignored",
			cands: []newsdigest.Candidate{
				cand("a", "Only unknown", "X", "https://x.test/1", h, m("weather", 9)),
				cand("b", "Mixed", "X", "https://x.test/2", h, m("weather", 9), m("usmca", 1)),
			},
			want: []string{"usmca: Mixed score=1 ids=b"},
		},
		{
			name: "ranking: score, then recency, then title",
			cands: []newsdigest.Candidate{
				cand("old", "Old high", "X", "https://x.test/1", 9*h, m("cartels", 6)),
				cand("low", "Low", "X", "https://x.test/2", 1*h, m("cartels", 1)),
				cand("new", "New high", "X", "https://x.test/3", 2*h, m("cartels", 6)),
				cand("b", "Bravo", "X", "https://x.test/4", 3*h, m("cartels", 3)),
				cand("a", "Alpha", "X", "https://x.test/5", 3*h, m("cartels", 3)),
			},
			want: []string{
				"cartels: New high score=6 ids=new",
				"cartels: Old high score=6 ids=old",
				"cartels: Alpha score=3 ids=a",
				"cartels: Bravo score=3 ids=b",
				"cartels: Low score=1 ids=low",
			},
		},
		{
			name: "undated items rank by first seen",
			cands: []newsdigest.Candidate{
				cand("dated", "Dated 3h", "X", "https://x.test/1", 3*h, m("cartels", 1)),
				cand("undated", "Undated, seen 1h ago", "X", "https://x.test/2", -1, m("cartels", 1)),
			},
			want: []string{"cartels: Undated, seen 1h ago score=1 ids=undated", "cartels: Dated 3h score=1 ids=dated"},
		},
		{
			name: "a repeated item ID is one item",
			cands: []newsdigest.Candidate{
				cand("a", "Once", "X", "https://x.test/1", h, m("cartels", 1)),
				cand("a", "Once", "X", "https://x.test/1", h, m("cartels", 1)),
			},
			want: []string{"cartels: Once score=1 ids=a"},
		},
		{
			name:  "no candidates",
			cands: nil,
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Build(Input{GeneratedAt: now, Topics: testTopics, Candidates: tt.cands})
			if got := summary(d); !slices.Equal(got, tt.want) {
				t.Errorf("Build(%s) =\n\t%s\nwant\n\t%s", tt.name, strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
			if got, want := d.Empty(), len(tt.want) == 0; got != want {
				t.Errorf("Empty() = %v; want %v", got, want)
			}
		})
	}
}

func TestBuildSections(t *testing.T) {
	d := Build(Input{GeneratedAt: now, Topics: testTopics, Candidates: []newsdigest.Candidate{
		cand("s", "Sov", "X", "https://x.test/s", time.Hour, m("sovereignty", 1)),
		cand("c1", "C1", "X", "https://x.test/1", time.Hour, m("cartels", 1)),
		cand("c2", "C2", "X", "https://x.test/2", time.Hour, m("cartels", 1)),
	}})
	var got []string
	for _, s := range d.Topics {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s|%d|%d", s.Name, s.Label, s.Emoji, s.Channel, s.Total, len(s.Items)))
	}
	want := []string{
		"cartels|Cartels & organized crime|:rotating_light:|#mx-security|2|2",
		"sovereignty|sovereignty|||1|1", // no label: the name
	}
	if !slices.Equal(got, want) {
		t.Errorf("sections = %q; want %q", got, want)
	}
	if got, want := itemIDs(d), []string{"c1", "c2", "s"}; !slices.Equal(got, want) {
		t.Errorf("ItemIDs() = %q; want %q", got, want)
	}
}

func TestBuildEntryFields(t *testing.T) {
	c := cand("a", "  Two\nlines\x1b[31m red\u202e  ", "", "https://x.test/a", 2*time.Hour, m("cartels", 4, "cartel*", "CJNG"))
	c.Item.Published = c.Item.Published.Add(123 * time.Millisecond)
	d := Build(Input{GeneratedAt: now, Topics: testTopics, Candidates: []newsdigest.Candidate{c}})
	e := d.Topics[0].Items[0]
	if want := "Two lines [31m red"; e.Title != want {
		t.Errorf("Title = %q; want %q", e.Title, want)
	}
	if want := "feed"; e.Source != want { // Source empty: the feed name, " feed"
		t.Errorf("Source = %q; want the feed name %q", e.Source, want)
	}
	if want := now.Add(-2 * time.Hour); !e.Published.Equal(want) || e.Published.Location() != cst {
		t.Errorf("Published = %v; want %v in CST, whole seconds", e.Published, want)
	}
	if want := []string{"cartel*", "CJNG"}; !slices.Equal(e.Terms, want) {
		t.Errorf("Terms = %q; want %q", e.Terms, want)
	}
	if e.Tags == nil || e.Also == nil {
		t.Errorf("Tags = %#v, Also = %#v; want empty, not nil", e.Tags, e.Also)
	}

	undated := cand("u", "", "X", "https://x.test/u", -1, m("cartels", 1))
	undated.Item.Published = time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC) // unusable
	d = Build(Input{GeneratedAt: now, Topics: testTopics, Candidates: []newsdigest.Candidate{undated}})
	e = d.Topics[0].Items[0]
	if want := now.Add(-time.Hour); !e.Published.Equal(want) {
		t.Errorf("Published of an item with an unusable date = %v; want FirstSeen %v", e.Published, want)
	}
	if want := "https://x.test/u"; e.Title != want {
		t.Errorf("Title of an untitled item = %q; want its link %q", e.Title, want)
	}
}

func TestBuildTimes(t *testing.T) {
	from := now.Add(-24 * time.Hour).UTC()
	d := Build(Input{GeneratedAt: now.Add(500 * time.Millisecond), From: from, To: now.UTC()})
	for name, tm := range map[string]time.Time{"GeneratedAt": d.GeneratedAt, "Window.From": d.Window.From, "Window.To": d.Window.To} {
		if tm.Location() != cst || tm.Nanosecond() != 0 {
			t.Errorf("%s = %v; want in CST, whole seconds", name, tm)
		}
	}
}

func TestCoverage(t *testing.T) {
	h := time.Hour
	from, to := now.Add(-24*h), now
	tests := []struct {
		name       string
		feeds      []newsdigest.FeedReport
		staleAfter time.Duration
		want       string
	}{
		{
			name:  "all ok",
			feeds: []newsdigest.FeedReport{{Name: "A", OK: true, LastOK: now}, {Name: "B", OK: true, NotModified: true, LastOK: now}},
			want:  "total=2 ok=2 nm=1 failed=[] stale=[]",
		},
		{
			name: "failed in config order",
			feeds: []newsdigest.FeedReport{
				{Name: "Proceso", URL: "https://p.test/", Error: "HTTP 503", FailingSince: now.Add(-h)},
				{Name: "A", OK: true},
				{Name: "La Jornada", URL: "https://j.test/", Error: "timed out\nafter 20s"},
			},
			want: "total=3 ok=1 nm=0 failed=[Proceso|https://p.test/|HTTP 503 La Jornada|https://j.test/|timed out after 20s] stale=[]",
		},
		{
			name:  "failing without a message",
			feeds: []newsdigest.FeedReport{{URL: "https://p.test/", FailingSince: now.Add(-3 * h)}},
			want:  "total=1 ok=0 nm=0 failed=[https://p.test/|https://p.test/|failing since 2026-11-22T05:00:00-06:00] stale=[]",
		},
		{
			name: "not fetched: stale when last OK before the window or never",
			feeds: []newsdigest.FeedReport{
				{Name: "Recent", LastOK: now.Add(-2 * h)},
				{Name: "Old", LastOK: from.Add(-h)},
				{Name: "Never"},
			},
			want: "total=3 ok=0 nm=0 failed=[] stale=[Old|2026-11-21T07:00:00-06:00 Never|]",
		},
		{
			name:       "not fetched: stale when older than StaleAfter",
			feeds:      []newsdigest.FeedReport{{Name: "Recent", LastOK: now.Add(-2 * h)}, {Name: "Older", LastOK: now.Add(-5 * h)}},
			staleAfter: 4 * h,
			want:       "total=2 ok=0 nm=0 failed=[] stale=[Older|2026-11-22T03:00:00-06:00]",
		},
		{
			name:  "ok now is never stale",
			feeds: []newsdigest.FeedReport{{Name: "A", OK: true, LastOK: from.Add(-9 * h)}},
			want:  "total=1 ok=1 nm=0 failed=[] stale=[]",
		},
		{
			name:  "no feeds",
			feeds: nil,
			want:  "total=0 ok=0 nm=0 failed=[] stale=[]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cv := Build(Input{GeneratedAt: now, From: from, To: to, Feeds: tt.feeds, StaleAfter: tt.staleAfter}).Feeds
			var failed, stale []string
			for _, f := range cv.Failed {
				failed = append(failed, f.Name+"|"+f.URL+"|"+f.Error)
			}
			for _, s := range cv.Stale {
				last := ""
				if !s.LastOK.IsZero() {
					last = s.LastOK.Format(time.RFC3339)
				}
				stale = append(stale, s.Name+"|"+last)
			}
			got := fmt.Sprintf("total=%d ok=%d nm=%d failed=%v stale=%v", cv.Total, cv.OK, cv.NotModified, failed, stale)
			if got != tt.want {
				t.Errorf("coverage(%s) = %s; want %s", tt.name, got, tt.want)
			}
			if cv.Failed == nil || cv.Stale == nil {
				t.Errorf("Failed = %#v, Stale = %#v; want empty, not nil", cv.Failed, cv.Stale)
			}
		})
	}
}

func TestStaleAfterDefault(t *testing.T) {
	// A week-long window: LastOK is inside it, so DefaultStaleAfter decides.
	tests := []struct {
		lastOK time.Duration
		stale  bool
	}{
		{lastOK: 47 * time.Hour, stale: false},
		{lastOK: 49 * time.Hour, stale: true},
	}
	for _, tt := range tests {
		in := Input{GeneratedAt: now, From: now.Add(-7 * 24 * time.Hour), To: now,
			Feeds: []newsdigest.FeedReport{{Name: "F", LastOK: now.Add(-tt.lastOK)}}}
		if got := len(Build(in).Feeds.Stale) == 1; got != tt.stale {
			t.Errorf("last OK %v ago in a 7-day window: stale = %v; want %v", tt.lastOK, got, tt.stale)
		}
	}
}
