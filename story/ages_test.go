package story

import (
	"slices"
	"testing"
)

// TestAges checks which figures are read as a person's age: the figure of
// "N-year-old", of an apposition ("Boy, 16,"), of "aged N" and of Spanish
// "de N años", in title or lede; not a count, a range, a group or a term.
func TestAges(t *testing.T) {
	for _, tc := range []struct {
		title, lede string
		want        []string
	}{
		{"4-year-old boy dies after shooting in Tijuana home", "", []string{"4"}},
		{"Two-year-old killed in Ciudad Juárez crossfire", "", []string{"2"}},
		{"Boy dies in accidental shooting at El Paso home", "A 12 year old boy was killed Sunday.", []string{"12"}},
		{"Boy, 16, killed in Culiacán shooting", "", []string{"16"}},
		{"Former cartel boss 'El Mayo' Zambada, 77, pleads guilty", "", []string{"77"}},
		{"Mexican singer dies aged 95 in Guadalajara", "", []string{"95"}},
		{"Matan a joven de 17 años en Culiacán", "", []string{"17"}},
		{"Muere hombre de 31 años de edad en Chihuahua", "", []string{"31"}},
		{"2 arrested in Tijuana shooting that wounded 4", "", nil},
		{"Condenan a secuestrador a pena de 40 años de prisión", "", nil},
		{"Sentencian a 'El Menchito' a cadena perpetua más 30 años", "", nil},
		{"Pfizer vaccine safe for 5- to 11-year-olds", "", nil},
		{"Moderna vaccine effective in teens aged 12 to 17", "Trials of 12- to 17-years-old", nil},
		{"Cartel tunnel 1,500-year-old", "", nil}, // four digits: no person's age
	} {
		st := newStemmer()
		d := st.doc(Doc{Title: tc.title, Lede: tc.lede})
		var got []string
		for _, id := range d.ages {
			got = append(got, st.stemOf[id])
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("ages of %q / %q = %q; want %q", tc.title, tc.lede, got, tc.want)
		}
	}
}

// ageWindow holds near-twin shooting reports: a short headline leaves the
// victim's age to its lede, and two reports whose ages differ are two
// families' news.
var ageWindow = []Doc{
	{Title: "Child dies after accidental shooting at El Paso home", Lede: "A 4-year-old boy died Sunday after he found a loaded handgun in a bedroom, El Paso police said."}, // 0
	{Title: "Boy dies after accidental shooting at El Paso home", Lede: "A 12-year-old boy died Saturday after a handgun went off in a bedroom, El Paso police said."},       // 1
	{Title: "4-year-old dies after accidental shooting at El Paso home", Lede: "The boy found a loaded handgun in a bedroom on Sunday, police said."},                        // 2
	{Title: "Muere niño de 4 años tras disparo accidental en El Paso", Lede: "El menor encontró una pistola cargada en una recámara, informó la policía de El Paso."},        // 3
	{Title: "Pemex reports refinery outage in Tabasco", Lede: "The state oil company said a fire at the Dos Bocas refinery halted output on Sunday."},                        // 4
	{Title: "Migrants wait at the El Paso border as asylum rules change", Lede: "Hundreds of migrants waited at the El Paso port of entry on Sunday, officials said."},       // 5
	{Title: "Banxico holds its key rate", Lede: "The Bank of Mexico kept its benchmark interest rate unchanged on Thursday, as analysts had expected."},                      // 6
}

// TestClusterAges checks that two look-alike reports whose items give
// different ages stay apart, and that the same age, written in another way
// or another language, does not.
func TestClusterAges(t *testing.T) {
	for _, tc := range []struct {
		a, b int
		same bool
	}{
		{0, 1, false}, // a 4-year-old and a 12-year-old
		{1, 2, false},
		{0, 2, true}, // the 4-year-old, in the lede and in the title
	} {
		if got := sameStory(ageWindow, tc.a, tc.b); got != tc.same {
			t.Errorf("%q and %q in one story = %v; want %v", ageWindow[tc.a].Title, ageWindow[tc.b].Title, got, tc.same)
		}
	}
	// "de 4 años" and "4-year-old" are one age: the pair is not vetoed.
	st := newStemmer()
	en, es := st.doc(ageWindow[2]), st.doc(ageWindow[3])
	if agesDisagree(en.ages, es.ages) || len(en.ages) == 0 {
		t.Errorf("ages %v and %v disagree; want one age", en.ages, es.ages)
	}
}
