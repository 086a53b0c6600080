package story

import (
	"math"
	"slices"
)

// Clustering decides which items carry the same story. Each item becomes a
// set of word stems from its title (and, separately, title plus lede):
// folded as the matcher folds (accents and case dropped), stop words in
// English and Spanish removed, outlet suffixes such as " | Reuters" cut, and
// each word cut to its first stemRunes runes so that "arrests", "arrested"
// and "arresto" meet. Weights are IDF over the window itself, so the words
// every item of a topic shares ("Sinaloa", "cartel") count for little and
// the words that tell stories apart ("arrest", "sanctions") count for much;
// numbers ("26", "14") count numBoost times more, since two reports of one
// event give the same figures; figures are normalised first ("3.80%" and
// "3,8 %" are one figure, "3,000" and "3 mil" another, "five" is "5"). Two
// items are the same story when the weighted cosine of their title stems
// reaches the title threshold, that of their title-and-lede stems reaches the
// all threshold, that of one's title with the other's title and lede reaches
// the mixed threshold (one outlet's headline often says what another's lede
// says), or the cosine of
// their titles' character 4-grams reaches the gram threshold (which catches
// inflections and compounds that stems miss) and their titles carry no
// conflicting numbers. Stories are the connected components of that relation
// (union-find), with one guard against chaining: a pair that only just
// passes joins two stories only if the stories' first items are also
// somewhat alike (title-and-lede cosine at least guard), so two look-alike
// stories cannot be bridged by one loose pair.
//
// The cost is near-linear: each item is compared only with earlier items that
// share one of its probeTokens rarest stems, and with at most probeCap of the
// most recent such items per stem. The thresholds were tuned on
// testdata/clusters.tsv and clusters_holdout.tsv and checked on
// testdata/clusters_holdout2.tsv, written before the round-2 changes and
// never used to choose them (see TestClusterQuality).
const (
	stemRunes    = 5
	probeTokens  = 4
	probeCap     = 64
	maxLedeWords = 40
	minStems     = 3 // titles with fewer stems are only merged by link
	// gramFloor is the share of the stem threshold two items must reach
	// before their title spellings are compared at all: it spares most pairs
	// the costlier gram comparison.
	gramFloor = 0.5
)

// thresholds are the similarities at or above which two items are one story.
type thresholds struct {
	title, all float64
	numBoost   float64 // weight multiplier for numbers ("26", "50"); 0 or 1: none
	mixed      float64 // cosine of one title with the other's title and lede that also merges; 0: off
	gram       float64 // title character 4-gram cosine that also merges; 0: off
	guard      float64 // min all-text similarity between the two stories' first items; 0: off
	guardLow   float64 // pairs scoring below this multiple of their threshold must pass the guard; 0: all
}

// tuned are the thresholds Group uses, chosen on testdata/clusters.tsv and
// clusters_holdout.tsv (TestClusterTune) under the constraint that the digest's own fixtures keep
// apart what they keep apart ("Mexico arrests CJNG leader" and "Mexico
// arrests cartel boss" are two entries in the golden digest).
var tuned = thresholds{title: 0.45, all: 0.45, numBoost: 3, mixed: 0.45, gram: 0.5, guard: 0.2, guardLow: 1.3}

// clusterDoc is one item as the clusterer sees it.
type clusterDoc struct {
	key   string   // canonical link, "" when none
	title []uint32 // stem IDs of the title, sorted, each once
	all   []uint32 // stem IDs of title and lede, sorted, each once
	nums  []uint32 // stem IDs in all that are numbers
	tnums []uint32 // stem IDs in title that are numbers
	grams []uint32 // character 4-gram IDs of the folded title, sorted, each once
}

