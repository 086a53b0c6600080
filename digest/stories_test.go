package digest

import (
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

// fiveOutlets is one story from five outlets, one through Google News (title
// already split by newsdigest.SplitGoogleNews), plus a look-alike story
// about the same cartel.
func fiveOutlets() []newsdigest.Candidate {
	gnTitle, gnSource, _ := newsdigest.SplitGoogleNews("https://news.google.com/rss/search?q=sinaloa",
		"https://news.google.com/rss/articles/abc", "Mexico arrests top Sinaloa cartel leader in Culiacán raid - AP News")
	gn := cand("gn", gnTitle, gnSource, "https://news.google.com/rss/articles/abc", 3*time.Hour, m("cartels", 3, "Sinaloa Cartel"))
	return []newsdigest.Candidate{
		cand("reuters", "Mexican forces arrest Sinaloa Cartel faction leader in Culiacan", "Reuters", "https://reuters.test/a", 4*time.Hour, m("cartels", 3, "Sinaloa Cartel")),
		gn,
		cand("bloomberg", "Mexico Arrests Sinaloa Cartel Leader in Culiacan Raid", "Bloomberg", "https://bloomberg.test/b", 2*time.Hour, m("cartels", 3, "Sinaloa Cartel")),
		cand("cnn", "Senior Sinaloa Cartel leader arrested in Culiacán, Mexico's security chief says", "CNN", "https://cnn.test/c", time.Hour, m("cartels", 3, "Sinaloa Cartel")),
		cand("guardian", "Sinaloa cartel leader arrested in Culiacán raid | The Guardian", "The Guardian", "https://guardian.test/d", 30*time.Minute, m("cartels", 3, "Sinaloa Cartel")),
		cand("clashes", "Clashes between Sinaloa Cartel factions leave 14 dead in Culiacan", "Reuters", "https://reuters.test/e", time.Hour, m("cartels", 3, "Sinaloa Cartel")),
	}
}

func TestBuildClustersOutlets(t *testing.T) {
	in := sampleInput()
	in.Candidates = fiveOutlets()
	d := Build(in)
	if len(d.Topics) != 1 || len(d.Topics[0].Items) != 2 {
		t.Fatalf("Build(five outlets + look-alike) = %v; want one section with 2 entries", summary(d))
	}
	e := d.Topics[0].Items[0]
	if e.Title != "Mexican forces arrest Sinaloa Cartel faction leader in Culiacan" || e.Outlets != 5 || len(e.Also) != 4 || len(e.ItemIDs) != 5 {
		t.Errorf("first entry = %q, %d outlets, also %v, ids %v; want the earliest (Reuters), 5 outlets, 4 also, 5 ids", e.Title, e.Outlets, e.Also, e.ItemIDs)
	}
	if e.Also[0].Source != "AP News" || e.Also[0].URL != "https://news.google.com/rss/articles/abc" {
		t.Errorf("Also[0] = %v; want AP News with the Google News link", e.Also[0])
	}
	if got := d.Topics[0].Items[1].Title; !strings.HasPrefix(got, "Clashes") {
		t.Errorf("second entry = %q; want the look-alike clashes story on its own", got)
	}

	var txt, md strings.Builder
	if err := d.WriteText(&txt, 8); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteMarkdown(&md, 8); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": txt.String(), "markdown": md.String()} {
		if !strings.Contains(out, "5 outlets") || strings.Count(out, "outlets") != 1 {
			t.Errorf("%s rendering = %q; want \"5 outlets\" once", name, out)
		}
	}
}

func TestBuildSkipsDeliveredStory(t *testing.T) {
	in := sampleInput()
	all := fiveOutlets()
	in.Delivered = all[:1] // Reuters' copy was posted this morning
	in.Candidates = all[1:]
	d := Build(in)
	if got := summary(d); len(d.Topics) != 1 || len(d.Topics[0].Items) != 1 || !strings.HasPrefix(d.Topics[0].Items[0].Title, "Clashes") {
		t.Errorf("Build with the arrest delivered = %v; want only the clashes story", got)
	}
}

