package classify

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest"
)

// newsWords is EN/ES news vocabulary, accents included.
var newsWords = strings.Fields(`
cártel cárteles cartel cartels narcotráfico narcotraficante fentanilo fentanyl Sinaloa Jalisco
Guardia Nacional frontera border tropas troops soberanía sovereignty aranceles tariffs T-MEC USMCA
migración migration deportación deportation México Mexico Estados Unidos United States Washington
presidenta president Sheinbaum Trump secretaría secretary defensa defense seguridad security
gobierno government acuerdo agreement comercio trade exportaciones exports inversión investment
violencia violence homicidios homicides extradición extradition operativo operation militar military
Marina Navy aduanas customs acero steel automotriz automotive energía energy petróleo Pemex
elección election reforma reform judicial Congreso Senado Senate embajador ambassador consulado
huachicol combustible fuel robo theft armas weapons tráfico trafficking Tijuana Juárez Chihuahua
Sonora Tamaulipas Michoacán Guerrero Culiacán Monterrey remesas remittances peso dólar dollar
`)

var fillerWords = strings.Fields(`
el la los las de del en y que por para con una un se su sus al es fue ha han según dijo también
the of and to in a is that for on with as was by said were has have from at this which after
año años día días semana mes niño niña mañana información población económica política pública
year years week month officials people report according new told would could about over more
`)

// synthWord returns a deterministic pseudo-word.
func synthWord(r *rand.Rand) string {
	const cons, vows = "bcdfghjklmnprstvz", "aeiou"
	var b strings.Builder
	for range 2 + r.IntN(3) {
		b.WriteByte(cons[r.IntN(len(cons))])
		b.WriteByte(vows[r.IntN(len(vows))])
	}
	return b.String()
}

// benchTerms returns n terms: single words, phrases and prefixes from news
// vocabulary and synthetic words (names, brands). About 250 term words come
// from the ~190-word news vocabulary whatever n, as in a real watchlist,
// where most of thousands of terms are rare names.
func benchTerms(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	news := min(0.25, 250/float64(n))
	word := func() string {
		if r.Float64() < news {
			return newsWords[r.IntN(len(newsWords))]
		}
		return synthWord(r)
	}
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var t string
		switch k := r.IntN(10); {
		case k < 5:
			t = word()
		case k < 8:
			t = word() + " " + word()
			if k == 7 {
				t += " " + word()
			}
		default:
			w := word()
			t = w[:max(3, len(w)-2)] + "*"
		}
		if !seen[t] && ParseTerm(t) == nil {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// benchDoc returns a ~4 KB EN/ES article.
func benchDoc() Doc {
	r := rand.New(rand.NewPCG(3, 4))
	sentence := func(n int) string {
		var ws []string
		for range n {
			if r.IntN(5) == 0 {
				ws = append(ws, newsWords[r.IntN(len(newsWords))])
			} else {
				ws = append(ws, fillerWords[r.IntN(len(fillerWords))])
			}
		}
		s := strings.Join(ws, " ")
		return strings.ToUpper(s[:1]) + s[1:] + "."
	}
	var content strings.Builder
	for content.Len() < 4000 {
		content.WriteString(sentence(8 + r.IntN(20)))
		content.WriteString(" ")
	}
	return Doc{Title: sentence(10), Summary: sentence(30), Content: content.String()}
}

func benchTopics(terms []string) []newsdigest.Topic {
	per := max(10, len(terms)/50)
	var topics []newsdigest.Topic
	for i := 0; i < len(terms); i += per {
		topics = append(topics, newsdigest.Topic{Name: fmt.Sprintf("t%d", i), Terms: terms[i:min(i+per, len(terms))]})
	}
	return topics
}

func docLen(d Doc) int64 { return int64(len(d.Title) + len(d.Summary) + len(d.Content)) }

func BenchmarkMatch(b *testing.B) {
	d := benchDoc()
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) { benchMatch(b, benchTerms(n), d) })
	}
}

// benchMatch measures MatchAppend over d with the given terms, grouped into
// topics as benchTopics does.
func benchMatch(b *testing.B, terms []string, d Doc) {
	m, err := Compile(benchTopics(terms))
	if err != nil {
		b.Fatal(err)
	}
	var s Scratch
	var dst []newsdigest.Match
	b.SetBytes(docLen(d))
	b.ReportAllocs()
	for b.Loop() {
		dst = m.MatchAppend(dst[:0], &s, d)
	}
	b.ReportMetric(float64(len(dst)), "topics")
}

