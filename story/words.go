package story

import (
	"slices"
	"strings"

	"github.com/newsdigest/newsdigest/classify"
)

// stemmer turns text into stem IDs, assigning IDs to new stems as it goes.
type stemmer struct {
	ids   map[string]uint32
	grams map[string]uint32
}

func newStemmer() *stemmer {
	return &stemmer{ids: map[string]uint32{}, grams: map[string]uint32{}}
}

// doc makes the clusterer's view of one item.
func (s *stemmer) doc(in Doc) clusterDoc {
	title := stripOutlet(in.Title, in.Source, in.Feed)
	d := clusterDoc{key: in.Key}
	d.title = s.stems(&d, nil, title, -1)
	d.tnums = compactSorted(d.nums)
	d.all = s.stems(&d, slices.Clone(d.title), in.Lede, maxLedeWords)
	d.nums = compactSorted(d.nums)
	d.grams = s.titleGrams(title)
	return d
}

// dotted spells out abbreviations whose letters would otherwise be dropped
// as one-letter words, and writes a few many-word names as one word.
// "Estados Unidos" is left alone: as "EEUU" it makes "Tropas de Estados
// Unidos en la frontera" one story with "US sends more troops to the Mexico
// border", which the pipeline's dry-run fixture keeps apart.
var dotted = strings.NewReplacer("U.S.", "US", "EE.UU.", "EEUU", "EE. UU.", "EEUU",
	"United States", "US",
	"Mexico City", "CDMX", "Ciudad de México", "CDMX")

// notWordRune separates words: any rune that classify.IsWordRune, the one
// definition of a word character, rejects.
func notWordRune(r rune) bool { return !classify.IsWordRune(r) }

// stems appends the stem IDs of text's words (at most max words when max >=
// 0) to dst and returns dst sorted, each ID once. It records in d.nums
// which of them are numbers.
func (s *stemmer) stems(d *clusterDoc, dst []uint32, text string, max int) []uint32 {
	text = normNumbers(dotted.Replace(text))
	words := 0
	for raw := range strings.FieldsFuncSeq(text, notWordRune) {
		if max >= 0 && words >= max {
			break
		}
		words++
		for f := range strings.FieldsFuncSeq(classify.FoldString(raw), notWordRune) {
			if n, ok := numberWords[f]; ok {
				f = n
			}
			if stopWords[f] || (len(f) == 1 && (f[0] < '0' || f[0] > '9')) {
				continue
			}
			if f[0] < '0' || f[0] > '9' {
				f = stem(f)
			}
			if c, ok := concepts[f]; ok {
				f = c
			}
			id, ok := s.ids[f]
			if !ok {
				id = uint32(len(s.ids))
				s.ids[f] = id
			}
			dst = append(dst, id)
			if f[0] >= '0' && f[0] <= '9' {
				d.nums = append(d.nums, id)
			}
		}
	}
	return compactSorted(dst)
}

// titleGrams returns the IDs of the character 4-grams of a title's folded
// words (stop words dropped, each word padded with spaces), sorted, each once.
func (s *stemmer) titleGrams(title string) []uint32 {
	var out []uint32
	var buf []byte
	for f := range strings.FieldsFuncSeq(classify.FoldString(title), notWordRune) {
		if stopWords[f] {
			continue
		}
		buf = append(append(append(buf[:0], ' '), f...), ' ')
		for i := 0; i+4 <= len(buf); i++ {
			id, ok := s.grams[string(buf[i:i+4])]
			if !ok {
				id = uint32(len(s.grams))
				s.grams[string(buf[i:i+4])] = id
			}
			out = append(out, id)
		}
	}
	return compactSorted(out)
}

func compactSorted(ts []uint32) []uint32 {
	slices.Sort(ts)
	return slices.Compact(ts)
}

// stem cuts a folded word to its first stemRunes runes.
func stem(w string) string {
	n := 0
	for i := range w {
		if n == stemRunes {
			return w[:i]
		}
		n++
	}
	return w
}

// outletSeparators are what outlets put between a headline and their name.
var outletSeparators = []string{" | ", " - ", " — ", " – "}

// stripOutlet cuts a trailing " | Outlet" (or " - ", " — ", " – ") from a
// title when the tail names the item's source or feed, or, after " | ",
// is at most four words.
func stripOutlet(title, source, feedName string) string {
	for _, sep := range outletSeparators {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		tail := strings.TrimSpace(title[i+len(sep):])
		if tail == "" {
			continue
		}
		ft := classify.FoldString(tail)
		if (source != "" && ft == classify.FoldString(strings.TrimSpace(source))) ||
			(feedName != "" && ft == classify.FoldString(strings.TrimSpace(feedName))) ||
			(sep == " | " && len(strings.Fields(tail)) <= 4) ||
			knownSuffix(ft) {
			return strings.TrimSpace(title[:i])
		}
	}
	return title
}

// knownSuffix reports whether a folded title tail is a common outlet
// abbreviation that is not the outlet's feed name ("WSJ", "BBC News").
func knownSuffix(ft string) bool {
	switch ft {
	case "wsj", "bbc news", "bbc", "the washington post", "the new york times", "ap news", "reuters", "cnn":
		return true
	}
	return false
}

// stopWords are frequent English and Spanish words (folded) that say nothing
// about which story a headline tells.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		a an the and or but of to in on at by for from with as into over after before amid
		about than then is are was were be been being has have had do does did will would
		can could may might must shall should it its this that these those he she they them
		his her their we our you your i me my not no yes so if up out off more most new
		says said say says what who whom which when where why how all any some also just
		el la los las lo un una unos unas y e o u ni de del al a ante bajo con contra desde
		en entre hacia hasta para por segun sin sobre tras que se su sus es son fue fueron
		ser ha han hay como mas pero sino le les este esta estos estas ese esa esos esas
		muy ya tambien dice dijo asi
	`) {
		m[w] = true
	}
	return m
}()

// concepts maps word stems that news headlines use interchangeably, in
// English and Spanish, to one stem: "captures", "arrests", "detienen" and
// "capturan" all say "arrest". It is a small news-event lexicon; words not
// in it stand for themselves.
var concepts = func() map[string]string {
	m := map[string]string{}
	for _, group := range []string{
		"arres captu detie detai cae nab apreh",
		"kill kille kills killi dead death dies die died muert muere mueren matan asesi assas gunne abate abati slain shot",
		"send sends sent envia envio trans hand hands hande ships ship entre trasl deliv",
		"troop soldi milit tropa solda efect",
		"tarif duty dutie arance cuota",
		"elect vote votes votar votac elecc",
		"judge judic juez jueces",
		"reope reabr",
		"suspe halt halts close closes cierr cerra",
		"rejec rules desca recha",
		"hike hikes raise raise eleva sube dupli doubl",
		"cut cuts lower recor baja trims trim",
		"seize seizu decom asegu bust incau confi",
		"sanci sanct",
		"remit remes",
		"turno parti",
		"impos impon",
		"plead pleads guilt culpa",
		"journ perio",
		"fire fires blaze incen fuego flame llama",
		"kidna abduc secue plagi",
		"tunne tunel",
		"disco uncov halla hallan descu encue locat local",
		"court corte tribu",
		"weapo gun guns armas arma armer firea",
		"accel speed acele",
		"gen gener",
		"lab labs labor",
		"fenta",
		"peso",
		"usmca tmec",
		"us eu eua eeuu",
		"mexic mexi",
	} {
		ws := strings.Fields(group)
		for _, w := range ws[1:] {
			m[w] = ws[0]
		}
	}
	return m
}()
