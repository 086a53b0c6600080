package story

import (
	"cmp"
	"math"
	"slices"
)

// Clustering decides which items carry the same story, in four steps.
//
// Words. Each item becomes sets of word stems from its title and from its
// title and lede (words.go: folded, stop words dropped, a final "s" and an
// English "-ing" or "-ed" dropped and the word cut to stemRunes runes,
// figures normalised and codes such as "COVID-19" made one word, and the small
// EN/ES lexicon of lexicon.go mapping news words, places and demonyms to
// one stem). Each stem is weighted by its IDF over the window, so the words
// every item of a topic shares count for little. The window also says which
// stems are names: places of the lexicon, acronyms, and words written with
// a capital inside sentence-case text at least as often as without (never
// day or month names). Each item's language (EN, ES or unknown) is told by
// its stop words.
//
// Pairs. Two items are compared only when they share minShared stems that
// are not figures (stop words are dropped before): a lone number or a lone
// word never carries a merge, and words common in the window weigh little.
// Their similarity is the best of
// four weighted cosines (title with title, title and lede with title and
// lede, and each title with the other's title and lede), each divided by
// its threshold, so that 1 means "same story". Figures may lift a cosine to
// at most figLift times what the words alone give. What differs counts
// against a merge: the names of each title that the other item never
// mentions are taken off the shared weight (penalty times the smaller side;
// missing figures count figMiss of their weight there), and figures or
// places that disagree outright (each title has one the other item never
// mentions, and the titles share none: "25% tariffs" and "30% tariffs",
// "tariffs on Canada" and "tariffs on Mexico") veto the pair, and so do
// ages that disagree: each item gives a person's age, in title or lede,
// and they share none (ages.go: "a 4-year-old", "a 12-year-old"); and so
// do titles that report opposed acts, each of which the other item never
// mentions (actions.go: "threatens tariffs", "imposes tariffs"); and so
// do times more than gap apart: items published (or, undated, first seen)
// more than a week apart are never one story, whatever they say. Across
// languages only a name, place or figure that few items carry (specShare)
// can open a pair, the stems one language alone uses count for crossKeep of
// their weight, and the thresholds are cross times higher.
//
// Stories. Pairs at or above 1 are taken best first. Each joins its two
// stories only if the stories are close as a whole (average linkage): the
// mean similarity over the pairs across them, each capped at linkCap,
// reaches link, no pair across them is vetoed, and none is below floor. A
// chain of loose pairs cannot join two stories: the far ends of the chain
// share nothing, and pull the mean below link and under the floor. Items
// with the same link are one story from the start.
//
// Order. Group sorts the items by their content before any of this, and
// ties are broken by that order, so the same items make the same stories
// whatever order they come in.
//
// The cost is near-linear: each item meets only the earlier items that an
// inverted index finds sharing minShared of its stems, scanning at most
// probeCap postings of a stem; two stories meeting compare at most crossCap
// pairs.
const (
	stemRunes    = 5
	maxLedeWords = 40
	minStems     = 3 // titles with fewer stems are only merged by link
	minShared    = 2 // stems that are not figures a pair must share
	// A name, place or figure in at most max(2, n/specShare) items can
	// open a pair of items in two languages.
	specShare = 8
	// probeCap bounds how many postings of one stem are scanned; a stem
	// with more is common, and the rarer stems of the item find its
	// matches.
	probeCap = 48
	// probeMin is how many of an item's rarest stems are scanned even when
	// they are common.
	probeMin = 3
	// crossCap bounds the pairs compared when two stories meet; beyond it
	// evenly spaced members of each stand for the whole.
	crossCap = 1024
)

