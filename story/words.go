package story

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest/classify"
)

// stemmer turns text into stem IDs, assigning IDs to new stems as it goes,
// and counts how each stem is written, so that grouping can tell names
// ("Sinaloa", "Zolotic", "CJNG") from other words.
type stemmer struct {
	ids    map[string]uint32
	stemOf []string   // by stem ID
	info   []stemInfo // by stem ID
	occ    []occurrence
	lang   [3]int   // stop words of each language in the doc being read
	ages   []uint32 // figures written as a person's age in the doc being read
	acts   actions  // the actions of the doc being read (actions.go)
	// heads: read each title's head (headStems), which only GroupAfter
	// with posted docs asks about.
	heads bool
	// words caches what a word as written (raw) comes to: a window holds
	// far fewer distinct words than words, and folding and stemming a word
	// was most of reading a window. toks holds every cached word's tokens.
	words map[string]wordEntry
	toks  []wordToken
}

// wordEntry is what one word as written comes to: its tokens
// (toks[start:end]) and how it is written.
type wordEntry struct {
	start, end uint32
	cap, acr   bool
	lower      bool // has a lower-case letter and is not an acronym
	content    bool // lower, not capitalised, and long enough to be a content word
	// neg: how the word negates the next word that is not a function
	// word ("not", "no", "never", "fails" of "fails to reach"; "doesn" of
	// "doesn't" only before "'t"), whose action then does not count
	// (actions.go).
	neg negation
	// function: the word is only stop words or one letter, and passes a
	// negation on to the next.
	function bool
}

// wordToken is one folded part of a word: a stem, or a stop word of a
// language.
type wordToken struct {
	id   uint32
	stop bool
	lang uint8  // of a stop word
	act  action // the action the word reports, actNone when none
}

// stemInfo is what the window says about one stem.
type stemInfo struct {
	figure bool // a figure ("14", "3p8%", "596m"), not a year
	place  bool // a place of the lexicon: always a name
	// calendar: a day or month name, capitalised in English without being
	// a name that tells stories apart.
	calendar bool
	// within: 1 + the stem ID of the country a city of the lexicon is in
	// (lexicon.go's within); 0 for other stems.
	within uint32
	// capMid and lowMid count the stem's occurrences inside a sentence, in
	// text written in sentence case (not Title Case, not ALL CAPS),
	// capitalised or not; capFirst counts capitalised occurrences that start
	// a sentence or a title, and acronym those written in capitals ("CJNG").
	capMid, lowMid, capFirst, acronym int32
}

// occurrence is one word of a text being read: its stem and how it was
// written.
type occurrence struct {
	id              uint32
	first, cap, acr bool
}

func newStemmer() *stemmer {
	return &stemmer{ids: map[string]uint32{}, words: map[string]wordEntry{}}
}

// doc makes the clusterer's view of one item.
func (s *stemmer) doc(in Doc) clusterDoc {
	d := s.read(in)
	d.sortStems()
	return d
}

// read is doc with the stem IDs of title, all and tcap in the order the
// words come, an ID more than once when a word is.
func (s *stemmer) read(in Doc) clusterDoc {
	title := stripOutlet(in.Title, in.Source, in.Feed)
	d := clusterDoc{key: in.Key}
	if !in.At.IsZero() {
		d.at = in.At.Unix()
	}
	s.lang, s.ages, s.acts = [3]int{}, nil, 0
	d.title, d.tcap = s.stems(nil, nil, title, -1)
	d.tacts = s.acts
	if s.heads {
		d.head = s.headStems(title)
	}
	d.all, _ = s.stems(slices.Clone(d.title), nil, in.Lede, maxLedeWords)
	d.ages, d.acts = s.ages, s.acts
	switch en, es := s.lang[langEN], s.lang[langES]; {
	case en > es:
		d.lang = langEN
	case es > en:
		d.lang = langES
	}
	return d
}

// normText rewrites what a title or lede writes in several ways into one
// form before its words are read: spelled-out abbreviations (spellOut),
// dotted initials (joinInitials), codes with a number (joinCodes) and
// figures (normNumbers). Titles, ledes and titles' heads all go through it.
func normText(text string) string {
	return normNumbers(joinCodes(joinInitials(spellOut(text))))
}

// dotted spells out abbreviations whose letters would otherwise be dropped
// as one-letter words, and writes a few many-word names as one word.
var dotted = strings.NewReplacer(dottedPairs...)

// dottedPairs are dotted's patterns, each followed by what replaces it.
var dottedPairs = []string{"U.S.", "US", "EE.UU.", "EEUU", "EE. UU.", "EEUU", "EE UU", "EEUU",
	"United States", "US", "Estados Unidos", "EEUU",
	"Mexico City", "CDMX", "Ciudad de México", "CDMX", "South Africa", "Sudafrica"}

// spellOut is dotted.Replace(text), without the replacer's walk over a
// text that holds none of its patterns (most texts).
func spellOut(text string) string {
	for _, p := range dottedHints {
		if strings.Contains(text, p) {
			return dotted.Replace(text)
		}
	}
	return text
}

