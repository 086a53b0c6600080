package story

import "testing"

// TestGroupAfter: a doc brings news to a story already posted when its
// title's head names someone, somewhere or some figure that no posted doc
// of the story mentions, and that few docs carry.
func TestGroupAfter(t *testing.T) {
	posted := Doc{Title: "Sinaloa cartel leader arrested in Culiacán raid", Lede: "Mexican forces arrested a senior Sinaloa cartel leader in Culiacán on Monday."}
	filler := []Doc{ // other news of the window, so that names are rare
		{Title: "Peso gains as inflation slows in Mexico"}, {Title: "Pemex posts quarterly loss on refining"},
		{Title: "Storm floods homes in Veracruz"}, {Title: "Senate debates judicial reform in Mexico City"},
		{Title: "Teachers march in Oaxaca over pay"}, {Title: "Mexico's central bank holds rates"},
		{Title: "Tourism rebounds in Cancún after hurricane"}, {Title: "Avocado exports rise to record"},
		{Title: "Governors meet Sheinbaum in Monterrey"}, {Title: "Water plan for the north unveiled by Sheinbaum"},
		{Title: "Poll: support for Sheinbaum holds steady"},
	}
	for _, tc := range []struct {
		title  string
		news   bool
		copies int // how many outlets carry it (default 1)
	}{
		{"Sinaloa cartel leader arrested in Culiacán raid, officials say", false, 1},
		{"Veteran Sinaloa cartel leader arrested in Culiacán raid", false, 1}, // a capital that only starts the title
		{"Sinaloa cartel leader arrested in Culiacán raid was Iván Archivaldo Guzmán's security chief", true, 1},
		// A name that many items of other stories carry is not news.
		{"Sinaloa cartel leader arrested in Culiacán raid, Sheinbaum says", false, 1},
		// Many outlets carrying the new name make it no less news.
		{"Sinaloa cartel leader arrested in Culiacán raid was Iván Archivaldo Guzmán's security chief", true, 4},
		{"Sinaloa cartel leader and 3 gunmen arrested in Culiacán raid", true, 1},
		{"Sinaloa cartel leader arrested in Culiacán raid - Diario Tijuana", false, 1}, // a trailing outlet name
		{"Sinaloa cartel leader arrested in Culiacán raid [Diario Tijuana]", false, 1},
		{"Sinaloa cartel leader arrested in Culiacán raid * Diario Tijuana", false, 1},
	} {
		docs := append([]Doc{posted}, filler...)
		first := len(docs)
		for c := range max(tc.copies, 1) {
			docs = append(docs, Doc{Title: tc.title, Source: string(rune('a' + c))})
		}
		stories, news := GroupAfter(docs, 1)
		if news[0] {
			t.Errorf("the posted doc brings news")
		}
		for last := first; last < len(docs); last++ {
			if stories[last] != stories[0] {
				t.Errorf("%q is not in the posted story; the case tests nothing", tc.title)
			} else if news[last] != tc.news {
				t.Errorf("GroupAfter news of %q (copy %d of %d) = %v; want %v", tc.title, last-first+1, len(docs)-first, news[last], tc.news)
			}
		}
		for i := 1; i < first; i++ {
			if !news[i] {
				t.Errorf("%q, in no posted story, does not bring news", docs[i].Title)
			}
		}
	}
}
