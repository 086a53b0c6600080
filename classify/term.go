package classify

import (
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// pattern is a parsed term: the words it must match, in folded form and, for
// exact terms, as written (NFC).
type pattern struct {
	words  []string // folded words
	exact  []string // words as written, NFC; nil unless the term starts with '='
	prefix bool     // the last word is a prefix
}

func (p *pattern) key() string {
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
// A term is one or more words: runs of letters and digits (IsWordRune),
// anything else separating them. It may start with '=' (exact: case and
// accents must match as written) and end with '*' directly after a letter
// or digit (the last word is a prefix); '=' and '*' are allowed nowhere
// else. Exact prefix terms such as "=NAFT*" are supported. A term has no
// white space around it.
func ParseTerm(term string) error {
	_, err := parseTerm(term)
	return err
}

var (
	errNoWord     = errors.New("term has no letter or digit")
	errStarFollow = errors.New("'*' must directly follow a letter or digit")
)

func parseTerm(term string) (pattern, error) {
	var p pattern
	switch {
	case strings.TrimSpace(term) == "":
		return p, errors.New("term is empty")
	case strings.TrimSpace(term) != term:
		return p, errors.New("term has leading or trailing white space")
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
