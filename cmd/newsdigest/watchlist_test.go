package main

import (
	"cmp"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/config"
)

// TestShippedWatchlist checks the shipped config.yaml against headlines of
// the kind its users follow, and against look-alikes that must stay out:
// precision matters as much as recall.
func TestShippedWatchlist(t *testing.T) {
	cfg, err := config.Parse(mustRead(t, "../../config.yaml"), "../../config.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatalf("shipped config.yaml: %v", err)
	}
	m, err := cfg.Matcher() // the terms and the learned model, as run matches
	if err != nil {
		t.Fatalf("shipped topics: %v", err)
	}
	tests := []struct {
		title, summary string
		want           []string // topics, any order; nil = none
	}{
		// From the seed articles' themes, EN.
		{"Sheinbaum rejects Trump offer to send US troops into Mexico", "She says Mexico's sovereignty is not for sale.", []string{"sovereignty", "troops"}},
		{"Mexico sends 55 cartel members to the U.S. to face trial", "", []string{"cartels"}},
		{"US designates Sinaloa Cartel a foreign terrorist organization", "Mexico weighs its response.", []string{"cartels"}},
		{"Without USMCA, the Mexican economy would likely crash", "", []string{"usmca"}},
		{"USMCA joint review set for July", "Negotiators meet in Washington.", []string{"usmca"}},
		// US strikes proposed on Mexican soil are also sovereignty
		// (testdata/watchlists/RULES.md).
		{"Pentagon weighs drone strikes on cartel labs in Mexico", "", []string{"cartels", "sovereignty", "troops"}},
		{"Mexico deploys 10,000 National Guard troops to US border", "", []string{"troops"}},
		{"How could Mexico respond to US military action?", "Analysts weigh a violation of Mexican sovereignty.", []string{"sovereignty", "troops"}},
		{"Fentanyl seizures fall as Mexico dismantles drug labs", "", []string{"cartels"}},
		// ES.
		{"Sheinbaum: la soberanía de México no se negocia ante Estados Unidos", "", []string{"sovereignty"}},
		{"Cártel de Sinaloa: detienen a operador en Culiacán", "", []string{"cartels"}},
		{"El CJNG amplía su presencia en Guanajuato", "", []string{"cartels"}},
		{"Revisión del T-MEC: lo que está en juego para México", "", []string{"usmca"}},
		{"Trump amenaza con aranceles de 30% a México", "", []string{"usmca"}},
		{"Guardia Nacional refuerza la frontera con Estados Unidos", "Despliegue en Chihuahua y Sonora, México.", []string{"troops"}},
		// US troops into Mexico, refused: sovereignty too (RULES.md; labelled so in holdout-f).
		{"EE.UU. no enviará tropas a México, dice Sheinbaum", "", []string{"sovereignty", "troops"}},
		{"Huachicol fiscal: cae red en Tamaulipas", "", []string{"cartels"}},
		// Look-alikes that must not match.
		{"OPEC+ cartel agrees to cut oil output", "Mexico's Pemex is not a member.", nil},
		{"Cartel de Santa anuncia gira por México", "", nil},
		{"Vive Latino revela el cartel del festival 2027 en México", "", nil},
		{"Troops withdraw from eastern Ukraine", "Kyiv says the front line holds.", nil},
		{"Israel sends troops into southern Lebanon", "", nil},
		{"Moody's cuts Mexico sovereign rating outlook", "Sovereign debt concerns in Mexico.", nil},
		{"Soberanía alimentaria: México apuesta por el maíz nativo", "", nil},
		{"EU and Mercosur sign free trade agreement", "", nil},
		{"US imposes new tariffs on Chinese steel", "", nil},
		{"Police raid in Chicago after ICE protest", "", nil},
		{"Mexico City marathon draws record crowd", "", nil},
	}
	for _, tt := range tests {
		got := []string{}
		for _, mt := range m.Match(classify.Doc{Title: tt.title, Summary: tt.summary}) {
			got = append(got, mt.Topic)
		}
		want := tt.want
		if want == nil {
			want = []string{}
		}
		slices.Sort(got)
		want = slices.Clone(want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Match(%q, %q) = %v; want %v", tt.title, tt.summary, got, want)
		}
	}
}

