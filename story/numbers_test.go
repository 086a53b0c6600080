package story

import (
	"regexp"
	"slices"
	"strings"
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
		{"1,234,567.50 pesos", "1p2345675m pesos"}, // a million or more: in millions
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
		{"mil,000", "1m"}, // found by FuzzNormNumbers
		// Scale words multiplied out: one figure however it is written.
		{"266K jobs", "266000 jobs"},
		{"266,000 jobs", "266000 jobs"},
		{"266 thousand jobs", "266000 jobs"},
		{"$1.9 trillion plan", "$1900000m plan"},
		{"$1.9T plan", "$1900000m plan"},
		{"1,900 billion", "1900000m"},
		{"1.9 billón de pesos", "1900000m de pesos"},
		{"$2.5 billion", "$2500m"},
		{"$2.5bn", "$2500m"},
		{"2.5 mil millones", "2500m"},
		{"2,500 millones", "2500m"},
		{"596 mdd", "596m"},
		{"$596M", "$596m"},
		{"60 M doses", "60m doses"},
		{"1,500,000 barrels", "1p5m barrels"},
		{"0.5 million", "500000"},
		{"1.5 mil", "1500"},
		{"3 mil 500", "3500"},
		// Mexican outlets write 3,500 millones "3 mil 500 millones": the
		// figure after "mil" is bigNumber's before any scale word.
		{"3 mil 500 millones de pesos", "3500m de pesos"},
		{"mil 500 millones", "1500m"},
		{"2 mil 300 mdd", "2300m"},
		{"1.5 mil 500 millones", "1500 500m"}, // "mil" already scaled "1.5"
		// Not scales: a letter apart from the figure, or part of a word.
		{"Group 5 B", "Group 5 B"},
		{"5 k", "5 k"},
		{"5th", "5th"},
		{"2 Mexicans", "2 Mexicans"},
		{"G7 summit", "G7 summit"},
		{"COVID19 1234567", "COVID19 1p234567m"},
		{"5 thousand million", "5000m"},
		{"1 trillion trillion", "1 trillion trillion"}, // over maxScale: left alone
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
		{"US employers added just 266K jobs in April", "Economy adds just 266,000 jobs in April", true},
		{"Senate passes $1.9T relief bill", "Senate passes $1.9 trillion relief bill", true},
		{"Pemex to buy refinery stake for $596M", "Pemex comprará participación en refinería por 596 mdd", true},
		{"Senate passes $1.9T relief bill", "Senate passes $1.8 trillion relief bill", false},
		{"Pemex recibirá 3 mil 500 millones de pesos", "Pemex recibirá 3,500 millones de pesos", true},
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
	for _, s := range []string{"MIL 500 dólares", "Mil millones", "milé 3", "5 MILLONES", "7 Millón", "3 M", "camila 2M", "3.80%", "1,500", "1.234.567,89", "3 mil", "mil 500", "12 billion", "1M", "2.25% to 8.50%", "v1.2.3", "9999999999999 mil 999", "mil,000", "266K", "$1.9T", "1.5 mil millones", "0.5 million", "596 mdd", "1 234 567", "3 mil 500 millones", "1.5 mil 500 millones", ""} {
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
	text = scaleFigures(joinFigures(text))
	text = bigNumber.ReplaceAllStringFunc(text, bigNumberFigure)
	return scaleFigures(joinFigures(text))
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
	for _, in := range []string{"", "no pattern here", "U", "United", "EE", "UU"} {
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
	f.Add("EE UU")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := spellOut(s), dotted.Replace(s); got != want {
			t.Errorf("spellOut(%q) = %q; want %q", s, got, want)
		}
	})
}

// TestJoinInitials: dotted capitals become one word only when they stand
// alone as a run of two or more.
func TestJoinInitials(t *testing.T) {
	for in, want := range map[string]string{
		"N.A.A.C.P. Challenges Tea Party on Racism": "NAACP Challenges Tea Party on Racism",
		"The R.N.C. and the D.N.C. meet":            "The RNC and the DNC meet",
		"Washington, D.C., on Monday":               "Washington, DC, on Monday",
		"F.B.I.'s inquiry":                          "FBI's inquiry",
		"(U.N.) vote":                               "(UN) vote",
		"George W. Bush":                            "George W. Bush",
		"A.B.Cooper and X.Y.Z":                      "A.B.Cooper and X.Y.Z",
		"e.g. this, a.m.":                           "e.g. this, a.m.",
		"version 1.2.3":                             "version 1.2.3",
		"ÉA.B. no":                                  "ÉA.B. no",
		"no dots":                                   "no dots",
		"":                                          "",
	} {
		if got := joinInitials(in); got != want {
			t.Errorf("joinInitials(%q) = %q; want %q", in, got, want)
		}
	}
}

// FuzzJoinInitials: joinInitials only ever drops dots, and a second pass
// changes nothing.
func FuzzJoinInitials(f *testing.F) {
	fuzzDropsOnly(f, "joinInitials", joinInitials, ".", "N.A.A.C.P. says", "D.C.", "A.B.C", "x.A.B. y", "é.A.B.", "A.B.A.B.")
}

// fuzzDropsOnly fuzzes fn (called name) from the seeds: it may only drop
// the string drop from its input, and a second pass changes nothing.
func fuzzDropsOnly(f *testing.F, name string, fn func(string) string, drop string, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := fn(s)
		if strings.ReplaceAll(got, drop, "") != strings.ReplaceAll(s, drop, "") {
			t.Errorf("%s(%q) = %q: changed more than %q", name, s, got, drop)
		}
		if again := fn(got); again != got {
			t.Errorf("%s(%q) = %q, then %q: not stable", name, s, got, again)
		}
	})
}

// TestJoinCodes: capitals, a hyphen and a number make one word; other
// words with a number keep their figures.
func TestJoinCodes(t *testing.T) {
	for in, want := range map[string]string{
		"Two athletes test positive for COVID-19": "Two athletes test positive for COVID19",
		"Covid-19 cases rise; covid-19 vaccines":  "Covid19 cases rise; covid19 vaccines",
		"G-7 leaders meet":                        "G7 leaders meet",
		"MS-13 gang, F-35 jets":                   "MS13 gang, F35 jets",
		"COVID-19-related deaths":                 "COVID19-related deaths",
		"Top-10 finish, under-23 team":            "Top-10 finish, under-23 team",
		"4-year-old boy":                          "4-year-old boy",
		"H-1B visas":                              "H-1B visas",
		"xG-7 and é-7":                            "xG-7 and é-7",
		"score 3-1":                               "score 3-1",
		"-19 and G-":                              "-19 and G-",
		"":                                        "",
	} {
		if got := joinCodes(in); got != want {
			t.Errorf("joinCodes(%q) = %q; want %q", in, got, want)
		}
	}
}

// FuzzJoinCodes: joinCodes only ever drops hyphens, and a second pass
// changes nothing.
func FuzzJoinCodes(f *testing.F) {
	fuzzDropsOnly(f, "joinCodes", joinCodes, "-", "COVID-19", "G-7", "a-1", "Top-10", "-19", "G-", "MS-13-x", "ÉG-7", "G-7-8")
}
