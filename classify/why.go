package classify

import (
	"fmt"
	"strings"
)

// maxGroupShown is how many terms of a missing require group Why lists.
const maxGroupShown = 10

// Why says, one line each, what decided an explanation's verdict: every
// term that matched and where, or that none did; the exclude terms that
// matched (and the unless terms that lifted them); the require groups with
// no match (their first terms); and a score below minScore.
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
		if len(x.Unless) > 0 {
			lines = append(lines, fmt.Sprintf("exclude %q lifted by unless %q", t, strings.Join(x.Unless, `", "`)))
		} else {
			lines = append(lines, fmt.Sprintf("excluded by %q", t))
		}
	}
	for _, g := range x.MissingRequire {
		more := ""
		if len(g) > maxGroupShown { // a gazetteer: its first terms say which group it is
			g, more = g[:maxGroupShown], fmt.Sprintf(", … %d more", len(g)-maxGroupShown)
		}
		lines = append(lines, fmt.Sprintf("missing require: none of [%s%s]", strings.Join(g, ", "), more))
	}
	if !x.Matched && len(x.Terms) > 0 && (len(x.ExcludedBy) == 0 || len(x.Unless) > 0) && len(x.MissingRequire) == 0 {
		lines = append(lines, fmt.Sprintf("score %d is below min_score %d", x.Score, minScore))
	}
	return lines
}
