package classify

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// pattern is a parsed term: the words it must match, in folded form and, for
// exact terms, as written (NFC); or, for a proximity term, its two operands.
type pattern struct {
	words  []string // folded words
	exact  []string // words as written, NFC; nil unless the term starts with '='
	prefix bool     // the last word is a prefix
	near   *near    // set for "A ~N B"; words, exact and prefix are then unused
}

// near is a proximity term: its operands, plain terms, match in the same
// field and sentence, in either order, with at most within words between.
type near struct {
	ops    [2]pattern
	within int
}

// maxWithin is the largest N of "A ~N B".
const maxWithin = 50

// key identifies what a term matches: terms with one key are one pattern.
// "a ~5 b" and "b ~5 a" match the same and share a key.
func (p *pattern) key() string {
	if p.near != nil {
		a, b := p.near.ops[0].key(), p.near.ops[1].key()
		if b < a {
			a, b = b, a
		}
		return a + " ~" + strconv.Itoa(p.near.within) + " " + b
	}
	var b strings.Builder
	if p.exact != nil {
		b.WriteByte('=')
		b.WriteString(strings.Join(p.exact, " "))
	} else {
		b.WriteString(strings.Join(p.words, " "))
	}
	if p.prefix {
		b.WriteByte('*')
	}
	return b.String()
}

// ParseTerm reports whether term is a valid term, and if not, what is wrong
// with it. It is the one term grammar: config checks the terms of
// config.yaml with it and Compile rejects what it rejects.
//
// A plain term is one or more words: runs of letters and digits
// (IsWordRune), anything else separating them. It may start with '='
// (exact: case and accents must match as written) and end with '*' directly
// after a letter or digit (the last word is a prefix); '=' and '*' are
// allowed nowhere else. Exact prefix terms such as "=NAFT*" are supported.
//
// A proximity term is two plain terms joined by " ~N ", N a whole number
// from 0 to 50 with white space on both sides: "troops ~8 mexic*" matches
// when both match in the same field and sentence, in either order, with at
// most N words between them. '~' is allowed nowhere else.
//
// A term has no white space around it.
func ParseTerm(term string) error {
	_, err := parseTerm(term)
	return err
}

var (
	errNoWord     = errors.New("term has no letter or digit")
	errStarFollow = errors.New("'*' must directly follow a letter or digit")
)

var errTilde = errors.New(`'~' only as a proximity operator between two terms, with white space around it: "troops ~8 mexico"`)

func parseTerm(term string) (pattern, error) {
	switch {
	case strings.TrimSpace(term) == "":
		return pattern{}, errors.New("term is empty")
	case strings.TrimSpace(term) != term:
		return pattern{}, errors.New("term has leading or trailing white space")
	}
	i := strings.IndexByte(term, '~')
	if i < 0 {
		return parsePlain(term)
	}
	if strings.IndexByte(term[i+1:], '~') >= 0 {
		return pattern{}, errors.New("a term has at most one proximity operator '~N'")
	}
	// "A ~N B": white space, '~', digits, white space.
	left, rest := term[:i], term[i+1:]
	digits := rest[:len(rest)-len(strings.TrimLeft(rest, "0123456789"))]
	right := rest[len(digits):]
	r0, _ := utf8.DecodeLastRuneInString(left)
	r1, _ := utf8.DecodeRuneInString(right)
	if digits == "" || !unicode.IsSpace(r0) || !unicode.IsSpace(r1) {
		return pattern{}, errTilde
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > maxWithin {
		return pattern{}, fmt.Errorf("proximity ~%s: N must be 0 to %d words", digits, maxWithin)
	}
	nr := &near{within: n}
	for k, side := range [2]string{strings.TrimSpace(left), strings.TrimSpace(right)} {
		where := [2]string{"left", "right"}[k]
		if side == "" {
			return pattern{}, fmt.Errorf("proximity ~%d needs a term on its %s", n, where)
		}
		if nr.ops[k], err = parsePlain(side); err != nil {
			return pattern{}, fmt.Errorf("%s of ~%d: %w", where, n, err)
		}
	}
	return pattern{near: nr}, nil
}

// parsePlain parses a term without a proximity operator.
func parsePlain(term string) (pattern, error) {
	var p pattern
	if strings.IndexByte(term, '~') >= 0 {
		return p, errTilde
	}
	body, exact := strings.CutPrefix(term, "=")
	if strings.Contains(body, "=") {
		return p, errors.New("'=' only allowed at the start of a term")
	}
	if i := strings.IndexByte(body, '*'); i >= 0 {
		if i != len(body)-1 {
			return p, errors.New("'*' only allowed at the end of a term")
		}
		if r, _ := utf8.DecodeLastRuneInString(body[:i]); i == 0 || !IsWordRune(r) {
			return p, errStarFollow
		}
		p.prefix, body = true, body[:i]
	}
	if strings.IndexFunc(body, IsWordRune) < 0 {
		return p, errNoWord
	}
	// The rules above hold for the term as written; the words are those of
	// its folded form, where a letter may fold away (U+037A folds to a
	// space) or stop being the end of the last word.
	folded, words := appendWords(nil, nil, []byte(body))
	if len(words) == 0 {
		return p, errNoWord
	}
	if p.prefix && int(words[len(words)-1].s1) != len(body) {
		return p, errStarFollow
	}
	for _, w := range words {
		p.words = append(p.words, string(folded[w.f0:w.f1]))
		if exact {
			p.exact = append(p.exact, norm.NFC.String(body[w.s0:w.s1]))
		}
	}
	return p, nil
}