// termRegexp is the baseline a user would write: one alternation of all
// terms with \b boundaries, run over folded text.
func termRegexp(terms []string) *regexp.Regexp {
	alts := make([]string, len(terms))
	for i, t := range terms {
		prefix := strings.HasSuffix(t, "*")
		t = strings.TrimSuffix(strings.TrimPrefix(t, "="), "*")
		ws := strings.FieldsFunc(FoldString(t), func(r rune) bool { return !IsWordRune(r) })
		for j := range ws {
			ws[j] = regexp.QuoteMeta(ws[j])
		}
		alts[i] = strings.Join(ws, `\W+`)
		if prefix {
			alts[i] += `\w*`
		}
	}
	return regexp.MustCompile(`\b(?:` + strings.Join(alts, "|") + `)\b`)
}

func BenchmarkRegexp(b *testing.B) {
	d := benchDoc()
	text := FoldString(d.Title + "\n" + d.Summary + "\n" + d.Content)
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			if n > 1000 {
				b.Skip("10,000-term alternation: ~10x slower than 1,000 terms, minutes per run; skipped")
			}
			re := termRegexp(benchTerms(n))
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			var hits int
			for b.Loop() {
				hits = len(re.FindAllStringIndex(text, -1))
			}
			b.ReportMetric(float64(hits), "hits")
		})
	}
}

// BenchmarkMatchScaling isolates what the number of terms costs: every size
// has the same 10 terms that occur in the article (the same hits, so the
// same work recording them) plus n-10 terms that never occur in it. The time
// per article should then barely move from 10 to 10,000 terms. In
// BenchmarkMatch, by contrast, larger watchlists also find more hits.
func BenchmarkMatchScaling(b *testing.B) {
	d := benchDoc()
	hits := []string{"cártel*", "Sinaloa", "Guardia Nacional", "T-MEC", "frontera", "Sheinbaum", "=USMCA", "aranceles", "fentanyl", "United States"}
	r := rand.New(rand.NewPCG(5, 6))
	absent := absentTerms(d, 10000, func() string {
		switch k := r.IntN(10); {
		case k < 5:
			return synthWord(r)
		case k < 8:
			return synthWord(r) + " " + synthWord(r)
		default:
			w := synthWord(r)
			return w[:max(3, len(w)-2)] + "*"
		}
	})
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			benchMatch(b, append(slices.Clone(hits), absent[:n-len(hits)]...), d)
		})
	}
}

// BenchmarkMatchScalingNear is BenchmarkMatchScaling with proximity terms:
// the same 7 plain terms and 3 proximity terms occur in the article at
// every size; of the n-10 terms that never match, a third are proximity
// terms whose one operand does occur in the article (so each of its
// occurrences has thousands of proximity terms to consider at n=10,000)
// and whose other operand never does.
func BenchmarkMatchScalingNear(b *testing.B) {
	d := benchDoc()
	hits := []string{"cártel*", "Guardia Nacional", "T-MEC", "Sheinbaum", "=USMCA", "fentanyl", "United States"}
	// Three proximity terms of news words that occur in the article.
	var operands []string
	for i, a := range newsWords {
		for _, w := range newsWords[i+1:] {
			t := a + " ~8 " + w
			m, err := Compile([]newsdigest.Topic{{Name: "probe", Terms: []string{t}}})
			if len(hits) < 10 && err == nil && len(m.Match(d)) > 0 && !slices.Contains(operands, a) && !slices.Contains(operands, w) {
				hits = append(hits, t)
				operands = append(operands, a, w)
			}
		}
	}
	if len(hits) != 10 {
		b.Fatalf("found %d proximity terms that occur in the article; want 3", len(hits)-7)
	}
	r := rand.New(rand.NewPCG(7, 8))
	absent := absentTerms(d, 10000, func() string {
		switch k := r.IntN(9); {
		case k < 3:
			return synthWord(r)
		case k < 6:
			return synthWord(r) + " " + synthWord(r)
		default:
			return fmt.Sprintf("%s ~%d %s", operands[r.IntN(len(operands))], r.IntN(10), synthWord(r))
		}
	})
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			benchMatch(b, append(slices.Clone(hits), absent[:n-len(hits)]...), d)
		})
	}
}

