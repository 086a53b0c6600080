package classify

import (
	"html"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest"
	"golang.org/x/text/unicode/norm"
)

func FuzzFold(f *testing.F) {
	for _, s := range foldInputs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := FoldString(s), refFold(s); got != want {
			t.Errorf("FoldString(%q) = %q; want %q", s, got, want)
		}
	})
}

// refWord is a word found by refWords.
type refWord struct {
	folded string
	src    string // the text it came from
	s0, s1 int    // src is text[s0:s1]
}

// refWords is the slow tokenizer: fold each rune with the reference
// pipeline, split on runes that are not letters or digits.
func refWords(text string) []refWord {
	var out []refWord
	var cur strings.Builder
	s0, s1, in := 0, 0, false
	end := func() {
		if in {
			out = append(out, refWord{cur.String(), text[s0:s1], s0, s1})
			cur.Reset()
			in = false
		}
	}
	for i, r := range text {
		size := len(string(r))
		if r == utf8.RuneError {
			_, size = utf8.DecodeRuneInString(text[i:])
		}
		f := refFold(text[i : i+size])
		if f == "" {
			if in {
				s1 = i + size
			}
			continue
		}
		for _, fr := range f {
			if IsWordRune(fr) {
				if !in {
					in, s0 = true, i
				}
				cur.WriteRune(fr)
				s1 = i + size
			} else {
				end()
			}
		}
	}
	end()
	return out
}

func FuzzTokenize(f *testing.F) {
	for _, s := range foldInputs {
		f.Add(s)
	}
	f.Add("Sinaloa cartel's T-MEC, ½ x²")
	// Longer than the 8 bytes appendWords reads at once, with words and
	// runes that are not ASCII across the chunks' edges.
	f.Add("Los CÁRTELES de Sinaloa, según la SEDENA (2025): 12 detenidos.")
	f.Add("abcdefge\u0301ABCDEFG½HIJKLMNOPQRS\u0301\u0301tuvwxyz0123456789 x²y")
	f.Fuzz(func(t *testing.T, s string) {
		folded, words := appendWords(nil, nil, []byte(s))
		var got []string
		for _, w := range words {
			ws := string(folded[w.f0:w.f1])
			if ws == "" {
				t.Fatalf("appendWords(%q): empty word", s)
			}
			for _, r := range ws {
				if !IsWordRune(r) {
					t.Fatalf("appendWords(%q): word %q holds %q", s, ws, r)
				}
			}
			got = append(got, ws)
		}
		// The words are those of the whole folded text...
		want := strings.FieldsFunc(FoldString(s), func(r rune) bool { return !IsWordRune(r) })
		if !slices.Equal(got, want) {
			t.Fatalf("appendWords(%q) = %q; want %q", s, got, want)
		}
		// ...and each comes from the source span recorded for it.
		ref := refWords(s)
		if len(ref) != len(words) {
			t.Fatalf("appendWords(%q) = %d words; refWords %d", s, len(words), len(ref))
		}
		for i, w := range words {
			if src := s[w.s0:w.s1]; src != ref[i].src || got[i] != ref[i].folded {
				t.Errorf("appendWords(%q) word %d = %q from %q; want %q from %q", s, i, got[i], src, ref[i].folded, ref[i].src)
			}
		}
	})
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"c&aacute;rtel", "&#x;", "&#128;&#99999999999;", "&notit;&amp", "a&nbsp;&#32;b", "x\xffy&#0;"} {
		f.Add(s)
	}
	for _, s := range []string{"", " ", "a", "a b", "a  b", " a", "a ", "a\tb", "a\u00a0b", "a\u00adb", "a < b", "x\xffy"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := PlainText(s)
		// The fast path for text that is already plain gives what the
		// conversion gives.
		if slow := string(appendPlain(nil, s)); got != slow {
			t.Fatalf("PlainText(%q) = %q; the conversion gives %q", s, got, slow)
		}
		if isPlain(s) && got != s {
			t.Fatalf("isPlain(%q), but PlainText gives %q", s, got)
		}
		if strings.Contains(s, "<") {
			return // tags: no reference; only check it does not panic
		}
		unescaped := strings.ReplaceAll(html.UnescapeString(s), "\u00ad", "") // soft hyphens are dropped
		if want := strings.Join(strings.Fields(unescaped), " "); got != want {
			t.Errorf("PlainText(%q) = %q; want %q", s, got, want)
		}
	})
}