// dottedHints are parts of dotted's patterns: a text holding none holds no
// pattern ("U." is in "U.S.", "EE.UU." and "EE. UU."; El País writes "EE UU").
var dottedHints = []string{"U.", "EE UU", "United States", "Estados Unidos", "Mexico City", "Ciudad de México", "South Africa"}

// joinInitials writes abbreviations spelled with dotted capitals as one
// word, "N.A.A.C.P." as "NAACP" and "D.C." as "DC", so that they meet the
// outlets that write them without dots; the tokenizer would otherwise cut
// them into one-letter words and drop them. Only runs of two or more
// capital-dot pairs that stand alone count: "George W. Bush" and
// "A.B.Cooper" are left as they are.
func joinInitials(text string) string {
	if !strings.Contains(text, ".") {
		return text
	}
	var b []byte
	last := 0 // text[:last] is in b (once b is used)
	for i := 0; i+3 < len(text); i++ {
		if !isCapital(text[i]) || text[i+1] != '.' {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(text[:i]); i > 0 && (classify.IsWordRune(r) || r == '.') {
			continue
		}
		j := i
		for j+1 < len(text) && isCapital(text[j]) && text[j+1] == '.' {
			j += 2
		}
		if j-i < 4 {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(text[j:]); j < len(text) && classify.IsWordRune(r) {
			i = j
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(text))
		}
		b = append(b, text[last:i]...)
		for k := i; k < j; k += 2 {
			b = append(b, text[k])
		}
		last, i = j, j-1
	}
	if b == nil {
		return text
	}
	return string(append(b, text[last:]...))
}

func isCapital(c byte) bool { return c >= 'A' && c <= 'Z' }

// notWordRune separates words: any rune that classify.IsWordRune, the one
// definition of a word character, rejects.
func notWordRune(r rune) bool { return !classify.IsWordRune(r) }

// apostropheT reports whether text starts with "'t" or "’t" that ends a
// word: the rest of "won't", "doesn't".
func apostropheT(text string) bool {
	rest, ok := strings.CutPrefix(text, "'")
	if !ok {
		rest, ok = strings.CutPrefix(text, "’")
	}
	if !ok || (!strings.HasPrefix(rest, "t") && !strings.HasPrefix(rest, "T")) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest[1:])
	return len(rest) == 1 || !classify.IsWordRune(r)
}

// sentenceBreak reports whether r, between two words, makes the second
// one start a sentence (or a quotation, or a headline after its kicker).
func sentenceBreak(r rune) bool {
	switch r {
	case '.', ':', '!', '?', '¿', '¡', '|', '"', '“', '”', '«', '»', ';', '(', '[':
		return true
	}
	return false
}

// stems appends the stem IDs of text's words (at most max words when max >=
// 0) to dst, and those of words written with a capital to caps, in the
// order the words come. It counts how each stem was written (stemInfo),
// and adds the figures written as a person's age (ageAt) to s.ages.
func (s *stemmer) stems(dst, caps []uint32, text string, max int) ([]uint32, []uint32) {
	text = normText(text)
	s.occ = s.occ[:0]
	// lower: the text has a lower-case content word, so it is written in
	// sentence case, not Title Case; mixed: it has a lower-case letter at
	// all, so it is not written in capitals.
	words, lower, mixed := 0, false, false
	first := true
	negated := false // the word before negates this one
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !classify.IsWordRune(r) {
			first = first || sentenceBreak(r)
			if r != ' ' && r != '\'' && r != '’' {
				negated = false // a negation ends at punctuation
			}
			i += size
			continue
		}
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !classify.IsWordRune(r) {
				break
			}
			j += size
		}
		start, raw := i, text[i:j]
		i = j
		if max >= 0 && words >= max {
			break
		}
		words++
		isFirst := first
		first = false
		w := s.word(raw)
		neg := negated
		switch {
		case w.neg == negAlways || (w.neg == negContraction && apostropheT(text[j:])):
			negated = true
		case !w.function: // "not to approve", "no se aprueba", the "t" of "won't" pass it on
			negated = false
		}
		if w.end == w.start+1 && !s.toks[w.start].stop && s.info[s.toks[w.start].id].figure && ageAt(text, start, j) {
			// "4-year-old", "Boy, 16,", "de 17 años": the figure is an age.
			s.ages = append(s.ages, s.toks[w.start].id)
		}
		if w.lower {
			mixed = true
			lower = lower || w.content
		}
		for _, t := range s.toks[w.start:w.end] {
			if t.stop {
				s.lang[t.lang]++
				continue
			}
			dst = append(dst, t.id)
			if !neg && t.act != actNone {
				s.acts |= 1 << t.act
			}
			if w.cap || w.acr {
				caps = append(caps, t.id)
			}
			s.occ = append(s.occ, occurrence{id: t.id, first: isFirst, cap: w.cap, acr: w.acr})
		}
	}
	// Count how the stems were written. Case says something about names
	// only in sentence-case text: in Title Case every word is capitalised,
	// in ALL CAPS every word is an "acronym".
	for _, o := range s.occ {
		in := &s.info[o.id]
		switch {
		case o.acr && mixed:
			in.acronym++
		case o.cap && o.first:
			in.capFirst++
		case !lower:
		case o.cap:
			in.capMid++
		case !o.first:
			in.lowMid++
		}
	}
	return dst, caps
}

