package story

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/internal/storyeval"
)

// evalDir holds the public labelled samples (see its PROVENANCE.md).
var evalDir = filepath.Join("..", "internal", "storyeval", "testdata")

// groupWindows groups each window with Group, as the digest would (every
// item has its own link), and names each item's story.
func groupWindows(ws []storyeval.Window) map[string]string {
	got := map[string]string{}
	for wi, w := range ws {
		root := Group(evalDocs(w.Items))
		for i, it := range w.Items {
			got[it.ID] = fmt.Sprintf("%d/%d", wi, root[i])
		}
	}
	return got
}

func evalDocs(items []storyeval.Item) []Doc {
	docs := make([]Doc, len(items))
	for i, it := range items {
		// As on the real path (internal/storyeval): the outlet is the
		// item's feed, and the feeds carry no <source>.
		docs[i] = Doc{Key: "https://eval.test/" + it.ID, Title: it.Title, Lede: it.Lede, Feed: it.Outlet(), At: it.Time()}
	}
	return docs
}

// TestPublicSetsDirect scores Group on the tuning sets directly (no feeds,
// no store): the fast loop for changing the clusterer. The measure, with
// floors on every figure, is internal/storyeval's test, which runs every
// set through the real path; this one holds only the rule on large stories.
// NEWSDIGEST_STORY_ERRORS=1 logs the wrongly merged stories.
func TestPublicSetsDirect(t *testing.T) {
	for _, set := range storyeval.Sets {
		if set.HeldOut && os.Getenv("NEWSDIGEST_HELDOUT") == "" {
			continue
		}
		t.Run(set.Part()+"/"+set.Name, func(t *testing.T) {
			if set.Locked() {
				t.Skip("sealed held-out set: not scored until NEWSDIGEST_UNSEAL=1")
			}
			ws, pairs, err := set.Load(evalDir)
			if err != nil {
				t.Fatal(err)
			}
			got := groupWindows(ws)
			row := storyeval.Row{Set: set.Name, Part: set.Part(), Scores: storyeval.Score(ws, got)}
			if pairs != nil {
				p := storyeval.ScorePairs(pairs, got)
				row.Labeled = &p
			}
			t.Logf("\n%s", storyeval.Table([]storyeval.Row{row}))
			// The promise the real-path test also holds (internal/storyeval):
			// no story of more than 50 items mixes labels.
			if row.Scores.Over50Impure > 0 {
				t.Errorf("%d stories of more than 50 items mix labels", row.Scores.Over50Impure)
			}
			if os.Getenv("NEWSDIGEST_STORY_ERRORS") != "" {
				logMixed(t, ws, got)
			}
		})
	}
}

// logMixed logs every story whose items carry more than one label, and the
// labelled clusters that were split, largest first.
func logMixed(t *testing.T, ws []storyeval.Window, got map[string]string) {
	for _, w := range ws {
		stories := map[string][]storyeval.Item{}
		for _, it := range w.Items {
			stories[got[it.ID]] = append(stories[got[it.ID]], it)
		}
		names := make([]string, 0, len(stories))
		for n := range stories {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			its := stories[n]
			labels := map[string]int{}
			for _, it := range its {
				labels[it.Cluster]++
			}
			if len(labels) < 2 {
				continue
			}
			fp := len(its) * (len(its) - 1) / 2
			for _, k := range labels {
				fp -= k * (k - 1) / 2
			}
			var b strings.Builder
			fmt.Fprintf(&b, "MIXED %s %s (%d items, %d labels, %d wrong pairs)", w.Name, n, len(its), len(labels), fp)
			slices.SortFunc(its, func(a, b storyeval.Item) int { return strings.Compare(a.Cluster, b.Cluster) })
			shown := map[string]int{}
			for _, it := range its {
				if shown[it.Cluster]++; shown[it.Cluster] > 3 {
					continue
				}
				fmt.Fprintf(&b, "\n   %s(%d) [%s] %s", it.Cluster, labels[it.Cluster], it.Lang, it.Title)
			}
			t.Log(b.String())
		}
		if os.Getenv("NEWSDIGEST_STORY_ERRORS") == "split" {
			clusters := map[string][]storyeval.Item{}
			for _, it := range w.Items {
				clusters[it.Cluster] = append(clusters[it.Cluster], it)
			}
			for c, its := range clusters {
				parts := map[string]bool{}
				for _, it := range its {
					parts[got[it.ID]] = true
				}
				if len(parts) < 2 || len(its) > 12 {
					continue
				}
				var b strings.Builder
				fmt.Fprintf(&b, "SPLIT %s %s (%d items in %d stories)", w.Name, c, len(its), len(parts))
				for _, it := range its {
					fmt.Fprintf(&b, "\n   %s [%s] %s", got[it.ID], it.Lang, it.Title)
				}
				t.Log(b.String())
			}
		}
	}
}