// params are the thresholds and weights Group uses.
type params struct {
	title, all, mixed float64 // cosine thresholds: title, title and lede, title against title and lede
	penalty           float64 // weight of conflicting names taken off the shared weight
	figMiss           float64 // a missing figure's weight in that penalty, against a name's
	link              float64 // mean similarity two stories need to merge
	linkCap           float64 // cap on one pair's similarity in that mean
	floor             float64 // similarity every pair across two merging stories must reach
	cross             float64 // threshold multiplier for pairs in different languages
	crossKeep         float64 // share of the weight of one language's own stems kept in cross-language totals
	figLift           float64 // figures lift a cosine to at most figLift times what the words alone give
	// generic multiplies the thresholds for a pair in one language that
	// shares no name, place or figure at all: "Boy dies in accidental
	// shooting" and "Teen dies of accidental gunshot wound" may be two
	// families' news.
	generic float64
	// gap is the most time, in seconds, between the times of two items of
	// one story (0: no limit); items whose time is unknown are not held
	// to it.
	gap float64
}

// tuned are the parameters Group uses, chosen on the public tuning sets
// for precision first (TestPublicTune searches them; docs/STORIES.md says
// how they were chosen, and with which parameters each held-out set was
// scored once: BASIL without generic, the Gun Violence Corpus before it).
var tuned = params{title: 0.45, all: 0.45, mixed: 0.4, penalty: 1.5, figMiss: 0, link: 0.95, linkCap: 2, floor: 0.5, cross: 1, crossKeep: 0.25, figLift: 1.2, generic: 1.5, gap: 7 * 24 * 3600}

// clusterDoc is one item as the clusterer sees it.
type clusterDoc struct {
	key   string   // canonical link, "" when none
	at    int64    // Doc.At in Unix seconds, 0 when unknown
	title []uint32 // stem IDs of the title, sorted, each once
	all   []uint32 // stem IDs of title and lede, sorted, each once
	tcap  []uint32 // stem IDs of title words written with a capital, sorted, each once
	ages  []uint32 // stem IDs of figures written as a person's age, in title or lede, sorted, each once
	lang  uint8    // langEN, langES, or langUnknown, by the doc's stop words
	// tacts and acts are the actions the title, and the title and lede,
	// report (actions.go).
	tacts, acts actions
	// head: stem IDs of the title before a short trailing " - X" (an
	// outlet's name, perhaps), sorted; nil when it has none. Only what a
	// title's head names counts as news (story.GroupAfter).
	head []uint32
	// Filled in by newScorer: the doc's link as a number (1 + the index
	// of the first doc with its key; 0 when key is ""), and the title's
	// names and figures.
	link        int32
	allBits     uint64 // bit t%64 set for each stem t of all
	names, figs []uint32
	places      []uint32 // the title's places (names), and the countries its cities are in
	within      []uint32 // the countries that the cities of all are in, sorted
	wt, wa      float64  // total weight of title and all
	xt, xa      float64  // the same, of the stems seen in both languages
}

// edge is a pair of docs and their similarity.
type edge struct {
	i, j int32
	sim  float64
}

// cluster partitions docs into stories: it returns, for each doc, a story
// number, the index of one doc of the story. Docs with the same non-empty
// key are always one story. info is the stemmer's knowledge of each stem.
func cluster(docs []clusterDoc, info []stemInfo, p params) []int {
	n := len(docs)
	sc := newScorer(docs, info, p)
	uf := newUnionFind(n)
	for i, d := range docs {
		if d.link != 0 && int(d.link-1) != i {
			uf.union(int(d.link-1), i)
		}
	}
	edges := sc.edges()
	slices.SortFunc(edges, func(a, b edge) int {
		return cmp.Or(cmp.Compare(b.sim, a.sim), cmp.Compare(a.i, b.i), cmp.Compare(a.j, b.j))
	})
	members := make([][]int32, n)
	for i := range docs {
		r := uf.find(i)
		members[r] = append(members[r], int32(i))
	}
	// rejected remembers the pairs of stories found too far apart, with
	// their sizes then: until one of them grows, the answer stands.
	rejected := map[[2]int]int{}
	for _, e := range edges {
		ri, rj := uf.find(int(e.i)), uf.find(int(e.j))
		if ri == rj {
			continue
		}
		pair, sizes := [2]int{min(ri, rj), max(ri, rj)}, len(members[ri])<<32|len(members[rj])
		if ri > rj {
			sizes = len(members[rj])<<32 | len(members[ri])
		}
		if s, ok := rejected[pair]; ok && s == sizes {
			continue
		}
		if !sc.linked(members[ri], members[rj]) {
			rejected[pair] = sizes
			continue
		}
		uf.union(ri, rj)
		r, o := uf.find(ri), ri
		if o == r {
			o = rj
		}
		members[r] = append(members[r], members[o]...)
		members[o] = nil
	}
	out := make([]int, n)
	for i := range docs {
		out[i] = uf.find(i)
	}
	return out
}

