package storyeval

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestScore checks the figures on a window small enough to count by hand:
// labels {a1 a2 a3} {b1 b2} {c1}, in two languages, grouped as
// {a1 a2} {a3 b1 b2} {c1}.
func TestScore(t *testing.T) {
	items := []Item{
		{ID: "a1", Cluster: "a", Lang: "en"}, {ID: "a2", Cluster: "a", Lang: "es"}, {ID: "a3", Cluster: "a", Lang: "en"},
		{ID: "b1", Cluster: "b", Lang: "en"}, {ID: "b2", Cluster: "b", Lang: "en"},
		{ID: "c1", Cluster: "c", Lang: "en"},
	}
	got := map[string]string{"a1": "x", "a2": "x", "a3": "y", "b1": "y", "b2": "y", "c1": "z"}
	s := Score([]Window{{Name: "w", Items: items}}, got)
	// Grouped pairs: a1-a2 (right), a3-b1, a3-b2 (wrong), b1-b2 (right).
	// Labelled pairs: a1-a2, a1-a3, a2-a3, b1-b2.
	if s.Pairs != (Pairs{TP: 2, FP: 2, FN: 2}) {
		t.Errorf("pairs = %+v; want tp 2 fp 2 fn 2", s.Pairs)
	}
	// Cross-language pairs: grouped a1-a2 (right); labelled a1-a2, a2-a3.
	if s.Cross != (Pairs{TP: 1, FP: 0, FN: 1}) {
		t.Errorf("cross = %+v; want tp 1 fp 0 fn 1", s.Cross)
	}
	// BCubed precision: a1 1, a2 1, a3 1/3, b1 2/3, b2 2/3, c1 1.
	// BCubed recall: a1 2/3, a2 2/3, a3 1/3, b1 1, b2 1, c1 1.
	if wantP, wantR := (1+1+1.0/3+2.0/3+2.0/3+1)/6, (2.0/3+2.0/3+1.0/3+1+1+1)/6; !near(s.BCubedP, wantP) || !near(s.BCubedR, wantR) {
		t.Errorf("BCubed = %.4f / %.4f; want %.4f / %.4f", s.BCubedP, s.BCubedR, wantP, wantR)
	}
	if s.Largest != 3 || !near(s.LargestPurity, 2.0/3) || s.Stories != 3 || s.Missing != 0 {
		t.Errorf("largest %d (purity %.2f), %d stories, %d missing; want 3 (0.67), 3, 0", s.Largest, s.LargestPurity, s.Stories, s.Missing)
	}
	// An item the grouping lost counts as missing and as a story of its own.
	delete(got, "c1")
	if s := Score([]Window{{Name: "w", Items: items}}, got); s.Missing != 1 || s.Pairs != (Pairs{TP: 2, FP: 2, FN: 2}) {
		t.Errorf("with c1 lost: %d missing, pairs %+v; want 1 missing, same pairs", s.Missing, s.Pairs)
	}
}

// TestScoreWindows: pairs in two windows are never expected together, and
// story names are compared within a window only.
func TestScoreWindows(t *testing.T) {
	w1 := Window{Name: "1", Items: []Item{{ID: "a1", Cluster: "a"}, {ID: "b1", Cluster: "b"}}}
	w2 := Window{Name: "2", Items: []Item{{ID: "a2", Cluster: "a"}, {ID: "b2", Cluster: "b"}}}
	got := map[string]string{"a1": "s", "b1": "t", "a2": "s", "b2": "t"}
	if s := Score([]Window{w1, w2}, got); s.Pairs != (Pairs{}) || s.BCubedP != 1 || s.BCubedR != 1 {
		t.Errorf("Score = %+v; want no pairs, BCubed 1 / 1", s)
	}
}

func TestScorePairs(t *testing.T) {
	ps := []Pair{{A: "a", B: "b", Same: true}, {A: "a", B: "c", Same: false}, {A: "d", B: "e", Same: true}, {A: "x", B: "a", Same: true}}
	got := map[string]string{"a": "1", "b": "1", "c": "1", "d": "2", "e": "3"}
	if s := ScorePairs(ps, got); s != (Pairs{TP: 1, FP: 1, FN: 2}) {
		t.Errorf("ScorePairs = %+v; want tp 1 fp 1 fn 2", s)
	}
}