// tuneSet is a tuning set, tokenized once.
type tuneSet struct {
	name  string
	ws    []storyeval.Window
	pairs []storyeval.Pair
	docs  [][]clusterDoc
	info  [][]stemInfo
	order [][]int
	stems [][]string // stem of each ID, by window
}

func loadTuneSets(t *testing.T) []tuneSet {
	var out []tuneSet
	for _, set := range storyeval.Sets {
		if set.HeldOut {
			continue
		}
		ws, pairs, err := set.Load(evalDir)
		if err != nil {
			t.Fatal(err)
		}
		ts := tuneSet{name: set.Name, ws: ws, pairs: pairs}
		for _, w := range ws {
			docs := evalDocs(w.Items)
			order := contentOrder(docs)
			st := newStemmer()
			cds := make([]clusterDoc, len(docs))
			for k, i := range order {
				cds[k] = st.doc(docs[i])
			}
			ts.docs, ts.info, ts.order = append(ts.docs, cds), append(ts.info, st.info), append(ts.order, order)
			stems := make([]string, len(st.ids))
			for s, id := range st.ids {
				stems[id] = s
			}
			ts.stems = append(ts.stems, stems)
		}
		out = append(out, ts)
	}
	return out
}

// run groups the set with p and scores it: the cluster scores and, for sets
// with labelled pairs, the pair scores.
func (ts *tuneSet) run(p params) (storyeval.Scores, storyeval.Pairs) {
	got := map[string]string{}
	for wi, w := range ts.ws {
		story := cluster(ts.docs[wi], ts.info[wi], p)
		for k, i := range ts.order[wi] {
			got[w.Items[i].ID] = fmt.Sprintf("%d/%d", wi, story[k])
		}
	}
	var ps storyeval.Pairs
	if ts.pairs != nil {
		ps = storyeval.ScorePairs(ts.pairs, got)
	}
	return storyeval.Score(ts.ws, got), ps
}