// scorer compares docs under one window's weights.
type scorer struct {
	docs []clusterDoc
	w    []float64 // stem weights
	fig  []bool    // stem is a figure
	// spec: stem is a name, place or figure in at most 1/specShare of the
	// docs; a pair in two languages must share one.
	spec []bool
	// named: stem is a name, place or figure, however many docs carry it.
	named []bool
	df    []int32
	p     params
	// opposed: the actions opposed to each action (actions.go).
	opposed *[32]actions
}

func newScorer(docs []clusterDoc, info []stemInfo, p params) *scorer {
	n := len(docs)
	s := &scorer{docs: docs, w: make([]float64, len(info)), fig: make([]bool, len(info)), df: make([]int32, len(info)), p: p, opposed: &tables().actions.opposed}
	langs := make([]uint8, len(info)) // bit l set: seen in a doc of language l
	for _, d := range docs {
		for _, t := range d.all {
			s.df[t]++
			langs[t] |= 1 << d.lang
		}
	}
	const bilingual = 1<<langEN | 1<<langES
	name := make([]bool, len(info))
	s.spec = make([]bool, len(info))
	s.named = make([]bool, len(info))
	rare := int32(max(2, n/specShare))
	for t, in := range info {
		s.fig[t] = in.figure
		name[t] = !in.calendar && (in.place || in.acronym > 0 || (in.capMid > 0 && in.capMid >= in.lowMid) || (in.capFirst > 0 && in.lowMid == 0 && in.capMid == 0))
		s.named[t] = name[t] || in.figure
		s.spec[t] = s.named[t] && s.df[t] <= rare
		if f := s.df[t]; f > 0 {
			s.w[t] = math.Log(1 + float64(n)/float64(f))
		}
	}
	byKey := make(map[string]int32, n)
	for i := range docs {
		d := &docs[i]
		d.link = 0
		if d.key != "" {
			if _, ok := byKey[d.key]; !ok {
				byKey[d.key] = int32(i + 1)
			}
			d.link = byKey[d.key]
		}
		d.allBits = 0
		for _, t := range d.all {
			d.allBits |= 1 << (t % 64)
		}
		d.names, d.figs, d.places, d.within = nil, nil, nil, nil
		for _, t := range d.all {
			if c := info[t].within; c != 0 {
				d.within = append(d.within, c-1)
			}
		}
		slices.Sort(d.within)
		for _, t := range d.title {
			switch {
			case s.fig[t]:
				d.figs = append(d.figs, t)
			case info[t].place:
				d.names = append(d.names, t)
				d.places = append(d.places, t)
				if c := info[t].within; c != 0 {
					d.places = append(d.places, c-1)
				}
			case name[t]:
				if _, ok := slices.BinarySearch(d.tcap, t); ok {
					d.names = append(d.names, t)
				}
			}
		}
		if len(d.places) > 1 {
			d.places = compactSorted(d.places)
		}
		d.wt, d.wa = s.weight(d.title), s.weight(d.all)
		d.xt, d.xa = 0, 0
		for _, t := range d.title {
			if langs[t]&bilingual == bilingual {
				d.xt += s.w[t]
			}
		}
		for _, t := range d.all {
			if langs[t]&bilingual == bilingual {
				d.xa += s.w[t]
			}
		}
	}
	return s
}

