package classify

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest"
)

var foldInputs = []string{
	"", "Cártel", "CARTEL", "cártel", "CÁRTELES de Sinaloa", "Straße", "ﬁnal", "x²", "½",
	"Ǆemal", "ΣΑΣ ςσ", "İstanbul", "ﬀ ﬃ", "Ⅻ", "①②", "ＡＢＣ１２", "한국어", "e\u0301", "Ǻ",
	"ǅ", "\u1D15E", "\xff\xfeab", "a\x80b", "日本語のテキスト", "Ȿ", "ꭰ", "ᾳ ΐ", "\u0345", "K (Kelvin)",
	"ŉ", "T-MEC", "niño año", "Œuvre", "\U0001D400\U0001D401", "\u302E\u302F", "a\u1715\u1734",
	"Ꭰ", "ﷺ", "\u0301\u0302abc", "x" + strings.Repeat("\u0301", 40) + "y", "\U0001D15E\u0301\U0001D165",
}

func TestFoldMatchesReference(t *testing.T) {
	for _, in := range foldInputs {
		if got, want := FoldString(in), refFold(in); got != want {
			t.Errorf("FoldString(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestFoldAppends(t *testing.T) {
	if got := string(Fold([]byte("x:"), "ÁB")); got != "x:ab" {
		t.Errorf("Fold(%q, %q) = %q; want %q", "x:", "ÁB", got, "x:ab")
	}
}

// TestASCIIWords8 checks the 8-byte classification of appendWords against
// IsWordRune and lower-casing, for every ASCII byte at every position
// among every other ASCII byte (a carry between bytes would show).
func TestASCIIWords8(t *testing.T) {
	for c := range 128 {
		wantAlnum := IsWordRune(rune(c))
		wantLower := byte(unicode.ToLower(rune(c)))
		for d := range 128 {
			for k := range 8 {
				var b [8]byte
				for j := range b {
					b[j] = byte(d)
				}
				b[k] = byte(c)
				alnum, lower := asciiWords8(binary.LittleEndian.Uint64(b[:]))
				if got := alnum>>(8*k+7)&1 != 0; got != wantAlnum {
					t.Fatalf("asciiWords8(%q): byte %d alnum %v; want %v", b, k, got, wantAlnum)
				}
				if got := byte(lower >> (8 * k)); wantAlnum && got != wantLower {
					t.Fatalf("asciiWords8(%q): byte %d lower %q; want %q", b, k, got, wantLower)
				}
				if alnum&^uint64(hiBits) != 0 {
					t.Fatalf("asciiWords8(%q): alnum %#x has bits outside the high bits", b, alnum)
				}
			}
		}
	}
}

// TestFoldTableAllRunes checks every rune against the reference, alone and
// between letters, which also checks that skipRanges skip nothing that folds.
func TestFoldTableAllRunes(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		in := "A" + string(r) + "b"
		if got, want := FoldString(in), refFold(in); got != want {
			t.Fatalf("FoldString(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"c&aacute;rtel", "cártel"},
		{"<p>Hello&nbsp;<b>wor</b>ld</p><p>next</p>", "Hello world next"},
		{"  a \n\t b  ", "a b"},
		{"x<script>var a = '<p>cartel</p>';</script>y", "x y"},
		{"x<STYLE type=text/css>p{}</STYLE>y", "x y"},
		{"a < b && c", "a < b && c"},
		{"<!-- cartel -->text", "text"},
		{"<a href=\"x>y\">link</a>", "link"},
		{"&lt;b&gt;not a tag&lt;/b&gt;", "<b>not a tag</b>"},
		{"&#233;&#xE9;&#X00e9; &#128; &#0; &#;", "ééé € \uFFFD &#;"},
		{"AT&T &amp &notit; &unknown;", "AT&T & ¬it; &unknown;"},
		{"Sinaloa&#8217;s cartel", "Sinaloa’s cartel"},
		{"line<br/>break<br>again", "line break again"},
		{"<img src=x alt='a>b'>caption", "caption"},
		{"unclosed <p", "unclosed"},
		{"<p class=it's>text</p>", "text"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestDisplayText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<b>Cartel</b> news", "Cartel news"},
		{"<!channel>", "<!channel>"}, // nothing but a tag: shown as written
		{"  <b></b>\n <i/> ", "<b></b> <i/>"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := DisplayText(tt.in); got != tt.want {
			t.Errorf("DisplayText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTerm(t *testing.T) {
	tests := []struct {
		term    string
		wantErr string
	}{
		{"cartel*", ""},
		{"=ICE", ""},
		{"Sinaloa Cartel", ""},
		{"T-MEC", ""},
		{"cártel de*", ""},
		{"=NAFT*", ""},
		{"=México", ""},
		{"x²", ""},
		{"= ICE", ""},
		{"", "term is empty"},
		{"   ", "term is empty"},
		{"--", "term has no letter or digit"},
		{"=", "term has no letter or digit"},
		{"™", "term has no letter or digit"},      // folds to "tm", but is no letter as written
		{"\u037a", "term has no letter or digit"}, // a letter that folds to a space
		{"*", "'*' must directly follow a letter or digit"},
		{"=*", "'*' must directly follow a letter or digit"},
		{"car*tel", "'*' only allowed at the end of a term"},
		{"*cartel", "'*' only allowed at the end of a term"},
		{"cartel**", "'*' only allowed at the end of a term"},
		{"cartel *", "'*' must directly follow a letter or digit"},
		{"e\u0301*", "'*' must directly follow a letter or digit"}, // a combining mark
		{"a™*", "'*' must directly follow a letter or digit"},
		{"a\u037a*", "'*' must directly follow a letter or digit"},
		{"T=MEC", "'=' only allowed at the start of a term"},
		{"==ICE", "'=' only allowed at the start of a term"},
		{"ICE=", "'=' only allowed at the start of a term"},
		{"=a=b*", "'=' only allowed at the start of a term"},
		{" cartel", "term has leading or trailing white space"},
		{"cartel\n", "term has leading or trailing white space"},
	}
	for _, tt := range tests {
		err := ParseTerm(tt.term)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.wantErr {
			t.Errorf("ParseTerm(%q) = %q; want %q", tt.term, got, tt.wantErr)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name    string
		topics  []newsdigest.Topic
		wantErr string
	}{
		{"bad term", []newsdigest.Topic{{Name: "cartels", Terms: []string{"ok", "car*tel"}}},
			`classify: topic "cartels": term "car*tel": '*' only allowed at the end of a term`},
		{"bad exclude", []newsdigest.Topic{{Name: "c", Terms: []string{"x"}, Exclude: []string{"!!"}}},
			`classify: topic "c": exclude term "!!": term has no letter or digit`},
		{"inner equals", []newsdigest.Topic{{Name: "trade", Terms: []string{"T=MEC"}}},
			`classify: topic "trade": term "T=MEC": '=' only allowed at the start of a term`},
		{"bad require", []newsdigest.Topic{{Name: "c", Terms: []string{"x"}, Require: [][]string{{"a", ""}}}},
			`classify: topic "c": require term "": term is empty`},
		{"empty group", []newsdigest.Topic{{Name: "c", Terms: []string{"x"}, Require: [][]string{{}}}},
			`classify: topic "c": require group 1 is empty`},
		{"no terms", []newsdigest.Topic{{Name: "c"}}, `classify: topic "c" has no terms`},
		{"no name", []newsdigest.Topic{{Terms: []string{"x"}}}, `classify: topic 1 has no name`},
		{"twice", []newsdigest.Topic{{Name: "c", Terms: []string{"x"}}, {Name: "c", Terms: []string{"y"}}},
			`classify: topic "c" defined twice`},
		{"negative", []newsdigest.Topic{{Name: "c", Terms: []string{"x"}, MinScore: -1}},
			`classify: topic "c": min_score -1 is negative`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.topics)
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Compile() error = %v; want %q", err, tt.wantErr)
			}
		})
	}
}

// matchNames runs Match and returns "topic:score:term,term" strings.
func matchNames(ms []newsdigest.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s:%02d:%s", m.Topic, m.Score, strings.Join(m.Terms, ",")))
	}
	return out
}

func TestMatchRules(t *testing.T) {
	one := func(terms ...string) []newsdigest.Topic {
		return []newsdigest.Topic{{Name: "t", Terms: terms}}
	}
	tests := []struct {
		name   string
		topics []newsdigest.Topic
		doc    Doc
		want   []string
	}{
		{"accent folded", one("cártel"), Doc{Title: "El CARTEL"}, []string{"t:03:cártel"}},
		{"accent in text", one("cartel"), Doc{Title: "Un Cártel"}, []string{"t:03:cartel"}},
		{"entity in text", one("cartel"), Doc{Summary: "el c&aacute;rtel"}, []string{"t:01:cartel"}},
		{"html tags", one("cartel"), Doc{Content: "<p>el <b>cartel</b></p>"}, []string{"t:01:cartel"}},
		{"inline tag inside word", one("cartel"), Doc{Content: "car<b>tel</b>"}, []string{"t:01:cartel"}},
		{"no substring", one("cartel"), Doc{Title: "cartelera"}, nil},
		{"plural -s", one("cartel"), Doc{Title: "cartels"}, []string{"t:03:cartel"}},
		{"plural -es, folded", one("intervención"), Doc{Title: "intervenciones"}, []string{"t:03:intervención"}},
		{"plural in a phrase", one("ataque militar"), Doc{Title: "ataques militares"}, []string{"t:03:ataque militar"}},
		{"no plural of a short word", one("us"), Doc{Title: "uses"}, nil},
		{"no plural of an exact word", one("=EU"), Doc{Title: "EUs"}, nil},
		{"no plural beyond -s and -es", one("cartel"), Doc{Title: "cartelito"}, nil},
		{"a term's plural is the term", []newsdigest.Topic{{Name: "t", Terms: []string{"cartels", "cartel", "carteles"}}}, Doc{Title: "carteles"}, []string{"t:03:cartel"}},
		{"a phrase's plural is the phrase", []newsdigest.Topic{{Name: "t", Terms: []string{"grupos criminales", "grupo criminal", "grupo criminales"}}}, Doc{Title: "grupos criminales"}, []string{"t:03:grupo criminal"}},
		{"a prefix word is no plural", []newsdigest.Topic{{Name: "t", Terms: []string{"cartel de*", "carteles des*"}}}, Doc{Title: "carteles desde"}, []string{"t:06:cartel de*,carteles des*"}},
		{"ICE not police", one("ICE"), Doc{Title: "police"}, nil},
		{"phrase with apostrophe", one("Sinaloa Cartel"), Doc{Title: "the Sinaloa cartel's boss"}, []string{"t:03:Sinaloa Cartel"}},
		{"phrase needs consecutive words", one("Sinaloa Cartel"), Doc{Title: "Sinaloa's cartel"}, nil},
		{"phrase across punctuation", one("Guardia Nacional"), Doc{Title: "la guardia, nacional"}, []string{"t:03:Guardia Nacional"}},
		{"phrase not across fields", one("Guardia Nacional"), Doc{Title: "la Guardia", Summary: "Nacional"}, nil},
		{"T-MEC hyphen", one("T-MEC"), Doc{Title: "el T-MEC"}, []string{"t:03:T-MEC"}},
		{"T-MEC space", one("T-MEC"), Doc{Title: "el T MEC"}, []string{"t:03:T-MEC"}},
		{"T-MEC not TMEC", one("T-MEC"), Doc{Title: "el TMEC"}, nil},
		{"prefix", one("cartel*"), Doc{Title: "cartels"}, []string{"t:03:cartel*"}},
		{"prefix accents", one("cartel*"), Doc{Title: "los cárteles"}, []string{"t:03:cartel*"}},
		{"prefix exact word", one("cartel*"), Doc{Title: "cartel"}, []string{"t:03:cartel*"}},
		{"prefix not inside", one("cartel*"), Doc{Title: "supercartel"}, nil},
		{"narco prefix", one("narco*"), Doc{Summary: "un narcotraficante"}, []string{"t:01:narco*"}},
		{"multi-word prefix", one("cártel de*"), Doc{Title: "Cártel del Golfo"}, []string{"t:03:cártel de*"}},
		{"multi-word prefix needs both", one("cártel de*"), Doc{Title: "Cártel y Golfo"}, nil},
		{"exact", one("=ICE"), Doc{Title: "ICE raids"}, []string{"t:03:=ICE"}},
		{"exact possessive", one("=ICE"), Doc{Title: "ICE's raids"}, []string{"t:03:=ICE"}},
		{"exact case", one("=ICE"), Doc{Title: "Ice storm"}, nil},
		{"exact US", one("=US"), Doc{Title: "tell us"}, nil},
		{"exact US ok", one("=US"), Doc{Title: "US troops"}, []string{"t:03:=US"}},
		{"exact accents", one("=México"), Doc{Title: "Mexico"}, nil},
		{"exact accents ok", one("=México"), Doc{Title: "en México"}, []string{"t:03:=México"}},
		{"exact NFD text", one("=México"), Doc{Title: "en Me\u0301xico"}, []string{"t:03:=México"}},
		{"exact prefix", one("=NAFT*"), Doc{Title: "NAFTA talks"}, []string{"t:03:=NAFT*"}},
		{"exact prefix case", one("=NAFT*"), Doc{Title: "nafta talks"}, nil},
		// Written decomposed, "Me" and an accent is "Mé": "=Me*" does not
		// start it, "=Mé*" does (found by FuzzMatch).
		{"exact prefix NFD text", one("=Me*"), Doc{Title: "en Me\u0301xico"}, nil},
		{"exact prefix NFD text ok", one("=Méx*"), Doc{Title: "en Me\u0301xico"}, []string{"t:03:=Méx*"}},
		{"exact phrase", one("=Guardia Nacional"), Doc{Title: "la Guardia Nacional"}, []string{"t:03:=Guardia Nacional"}},
		{"exact phrase case", one("=Guardia Nacional"), Doc{Title: "la guardia nacional"}, nil},
		{"ligature and superscript", one("final", "x2"), Doc{Title: "ﬁnal x²"}, []string{"t:06:final,x2"}},
		{"sharp s", one("strasse"), Doc{Title: "Straße"}, []string{"t:03:strasse"}},
		{"score title 3 summary 1", one("cartel", "fentanyl"), Doc{Title: "cartel", Summary: "fentanyl"}, []string{"t:04:cartel,fentanyl"}},
		{"distinct terms counted once", one("cartel"), Doc{Title: "cartel cartel", Summary: "cartel"}, []string{"t:03:cartel"}},
		{"soft hyphen is no break", one("cartel"), Doc{Title: "car&shy;tel y car\u00adteles"}, []string{"t:03:cartel"}},
		{"terms equal once folded are one term", one("cartel", "cártel", "CARTEL"), Doc{Title: "Cártel"}, []string{"t:03:cartel"}},
		{"terms in config order", one("b", "a"), Doc{Title: "a b"}, []string{"t:06:b,a"}},
		{"min score not reached", []newsdigest.Topic{{Name: "t", Terms: []string{"cartel"}, MinScore: 2}}, Doc{Summary: "cartel"}, nil},
		{"min score reached", []newsdigest.Topic{{Name: "t", Terms: []string{"cartel"}, MinScore: 2}}, Doc{Title: "cartel"}, []string{"t:03:cartel"}},
		{"min score 0 means 1", []newsdigest.Topic{{Name: "t", Terms: []string{"cartel"}, MinScore: 0}}, Doc{Content: "cartel"}, []string{"t:01:cartel"}},
		{"exclude vetoes", []newsdigest.Topic{{Name: "t", Terms: []string{"cartel*"}, Exclude: []string{"Cartel de Santa"}}},
			Doc{Title: "Cartel de Santa en concierto"}, nil},
		{"exclude vetoes from content", []newsdigest.Topic{{Name: "t", Terms: []string{"cartel*"}, Exclude: []string{"Cartel de Santa"}}},
			Doc{Title: "Cartel", Content: "el grupo Cartel de Santa"}, nil},
		{"exclude absent", []newsdigest.Topic{{Name: "t", Terms: []string{"cartel*"}, Exclude: []string{"Cartel de Santa"}}},
			Doc{Title: "cartel de Sinaloa"}, []string{"t:03:cartel*"}},
		{"exclude does not score", []newsdigest.Topic{{Name: "t", Terms: []string{"x"}, Exclude: []string{"y"}}},
			Doc{Title: "y"}, nil},
		{"require met", []newsdigest.Topic{{Name: "t", Terms: []string{"cartel*"}, Require: [][]string{{"mexico", "mexican*"}}}},
			Doc{Title: "cartels", Content: "Mexican police"}, []string{"t:03:cartel*"}},
		{"require missing", []newsdigest.Topic{{Name: "t", Terms: []string{"cartel*"}, Require: [][]string{{"mexico", "mexican*"}}}},
			Doc{Title: "cartels in Colombia"}, nil},
		{"require two groups", []newsdigest.Topic{{Name: "t", Terms: []string{"troops"}, Require: [][]string{{"mexico"}, {"border", "frontera"}}}},
			Doc{Title: "troops", Summary: "México frontera"}, []string{"t:03:troops"}},
		{"require one of two groups", []newsdigest.Topic{{Name: "t", Terms: []string{"troops"}, Require: [][]string{{"mexico"}, {"border"}}}},
			Doc{Title: "troops", Summary: "México"}, nil},
		{"require alone is not a match", []newsdigest.Topic{{Name: "t", Terms: []string{"troops"}, Require: [][]string{{"mexico"}}}},
			Doc{Title: "México"}, nil},
		{"require does not score", []newsdigest.Topic{{Name: "t", Terms: []string{"troops"}, Require: [][]string{{"mexico"}}}},
			Doc{Title: "troops Mexico"}, []string{"t:03:troops"}},
		{"order by score then config", []newsdigest.Topic{
			{Name: "a", Terms: []string{"x"}}, {Name: "b", Terms: []string{"y"}}, {Name: "c", Terms: []string{"z"}}},
			Doc{Title: "y", Summary: "x z"}, []string{"b:03:y", "a:01:x", "c:01:z"}},
		{"same term in two topics", []newsdigest.Topic{{Name: "a", Terms: []string{"cartel"}}, {Name: "b", Terms: []string{"Cártel"}}},
			Doc{Title: "cartel"}, []string{"a:03:cartel", "b:03:Cártel"}},
		{"duplicate term once", one("cartel", "cartel"), Doc{Title: "cartel"}, []string{"t:03:cartel"}},
		{"nothing", one("cartel"), Doc{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Compile(tt.topics)
			if err != nil {
				t.Fatal(err)
			}
			if got := matchNames(m.Match(tt.doc)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Match(%+v) = %q; want %q", tt.doc, got, tt.want)
			}
		})
	}
}

// TestUnless checks that a topic's unless terms lift its exclude terms, and
// only its own.
func TestUnless(t *testing.T) {
	topics := []newsdigest.Topic{
		{Name: "cartels", Terms: []string{"cartels", "CJNG"}, Exclude: []string{"military ~6 cartels"}, Unless: []string{"CJNG", "Sinaloa Cartel"}},
		{Name: "plain", Terms: []string{"cartels"}, Exclude: []string{"military ~6 cartels"}},
	}
	m, err := Compile(topics)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		title string
		want  []string
	}{
		{"Cartels extort farmers", []string{"cartels:03:cartels", "plain:03:cartels"}},
		{"Military force against cartels", nil},
		{"Military force against cartels, CJNG first", []string{"cartels:06:cartels,CJNG"}},
		// Unless terms need not be terms, nor be near the exclude term.
		{"Military force against cartels. The Sinaloa Cartel responds", []string{"cartels:03:cartels"}},
	}
	for _, tt := range tests {
		d := Doc{Title: tt.title}
		if got := matchNames(m.Match(d)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Match(%q) = %q; want %q", tt.title, got, tt.want)
		}
		if got, want := m.Match(d), refMatch(topics, d); !reflect.DeepEqual(got, want) {
			t.Errorf("Match(%q) = %+v; reference %+v", tt.title, got, want)
		}
	}
	e := m.Explain(Doc{Title: "Military force against cartels, CJNG first"})[0]
	if !e.Matched || !reflect.DeepEqual(e.ExcludedBy, []string{"military ~6 cartels"}) || !reflect.DeepEqual(e.Unless, []string{"CJNG"}) {
		t.Errorf("Explain = %+v; want matched, the exclude term lifted by CJNG", e)
	}
	if _, err := Compile([]newsdigest.Topic{{Name: "t", Terms: []string{"x"}, Unless: []string{"y"}}}); err == nil || !strings.Contains(err.Error(), "unless without exclude") {
		t.Errorf("Compile(unless without exclude) = %v; want an error", err)
	}
	if _, err := Compile([]newsdigest.Topic{{Name: "t", Terms: []string{"x"}, Exclude: []string{"z"}, Unless: []string{"y*z"}}}); err == nil || !strings.Contains(err.Error(), `unless term "y*z"`) {
		t.Errorf("Compile(bad unless term) = %v; want an error naming it", err)
	}
}

// TestTitleTerms checks that a title term counts in the title only: named in
// the summary it neither selects the item nor adds to its score, and
// Explain lists it as ignored.
func TestTitleTerms(t *testing.T) {
	topics := []newsdigest.Topic{{Name: "cartels", Terms: []string{"cartel*", "CJNG"},
		TitleTerms: []string{"narcotráfico", "drug trafficking"}, Require: [][]string{{"mexic*", "méxico"}}}}
	m, err := Compile(topics)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		title, summary string
		want           []string
	}{
		{"Golpe al narcotráfico en México", "", []string{"cartels:03:narcotráfico"}},
		{"Sheinbaum rejects US troops in Mexico", "…even to fight drug trafficking, she said.", nil},
		{"Sheinbaum rejects US troops in Mexico", "…even to fight drug trafficking and the CJNG.", []string{"cartels:01:CJNG"}},
		{"Drug trafficking and the CJNG in Mexico", "drug trafficking", []string{"cartels:06:CJNG,drug trafficking"}},
	}
	for _, tt := range tests {
		d := Doc{Title: tt.title, Summary: tt.summary}
		if got := matchNames(m.Match(d)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Match(%q, %q) = %q; want %q", tt.title, tt.summary, got, tt.want)
		}
		if got, want := m.Match(d), refMatch(topics, d); !reflect.DeepEqual(got, want) {
			t.Errorf("Match(%q, %q) = %+v; reference %+v", tt.title, tt.summary, got, want)
		}
	}
	e := m.Explain(Doc{Title: "Sheinbaum rejects US troops in Mexico", Summary: "to fight drug trafficking"})[0]
	if e.Matched || len(e.Terms) != 0 || !reflect.DeepEqual(e.Ignored, []TermHit{{Term: "drug trafficking", Field: "summary", Text: "drug trafficking"}}) {
		t.Errorf("Explain = %+v; want not matched, drug trafficking ignored", e)
	}
	if why := strings.Join(e.Why(), "\n"); !strings.Contains(why, `title term "drug trafficking" only in summary`) {
		t.Errorf("Why() = %q; want the ignored title term", why)
	}
	// Only title terms is a topic; one term in both lists is an error, as is
	// a plural across them.
	if _, err := Compile([]newsdigest.Topic{{Name: "t", TitleTerms: []string{"x"}}}); err != nil {
		t.Errorf("Compile(title terms only) = %v", err)
	}
	for _, tc := range []struct{ terms, title []string }{
		{[]string{"cartel"}, []string{"Cártel"}},
		{[]string{"cartels"}, []string{"cartel"}},
		{[]string{"cartel"}, []string{"cartels"}},
	} {
		_, err := Compile([]newsdigest.Topic{{Name: "t", Terms: tc.terms, TitleTerms: tc.title}})
		if err == nil || !strings.Contains(err.Error(), "title term") {
			t.Errorf("Compile(terms %q, title terms %q) = %v; want an error", tc.terms, tc.title, err)
		}
	}
	if _, err := Compile([]newsdigest.Topic{{Name: "t", Terms: []string{"x"}, TitleTerms: []string{"y*z"}}}); err == nil || !strings.Contains(err.Error(), `title term "y*z"`) {
		t.Errorf("Compile(bad title term) = %v; want an error naming it", err)
	}
}

func TestExplain(t *testing.T) {
	m, err := Compile([]newsdigest.Topic{
		{Name: "cartels", Terms: []string{"cartel*", "Cártel de Sinaloa", "fentanyl"}, Exclude: []string{"Cartel de Santa"},
			Require: [][]string{{"mexico", "méxico"}}},
		{Name: "music", Terms: []string{"concierto"}, Exclude: []string{"Cartel de Santa"}},
		{Name: "trade", Terms: []string{"T-MEC"}, Require: [][]string{{"aranceles"}, {"Canadá", "Canada"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := Doc{
		Title:   "El <b>Cártel</b>\n de Sinaloa en México",
		Summary: "fentanyl y T MEC",
		Content: "<p>concierto de Cartel de Santa</p>",
	}
	got := m.Explain(d)
	want := []Explanation{
		{Name: "cartels", Matched: false, Score: 7, MinScore: 1,
			Terms: []TermHit{
				{Term: "cartel*", Field: "title", Text: "Cártel"},
				{Term: "Cártel de Sinaloa", Field: "title", Text: "Cártel de Sinaloa"},
				{Term: "fentanyl", Field: "summary", Text: "fentanyl"},
			},
			Ignored:    []TermHit{},
			ExcludedBy: []string{"Cartel de Santa"}, Unless: []string{}, MissingRequire: [][]string{}},
		{Name: "music", Matched: false, Score: 1, MinScore: 1,
			Terms:      []TermHit{{Term: "concierto", Field: "content", Text: "concierto"}},
			Ignored:    []TermHit{},
			ExcludedBy: []string{"Cartel de Santa"}, Unless: []string{}, MissingRequire: [][]string{}},
		{Name: "trade", Matched: false, Score: 1, MinScore: 1,
			Terms:      []TermHit{{Term: "T-MEC", Field: "summary", Text: "T MEC"}},
			Ignored:    []TermHit{},
			ExcludedBy: []string{}, Unless: []string{}, MissingRequire: [][]string{{"aranceles"}, {"Canadá", "Canada"}}},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("Explain(%+v) =\n%s\nwant\n%s", d, g, w)
	}
	// Without the exclude, cartels matches; Explain agrees with Match.
	d.Content = "otro concierto"
	ex := m.Explain(d)
	if !ex[0].Matched || ex[0].Score != 7 || !ex[1].Matched {
		t.Errorf("Explain(%+v) = %+v; want cartels and music matched", d, ex)
	}
	if got, want := matchNames(m.Match(d)), []string{"cartels:07:cartel*,Cártel de Sinaloa,fentanyl", "music:01:concierto"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Match(%+v) = %q; want %q", d, got, want)
	}
	b, err := json.Marshal(ex[2])
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"name":"trade","matched":false,"score":1,"min_score":1,"terms":[{"term":"T-MEC","field":"summary","text":"T MEC"}],"ignored":[],"excluded_by":[],"unless":[],"missing_require":[["aranceles"],["Canadá","Canada"]]}`
	if string(b) != wantJSON {
		t.Errorf("json.Marshal(Explain) = %s; want %s", b, wantJSON)
	}
}

func TestMatchAppendReusesDst(t *testing.T) {
	m, err := Compile([]newsdigest.Topic{{Name: "a", Terms: []string{"x", "y"}}, {Name: "b", Terms: []string{"y"}}})
	if err != nil {
		t.Fatal(err)
	}
	var s Scratch
	dst := m.MatchAppend(nil, &s, Doc{Title: "x y"})
	if got, want := matchNames(dst), []string{"a:06:x,y", "b:03:y"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("MatchAppend = %q; want %q", got, want)
	}
	dst = m.MatchAppend(dst[:0], &s, Doc{Summary: "y"})
	if got, want := matchNames(dst), []string{"a:01:y", "b:01:y"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("MatchAppend again = %q; want %q", got, want)
	}
	// A Scratch follows the matcher it is used with.
	m2, _ := Compile([]newsdigest.Topic{{Name: "c", Terms: []string{"z"}}})
	if got, want := matchNames(m2.MatchAppend(nil, &s, Doc{Title: "x z"})), []string{"c:03:z"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("MatchAppend other matcher = %q; want %q", got, want)
	}
	allocs := testing.AllocsPerRun(100, func() {
		dst = m.MatchAppend(dst[:0], &s, Doc{Title: "Los cárteles de México", Summary: "x y &amp; more", Content: "<p>y</p> nothing"})
	})
	if allocs != 0 {
		t.Errorf("MatchAppend allocs = %v; want 0", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() {
		dst = m.MatchAppend(dst[:0], &s, Doc{Title: "Nada que ver", Content: "El niño pidió café."})
	})
	if allocs != 0 {
		t.Errorf("MatchAppend (no match) allocs = %v; want 0", allocs)
	}
}

func TestMatchConcurrent(t *testing.T) {
	m, err := Compile([]newsdigest.Topic{{Name: "a", Terms: []string{"cartel*"}}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []string)
	for range 8 {
		go func() {
			var last []string
			for range 200 {
				last = matchNames(m.Match(Doc{Title: "cárteles"}))
			}
			done <- last
		}()
	}
	for range 8 {
		if got := <-done; !reflect.DeepEqual(got, []string{"a:03:cartel*"}) {
			t.Errorf("Match concurrently = %q", got)
		}
	}
}
