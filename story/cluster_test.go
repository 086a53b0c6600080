package story

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// labelled is one line of testdata/clusters.tsv or clusters_holdout.tsv.
type labelled struct {
	story, lang, source, title, lede string
}

func loadLabelled(t testing.TB, name string) []labelled {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != 5 {
			t.Fatalf("%s:%d: %d fields; want 5", name, n, len(fs))
		}
		rows = append(rows, labelled{fs[0], fs[1], fs[2], fs[3], fs[4]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// pairScore counts pairwise same-story decisions against the labels.
type pairScore struct{ tp, fp, fn int }

func (s pairScore) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s pairScore) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

func (s pairScore) String() string {
	return fmt.Sprintf("precision %.3f recall %.3f (tp %d fp %d fn %d)", s.precision(), s.recall(), s.tp, s.fp, s.fn)
}

// evaluate clusters the labelled rows (titles and ledes, no links) and scores
// every pair: same-language pairs against the story label, cross-language
// pairs (".en" vs ".es" of one event) separately. useLede false clusters
// titles alone.
func evaluate(rows []labelled, p params, useLede bool) (sameLang, crossLang pairScore, wrong []string) {
	st := newStemmer()
	docs := make([]clusterDoc, len(rows))
	for i, r := range rows {
		lede := r.lede
		if !useLede {
			lede = ""
		}
		docs[i] = st.doc(Doc{Title: r.title, Lede: lede, Source: r.source})
	}
	root := cluster(docs, st.info, p)
	base := func(s string) string { return strings.TrimSuffix(strings.TrimSuffix(s, ".en"), ".es") }
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			got := root[i] == root[j]
			a, b := rows[i], rows[j]
			score := &sameLang
			want := a.story == b.story
			if a.lang != b.lang {
				score = &crossLang
				want = base(a.story) == base(b.story)
			}
			switch {
			case got && want:
				score.tp++
			case got && !want:
				score.fp++
				if a.lang == b.lang {
					wrong = append(wrong, fmt.Sprintf("merged   %q | %q", a.title, b.title))
				}
			case !got && want:
				score.fn++
				if a.lang == b.lang {
					wrong = append(wrong, fmt.Sprintf("split    %q | %q", a.title, b.title))
				}
			}
		}
	}
	return sameLang, crossLang, wrong
}

// handMade are the hand-made labelled sets and their floors, measured as
// the comments say; TestPublicTune holds settings to their precision floors
// too.
var handMade = []struct {
	file           string
	minRows        int
	sameP, sameR   float64 // same-language floors
	crossP, crossR float64 // EN-ES floors
}{
	// Measured: same 1.000 / 0.888 (tp 191 fp 0 fn 24); cross 0.982 / 0.707 (tp 215 fp 4 fn 89).
	// The first average-linkage design: same 0.981 / 0.949, cross
	// 0.969 / 0.714; the single-linkage clusterer before it: same
	// 0.968 / 0.981, cross 0.958 / 0.836. The recall floors were lowered
	// when grouping was retuned for precision of 0.95 on the public
	// sets (issue 11, docs/STORIES.md): names one headline has and the
	// other lacks now weigh three times as much, and stories must be
	// closer as a whole, which keeps apart some rewordings that name
	// different parties ("Culiacán: 14 muertos … entre Chapitos y
	// Mayos" / "Suman 14 muertos en Culiacán tras enfrentamientos del
	// Cártel de Sinaloa"). Cross-language pairs need a name, place or
	// figure in common.
	{"clusters.tsv", 200, 0.99, 0.88, 0.97, 0.69},
	// Measured: same 1.000 / 0.653 (tp 77 fp 0 fn 41); cross 1.000 / 0.580 (tp 105 fp 0 fn 76);
	// before the lexicon's news paraphrases 0.627 / 0.564.
	// First average-linkage design: same 0.935 / 0.737, cross 0.949 /
	// 0.619; single linkage: same 0.957 / 0.746, cross 0.979 / 0.525.
	// The look-alike pair that merged before (Caro Quintero: no death
	// penalty / pleads not guilty) stays apart now.
	{"clusters_holdout.tsv", 150, 0.99, 0.64, 0.99, 0.57},
	// Measured: same 1.000 / 0.843 (tp 97 fp 0 fn 18); cross 1.000 / 0.778 (tp 140 fp 0 fn 40).
	// First average-linkage design: same 1.000 / 0.922, cross 1.000 /
	// 0.878; single linkage: same 1.000 / 0.939, cross 1.000 / 0.828.
	{"clusters_holdout2.tsv", 140, 0.99, 0.84, 0.99, 0.77},
}