func TestWindows(t *testing.T) {
	items := []Item{
		{ID: "1", Cluster: "a", Date: "2021-07-05T23:59:00Z"}, // a Monday
		{ID: "2", Cluster: "a", Date: "2021-07-06"},
		{ID: "3", Cluster: "b", Date: "2021-07-11T12:00:00Z"}, // Sunday
		{ID: "4", Cluster: "b", Date: "2021-07-12T00:00:00Z"}, // next Monday
		{ID: "5", Cluster: "c"},                               // undated
	}
	days := ByDay(items)
	if len(days) != 4 || days[0].Name != "2021-07-05" || len(days[0].Items) != 1 {
		t.Errorf("ByDay = %d windows, first %s; want 4, 2021-07-05", len(days), days[0].Name)
	}
	weeks := ByWeek(items)
	if len(weeks) != 2 || len(weeks[0].Items) != 3 || weeks[0].From.Weekday() != time.Monday {
		t.Errorf("ByWeek = %d windows, first with %d items from %s; want 2, 3, a Monday", len(weeks), len(weeks[0].Items), weeks[0].From.Weekday())
	}
	years := ByYear(append(items, Item{ID: "6", Cluster: "d", Date: "2022-01-01T00:00:00Z"}))
	if len(years) != 2 || len(years[0].Items) != 4 || years[0].Name != "2021-01-01" || !years[0].To.Equal(years[1].From) {
		t.Errorf("ByYear = %d windows, first %s with %d items, ending %s; want 2, 2021-01-01, 4, 2022-01-01", len(years), years[0].Name, len(years[0].Items), years[0].To)
	}
	// ByCount never splits a cluster.
	cs := ByCount(items, 1, undatedBase)
	if len(cs) != 3 || len(cs[0].Items) != 2 {
		t.Errorf("ByCount(1) = %d windows, first with %d items; want 3, 2", len(cs), len(cs[0].Items))
	}
}

// TestSameTitleFP: wrong pairs of identical titles are counted, and the
// secondary precision leaves only them out.
func TestSameTitleFP(t *testing.T) {
	items := []Item{
		{ID: "1", Cluster: "a", Title: "Osaka lights cauldron"},
		{ID: "2", Cluster: "b", Title: "Osaka lights cauldron"},
		{ID: "3", Cluster: "b", Title: "Osaka lights the cauldron"},
		{ID: "4", Cluster: "a", Title: "Osaka lights cauldron"},
	}
	got := map[string]string{"1": "x", "2": "x", "3": "x", "4": "y"}
	s := Score([]Window{{Name: "w", Items: items}}, got)
	// Grouped: 1-2 (wrong, same title), 1-3 (wrong), 2-3 (right).
	if s.Pairs != (Pairs{TP: 1, FP: 2, FN: 1}) || s.SameTitleFP != 1 {
		t.Fatalf("pairs %+v, same-title FP %d; want tp 1 fp 2 fn 1, 1", s.Pairs, s.SameTitleFP)
	}
	if p := s.PrecisionBesidesSameTitles(); !near(p, 0.5) {
		t.Errorf("PrecisionBesidesSameTitles = %.3f; want 0.5", p)
	}
}

// TestSetsLoad reads every set, sealed ones too (reading is not scoring):
// a file that no longer loads fails here, not only when it is unsealed.
func TestSetsLoad(t *testing.T) {
	for _, set := range Sets {
		ws, _, err := set.Load("testdata")
		if err != nil {
			t.Fatalf("%s: %v", set.Name, err)
		}
		if len(ws) == 0 {
			t.Errorf("%s: no windows", set.Name)
		}
	}
}

// TestAdjudicationFile checks the second reading of OG2021's competition
// days (testdata/og2021-competition-adjudicated.jsonl, docs/STORIES.md "Where
// this ends"): every pair names two items of the set from one window, its
// kind agrees with the labels (W and L apart, R and S together), every
// answer is yes or no, and the figures docs/STORIES.md gives are what the
// file says.
func TestAdjudicationFile(t *testing.T) {
	var set Set
	for _, s := range Sets {
		if s.Name == "og2021-competition" {
			set = s
		}
	}
	ws, _, err := set.Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	window := map[string]int{}
	cluster := map[string]string{}
	for wi, w := range ws {
		for _, it := range w.Items {
			window[it.ID], cluster[it.ID] = wi, it.Cluster
		}
	}
	data, err := os.ReadFile("testdata/og2021-competition-adjudicated.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	yes := map[string]int{}
	all := map[string]int{}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var p struct {
			Pair       int
			Kind, A, B string
			Same, Why  string
		}
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		wa, okA := window[p.A]
		wb, okB := window[p.B]
		switch {
		case p.Pair != i+1:
			t.Errorf("line %d: pair %d", i+1, p.Pair)
		case !okA || !okB:
			t.Errorf("pair %d: %s or %s is not an item of the set", p.Pair, p.A, p.B)
		case wa != wb:
			t.Errorf("pair %d: items of two windows", p.Pair)
		case (cluster[p.A] == cluster[p.B]) != (p.Kind == "R" || p.Kind == "S"):
			t.Errorf("pair %d: kind %s disagrees with the labels", p.Pair, p.Kind)
		case p.Same != "yes" && p.Same != "no", p.Why == "":
			t.Errorf("pair %d: answer %q, why %q", p.Pair, p.Same, p.Why)
		}
		all[p.Kind]++
		if p.Same == "yes" {
			yes[p.Kind]++
		}
	}
	want := map[string][2]int{"W": {106, 120}, "R": {50, 50}, "L": {4, 50}, "S": {28, 40}}
	for k, w := range want {
		if yes[k] != w[0] || all[k] != w[1] {
			t.Errorf("kind %s: %d of %d judged the same; docs/STORIES.md says %d of %d", k, yes[k], all[k], w[0], w[1])
		}
	}
}