// cluster partitions docs into stories: it returns, for each doc, the index
// of its story's first doc. Docs with the same non-empty key are always one
// story.
func cluster(docs []clusterDoc, th thresholds) []int {
	n := len(docs)
	uf := newUnionFind(n)
	byKey := make(map[string]int, n)
	for i, d := range docs {
		if d.key == "" {
			continue
		}
		if j, ok := byKey[d.key]; ok {
			uf.union(j, i)
		} else {
			byKey[d.key] = i
		}
	}

	// Document frequency of each stem over title-and-lede sets, and the
	// IDF weight derived from it.
	var df []int32
	grow := func(t uint32) {
		for int(t) >= len(df) {
			df = append(df, 0)
		}
	}
	var gdf []int32
	for _, d := range docs {
		for _, t := range d.all {
			grow(t)
			df[t]++
		}
		for _, g := range d.grams {
			for int(g) >= len(gdf) {
				gdf = append(gdf, 0)
			}
			gdf[g]++
		}
	}
	boost := make([]float64, len(df))
	for _, d := range docs {
		for _, t := range d.nums {
			boost[t] = max(boost[t], th.numBoost)
		}
	}
	w := make([]float64, len(df))
	for t, f := range df {
		if f > 0 {
			w[t] = math.Log(1+float64(n)/float64(f)) * max(1, boost[t])
		}
	}
	gw := make([]float64, len(gdf))
	for g, f := range gdf {
		if f > 0 {
			gw[g] = math.Log(1 + float64(n)/float64(f))
		}
	}
	ws := make([]docWeights, n)
	for i, d := range docs {
		ws[i] = docWeights{weight(d.title, w), weight(d.all, w), weight(d.grams, gw)}
	}
	sc := scorer{w: w, gw: gw, th: th}

	postings := make([][]int32, len(df))
	seen := make([]int32, n)  // seen[j] == i+1: j already compared with i
	first := make([]int32, n) // first[root]: the story's first doc
	for i := range first {
		first[i] = int32(i)
	}
	probe := make([]uint32, 0, 2*probeTokens)
	for i, d := range docs {
		probe = rarest(probe[:0], d.title, df, probeTokens)
		probe = rarest(probe, d.all, df, probeTokens)
		for _, t := range probe {
			ps := postings[t]
			if len(ps) > probeCap {
				ps = ps[len(ps)-probeCap:]
			}
			for _, j32 := range ps {
				j := int(j32)
				if seen[j] == int32(i+1) {
					continue
				}
				seen[j] = int32(i + 1)
				ri, rj := uf.find(i), uf.find(j)
				if ri == rj {
					continue
				}
				sim, ok := sc.same(&d, &docs[j], ws[i], ws[j])
				if !ok {
					continue
				}
				if th.guard > 0 && (th.guardLow == 0 || sim < th.guardLow) {
					// Check the two stories' first items against each
					// other, so that a chain of loose pairs cannot join
					// look-alike stories.
					fi, fj := int(first[ri]), int(first[rj])
					if (fi != i || fj != j) && sc.all(&docs[fi], &docs[fj], ws[fi], ws[fj]) < th.guard {
						continue
					}
				}
				fi, fj := first[ri], first[rj]
				uf.union(j, i)
				first[uf.find(i)] = min(fi, fj)
			}
		}
		for _, t := range d.all {
			postings[t] = append(postings[t], int32(i))
		}
	}

	out := make([]int, n)
	for i := range docs {
		out[i] = int(first[uf.find(i)])
	}
	return out
}

// docWeights are the total weights of a doc's title, title-and-lede and
// title-gram sets.
type docWeights struct{ title, all, grams float64 }

// scorer compares docs under one window's weights.
type scorer struct {
	w, gw []float64
	th    thresholds
}

