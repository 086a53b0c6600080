package story

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/storyeval"
)

// partition turns Group's answer into a canonical form that does not
// depend on the docs' order: for each doc, in the order of ids, the sorted
// ids of its story.
func partition(docs []Doc, ids []string) map[string]string {
	g := Group(docs)
	members := map[int][]string{}
	for i, r := range g {
		members[r] = append(members[r], ids[i])
	}
	out := make(map[string]string, len(docs))
	for i, r := range g {
		ms := slices.Clone(members[r])
		slices.Sort(ms)
		out[ids[i]] = fmt.Sprint(ms)
	}
	return out
}

// TestGroupOrderIndependent groups every window of the public tuning sets
// in file order and shuffled: the stories must be the same.
func TestGroupOrderIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 2026))
	for _, set := range storyeval.Sets {
		if set.HeldOut {
			continue
		}
		ws, _, err := set.Load(evalDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			docs := evalDocs(w.Items)
			ids := make([]string, len(w.Items))
			for i, it := range w.Items {
				ids[i] = it.ID
			}
			want := partition(docs, ids)
			for range 2 {
				perm := r.Perm(len(docs))
				sd, sids := make([]Doc, len(docs)), make([]string, len(docs))
				for i, p := range perm {
					sd[i], sids[i] = docs[p], ids[p]
				}
				got := partition(sd, sids)
				for id, s := range want {
					if got[id] != s {
						t.Fatalf("%s window %s: item %s is in story %s in file order, %s shuffled", set.Name, w.Name, id, s, got[id])
					}
				}
			}
		}
	}
}

// FuzzGroup checks that Group never panics, returns a valid partition (each
// doc points at the first doc of its story, docs with one key are one
// story, whatever their times) and gives the same stories for the docs in
// reverse order, and that GroupAfter gives the same stories and news that
// keeps to its promises.
func FuzzGroup(f *testing.F) {
	for _, d := range issueWindow {
		f.Add(d.Title, "", "", d.Title+" again", "k", int64(200))
	}
	f.Add("Mexico arrests CJNG leader - Reuters", "Mexican forces detained him.", "Reuters", "Detienen a líder del CJNG", "", int64(0))
	f.Add("3.8% 3,80% mil 500 US$ 12 billion", "", "", "3 mil 12 mil millones", "", int64(0))
	f.Add("Boy shot in Tyler County - KSLA News 12 | Weather", "", "ksla.com", "Fight leaves 4 wounded - KSLA News 12 | Weather", "", int64(0))
	f.Add("Boy, 16, killed in Culiacán; a 4-year-old hurt", "Un joven de 17 años de edad, aged 12 to 17, 5- to 11-year-olds", "", "Niño de 4 años herido en Culiacán", "", int64(0))
	f.Add("", "", "", "", "", int64(0))
	f.Fuzz(func(t *testing.T, t1, lede, source, t2, key string, hours int64) {
		docs := []Doc{
			{Title: t1, Lede: lede, Source: source},
			{Title: t2, Lede: lede, Key: key},
			{Title: t1 + " " + t2, Key: key},
			{Title: t2, Source: source},
			{Title: t1},
		}
		// Times: the first doc at a fixed time, the fourth hours after it
		// (more than a week apart when hours > 168); the others undated.
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		docs[0].At, docs[3].At = at, at.Add(time.Duration(hours%100000)*time.Hour)
		g := Group(docs)
		if len(g) != len(docs) {
			t.Fatalf("Group returned %d answers for %d docs", len(g), len(docs))
		}
		for i, r := range g {
			if r > i || g[r] != r {
				t.Fatalf("Group = %v: doc %d points at %d, which is not its story's first doc", g, i, r)
			}
		}
		if key != "" && g[1] != g[2] {
			t.Fatalf("Group = %v: docs with key %q are in two stories", g, key)
		}
		// GroupAfter, with the first two docs posted: the same stories; a
		// posted doc never brings news, and a doc whose story holds no
		// posted doc always does.
		ga, news := GroupAfter(docs, 2)
		if !slices.Equal(ga, g) || len(news) != len(docs) {
			t.Fatalf("GroupAfter = %v, %v; want Group's stories %v and one answer a doc", ga, news, g)
		}
		for i := range docs {
			posted := g[0] == g[i] || g[1] == g[i]
			if (i < 2 && news[i]) || (!posted && !news[i]) {
				t.Fatalf("GroupAfter news = %v for stories %v; doc %d wrong", news, g, i)
			}
		}
		rev := slices.Clone(docs)
		slices.Reverse(rev)
		gr := Group(rev)
		n := len(docs)
		for i := range docs {
			for j := range docs {
				if (g[i] == g[j]) != (gr[n-1-i] == gr[n-1-j]) {
					t.Fatalf("docs %d and %d: one story = %v in order, %v reversed", i, j, g[i] == g[j], gr[n-1-i] == gr[n-1-j])
				}
			}
		}
	})
}
