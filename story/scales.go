package story

import (
	"strings"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest/classify"
)

// scaleWords are the words that multiply the figure before them by
// 10^exp: "266K", "$1.9 trillion", "596 mdd", "12 mil millones". Matched
// whole, in any case, after the figure or one or more spaces; single
// letters ("K", "m", "B", "T") only attached to the figure ("5B", not
// "Group 5 B"), except "M", which outlets also write apart ("60 M").
// Spanish "billón" is 10^12, "mil millones" 10^9 (scaleAt); "mdd" and
// "mdp" are millones de dólares and de pesos. An integer before a lone
// "mil", and the figure after it, are bigNumber's ("3 mil 500" is 3,500;
// afterMil).
var scaleWords = []struct {
	word     string
	exp      int
	attached bool // only directly after the figure
}{
	{"k", 3, true}, {"thousand", 3, false},
	{"m", 6, true}, {"M", 6, false}, {"mn", 6, false}, {"mln", 6, false},
	{"million", 6, false}, {"millions", 6, false}, {"millón", 6, false}, {"millon", 6, false}, {"millones", 6, false},
	{"mdd", 6, false}, {"mdp", 6, false},
	{"b", 9, true}, {"bn", 9, false}, {"billion", 9, false}, {"billions", 9, false},
	{"t", 12, true}, {"tn", 12, false}, {"trillion", 12, false}, {"trillions", 12, false},
	{"billón", 12, false}, {"billon", 12, false}, {"billones", 12, false},
}

// maxScale bounds the exponent of a chain of scale words, so that a hostile
// "1 trillion trillion trillion…" does not become a figure of thousands of
// digits.
const maxScale = 18

// scaleFigures writes a figure with a scale word as the figure it stands
// for, and a figure of a million or more in millions: "266K" and "266,000"
// are "266000"; "$1.9 trillion", "$1.9T" and "1,900 billion" are
// "1900000m"; "1.5 million" and "1,500,000" are "1p5m". Figures are as
// joinFigures leaves them (digits, 'p' before decimals).
func scaleFigures(text string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || wordBefore(text, i) {
			continue
		}
		j := i
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		if afterMil(text, last, i, j) {
			i = j - 1 // "3 mil 500 millones": bigNumber makes it 3500 first
			continue
		}
		intPart, frac := text[i:j], ""
		if j+1 < len(text) && text[j] == 'p' && isDigit(text[j+1]) {
			k := j + 1
			for k < len(text) && isDigit(text[k]) {
				k++
			}
			frac, j = text[j+1:k], k
		}
		exp, end := scaleAt(text, j, frac != "")
		for exp >= 0 { // "5 thousand million": scales multiply
			e, k := scaleAt(text, end, false)
			if e < 0 {
				break
			}
			exp, end = exp+e, k
		}
		if exp > maxScale {
			exp = -1 // no figure in the news is that large: leave the words
		}
		if exp >= 0 && end+1 < len(text) && (text[end] == '.' || text[end] == ',') && isDigit(text[end+1]) {
			exp = -1 // "0B,0": the result would run into the next figure
		}
		if exp < 0 {
			if wordAt(text, j) || len(strings.TrimLeft(intPart, "0")) < 7 {
				i = j - 1
				continue
			}
			exp, end = 0, j
		}
		b.WriteString(text[last:i])
		b.WriteString(scaledFigure(intPart, frac, exp))
		last, i = end, end-1
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// scaleAt returns the exponent of the scale word at text[j:] (after the
// figure that ends at j) and where the word ends, or -1. fraction: the
// figure has decimals, so a lone "mil" scales it ("1.5 mil").
func scaleAt(text string, j int, fraction bool) (exp, end int) {
	k := skipBlanks(text, j)
	// Every scale word starts with one of these: most figures are
	// followed by none.
	if k == len(text) || !strings.ContainsRune("kmbtKMBT", rune(text[k])) {
		return -1, j
	}
	for _, s := range scaleWords {
		if s.attached && k != j || s.word == "M" && k == j {
			continue
		}
		if e, ok := wordFoldAt(text, k, s.word, s.word == "M"); ok {
			return s.exp, e
		}
	}
	if e, ok := wordFoldAt(text, k, "mil", false); ok && k > j {
		if m := skipBlanks(text, e); m > e {
			if e2, ok := wordFoldAt(text, m, "millones", false); ok {
				return 9, e2
			}
		}
		if fraction {
			return 3, e
		}
	}
	return -1, j
}

// afterMil reports whether the figure text[i:j] is the one bigNumber
// reads after a "mil" ("3 mil 500", "mil 500"): one to three digits, not
// followed by a word character, after blanks and a whole word "mil" that
// no scale word before has taken (from last on). Such a figure is left
// alone, so that "3 mil 500 millones" is 3,500 millones and not 3,000 and
// 500 millones; normNumbers' second pass scales it once bigNumber has
// joined it.
func afterMil(text string, last, i, j int) bool {
	if j-i > 3 || j < len(text) && isRegexpWord(text[j]) {
		return false
	}
	k := i
	for k > last && (text[k-1] == ' ' || text[k-1] == '\t' || text[k-1] == '\n' || text[k-1] == '\r' || text[k-1] == '\f') {
		k--
	}
	return k < i && k-3 >= last && strings.EqualFold(text[k-3:k], "mil") && (k == 3 || !isRegexpWord(text[k-4]))
}

// skipBlanks returns where the spaces and tabs from text[i] end.
func skipBlanks(text string, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return i
}

// wordFoldAt reports whether text holds word at i, ending at a word edge,
// and where it ends. exact: the case must match too.
func wordFoldAt(text string, i int, word string, exact bool) (int, bool) {
	if i+len(word) > len(text) {
		return 0, false
	}
	if got := text[i : i+len(word)]; got != word && (exact || !strings.EqualFold(got, word)) {
		return 0, false
	}
	if wordAt(text, i+len(word)) {
		return 0, false
	}
	return i + len(word), true
}

// wordAt reports whether a word character starts at text[i].
func wordAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return classify.IsWordRune(r)
}

// wordBefore reports whether a word character ends at text[i].
func wordBefore(text string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return classify.IsWordRune(r)
}

// scaledFigure is the figure intPart.frac × 10^exp: in millions, with an
// "m", from a million up ("1p9m"); else as a plain figure ("266000",
// "2p5"). Leading zeros of the whole part and trailing zeros of the
// decimals go.
func scaledFigure(intPart, frac string, exp int) string {
	digits, point := intPart+frac, len(intPart)+exp
	if point > len(digits) {
		digits += strings.Repeat("0", point-len(digits))
	}
	whole, dec, unit := strings.TrimLeft(digits[:point], "0"), digits[point:], ""
	if len(whole) >= 7 {
		whole, dec, unit = whole[:len(whole)-6], whole[len(whole)-6:]+dec, "m"
	}
	if whole == "" {
		whole = "0"
	}
	if dec = strings.TrimRight(dec, "0"); dec != "" {
		return whole + "p" + dec + unit
	}
	return whole + unit
}
