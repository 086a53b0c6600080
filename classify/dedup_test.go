package classify

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestDedupFoldedPlurals compares dedupFolded, which looks for a term's
// singular among the terms of its shape only, with its definition: every
// term against every other (pluralOf).
func TestDedupFoldedPlurals(t *testing.T) {
	parts := []string{"cartel", "cartels", "carteles", "CÁRTEL", "ataque", "ataques", "us", "uses", "grupo", "grupos",
		"criminal", "criminales", "troop", "troops", "troopes", "=Cartel", "=Carteles", "cartel*", "carteles*"}
	parse := func(s string) (pattern, error) { return parseTerm(s) }
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var terms []string
		for range 1 + rng.IntN(8) {
			term := parts[rng.IntN(len(parts))]
			for rng.IntN(3) == 0 && !strings.HasSuffix(term, "*") {
				if next := parts[rng.IntN(len(parts))]; !strings.HasPrefix(next, "=") {
					term += " " + next
				}
			}
			if rng.IntN(10) == 0 {
				term += " ~2 " + parts[rng.IntN(4)]
			}
			terms = append(terms, term)
		}
		if got, want := keptTerms(dedupFolded(terms, parse)), dedupPairwise(terms, parse); !slices.Equal(got, want) {
			t.Fatalf("dedupFolded(%q) = %q; want %q", terms, got, want)
		}
	}
}

// keptTerms returns the terms of dedupFolded's result, as written.
func keptTerms(kept []parsedTerm) []string {
	var out []string
	for _, k := range kept {
		out = append(out, k.term)
	}
	return out
}

// dedupPairwise is dedupFolded by its definition: after the terms that fold
// to an earlier one, those with a singular among the others go.
func dedupPairwise(terms []string, parse func(string) (pattern, error)) []string {
	var out []string
	var pats []pattern
	seen := map[string]bool{}
	for _, t := range terms {
		k := "\x00" + t
		p, err := parse(t)
		if err == nil {
			k = p.key()
		}
		if !seen[k] {
			seen[k] = true
			out, pats = append(out, t), append(pats, p)
		}
	}
	var kept []string
	for i, t := range out {
		covered := false
		for j := range pats {
			covered = covered || (j != i && pluralOf(&pats[i], &pats[j]))
		}
		if !covered {
			kept = append(kept, t)
		}
	}
	return kept
}
