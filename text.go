package newsdigest

import (
	"strings"
	"unicode/utf8"
)

// Truncate returns s when it measures at most max units, else s cut to fit
// within max units including a closing "…" (spaces before it trimmed). size
// gives a rune's width in units; nil counts runes. It is the one truncation
// in newsdigest: the store caps what it keeps with it (runes), the digest
// the lines it shows (runes), and the Slack renderer its texts (UTF-16 code
// units, which is how Slack counts).
func Truncate(s string, max int, size func(rune) int) string {
	if size == nil {
		if len(s) <= max || utf8.RuneCountInString(s) <= max {
			return s
		}
		size = func(rune) int { return 1 }
	} else {
		n := 0
		for _, r := range s {
			n += size(r)
		}
		if n <= max {
			return s
		}
	}
	limit := max - size('…')
	n, i := 0, 0
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		if n+size(r) > limit {
			break
		}
		n += size(r)
		i += w
	}
	return strings.TrimRight(s[:i], " ") + "…"
}

// Plural is one when n is 1, else many: "1 story", "2 stories". It is the
// one such helper for every message newsdigest writes.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
