package feedtest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Generated returns the feeds of whole-run measurements (internal/cmd/feedserve
// and the benchmarks of cmd/newsdigest): nFeeds feeds of nItems items,
// RSS, Atom, JSON Feed and windows-1252 RSS in turn, linking to base. A
// fraction `matching` of the items, spread evenly over feeds and
// positions, is written to match the topics of GeneratedConfig; the others match
// nothing. Every item has a ~750-byte HTML summary and a date 20 minutes
// apart from the next, back from now.
func Generated(base string, nFeeds, nItems int, matching float64, now time.Time) []FeedSpec {
	words := []string{"Sinaloa Cartel", "USMCA review", "troops at the border", "soberanía", "T-MEC", "Guardia Nacional",
		"fentanilo", "cárteles", "aranceles", "tariffs"}
	other := []string{"weather", "football", "markets", "elections", "the harvest", "a new museum", "rail strikes",
		"el clima", "la liga", "los mercados", "las elecciones", "un museo"}
	formats := []string{RSS, Atom, JSON, RSS1252}
	specs := make([]FeedSpec, 0, nFeeds)
	for f := 0; f < nFeeds; f++ {
		spec := FeedSpec{Format: formats[f%len(formats)], Title: fmt.Sprintf("Feed %d", f), Link: base}
		for i := 0; i < nItems; i++ {
			w1, w2, place := other[(f+i)%len(other)], other[(f*7+i*3)%len(other)], "Canada"
			if float64((f*spreadPrime+i*7919)%1000) < matching*1000 {
				w1, w2, place = words[(f+i)%len(words)], words[(f*7+i*3)%len(words)], "Mexico"
			}
			spec.Items = append(spec.Items, ItemSpec{
				GUID:      fmt.Sprintf("urn:bench:%d:%d", f, i),
				Title:     fmt.Sprintf("Report %d-%d on %s and %s in %s", f, i, w1, w2, place),
				Link:      fmt.Sprintf("%s/story/%d/%d", base, f, i),
				Summary:   strings.Repeat(fmt.Sprintf("<p>Details about %s, %s and the United States. </p>", w1, w2), 12),
				Published: now.Add(-time.Duration(i) * 20 * time.Minute),
			})
		}
		specs = append(specs, spec)
	}
	return specs
}

// spreadPrime spreads the matching items evenly over feeds and positions.
const spreadPrime = 104729

// GeneratedPath is where the f-th Generated feed is served.
func GeneratedPath(f int) string { return "/feed/" + strconv.Itoa(f) }

// GeneratedConfig is the newsdigest config of whole-run measurements: the
// specs served at base + GeneratedPath, fetched 16 at a time from loopback,
// stored in bench.db, and the watchlist they are written for.
func GeneratedConfig(base string, specs []FeedSpec) string {
	var b strings.Builder
	b.WriteString("fetch:\n  concurrency: 16\n  allow_private: true\nstore:\n  path: bench.db\nfeeds:\n")
	for f, spec := range specs {
		fmt.Fprintf(&b, "  - name: %q\n    url: %q\n", spec.Title, base+GeneratedPath(f))
	}
	b.WriteString(generatedTopics)
	return b.String()
}

// generatedTopics is the watchlist of Generated feeds: the shipped
// watchlist's shape, compact, as config YAML.
const generatedTopics = `topics:
  - name: cartels
    terms: [cartel, cartels, cártel, cárteles, narco*, fentanyl, fentanilo, "Sinaloa Cartel", CJNG]
    exclude: ["Cartel de Santa", OPEC]
    require:
      - [mexic*, méxico, sinaloa]
  - name: usmca
    terms: [USMCA, T-MEC, tariff*, arancel*]
    require:
      - [mexic*, méxico, USMCA, T-MEC]
  - name: troops
    terms: [troops, tropas, "Guardia Nacional", "National Guard", military]
    require:
      - [mexic*, méxico]
      - ["united states", "estados unidos", =US, border, frontera]
  - name: sovereignty
    terms: [sovereignty, soberanía]
    require:
      - [mexic*, méxico]
`

// CatchAllTopics is a config's topics block with one topic, "all", that
// every item with a letter or digit in its text matches: one prefix term
// per letter and digit. It puts every served item in the digest.
func CatchAllTopics() string {
	var terms []string
	for c := 'a'; c <= 'z'; c++ {
		terms = append(terms, string(c)+"*")
	}
	for c := '0'; c <= '9'; c++ {
		terms = append(terms, string(c)+"*")
	}
	return "topics:\n  - name: all\n    terms: [" + strings.Join(terms, ", ") + "]\n"
}
