package classify

import (
	"fmt"
	"slices"

	"github.com/newsdigest/newsdigest"
)

// Compile builds one matcher for all topics. It rejects a topic without a
// name or terms, a duplicate topic name, a negative min_score, an empty
// require group, unless terms without exclude terms and any term ParseTerm
// rejects; errors name the topic and the term.
func Compile(topics []newsdigest.Topic) (*Matcher, error) {
	m := &Matcher{first: map[string][]int32{}, prefixes: map[string][]int32{}, prefixFilter: make([]uint64, (filterMask+1)/64)}
	byKey := map[string]int32{}
	type link struct {
		id, a, b int32
		within   int
	}
	var links []link
	// parse is parseTerm, once per distinct term: Compile needs each term's
	// pattern for dedup, the index and Explain.
	type parsed struct {
		p   pattern
		err error
	}
	cache := map[string]parsed{}
	parse := func(term string) (pattern, error) {
		r, ok := cache[term]
		if !ok {
			r.p, r.err = parseTerm(term)
			cache[term] = r
		}
		return r.p, r.err
	}
	// addPat returns the id of p's pattern, adding it (and, for a proximity
	// term, its operands) if it is new.
	var addPat func(p pattern) int32
	addPat = func(p pattern) int32 {
		k := p.key()
		id, ok := byKey[k]
		if ok {
			return id
		}
		id = int32(len(m.pats))
		byKey[k] = id
		m.pats = append(m.pats, p)
		m.refs = append(m.refs, nil)
		if p.near != nil {
			links = append(links, link{id, addPat(p.near.ops[0]), addPat(p.near.ops[1]), p.near.within})
		}
		return id
	}
	add := func(term string, r ref) error {
		p, err := parse(term)
		if err != nil {
			return err
		}
		id := addPat(p)
		m.refs[id] = append(m.refs[id], r)
		return nil
	}
	names := map[string]bool{}
	for i, t := range topics {
		ti := int32(i)
		switch {
		case t.Name == "":
			return nil, fmt.Errorf("classify: topic %d has no name", i+1)
		case names[t.Name]:
			return nil, fmt.Errorf("classify: topic %q defined twice", t.Name)
		case len(t.Terms) == 0:
			return nil, fmt.Errorf("classify: topic %q has no terms", t.Name)
		case t.MinScore < 0:
			return nil, fmt.Errorf("classify: topic %q: min_score %d is negative", t.Name, t.MinScore)
		case len(t.Unless) > 0 && len(t.Exclude) == 0:
			return nil, fmt.Errorf("classify: topic %q: unless without exclude has no effect", t.Name)
		}
		names[t.Name] = true
		info := topicInfo{name: t.Name, minScore: int32(max(t.MinScore, 1))}
		for _, term := range dedupFolded(t.Terms, parse) {
			if err := add(term, ref{ti, kindTerm, int32(len(info.terms))}); err != nil {
				return nil, fmt.Errorf("classify: topic %q: term %q: %w", t.Name, term, err)
			}
			info.terms = append(info.terms, term)
		}
		for _, term := range dedup(t.Exclude) {
			if err := add(term, ref{ti, kindExclude, int32(len(info.exclude))}); err != nil {
				return nil, fmt.Errorf("classify: topic %q: exclude term %q: %w", t.Name, term, err)
			}
			info.exclude = append(info.exclude, term)
		}
		for _, term := range dedup(t.Unless) {
			if err := add(term, ref{ti, kindUnless, int32(len(info.unless))}); err != nil {
				return nil, fmt.Errorf("classify: topic %q: unless term %q: %w", t.Name, term, err)
			}
			info.unless = append(info.unless, term)
		}
		for g, group := range t.Require {
			if len(group) == 0 {
				return nil, fmt.Errorf("classify: topic %q: require group %d is empty", t.Name, g+1)
			}
			group = dedup(group)
			for _, term := range group {
				if err := add(term, ref{ti, kindRequire, int32(m.nGroups)}); err != nil {
					return nil, fmt.Errorf("classify: topic %q: require term %q: %w", t.Name, term, err)
				}
			}
			info.require = append(info.require, group)
			m.nGroups++
		}
		m.topics = append(m.topics, info)
	}
	// Pattern ids of each topic's terms, for Explain.
	id := func(term string) int32 {
		p, _ := parse(term) // parsed without error above
		return byKey[p.key()]
	}
	for i := range m.topics {
		t := &m.topics[i]
		for _, term := range t.terms {
			t.termPat = append(t.termPat, id(term))
		}
		for _, term := range t.exclude {
			t.exclPat = append(t.exclPat, id(term))
		}
		for _, term := range t.unless {
			t.unlPat = append(t.unlPat, id(term))
		}
		for _, group := range t.require {
			var ids []int32
			for _, term := range group {
				ids = append(ids, id(term))
			}
			t.reqPat = append(t.reqPat, ids)
		}
	}
	if len(links) > 0 {
		m.nearRefs = make([][]nearRef, len(m.pats))
		for _, l := range links {
			m.linkNear(l.id, l.a, l.b, l.within)
		}
	}
	for id, p := range m.pats {
		if p.near != nil {
			continue // found through its operands
		}
		if len(p.words) == 1 && p.prefix {
			m.addPrefix(p.words[0], int32(id))
		} else {
			m.first[p.words[0]] = append(m.first[p.words[0]], int32(id))
		}
	}
	m.filter = make([]uint64, (filterMask+1)/64)
	for w := range m.first {
		h := wordHash([]byte(w)) & filterMask
		m.filter[h/64] |= 1 << (h % 64)
	}
	m.scratch.New = func() any { return new(Scratch) }
	return m, nil
}