func (s *scorer) weight(ts []uint32) float64 {
	var sum float64
	for _, t := range ts {
		sum += s.w[t]
	}
	return sum
}

// vetoed is the similarity of a pair whose times, figures, places, ages or
// acts disagree.
const vetoed = -1

// sim is the similarity of docs i and j: 1 or more when they tell the same
// story, vetoed when their times, figures, places, ages or acts (actions.go)
// disagree.
func (s *scorer) sim(i, j int) float64 {
	a, b := &s.docs[i], &s.docs[j]
	if a.link != 0 && a.link == b.link { // the same key
		return s.p.linkCap
	}
	if len(a.title) < minStems || len(b.title) < minStems {
		return 0 // too little text to tell stories apart
	}
	if s.p.gap > 0 && a.at != 0 && b.at != 0 && math.Abs(float64(a.at-b.at)) > s.p.gap {
		return vetoed
	}
	if disagree(a.figs, b.figs, a, b, false) || disagree(a.places, b.places, a, b, true) || agesDisagree(a.ages, b.ages) ||
		actionsDisagree(s.opposed, a, b) {
		return vetoed
	}
	shared := s.inter(a.all, b.all)
	if shared.words < minShared {
		return 0
	}
	// Names and figures of each title that the other item never mentions.
	ca, cb := s.missingWeight(a.names, b), s.missingWeight(b.names, a)
	if s.p.figMiss != 0 {
		ca += s.p.figMiss * s.missingWeight(a.figs, b)
		cb += s.p.figMiss * s.missingWeight(b.figs, a)
	}
	c := comparison{pen: s.p.penalty * min(ca, cb), lift: s.p.figLift, th: 1}
	wta, waa, wtb, wab := a.wt, a.wa, b.wt, b.wa
	if a.lang != b.lang && a.lang != langUnknown && b.lang != langUnknown {
		if shared.spec == 0 {
			return 0 // two languages meet on a name, a place or a figure
		}
		// Across languages only the stems both languages use (names,
		// places, figures, the lexicon's words) can be shared: the
		// others count for crossKeep of their weight in the totals, and
		// the thresholds rise.
		k := s.p.crossKeep
		wta, waa, wtb, wab = a.xt+k*(a.wt-a.xt), a.xa+k*(a.wa-a.xa), b.xt+k*(b.wt-b.xt), b.xa+k*(b.wa-b.xa)
		c.th = s.p.cross
	}
	// Only a pair in one language (or of an unknown one) gets here sharing
	// no name, place or figure: two languages must share a spec stem,
	// and every spec stem is named.
	if shared.named == 0 {
		c.th = s.p.generic
	}
	best := c.cosine(shared, waa, wab) / s.p.all
	if best >= s.p.linkCap {
		return best
	}
	best = max(best, c.cosine(s.inter(a.title, b.title), wta, wtb)/s.p.title)
	if len(b.all) > len(b.title) {
		best = max(best, c.cosine(s.inter(a.title, b.all), wta, wab)/s.p.mixed)
	}
	if len(a.all) > len(a.title) {
		best = max(best, c.cosine(s.inter(a.all, b.title), waa, wtb)/s.p.mixed)
	}
	return best
}

// comparison is how one pair's cosines are taken: pen is taken off every
// intersection, figures may lift a cosine to at most lift times what the
// words alone give, and the result is divided by th.
type comparison struct{ pen, lift, th float64 }