// refTerm is a term parsed by the slow matcher.
type refTerm struct {
	words  []refWord
	exact  bool
	prefix bool
}

func refParse(term string) refTerm {
	var rt refTerm
	if strings.HasPrefix(term, "=") {
		rt.exact, term = true, term[1:]
	}
	if strings.HasSuffix(term, "*") {
		rt.prefix, term = true, term[:len(term)-1]
	}
	rt.words = refWords(term)
	return rt
}

// refField is one field of a document: its plain text and words.
type refField struct {
	text  string
	words []refWord
}

// refSpans returns the first and last word of every match of a plain term.
func refSpans(rt refTerm, words []refWord) [][2]int {
	var out [][2]int
	for i := 0; i+len(rt.words) <= len(words); i++ {
		ok := true
		for k, tw := range rt.words {
			w := words[i+k]
			last := k == len(rt.words)-1
			if rt.prefix && last {
				ok = strings.HasPrefix(w.folded, tw.folded)
			} else {
				// The plural rule (plural), written out.
				ok = w.folded == tw.folded || len(tw.folded) >= 3 &&
					(w.folded == tw.folded+"s" || w.folded == tw.folded+"es")
			}
			if ok && rt.exact {
				src, want := norm.NFC.String(w.src), norm.NFC.String(tw.src)
				if rt.prefix && last {
					ok = strings.HasPrefix(src, want)
				} else {
					ok = src == want
				}
			}
			if !ok {
				break
			}
		}
		if ok {
			out = append(out, [2]int{i, i + len(rt.words) - 1})
		}
	}
	return out
}

// refSentences numbers the sentences of a field's words, by the rule of
// sentenceEnd written out plainly.
func refSentences(f refField) []int {
	gapOf := func(a, b refWord) string { return f.text[min(a.s1, b.s0):b.s0] } // "" within one rune
	var out []int
	n := 0
	for k, w := range f.words {
		if k > 0 {
			prev := f.words[k-1]
			gap := gapOf(prev, w)
			if i := strings.IndexAny(gap, ".!?…"); i >= 0 {
				if j := strings.IndexFunc(gap[i:], unicode.IsSpace); j >= 0 {
					head := gap[:i+j]
					abbrev := k >= 2 && gapOf(f.words[k-2], prev) == "." ||
						utf8.RuneCountInString(prev.folded) == 1 && unicode.IsLetter([]rune(prev.folded)[0]) ||
						slices.Contains(strings.Fields("mr mrs ms dr dra prof gen gral sen rep gov lt col capt sgt adm st jr sr sra srta lic ing dip mtro mtra vs inc corp co ltd dept ee uu"), prev.folded)
					if strings.ContainsAny(head, "!?…") || !abbrev {
						n++
					}
				}
			}
		}
		out = append(out, n)
	}
	return out
}

// refNearTerm splits "A ~N B" (a term ParseTerm accepted); ok is false for
// a plain term.
func refNearTerm(term string) (a, b string, n int, ok bool) {
	i := strings.Index(term, "~")
	if i < 0 {
		return "", "", 0, false
	}
	rest := strings.TrimLeft(term[i+1:], "0123456789")
	n, _ = strconv.Atoi(term[i+1 : len(term)-len(rest)])
	return strings.TrimSpace(term[:i]), strings.TrimSpace(rest), n, true
}

// refHits returns the fields (bits) in which term matches d.
func refHits(term string, fields []refField) uint8 {
	var bits uint8
	a, b, n, isNear := refNearTerm(term)
	for f, fl := range fields {
		if !isNear {
			if len(refSpans(refParse(term), fl.words)) > 0 {
				bits |= 1 << f
			}
			continue
		}
		sent := refSentences(fl)
		for _, sa := range refSpans(refParse(a), fl.words) {
			for _, sb := range refSpans(refParse(b), fl.words) {
				x, y := sa, sb // x starts first
				if y[0] < x[0] {
					x, y = y, x
				}
				if x[1] < y[0] && y[0]-x[1]-1 <= n && sent[x[1]] == sent[y[0]] {
					bits |= 1 << f
				}
			}
		}
	}
	return bits
}