// TestClusterQuality holds precision and recall on the hand-made labelled
// sets to floors. They were written for this project (clusters.tsv and
// clusters_holdout.tsv were used to develop the first clusterer,
// clusters_holdout2.tsv was kept blind then), so they are regression tests,
// not the measure: the measure is the public data (internal/storyeval,
// docs/STORIES.md). The average-linkage clusterer was tuned on the public
// sets; its lexicon was extended with a few generic economy words while
// checking these sets, so none of them is blind any more. The floors sit
// just under the measured numbers (in handMade's comments); a better score
// never fails the test.
func TestClusterQuality(t *testing.T) {
	for _, tc := range handMade {
		t.Run(tc.file, func(t *testing.T) {
			rows := loadLabelled(t, tc.file)
			if len(rows) < tc.minRows {
				t.Fatalf("%s has %d rows; want at least %d", tc.file, len(rows), tc.minRows)
			}
			sameLang, crossLang, wrong := evaluate(rows, tuned, true)
			t.Logf("%d titles; same-language pairs: %v; cross-language pairs: %v", len(rows), sameLang, crossLang)
			for _, w := range wrong {
				t.Log(w)
			}
			for _, c := range []struct {
				name       string
				got, floor float64
			}{
				{"same-language precision", sameLang.precision(), tc.sameP},
				{"same-language recall", sameLang.recall(), tc.sameR},
				{"cross-language precision", crossLang.precision(), tc.crossP},
				{"cross-language recall", crossLang.recall(), tc.crossR},
			} {
				if c.got < c.floor {
					t.Errorf("%s = %.3f; want at least %.2f", c.name, c.got, c.floor)
				}
			}
		})
	}
}

// sameStory reports whether Group puts docs a and b of docs in one story.
func sameStory(docs []Doc, a, b int) bool {
	g := Group(docs)
	return g[a] == g[b]
}

// issueWindow is a window with the look-alikes and rewordings that issue 11
// names, among other news of the same topics.
var issueWindow = []Doc{
	{Title: "CJNG leader arrested in Jalisco"},                                         // 0
	{Title: "Sinaloa operator arrested in Culiacán"},                                   // 1
	{Title: "Trump threatens 25% tariffs on Mexican imports"},                          // 2
	{Title: "Trump threatens 30% tariffs on Mexican imports"},                          // 3
	{Title: "3 killed in shooting at Tijuana bar"},                                     // 4
	{Title: "Pemex reports 3 refinery outages in Tabasco"},                             // 5
	{Title: "Gunmen storm jewellery store in Culiacán"},                                // 6
	{Title: "Armed robbers ram truck into Culiacán shop"},                              // 7
	{Title: "Pemex buys out partner's refinery stake"},                                 // 8
	{Title: "Pemex to acquire refinery share for $596M"},                               // 9
	{Title: "Tariffs on Canada take effect as talks stall"},                            // 10
	{Title: "Sheinbaum says Mexico will not accept US troops"},                         // 11
	{Title: "Migrants wait at the border as asylum rules change"},                      // 12
	{Title: "Banxico holds its key rate at 7%"},                                        // 13
	{Title: "Tariffs on Mexico take effect as talks stall"},                            // 14
	{Title: "Trump threatens tariffs on Mexico over fentanyl"},                         // 15
	{Title: "Mexican army arrests CJNG plaza boss in Guadalajara raid"},                // 16
	{Title: "Mexico arrests Sinaloa cartel operator in Culiacán, security chief says"}, // 17
	{Title: "Live updates: Russia strikes Kyiv power grid"},                            // 18
	{Title: "Live updates: Hurricane Milton makes landfall in Florida"},                // 19
}

// TestClusterIssueExamples checks the cases issue 11 reports: look-alike
// events stay apart because the names, places and figures that differ count
// against them, a lone number never joins two headlines, and rewordings
// of one event meet.
func TestClusterIssueExamples(t *testing.T) {
	for _, tc := range issueCases {
		if got := sameStory(issueWindow, tc.a, tc.b); got != tc.same {
			t.Errorf("%q and %q in one story = %v; want %v", issueWindow[tc.a].Title, issueWindow[tc.b].Title, got, tc.same)
		}
	}
}

