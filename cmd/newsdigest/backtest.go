package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
)

// backtestIn is one labelled JSON line of `newsdigest backtest`.
type backtestIn struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Summary string    `json:"summary"`
	Content string    `json:"content"`
	Topics  *[]string `json:"topics"` // required; [] means "no topic"
}

// floor is one -min-precision or -min-recall: a bar for one topic, or for
// all scored topics together ("micro").
type floor struct {
	metric string // "precision" or "recall"
	topic  string // a topic name or "micro"
	min    float64
}

// floorList is a repeatable [TOPIC=]VALUE flag.
type floorList struct {
	metric string
	list   *[]floor
}

func (f floorList) String() string { return "" }
func (f floorList) Set(v string) error {
	topic, num, ok := strings.Cut(v, "=")
	if !ok {
		topic, num = "micro", v
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || x < 0 || x > 1 {
		return fmt.Errorf("want [TOPIC=]VALUE with VALUE between 0 and 1, not %q", v)
	}
	*f.list = append(*f.list, floor{f.metric, strings.ToLower(strings.TrimSpace(topic)), x})
	return nil
}

func cmdBacktest(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlagSet(e, "backtest")
	asJSON := fs.Bool("json", false, "print JSON")
	quiet := fs.Bool("q", false, "print the scores only, not every false positive and negative (the changes against -baseline are still listed)")
	baseline := fs.String("baseline", "", "also score the config `FILE` (say, the watchlist before an edit) and list the items this config gets right that it got wrong (fixed) and the reverse (new)")
	termsOnly := fs.Bool("terms-only", false, "score the topics' terms alone, without the config's learned model")
	var topics stringList
	fs.Var(&topics, "topic", "score only this topic (repeatable)")
	var floors []floor
	fs.Var(floorList{"precision", &floors}, "min-precision", "fail (exit 1) when precision is below `[TOPIC=]P`; no TOPIC: all topics together (repeatable)")
	fs.Var(floorList{"recall", &floors}, "min-recall", "fail (exit 1) when recall is below `[TOPIC=]R`; no TOPIC: all topics together (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, m, err := loadMatcher(e, *cfgPath)
	if err != nil {
		return err
	}
	if *termsOnly {
		m.SetLearned(classify.Learned{}) // never fails without a model
	}
	selected, err := cfg.SelectTopics(topics)
	if err != nil {
		return usagef("backtest: %v", err)
	}
	var only []string
	for _, t := range selected {
		only = append(only, t.Name)
	}
	for _, f := range floors {
		if f.topic != "micro" && !slices.Contains(only, f.topic) {
			return usagef("backtest: -min-%s %s=…: no such topic among those scored (%s)", f.metric, f.topic, strings.Join(only, ", "))
		}
	}
	docs, err := readLabelled(ctx, e, "backtest", fs.Args())
	if err != nil {
		return err
	}
	res := m.Backtest(docs, only)
	for _, name := range res.Unknown {
		fmt.Fprintf(e.stderr, "newsdigest: backtest: warning: label %q is no topic of %s; not scored\n", name, *cfgPath)
	}
	var base *baselineRun
	if *baseline != "" {
		_, bm, err := loadMatcher(e, *baseline)
		if err != nil {
			return fmt.Errorf("backtest: -baseline: %w", err)
		}
		if *termsOnly {
			bm.SetLearned(classify.Learned{})
		}
		b := bm.Backtest(docs, only)
		base = &baselineRun{path: *baseline, res: b, changes: classify.Compare(b, res)}
	}
	checks := checkFloors(res, floors)
	if *asJSON {
		err = writeBacktestJSON(e.stdout, res, checks, base, *quiet)
	} else {
		err = writeBacktestText(e.stdout, res, checks, base, *quiet)
	}
	if err != nil {
		return fmt.Errorf("backtest: write: %w", err)
	}
	failed := 0
	for _, c := range checks {
		if !c.OK {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("backtest: %d of %d floors not met", failed, len(checks))
	}
	return nil
}

// readLabelled reads labelled JSON lines from the named files, or stdin when
// there are none ("-" is stdin too). Every bad line is reported with its
// file and line; any bad line is a usage error, since scores over part of
// the data would mislead.
func readLabelled(ctx context.Context, e *env, cmd string, paths []string) ([]classify.LabelledDoc, error) {
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	var docs []classify.LabelledDoc
	bad := 0
	ids := map[string]string{}
	err := eachLine(ctx, e, cmd, paths, func(name string, line int, raw string) error {
		var in backtestIn
		where := fmt.Sprintf("%s:%d", name, line)
		switch err := json.Unmarshal([]byte(raw), &in); {
		case err != nil:
			bad++
			fmt.Fprintf(e.stderr, "newsdigest: %s: %s: invalid JSON: %v\n", cmd, where, err)
			return nil
		case in.Topics == nil:
			bad++
			fmt.Fprintf(e.stderr, "newsdigest: %s: %s: no \"topics\" (write [] for an item on no topic)\n", cmd, where)
			return nil
		}
		if in.ID == "" {
			in.ID = where
		}
		if first, dup := ids[in.ID]; dup {
			fmt.Fprintf(e.stderr, "newsdigest: %s: warning: %s: id %q also at %s\n", cmd, where, in.ID, first)
		} else {
			ids[in.ID] = where
		}
		docs = append(docs, classify.LabelledDoc{
			ID:     in.ID,
			Doc:    classify.Doc{Title: in.Title, Summary: in.Summary, Content: in.Content},
			Topics: *in.Topics,
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if bad > 0 {
		return nil, usagef("%s: %d bad lines; nothing read", cmd, bad)
	}
	if len(docs) == 0 {
		return nil, usagef("%s: no labelled items in %s", cmd, strings.Join(paths, ", "))
	}
	return docs, nil
}

// floorCheck is one floor and how the backtest measured against it.
type floorCheck struct {
	Topic  string   `json:"topic"`
	Metric string   `json:"metric"`
	Min    float64  `json:"min"`
	Value  *float64 `json:"value"` // null: undefined (nothing matched, or nothing labelled)
	OK     bool     `json:"ok"`
}

// checkFloors measures res against every floor. An undefined value passes:
// a topic that matched nothing has no false alarms, one with no labelled
// items misses none.
func checkFloors(res classify.BacktestResult, floors []floor) []floorCheck {
	var out []floorCheck
	for _, f := range floors {
		s := res.Micro
		for _, tr := range res.Topics {
			if tr.Name == f.topic {
				s = tr.Score
			}
		}
		get := s.Recall
		if f.metric == "precision" {
			get = s.Precision
		}
		c := floorCheck{Topic: f.topic, Metric: f.metric, Min: f.min, OK: true}
		if v, ok := get(); ok {
			c.Value, c.OK = &v, v >= f.min
		}
		out = append(out, c)
	}
	return out
}

func fmtRatio(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func writeBacktestText(out io.Writer, res classify.BacktestResult, checks []floorCheck, base *baselineRun, quiet bool) error {
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "%d items\n\n", res.Docs)
	fmt.Fprintf(w, "%-14s %8s %8s %5s %5s %5s %9s %7s %7s\n", "topic", "labelled", "matched", "TP", "FP", "FN", "precision", "recall", "F1")
	row := func(name string, s classify.Score) {
		fmt.Fprintf(w, "%-14s %8d %8d %5d %5d %5d %9s %7s %7s\n", name, s.TP+s.FN, s.TP+s.FP, s.TP, s.FP, s.FN,
			fmtRatio(s.Precision()), fmtRatio(s.Recall()), fmtRatio(s.F1()))
	}
	for _, tr := range res.Topics {
		row(tr.Name, tr.Score)
	}
	row("micro", res.Micro)
	if len(checks) > 0 {
		fmt.Fprintln(w)
		for _, c := range checks {
			verdict, got := "ok", "-"
			if !c.OK {
				verdict = "NOT MET"
			}
			if c.Value != nil {
				got = strconv.FormatFloat(*c.Value, 'f', 3, 64)
			}
			fmt.Fprintf(w, "floor %-9s %-14s >= %.3f: %-5s %s\n", c.Metric, c.Topic, c.Min, got, verdict)
		}
	}
	if base != nil {
		writeBaselineText(w, res, base)
	}
	if !quiet {
		for _, tr := range res.Topics {
			if len(tr.FalsePositives)+len(tr.FalseNegatives) == 0 {
				continue
			}
			fmt.Fprintf(w, "\n%s: %d false positives, %d false negatives\n", tr.Name, len(tr.FalsePositives), len(tr.FalseNegatives))
			for _, kind := range []struct {
				tag    string
				misses []classify.Miss
			}{{"FP", tr.FalsePositives}, {"FN", tr.FalseNegatives}} {
				for _, ms := range kind.misses {
					fmt.Fprintf(w, "  %s %s  %q\n", kind.tag, ms.ID, clip(ms.Doc.Title))
					if ms.Doc.Summary != "" {
						fmt.Fprintf(w, "        %q\n", clip(ms.Doc.Summary))
					}
					fmt.Fprintf(w, "        score %d (min %d)\n", ms.Explanation.Score, ms.Explanation.MinScore)
					for _, line := range ms.Explanation.Why() {
						fmt.Fprintln(w, "        "+line)
					}
				}
			}
		}
	}
	return w.Flush()
}

// clip shortens a title or summary for a one-line listing.
func clip(s string) string {
	return newsdigest.Truncate(strings.Join(strings.Fields(s), " "), 160, func(rune) int { return 1 })
}

type backtestMissJSON struct {
	ID          string               `json:"id"`
	Title       string               `json:"title"`
	Summary     string               `json:"summary"`
	Explanation classify.Explanation `json:"explanation"`
}

type backtestScoreJSON struct {
	Name      string   `json:"name"`
	Labelled  int      `json:"labelled"`
	Matched   int      `json:"matched"`
	TP        int      `json:"tp"`
	FP        int      `json:"fp"`
	FN        int      `json:"fn"`
	Precision *float64 `json:"precision"` // null when nothing matched
	Recall    *float64 `json:"recall"`    // null when nothing is labelled
	F1        *float64 `json:"f1"`

	FalsePositives []backtestMissJSON `json:"false_positives,omitempty"`
	FalseNegatives []backtestMissJSON `json:"false_negatives,omitempty"`
}

func scoreJSON(name string, s classify.Score) backtestScoreJSON {
	opt := func(v float64, ok bool) *float64 {
		if !ok {
			return nil
		}
		return &v
	}
	return backtestScoreJSON{Name: name, Labelled: s.TP + s.FN, Matched: s.TP + s.FP, TP: s.TP, FP: s.FP, FN: s.FN,
		Precision: opt(s.Precision()), Recall: opt(s.Recall()), F1: opt(s.F1())}
}

func missesJSON(ms []classify.Miss) []backtestMissJSON {
	out := make([]backtestMissJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, backtestMissJSON{m.ID, m.Doc.Title, m.Doc.Summary, m.Explanation})
	}
	return out
}

func writeBacktestJSON(w io.Writer, res classify.BacktestResult, checks []floorCheck, base *baselineRun, quiet bool) error {
	out := struct {
		Items   int                 `json:"items"`
		Topics  []backtestScoreJSON `json:"topics"`
		Micro   backtestScoreJSON   `json:"micro"`
		Floors  []floorCheck        `json:"floors"`
		OK      bool                `json:"ok"` // every floor met
		Unknown []string            `json:"unknown_labels"`
		// Baseline is -baseline's config scored on the same items, and
		// what changed from it; absent without -baseline.
		Baseline *baselineJSON `json:"baseline,omitempty"`
	}{Items: res.Docs, Micro: scoreJSON("micro", res.Micro), Floors: checks, OK: true, Unknown: res.Unknown}
	if base != nil {
		out.Baseline = base.json()
	}
	for _, tr := range res.Topics {
		s := scoreJSON(tr.Name, tr.Score)
		if !quiet {
			s.FalsePositives, s.FalseNegatives = missesJSON(tr.FalsePositives), missesJSON(tr.FalseNegatives)
		}
		out.Topics = append(out.Topics, s)
	}
	for _, c := range checks {
		out.OK = out.OK && c.OK
	}
	if out.Floors == nil {
		out.Floors = []floorCheck{}
	}
	if out.Unknown == nil {
		out.Unknown = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// baselineRun is -baseline's config scored on the same items, and what
// changed from it.
type baselineRun struct {
	path    string
	res     classify.BacktestResult
	changes []classify.Change
}

// count returns how many changes are fixes and how many new errors.
func (b *baselineRun) count() (fixed, added int) {
	for _, c := range b.changes {
		if c.Fixed {
			fixed++
		} else {
			added++
		}
	}
	return fixed, added
}

// writeBaselineText writes the comparison with -baseline: the counts, the
// micro figures before and after, and each changed item; a new error comes
// with the explanation of why it is one now.
func writeBaselineText(w io.Writer, res classify.BacktestResult, base *baselineRun) {
	fixed, added := base.count()
	p0, okP0 := base.res.Micro.Precision()
	r0, okR0 := base.res.Micro.Recall()
	p1, okP1 := res.Micro.Precision()
	r1, okR1 := res.Micro.Recall()
	fmt.Fprintf(w, "\nagainst %s: %d fixed, %d new; micro precision %s -> %s, recall %s -> %s\n", base.path, fixed, added,
		fmtRatio(p0, okP0), fmtRatio(p1, okP1), fmtRatio(r0, okR0), fmtRatio(r1, okR1))
	width := 0
	for _, c := range base.changes {
		width = max(width, len(c.Topic))
	}
	for _, c := range base.changes {
		verdict := "new  "
		if c.Fixed {
			verdict = "fixed"
		}
		fmt.Fprintf(w, "  %s %-*s %s %s  %q\n", verdict, width, c.Topic, changeKind(c), c.Miss.ID, clip(c.Miss.Doc.Title))
		if !c.Fixed {
			for _, line := range c.Miss.Explanation.Why() {
				fmt.Fprintln(w, "        "+line)
			}
		}
	}
}

// changeKind is "FP" for a change in false positives, else "FN".
func changeKind(c classify.Change) string {
	if c.FP {
		return "FP"
	}
	return "FN"
}

type changeJSON struct {
	Topic       string               `json:"topic"`
	Kind        string               `json:"kind"` // "FP" or "FN"
	ID          string               `json:"id"`
	Title       string               `json:"title"`
	Summary     string               `json:"summary"`
	Explanation classify.Explanation `json:"explanation"` // the baseline's for a fixed item, this config's for a new one
}

type baselineJSON struct {
	Config string              `json:"config"`
	Topics []backtestScoreJSON `json:"topics"`
	Micro  backtestScoreJSON   `json:"micro"`
	Fixed  []changeJSON        `json:"fixed"`
	New    []changeJSON        `json:"new"`
}

func (b *baselineRun) json() *baselineJSON {
	out := &baselineJSON{Config: b.path, Micro: scoreJSON("micro", b.res.Micro), Fixed: []changeJSON{}, New: []changeJSON{}}
	for _, tr := range b.res.Topics {
		out.Topics = append(out.Topics, scoreJSON(tr.Name, tr.Score))
	}
	for _, c := range b.changes {
		j := changeJSON{c.Topic, changeKind(c), c.Miss.ID, c.Miss.Doc.Title, c.Miss.Doc.Summary, c.Miss.Explanation}
		if c.Fixed {
			out.Fixed = append(out.Fixed, j)
		} else {
			out.New = append(out.New, j)
		}
	}
	return out
}
