package digest

import (
	"cmp"

	"github.com/newsdigest/newsdigest/story"
)

// clusterMembers partitions members into stories (story.Group) in order of
// first appearance, dropping every story that one of the delivered members
// (items already posted to the channel) belongs to.
func clusterMembers(ms []member, delivered []member) (stories [][]member) {
	docs := make([]story.Doc, 0, len(ms)+len(delivered))
	for _, m := range delivered {
		docs = append(docs, storyDoc(m))
	}
	for _, m := range ms {
		docs = append(docs, storyDoc(m))
	}
	root := story.Group(docs)
	old := make(map[int]bool, len(delivered))
	for i := range delivered {
		old[root[i]] = true
	}
	index := map[int]int{}
	for k, m := range ms {
		r := root[len(delivered)+k]
		if old[r] {
			continue // the story was already delivered
		}
		if s, ok := index[r]; ok {
			stories[s] = append(stories[s], m)
			continue
		}
		index[r] = len(stories)
		stories = append(stories, []member{m})
	}
	return stories
}

// storyDoc is a member as story grouping sees it.
func storyDoc(m member) story.Doc {
	it := m.c.Item
	return story.Doc{Key: m.key, Title: it.Title, Lede: it.Summary, Source: it.Source, Feed: it.FeedName}
}

// byRank orders a story best first: highest score, then earliest date, then
// ID. The best-scoring item is the one that says most plainly why the story
// is in the digest (its title carries the terms); among equals the earliest
// is usually the original report the others followed.
func byRank(a, b member) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	if c := a.when.Compare(b.when); c != 0 {
		return c
	}
	return cmp.Compare(a.c.Item.ID, b.c.Item.ID)
}