func TestBuildRanksByCoverage(t *testing.T) {
	in := sampleInput()
	in.Candidates = append(fiveOutlets()[:5],
		cand("solo", "Navy dismantles fentanyl lab in Sinaloa mountains", "Reuters", "https://reuters.test/f", time.Minute, m("cartels", 3, "Sinaloa Cartel")))
	d := Build(in)
	if len(d.Topics) != 1 || len(d.Topics[0].Items) != 2 || d.Topics[0].Items[0].Outlets != 5 {
		t.Errorf("Build = %v; want the five-outlet story first, ahead of a newer one-outlet story", summary(d))
	}
}

// TestOverflowListsOutlets: a story beyond the cap is listed with every
// outlet that carries it, in text and Markdown alike, so that grouping
// hides no item of the window.
func TestOverflowListsOutlets(t *testing.T) {
	in := sampleInput()
	in.Candidates = append(fiveOutlets(),
		cand("top", "Navy dismantles fentanyl lab in Sinaloa mountains", "Reuters", "https://reuters.test/f", time.Minute, m("cartels", 9, "Sinaloa Cartel")))
	d := Build(in)
	if len(d.Topics) != 1 || len(d.Topics[0].Items) != 3 || d.Topics[0].Items[1].Outlets != 5 {
		t.Fatalf("Build = %v; want the lab story, then the five-outlet story, then the clashes", summary(d))
	}
	var txt, md strings.Builder
	if err := d.WriteText(&txt, 1); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteMarkdown(&md, 1); err != nil {
		t.Fatal(err)
	}
	e := d.Topics[0].Items[1]
	for name, out := range map[string]string{"text": txt.String(), "markdown": md.String()} {
		if !strings.Contains(out, "+2 more:") {
			t.Errorf("%s rendering lacks the \"+2 more:\" list:\n%s", name, out)
		}
		for _, l := range e.Also {
			if !strings.Contains(out, l.Source) {
				t.Errorf("%s rendering does not list %s, an outlet of the overflowed story:\n%s", name, l.Source, out)
			}
		}
	}
	for _, l := range e.Also {
		if !strings.Contains(md.String(), "("+l.URL+")") {
			t.Errorf("markdown rendering does not link %s", l.URL)
		}
	}
}

// TestBuildKeepsApartWeeksApart: in a month-long window, the same kind of
// headline a month apart is two stories (a delivered one does not hide the
// new one), and an undated item is grouped by when it was first seen.
func TestBuildKeepsApartWeeksApart(t *testing.T) {
	day := 24 * time.Hour
	in := sampleInput()
	in.From = now.Add(-35 * day)
	old := cand("old", "Mexico sends 10,000 National Guard troops to the US border", "Reuters", "https://reuters.test/old", 30*day, m("troops", 3, "troops"))
	in.Candidates = []newsdigest.Candidate{
		old,
		cand("new", "Mexico sends 10,000 National Guard troops to the US border", "AP", "https://ap.test/new", 2*time.Hour, m("troops", 3, "troops")),
		cand("same", "Mexico to send 10,000 National Guard troops to US border", "CNN", "https://cnn.test/same", time.Hour, m("troops", 3, "troops")),
	}
	d := Build(in)
	if len(d.Topics) != 1 || len(d.Topics[0].Items) != 2 {
		t.Fatalf("Build = %v; want two entries: the report of 30 days ago and today's, with its second outlet", summary(d))
	}
	in.Delivered, in.Candidates = in.Candidates[:1], in.Candidates[1:]
	d = Build(in)
	if len(d.Topics) != 1 || len(d.Topics[0].Items) != 1 || d.Topics[0].Items[0].Outlets != 2 {
		t.Errorf("Build with the old report delivered = %v; want today's story, not hidden by it", summary(d))
	}
	// Undated, first seen an hour ago: grouped with today's.
	undated := cand("undated", "Mexico sends 10,000 National Guard troops to the US border", "Milenio", "https://milenio.test/u", -1, m("troops", 3, "troops"))
	in.Candidates = append(in.Candidates, undated)
	if d := Build(in); len(d.Topics) != 1 || len(d.Topics[0].Items) != 1 || d.Topics[0].Items[0].Outlets != 3 {
		t.Errorf("Build with an undated copy = %v; want it in today's story", summary(d))
	}
}

