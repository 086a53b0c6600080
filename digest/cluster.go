package digest

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/newsdigest/newsdigest/classify"
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
	measure    int     // 0 Jaccard, 1 cosine, 2 overlap
	power      float64 // IDF exponent
	numBoost   float64 // weight multiplier for numbers ("26", "50"); 0 or 1: none
	mixed      float64 // cosine of one title with the other's title and lede that also merges; 0: off
	gram       float64 // title character 4-gram cosine that also merges; 0: off
	guard      float64 // min all-text similarity between the two stories' first items; 0: off
	guardLow   float64 // pairs scoring below this multiple of their threshold must pass the guard; 0: all
}

// tuned are the thresholds Build uses, chosen on testdata/clusters.tsv and
// clusters_holdout.tsv (TestClusterTune) under the constraint that the digest's own fixtures keep
// apart what they keep apart ("Mexico arrests CJNG leader" and "Mexico
// arrests cartel boss" are two entries in the golden digest).
var tuned = thresholds{title: 0.45, all: 0.45, measure: 1, power: 1, numBoost: 3, mixed: 0.45, gram: 0.5, guard: 0.2, guardLow: 1.3}

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
			w[t] = math.Pow(math.Log(1+float64(n)/float64(f)), th.power) * max(1, boost[t])
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
	sim := jaccard(a.title, b.title, wa.title, wb.title, s.w, s.th.measure) / s.th.title
	if sim >= 1 && sim >= s.th.guardLow {
		return sim, true // the guard would not look at it: skip the lede
	}
	if len(a.all) > len(a.title) || len(b.all) > len(b.title) {
		sim = max(sim, jaccard(a.all, b.all, wa.all, wb.all, s.w, s.th.measure)/s.th.all)
	} else {
		sim = max(sim, sim*s.th.title/s.th.all) // no ledes: all is title
	}
	if s.th.mixed > 0 && sim >= gramFloor && sim < 1 {
		// A title against the other's lede: one outlet's headline often
		// says what the other's lede says ("Blaze at refinery" / "fire").
		// Without a lede the comparison is the title one, already made.
		if len(b.all) > len(b.title) {
			sim = max(sim, jaccard(a.title, b.all, wa.title, wb.all, s.w, s.th.measure)/s.th.mixed)
		}
		if len(a.all) > len(a.title) {
			sim = max(sim, jaccard(a.all, b.title, wa.all, wb.title, s.w, s.th.measure)/s.th.mixed)
		}
	}
	if sim >= 1 {
		return sim, true
	}
	// Spelling alike is weak evidence: "Story 12 about cartels" and
	// "Story 13 about cartels" are different stories.
	if s.th.gram > 0 && sim >= gramFloor && !numbersDiffer(a.tnums, b.tnums) && jaccard(a.grams, b.grams, wa.grams, wb.grams, s.gw, 1) >= s.th.gram {
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
	return jaccard(a.all, b.all, wa.all, wb.all, s.w, s.th.measure)
}

