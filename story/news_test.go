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
	}
	for _, tc := range []struct {
		title string
		news  bool
	}{
		{"Sinaloa cartel leader arrested in Culiacán raid, officials say", false},
		{"Veteran Sinaloa cartel leader arrested in Culiacán raid", false}, // a capital that only starts the title
		{"Sinaloa cartel leader arrested in Culiacán raid was Iván Archivaldo Guzmán's security chief", true},
		{"Sinaloa cartel leader and 3 gunmen arrested in Culiacán raid", true},
		{"Sinaloa cartel leader arrested in Culiacán raid - Diario Tijuana", false}, // a trailing outlet name
	} {
		docs := append([]Doc{posted}, filler...)
		docs = append(docs, Doc{Title: tc.title})
		stories, news := GroupAfter(docs, 1)
		last := len(docs) - 1
		if stories[last] != stories[0] {
			t.Errorf("%q is not in the posted story; the case tests nothing", tc.title)
			continue
		}
		if news[last] != tc.news || news[0] {
			t.Errorf("GroupAfter news of %q = %v (posted doc: %v); want %v (false)", tc.title, news[last], news[0], tc.news)
		}
		for i := 1; i < last; i++ {
			if !news[i] {
				t.Errorf("%q, in no posted story, does not bring news", docs[i].Title)
			}
		}
	}
}
