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
	k      string   // key()
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
// "a ~5 b" and "b ~5 a" match the same and share a key. It is the folded
// words joined by spaces, or for an exact term '=' and the words as
// written, then '*' for a prefix; for "A ~N B", "A ~N B" of the operands'
// keys in order. parseTerm sets it.
func (p *pattern) key() string { return p.k }

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
	_, err := parse(term, false)
	return err
}

var (
	errNoWord     = errors.New("term has no letter or digit")
	errStarFollow = errors.New("'*' must directly follow a letter or digit")
)

var errTilde = errors.New(`'~' only as a proximity operator between two terms, with white space around it: "troops ~8 mexico"`)

// parseTerm parses term into the pattern Compile indexes.
func parseTerm(term string) (pattern, error) { return parse(term, true) }

// parse is the grammar of ParseTerm. Without build it only checks term,
// and returns a pattern with nothing set: config checks every term of
// config.yaml with it, and a valid term then costs no allocation.
func parse(term string, build bool) (pattern, error) {
	switch {
	case strings.TrimSpace(term) == "":
		return pattern{}, errors.New("term is empty")
	case strings.TrimSpace(term) != term:
		return pattern{}, errors.New("term has leading or trailing white space")
	}
	i := strings.IndexByte(term, '~')
	if i < 0 {
		return parsePlain(term, build)
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
	var ops [2]pattern
	for k, side := range [2]string{strings.TrimSpace(left), strings.TrimSpace(right)} {
		where := [2]string{"left", "right"}[k]
		if side == "" {
			return pattern{}, fmt.Errorf("proximity ~%d needs a term on its %s", n, where)
		}
		if ops[k], err = parsePlain(side, build); err != nil {
			return pattern{}, fmt.Errorf("%s of ~%d: %w", where, n, err)
		}
	}
	if !build {
		return pattern{}, nil
	}
	a, b := ops[0].k, ops[1].k
	if b < a {
		a, b = b, a
	}
	return pattern{near: &near{ops: ops, within: n}, k: a + " ~" + strconv.Itoa(n) + " " + b}, nil
}

// parsePlain parses a term without a proximity operator.
func parsePlain(term string, build bool) (pattern, error) {
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
	// space) or stop being the end of the last word. A short term is
	// folded in buffers on the stack.
	var foldBuf [64]byte
	var wordBuf [8]word
	folded, words := appendWords(foldBuf[:0], wordBuf[:0], []byte(body))
	if len(words) == 0 {
		return p, errNoWord
	}
	if p.prefix && int(words[len(words)-1].s1) != len(body) {
		return p, errStarFollow
	}
	if !build {
		return pattern{}, nil
	}
	// The folded words, joined by spaces, are one string, the key of a
	// term that is not exact; the words are slices of it.
	var joinBuf [64]byte
	joined := joinBuf[:0]
	for i, w := range words {
		if i > 0 {
			joined = append(joined, ' ')
		}
		joined = append(joined, folded[w.f0:w.f1]...)
	}
	star := ""
	if p.prefix {
		star = "*"
	}
	all := string(append(joined, star...))
	p.words = make([]string, len(words))
	at := 0
	for i, w := range words {
		n := int(w.f1 - w.f0)
		p.words[i] = all[at : at+n]
		at += n + 1
	}
	if !exact {
		p.k = all
		return p, nil
	}
	p.exact = make([]string, len(words))
	for i, w := range words {
		p.exact[i] = norm.NFC.String(body[w.s0:w.s1])
	}
	p.k = "=" + strings.Join(p.exact, " ") + star
	return p, nil
}