func dedup(terms []string) []string {
	var out []string
	seen := make(map[string]bool, len(terms))
	for _, t := range terms {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// dedupFolded drops terms that say the same as an earlier one once folded
// ("cártel" or "CARTEL" after "cartel"), and terms that are another term's
// plural ("cartels", "carteles" beside "cartel", which matches them): one
// word is one term, scored once and reported as first written.
func dedupFolded(terms []string, parse func(string) (pattern, error)) []string {
	var out []string
	var pats []pattern
	seen := make(map[string]bool, len(terms))
	for _, t := range terms {
		k := "\x00" + t
		p, err := parse(t)
		if err == nil {
			k = p.key()
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
			pats = append(pats, p)
		}
	}
	// A term is another's plural when its singular, tried word by word, is
	// the key of another term: found by lookup, not by comparing every pair
	// (10,000 terms would be 10^8 comparisons at start-up).
	keys := make(map[string]bool, len(pats))
	for k := range pats {
		keys[pats[k].key()] = true
	}
	kept := out[:0]
	for i, t := range out {
		if !hasSingular(&pats[i], keys) {
			kept = append(kept, t)
		}
	}
	return kept
}

// maxSingulars bounds the singular forms hasSingular tries for one term (a
// word ending in "es" has two, in "s" one): a term with more keeps them all.
const maxSingulars = 64

// hasSingular reports whether one of keys is the key of a term whose
// plural b is ("grupos criminales" of "grupo criminal", "cartels" of
// "cartel"): every text b matches, that term matches too. Exact and
// proximity terms are never anyone's plural, and a prefix word stays as is.
func hasSingular(b *pattern, keys map[string]bool) bool {
	if b.near != nil || b.exact != nil || len(b.words) == 0 {
		return false
	}
	words := slices.Clone(b.words)
	tried := 0
	var try func(k int, changed bool) bool
	try = func(k int, changed bool) bool {
		if k == len(words) {
			tried++
			return changed && keys[(&pattern{words: words, prefix: b.prefix}).key()]
		}
		if tried >= maxSingulars {
			return false
		}
		if try(k+1, changed) {
			return true
		}
		w := b.words[k]
		if b.prefix && k == len(words)-1 {
			return false
		}
		for _, cut := range []int{1, 2} {
			if s := w[:max(0, len(w)-cut)]; s != w && plural([]byte(w), s) {
				words[k] = s
				found := try(k+1, true)
				words[k] = w
				if found {
					return true
				}
			}
		}
		return false
	}
	return try(0, false)
}

func (m *Matcher) addPrefix(prefix string, id int32) {
	if len(prefix) == 0 || len(prefix) > maxIndexedPrefix {
		m.longPrefixes = append(m.longPrefixes, id)
		return
	}
	m.prefixes[prefix] = append(m.prefixes[prefix], id)
	m.prefixLens |= 1 << len(prefix)
	h := wordHash([]byte(prefix)) & filterMask
	m.prefixFilter[h/64] |= 1 << (h % 64)
}
