// Package story decides which news items tell the same story: items with the
// same link, and items whose titles and ledes say the same thing (its word
// lists know English and Spanish). See cluster.go for how.
package story

import (
	"cmp"
	"slices"
	"time"
)

// Doc is one item as story grouping sees it.
type Doc struct {
	Key    string // canonical link, "" when none; docs with the same Key are one story
	Title  string
	Lede   string    // the item's summary, "" when none; only its first 40 words count
	Source string    // outlet name, used to cut " | Outlet" from the title
	Feed   string    // feed name, used like Source
	At     time.Time // when the item was published (else first seen); zero when unknown
}

// Group partitions docs into stories: it returns, for each doc, the index of
// the first doc of its story (so doc i starts a story when Group(docs)[i] ==
// i). Docs with the same non-empty Key are always one story. Word weights are
// computed over docs themselves, so the answer depends on the whole slice,
// but not on its order: the same docs in any order make the same stories.
func Group(docs []Doc) []int {
	stories, _ := groupAfter(docs, 0, tuned)
	return stories
}

// GroupAfter is Group for a window whose first known docs were already
// posted. It also reports, for each doc, whether its title brings news to
// its story: a name, place or figure in the title's head (not in a short
// trailing " - Outlet") that none of the story's known docs mentions, in
// title or lede, and that few docs of other stories carry ("Sinaloa
// cartel leader arrested in Culiacán raid was Iván Archivaldo Guzmán's
// security chief" after "Sinaloa cartel leader arrested in Culiacán raid";
// not "2 athletes test positive" after "Two athletes test positive"; see
// news.go). A doc whose story holds no known doc always brings news; a
// known doc never does.
func GroupAfter(docs []Doc, known int) (stories []int, news []bool) {
	return groupAfter(docs, known, tuned)
}

// group is Group with parameters p.
func group(docs []Doc, p params) []int {
	stories, _ := groupAfter(docs, 0, p)
	return stories
}

// groupAfter is GroupAfter with parameters p.
func groupAfter(docs []Doc, known int, p params) ([]int, []bool) {
	order := contentOrder(docs)
	if titles := stripRepeatedTails(docs); titles != nil {
		docs = slices.Clone(docs)
		for i := range docs {
			docs[i].Title = titles[i]
		}
	}
	cds, info := readDocs(docs, order, known > 0)
	story := cluster(cds, info, p)
	// first[s] is the first doc, in the caller's order, of story s (a
	// story is numbered by one of its docs, so s < len(docs)).
	first := make([]int, len(docs))
	for s := range first {
		first[s] = len(docs)
	}
	for k, i := range order {
		first[story[k]] = min(first[story[k]], i)
	}
	out := make([]int, len(docs))
	for k, i := range order {
		out[i] = first[story[k]]
	}
	return out, bringsNews(cds, info, order, story, known)
}

// contentOrder returns the indexes of docs in an order given by the docs'
// content alone (link, title, lede, source, feed): docs that tie are equal,
// so their order does not matter.
func contentOrder(docs []Doc) []int {
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, y := &docs[a], &docs[b]
		return cmp.Or(cmp.Compare(x.Key, y.Key), cmp.Compare(x.Title, y.Title), cmp.Compare(x.Lede, y.Lede),
			cmp.Compare(x.Source, y.Source), cmp.Compare(x.Feed, y.Feed), x.At.Compare(y.At))
	})
	return order
}