// same reports whether two docs carry the same story, and the best of their
// title and title-and-lede similarities.
func (s *scorer) same(a, b *clusterDoc, wa, wb docWeights) (float64, bool) {
	if a.key != "" && a.key == b.key {
		return 1, true
	}
	if len(a.title) < minStems || len(b.title) < minStems {
		return 0, false // too little text to tell stories apart
	}
	sim := cosine(a.title, b.title, wa.title, wb.title, s.w) / s.th.title
	if sim >= 1 && sim >= s.th.guardLow {
		return sim, true // the guard would not look at it: skip the lede
	}
	if len(a.all) > len(a.title) || len(b.all) > len(b.title) {
		sim = max(sim, cosine(a.all, b.all, wa.all, wb.all, s.w)/s.th.all)
	} else {
		sim = max(sim, sim*s.th.title/s.th.all) // no ledes: all is title
	}
	if s.th.mixed > 0 && sim >= gramFloor && sim < 1 {
		// A title against the other's lede: one outlet's headline often
		// says what the other's lede says ("Blaze at refinery" / "fire").
		// Without a lede the comparison is the title one, already made.
		if len(b.all) > len(b.title) {
			sim = max(sim, cosine(a.title, b.all, wa.title, wb.all, s.w)/s.th.mixed)
		}
		if len(a.all) > len(a.title) {
			sim = max(sim, cosine(a.all, b.title, wa.all, wb.title, s.w)/s.th.mixed)
		}
	}
	if sim >= 1 {
		return sim, true
	}
	// Spelling alike is weak evidence: "Story 12 about cartels" and
	// "Story 13 about cartels" are different stories.
	if s.th.gram > 0 && sim >= gramFloor && !numbersDiffer(a.tnums, b.tnums) && cosine(a.grams, b.grams, wa.grams, wb.grams, s.gw) >= s.th.gram {
		return sim, true
	}
	return sim, false
}

// numbersDiffer reports whether two titles both carry numbers and share
// none of them.
func numbersDiffer(a, b []uint32) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for _, t := range a {
		if _, ok := slices.BinarySearch(b, t); ok {
			return false
		}
	}
	return true
}

// all is the title-and-lede similarity of two docs.
func (s *scorer) all(a, b *clusterDoc, wa, wb docWeights) float64 {
	return cosine(a.all, b.all, wa.all, wb.all, s.w)
}

// cosine is the weighted cosine similarity of two sorted stem sets whose
// total weights are wa and wb: the weight of their intersection over the
// geometric mean of wa and wb, which is the cosine of the two sets' vectors
// when each stem's component is the square root of its weight.
func cosine(a, b []uint32, wa, wb float64, w []float64) float64 {
	var inter float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			inter += w[a[i]]
			i++
			j++
		}
	}
	if wa*wb <= 0 {
		return 0
	}
	return inter / math.Sqrt(wa*wb)
}

func weight(ts []uint32, w []float64) float64 {
	var s float64
	for _, t := range ts {
		s += w[t]
	}
	return s
}

// rarest appends to dst the k stems of ts with the lowest document
// frequency (ties by stem ID), skipping stems already in dst.
func rarest(dst, ts []uint32, df []int32, k int) []uint32 {
	start := len(dst)
	for _, t := range ts {
		if slices.Contains(dst[:start], t) {
			continue
		}
		dst = append(dst, t)
		// Keep dst[start:] sorted by rarity and at most k long.
		for i := len(dst) - 1; i > start && rarer(dst[i], dst[i-1], df); i-- {
			dst[i], dst[i-1] = dst[i-1], dst[i]
		}
		if len(dst)-start > k {
			dst = dst[:start+k]
		}
	}
	return dst
}

func rarer(a, b uint32, df []int32) bool {
	if df[a] != df[b] {
		return df[a] < df[b]
	}
	return a < b
}

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct{ parent, size []int32 }

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), size: make([]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(i int) int {
	for int(u.parent[i]) != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = int(u.parent[i])
	}
	return i
}

func (u *unionFind) union(a, b int) {
	a, b = u.find(a), u.find(b)
	if a == b {
		return
	}
	if u.size[a] < u.size[b] {
		a, b = b, a
	}
	u.parent[b] = int32(a)
	u.size[a] += u.size[b]
}