// issueCases are the pairs of issueWindow that must, or must not, be one
// story.
var issueCases = []struct {
	a, b int
	same bool
}{
	{0, 1, false},   // different cartel, different place
	{2, 3, false},   // 25% and 30%
	{4, 5, false},   // a lone "3"
	{10, 14, false}, // Canada and Mexico
	{16, 17, false}, // CJNG in Guadalajara, Sinaloa in Culiacán
	{18, 19, false}, // headline boilerplate
	{6, 7, true},    // gunmen/armed robbers, store/shop
	{8, 9, true},    // buys out/acquire, stake/share
}

// issueFailures counts the issueCases that grouping with p gets wrong.
func issueFailures(p params) int {
	g := group(issueWindow, p)
	n := 0
	for _, tc := range issueCases {
		if (g[tc.a] == g[tc.b]) != tc.same {
			n++
		}
	}
	return n
}

// TestClusterNoChaining builds a chain of headlines in which each shares
// most of its words with the next, while the two ends share none: grouping
// must not join items that have nothing in common through the chain.
func TestClusterNoChaining(t *testing.T) {
	words := strings.Fields("governor mayor prosecutor senator judge congress ministry treasury customs " +
		"navy airport refinery pipeline harbor railway highway bridge tunnel stadium museum")
	var docs []Doc
	for i := 0; i+6 <= len(words); i++ {
		docs = append(docs, Doc{Title: strings.Join(words[i:i+6], " ")})
	}
	g := Group(docs)
	for i := range docs {
		for j := i + 1; j < len(docs); j++ {
			if j-i >= 6 && g[i] == g[j] {
				t.Errorf("%q and %q share no word but are one story", docs[i].Title, docs[j].Title)
			}
		}
	}
	// Without linkage each link of the chain would be enough.
	st := newStemmer()
	cds := make([]clusterDoc, len(docs))
	for i, d := range docs {
		cds[i] = st.doc(d)
	}
	sc := newScorer(cds, st.info, tuned)
	for i := 0; i+1 < len(cds); i++ {
		if sc.sim(i, i+1) < 1 {
			t.Fatalf("links %d and %d of the chain are not alike (%.2f): the test proves nothing", i, i+1, sc.sim(i, i+1))
		}
	}
}

// TestStripRepeatedTails checks that a tail two titles of one site share is
// cut, in any order of the docs, and that a tail only one title has, or two
// sites share, is left.
func TestStripRepeatedTails(t *testing.T) {
	docs := []Doc{
		{Title: "Mother of toddler injured with gun prays for son - KSLA News 12 Shreveport", Source: "ksla.com"},
		{Title: "4 wounded during fight involving 30 people - KSLA News 12 Shreveport", Source: "ksla.com"},
		{Title: "Victim In Boyle Co. Accidental Shooting Dies - LEX18.com | Continuous News", Source: "lex18.com"},
		{Title: "Man Suffers Fatal Gunshot Wound While Hunting - LEX18.com | Continuous News", Source: "lex18.com"},
		{Title: "Senate passes the budget - Live updates", Source: "a.example"},
		{Title: "House passes the budget - Live updates", Source: "b.example"},
		{Title: "Only one of its kind - Site Name", Source: "c.example"},
	}
	want := []string{
		"Mother of toddler injured with gun prays for son",
		"4 wounded during fight involving 30 people",
		"Victim In Boyle Co. Accidental Shooting Dies",
		"Man Suffers Fatal Gunshot Wound While Hunting",
		"Senate passes the budget - Live updates",
		"House passes the budget - Live updates",
		"Only one of its kind - Site Name",
	}
	if got := stripRepeatedTails(docs); !slices.Equal(got, want) {
		t.Errorf("stripRepeatedTails =\n%q\nwant\n%q", got, want)
	}
	rev := slices.Clone(docs)
	slices.Reverse(rev)
	got := stripRepeatedTails(rev)
	slices.Reverse(got)
	if !slices.Equal(got, want) {
		t.Errorf("reversed: stripRepeatedTails =\n%q\nwant\n%q", got, want)
	}
	if got := stripRepeatedTails(docs[4:]); got != nil {
		t.Errorf("stripRepeatedTails(nothing shared) = %q; want nil", got)
	}
	// What it changes in grouping is held by TestPublicSets: the Gun
	// Violence Corpus's floor is over what it measured without the cut.
}