// absentTerms returns n distinct terms made by gen that do not match d.
func absentTerms(d Doc, n int, gen func() string) []string {
	var out []string
	seen := map[string]bool{}
	for len(out) < n {
		t := gen()
		if seen[t] {
			continue
		}
		seen[t] = true
		m, err := Compile([]newsdigest.Topic{{Name: "probe", Terms: []string{t}}})
		if err != nil || len(m.Match(d)) > 0 {
			continue // invalid, or occurs in the article
		}
		out = append(out, t)
	}
	return out
}

// BenchmarkCompile is the matcher's share of a command's start-up: compiling
// 10, 1,000 and 10,000 terms, and 10,000 terms in one topic (a topic's terms
// are deduplicated together: that must not grow with their square).
func BenchmarkCompile(b *testing.B) {
	bench := func(name string, topics []newsdigest.Topic) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(topics); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, n := range []int{10, 1000, 10000} {
		bench(fmt.Sprint(n), benchTopics(benchTerms(n)))
	}
	bench("10000/one-topic", []newsdigest.Topic{{Name: "one", Terms: benchTerms(10000)}})
}

// benchFeedItem returns an item as a news feed gives it: a title with a
// character reference, a ~300-byte HTML summary and ~1 KB of HTML content
// (paragraphs, links with long attributes, an image in a figure, inline
// emphasis, named and numeric references), in English and Spanish.
func benchFeedItem(seed uint64) Doc {
	r := rand.New(rand.NewPCG(seed, 9))
	word := func() string {
		if r.IntN(5) == 0 {
			return newsWords[r.IntN(len(newsWords))]
		}
		return fillerWords[r.IntN(len(fillerWords))]
	}
	// sentence writes n words, some of them (with markup, n > 0) in inline
	// tags or references; a title (n < 0) has only references.
	sentence := func(b *strings.Builder, n int) {
		markup := n > 0
		n = max(n, -n)
		for i := range n {
			if i > 0 {
				if r.IntN(25) == 0 {
					b.WriteString("&nbsp;")
				} else {
					b.WriteByte(' ')
				}
			}
			w := word()
			k := r.IntN(30)
			if !markup && k < 3 {
				k = 30
			}
			switch k {
			case 0:
				fmt.Fprintf(b, `<a href="https://www.example.com/news/2025/%d/%s-%d.html" target="_blank" rel="noopener">%s</a>`, r.IntN(12)+1, w, r.IntN(100000), w)
			case 1:
				fmt.Fprintf(b, "<strong>%s</strong>", w)
			case 2:
				fmt.Fprintf(b, "<em>%s</em>", w)
			case 3:
				fmt.Fprintf(b, "&#8220;%s&#8221;", w)
			case 4:
				b.WriteString(w + "&#8217;s")
			case 5:
				b.WriteString(w + " &amp;")
			default:
				b.WriteString(w)
			}
		}
		b.WriteString(". ")
	}
	var title, summary, content strings.Builder
	sentence(&title, -12)
	summary.WriteString("<p>")
	for summary.Len() < 300 {
		sentence(&summary, 10+r.IntN(10))
	}
	summary.WriteString("&hellip;</p>")
	fmt.Fprintf(&content, `<figure class="wp-block-image size-large"><img src="https://cdn.example.com/uploads/2025/03/photo-%d.jpg" alt="%s" width="1024" height="683" loading="lazy" /><figcaption>`, r.IntN(1000), word())
	sentence(&content, 8)
	content.WriteString("</figcaption></figure>\n")
	for content.Len() < 1000 {
		content.WriteString("<p>")
		sentence(&content, 12+r.IntN(10))
		sentence(&content, 8+r.IntN(10))
		content.WriteString("</p>\n")
	}
	return Doc{Title: title.String(), Summary: summary.String(), Content: content.String()}
}

// BenchmarkMatchFeedItem is BenchmarkMatch on items shaped as a feed gives
// them (benchFeedItem): most of the time per item goes to turning the HTML
// into plain text and the text into folded words, not to the lookups.
func BenchmarkMatchFeedItem(b *testing.B) {
	docs := make([]Doc, 16)
	var size int64
	for i := range docs {
		docs[i] = benchFeedItem(uint64(i))
		size += docLen(docs[i])
	}
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			m, err := Compile(benchTopics(benchTerms(n)))
			if err != nil {
				b.Fatal(err)
			}
			var s Scratch
			var dst []newsdigest.Match
			b.SetBytes(size / int64(len(docs)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				dst = m.MatchAppend(dst[:0], &s, docs[i%len(docs)])
				i++
			}
		})
	}
}
