package classify

import (
	"fmt"
	"strings"
)

// Why says, one line each, what decided an explanation's verdict: every
// term that matched and where, or that none did; the exclude terms that
// matched; the require groups with no match; and a score below minScore.
// `newsdigest explain` and the slash command's explain print these lines.
func (x Explanation) Why(minScore int) []string {
	var lines []string
	for _, h := range x.Terms {
		lines = append(lines, fmt.Sprintf("term %q in %s: %q", h.Term, h.Field, h.Text))
	}
	if len(x.Terms) == 0 {
		lines = append(lines, "no term matched")
	}
	for _, t := range x.ExcludedBy {
		lines = append(lines, fmt.Sprintf("excluded by %q", t))
	}
	for _, g := range x.MissingRequire {
		lines = append(lines, fmt.Sprintf("missing require: none of [%s]", strings.Join(g, ", ")))
	}
	if !x.Matched && len(x.Terms) > 0 && len(x.ExcludedBy) == 0 && len(x.MissingRequire) == 0 {
		lines = append(lines, fmt.Sprintf("score %d is below min_score %d", x.Score, minScore))
	}
	return lines
}
