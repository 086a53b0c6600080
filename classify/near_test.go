package classify

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest"
)

func TestParseTermProximity(t *testing.T) {
	valid := []string{
		"troops ~8 mexico", "troop* ~0 mexic*", "=US ~3 troops", "troops ~3 =US", "Guardia Nacional ~10 frontera",
		"T-MEC ~5 revisión", "a ~50 b", "a\t~2  b", "cartel ~3 cartel",
	}
	for _, term := range valid {
		if err := ParseTerm(term); err != nil {
			t.Errorf("ParseTerm(%q) = %v; want nil", term, err)
		}
	}
	invalid := map[string]string{
		"a ~ b":                     "'~' only as a proximity operator",
		"a~5 b":                     "'~' only as a proximity operator",
		"a ~5b":                     "'~' only as a proximity operator",
		"a ~x b":                    "'~' only as a proximity operator",
		"~5 b":                      "'~' only as a proximity operator",
		"a ~5":                      "'~' only as a proximity operator",
		"a ~5 b ~5 c":               "at most one",
		"a ~51 b":                   "0 to 50",
		"a ~99999999999999999999 b": "0 to 50",
		"a ~5 *":                    "right of ~5",
		"=a= ~5 b":                  "left of ~5",
		"a ~5 b* c":                 "right of ~5",
		"mexico~city":               "'~' only as a proximity operator",
		" a ~5 b":                   "white space",
	}
	for term, want := range invalid {
		if err := ParseTerm(term); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseTerm(%q) = %v; want an error containing %q", term, err, want)
		}
	}
}

func TestProximity(t *testing.T) {
	tests := []struct {
		term, title, summary string
		want                 bool
	}{
		// N counts the words between the two, in either order.
		{"troops ~2 mexico", "Troops to Mexico", "", true},
		{"troops ~2 mexico", "Troops in northern Mexico", "", true},
		{"troops ~2 mexico", "Troops sent to northern Mexico", "", false},
		{"troops ~2 mexico", "Mexico sends troops", "", true},
		{"troops ~2 mexico", "Mexico says it will not accept troops", "", false},
		{"troops ~0 mexico", "Mexico troops", "", true},
		{"troops ~0 mexico", "Mexico's troops", "", false}, // "s" is a word
		{"troops ~0 mexico", "troops", "", false},
		// Both in one field.
		{"troops ~5 mexico", "Troops deployed", "in Mexico", false},
		{"troops ~5 mexico", "", "Troops deployed in Mexico", true},
		// One sentence.
		{"troops ~5 mexico", "", "Troops arrived. Mexico said nothing", false},
		{"troops ~5 mexico", "", "Troops arrived! Mexico said nothing", false},
		{"troops ~5 mexico", "", "Troops? Mexico says no", false},
		{"troops ~5 mexico", "", "Troops arrived… Mexico said nothing", false},
		{"troops ~5 mexico", "", "“Send troops.” Mexico said no", false},
		{"troops ~5 mexico", "", "Troops arrived; Mexico said nothing", true},
		{"troops ~5 mexico", "", "Troops arrived: Mexico said nothing", true},
		{"troops ~5 mexico", "", "Troops arrived\nMexico said nothing", true}, // a line break alone is no sentence end
		{"troops ~5 mexico", "", "Troops.Mexico", true},                       // no space after the stop
		// Abbreviations do not end a sentence.
		// "EE.UU." and "U.S." are two words each.
		{"tropas ~4 mexico", "", "Tropas de EE.UU. en México", true},
		{"tropas ~4 mexico", "", "Tropas de EE. UU. en México", true},
		{"troops ~5 mexico", "", "Troops from the U.S. enter Mexico", true},
		{"troops ~4 mexico", "", "Troops of Gen. Smith enter Mexico", true},
		{"troops ~4 mexico", "", "Troops of J. Smith enter Mexico", true},
		{"troops ~5 mexico", "", "Troops at 10 a.m. enter Mexico", true},
		{"troops ~4 mexico", "", "Troops: 12.5 thousand in Mexico", true},
		// Operands are ordinary terms: phrases, prefixes, exact.
		{"Guardia Nacional ~4 frontera*", "La Guardia Nacional llega a la frontera", "", true},
		{"Guardia Nacional ~4 frontera*", "La Guardia llega a la frontera", "", false},
		{"troop* ~1 mexic*", "Mexican troopers", "", true},
		{"=US ~1 troops", "US troops", "", true},
		{"=US ~1 troops", "us troops", "", false},
		// The operands must not overlap.
		{"mexico ~3 mexico city", "Mexico City", "", false},
		{"mexico ~3 mexico city", "Mexico and Mexico City", "", true},
		{"cartel ~3 cartel", "Cartel", "", false},
		{"cartel ~3 cartel", "Cartel against cartel", "", true},
		// The closest earlier occurrence counts, even when a nearer one
		// overlaps.
		{"a b ~0 b", "a b a b", "", true},
		{"a b c ~1 c", "a b c a b c", "", true},
		{"a b c ~0 c", "a b c a b c", "", true}, // "c a b c"
		{"a b c ~0 c", "a b c x a b c", "", false},
	}
	for _, tt := range tests {
		m, err := Compile([]newsdigest.Topic{{Name: "t", Terms: []string{tt.term}}})
		if err != nil {
			t.Fatal(err)
		}
		d := Doc{Title: tt.title, Summary: tt.summary}
		if got := len(m.Match(d)) == 1; got != tt.want {
			t.Errorf("%q on %q / %q: matched %v; want %v", tt.term, tt.title, tt.summary, got, tt.want)
		}
		if want := len(refMatch([]newsdigest.Topic{{Name: "t", Terms: []string{tt.term}}}, d)) == 1; want != tt.want {
			t.Errorf("reference: %q on %q / %q: matched %v; want %v", tt.term, tt.title, tt.summary, want, tt.want)
		}
	}
}

