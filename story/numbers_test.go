package story

import (
	"regexp"
	"slices"
	"testing"
)

func TestNormNumbers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"no figures here", "no figures here"},
		{"inflation 3.8%", "inflation 3p8%"},
		{"inflation 3.80%", "inflation 3p8%"},
		{"inflación de 3,8%", "inflación de 3p8%"},
		{"rate 7.00%", "rate 7%"},
		{"1,500 migrants", "1500 migrants"},
		{"1.500 migrantes", "1500 migrantes"},
		{"1,234,567.50 pesos", "1234567p5 pesos"},
		{"4.25%-4.50%", "4p25%-4p5%"},
		{"3 mil soldados", "3000 soldados"},
		{"mil 500 migrantes", "1500 migrantes"},
		{"1 mil 500 migrantes", "1500 migrantes"},
		{"12 mil millones de dólares", "12000m de dólares"},
		{"$12 billion", "$12000m"},
		{"1M pills", "1m pills"},
		{"1 million pills", "1m pills"},
		{"1.5 millones", "1p5m"},
		{"Milei y Milenio", "Milei y Milenio"},
		{"end of sentence. 5 dead", "end of sentence. 5 dead"},
		{"v2.0, 1.", "v2, 1."},
		{"mil,000", "1000000"}, // found by FuzzNormNumbers
	} {
		if got := normNumbers(tc.in); got != tc.want {
			t.Errorf("normNumbers(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// TestClusterFigures checks that figures written differently meet and that
// number words count as figures.
func TestClusterFigures(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"Mexico inflation speeds up to 3.8% in November", "Inflación en México sube a 3,80% en noviembre", true},
		{"Pentagon to send 3,000 more troops to border", "Pentágono enviará 3 mil soldados más a la frontera", true},
		{"Five dead after blast at Pemex pipeline", "5 muertos por explosión en ducto de Pemex", true},
		{"Four Americans kidnapped in Matamoros", "4 estadounidenses secuestrados en Matamoros", true},
		{"Mexico inflation speeds up to 3.8% in November", "Mexico inflation speeds up to 3.9% in November", false},
	} {
		st := newStemmer()
		da := st.doc(Doc{Title: tc.a})
		db := st.doc(Doc{Title: tc.b})
		figs := func(ts []uint32) (out []uint32) {
			for _, t := range ts {
				if st.info[t].figure {
					out = append(out, t)
				}
			}
			return out
		}
		fa, fb := figs(da.title), figs(db.title)
		shared := 0
		for _, n := range fa {
			if slices.Contains(fb, n) {
				shared++
			}
		}
		if got := shared > 0; got != tc.same {
			t.Errorf("figures of %q and %q shared = %v; want %v (%v / %v)", tc.a, tc.b, got, tc.same, fa, fb)
		}
	}
}

var digitSepDigit = regexp.MustCompile(`[0-9][.,][0-9]`)

// FuzzNormNumbers checks that normNumbers never panics, leaves no figure
// with a separator inside it, and is stable: normalising twice is
// normalising once.
func FuzzNormNumbers(f *testing.F) {
	for _, s := range []string{"MIL 500 dólares", "Mil millones", "milé 3", "5 MILLONES", "7 Millón", "3 M", "camila 2M", "3.80%", "1,500", "1.234.567,89", "3 mil", "mil 500", "12 billion", "1M", "2.25% to 8.50%", "v1.2.3", "9999999999999 mil 999", "mil,000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := normNumbers(s)
		if digitSepDigit.MatchString(got) {
			t.Errorf("normNumbers(%q) = %q; want no separator inside a figure", s, got)
		}
		if again := normNumbers(got); again != got {
			t.Errorf("normNumbers(normNumbers(%q)) = %q; want %q", s, again, got)
		}
		if want := normNumbersAlways(s); got != want {
			t.Errorf("normNumbers(%q) = %q; want %q, as without the guards", s, got, want)
		}
	})
}

// normNumbersAlways is normNumbers without the guards that skip its regular
// expressions where they cannot match: the guards must change nothing.
func normNumbersAlways(text string) string {
	text = joinFigures(text)
	text = bigNumber.ReplaceAllStringFunc(text, bigNumberFigure)
	text = joinFigures(text)
	return millions.ReplaceAllString(text, "${1}m")
}

// TestSpellOut checks that spellOut's guard lets every pattern of dotted
// through: it may skip only texts the replacer would leave alone.
func TestSpellOut(t *testing.T) {
	for i := 0; i < len(dottedPairs); i += 2 {
		for _, in := range []string{dottedPairs[i], "Troops of the " + dottedPairs[i] + " arrive", "x" + dottedPairs[i] + "x"} {
			if got, want := spellOut(in), dotted.Replace(in); got != want {
				t.Errorf("spellOut(%q) = %q; want %q", in, got, want)
			}
		}
	}
	for _, in := range []string{"", "no pattern here", "U", "United", "EE UU"} {
		if got := spellOut(in); got != in {
			t.Errorf("spellOut(%q) = %q; want it unchanged", in, got)
		}
	}
}

// FuzzSpellOut checks spellOut against the replacer it guards.
func FuzzSpellOut(f *testing.F) {
	for i := 0; i < len(dottedPairs); i += 2 {
		f.Add("a " + dottedPairs[i] + " b")
	}
	f.Add("EE. UU.")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := spellOut(s), dotted.Replace(s); got != want {
			t.Errorf("spellOut(%q) = %q; want %q", s, got, want)
		}
	})
}