// jaccard is the weighted Jaccard similarity of two sorted stem sets whose
// total weights are wa and wb.
func jaccard(a, b []uint32, wa, wb float64, w []float64, measure int) float64 {
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
	switch measure {
	case 1:
		if wa*wb <= 0 {
			return 0
		}
		return inter / math.Sqrt(wa*wb)
	case 2:
		if min(wa, wb) <= 0 {
			return 0
		}
		return inter / min(wa, wb)
	}
	union := wa + wb - inter
	if union <= 0 {
		return 0
	}
	return inter / union
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

// stemmer turns text into stem IDs, assigning IDs to new stems as it goes.
type stemmer struct {
	ids   map[string]uint32
	grams map[string]uint32
}

func newStemmer() *stemmer {
	return &stemmer{ids: map[string]uint32{}, grams: map[string]uint32{}}
}

// doc makes the clusterer's view of one item.
func (s *stemmer) doc(key, title, lede, source, feedName string) clusterDoc {
	title = stripOutlet(title, source, feedName)
	d := clusterDoc{key: key}
	d.title = s.stems(&d, nil, title, -1)
	d.tnums = compactSorted(d.nums)
	d.all = s.stems(&d, slices.Clone(d.title), lede, maxLedeWords)
	d.nums = compactSorted(d.nums)
	d.grams = s.titleGrams(title)
	return d
}

// dotted spells out abbreviations whose letters would otherwise be dropped
// as one-letter words, and writes a few many-word names as one word.
// "Estados Unidos" is left alone: as "EEUU" it makes "Tropas de Estados
// Unidos en la frontera" one story with "US sends more troops to the Mexico
// border", which the pipeline's dry-run fixture keeps apart.
var dotted = strings.NewReplacer("U.S.", "US", "EE.UU.", "EEUU", "EE. UU.", "EEUU",
	"United States", "US",
	"Mexico City", "CDMX", "Ciudad de México", "CDMX")

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// stems appends the stem IDs of text's words (at most max words when max >=
// 0) to dst and returns dst sorted, each ID once. It records in d.nums
// which of them are numbers.
func (s *stemmer) stems(d *clusterDoc, dst []uint32, text string, max int) []uint32 {
	text = normNumbers(dotted.Replace(text))
	words := 0
	for raw := range strings.FieldsFuncSeq(text, notWordRune) {
		if max >= 0 && words >= max {
			break
		}
		words++
		for f := range strings.FieldsFuncSeq(classify.FoldString(raw), notWordRune) {
			if n, ok := numberWords[f]; ok {
				f = n
			}
			if stopWords[f] || (len(f) == 1 && (f[0] < '0' || f[0] > '9')) {
				continue
			}
			if f[0] < '0' || f[0] > '9' {
				f = stem(f)
			}
			if c, ok := concepts[f]; ok {
				f = c
			}
			id, ok := s.ids[f]
			if !ok {
				id = uint32(len(s.ids))
				s.ids[f] = id
			}
			dst = append(dst, id)
			if f[0] >= '0' && f[0] <= '9' {
				d.nums = append(d.nums, id)
			}
		}
	}
	return compactSorted(dst)
}

// normNumbers rewrites the figures in text so that one figure is one word
// however an outlet writes it: thousands separators are dropped ("1,500",
// "1.500" and "1500" are "1500"), a decimal separator becomes "p" and
// trailing zeros go ("3.80", "3,8" and "3.8" are "3p8"; "7.00" is "7"). A
// separator followed by exactly three digits is taken for a thousands
// separator, any other for a decimal one.
func normNumbers(text string) string {
	text = normSeparators(text)
	if !strings.Contains(text, "mil") && !strings.Contains(text, "illion") && !strings.Contains(text, "M") {
		return text
	}
	text = bigNumber.ReplaceAllStringFunc(text, func(m string) string {
		sub := bigNumber.FindStringSubmatch(m)
		n := 1
		if sub[1] != "" {
			n, _ = strconv.Atoi(sub[1])
		}
		if strings.EqualFold(sub[2], "billion") {
			return strconv.Itoa(n*1000) + " million"
		}
		k, _ := strconv.Atoi(sub[3])
		return strconv.Itoa(n*1000 + k)
	})
	// "mil,000" became "1000,000": join what the figures now touch.
	text = normSeparators(text)
	// "1 million", "1M" and "1 millón" are "1m".
	return millions.ReplaceAllString(text, "${1}m")
}

var millions = regexp.MustCompile(`\b(\d+(?:p\d+)?)\s*(?:M|[Mm]illion|[Mm]illones|[Mm]ill[oó]n)\b`)

// bigNumber matches Spanish thousands written with "mil" ("3 mil", "mil
// 500", "1 mil 500") and English billions ("12 billion", which Spanish
// writes "12 mil millones"). Its matches become figures.
var bigNumber = regexp.MustCompile(`(?i)\b(?:(\d{1,3})\s+)?(mil|billion)\b(?:\s+(\d{1,3})\b)?`)

// normSeparators does normNumbers' work on separators.
func normSeparators(text string) string {
	if !strings.ContainsAny(text, ".,") {
		return text
	}
	var b strings.Builder
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i := 0; i < len(text); {
		if !isDigit(text[i]) || (i > 0 && isDigit(text[i-1])) {
			b.WriteByte(text[i])
			i++
			continue
		}
		// A run of digit groups joined by single '.' or ','.
		var groups []string
		j := i
		for {
			k := j
			for k < len(text) && isDigit(text[k]) {
				k++
			}
			groups = append(groups, text[j:k])
			if k+1 < len(text) && (text[k] == '.' || text[k] == ',') && isDigit(text[k+1]) {
				j = k + 1
				continue
			}
			j = k
			break
		}
		frac := ""
		if last := groups[len(groups)-1]; len(groups) > 1 && len(last) != 3 {
			frac = strings.TrimRight(last, "0")
			groups = groups[:len(groups)-1]
		}
		for _, g := range groups {
			b.WriteString(g)
		}
		if frac != "" {
			b.WriteByte('p')
			b.WriteString(frac)
		}
		i = j
	}
	return b.String()
}

// numberWords spells small numbers as figures, so that "five dead" and "5
// muertos" share a number ("one", "un" and "once" are left alone: they are
// articles or other words as often as numbers).
var numberWords = map[string]string{
	"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
	"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
	"thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16",
	"seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20",
	"dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6", "siete": "7",
	"ocho": "8", "nueve": "9", "diez": "10", "doce": "12", "trece": "13",
	"catorce": "14", "quince": "15", "dieciseis": "16", "diecisiete": "17",
	"dieciocho": "18", "diecinueve": "19", "veinte": "20",
}

// titleGrams returns the IDs of the character 4-grams of a title's folded
// words (stop words dropped, each word padded with spaces), sorted, each once.
func (s *stemmer) titleGrams(title string) []uint32 {
	var out []uint32
	var buf []byte
	for f := range strings.FieldsFuncSeq(classify.FoldString(title), notWordRune) {
		if stopWords[f] {
			continue
		}
		buf = append(append(append(buf[:0], ' '), f...), ' ')
		for i := 0; i+4 <= len(buf); i++ {
			id, ok := s.grams[string(buf[i:i+4])]
			if !ok {
				id = uint32(len(s.grams))
				s.grams[string(buf[i:i+4])] = id
			}
			out = append(out, id)
		}
	}
	return compactSorted(out)
}

func compactSorted(ts []uint32) []uint32 {
	slices.Sort(ts)
	return slices.Compact(ts)
}

// stem cuts a folded word to its first stemRunes runes.
func stem(w string) string {
	n := 0
	for i := range w {
		if n == stemRunes {
			return w[:i]
		}
		n++
	}
	return w
}

// outletSeparators are what outlets put between a headline and their name.
var outletSeparators = []string{" | ", " - ", " — ", " – "}

// stripOutlet cuts a trailing " | Outlet" (or " - ", " — ", " – ") from a
// title when the tail names the item's source or feed, or, after " | ",
// is at most four words.
func stripOutlet(title, source, feedName string) string {
	for _, sep := range outletSeparators {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		tail := strings.TrimSpace(title[i+len(sep):])
		if tail == "" {
			continue
		}
		ft := classify.FoldString(tail)
		if (source != "" && ft == classify.FoldString(strings.TrimSpace(source))) ||
			(feedName != "" && ft == classify.FoldString(strings.TrimSpace(feedName))) ||
			(sep == " | " && len(strings.Fields(tail)) <= 4) ||
			knownSuffix(ft) {
			return strings.TrimSpace(title[:i])
		}
	}
	return title
}

// knownSuffix reports whether a folded title tail is a common outlet
// abbreviation that is not the outlet's feed name ("WSJ", "BBC News").
func knownSuffix(ft string) bool {
	switch ft {
	case "wsj", "bbc news", "bbc", "the washington post", "the new york times", "ap news", "reuters", "cnn":
		return true
	}
	return false
}

// stopWords are frequent English and Spanish words (folded) that say nothing
// about which story a headline tells.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		a an the and or but of to in on at by for from with as into over after before amid
		about than then is are was were be been being has have had do does did will would
		can could may might must shall should it its this that these those he she they them
		his her their we our you your i me my not no yes so if up out off more most new
		says said say says what who whom which when where why how all any some also just
		el la los las lo un una unos unas y e o u ni de del al a ante bajo con contra desde
		en entre hacia hasta para por segun sin sobre tras que se su sus es son fue fueron
		ser ha han hay como mas pero sino le les este esta estos estas ese esa esos esas
		muy ya tambien dice dijo asi
	`) {
		m[w] = true
	}
	return m
}()

// clusterMembers partitions members into stories in order of first
// appearance, dropping every story that one of the delivered members (items
// already posted to the channel) belongs to.
func clusterMembers(ms []member, delivered []member) (stories [][]member) {
	st := newStemmer()
	docs := make([]clusterDoc, 0, len(ms)+len(delivered))
	for _, m := range delivered {
		it := m.c.Item
		docs = append(docs, st.doc(m.key, it.Title, it.Summary, it.Source, it.FeedName))
	}
	for _, m := range ms {
		it := m.c.Item
		docs = append(docs, st.doc(m.key, it.Title, it.Summary, it.Source, it.FeedName))
	}
	root := cluster(docs, tuned)
	old := make(map[int]bool, len(delivered))
	for i := range delivered {
		old[root[i]] = true
	}
	index := map[int]int{}
	for k, m := range ms {
		r := root[len(delivered)+k]
		if old[r] {
			continue // the story was already delivered
		}
		if s, ok := index[r]; ok {
			stories[s] = append(stories[s], m)
			continue
		}
		index[r] = len(stories)
		stories = append(stories, []member{m})
	}
	return stories
}

// outlets counts the distinct outlets (by folded source name) of a story.
func outlets(story []member) int {
	seen := make(map[string]bool, len(story))
	for _, m := range story {
		seen[classify.FoldString(source(m.c.Item))] = true
	}
	return len(seen)
}

// byRank orders a story best first: highest score, then earliest date, then
// ID. The best-scoring item is the one that says most plainly why the story
// is in the digest (its title carries the terms); among equals the earliest
// is usually the original report the others followed.
func byRank(a, b member) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	if c := a.when.Compare(b.when); c != 0 {
		return c
	}
	return cmp.Compare(a.c.Item.ID, b.c.Item.ID)
}

// concepts maps word stems that news headlines use interchangeably, in
// English and Spanish, to one stem: "captures", "arrests", "detienen" and
// "capturan" all say "arrest". It is a small news-event lexicon; words not
// in it stand for themselves.
var concepts = func() map[string]string {
	m := map[string]string{}
	for _, group := range []string{
		"arres captu detie detai cae nab apreh",
		"kill kille kills killi dead death dies die died muert muere mueren matan asesi assas gunne abate abati slain shot",
		"send sends sent envia envio trans hand hands hande ships ship entre trasl deliv",
		"troop soldi milit tropa solda efect",
		"tarif duty dutie arance cuota",
		"elect vote votes votar votac elecc",
		"judge judic juez jueces",
		"reope reabr",
		"suspe halt halts close closes cierr cerra",
		"rejec rules desca recha",
		"hike hikes raise raise eleva sube dupli doubl",
		"cut cuts lower recor baja trims trim",
		"seize seizu decom asegu bust incau confi",
		"sanci sanct",
		"remit remes",
		"turno parti",
		"impos impon",
		"plead pleads guilt culpa",
		"journ perio",
		"fire fires blaze incen fuego flame llama",
		"kidna abduc secue plagi",
		"tunne tunel",
		"disco uncov halla hallan descu encue locat local",
		"court corte tribu",
		"weapo gun guns armas arma armer firea",
		"accel speed acele",
		"gen gener",
		"lab labs labor",
		"fenta",
		"peso",
		"usmca tmec",
		"us eu eua eeuu",
		"mexic mexi",
	} {
		ws := strings.Fields(group)
		for _, w := range ws[1:] {
			m[w] = ws[0]
		}
	}
	return m
}()
