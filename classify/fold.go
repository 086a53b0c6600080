// Package classify folds and tokenizes article text and matches it against
// topic watchlists in one pass, as described in docs/DESIGN.md "Matching".
package classify

//go:generate go test -run=^TestFoldTablesGenerated$ -generate

import (
	"encoding/binary"
	"math/bits"
	"strings"
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
// bytes rune by rune from a table generated from that pipeline
// (fold_tables.go, written by `go generate`; TestFoldTablesGenerated fails
// when regenerating would change it, e.g. after a Unicode upgrade of Go or
// golang.org/x/text), so no program pays for building it. It is exact
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
)

func (e foldEntry) class() int { return int(e>>classShift) & 3 }
func (e foldEntry) folded() string {
	off := int(e>>8) & (1<<20 - 1)
	return foldPool[off : off+int(e&0xff)]
}

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

// lookup returns how r folds, from the tables in fold_tables.go, which
// cover every rune. r must be a valid code point or utf8.RuneError, as
// utf8.DecodeRune returns.
func lookup(r rune) foldEntry {
	return foldBlocks[int(foldIndex[r>>foldBlockShift])<<foldBlockShift|int(r)&(1<<foldBlockShift-1)]
}

// Fold appends the folded form of s to dst: Unicode NFKD, combining marks
// (unicode.Mn) dropped, full case folding (cases.Fold from golang.org/x/text),
// with each invalid UTF-8 byte read as U+FFFD. The result is byte-identical
// to that golang.org/x/text pipeline. Fold does not allocate beyond growing
// dst.
func Fold(dst []byte, s string) []byte {
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
// folded and their spans to words. folded may also hold bytes between the
// words (the separators of ASCII text, lower-cased): only the spans
// folded[w.f0:w.f1] are words.
//
// ASCII text, most of a news item, is read 8 bytes at a time (asciiWords8):
// the bytes are lower-cased and appended together, and the work per chunk
// is per word boundary, not per byte. Other runes are folded one by one.
func appendWords(folded []byte, words []word, src []byte) ([]byte, []word) {
	in := false
	var cur word
	for i := 0; i < len(src); {
		var x uint64
		if i+8 <= len(src) {
			x = binary.LittleEndian.Uint64(src[i:])
		} else {
			var buf [8]byte
			copy(buf[:], src[i:])
			x = binary.LittleEndian.Uint64(buf[:])
		}
		// n: how many bytes of x, from the first, are ASCII and in src.
		n := min(len(src)-i, 8)
		if h := x & hiBits; h != 0 {
			n = min(n, bits.TrailingZeros64(h)/8)
		}
		if n > 0 {
			valid := uint64(hiBits) >> (64 - 8*n) // bit 7 of each of the n bytes
			x &= ^uint64(0) >> (64 - 8*n)
			alnum, lower := asciiWords8(x)
			base := len(folded)
			folded = binary.LittleEndian.AppendUint64(folded, lower)[:base+n]
			var prev uint64 = alnum << 8
			if in {
				prev |= 0x80
			}
			starts, ends := alnum&^prev, prev&^alnum&valid
			for ev := starts | ends; ev != 0; ev &= ev - 1 {
				b := bits.TrailingZeros64(ev)
				k := int32(b / 8)
				if starts&(1<<b) != 0 {
					cur = word{f0: int32(base) + k, s0: int32(i) + k}
				} else {
					cur.f1, cur.s1 = int32(base)+k, int32(i)+k
					words = append(words, cur)
				}
			}
			in = alnum&(0x80<<(8*(n-1))) != 0
			i += n
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
		case classNone:
			if e&entryChanged != 0 && e&0xff == 0 {
				// A dropped mark: the word goes on and keeps it in its source.
			} else if in {
				in = false
				cur.f1, cur.s1 = int32(len(folded)), int32(i)
				words = append(words, cur)
			}
		default: // classMixed: split the folded form itself
			s1 := int32(i) // where a word ending here ends in the source
			for _, fr := range e.folded() {
				if IsWordRune(fr) {
					if !in {
						in = true
						cur = word{f0: int32(len(folded)), s0: int32(i)}
					}
					folded = utf8.AppendRune(folded, fr)
					s1 = int32(i + size) // the word has part of this rune
				} else if in {
					in = false
					cur.f1, cur.s1 = int32(len(folded)), s1
					words = append(words, cur)
				}
			}
		}
		i += size
	}
	if in {
		cur.f1, cur.s1 = int32(len(folded)), int32(len(src))
		words = append(words, cur)
	}
	return folded, words
}

// hiBits has the high bit of each byte of a uint64 set.
const hiBits = 0x8080808080808080

// asciiWords8 classifies the 8 ASCII bytes of x (little-endian: the first
// byte is the lowest): alnum has bit 7 set in each byte that is a letter or
// a digit; lower is x with its letters lower-cased. The sums never carry
// from one byte into the next, since every byte is below 0x80.
func asciiWords8(x uint64) (alnum, lower uint64) {
	const ones = 0x0101010101010101
	l := x | 0x20*ones // letters lower-cased (and other bytes changed)
	letter := (l + (0x80-'a')*ones) &^ (l + (0x80-'z'-1)*ones) & hiBits
	digit := (x + (0x80-'0')*ones) &^ (x + (0x80-'9'-1)*ones) & hiBits
	return letter | digit, x | letter>>2
}
