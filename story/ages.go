package story

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A person's age names the person as a place names a town: two reports
// that each give an age, none the same, are about different people
// ("4-year-old who accidentally shot himself dies" and a lede's "a
// 12-year-old boy"). Ages are read from the title and the lede: a short
// headline often leaves the age to its lede.

// ageAt reports whether the figure text[i:j] (a word of up to three digits,
// or a number word) is a person's age: "a 4-year-old", "4 year old boy",
// "Boy, 16, killed", "dies aged 95", "un joven de 17 años". A range or a
// group ("5- to 11-year-olds", "aged 12 to 17") is nobody's age, nor is a
// term ("condenado a 20 años", "pena de 40 años de prisión").
func ageAt(text string, i, j int) bool {
	if isDigit(text[i]) && (j-i > 3 || !allDigits(text[i:j])) {
		return false
	}
	before, after := text[:i], text[j:]
	switch {
	case yearOld(after):
		return !rangeBefore(before)
	case strings.HasPrefix(after, ",") && strings.HasSuffix(before, ", "):
		// An apposition: "Boy, 16, killed".
		r, _ := utf8.DecodeLastRuneInString(before[:len(before)-2])
		return unicode.IsLetter(r)
	case hasSuffixFold(before, "aged ") && !wordBefore(before, len(before)-len("aged ")):
		return !rangeAfter(after)
	case hasSuffixFold(before, "de ") && !wordBefore(before, len(before)-len("de ")):
		rest, ok := cutPrefixFold(after, " años")
		if !ok {
			rest, ok = cutPrefixFold(after, " anos")
		}
		if !ok || wordAt(rest, 0) {
			return false
		}
		// "de 13 años de edad" is an age, "de 20 años de prisión" a term.
		if r, ok := cutPrefixFold(rest, " de "); ok {
			return hasPrefixFold(r, "edad")
		}
		return true
	}
	return false
}

// yearOld reports whether s starts with "-year-old", " year old" or
// "-years-old" (any case), and no more letters: "-year-olds" are a group.
func yearOld(s string) bool {
	if s == "" || (s[0] != '-' && s[0] != ' ') {
		return false
	}
	s, ok := cutPrefixFold(s[1:], "year")
	if !ok {
		return false
	}
	s, _ = cutPrefixFold(s, "s")
	if s == "" || (s[0] != '-' && s[0] != ' ') {
		return false
	}
	s, ok = cutPrefixFold(s[1:], "old")
	return ok && !wordAt(s, 0)
}

// rangeBefore reports whether the text before an age ends with the first
// figure of a range: "12 to ", "12- to ", "12-", "between 5 and ".
func rangeBefore(s string) bool {
	t := strings.TrimRight(s, " ")
	for _, w := range []string{"to", "and", "or", "-"} {
		u, ok := cutSuffixFold(t, w)
		if !ok || (w != "-" && wordBefore(u, len(u))) {
			continue
		}
		u = strings.TrimRight(strings.TrimSuffix(strings.TrimRight(u, " "), "-"), " ")
		if u != "" && isDigit(u[len(u)-1]) {
			return true
		}
	}
	return false
}

// rangeAfter reports whether the text after a figure goes on to the end of
// a range: " to 17", "-17", " and 17".
func rangeAfter(s string) bool {
	for _, w := range []string{" to ", " and ", " or ", "-", " - "} {
		if r, ok := cutPrefixFold(s, w); ok && r != "" && isDigit(r[0]) {
			return true
		}
	}
	return false
}

// agesDisagree reports whether two items each give a person's age and share
// none (a and b are their ages, sorted).
func agesDisagree(a, b []uint32) bool {
	// An item gives one age or two: a search per age is all it takes.
	return len(a) > 0 && len(b) > 0 && !slices.ContainsFunc(a, func(t uint32) bool { return inSet(b, t) })
}

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func hasPrefixFold(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }

func hasSuffixFold(s, p string) bool {
	return len(s) >= len(p) && strings.EqualFold(s[len(s)-len(p):], p)
}

func cutPrefixFold(s, p string) (string, bool) {
	if hasPrefixFold(s, p) {
		return s[len(p):], true
	}
	return s, false
}

func cutSuffixFold(s, p string) (string, bool) {
	if hasSuffixFold(s, p) {
		return s[:len(s)-len(p)], true
	}
	return s, false
}