func TestProximityInExcludeRequireAndExplain(t *testing.T) {
	m, err := Compile([]newsdigest.Topic{{
		Name:    "troops",
		Terms:   []string{"troops ~6 mexic*", "mexic* ~6 troops", "troops"},
		Exclude: []string{"troops ~3 ukraine"},
		Require: [][]string{{"border ~4 mexic*", "frontera"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	d := Doc{Title: "Mexico sends troops", Summary: "Troops reach the Mexican border."}
	ex := m.Explain(d)[0]
	want := Explanation{Name: "troops", Matched: true, Score: 6, MinScore: 1,
		Terms:          []TermHit{{"troops ~6 mexic*", "title", "Mexico sends troops"}, {"troops", "title", "troops"}},
		Ignored:        []TermHit{},
		ExcludedBy:     []string{},
		Unless:         []string{},
		MissingRequire: [][]string{},
	}
	if !reflect.DeepEqual(ex, want) {
		t.Errorf("Explain = %+v\nwant %+v", ex, want)
	}
	ex = m.Explain(Doc{Title: "Mexico sends troops", Summary: "Troops leave for Ukraine. The border is quiet"})[0]
	if ex.Matched || !reflect.DeepEqual(ex.ExcludedBy, []string{"troops ~3 ukraine"}) ||
		!reflect.DeepEqual(ex.MissingRequire, [][]string{{"border ~4 mexic*", "frontera"}}) {
		t.Errorf("Explain = %+v; want excluded by the proximity term and its require group missing", ex)
	}
}

// TestProximitySharedOperand checks the two ways an occurrence finds its
// partners — through its own proximity terms, or through the operands seen
// so far — against the reference, with an operand in many terms.
func TestProximitySharedOperand(t *testing.T) {
	var terms []string
	for i := range 40 {
		terms = append(terms, fmt.Sprintf("mexico ~%d w%d", i%4, i))
	}
	topics := []newsdigest.Topic{{Name: "t", Terms: terms}, {Name: "u", Terms: []string{"w3 ~2 w5", "w7 ~0 mexico"}}}
	m, err := Compile(topics)
	if err != nil {
		t.Fatal(err)
	}
	docs := []Doc{
		{Title: "w1 x mexico w2 x x w3", Summary: "w5 w3 x mexico. w7 mexico"},
		{Title: "mexico w9 w10 mexico x x x w11", Summary: "w0 w1 w2 w3 w4 w5 w6 w7 mexico w8"},
		{Title: "x", Summary: "mexico", Content: "w39 x x x mexico x x w38"},
	}
	for _, d := range docs {
		if got, want := m.Match(d), refMatch(topics, d); !reflect.DeepEqual(got, want) {
			t.Errorf("Match(%+v) = %+v; want %+v", d, got, want)
		}
	}
}
