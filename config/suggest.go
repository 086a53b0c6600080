package config

// Did-you-mean: the message for an unknown key names the known key it is
// probably a typo of, or else lists the known keys.

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

func (p *parser) unknownKey(k *yaml.Node, path string, fields []field) {
	if k.Value == "<<" {
		p.add(k.Line, path, "merge keys (<<) are not supported")
		return
	}
	known := make([]string, len(fields))
	for i, f := range fields {
		known[i] = f.key
	}
	if s := suggest(k.Value, known); s != "" {
		p.add(k.Line, path, "unknown key %q (did you mean %q?)", k.Value, s)
		return
	}
	p.add(k.Line, path, "unknown key %q (known keys: %s)", k.Value, strings.Join(known, ", "))
}

// misspelled reports whether an unknown key in the mapping at path was
// already reported as a likely typo of key.
func (p *parser) misspelled(path, key string) bool {
	for _, pr := range p.problems {
		if pr.Path == path && strings.HasSuffix(pr.Message, fmt.Sprintf("(did you mean %q?)", key)) {
			return true
		}
	}
	return false
}

// suggest returns the known key closest to key when it is close enough to
// be a likely typo, else "".
func suggest(key string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(s))
	}
	nk := norm(key)
	best, bestDist := "", 3
	for _, k := range known {
		d := levenshtein(nk, k)
		if d < bestDist && d < len([]rune(k)) {
			best, bestDist = k, d
		}
	}
	if best != "" || len(nk) < 3 {
		return best
	}
	// A key cut short ("webhook" for "webhook_url"), when only one fits.
	for _, k := range known {
		if strings.HasPrefix(k, nk) {
			if best != "" {
				return ""
			}
			best = k
		}
	}
	return best
}

// levenshtein is the edit distance between a and b, counting an adjacent
// transposition as one edit.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 30
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