// refMatch is the slow, obviously correct matcher of docs/DESIGN.md "Matching".
func refMatch(topics []newsdigest.Topic, d Doc) []newsdigest.Match {
	var fields []refField
	for _, s := range []string{d.Title, d.Summary, d.Content} {
		text := PlainText(s)
		fields = append(fields, refField{text, refWords(text)})
	}
	any := func(terms []string) bool {
		for _, term := range terms {
			if refHits(term, fields) != 0 {
				return true
			}
		}
		return false
	}
	var out []newsdigest.Match
	for _, t := range topics {
		m := newsdigest.Match{Topic: t.Name}
		plain := keptTerms(dedupFolded(t.Terms, parseTerm))
		for k, term := range append(plain, keptTerms(dedupFolded(t.TitleTerms, parseTerm))...) {
			switch h := refHits(term, fields); {
			case h&1 != 0:
				m.Score += 3
			case h != 0 && k < len(plain):
				m.Score++
			default:
				continue
			}
			m.Terms = append(m.Terms, term)
		}
		ok := len(m.Terms) > 0 && (!any(t.Exclude) || any(t.Unless)) && m.Score >= max(t.MinScore, 1)
		for _, g := range t.Require {
			ok = ok && any(g)
		}
		if ok {
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b newsdigest.Match) int { return b.Score - a.Score })
	return out
}

func validTerms(list string) []string {
	var out []string
	for _, t := range strings.Split(list, "|") {
		if ParseTerm(t) == nil {
			out = append(out, t)
		}
	}
	return out
}

func FuzzMatch(f *testing.F) {
	f.Add("Los cárteles de Sinaloa", "El T-MEC y ICE's agents", "<p>Cartel de Santa &amp; m&eacute;xico</p>",
		"cartel*|Sinaloa Cartel|=ICE|T-MEC|narco*|cártel de*", "Cartel de Santa", "mexico|méxico")
	f.Add("ICE police Ice", "US us", "NAFTA nafta", "=ICE|=US|=NAFT*|police", "", "")
	f.Add("Guardia Nacional", "guardia\nnacional", "ﬁnal ½ x²", "Guardia Nacional|final|1 2|x2", "zzz", "")
	f.Add("Me\u0301xico", "MÉXICO", "mexico", "=México|=MÉXICO*|mexic*", "", "guardia")
	f.Add("US troops head to the Mexico border. Mexico objects", "Tropas de EE.UU. llegan a México? No", "mexico mexico troops",
		"troops ~3 mexic*|=US ~0 troops|mexico ~1 mexico|tropas ~4 méxico|border ~0 mexico", "troops ~9 objects", "mexico ~2 =US")
	f.Add("a b a b c. c a", "x y, z! x Gen. y", "p q p", "a b ~0 b|c ~1 a b|x ~2 y|p ~0 p|q ~0 p q", "", "a ~5 c")
	f.Fuzz(func(t *testing.T, title, summary, content, terms, excl, req string) {
		tt := validTerms(terms)
		if len(tt) == 0 {
			return
		}
		rev := slices.Clone(tt)
		slices.Reverse(rev)
		topics := []newsdigest.Topic{
			{Name: "a", Terms: tt, Exclude: validTerms(excl)},
			{Name: "b", Terms: rev, MinScore: 2},
			{Name: "d", TitleTerms: tt, Exclude: validTerms(excl)},
		}
		if len(tt) > 1 && CheckTitleTerms(tt[:1], tt[1:]) == nil {
			topics = append(topics, newsdigest.Topic{Name: "e", Terms: tt[:1], TitleTerms: tt[1:]})
		}
		if rq := validTerms(req); len(rq) > 0 {
			topics = append(topics, newsdigest.Topic{Name: "c", Terms: tt[:1], Require: [][]string{rq, tt}})
			if len(topics[0].Exclude) > 0 {
				topics[0].Unless = rq[:1]
			}
		}
		m, err := Compile(topics)
		if err != nil {
			t.Fatalf("Compile(%+v): %v", topics, err)
		}
		d := Doc{Title: title, Summary: summary, Content: content}
		got := m.Match(d)
		if want := refMatch(topics, d); !reflect.DeepEqual(got, want) {
			t.Fatalf("Match(%+v) with %+v = %+v; want %+v", d, topics, got, want)
		}
		var matched []string
		for _, e := range m.Explain(d) {
			if e.Matched {
				matched = append(matched, e.Name)
			}
		}
		var want []string
		for _, mt := range got {
			want = append(want, mt.Topic)
		}
		slices.Sort(want)
		slices.Sort(matched)
		if !slices.Equal(matched, want) {
			t.Fatalf("Explain(%+v) matched %q; Match %q", d, matched, want)
		}
	})
}
