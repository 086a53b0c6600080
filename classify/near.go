package classify

import (
	"unicode"
	"unicode/utf8"
)

// Proximity terms ("A ~N B") are matched in the same pass as every other
// term. Their operands A and B are ordinary patterns of the index; each
// time an operand matches, its occurrence is checked against the closest
// earlier occurrence of its partner and then kept for later ones. The work
// per occurrence is bounded by what the document holds — the proximity
// terms of that operand, or the operands seen so far, whichever is fewer —
// never by the number of terms in the watchlists.

// nearRef links an operand to one proximity term it is part of.
type nearRef struct {
	near    int32 // the proximity pattern
	partner int32 // the other operand (the operand itself for "a ~N a")
	within  int32
}

// occurrence is one match of an operand: its first and last word (global
// word indexes) and the operand's previous occurrence (-1: none).
type occurrence struct {
	first, last int32
	prev        int32
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// linkNear records that pattern id is the proximity term "a ~within b".
// The first entry of each list is taken from *arena (see appendNear).
func (m *Matcher) linkNear(id, a, b int32, within int, arena *[]nearRef) {
	if m.nearPairs == nil {
		m.nearPairs = map[uint64][]nearRef{}
	}
	w := int32(within)
	m.nearRefs[a] = appendNear(m.nearRefs[a], nearRef{id, b, w}, arena)
	m.nearPairs[pairKey(a, b)] = appendNear(m.nearPairs[pairKey(a, b)], nearRef{id, b, w}, arena)
	if a != b {
		m.nearRefs[b] = appendNear(m.nearRefs[b], nearRef{id, a, w}, arena)
		m.nearPairs[pairKey(b, a)] = appendNear(m.nearPairs[pairKey(b, a)], nearRef{id, a, w}, arena)
	}
}

// appendNear appends r to list. A new list is a slice of one of *arena,
// with no room to grow into its neighbours: most lists hold one entry, and
// all of them then cost one allocation.
func appendNear(list []nearRef, r nearRef, arena *[]nearRef) []nearRef {
	if list != nil {
		return append(list, r)
	}
	*arena = append(*arena, r)
	n := len(*arena)
	return (*arena)[n-1 : n : n]
}

// occur handles a match of operand id over words first..last of field f:
// every proximity term it completes with an earlier occurrence of its
// partner is recorded, then the occurrence is kept.
func (s *Scratch) occur(id int32, f, first, last int) {
	m := s.m
	if refs := m.nearRefs[id]; len(refs) <= len(s.opSeen) {
		for _, r := range refs {
			s.tryNear(r, f, first, last)
		}
	} else {
		for _, y := range s.opSeen {
			for _, r := range m.nearPairs[pairKey(id, y)] {
				s.tryNear(r, f, first, last)
			}
		}
	}
	if s.lastOcc[id] < 0 {
		s.opSeen = append(s.opSeen, id)
	}
	s.occ = append(s.occ, occurrence{int32(first), int32(last), s.lastOcc[id]})
	s.lastOcc[id] = int32(len(s.occ) - 1)
}

// tryNear records r's proximity term when r's partner has an occurrence
// that ends before word first, in the same sentence, with at most r.within
// words between. The partner's occurrences are kept in the order they
// started, and all have the same number of words, so the first one found
// walking back that ends before first is the closest.
func (s *Scratch) tryNear(r nearRef, f, first, last int) {
	for k := s.lastOcc[r.partner]; k >= 0; k = s.occ[k].prev {
		o := s.occ[k]
		if int(o.last) >= first {
			continue // overlaps this occurrence
		}
		if int32(first)-o.last-1 <= r.within && s.sent[o.last] == s.sent[first] {
			s.record(r.near, f, int(o.first), last)
		}
		return
	}
}

// sentences numbers the sentences of the words from index from on (one
// field): the numbers go on from the previous field's, plus one, so words
// of two fields are never in one sentence.
func (s *Scratch) sentences(text []byte, from int) {
	n := int32(0)
	if from > 0 {
		n = s.sent[from-1] + 1
	}
	for i := from; i < len(s.words); i++ {
		if i > from {
			prev := s.words[i-1]
			dotted := i-1 > from && string(gapBetween(text, s.words[i-2], prev)) == "."
			if sentenceEnd(gapBetween(text, prev, s.words[i]), s.folded[prev.f0:prev.f1], dotted) {
				n++
			}
		}
		s.sent = append(s.sent, n)
	}
}

// gapBetween returns the text between two consecutive words; it is empty
// when they come from one character ("¾" is the words 3 and 4).
func gapBetween(text []byte, a, b word) []byte {
	if a.s1 >= b.s0 {
		return nil
	}
	return text[a.s1:b.s0]
}

// sentenceEnd reports whether the text gap between two words ends a
// sentence: it holds '.', '!', '?' or '…' followed, later in the gap, by
// white space. A gap whose only terminators are full stops does not end a
// sentence after an abbreviation: a single letter ("U.S.", "J. Smith"), a
// word written right after a full stop ("EE.UU.", "a.m."), or a title such
// as "Gen." or "Sra." (abbreviations). prev is the folded word before the
// gap; dotted tells whether a lone full stop precedes it.
func sentenceEnd(gap, prev []byte, dotted bool) bool {
	term, dotsOnly := false, true
	for i := 0; i < len(gap); {
		r, size := rune(gap[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(gap[i:])
		}
		i += size
		switch {
		case r == '.':
			term = true
		case r == '!' || r == '?' || r == '…':
			term, dotsOnly = true, false
		case term && unicode.IsSpace(r):
			return !dotsOnly || !abbreviation(prev, dotted)
		}
	}
	return false
}

func abbreviation(prev []byte, dotted bool) bool {
	if dotted {
		return true
	}
	if r, size := utf8.DecodeRune(prev); size == len(prev) && unicode.IsLetter(r) {
		return true
	}
	return abbreviations[string(prev)]
}

// abbreviations are folded words that a full stop follows without ending
// the sentence: titles and ranks (EN/ES), company suffixes, "vs.",
// and "EE. UU." written with a space.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "dra": true, "prof": true, "gen": true,
	"gral": true, "sen": true, "rep": true, "gov": true, "lt": true, "col": true, "capt": true,
	"sgt": true, "adm": true, "st": true, "jr": true, "sr": true, "sra": true, "srta": true,
	"lic": true, "ing": true, "dip": true, "mtro": true, "mtra": true, "vs": true,
	"inc": true, "corp": true, "co": true, "ltd": true, "dept": true, "ee": true, "uu": true,
}