// sortStems sorts the doc's stem IDs, each ID once.
func (d *clusterDoc) sortStems() {
	d.title, d.all, d.tcap, d.ages = compactSorted(d.title), compactSorted(d.all), compactSorted(d.tcap), compactSorted(d.ages)
	if d.head != nil {
		d.head = compactSorted(d.head)
	}
}

// word is what a word as written comes to, from the cache or computed
// once: its case, and its tokens (folded parts that are stop words, and
// the stem IDs of the others, numbers written as words made figures).
func (s *stemmer) word(raw string) wordEntry {
	if w, ok := s.words[raw]; ok {
		return w
	}
	t := tables()
	cap, acr := wordCase(raw)
	w := wordEntry{start: uint32(len(s.toks)), cap: cap, acr: acr, neg: t.actions.negates(raw)}
	if !acr && strings.ContainsFunc(raw, unicode.IsLower) {
		w.lower = true
		w.content = !cap && len(raw) >= 4 && !t.stop[raw]
	}
	for f := range strings.FieldsFuncSeq(classify.FoldString(raw), notWordRune) {
		if n, ok := numberWords[f]; ok {
			f = n
		}
		if t.stop[f] || (len(f) == 1 && !isDigit(f[0])) {
			s.toks = append(s.toks, wordToken{stop: true, lang: t.lang[f]})
			continue
		}
		act := t.actions.of(f)
		if w, ok := t.wholeWords[f]; ok {
			f = w
		} else if !isDigit(f[0]) {
			// The lexicon's words as they are ("Beijing", "hearing"),
			// before their endings are taken off.
			if c, ok := t.concepts[plainStem(f)]; ok {
				f = c
			} else if f = stem(f); t.concepts[f] != "" {
				f = t.concepts[f]
			}
		}
		s.toks = append(s.toks, wordToken{id: s.id(f), act: act})
	}
	w.end = uint32(len(s.toks))
	w.function = true
	for _, tok := range s.toks[w.start:w.end] {
		w.function = w.function && tok.stop
	}
	s.words[strings.Clone(raw)] = w
	return w
}

// id is the stem ID of stem f, a new one if f has none yet. A city's
// country has its ID before the city does.
func (s *stemmer) id(f string) uint32 {
	if id, ok := s.ids[f]; ok {
		return id
	}
	t := tables()
	in := stemInfo{figure: isDigit(f[0]) && !isYear(f), place: t.placeStems[f], calendar: t.calendar[f]}
	if c, ok := within[f]; ok {
		in.within = s.id(c) + 1
	}
	id := uint32(len(s.ids))
	s.ids[f] = id
	s.stemOf = append(s.stemOf, f)
	s.info = append(s.info, in)
	return id
}

// wordCase reports whether a word starts with a capital letter, and whether
// it is an acronym: two or more letters, all capitals.
func wordCase(w string) (capital, acronym bool) {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false, false
	}
	letters := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return true, false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return true, letters >= 2
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isYear reports whether a figure is a year of the 20th or 21st century,
// which names a time ("Tokyo 2020"), not a quantity.
func isYear(f string) bool {
	return len(f) == 4 && (strings.HasPrefix(f, "19") || strings.HasPrefix(f, "20")) && isDigit(f[2]) && isDigit(f[3])
}

func compactSorted(ts []uint32) []uint32 {
	slices.Sort(ts)
	return slices.Compact(ts)
}

// stem cuts a folded word to its first stemRunes runes, once a final "s"
// (not "ss") is dropped from words longer than three letters, and an
// English "-ing" or "-ed" and then a final "e" from what is left ("filing",
// "filed" and "files" are "fil"; "seized" and "seize" are "seiz"), so that
// a verb's forms meet.
func stem(w string) string {
	w = dropPlural(w)
	switch {
	case len(w) >= 6 && strings.HasSuffix(w, "ing"):
		w = w[:len(w)-3]
	case len(w) >= 5 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed"):
		w = w[:len(w)-2]
	}
	if len(w) > 3 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	return cut(w)
}

// plainStem is stem without the verb endings: a plural's "s" dropped, then
// the first stemRunes runes.
func plainStem(w string) string { return cut(dropPlural(w)) }

// dropPlural drops a final "s" (not "ss") from words longer than three
// letters: a plural, or a verb's third person ("hits", "tests").
func dropPlural(w string) string {
	if len(w) > 3 && w[len(w)-1] == 's' && w[len(w)-2] != 's' {
		return w[:len(w)-1]
	}
	return w
}

func cut(w string) string {
	n := 0
	for i := range w {
		if n == stemRunes {
			return w[:i]
		}
		n++
	}
	return w
}