// TestPublicTune searches the parameters on the tuning sets, one at a
// time from tuned, for the best recall (BCubed recall of each set, recall
// on the labelled pairs, half the cross-language recall, and the recall of
// the hand-made sets) among those that keep every precision at its floor
// and issue 11's examples right; run it with NEWSDIGEST_TUNE=1 when
// changing the clusterer. It never reads the held-out sets.
func TestPublicTune(t *testing.T) {
	if os.Getenv("NEWSDIGEST_TUNE") == "" {
		t.Skip("set NEWSDIGEST_TUNE=1 to search the parameters")
	}
	sets := loadTuneSets(t)
	// floors are the precisions a setting must keep (issue 11: 0.95).
	// OG2021's competition days get 0.94: their labels put identical and
	// near-identical headlines apart ("Argentina knows the opponent: vs.
	// Australia in the quarters" / "Argentina conoce rival: vs. Australia
	// en cuartos"), and 0.95 there costs a tenth of the recall everywhere
	// else (see STORIES.md).
	floors := map[string]float64{"og2021": 0.95, "og2021-competition": 0.94, "allsides-archive": 0.97, "allsides-2021": 0.95, "sts-headlines": 0.97}
	// The hand-made sets are the project's own kind of news (US–Mexico, EN
	// and ES): their precision floors (TestClusterQuality's) bind too, and
	// their recall counts like the public sets'.
	handRows := make([][]labelled, len(handMade))
	for i, h := range handMade {
		handRows[i] = loadLabelled(t, h.file)
	}
	eval := func(p params) (float64, string) {
		var b strings.Builder
		sum, short := 0.0, 0.0
		for i := range sets {
			s, ps := sets[i].run(p)
			prec, rec := s.Pairs.Precision(), s.BCubedR
			if sets[i].pairs != nil {
				prec, rec = ps.Precision(), ps.Recall()
			}
			short += max(0, floors[sets[i].name]-prec)
			sum += rec + s.Cross.Recall()/2
			fmt.Fprintf(&b, " %s P %.3f R %.3f (B %.3f/%.3f, X %.3f/%.3f, big %d);", sets[i].name, prec, rec, s.BCubedP, s.BCubedR, s.Cross.Precision(), s.Cross.Recall(), s.Largest)
		}
		for i, h := range handMade {
			same, cross, _ := evaluate(handRows[i], p, true)
			short += max(0, h.sameP-same.precision()) + max(0, h.crossP-cross.precision())
			sum += same.recall() + cross.recall()
			fmt.Fprintf(&b, " %s %.3f/%.3f X %.3f/%.3f;", h.file, same.precision(), same.recall(), cross.precision(), cross.recall())
		}
		if n := issueFailures(p); n > 0 {
			short += float64(n) // issue 11's examples are promises
			fmt.Fprintf(&b, " %d issue examples wrong;", n)
		}
		return sum - 1000*short, b.String()
	}
	best := tuned
	bestScore, line := eval(best)
	t.Logf("start %+v: %.3f%s", best, bestScore, line)
	axes := []struct {
		name string
		f    func(*params) *float64
		vals []float64
	}{
		{"title", func(p *params) *float64 { return &p.title }, []float64{0.35, 0.4, 0.45, 0.5, 0.55, 0.6}},
		{"all", func(p *params) *float64 { return &p.all }, []float64{0.3, 0.35, 0.4, 0.45, 0.5, 0.55}},
		{"mixed", func(p *params) *float64 { return &p.mixed }, []float64{0.35, 0.4, 0.45, 0.5, 0.55}},
		{"penalty", func(p *params) *float64 { return &p.penalty }, []float64{0, 0.5, 1, 1.25, 1.5, 2, 2.5, 3}},
		{"figMiss", func(p *params) *float64 { return &p.figMiss }, []float64{0, 0.25, 0.5, 0.75, 1}},
		{"link", func(p *params) *float64 { return &p.link }, []float64{0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1, 1.1}},
		{"linkCap", func(p *params) *float64 { return &p.linkCap }, []float64{1.2, 1.5, 2}},
		{"cross", func(p *params) *float64 { return &p.cross }, []float64{1, 1.2, 1.4, 1.6, 2}},
		{"crossKeep", func(p *params) *float64 { return &p.crossKeep }, []float64{0, 0.25, 0.5, 0.75, 1}},
		{"figLift", func(p *params) *float64 { return &p.figLift }, []float64{1, 1.2, 1.5, 2, 3}},
		{"generic", func(p *params) *float64 { return &p.generic }, []float64{1, 1.1, 1.2, 1.35, 1.5, 1.75, 2}},
		{"floor", func(p *params) *float64 { return &p.floor }, []float64{0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}},
	}
	for round := 0; round < 4; round++ {
		for _, ax := range axes {
			for _, v := range ax.vals {
				p := best
				*ax.f(&p) = v
				if p == best {
					continue
				}
				score, line := eval(p)
				t.Logf("%s=%.2f: %.3f%s", ax.name, v, score, line)
				if score > bestScore {
					best, bestScore = p, score
				}
			}
			t.Logf("best so far %+v: %.3f", best, bestScore)
		}
	}
	// The hand-made regression sets, for information only.
	for _, f := range []string{"clusters.tsv", "clusters_holdout.tsv", "clusters_holdout2.tsv"} {
		same, cross, _ := evaluate(loadLabelled(t, f), best, true)
		t.Logf("%s: same-language %v; cross-language %v", f, same, cross)
	}
}

