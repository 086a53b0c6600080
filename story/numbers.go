package story

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest/classify"
)

// normNumbers rewrites the figures in text so that one figure is one word
// however an outlet writes it: thousands separators are dropped ("1,500",
// "1.500" and "1500" are "1500"), a decimal separator becomes "p" and
// trailing zeros go ("3.80", "3,8" and "3.8" are "3p8"; "7.00" is "7"). A
// separator followed by exactly three digits is taken for a thousands
// separator, any other for a decimal one. Scale words are multiplied out
// and figures of a million or more written in millions (scaleFigures:
// "266K" is "266000", "1 million", "1M" and "1 millón" are "1m", "$1.9
// trillion" and "$1.9T" are "$1900000m").
func normNumbers(text string) string {
	text = scaleFigures(normSeparators(text))
	// The regular expression below is most of grouping's cost when it
	// runs; it runs only where it can match.
	if hasWordFold(text, "mil", "billion") {
		text = bigNumber.ReplaceAllStringFunc(text, bigNumberFigure)
		// "mil,000" became "1000,000", "mil millones" "1000 millones":
		// join and scale what the figures now touch.
		text = scaleFigures(normSeparators(text))
	}
	return text
}

// bigNumberFigure is the figure a bigNumber match stands for.
func bigNumberFigure(m string) string {
	sub := bigNumber.FindStringSubmatch(m)
	n := 1
	if sub[1] != "" {
		n, _ = strconv.Atoi(sub[1])
	}
	if strings.EqualFold(sub[2], "billion") {
		return strconv.Itoa(n*1000) + " million"
	}
	k, _ := strconv.Atoi(sub[3])
	return strconv.Itoa(n*1000 + k)
}

// hasWordFold reports whether text holds one of words (lower case, ASCII)
// as a whole word in any ASCII case, word edges as in regexp's \b.
func hasWordFold(text string, words ...string) bool {
	for _, w := range words {
		for j := 0; j+len(w) <= len(text); j++ {
			if text[j]|0x20 != w[0] || !strings.EqualFold(text[j:j+len(w)], w) {
				continue
			}
			if end := j + len(w); (j == 0 || !isRegexpWord(text[j-1])) && (end == len(text) || !isRegexpWord(text[end])) {
				return true
			}
		}
	}
	return false
}

// isRegexpWord reports whether c is a word character to regexp's \b (ASCII
// letters, digits and '_').
func isRegexpWord(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// bigNumber matches Spanish thousands written with "mil" ("3 mil", "mil
// 500", "1 mil 500") and a "billion" or "mil millones" with no figure
// before it ("a billion"; scaleFigures, which runs first, takes "12
// billion" and "12 mil millones"). Its matches become figures.
var bigNumber = regexp.MustCompile(`(?i)\b(?:(\d{1,3})\s+)?(mil|billion)\b(?:\s+(\d{1,3})\b)?`)

// hasDigitSeparator reports whether text holds a digit, a '.' or ',', and
// a digit: where normSeparators has work.
func hasDigitSeparator(text string) bool {
	for i := 1; i+1 < len(text); i++ {
		if (text[i] == '.' || text[i] == ',') && isDigit(text[i-1]) && isDigit(text[i+1]) {
			return true
		}
	}
	return false
}

// normSeparators does normNumbers' work on separators.
func normSeparators(text string) string {
	if !hasDigitSeparator(text) {
		return text
	}
	return joinFigures(text)
}

// joinFigures is normSeparators without the guard: it drops the thousands
// separators of figures and writes their decimal separator "p".
func joinFigures(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		if !isDigit(text[i]) || (i > 0 && isDigit(text[i-1])) {
			b.WriteByte(text[i])
			i++
			continue
		}
		// A run of digit groups joined by single '.' or ','.
		var groups []string
		j := i
		for {
			k := j
			for k < len(text) && isDigit(text[k]) {
				k++
			}
			groups = append(groups, text[j:k])
			if k+1 < len(text) && (text[k] == '.' || text[k] == ',') && isDigit(text[k+1]) {
				j = k + 1
				continue
			}
			j = k
			break
		}
		frac := ""
		if last := groups[len(groups)-1]; len(groups) > 1 && len(last) != 3 {
			frac = strings.TrimRight(last, "0")
			groups = groups[:len(groups)-1]
		}
		for _, g := range groups {
			b.WriteString(g)
		}
		if frac != "" {
			b.WriteByte('p')
			b.WriteString(frac)
		}
		i = j
	}
	return b.String()
}

// numberWords spells small numbers as figures, so that "five dead" and "5
// muertos" share a number ("one", "un" and "once" are left alone: they are
// articles or other words as often as numbers).
var numberWords = map[string]string{
	"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
	"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
	"thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16",
	"seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20",
	"dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6", "siete": "7",
	"ocho": "8", "nueve": "9", "diez": "10", "doce": "12", "trece": "13",
	"catorce": "14", "quince": "15", "dieciseis": "16", "diecisiete": "17",
	"dieciocho": "18", "diecinueve": "19", "veinte": "20",
}

// joinCodes writes codes of capitals, a hyphen and a number as one word,
// "COVID-19" as "COVID19", "G-7" as "G7", "F-35" as "F35", "MS-13" as
// "MS13": the number is part of a name, not a figure, and left a figure it
// would veto "Two athletes test positive for COVID-19" against "3 positive
// COVID tests" (as "19" against "3") and meet "19 dead". "Covid-19" counts
// as a code too. Other words with a number ("Top-10", "under-23") keep
// their figures.
func joinCodes(text string) string {
	if !strings.Contains(text, "-") {
		return text
	}
	var b []byte
	last := 0
	for i := 1; i+1 < len(text); i++ {
		if text[i] != '-' || !isDigit(text[i+1]) || !isASCIILetter(text[i-1]) {
			continue
		}
		s := i
		for s > 0 && isASCIILetter(text[s-1]) {
			s--
		}
		if r, _ := utf8.DecodeLastRuneInString(text[:s]); s > 0 && classify.IsWordRune(r) {
			continue
		}
		e := i + 1
		for e < len(text) && isDigit(text[e]) {
			e++
		}
		if r, _ := utf8.DecodeRuneInString(text[e:]); e < len(text) && classify.IsWordRune(r) {
			continue
		}
		if code := text[s:i]; !allCapitals(code) && !strings.EqualFold(code, "covid") {
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(text))
		}
		b = append(b, text[last:i]...)
		last = i + 1
	}
	if b == nil {
		return text
	}
	return string(append(b, text[last:]...))
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func allCapitals(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isCapital(s[i]) {
			return false
		}
	}
	return s != ""
}