// TestLastTail checks where lastTail finds a title's tail: after the last
// separator of any kind, with two words before it and something after.
func TestLastTail(t *testing.T) {
	for _, tc := range []struct {
		title string
		at    int
		tail  string
	}{
		{"Two words - Site", 9, "Site"},
		{"Two words - Site | Slogan", 16, "Slogan"},
		{"Two words – Site — Slogan", 18, "Slogan"},
		{"One - Site", 0, ""},     // one word before
		{"Two words - ", 0, ""},   // nothing after
		{"Two words-Site", 0, ""}, // no spaces: not a separator
		{"Two words  - Site", 10, "Site"},
		{" - Site", 0, ""},
		{"No separator here", 0, ""},
	} {
		if at, tail := lastTail(tc.title); at != tc.at || tail != tc.tail {
			t.Errorf("lastTail(%q) = %d, %q; want %d, %q", tc.title, at, tail, tc.at, tc.tail)
		}
	}
}

// TestClusterTimeGap: items published more than a week apart are never one
// story, however alike; within a week, or with a time unknown, they may be.
func TestClusterTimeGap(t *testing.T) {
	day := 24 * time.Hour
	t0 := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	docs := []Doc{
		{Title: "Trump exempts Mexico and Canada from 25% auto tariffs", At: t0},
		{Title: "Trump exempts Mexico and Canada from 25% auto tariffs", At: t0.Add(8 * day)},
		{Title: "Trump exempts Mexico, Canada from 25% auto tariffs", At: t0.Add(6 * day)},
		{Title: "Trump exempts Mexico and Canada from 25% auto tariffs"},
	}
	for _, tc := range []struct {
		a, b int
		same bool
	}{
		{0, 1, false}, // eight days apart
		{0, 2, true},  // six days apart
	} {
		pair := []Doc{docs[tc.a], docs[tc.b]}
		if got := sameStory(pair, 0, 1); got != tc.same {
			t.Errorf("%v and %v in one story = %v; want %v", pair[0].At, pair[1].At, got, tc.same)
		}
	}
	if !sameStory([]Doc{docs[0], docs[3]}, 0, 1) {
		t.Errorf("an undated copy is not in the dated item's story")
	}
	// The two ends of the week do not meet through the middle one.
	if g := Group(docs[:3]); g[0] == g[1] {
		t.Errorf("Group = %v: items eight days apart joined through a third", g)
	}
}

// TestPlacesWithin: a city is within its country, so the two do not
// disagree; two cities, or a city and another country, still do. Codes
// with a number ("COVID-19") are not figures that disagree.
func TestPlacesWithin(t *testing.T) {
	for city, country := range within {
		if p := tables().placeStems; !p[city] || !p[country] {
			t.Errorf("within[%q] = %q: both must be stems of places", city, country)
		}
	}
	for _, tc := range []struct {
		a, b string
		veto bool
	}{
		{"Olympian tests positive for virus in Tokyo", "Serbian team member tests positive for virus on arrival in Japan", false},
		{"Japan to douse Olympic flame of pandemic Games", "Tokyo Olympics come to close as US tops China in medal count", false},
		{"Sky Brown to break Team GB's youngest Olympian record at Tokyo 2020", "Skateboarder to be Britain's youngest Summer Olympian", false},
		{"Protesters clash with police in Tokyo", "Protesters clash with police in Beijing", true},
		{"Protesters clash with police in London", "Protesters clash with police in France", true},
		{"Protesters clash with police in Moscow", "Protesters clash with police in China", true},
		{"Athlete in Olympic village tests positive for COVID-19", "3 positive COVID tests in Olympic Village", false},
		{"Two athletes in Olympic village test positive for COVID-19", "Three athletes in Olympic village test positive for COVID-19", true},
	} {
		st := newStemmer()
		docs := []clusterDoc{st.doc(Doc{Title: tc.a}), st.doc(Doc{Title: tc.b})}
		sc := newScorer(docs, st.info, tuned)
		if got := sc.sim(0, 1) == vetoed; got != tc.veto {
			t.Errorf("%q and %q vetoed = %v; want %v", tc.a, tc.b, got, tc.veto)
		}
	}
}