// cosine is the weighted cosine of two stem sets whose intersection is o
// and whose totals weigh wa and wb: the cosine of the two sets' vectors
// when each stem's component is the square root of its weight.
func (c comparison) cosine(o overlap, wa, wb float64) float64 {
	if wa*wb <= 0 {
		return 0
	}
	d := math.Sqrt(wa*wb) * c.th
	return min(o.sum-c.pen, c.lift*(o.sum-o.figs-c.pen)) / d
}

// overlap is the weight of the stems two sets share and the part of it
// that is figures; how many shared stems are not figures, and how many are
// names, places or figures that few docs carry (spec).
type overlap struct {
	sum, figs   float64
	words, spec int
	named       int // shared names, places and figures, rare or not
}

// inter is the overlap of two sorted sets.
func (s *scorer) inter(a, b []uint32) (o overlap) {
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x] < b[y]:
			x++
		case a[x] > b[y]:
			y++
		default:
			t := a[x]
			o.sum += s.w[t]
			if s.fig[t] {
				o.figs += s.w[t]
			} else {
				o.words++
			}
			if s.named[t] {
				o.named++
			}
			if s.spec[t] {
				o.spec++
			}
			x++
			y++
		}
	}
	return o
}

// disagree reports whether each of two titles has a figure (or place)
// that the other item never mentions, and the titles share none: "Trump
// threatens 25% tariffs" and "Trump threatens 30% tariffs", "… tariffs on
// Canada" and "… tariffs on Mexico". fa and fb are the titles' figures,
// sorted; a and b the items. For places, an item that names a city
// mentions its country too.
func disagree(fa, fb []uint32, a, b *clusterDoc, places bool) bool {
	if len(fa) == 0 || len(fb) == 0 {
		return false
	}
	ma := false // a has one b never mentions
	for _, t := range fa {
		if b.mentions(t) || (places && inSet(b.within, t)) {
			if _, inTitle := slices.BinarySearch(fb, t); inTitle {
				return false
			}
		} else {
			ma = true
		}
	}
	if !ma {
		return false
	}
	for _, t := range fb {
		if !a.mentions(t) && (!places || !inSet(a.within, t)) {
			return true // and b has one a never mentions
		}
	}
	return false
}

// mentions reports whether stem t is one of the doc's (all). Most stems
// asked about are not, and allBits says so without a search.
func (d *clusterDoc) mentions(t uint32) bool {
	return d.allBits&(1<<(t%64)) != 0 && inSet(d.all, t)
}

// inSet reports whether the sorted set ts holds t. (Not inlined, so that
// mentions is.)
//
//go:noinline
func inSet(ts []uint32, t uint32) bool {
	_, ok := slices.BinarySearch(ts, t)
	return ok
}

// missingWeight is the total weight of the stems of ts that doc d never
// mentions.
func (s *scorer) missingWeight(ts []uint32, d *clusterDoc) float64 {
	var sum float64
	for _, t := range ts {
		if !d.mentions(t) {
			sum += s.w[t]
		}
	}
	return sum
}

// linked reports whether two stories are close enough as a whole to be one:
// no pair across them vetoed, and the mean similarity of the pairs across
// them (each capped at linkCap) at least link. Beyond crossCap pairs, evenly
// spaced members of each story stand for it.
func (s *scorer) linked(a, b []int32) bool {
	if len(a)*len(b) > crossCap {
		k := int(math.Sqrt(crossCap))
		a, b = spread(a, k), spread(b, k)
	}
	var sum float64
	for _, i := range a {
		for _, j := range b {
			sim := s.sim(int(i), int(j))
			if sim == vetoed || sim < s.p.floor {
				return false
			}
			sum += min(sim, s.p.linkCap)
		}
	}
	return sum >= s.p.link*float64(len(a)*len(b))
}

// spread returns at most k evenly spaced elements of xs.
func spread(xs []int32, k int) []int32 {
	if len(xs) <= k {
		return xs
	}
	out := make([]int32, k)
	for i := range out {
		out[i] = xs[i*len(xs)/k]
	}
	return out
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
