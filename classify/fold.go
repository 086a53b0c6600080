// Package classify folds and tokenizes article text and matches it against
// topic watchlists in one pass, as described in DESIGN.md "Matching".
package classify

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// The fold is defined as the golang.org/x/text pipeline
//
//	norm.NFKD, then drop every rune in unicode.Mn, then cases.Fold()
//
// (full Unicode case folding, so "ß" becomes "ss"), applied to the text after
// each invalid UTF-8 byte has been replaced by U+FFFD. Fold computes the same
// bytes rune by rune from a table built once from that pipeline; it is exact
// because decomposition is per rune, canonical reordering only permutes
// combining marks (all dropped, except the 26 "unsafe" non-Mn marks with a
// nonzero combining class, for which Fold runs the pipeline itself) and case
// folding is context free.

// A foldEntry describes how one rune folds.
//
//	bit 31      the rune changes; bits 0-7 (length) and 8-27 (offset) locate
//	            its folded form in foldPool
//	bit 30      unsafe: the rune's decomposition holds a non-Mn combining mark
//	bits 28-29  word class of the folded form: classNone, classAll, classMixed
type foldEntry uint32

const (
	entryChanged foldEntry = 1 << 31
	entryUnsafe  foldEntry = 1 << 30
	classShift             = 28
	classNone              = 0 // no letter or digit
	classAll               = 1 // only letters and digits
	classMixed             = 2 // both
	denseLimit             = 0x2000
)

func (e foldEntry) class() int { return int(e>>classShift) & 3 }
func (e foldEntry) folded() string {
	off := int(e>>8) & (1<<20 - 1)
	return foldPool[off : off+int(e&0xff)]
}

var (
	foldOnce   sync.Once
	foldDense  []foldEntry              // runes below denseLimit, every rune present
	foldSparse map[rune]foldEntry       // runes from denseLimit up that change or are unsafe
	foldPool   string                   // folded forms, concatenated
	asciiFold  = func() (t [128]byte) { // lower-cased letters and digits; 0 for separators
		for c := 0; c < 128; c++ {
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				t[c] = byte(c)
			case c >= 'A' && c <= 'Z':
				t[c] = byte(c) + 'a' - 'A'
			}
		}
		return t
	}()
)

// refFold is the reference pipeline. It allocates; Fold uses it only for
// text holding unsafe marks, and tests compare Fold against it.
func refFold(s string) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	s = norm.NFKD.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
	return cases.Fold().String(s)
}

// skipRanges hold no rune that changes under the fold (checked against the
// reference for every rune by TestFoldTableAllRunes); skipping them keeps
// building the table to a few milliseconds.
var skipRanges = [][2]rune{
	{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xD800, 0xDFFF}, {0xE000, 0xF8FF},
	{0x20000, 0x2F7FF}, {0x2FA20, 0xDFFFF}, {0xF0000, unicode.MaxRune},
}

func wordClass(s string) foldEntry {
	var alnum, other bool
	for _, r := range s {
		if IsWordRune(r) {
			alnum = true
		} else {
			other = true
		}
	}
	switch {
	case alnum && other:
		return classMixed << classShift
	case alnum:
		return classAll << classShift
	}
	return classNone << classShift
}

// IsWordRune reports whether r belongs to a word: a letter or a digit.
// Every other rune separates words. It is the one definition of a word
// character in newsdigest: the matcher, the term grammar and story
// grouping all split text with it.
func IsWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func buildFoldTables() {
	var pool strings.Builder
	index := map[string]foldEntry{} // folded form -> offset/length bits
	foldDense = make([]foldEntry, denseLimit)
	foldSparse = make(map[rune]foldEntry, 12000)
	var buf [utf8.UTFMax]byte
	skip := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if skip < len(skipRanges) && r == skipRanges[skip][0] {
			r = skipRanges[skip][1]
			skip++
			continue
		}
		n := utf8.EncodeRune(buf[:], r)
		p := norm.NFKD.Properties(buf[:n])
		isMn := unicode.Is(unicode.Mn, r)
		hangul := r >= 0xAC00 && r <= 0xD7A3
		changes := r >= 'A' && r <= 'Z' || p.Decomposition() != nil || hangul || isMn || unicode.SimpleFold(r) != r
		var e foldEntry
		if changes {
			f := refFold(string(r))
			if f != string(r) {
				loc, ok := index[f]
				if !ok {
					loc = foldEntry(pool.Len()<<8 | len(f))
					pool.WriteString(f)
					index[f] = loc
				}
				e = entryChanged | loc | wordClass(f)
			}
		}
		if e == 0 {
			e = wordClass(string(r))
		}
		for _, d := range norm.NFKD.String(string(r)) {
			var db [utf8.UTFMax]byte
			dn := utf8.EncodeRune(db[:], d)
			if norm.NFKD.Properties(db[:dn]).CCC() != 0 && !unicode.Is(unicode.Mn, d) {
				e |= entryUnsafe
			}
		}
		if r < denseLimit {
			foldDense[r] = e
		} else if e&(entryChanged|entryUnsafe) != 0 {
			foldSparse[r] = e
		}
	}
	foldPool = pool.String()
}

