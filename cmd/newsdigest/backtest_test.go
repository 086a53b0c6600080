package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// labelledLines against topicsYAML: cartels TP a, FP c, FN d (b is vetoed
// by its exclude term: a true negative); usmca TP e, FN f.
const labelledLines = `{"id":"a","title":"Cártel de Sinaloa en México","topics":["cartels"]}
{"id":"b","title":"Concierto de Cartel de Santa en México","topics":[]}
{"id":"c","title":"Narcos of Ecuador, a Mexico look-alike","summary":"","topics":[]}
{"id":"d","title":"Gulf Clan halts talks","topics":["cartels"]}
{"id":"e","title":"USMCA review opens","topics":["usmca"]}
{"id":"f","title":"Tariffs on Mexican steel","topics":["usmca"]}
`

func writeLabelled(t *testing.T, body string) string {
	t.Helper()
	return writeTemp(t, "labelled.jsonl", body)
}

func TestBacktestText(t *testing.T) {
	cfg := writeConfig(t, topicsYAML)
	data := writeLabelled(t, labelledLines)
	code, out, errOut := runMain(t, "", nil, "backtest", "-config", cfg, data)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"6 items",
		"cartels               2        2     1     1     1     0.500   0.500   0.500",
		"usmca                 2        1     1     0     1     1.000   0.500   0.667",
		"micro                 4        3     2     1     2     0.667   0.500   0.571",
		"cartels: 1 false positives, 1 false negatives",
		`FP c  "Narcos of Ecuador, a Mexico look-alike"`,
		`term "narco*" in title: "Narcos"`,
		`FN d  "Gulf Clan halts talks"`,
		"no term matched",
		`FN f  "Tariffs on Mexican steel"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The true negative vetoed by an exclude term is no miss.
	if strings.Contains(out, "Cartel de Santa") {
		t.Errorf("output lists a correct rejection:\n%s", out)
	}

	code, out, _ = runMain(t, labelledLines, nil, "backtest", "-config", cfg, "-q", "-topic", "usmca")
	if code != 0 || strings.Contains(out, "cartels") || strings.Contains(out, "FN f") || !strings.Contains(out, "usmca") {
		t.Errorf("backtest -q -topic usmca from stdin = %d:\n%s", code, out)
	}
}

func TestBacktestFloors(t *testing.T) {
	cfg := writeConfig(t, topicsYAML)
	data := writeLabelled(t, labelledLines)
	tests := []struct {
		args []string
		code int
		out  string // in stdout, or stderr for usage errors
	}{
		{[]string{"-min-precision", "0.6", "-min-recall", "0.5"}, 0, "floor precision micro          >= 0.600: 0.667 ok"},
		{[]string{"-min-precision", "usmca=1", "-min-recall", "cartels=0.5"}, 0, "floor recall    cartels        >= 0.500: 0.500 ok"},
		{[]string{"-min-recall", "0.6"}, 1, "floor recall    micro          >= 0.600: 0.500 NOT MET"},
		{[]string{"-min-precision", "cartels=0.9", "-min-precision", "0.1"}, 1, "NOT MET"},
		{[]string{"-min-recall", "1.5"}, 2, "between 0 and 1"},
		{[]string{"-min-recall", "troops=0.5"}, 2, "no such topic"},
		{[]string{"-topic", "usmca", "-min-recall", "cartels=0.5"}, 2, "no such topic"},
		{[]string{"-topic", "nope"}, 2, "nope"},
	}
	for _, tt := range tests {
		args := append([]string{"backtest", "-config", cfg, "-q"}, tt.args...)
		code, out, errOut := runMain(t, "", nil, append(args, data)...)
		if code != tt.code || !strings.Contains(out+errOut, tt.out) {
			t.Errorf("backtest %q = %d, want %d with %q:\n%s%s", tt.args, code, tt.code, tt.out, out, errOut)
		}
		if code == 1 && !strings.Contains(errOut, "floors not met") {
			t.Errorf("backtest %q: stderr does not say floors were not met: %s", tt.args, errOut)
		}
	}
}

func TestBacktestJSON(t *testing.T) {
	cfg := writeConfig(t, topicsYAML)
	data := writeLabelled(t, labelledLines+`{"id":"g","title":"x","topics":["troops"]}`+"\n")
	code, out, errOut := runMain(t, "", nil, "backtest", "-config", cfg, "-json", "-min-recall", "usmca=0.9", data)
	if code != 1 {
		t.Errorf("exit %d; want 1 (usmca recall 0.5 < 0.9): %s", code, errOut)
	}
	if !strings.Contains(errOut, `label "troops" is no topic`) {
		t.Errorf("stderr does not warn about the unknown label: %s", errOut)
	}
	var res struct {
		Items  int `json:"items"`
		Topics []struct {
			Name           string   `json:"name"`
			Precision      *float64 `json:"precision"`
			Recall         *float64 `json:"recall"`
			FalseNegatives []struct {
				ID          string `json:"id"`
				Explanation struct {
					MissingRequire [][]string `json:"missing_require"`
					Terms          []struct{ Term string }
				} `json:"explanation"`
			} `json:"false_negatives"`
		} `json:"topics"`
		Micro  struct{ TP, FP, FN int } `json:"micro"`
		Floors []struct {
			Topic, Metric string
			Min           float64
			Value         *float64
			OK            bool
		} `json:"floors"`
		OK      bool     `json:"ok"`
		Unknown []string `json:"unknown_labels"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("backtest -json: %v\n%s", err, out)
	}
	if res.Items != 7 || len(res.Topics) != 2 || res.OK || len(res.Floors) != 1 || res.Floors[0].OK ||
		res.Floors[0].Value == nil || *res.Floors[0].Value != 0.5 || len(res.Unknown) != 1 {
		t.Errorf("backtest -json = %+v", res)
	}
	if res.Micro.TP != 2 || res.Micro.FP != 1 || res.Micro.FN != 2 {
		t.Errorf("micro = %+v; want TP 2, FP 1, FN 2", res.Micro)
	}
	c, u := res.Topics[0], res.Topics[1]
	if c.Name != "cartels" || len(c.FalseNegatives) != 1 || c.FalseNegatives[0].ID != "d" ||
		len(c.FalseNegatives[0].Explanation.MissingRequire) != 1 {
		t.Errorf("cartels = %+v; want d as false negative, with its missing require group", c)
	}
	if u.Name != "usmca" || *u.Precision != 1 || *u.Recall != 0.5 || len(u.FalseNegatives) != 1 || u.FalseNegatives[0].ID != "f" {
		t.Errorf("usmca = %+v; want precision 1, recall 0.5, f as false negative", u)
	}
}

