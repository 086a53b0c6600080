package classify

import (
	"slices"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/learn"
)

// learnedModel is a model trained on a few labelled items: "narco" and
// "capo" news is crime even when no term of the crime topic is there, and
// "concierto" (a concert) news never is.
func learnedModel(t *testing.T) *learn.Model {
	t.Helper()
	var ex []learn.Example
	for i := range 15 {
		place := []string{"Sinaloa", "Jalisco", "Tamaulipas"}[i%3]
		for _, d := range []struct {
			doc    Doc
			topics []string
		}{
			{Doc{Title: "Capo del narco detenido en " + place, Summary: "El capo operaba para el narco."}, []string{"crime"}},
			{Doc{Title: "Narco capo extradited from " + place}, []string{"crime"}},
			{Doc{Title: "Cartel de Santa: concierto en " + place, Summary: "La banda toca en concierto."}, nil},
			{Doc{Title: "Concierto y festival en " + place}, nil},
			{Doc{Title: "Lluvias en " + place}, nil},
		} {
			ex = append(ex, learn.Example{Words: LearnWords(d.doc), Topics: d.topics})
		}
	}
	m, err := learn.Train(ex, []string{"crime", "elsewhere"}, learn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLearned(t *testing.T) {
	topics := []newsdigest.Topic{
		{Name: "crime", Terms: []string{"cartel"}, Exclude: []string{"Cartel de Santa"}},
		{Name: "weather", Terms: []string{"lluvias"}}, // the model does not know it
	}
	m, err := Compile(topics)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetLearned(Learned{Model: learnedModel(t), Accept: 0.9, Veto: 0.05}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		title, summary string
		want           string // topic:terms, or "" for no match
		effect         string // the crime explanation's Learned.Effect
	}{
		// No term, but the model is sure: added, labelled as the model's.
		{"Capo del narco detenido en Sinaloa", "El capo operaba para el narco.", "crime:learned 9", "added"},
		// A term match the model finds impossible: dropped.
		{"Cartel concierto y festival en Jalisco", "", "", "vetoed"},
		// A term match the model does not doubt: the terms decide.
		{"Cartel capo detenido en Sinaloa", "", "crime:cartel", ""},
		// An exclude term is the user's word: the model does not overrule it.
		{"Cartel de Santa: capo del narco en concierto", "El capo del narco.", "", ""},
		// A topic the model does not know: the terms alone.
		{"Lluvias en Jalisco", "", "weather:lluvias", ""},
	} {
		d := Doc{Title: tt.title, Summary: tt.summary}
		var got []string
		for _, mt := range m.Match(d) {
			got = append(got, mt.Topic+":"+strings.Join(mt.Terms, ","))
			if strings.HasPrefix(mt.Terms[0], "learned") && mt.Score != 1 {
				t.Errorf("%q: a match the model made has score %d, want 1", tt.title, mt.Score)
			}
		}
		if tt.want == "" && len(got) > 0 || tt.want != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tt.want)) {
			t.Errorf("Match(%q) = %q; want %q", tt.title, got, tt.want)
		}
		ex := m.Explain(d)
		if ex[0].Learned == nil || ex[0].Learned.Effect != tt.effect || len(ex[0].Learned.Features) == 0 {
			t.Errorf("Explain(%q).Learned = %+v; want effect %q and features", tt.title, ex[0].Learned, tt.effect)
		}
		if ex[1].Learned != nil {
			t.Errorf("Explain(%q): the model explained weather, a topic it does not know", tt.title)
		}
		for i, e := range ex {
			matched := slices.ContainsFunc(m.Match(d), func(mt newsdigest.Match) bool { return mt.Topic == e.Name })
			if e.Matched != matched {
				t.Errorf("%q %s: Explain says matched %v, Match %v", tt.title, e.Name, e.Matched, matched)
			}
			why := strings.Join(e.Why(), "\n")
			if i == 0 && !strings.Contains(why, "learned model: ") || tt.effect == "added" && i == 0 && !strings.Contains(why, "matched by the model") ||
				tt.effect == "vetoed" && i == 0 && !strings.Contains(why, "the terms' match dropped") {
				t.Errorf("%q %s: Why() =\n%s", tt.title, e.Name, why)
			}
		}
	}
	// accept above 1 never adds, veto 0 never drops (config.yaml's way to
	// keep only one of the two).
	if err := m.SetLearned(Learned{Model: learnedModel(t), Accept: 1.5, Veto: 0}); err != nil {
		t.Fatal(err)
	}
	if got := m.Match(Doc{Title: "Capo del narco detenido en Sinaloa", Summary: "El capo operaba para el narco."}); got != nil {
		t.Errorf("accept 1.5 added %v", got)
	}
	if got := m.Match(Doc{Title: "Cartel concierto y festival en Jalisco"}); len(got) != 1 || got[0].Terms[0] != "cartel" {
		t.Errorf("veto 0 dropped a term match: %v", got)
	}
	// Without the model again: terms alone.
	m.SetLearned(Learned{})
	if got := m.Match(Doc{Title: "Capo del narco detenido en Sinaloa"}); got != nil {
		t.Errorf("terms alone matched %v", got)
	}
}

func TestSetLearnedUnknownTopics(t *testing.T) {
	m, err := Compile([]newsdigest.Topic{{Name: "sports", Terms: []string{"gol"}}})
	if err != nil {
		t.Fatal(err)
	}
	err = m.SetLearned(Learned{Model: learnedModel(t), Accept: 0.9})
	if err == nil || !strings.Contains(err.Error(), "scores none of the topics") {
		t.Errorf("a model of other topics: %v", err)
	}
}

// TestLearnedMatchAppendNoAlloc: the model's scoring keeps MatchAppend
// free of allocations once its buffers have grown.
func TestLearnedMatchAppendNoAlloc(t *testing.T) {
	m, err := Compile([]newsdigest.Topic{{Name: "crime", Terms: []string{"cartel"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetLearned(Learned{Model: learnedModel(t), Accept: 0.9, Veto: 0.01}); err != nil {
		t.Fatal(err)
	}
	var s Scratch
	d := Doc{Title: "Capo del narco detenido en Sinaloa", Summary: "El cartel operaba para el narco."}
	dst := m.MatchAppend(nil, &s, d)
	if allocs := testing.AllocsPerRun(50, func() { dst = m.MatchAppend(dst[:0], &s, d) }); allocs > 0 {
		t.Errorf("MatchAppend with a model: %.1f allocations per item", allocs)
	}
}

func TestLearnWords(t *testing.T) {
	got := LearnWords(Doc{Title: "<b>Cártel</b> de SINALOA", Summary: "El &quot;Mayo&quot; Zambada", Content: "not read"})
	want := [learn.NumFields][]string{{"cartel", "de", "sinaloa"}, {"el", "mayo", "zambada"}}
	if !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Errorf("LearnWords = %q; want %q", got, want)
	}
}