// lookup returns how r folds. Runes not in the tables are unchanged.
func lookup(r rune) foldEntry {
	if r < denseLimit {
		return foldDense[r]
	}
	if e, ok := foldSparse[r]; ok {
		return e
	}
	if IsWordRune(r) {
		return classAll << classShift
	}
	return classNone << classShift
}

// Fold appends the folded form of s to dst: Unicode NFKD, combining marks
// (unicode.Mn) dropped, full case folding (cases.Fold from golang.org/x/text),
// with each invalid UTF-8 byte read as U+FFFD. The result is byte-identical
// to that golang.org/x/text pipeline. Fold does not allocate beyond growing
// dst.
func Fold(dst []byte, s string) []byte {
	foldOnce.Do(buildFoldTables)
	start := len(dst)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		e := lookup(r)
		switch {
		case e&entryUnsafe != 0:
			return append(dst[:start], refFold(s)...)
		case e&entryChanged != 0:
			dst = append(dst, e.folded()...)
		case r == utf8.RuneError && size == 1:
			dst = append(dst, "\uFFFD"...)
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// FoldString returns the folded form of s, as Fold.
func FoldString(s string) string {
	return string(Fold(make([]byte, 0, len(s)+8), s))
}

// word is one word of a field: its folded bytes in Scratch.folded and the
// bytes of the field text it came from.
type word struct {
	f0, f1 int32 // folded form: Scratch.folded[f0:f1]
	s0, s1 int32 // source: field text[s0:s1], including trailing dropped marks
}

// appendWords folds src and splits it into words (maximal runs of letters
// and digits of the folded text) in one pass, appending the folded words to
// folded and their spans to words.
func appendWords(folded []byte, words []word, src []byte) ([]byte, []word) {
	foldOnce.Do(buildFoldTables)
	in := false
	var cur word
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if l := asciiFold[c]; l != 0 {
				if !in {
					in = true
					cur = word{f0: int32(len(folded)), s0: int32(i)}
				}
				folded = append(folded, l)
				cur.s1 = int32(i + 1)
			} else if in {
				in = false
				cur.f1 = int32(len(folded))
				words = append(words, cur)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		e := lookup(r)
		switch e.class() {
		case classAll:
			if !in {
				in = true
				cur = word{f0: int32(len(folded)), s0: int32(i)}
			}
			if e&entryChanged != 0 {
				folded = append(folded, e.folded()...)
			} else {
				folded = append(folded, src[i:i+size]...)
			}
			cur.s1 = int32(i + size)
		case classNone:
			if e&entryChanged != 0 && e&0xff == 0 {
				// A dropped mark: the word goes on and keeps it in its source.
				if in {
					cur.s1 = int32(i + size)
				}
			} else if in {
				in = false
				cur.f1 = int32(len(folded))
				words = append(words, cur)
			}
		default: // classMixed: split the folded form itself
			for _, fr := range e.folded() {
				if IsWordRune(fr) {
					if !in {
						in = true
						cur = word{f0: int32(len(folded)), s0: int32(i)}
					}
					folded = utf8.AppendRune(folded, fr)
					cur.s1 = int32(i + size)
				} else if in {
					in = false
					cur.f1 = int32(len(folded))
					words = append(words, cur)
				}
			}
		}
		i += size
	}
	if in {
		cur.f1 = int32(len(folded))
		words = append(words, cur)
	}
	return folded, words
}
