package classify

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/learn"
	"golang.org/x/text/unicode/norm"
)

// Doc is the text of one article as the feed gave it (may contain HTML and
// entities).
type Doc struct{ Title, Summary, Content string }

// The fields of a Doc, in the order they are scanned.
const (
	fieldTitle = iota
	fieldSummary
	fieldContent
	numFields
)

var fieldNames = [numFields]string{"title", "summary", "content"}

// What a pattern means to a topic.
const (
	kindTerm = iota
	kindExclude
	kindUnless
	kindRequire
	kindTitleTerm // a term that counts only in the title
)

type ref struct {
	topic int32
	kind  uint8
	idx   int32 // index in the topic's terms, excludes or unless terms; global require group
}

type topicInfo struct {
	name     string
	terms    []string // as written, duplicates removed; terms, then title terms
	nPlain   int      // terms[:nPlain] count anywhere, terms[nPlain:] only in the title
	exclude  []string
	unless   []string
	require  [][]string
	minScore int32
	termPat  []int32
	exclPat  []int32
	unlPat   []int32
	reqPat   [][]int32
}

// maxIndexedPrefix is the longest folded prefix (in bytes) found through the
// prefix index; longer single-word prefixes are checked one by one, and only
// against words at least that long.
const maxIndexedPrefix = 63

// Matcher matches documents against a fixed set of topics. It is safe for
// concurrent use; a Scratch is not.
type Matcher struct {
	topics []topicInfo
	pats   []pattern
	refs   [][]ref
	first  map[string][]int32 // first folded word -> patterns, except single-word prefixes
	filter []uint64           // bit wordHash(w)&filterMask set when w is a key of first
	// Single-word prefix patterns. A word's prefixes of every length in
	// prefixLens are probed in prefixFilter with the FNV state reached at that
	// length — computed anyway for the word's own hash — and only on a hit
	// looked up in prefixes. The cost per word is one pass over its bytes,
	// whatever the number of prefix terms.
	prefixes     map[string][]int32
	prefixLens   uint64   // bit n set when some indexed prefix is n bytes long
	prefixFilter []uint64 // bit prefixHash&filterMask set for each key of prefixes
	longPrefixes []int32  // prefix patterns longer than maxIndexedPrefix
	nGroups      int
	// Proximity terms (near.go): per operand pattern, the proximity terms
	// it is part of (nil for other patterns; nearRefs is nil when there are
	// no proximity terms), and the same keyed by (operand, partner).
	nearRefs  [][]nearRef
	nearPairs map[uint64][]nearRef
	learned   *learnedState // nil: terms alone (learned.go)
	scratch   sync.Pool
}

// Scratch holds the buffers of one classification so that MatchAppend can
// run without allocating. The zero value is ready to use. A Scratch must not
// be used by two goroutines at once; it adapts to the Matcher it is used
// with (changing matchers costs a reallocation).
type Scratch struct {
	m         *Matcher
	text      [numFields][]byte // cleaned text of each field
	folded    []byte
	words     []word
	fieldEnd  [numFields]int // words of field f: words[fieldEnd[f-1]:fieldEnd[f]]
	hit       []uint8        // per pattern: bit f set when it matched in field f
	firstWord []int32        // per pattern: first and last word of its first match
	lastWord  []int32
	touched   []int32 // patterns with hit != 0
	tState    []topicState
	tTouched  []int32
	groupHit  []bool
	gTouched  []int32
	termHits  []uint64 // topic<<32 | term index, sorted
	// Proximity (near.go), used only when the matcher has proximity terms.
	sent    []int32      // per word: its sentence number
	occ     []occurrence // every occurrence of an operand, in order
	lastOcc []int32      // per pattern: its last occurrence in occ, -1: none
	opSeen  []int32      // operands with an occurrence
	// The learned model (learned.go), used only when the matcher has one.
	lwords   [learn.NumFields][][]byte
	probs    []float64
	lscratch learn.Scratch
}

type topicState struct {
	touched  bool
	excluded bool
	unless   bool
	terms    int32
	groups   int32
	score    int32
	lo, hi   int32 // this topic's entries in termHits
}