// TestExplainPair logs how two titles of a tuning window compare:
// NEWSDIGEST_EXPLAIN="set||window||title A||title B".
func TestExplainPair(t *testing.T) {
	spec := os.Getenv("NEWSDIGEST_EXPLAIN")
	if spec == "" {
		t.Skip("set NEWSDIGEST_EXPLAIN=set||window||title A||title B")
	}
	f := strings.Split(spec, "||")
	for _, ts := range loadTuneSets(t) {
		if ts.name != f[0] {
			continue
		}
		for wi, w := range ts.ws {
			if w.Name != f[1] {
				continue
			}
			docs := ts.docs[wi]
			sc := newScorer(docs, ts.info[wi], tuned)
			find := func(title string) int {
				for k, i := range ts.order[wi] {
					if w.Items[i].Title == title {
						return k
					}
				}
				t.Fatalf("no title %q", title)
				return -1
			}
			a, b := find(f[2]), find(f[3])
			t.Logf("sim = %.3f", sc.sim(a, b))
			show := func(d clusterDoc) string { return explainDoc(d, ts.stems[wi], sc.w) }
			t.Logf("A: %s", show(docs[a]))
			t.Logf("B: %s", show(docs[b]))
		}
	}
}

// TestExplainLabelled is TestExplainPair for the hand-made sets:
// NEWSDIGEST_EXPLAIN_TSV="file||title A||title B".
func TestExplainLabelled(t *testing.T) {
	spec := os.Getenv("NEWSDIGEST_EXPLAIN_TSV")
	if spec == "" {
		t.Skip("set NEWSDIGEST_EXPLAIN_TSV=file||title A||title B")
	}
	f := strings.Split(spec, "||")
	rows := loadLabelled(t, f[0])
	st := newStemmer()
	docs := make([]clusterDoc, len(rows))
	a, b := -1, -1
	for i, r := range rows {
		docs[i] = st.doc(Doc{Title: r.title, Lede: r.lede, Source: r.source})
		if r.title == f[1] {
			a = i
		}
		if r.title == f[2] {
			b = i
		}
	}
	if a < 0 || b < 0 {
		t.Fatal("titles not found")
	}
	stems := make([]string, len(st.ids))
	for s, id := range st.ids {
		stems[id] = s
	}
	sc := newScorer(docs, st.info, tuned)
	t.Logf("sim = %.3f langs %d %d", sc.sim(a, b), docs[a].lang, docs[b].lang)
	for _, k := range []int{a, b} {
		t.Logf("%s", explainDoc(docs[k], stems, sc.w))
	}
	root := cluster(docs, st.info, tuned)
	for i, r := range rows {
		if root[i] == root[a] || root[i] == root[b] {
			t.Logf("story %d: %s [%s] %s", root[i], r.story, r.lang, r.title)
		}
	}
}

// explainDoc lists a doc's stems with their weights, names marked "*",
// figures "#", and stems of the lede alone "_".
func explainDoc(d clusterDoc, stems []string, w []float64) string {
	var out []string
	for _, id := range d.all {
		tag := ""
		if slices.Contains(d.names, id) {
			tag = "*"
		}
		if slices.Contains(d.figs, id) {
			tag = "#"
		}
		if !slices.Contains(d.title, id) {
			tag += "_"
		}
		out = append(out, fmt.Sprintf("%s%s(%.1f)", tag, stems[id], w[id]))
	}
	return strings.Join(out, " ")
}