// devItem is one item of the labelled development set in
// testdata/watchlists (README.md there describes it).
type devItem struct {
	ID     string   `json:"id"`
	Topics []string `json:"topics"`
	Lang   string   `json:"lang"`
	Hard   bool     `json:"hard"`
}

func readDevSet(t *testing.T, part string) []devItem {
	t.Helper()
	var out []devItem
	for i, line := range strings.Split(strings.TrimSpace(string(mustRead(t, "../../testdata/watchlists/"+part+".jsonl"))), "\n") {
		var it devItem
		if err := json.Unmarshal([]byte(line), &it); err != nil {
			t.Fatalf("%s.jsonl:%d: %v", part, i+1, err)
		}
		out = append(out, it)
	}
	return out
}

// dealSplit checks that items were dealt into two parts by the rule the
// development set's README states: grouped by (language, hard, topics),
// groups in sorted order, items in a group ordered by sha1(salt+id), dealt
// in pattern (one letter per part), the pattern running on from one group
// to the next.
func dealSplit(t *testing.T, items []devItem, part map[string]byte, salt, pattern string) {
	t.Helper()
	type key struct {
		lang   string
		hard   bool
		topics string
	}
	strata := map[key][]devItem{}
	for _, it := range items {
		k := key{it.Lang, it.Hard, strings.Join(it.Topics, "+")}
		if k.topics == "" {
			k.topics = "none"
		}
		strata[k] = append(strata[k], it)
	}
	keys := slices.SortedFunc(maps.Keys(strata), func(a, b key) int {
		if c := cmp.Compare(a.lang, b.lang); c != 0 {
			return c
		}
		if a.hard != b.hard {
			return map[bool]int{false: -1, true: 1}[a.hard]
		}
		return cmp.Compare(a.topics, b.topics)
	})
	hash := func(id string) string { return fmt.Sprintf("%x", sha1.Sum([]byte(salt+id))) }
	offset := 0
	for _, k := range keys {
		group := strata[k]
		slices.SortFunc(group, func(a, b devItem) int { return cmp.Compare(hash(a.ID), hash(b.ID)) })
		for i, it := range group {
			if want := pattern[(i+offset)%len(pattern)]; part[it.ID] != want {
				t.Errorf("%s (%v) is in part %c; the split rule puts it in %c", it.ID, k, part[it.ID], want)
			}
		}
		offset += len(group)
	}
}

// TestDevSetSplit re-derives the parts of the development set from its
// items, so that the held-out parts are seen to be dealt, not picked: tune
// (T) and held out (H) from all items, 3:2; then the held-out items into A
// and B, 1:1 (README.md, "Split").
func TestDevSetSplit(t *testing.T) {
	tune, a, b := readDevSet(t, "tune"), readDevSet(t, "holdout-a"), readDevSet(t, "holdout-b")
	part := map[string]byte{}
	for p, items := range map[byte][]devItem{'T': tune, 'A': a, 'B': b} {
		for _, it := range items {
			if part[it.ID] != 0 {
				t.Errorf("%s is in two parts", it.ID)
			}
			part[it.ID] = p
		}
	}
	if len(tune) != 262 || len(a) != 87 || len(b) != 87 {
		t.Errorf("%d tuning and %d+%d held-out items; want 262 and 87+87 (README.md)", len(tune), len(a), len(b))
	}
	held := append(slices.Clone(a), b...)
	first := map[string]byte{}
	for id, p := range part {
		first[id] = map[byte]byte{'T': 'T', 'A': 'H', 'B': 'H'}[p]
	}
	dealSplit(t, append(slices.Clone(tune), held...), first, "split|", "THTHT")
	dealSplit(t, held, part, "split2|", "AB")
}

