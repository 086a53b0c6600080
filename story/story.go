// Package story decides which news items tell the same story: reports of one
// event by different outlets, in English or Spanish, with the same link or
// with titles and ledes that say the same thing.
package story

// Doc is one item as story grouping sees it.
type Doc struct {
	Key    string // canonical link, "" when none; docs with the same Key are one story
	Title  string
	Lede   string // summary or first paragraph, "" when none; only its first words count
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