func TestBacktestBadInput(t *testing.T) {
	cfg := writeConfig(t, topicsYAML)
	data := writeLabelled(t, `{"id":"a","title":"Cártel","topics":["cartels"]}
{"id":"b","title":"no labels"}
not json
{"id":"a","title":"again","topics":[]}
`)
	code, out, errOut := runMain(t, "", nil, "backtest", "-config", cfg, data)
	if code != 2 || out != "" {
		t.Errorf("exit %d, stdout %q; want 2 and nothing scored", code, out)
	}
	for _, want := range []string{"labelled.jsonl:2: no \"topics\"", "labelled.jsonl:3: invalid JSON", `id "a" also at`, "2 bad lines"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, errOut := runMain(t, "", nil, "backtest", "-config", cfg, filepath.Join(t.TempDir(), "missing.jsonl")); code != 2 || !strings.Contains(errOut, "missing.jsonl") {
		t.Errorf("missing file: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runMain(t, "\n", nil, "backtest", "-config", cfg); code != 2 || !strings.Contains(errOut, "no labelled items") {
		t.Errorf("empty input: exit %d: %s", code, errOut)
	}
}

// TestBacktestBaseline scores an edited watchlist against the one before
// it: dropping narco* fixes cartels' false positive c, adding tariff* fixes
// usmca's false negative f, and adding "Sinaloa" makes a a new usmca false
// positive.
func TestBacktestBaseline(t *testing.T) {
	before := writeConfig(t, topicsYAML)
	after := writeConfig(t, strings.NewReplacer(
		"terms: [cartel*, narco*, fentanyl", "terms: [cartel*, fentanyl",
		"terms: [USMCA, T-MEC]", "terms: [USMCA, T-MEC, tariff*, Sinaloa]").Replace(topicsYAML))
	data := writeLabelled(t, labelledLines)
	code, out, errOut := runMain(t, "", nil, "backtest", "-config", after, "-baseline", before, "-q", data)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"micro                 4        4     3     1     1     0.750   0.750   0.750",
		"2 fixed, 1 new; micro precision 0.667 -> 0.750, recall 0.500 -> 0.750",
		`fixed cartels FP c  "Narcos of Ecuador, a Mexico look-alike"`,
		`new   usmca   FP a  "Cártel de Sinaloa en México"`,
		`term "Sinaloa" in title: "Sinaloa"`,
		`fixed usmca   FN f  "Tariffs on Mexican steel"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// -q still lists the changes, but not every miss of this config.
	if strings.Contains(out, "FN d") {
		t.Errorf("-q lists an unchanged miss:\n%s", out)
	}

	code, out, errOut = runMain(t, "", nil, "backtest", "-config", after, "-baseline", before, "-json", data)
	if code != 0 {
		t.Fatalf("-json: exit %d: %s", code, errOut)
	}
	var res struct {
		Baseline struct {
			Config string
			Micro  struct{ TP, FP, FN int }
			Fixed  []struct{ Topic, Kind, ID string }
			New    []struct {
				Topic, Kind, ID string
				Explanation     struct{ Terms []struct{ Term string } }
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("backtest -json: %v\n%s", err, out)
	}
	b := res.Baseline
	if b.Config != before || b.Micro.TP != 2 || b.Micro.FP != 1 || b.Micro.FN != 2 ||
		len(b.Fixed) != 2 || b.Fixed[0].ID != "c" || b.Fixed[1].ID != "f" || b.Fixed[1].Kind != "FN" ||
		len(b.New) != 1 || b.New[0].ID != "a" || b.New[0].Topic != "usmca" || len(b.New[0].Explanation.Terms) != 1 {
		t.Errorf("baseline = %+v", b)
	}

	// Without -baseline there is no "baseline" key; a bad baseline is a
	// usage error naming its file and line, and nothing is scored.
	if _, out, _ := runMain(t, "", nil, "backtest", "-config", after, "-json", data); strings.Contains(out, `"baseline"`) {
		t.Errorf("-json without -baseline has a baseline key:\n%s", out)
	}
	bad := writeConfig(t, "topics:\n  - name: x\n")
	if code, out, errOut := runMain(t, "", nil, "backtest", "-config", after, "-baseline", bad, data); code != 2 || out != "" || !strings.Contains(errOut, bad+":2:") {
		t.Errorf("bad baseline: exit %d: %s", code, errOut)
	}
}
