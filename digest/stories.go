package digest

import (
	"cmp"
	"math"
	"slices"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/story"
)

// partition groups members into stories (story.Group): each story is a
// list of member indices in input order, and stories come in order of
// first appearance. It and clusterMembers are the one place in digest that
// asks what "the same story" is.
func partition(ms []member) [][]int {
	docs := make([]story.Doc, len(ms))
	for i := range ms {
		docs[i] = storyDoc(&ms[i])
	}
	groups, _ := partitionDocs(docs, 0)
	return groups
}

// partitionDocs is partition of the members whose docs are docs, the first
// known of them already posted; news is story.GroupAfter's.
func partitionDocs(docs []story.Doc, known int) (groups [][]int, news []bool) {
	// Group numbers a story by its first doc: the story of doc i is
	// stories[i]'s, which is met first at i.
	stories, news := story.GroupAfter(docs, known)
	index := make([]int, len(docs)) // story's first doc -> its place in out
	var out [][]int
	for i, r := range stories {
		if r == i {
			index[i] = len(out)
			out = append(out, []int{i})
			continue
		}
		out[index[r]] = append(out[index[r]], i)
	}
	return out, news
}

// clusterMembers partitions members into stories in order of first
// appearance. A story that one of the delivered members (items already
// posted to the channel) belongs to keeps only the candidates that bring
// it news (story.GroupAfter: a name, place or figure no delivered member
// mentions), and is dropped when none does: another outlet's copy of
// yesterday's story is not posted again, and a development of it that
// names someone new is. Alerted members are items that alerts carried
// (their alert set); a candidate may carry one too. Each story comes with
// the earliest alert among its members and the alerted members it joined,
// or nil. With omitAlerted (digest.alerted: omit) alerted members count
// as posted too: a story an alert carried keeps only the candidates that
// bring it news, which come without an alert, as new.
func clusterMembers(ms, delivered, alerted []member, omitAlerted bool) (stories [][]member, alerts []*newsdigest.Alerted) {
	// The members grouped together, by position: delivered, then the
	// alerted ones that are not candidates (with omitAlerted: every alerted
	// one), then the candidates (with omitAlerted: those not alerted).
	all := make([]*member, 0, len(delivered)+len(alerted)+len(ms))
	for i := range delivered {
		all = append(all, &delivered[i])
	}
	inMs := make(map[string]bool, len(ms))
	for _, m := range ms {
		inMs[m.c.Item.ID] = true
	}
	isAlerted := make(map[string]bool, len(alerted))
	for i := range alerted {
		isAlerted[alerted[i].c.Item.ID] = true
		if omitAlerted || !inMs[alerted[i].c.Item.ID] {
			all = append(all, &alerted[i])
		}
	}
	known := len(all)
	posted := len(delivered) // the members whose stories only news may join
	if omitAlerted {
		posted = known
	}
	for i := range ms {
		if !omitAlerted || !isAlerted[ms[i].c.Item.ID] {
			all = append(all, &ms[i])
		}
	}
	docs := make([]story.Doc, len(all))
	for i, m := range all {
		docs[i] = storyDoc(m)
	}
	groups, news := partitionDocs(docs, posted)
	// In order of each story's first candidate.
	slices.SortStableFunc(groups, func(a, b []int) int { return cmp.Compare(firstFrom(a, known), firstFrom(b, known)) })
	for _, g := range groups {
		var s []member
		var alert *newsdigest.Alerted
		old := g[0] < posted // g is in index order
		for _, i := range g {
			m := all[i]
			if i >= known && (!old || news[i]) {
				if s == nil {
					s = make([]member, 0, len(g))
				}
				s = append(s, *m)
			}
			if m.alert != nil && !omitAlerted && (alert == nil || m.alert.At.Before(alert.At)) {
				alert = m.alert
			}
		}
		if len(s) == 0 {
			continue // the story was already posted and nothing new came, or has no candidate
		}
		stories = append(stories, s)
		alerts = append(alerts, alert)
	}
	return stories, alerts
}

// firstFrom is the first index in g at or after from (math.MaxInt: none).
func firstFrom(g []int, from int) int {
	for _, i := range g {
		if i >= from {
			return i
		}
	}
	return math.MaxInt
}

// storyDoc is a member as story grouping sees it; its time is when it was
// published, else when it was first seen.
func storyDoc(m *member) story.Doc {
	it := m.c.Item
	at := it.Published
	if at.IsZero() {
		at = m.c.FirstSeen
	}
	return story.Doc{Key: m.key, Title: it.Title, Lede: it.Summary, Source: it.Source, Feed: it.FeedName, At: at}
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
