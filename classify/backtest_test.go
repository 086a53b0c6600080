package classify

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/newsdigest/newsdigest"
)

func TestBacktest(t *testing.T) {
	m, err := Compile([]newsdigest.Topic{
		{Name: "cartels", Terms: []string{"cartel*"}, Exclude: []string{"OPEC"}},
		{Name: "usmca", Terms: []string{"USMCA", "tariff*"}, Require: [][]string{{"mexic*", "USMCA"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	docs := []LabelledDoc{
		{"1", Doc{Title: "Sinaloa cartel leader arrested"}, []string{"cartels"}},              // TP
		{"2", Doc{Title: "OPEC cartel cuts output", Summary: "cartel"}, nil},                  // TN (excluded)
		{"3", Doc{Title: "Cartel de Santa on tour"}, []string{}},                              // FP
		{"4", Doc{Title: "Gulf Clan halts talks"}, []string{"cartels"}},                       // FN: no term
		{"5", Doc{Title: "USMCA review in July"}, []string{"usmca"}},                          // TP
		{"6", Doc{Title: "Tariffs on Mexican steel"}, []string{"usmca", "cartels", "troops"}}, // usmca TP, cartels FN; troops unknown
		{"7", Doc{Title: "Tariffs on Chinese steel"}, []string{"usmca"}},                      // FN: require
	}
	res := m.Backtest(docs, nil)
	if res.Docs != 7 || !reflect.DeepEqual(res.Unknown, []string{"troops"}) {
		t.Errorf("Docs %d, Unknown %q; want 7, [troops]", res.Docs, res.Unknown)
	}
	if len(res.Topics) != 2 {
		t.Fatalf("%d topics; want 2", len(res.Topics))
	}
	c, u := res.Topics[0], res.Topics[1]
	if c.Name != "cartels" || c.Score != (Score{TP: 1, FP: 1, FN: 2}) || u.Name != "usmca" || u.Score != (Score{TP: 2, FN: 1}) {
		t.Errorf("scores %s %+v, %s %+v; want cartels {1 1 2}, usmca {2 0 1}", c.Name, c.Score, u.Name, u.Score)
	}
	if res.Micro != (Score{TP: 3, FP: 1, FN: 3}) {
		t.Errorf("Micro = %+v; want {3 1 3}", res.Micro)
	}
	ids := func(ms []Miss) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	if got := ids(c.FalsePositives); !reflect.DeepEqual(got, []string{"3"}) {
		t.Errorf("cartels FP %q; want [3]", got)
	}
	if got := ids(c.FalseNegatives); !reflect.DeepEqual(got, []string{"4", "6"}) {
		t.Errorf("cartels FN %q; want [4 6]", got)
	}
	if got := u.FalseNegatives; len(got) != 1 || got[0].ID != "7" || !reflect.DeepEqual(got[0].Explanation.MissingRequire, [][]string{{"mexic*", "USMCA"}}) {
		t.Errorf("usmca FN %+v; want 7, missing its require group", got)
	}
	if e := c.FalsePositives[0].Explanation; len(e.Terms) != 1 || e.Terms[0].Text != "Cartel" {
		t.Errorf("FP explanation %+v; want the term that fired", e)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if p, ok := res.Micro.Precision(); !ok || !near(p, 0.75) {
		t.Errorf("micro precision %v %v; want 0.75", p, ok)
	}
	if r, ok := res.Micro.Recall(); !ok || !near(r, 0.5) {
		t.Errorf("micro recall %v %v; want 0.5", r, ok)
	}
	if f, ok := res.Micro.F1(); !ok || !near(f, 0.6) {
		t.Errorf("micro F1 %v %v; want 0.6", f, ok)
	}

	only := m.Backtest(docs, []string{"usmca"})
	if len(only.Topics) != 1 || only.Topics[0].Name != "usmca" || only.Micro != u.Score {
		t.Errorf("Backtest(only usmca) = %+v; want usmca alone", only)
	}
	if _, ok := (Score{FN: 2}).Precision(); ok {
		t.Error("precision with nothing matched is defined; want undefined")
	}
	if _, ok := (Score{FP: 2}).Recall(); ok {
		t.Error("recall with nothing labelled is defined; want undefined")
	}
	if f, ok := (Score{FP: 1, FN: 1}).F1(); !ok || f != 0 {
		t.Errorf("F1 of {0 1 1} = %v %v; want 0", f, ok)
	}
}

func TestCompare(t *testing.T) {
	misses := func(idx ...int) []Miss {
		var out []Miss
		for _, i := range idx {
			out = append(out, Miss{ID: fmt.Sprint("d", i), Index: i})
		}
		return out
	}
	base := BacktestResult{Topics: []TopicResult{
		{Name: "a", FalsePositives: misses(1, 3, 5), FalseNegatives: misses(2)},
		{Name: "gone", FalsePositives: misses(7)},
	}}
	cur := BacktestResult{Topics: []TopicResult{
		{Name: "new", FalseNegatives: misses(8)},
		{Name: "a", FalsePositives: misses(0, 3, 4), FalseNegatives: misses(2)},
	}}
	var got []string
	for _, c := range Compare(base, cur) {
		got = append(got, fmt.Sprintf("%s %v %v %s", c.Topic, c.FP, c.Fixed, c.Miss.ID))
	}
	// Topics only one side scored are left out; per kind, fixed first.
	want := []string{"a true true d1", "a true true d5", "a true false d0", "a true false d4"}
	if !slices.Equal(got, want) {
		t.Errorf("Compare = %q; want %q", got, want)
	}
	if c := Compare(cur, cur); len(c) != 0 {
		t.Errorf("Compare of a result with itself = %v; want nothing", c)
	}
}
