package storyeval

import (
	"fmt"
	"strings"
)

// Pairs counts same-story decisions over pairs of items: TP pairs grouped
// and labelled together, FP grouped but labelled apart, FN labelled together
// but left apart.
type Pairs struct{ TP, FP, FN int }

// Precision is TP / (TP + FP), 1 when nothing was grouped.
func (p Pairs) Precision() float64 { return ratio(p.TP, p.TP+p.FP) }

// Recall is TP / (TP + FN), 1 when nothing is labelled together.
func (p Pairs) Recall() float64 { return ratio(p.TP, p.TP+p.FN) }

func (p *Pairs) add(q Pairs) { p.TP += q.TP; p.FP += q.FP; p.FN += q.FN }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Scores is how a grouping of windows compares with the labels. Pairs and
// BCubed figures count pairs within one window only: a digest groups one
// window, so items of one labelled cluster published in different windows
// are never expected together.
type Scores struct {
	Items   int // items scored
	Windows int
	Stories int // stories the grouping made
	Missing int // items the grouping did not return; scored as stories of their own
	Pairs   Pairs
	Cross   Pairs // the pairs of items in different languages
	// BCubedP and BCubedR are the mean, over items, of the share of the
	// item's story that shares its label, and of the share of its labelled
	// cluster (in its window) that is in its story.
	BCubedP, BCubedR float64
	Largest          int     // items in the largest story
	LargestPurity    float64 // share of the largest story's items that carry its most common label
	Over50           int     // stories of more than 50 items
	Over50Impure     int     // of those, stories whose items carry more than one label
	// SameTitleFP counts the wrong pairs (grouped, labelled apart) whose
	// two titles are byte for byte the same: label noise no grouping by
	// words can avoid (docs/STORIES.md).
	SameTitleFP int
}

// PrecisionBesidesSameTitles is the pairwise precision leaving out the
// wrong pairs of identical titles: a secondary figure for sets whose labels
// put identical headlines apart, never the figure itself.
func (s Scores) PrecisionBesidesSameTitles() float64 {
	return ratio(s.Pairs.TP, s.Pairs.TP+s.Pairs.FP-s.SameTitleFP)
}

// Score compares a grouping with the labels. got maps item IDs to story
// names; names are only compared within one window.
func Score(ws []Window, got map[string]string) Scores {
	var s Scores
	var bp, br float64
	for _, w := range ws {
		s.Windows++
		cells := map[cell]map[string]int{} // languages of the items in each cell
		gold := map[string]map[string]int{}
		pred := map[string]map[string]int{}
		add := func(m map[string]map[string]int, k, lang string) {
			if m[k] == nil {
				m[k] = map[string]int{}
			}
			m[k][lang]++
		}
		for _, it := range w.Items {
			p, ok := got[it.ID]
			if !ok {
				s.Missing++
				p = "\x00missing " + it.ID
			}
			add(gold, it.Cluster, it.Lang)
			add(pred, p, it.Lang)
			c := cell{it.Cluster, p}
			if cells[c] == nil {
				cells[c] = map[string]int{}
			}
			cells[c][it.Lang]++
		}
		s.Items += len(w.Items)
		s.Stories += len(pred)
		var tp, tpCross, goldAll, goldCross, predAll, predCross int
		best := map[string]int{} // items of each story's most common label
		for c, langs := range cells {
			n := total(langs)
			best[c.pred] = max(best[c.pred], n)
			all, cross := pairsOf(langs)
			tp += all
			tpCross += cross
			bp += float64(n*n) / float64(total(pred[c.pred]))
			br += float64(n*n) / float64(total(gold[c.gold]))
		}
		for _, langs := range gold {
			all, cross := pairsOf(langs)
			goldAll += all
			goldCross += cross
		}
		for name, langs := range pred {
			all, cross := pairsOf(langs)
			predAll += all
			predCross += cross
			n := total(langs)
			pure := ratio(best[name], n)
			if n > s.Largest || (n == s.Largest && s.LargestPurity < pure) {
				s.Largest, s.LargestPurity = n, pure
			}
			if n > 50 {
				s.Over50++
				if pure < 1 {
					s.Over50Impure++
				}
			}
		}
		s.SameTitleFP += sameTitleFP(w.Items, got)
		s.Pairs.add(Pairs{TP: tp, FP: predAll - tp, FN: goldAll - tp})
		s.Cross.add(Pairs{TP: tpCross, FP: predCross - tpCross, FN: goldCross - tpCross})
	}
	if s.Items > 0 {
		s.BCubedP, s.BCubedR = bp/float64(s.Items), br/float64(s.Items)
	}
	return s
}

