package config

import (
	"errors"
	"strings"
)

// envRef is one ${NAME} or ${NAME:-default} in a value.
type envRef struct {
	Name string
	// Optional is true for ${NAME:-…}: the value may be empty. A secret
	// that is nothing but a plain ${NAME} must not be (secret in scalar.go).
	Optional bool
	// Empty is true when the variable was unset or set to "".
	Empty bool
}

// expand replaces ${NAME} in s with getenv(NAME), ${NAME:-default} with
// getenv(NAME) or, when that is empty, default (taken literally, up to the
// first "}"), and "$$" with "$"; any other "$" is kept as written. It
// returns the references found. A "${" without its "}" or with anything
// but NAME or NAME:-default inside is an error; the error quotes nothing
// from s, which may hold a secret.
func expand(s string, getenv func(string) string) (string, []envRef, error) {
	if strings.IndexByte(s, '$') < 0 {
		return s, nil, nil // most values: nothing to expand, nothing to copy
	}
	var out []byte
	var refs []envRef
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 == len(s) {
			out = append(out, c)
			continue
		}
		switch s[i+1] {
		case '$':
			out = append(out, '$')
			i++
		case '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", nil, errors.New("unterminated \"${\": want ${NAME}; write $$ for a literal $")
			}
			end += i + 2
			name, def, optional := strings.Cut(s[i+2:end], ":-")
			if !isEnvName(name) {
				return "", nil, errors.New("invalid \"${...}\" reference: want ${NAME} or ${NAME:-default}, NAME of letters, digits and '_'; write $$ for a literal $")
			}
			v := getenv(name)
			refs = append(refs, envRef{Name: name, Optional: optional, Empty: v == ""})
			if v == "" {
				v = def
			}
			out = append(out, v...)
			i = end
		default:
			out = append(out, c)
		}
	}
	return string(out), refs, nil
}

func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
