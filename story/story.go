// Package story decides which news items tell the same story: items with the
// same link, and items whose titles and ledes say the same thing (its word
// lists know English and Spanish).
package story

// Doc is one item as story grouping sees it.
type Doc struct {
	Key    string // canonical link, "" when none; docs with the same Key are one story
	Title  string
	Lede   string // the item's summary, "" when none; only its first 40 words count
	Source string // outlet name, used to cut " | Outlet" from the title
	Feed   string // feed name, used like Source
}

// Group partitions docs into stories: it returns, for each doc, the index of
// the first doc of its story (so doc i starts a story when Group(docs)[i] ==
// i). Docs with the same non-empty Key are always one story. Word weights are
// computed over docs themselves, and each doc is compared only with earlier
// ones, so the answer depends on the whole slice and its order.
func Group(docs []Doc) []int {
	st := newStemmer()
	cds := make([]clusterDoc, len(docs))
	for i, d := range docs {
		cds[i] = st.doc(d)
	}
	return cluster(cds, tuned)
}