func (s *Scratch) reset(m *Matcher) {
	if s.m != m {
		*s = Scratch{
			m:         m,
			hit:       make([]uint8, len(m.pats)),
			firstWord: make([]int32, len(m.pats)),
			lastWord:  make([]int32, len(m.pats)),
			tState:    make([]topicState, len(m.topics)),
			groupHit:  make([]bool, m.nGroups),
			text:      s.text,
			folded:    s.folded[:0],
			words:     s.words[:0],
		}
		if m.nearRefs != nil {
			s.lastOcc = make([]int32, len(m.pats))
			for i := range s.lastOcc {
				s.lastOcc[i] = -1
			}
		}
		return
	}
	for _, p := range s.touched {
		s.hit[p] = 0
	}
	if m.nearRefs != nil {
		for _, p := range s.opSeen {
			s.lastOcc[p] = -1
		}
		s.sent, s.occ, s.opSeen = s.sent[:0], s.occ[:0], s.opSeen[:0]
	}
	for _, t := range s.tTouched {
		s.tState[t] = topicState{}
	}
	for _, g := range s.gTouched {
		s.groupHit[g] = false
	}
	s.touched, s.tTouched, s.gTouched = s.touched[:0], s.tTouched[:0], s.gTouched[:0]
	s.termHits = s.termHits[:0]
	s.folded, s.words = s.folded[:0], s.words[:0]
}

// appendClean appends the text of s with tags dropped, entities decoded and
// soft hyphens dropped (PlainText, but for white space); text without '<',
// '&' or a soft hyphen is copied as is.
func appendClean(dst []byte, s string) []byte {
	if strings.IndexByte(s, '<') < 0 && strings.IndexByte(s, '&') < 0 && !strings.Contains(s, "\u00ad") {
		return append(dst, s...)
	}
	return appendPlain(dst, s)
}

// scan finds every pattern that matches d and evaluates every topic the
// matches touch.
func (s *Scratch) scan(m *Matcher, d Doc) {
	s.reset(m)
	for f, src := range [numFields]string{d.Title, d.Summary, d.Content} {
		s.text[f] = appendClean(s.text[f][:0], src)
		from := len(s.words)
		s.folded, s.words = appendWords(s.folded, s.words, s.text[f])
		s.fieldEnd[f] = len(s.words)
		if m.nearRefs != nil {
			s.sentences(s.text[f], from)
		}
	}
	start := 0
	for f := range numFields {
		m.matchField(s, f, start, s.fieldEnd[f])
		start = s.fieldEnd[f]
	}
	m.evaluate(s)
	if m.learned != nil {
		m.learnedScore(s)
	}
}

func (s *Scratch) wordBytes(i int) []byte {
	w := s.words[i]
	return s.folded[w.f0:w.f1]
}

// matchField records every pattern that matches at words start..end-1,
// the words of field f. For each word: one pass over its bytes hashing it,
// probing the prefix index at the lengths where a prefix term ends, then
// one probe of the filter with the whole word's hash (and its singulars'),
// and a look-up and check of the few candidates only when the filter lets
// them through. The Matcher's and Scratch's slices are read once per field,
// not once per word.
func (m *Matcher) matchField(s *Scratch, f, start, end int) {
	words, folded := s.words[:end], s.folded
	filter, prefixFilter, lens := m.filter, m.prefixFilter, m.prefixLens
	for i := start; i < end; i++ {
		w := folded[words[i].f0:words[i].f1]
		h := uint32(fnvOffset)
		for j, c := range w {
			h = (h ^ uint32(c)) * fnvPrime
			if j < maxIndexedPrefix && lens&(1<<(j+1)) != 0 {
				if b := h & filterMask; prefixFilter[b/64]&(1<<(b%64)) != 0 {
					m.recordPrefix(s, m.prefixes[string(w[:j+1])], f, i)
				}
			}
		}
		if b := h & filterMask; filter[b/64]&(1<<(b%64)) != 0 {
			m.matchFirst(s, w, f, i, end)
		}
		// A plural is found through its singular: "ataques" through "ataque"
		// and "carteles" through "cartel" (plural, below).
		if n := len(w); n > minPluralBase && w[n-1] == 's' {
			h2 := wordHash(w[:n-2])
			h1 := (h2 ^ uint32(w[n-2])) * fnvPrime
			if b := h1 & filterMask; filter[b/64]&(1<<(b%64)) != 0 {
				m.matchFirst(s, w[:n-1], f, i, end)
			}
			if n-2 >= minPluralBase && w[n-2] == 'e' {
				if b := h2 & filterMask; filter[b/64]&(1<<(b%64)) != 0 {
					m.matchFirst(s, w[:n-2], f, i, end)
				}
			}
		}
		for _, id := range m.longPrefixes {
			if p := &m.pats[id]; len(w) >= len(p.words[0]) && string(w[:len(p.words[0])]) == p.words[0] {
				if p.exact == nil || exactMatch(s.text[f], s.words[i:i+1], p) {
					s.record(id, f, i, i)
				}
			}
		}
	}
}