// TestShippedWatchlistBacktest runs `newsdigest backtest` with the shipped
// config.yaml on the development set, as a user would in CI, with floors a
// little under the scores it had when it was tuned (docs/WATCHLISTS.md):
// a config change that loses more fails here. Floors only: a better
// watchlist always passes.
func TestShippedWatchlistBacktest(t *testing.T) {
	dir := "../../testdata/watchlists/"
	parts := []struct {
		name  string
		files []string
		micro [2]string // precision, recall
		topic [2]string // every topic
	}{
		// The tuning data of the shipped config (round 15): all 2,640 items
		// (0.919 / 0.916; the weakest topic figures cartels' precision 0.882
		// and recall 0.879). Each of the held-out sets C–M was scored once by
		// the config of its round before it joined the tuning data
		// (docs/WATCHLISTS.md).
		{"tuning", []string{dir + "tune.jsonl", dir + "holdout-a.jsonl", dir + "holdout-b.jsonl", dir + "holdout-c.jsonl",
			dir + "holdout-d.jsonl", dir + "holdout-e.jsonl", dir + "holdout-f.jsonl", dir + "holdout-g.jsonl", dir + "holdout-h.jsonl",
			dir + "holdout-i.jsonl", dir + "holdout-j.jsonl", dir + "holdout-k.jsonl", dir + "holdout-l.jsonl", dir + "holdout-m.jsonl"},
			[2]string{"0.91", "0.91"}, [2]string{"0.87", "0.87"}},
		// Set N: collected and labelled blind, scored once by the round-15
		// config (docs/WATCHLISTS.md: 0.838 / 0.814). Its one new false
		// alarm, US troops on Poland's border, was then read and fixed, so N
		// is no longer blind: the shipped config scores 0.847 / 0.814, the
		// weakest topic figures cartels' precision 0.763 and troops' recall
		// 0.739. Floors a little under that.
		{"N", []string{dir + "holdout-n.jsonl"}, [2]string{"0.82", "0.79"}, [2]string{"0.74", "0.72"}},
	}
	for _, p := range parts {
		// The terms alone: the shipped learned model was trained on every
		// one of these items (TestLearnedCrossValidation measures it).
		args := []string{"backtest", "-config", "../../config.yaml", "-q", "-terms-only",
			"-min-precision", p.micro[0], "-min-recall", p.micro[1]}
		for _, topic := range []string{"sovereignty", "cartels", "usmca", "troops"} {
			args = append(args, "-min-precision", topic+"="+p.topic[0], "-min-recall", topic+"="+p.topic[1])
		}
		code, out, errOut := runMain(t, "", nil, append(args, p.files...)...)
		if code != 0 {
			t.Errorf("%s: backtest exit %d: %s\n%s", p.name, code, errOut, out)
		} else if !strings.Contains(out, "floor recall    troops") {
			t.Errorf("%s: no floors in the output:\n%s", p.name, out)
		}
	}
}

// TestAnnotatorAgreement scores the second, blind labelling of 300 items
// of sets C–K (agreement-2.jsonl; README.md "Agreement") against their
// first labels, topic by topic, as if the second annotator were a
// watchlist: how far a careful reading of RULES.md reproduces the labels,
// the ceiling for any watchlist's score on them. Measured: precision 0.956,
// recall 0.995 (F1 0.975); 290 of 300 items given the same topics. Floors
// only, so a relabelling that agrees more always passes.
func TestAnnotatorAgreement(t *testing.T) {
	first := map[string][]string{}
	for _, part := range []string{"c", "d", "e", "f", "g", "h", "i", "j", "k"} {
		for _, it := range readDevSet(t, "holdout-"+part) {
			first[it.ID] = it.Topics
		}
	}
	second := readDevSet(t, "agreement-2")
	if len(second) != 300 {
		t.Fatalf("agreement-2.jsonl has %d items; want 300", len(second))
	}
	var tp, fp, fn, same int
	for _, it := range second {
		want, ok := first[it.ID]
		if !ok {
			t.Fatalf("agreement-2.jsonl: %s is in none of sets C–K", it.ID)
		}
		for _, topic := range it.Topics {
			if slices.Contains(want, topic) {
				tp++
			} else {
				fp++
			}
		}
		for _, topic := range want {
			if !slices.Contains(it.Topics, topic) {
				fn++
			}
		}
		if len(it.Topics) == len(want) && !slices.ContainsFunc(it.Topics, func(s string) bool { return !slices.Contains(want, s) }) {
			same++
		}
	}
	p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
	t.Logf("second annotator against the first: precision %.3f, recall %.3f (tp %d fp %d fn %d); %d of %d items the same", p, r, tp, fp, fn, same, len(second))
	if p < 0.94 || r < 0.98 || same < 285 {
		t.Errorf("agreement fell: precision %.3f, recall %.3f, %d the same; floors 0.94, 0.98, 285", p, r, same)
	}
}