// TestBuildPostsDevelopment: yesterday's threat was posted; today the act
// it threatened is news and is posted, while another outlet's copy of the
// threat is not posted again (docs/STORIES.md, change 8: opposed acts).
func TestBuildPostsDevelopment(t *testing.T) {
	day := 24 * time.Hour
	e := onlyEntryAfterPosted(t, []newsdigest.Candidate{
		cand("threat", "Trump threatens 25% tariffs on Mexican imports over fentanyl", "Reuters", "https://reuters.test/threat", day, m("usmca", 3, "tariffs")),
	}, []newsdigest.Candidate{
		cand("repeat", "Trump threatens Mexico with 25% tariffs over fentanyl", "CNN", "https://cnn.test/repeat", day-time.Hour, m("usmca", 3, "tariffs")),
		cand("act", "Trump imposes 25% tariffs on Mexican imports over fentanyl", "AP", "https://ap.test/act", time.Hour, m("usmca", 3, "tariffs")),
		cand("act-2", "Trump slaps 25% tariffs on imports from Mexico over fentanyl", "Bloomberg", "https://bloomberg.test/act", 2*time.Hour, m("usmca", 3, "tariffs")),
	}, "today's act, not yesterday's threat again")
	if !strings.HasPrefix(e.Title, "Trump imposes") && !strings.HasPrefix(e.Title, "Trump slaps") {
		t.Errorf("entry = %q; want the act", e.Title)
	}
	if e.Outlets != 2 {
		t.Errorf("entry %q has %d outlets; want 2 (the act, from two outlets)", e.Title, e.Outlets)
	}
}

// TestBuildPostsFollowUp: yesterday's arrest was posted; today another
// outlet's copy of it is not posted again, but a report of the same arrest
// that names who the man was brings news and is.
func TestBuildPostsFollowUp(t *testing.T) {
	day := 24 * time.Hour
	e := onlyEntryAfterPosted(t, []newsdigest.Candidate{
		cand("first", "Sinaloa cartel leader arrested in Culiacán raid", "Reuters", "https://reuters.test/first", day, m("cartels", 3, "Sinaloa Cartel")),
	}, []newsdigest.Candidate{
		cand("copy", "Sinaloa cartel leader arrested in Culiacán raid, officials say", "CNN", "https://cnn.test/copy", 2*time.Hour, m("cartels", 3, "Sinaloa Cartel")),
		cand("named", "Sinaloa cartel leader arrested in Culiacán raid was Iván Archivaldo Guzmán's security chief", "Milenio", "https://milenio.test/named", time.Hour, m("cartels", 3, "Sinaloa Cartel")),
	}, "the report that names him")
	if !strings.Contains(e.Title, "Archivaldo") || len(e.ItemIDs) != 1 {
		t.Errorf("entry = %q with items %v; want the report naming Iván Archivaldo Guzmán alone", e.Title, e.ItemIDs)
	}
}

// onlyEntryAfterPosted builds a two-day digest of candidates with delivered
// already posted, and returns its one entry; want says which it should be.
func onlyEntryAfterPosted(t *testing.T, delivered, candidates []newsdigest.Candidate, want string) Entry {
	t.Helper()
	in := sampleInput()
	in.From = now.Add(-48 * time.Hour)
	in.Delivered, in.Candidates = delivered, candidates
	d := Build(in)
	if len(d.Topics) != 1 || len(d.Topics[0].Items) != 1 {
		t.Fatalf("Build = %v; want one entry: %s", summary(d), want)
	}
	return d.Topics[0].Items[0]
}
