package story

import "slices"

// This file tells what a story's new docs bring when some of its docs were
// already posted (GroupAfter): another outlet's copy of yesterday's story
// is not news, a report of it that names someone new is.

// bringsNews is GroupAfter's news, in the caller's order: cds are the docs
// in order (their titles' names and figures filled in by clustering), story
// their stories. What counts as news is a figure, or a name the window shows
// is one — a place, an acronym, a word capitalised inside sentences; not a
// word merely seen first in a title ("Senior Sinaloa Cartel leader
// arrested") — that few docs of other stories carry (at most max(2,
// n/specShare), like the names that open a pair across languages: not
// "Tokyo" in an Olympics window; the story's own docs do not count, so a
// development that many outlets report is news as much as one that one
// outlet reports), in the title's head (not in a short trailing " -
// Outlet"), and that no known doc of the story mentions.
func bringsNews(cds []clusterDoc, info []stemInfo, order, story []int, known int) []bool {
	news := make([]bool, len(order))
	if known == 0 {
		for i := range news {
			news[i] = true
		}
		return news
	}
	df := make([]int32, len(info))
	for k := range cds {
		for _, t := range cds[k].all {
			df[t]++
		}
	}
	rare := int32(max(2, len(cds)/specShare))
	// Per story that holds a known doc: how many of its known docs, and of
	// all its docs, carry each stem.
	type counts struct{ known, all map[uint32]int32 }
	posted := map[int]*counts{}
	for k, i := range order {
		if i < known && posted[story[k]] == nil {
			posted[story[k]] = &counts{known: map[uint32]int32{}, all: map[uint32]int32{}}
		}
	}
	for k, i := range order {
		c := posted[story[k]]
		if c == nil {
			continue
		}
		for _, t := range cds[k].all {
			c.all[t]++
			if i < known {
				c.known[t]++
			}
		}
	}
	for k, i := range order {
		c := posted[story[k]]
		switch {
		case i < known:
			continue
		case c == nil:
			news[i] = true
			continue
		}
		d := &cds[k]
		isNew := func(t uint32) bool {
			in := &info[t]
			named := in.figure || in.place || in.acronym > 0 || (in.capMid > 0 && in.capMid >= in.lowMid)
			return named && !in.calendar && c.known[t] == 0 && df[t]-c.all[t] <= rare && (d.head == nil || inSet(d.head, t))
		}
		news[i] = slices.ContainsFunc(d.names, isNew) || slices.ContainsFunc(d.figs, isNew)
	}
	return news
}
