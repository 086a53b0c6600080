package classify

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/newsdigest/newsdigest"
)

// Compile builds one matcher for all topics. It rejects a topic without a
// name or terms (terms or title terms), a duplicate topic name, a negative
// min_score, an empty require group, unless terms without exclude terms, a
// title term that says the same as a term (CheckTitleTerms) and any term
// ParseTerm rejects; errors name the topic and the term.
func Compile(topics []newsdigest.Topic) (*Matcher, error) {
	// Sizes: a topic's terms are mostly its own; its require groups are
	// often those of other topics too, but may add patterns.
	nTerms, nRequire := 0, 0
	for _, t := range topics {
		nTerms += len(t.Terms) + len(t.TitleTerms) + len(t.Exclude) + len(t.Unless)
		for _, g := range t.Require {
			nRequire += len(g)
		}
	}
	m := &Matcher{
		prefixes:     map[string][]int32{},
		prefixFilter: make([]uint64, (filterMask+1)/64),
		pats:         make([]pattern, 0, nTerms+nRequire),
	}
	// Each pattern's meanings, collected in order; m.refs slices one array.
	type patRef struct {
		id int32
		r  ref
	}
	refs := make([]patRef, 0, nTerms)
	byKey := make(map[string]int32, nTerms)
	type link struct {
		id, a, b int32
		within   int
	}
	var links []link
	// addPat returns the id of p's pattern, adding it (and, for a proximity
	// term, its operands) if it is new.
	var addPat func(p pattern) int32
	addPat = func(p pattern) int32 {
		id, ok := byKey[p.k]
		if ok {
			return id
		}
		id = int32(len(m.pats))
		byKey[p.k] = id
		m.pats = append(m.pats, p)
		if p.near != nil {
			links = append(links, link{id, addPat(p.near.ops[0]), addPat(p.near.ops[1]), p.near.within})
		}
		return id
	}
	// add adds term with its meaning r and returns its pattern's id.
	add := func(term parsedTerm, r ref) (int32, error) {
		if term.err != nil {
			return 0, term.err
		}
		id := addPat(term.p)
		refs = append(refs, patRef{id, r})
		return id, nil
	}
	// Exclude, unless and require terms are often the same in every topic
	// (require: [[mexico, méxico, mexican*]]): each is parsed once.
	otherIDs := map[string]int32{}
	addOther := func(term string, r ref) (int32, error) {
		id, ok := otherIDs[term]
		if !ok {
			p, err := parseTerm(term)
			if err != nil {
				return 0, err
			}
			id = addPat(p)
			otherIDs[term] = id
		}
		refs = append(refs, patRef{id, r})
		return id, nil
	}
	names := map[string]bool{}
	for i, t := range topics {
		ti := int32(i)
		switch {
		case t.Name == "":
			return nil, fmt.Errorf("classify: topic %d has no name", i+1)
		case names[t.Name]:
			return nil, fmt.Errorf("classify: topic %q defined twice", t.Name)
		case len(t.Terms) == 0 && len(t.TitleTerms) == 0:
			return nil, fmt.Errorf("classify: topic %q has no terms", t.Name)
		case t.MinScore < 0:
			return nil, fmt.Errorf("classify: topic %q: min_score %d is negative", t.Name, t.MinScore)
		case len(t.Unless) > 0 && len(t.Exclude) == 0:
			return nil, fmt.Errorf("classify: topic %q: unless without exclude has no effect", t.Name)
		}
		names[t.Name] = true
		info := topicInfo{name: t.Name, minScore: int32(max(t.MinScore, 1))}
		// Each term is kept as written with its pattern's id, for Explain:
		// the terms, then the title terms.
		terms, nPlain, err := topicTerms(t)
		if err != nil {
			return nil, fmt.Errorf("classify: topic %q: %w", t.Name, err)
		}
		info.terms, info.termPat = make([]string, 0, len(terms)), make([]int32, 0, len(terms))
		info.nPlain = nPlain
		for k, term := range terms {
			kind, what := uint8(kindTerm), "term"
			if k >= info.nPlain {
				kind, what = kindTitleTerm, "title term"
			}
			id, err := add(term, ref{ti, kind, int32(len(info.terms))})
			if err != nil {
				return nil, fmt.Errorf("classify: topic %q: %s %q: %w", t.Name, what, term.term, err)
			}
			info.terms, info.termPat = append(info.terms, term.term), append(info.termPat, id)
		}
		for _, term := range dedup(t.Exclude) {
			id, err := addOther(term, ref{ti, kindExclude, int32(len(info.exclude))})
			if err != nil {
				return nil, fmt.Errorf("classify: topic %q: exclude term %q: %w", t.Name, term, err)
			}
			info.exclude, info.exclPat = append(info.exclude, term), append(info.exclPat, id)
		}
		for _, term := range dedup(t.Unless) {
			id, err := addOther(term, ref{ti, kindUnless, int32(len(info.unless))})
			if err != nil {
				return nil, fmt.Errorf("classify: topic %q: unless term %q: %w", t.Name, term, err)
			}
			info.unless, info.unlPat = append(info.unless, term), append(info.unlPat, id)
		}
		for g, group := range t.Require {
			if len(group) == 0 {
				return nil, fmt.Errorf("classify: topic %q: require group %d is empty", t.Name, g+1)
			}
			group = dedup(group)
			var ids []int32
			for _, term := range group {
				id, err := addOther(term, ref{ti, kindRequire, int32(m.nGroups)})
				if err != nil {
					return nil, fmt.Errorf("classify: topic %q: require term %q: %w", t.Name, term, err)
				}
				ids = append(ids, id)
			}
			info.require, info.reqPat = append(info.require, group), append(info.reqPat, ids)
			m.nGroups++
		}
		m.topics = append(m.topics, info)
	}
	if len(links) > 0 {
		m.nearRefs = make([][]nearRef, len(m.pats))
		m.nearPairs = make(map[uint64][]nearRef, 2*len(links))
		arena := make([]nearRef, 0, 4*len(links))
		for _, l := range links {
			m.linkNear(l.id, l.a, l.b, l.within, &arena)
		}
	}
	// m.refs[id] is refs[start[id]:start[id+1]] sorted by id, in order.
	start := make([]int32, len(m.pats)+1)
	for _, r := range refs {
		start[r.id+1]++
	}
	for id := range m.pats {
		start[id+1] += start[id]
	}
	flat, at := make([]ref, len(refs)), slices.Clone(start)
	for _, r := range refs {
		flat[at[r.id]] = r.r
		at[r.id]++
	}
	m.refs = make([][]ref, len(m.pats))
	for id := range m.refs {
		m.refs[id] = flat[start[id]:start[id+1]:start[id+1]]
	}
	// Most words start one pattern: their lists are slices of ids, one
	// array, until a second pattern needs its own.
	ids := make([]int32, len(m.pats))
	m.first = make(map[string][]int32, len(m.pats))
	for id, p := range m.pats {
		if p.near != nil {
			continue // found through its operands
		}
		ids[id] = int32(id)
		if len(p.words) == 1 && p.prefix {
			m.addPrefix(p.words[0], ids[id:id+1:id+1])
		} else if l, ok := m.first[p.words[0]]; ok {
			m.first[p.words[0]] = append(l, int32(id))
		} else {
			m.first[p.words[0]] = ids[id : id+1 : id+1]
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

// dedup returns terms without repeats, in order. Exclude, unless and
// require lists are short: up to 32 terms, each is compared with those
// kept, without a map.
func dedup(terms []string) []string {
	if len(terms) == 0 {
		return nil
	}
	out := make([]string, 0, len(terms))
	if len(terms) <= 32 {
		for _, t := range terms {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
		return out
	}
	seen := make(map[string]bool, len(terms))
	for _, t := range terms {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// topicTerms returns a topic's terms and then its title terms, each list
// without the terms that say the same as an earlier one (dedupFolded), and
// how many of them are terms; CheckTitleTerms must hold.
func topicTerms(t newsdigest.Topic) (terms []parsedTerm, nPlain int, err error) {
	plain := dedupParsed(parseAll(t.Terms, parseTerm))
	if len(t.TitleTerms) == 0 {
		return plain, len(plain), nil
	}
	title := dedupParsed(parseAll(t.TitleTerms, parseTerm))
	if err := checkTitleTerms(plain, title); err != nil {
		return nil, 0, err
	}
	return append(plain, title...), len(plain), nil
}

// CheckTitleTerms reports a title term that says the same as one of a
// topic's terms: as written, folded, or as its plural or singular. It
// would count in the title twice, or not at all in the summary, depending
// on the order the two were written in. config checks topics with it;
// Compile rejects what it rejects.
func CheckTitleTerms(terms, titleTerms []string) error {
	if len(terms) == 0 || len(titleTerms) == 0 {
		return nil
	}
	return checkTitleTerms(dedupParsed(parseAll(terms, parseTerm)), dedupParsed(parseAll(titleTerms, parseTerm)))
}

// checkTitleTerms is CheckTitleTerms on the terms and title terms as
// dedupFolded keeps them, each parsed once.
func checkTitleTerms(plain, title []parsedTerm) error {
	if len(plain) == 0 || len(title) == 0 {
		return nil
	}
	if len(dedupParsed(append(slices.Clip(plain), title...))) == len(plain)+len(title) {
		return nil
	}
	for _, x := range title {
		if len(dedupParsed(append(slices.Clip(plain), x))) <= len(plain) {
			return fmt.Errorf("title term %q says the same as a term (as written, folded, or as its plural or singular): keep it in one list", x.term)
		}
	}
	return errors.New("a title term says the same as a term (folded, or as a plural): keep each in one list")
}

// parsedTerm is a term as written and what parseTerm made of it.
type parsedTerm struct {
	term string
	p    pattern
	err  error
}

// dedupFolded drops terms that say the same as an earlier one once folded
// ("cártel" or "CARTEL" after "cartel"), and terms that are another term's
// plural ("cartels", "carteles" beside "cartel", which matches them): one
// word is one term, scored once and reported as first written. It returns
// the terms kept, in order, each parsed once with parse.
func dedupFolded(terms []string, parse func(string) (pattern, error)) []parsedTerm {
	return dedupParsed(parseAll(terms, parse))
}

// parseAll parses each term with parse.
func parseAll(terms []string, parse func(string) (pattern, error)) []parsedTerm {
	out := make([]parsedTerm, len(terms))
	for i, t := range terms {
		p, err := parse(t)
		out[i] = parsedTerm{t, p, err}
	}
	return out
}

// dedupParsed is dedupFolded on terms already parsed; it returns a new
// slice and leaves terms as they are.
func dedupParsed(terms []parsedTerm) []parsedTerm {
	out := make([]parsedTerm, 0, len(terms))
	seen := make(map[string]bool, len(terms))
	for _, t := range terms {
		k := t.p.key()
		if t.err != nil {
			k = "\x00" + t.term
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	// Only a term with a word ending in "s" (its last word, if a prefix,
	// aside) can be another's plural: without one, there is nothing to do.
	maybePlural := func(p *pattern) bool {
		if p.exact != nil || p.near != nil {
			return false // never anyone's plural
		}
		for k, w := range p.words {
			if strings.HasSuffix(w, "s") && !(p.prefix && k == len(p.words)-1) {
				return true
			}
		}
		return false
	}
	if !slices.ContainsFunc(out, func(t parsedTerm) bool { return maybePlural(&t.p) }) {
		return out
	}
	// A term's singular has its number of words, and first and last words
	// among the term's own words' singulars: only terms of those shapes are
	// compared, so that a long list is not compared pair by pair. last[k]
	// is 1 + the last term of shape k, next[j] 1 + the term before j of
	// j's shape.
	type shape struct {
		n           int
		prefix      bool
		first, last string
	}
	last := make(map[shape]int32, len(out))
	next := make([]int32, len(out))
	for j := range out {
		if p := &out[j].p; len(p.words) > 0 && p.exact == nil {
			k := shape{len(p.words), p.prefix, p.words[0], p.words[len(p.words)-1]}
			next[j], last[k] = last[k], int32(j)+1
		}
	}
	covered := func(i int) bool {
		b := &out[i].p
		if !maybePlural(b) {
			return false
		}
		n := len(b.words)
		lasts, nLasts := singulars(b.words[n-1])
		if b.prefix {
			nLasts = 1 // a prefix is never a plural
		}
		firsts, nFirsts := singulars(b.words[0])
		for _, first := range firsts[:nFirsts] {
			for _, lastWord := range lasts[:nLasts] {
				if n == 1 && first != lastWord {
					continue
				}
				for j := last[shape{n, b.prefix, first, lastWord}]; j != 0; j = next[j-1] {
					if int(j-1) != i && pluralOf(b, &out[j-1].p) {
						return true
					}
				}
			}
		}
		return false
	}
	drop := make([]bool, len(out))
	for i := range out {
		drop[i] = covered(i)
	}
	kept := out[:0]
	for i := range out {
		if !drop[i] {
			kept = append(kept, out[i])
		}
	}
	return kept
}

// singulars are the words w may be the plural of (plural): w itself, and
// w less a final "s" or "es"; the first n of the array.
func singulars(w string) (out [3]string, n int) {
	out[0], n = w, 1
	if s, ok := strings.CutSuffix(w, "s"); ok {
		out[1], n = s, 2
		if e, ok := strings.CutSuffix(s, "e"); ok {
			out[2], n = e, 3
		}
	}
	return out, n
}

// pluralOf reports whether every text b matches, a matches too because b
// is a with plural words ("grupos criminales" of "grupo criminal"). Exact
// and proximity terms are never anyone's plural.
func pluralOf(b, a *pattern) bool {
	if a.near != nil || b.near != nil || a.exact != nil || b.exact != nil ||
		a.prefix != b.prefix || len(a.words) != len(b.words) || len(a.words) == 0 {
		return false
	}
	same := true
	for k, w := range b.words {
		if a.prefix && k == len(a.words)-1 {
			if w != a.words[k] {
				return false
			}
			continue
		}
		if !plural([]byte(w), a.words[k]) {
			return false
		}
		same = same && w == a.words[k]
	}
	return !same
}

// addPrefix indexes the single-word prefix pattern id, given as a slice of
// one.
func (m *Matcher) addPrefix(prefix string, id []int32) {
	if len(prefix) == 0 || len(prefix) > maxIndexedPrefix {
		m.longPrefixes = append(m.longPrefixes, id[0])
		return
	}
	if l, ok := m.prefixes[prefix]; ok {
		m.prefixes[prefix] = append(l, id[0])
	} else {
		m.prefixes[prefix] = id
	}
	m.prefixLens |= 1 << len(prefix)
	h := wordHash([]byte(prefix)) & filterMask
	m.prefixFilter[h/64] |= 1 << (h % 64)
}
