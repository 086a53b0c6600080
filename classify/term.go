package classify

import (
	"errors"
	"strings"

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

// ParseTerm reports whether term is a valid term: one or more words
// (letters and digits; anything else separates words), optionally starting
// with '=' (exact: case and accents must match as written) and optionally
// ending with '*' right after a letter or digit (the last word is a prefix).
// Exact prefix terms such as "=NAFT*" are supported.
func ParseTerm(term string) error {
	_, err := parseTerm(term)
	return err
}

func parseTerm(term string) (pattern, error) {
	var p pattern
	body := term
	exact := strings.HasPrefix(body, "=")
	if exact {
		body = body[1:]
	}
	if strings.HasSuffix(body, "*") {
		p.prefix = true
		body = body[:len(body)-1]
	}
	switch {
	case strings.TrimSpace(term) == "":
		return p, errors.New("term is empty")
	case strings.Contains(body, "*"):
		return p, errors.New("'*' only allowed at the end")
	case strings.TrimSpace(term) != term:
		return p, errors.New("term has leading or trailing white space")
	}
	folded, words := appendWords(nil, nil, []byte(body))
	if len(words) == 0 {
		return p, errors.New("term has no letters or digits")
	}
	if p.prefix && int(words[len(words)-1].s1) != len(body) {
		return p, errors.New("'*' must follow a letter or digit")
	}
	for _, w := range words {
		p.words = append(p.words, string(folded[w.f0:w.f1]))
		if exact {
			p.exact = append(p.exact, norm.NFC.String(body[w.s0:w.s1]))
		}
	}
	return p, nil
}
