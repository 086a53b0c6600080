package storyeval_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/storyeval"
)

// TestDeliveredHides measures what the digest's "not posted again" rule
// (a candidate whose story holds an item already posted to the channel is
// left out) costs and saves on public labelled news whose stories run over
// several days. Each day of a dated set is one daily digest: the previous
// day's items stand for what was posted yesterday (Input.Delivered), the
// day's items are the candidates. A candidate left out is a repeat when a
// delivered item carries its label — the rule saved a second post — and
// hidden when none does: it went down with another story and the channel
// never sees it. A candidate posted although a delivered item carries its
// label is posted again. Figures are logged; ceilings hold both shares.
func TestDeliveredHides(t *testing.T) {
	// Ceilings on the share of candidates hidden and posted again, just
	// above what is measured now (docs/STORIES.md, "Posted yesterday"):
	// hidden 0.015, 0.012, 0.005, 0.000, 0.007; posted again 0.351, 0.251,
	// 0, 0.632, 0.211 (before stop 25's change 9 to reading titles: hidden
	// 0.014 on og2021, posted again 0.353 and 0.252). Before a story's new docs that bring news were kept
	// (story.GroupAfter), every candidate of a story posted yesterday was
	// left out: hidden 0.018, 0.021, 0.006, 0.000, 0.007; posted again
	// 0.327, 0.228, 0, 0.632, 0.193.
	ceilings := map[string]struct{ hidden, again float64 }{
		"og2021":             {0.016, 0.36},
		"og2021-competition": {0.014, 0.26},
		"allsides-2021":      {0.007, 0.01},
		"basil":              {0.015, 0.65},
		"gvc":                {0.008, 0.22},
	}
	var rows []string
	for _, set := range storyeval.Sets {
		if set.Locked() {
			continue
		}
		items, err := storyeval.Load(filepath.Join("testdata", set.File))
		if err != nil {
			t.Fatal(err)
		}
		days := storyeval.ByDay(items)
		var st deliveredStats
		for i := 1; i < len(days); i++ {
			yesterday, today := days[i-1], days[i]
			if today.From.Sub(yesterday.From) != 24*time.Hour {
				continue
			}
			st.add(digestDay(yesterday, today))
		}
		if st.candidates == 0 {
			continue // no two consecutive days
		}
		rows = append(rows, fmt.Sprintf("| %s | %d | %d | %d | %d (%.3f) | %d |", set.Name, st.days, st.candidates,
			st.repeats, st.hidden, st.hiddenShare(), st.postedAgain))
		c, ok := ceilings[set.Name]
		if !ok {
			t.Errorf("%s: no ceilings", set.Name)
			continue
		}
		if st.hiddenShare() > c.hidden {
			t.Errorf("%s: %d of %d candidates hidden by yesterday's stories (%.3f); want at most %.3f",
				set.Name, st.hidden, st.candidates, st.hiddenShare(), c.hidden)
		}
		if again := float64(st.postedAgain) / float64(st.candidates); again > c.again {
			t.Errorf("%s: %d of %d candidates of yesterday's stories posted again (%.3f); want at most %.3f",
				set.Name, st.postedAgain, st.candidates, again, c.again)
		}
	}
	t.Logf("\n| set | days | candidates | left out, repeats | left out, hidden (share) | posted again |\n|---|---|---|---|---|---|\n%s",
		strings.Join(rows, "\n"))
}

// deliveredStats counts one set's days.
type deliveredStats struct {
	days, candidates, repeats, hidden, postedAgain int
}

func (s *deliveredStats) add(d deliveredStats) {
	s.days++
	s.candidates += d.candidates
	s.repeats += d.repeats
	s.hidden += d.hidden
	s.postedAgain += d.postedAgain
}

func (s *deliveredStats) hiddenShare() float64 {
	return float64(s.hidden) / float64(s.candidates)
}

// digestDay builds today's digest with yesterday's items delivered, and
// counts its candidates (digest.Build, as a scheduled digest builds it).
func digestDay(yesterday, today storyeval.Window) deliveredStats {
	topics := []newsdigest.Topic{{Name: "all", Label: "All"}}
	cand := func(it storyeval.Item) newsdigest.Candidate {
		at := it.Time()
		return newsdigest.Candidate{
			Item: newsdigest.Item{ID: it.ID, Title: it.Title, Summary: it.Lede, Link: "https://eval.test/" + it.ID,
				Published: at, FeedName: it.Outlet(), Source: it.Outlet()},
			CanonicalURL: "https://eval.test/" + it.ID,
			FirstSeen:    at,
			Matches:      []newsdigest.Match{{Topic: "all", Score: 1}},
		}
	}
	in := digest.Input{Title: "eval", GeneratedAt: today.To, From: today.From, To: today.To, Topics: topics}
	posted := map[string]bool{} // labels delivered yesterday
	for _, it := range yesterday.Items {
		in.Delivered = append(in.Delivered, cand(it))
		posted[it.Cluster] = true
	}
	for _, it := range today.Items {
		in.Candidates = append(in.Candidates, cand(it))
	}
	shown := map[string]bool{}
	for _, sec := range digest.Build(in).Topics {
		for _, e := range sec.Items {
			for _, id := range e.ItemIDs {
				shown[id] = true
			}
		}
	}
	var st deliveredStats
	for _, it := range today.Items {
		st.candidates++
		switch {
		case !shown[it.ID] && posted[it.Cluster]:
			st.repeats++
		case !shown[it.ID]:
			st.hidden++
		case posted[it.Cluster]:
			st.postedAgain++
		}
	}
	return st
}