// sameTitleFP counts the pairs of items of one window with the same title
// and story but different labels.
func sameTitleFP(items []Item, got map[string]string) int {
	type key struct{ title, story string }
	labels := map[key]map[string]int{}
	for _, it := range items {
		p, ok := got[it.ID]
		if !ok {
			continue
		}
		k := key{it.Title, p}
		if labels[k] == nil {
			labels[k] = map[string]int{}
		}
		labels[k][it.Cluster]++
	}
	n := 0
	for _, ls := range labels {
		all, same := 0, 0
		for _, c := range ls {
			all += c
			same += c * (c - 1) / 2
		}
		n += all*(all-1)/2 - same
	}
	return n
}

func total(langs map[string]int) int {
	n := 0
	for _, k := range langs {
		n += k
	}
	return n
}

// pairsOf counts the pairs of a group of items, and those whose two items
// are in different languages.
func pairsOf(langs map[string]int) (all, cross int) {
	n := total(langs)
	all = n * (n - 1) / 2
	cross = all
	for _, k := range langs {
		cross -= k * (k - 1) / 2
	}
	return all, cross
}

// cell is the items of one window with one label and one story.
type cell struct{ gold, pred string }

// ScorePairs judges a grouping on labelled pairs only: a pair is grouped
// when both its items got the same story name.
func ScorePairs(ps []Pair, got map[string]string) Pairs {
	var s Pairs
	for _, p := range ps {
		a, okA := got[p.A]
		b, okB := got[p.B]
		together := okA && okB && a == b
		switch {
		case together && p.Same:
			s.TP++
		case together:
			s.FP++
		case p.Same:
			s.FN++
		}
	}
	return s
}

// Row is one line of a results table.
type Row struct {
	Set, Part string // data set, and "tune" or "held-out"
	Scores    Scores
	Labeled   *Pairs // for sets judged on labelled pairs only
}

// Table formats rows as a Markdown table.
func Table(rows []Row) string {
	var b strings.Builder
	b.WriteString("| set | part | items | windows | pairwise P | pairwise R | BCubed P | BCubed R | cross-lang P / R | largest (purity) | >50 (mixed) | labelled pairs P / R | P besides identical titles |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		s := r.Scores
		cross := "–"
		if s.Cross.TP+s.Cross.FP+s.Cross.FN > 0 {
			cross = fmt.Sprintf("%.3f / %.3f", s.Cross.Precision(), s.Cross.Recall())
		}
		lab := "–"
		if r.Labeled != nil {
			lab = fmt.Sprintf("%.3f / %.3f (tp %d fp %d fn %d)", r.Labeled.Precision(), r.Labeled.Recall(), r.Labeled.TP, r.Labeled.FP, r.Labeled.FN)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %.3f | %.3f | %.3f | %.3f | %s | %d (%.2f) | %d (%d) | %s | %.3f (%d pairs) |\n",
			r.Set, r.Part, s.Items, s.Windows, s.Pairs.Precision(), s.Pairs.Recall(), s.BCubedP, s.BCubedR,
			cross, s.Largest, s.LargestPurity, s.Over50, s.Over50Impure, lab, s.PrecisionBesidesSameTitles(), s.SameTitleFP)
	}
	return b.String()
}