// recordPrefix records the single-word prefix patterns ids at word i, after
// the exact-case check of those that need one.
func (m *Matcher) recordPrefix(s *Scratch, ids []int32, f, i int) {
	for _, id := range ids {
		p := &m.pats[id]
		if p.exact == nil || exactMatch(s.text[f], s.words[i:i+1], p) {
			s.record(id, f, i, i)
		}
	}
}

// filterMask sizes Matcher.filter: 2^18 bits, 32 KB.
const filterMask = 1<<18 - 1

// FNV-1a, 32 bits.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

// wordHash is FNV-1a; matchField computes the same hash inline.
func wordHash(w []byte) uint32 {
	h := uint32(fnvOffset)
	for _, c := range w {
		h = (h ^ uint32(c)) * fnvPrime
	}
	return h
}

// matchFirst records the patterns whose first word is w.
func (m *Matcher) matchFirst(s *Scratch, w []byte, f, i, end int) {
	for _, id := range m.first[string(w)] {
		p := &m.pats[id]
		n := len(p.words)
		if i+n > end {
			continue
		}
		ok := true
		for k := 1; k < n && ok; k++ {
			ww := s.wordBytes(i + k)
			if k == n-1 && p.prefix {
				ok = len(ww) >= len(p.words[k]) && string(ww[:len(p.words[k])]) == p.words[k]
			} else {
				ok = plural(ww, p.words[k])
			}
		}
		if ok && (p.exact == nil || exactMatch(s.text[f], s.words[i:i+n], p)) {
			s.record(id, f, i, i+n-1)
		}
	}
}

// minPluralBase is the shortest folded word (in bytes) whose plural a term
// matches: "ataque" matches "ataques", but "us" does not match "uses".
const minPluralBase = 3

// plural reports whether the folded text word w is the term word want or,
// when want is at least minPluralBase bytes, want with "s" or "es" added —
// the regular plurals of English and Spanish ("troop" "troops", "cartel"
// "carteles", "intervención" "intervenciones" once folded). Exact words
// are held to their written form afterwards (exactMatch), so "=EU" never
// matches "EUs".
func plural(w []byte, want string) bool {
	if string(w) == want {
		return true
	}
	if len(want) < minPluralBase || len(w) <= len(want) || string(w[:len(want)]) != want {
		return false
	}
	rest := string(w[len(want):])
	return rest == "s" || rest == "es"
}

// exactMatch reports whether words, whose folded forms match p, are also
// written as p's words (compared in NFC: a word written decomposed, "M"
// and a combining accent, is "Ḿ", which "=M*" does not start).
func exactMatch(text []byte, words []word, p *pattern) bool {
	for k, want := range p.exact {
		src := text[words[k].s0:words[k].s1]
		if !norm.NFC.IsNormal(src) {
			src = norm.NFC.Bytes(src)
		}
		if !sameText(src, want, p.prefix && k == len(p.exact)-1) {
			return false
		}
	}
	return true
}

func sameText(b []byte, want string, prefix bool) bool {
	if prefix {
		return len(b) >= len(want) && string(b[:len(want)]) == want
	}
	return string(b) == want
}

