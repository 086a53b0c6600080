package config

import "errors"

// expand replaces ${NAME} in s with getenv(NAME) and "$$" with "$"; any
// other "$" is kept as written. It returns the names referenced. A "${"
// without its "}" or with anything but a name inside is an error; the
// error quotes nothing from s, which may hold a secret.
func expand(s string, getenv func(string) string) (string, []string, error) {
	var out []byte
	var vars []string
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
			end := -1
			for j := i + 2; j < len(s); j++ {
				if s[j] == '}' {
					end = j
					break
				}
			}
			if end < 0 {
				return "", nil, errors.New("unterminated \"${\": want ${NAME}; write $$ for a literal $")
			}
			name := s[i+2 : end]
			if !isEnvName(name) {
				return "", nil, errors.New("invalid \"${...}\" reference: only ${NAME} is supported, NAME of letters, digits and '_'; write $$ for a literal $")
			}
			vars = append(vars, name)
			out = append(out, getenv(name)...)
			i = end
		default:
			out = append(out, c)
		}
	}
	return string(out), vars, nil
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