func (s *Scratch) record(id int32, f, first, last int) {
	if s.hit[id] == 0 {
		s.touched = append(s.touched, id)
		s.firstWord[id], s.lastWord[id] = int32(first), int32(last)
	}
	s.hit[id] |= 1 << f
	if s.m.nearRefs != nil && s.m.nearRefs[id] != nil {
		s.occur(id, f, first, last)
	}
}

// evaluate folds the pattern hits into per-topic state.
func (m *Matcher) evaluate(s *Scratch) {
	for _, id := range s.touched {
		inTitle := s.hit[id]&(1<<fieldTitle) != 0
		for _, r := range m.refs[id] {
			ts := &s.tState[r.topic]
			if !ts.touched {
				ts.touched = true
				s.tTouched = append(s.tTouched, r.topic)
			}
			switch r.kind {
			case kindTerm, kindTitleTerm:
				if r.kind == kindTitleTerm && !inTitle {
					continue // named elsewhere only: Explain lists it as ignored
				}
				ts.terms++
				if inTitle {
					ts.score += 3
				} else {
					ts.score++
				}
				s.termHits = append(s.termHits, uint64(r.topic)<<32|uint64(r.idx))
			case kindExclude:
				ts.excluded = true
			case kindUnless:
				ts.unless = true
			case kindRequire:
				if !s.groupHit[r.idx] {
					s.groupHit[r.idx] = true
					s.gTouched = append(s.gTouched, r.idx)
					ts.groups++
				}
			}
		}
	}
	slices.Sort(s.termHits)
	slices.Sort(s.tTouched)
	for k, h := range s.termHits {
		ts := &s.tState[h>>32]
		if ts.hi == 0 {
			ts.lo = int32(k)
		}
		ts.hi = int32(k + 1)
	}
}

func (m *Matcher) matched(t int, ts *topicState) bool {
	ti := &m.topics[t]
	return ts.terms > 0 && (!ts.excluded || ts.unless) && int(ts.groups) == len(ti.require) && ts.score >= ti.minScore
}

// Match returns the topics the document matches, best score first (ties in
// config order). Match.Terms lists the distinct matching terms as written in
// the config, in config order. It returns nil when no topic matches.
func (m *Matcher) Match(d Doc) []newsdigest.Match {
	s := m.scratch.Get().(*Scratch)
	defer m.scratch.Put(s)
	return m.MatchAppend(nil, s, d)
}

// MatchAppend is Match for hot loops: it appends the matches to dst and
// keeps its working state in s. Once s and dst have grown to fit, it does
// not allocate (except for HTML entities other than the common ones, and
// text that is not in NFC where an exact term must be compared). The Terms
// of the appended matches reuse the backing arrays of the Terms held in
// dst's spare capacity, so pass dst[:0] only when its old matches are no
// longer needed.
func (m *Matcher) MatchAppend(dst []newsdigest.Match, s *Scratch, d Doc) []newsdigest.Match {
	s.scan(m, d)
	start := len(dst)
	topics := s.tTouched
	if m.learned != nil {
		topics = m.learned.all // the model may add a topic no pattern touched
	}
	for _, t := range topics {
		ts := &s.tState[t]
		ok, by, p := m.verdict(s, int(t))
		if !ok {
			continue
		}
		var terms []string
		if len(dst) < cap(dst) {
			dst = dst[:len(dst)+1]
			terms = dst[len(dst)-1].Terms[:0]
		} else {
			dst = append(dst, newsdigest.Match{})
		}
		ti := &m.topics[t]
		score := int(ts.score)
		if by == byModel {
			// The model's label says why; a term that matched without
			// making the topic match would only mislead.
			terms, score = append(terms, m.learned.label[percent(p)]), 1
		} else {
			for _, h := range s.termHits[ts.lo:ts.hi] {
				terms = append(terms, ti.terms[uint32(h)])
			}
		}
		dst[len(dst)-1] = newsdigest.Match{Topic: ti.name, Score: score, Terms: terms}
	}
	slices.SortStableFunc(dst[start:], func(a, b newsdigest.Match) int { return cmp.Compare(b.Score, a.Score) })
	return dst
}
