package classify

import "slices"

// LabelledDoc is a document with the topics a person assigned to it: the
// answer a watchlist is measured against.
type LabelledDoc struct {
	ID     string
	Doc    Doc
	Topics []string
}

// Score counts how one topic (or all topics together) did on labelled
// documents.
type Score struct {
	TP int `json:"tp"` // matched and labelled
	FP int `json:"fp"` // matched, not labelled
	FN int `json:"fn"` // labelled, not matched
}

func (s *Score) Add(o Score) { s.TP, s.FP, s.FN = s.TP+o.TP, s.FP+o.FP, s.FN+o.FN }

// Precision is TP / (TP + FP); ok is false when nothing matched.
func (s Score) Precision() (p float64, ok bool) { return ratio(s.TP, s.TP+s.FP) }

// Recall is TP / (TP + FN); ok is false when nothing is labelled.
func (s Score) Recall() (r float64, ok bool) { return ratio(s.TP, s.TP+s.FN) }

// F1 is the harmonic mean of precision and recall; ok is false when either
// is undefined.
func (s Score) F1() (f float64, ok bool) {
	p, okP := s.Precision()
	r, okR := s.Recall()
	if !okP || !okR {
		return 0, false
	}
	if p+r == 0 {
		return 0, true
	}
	return 2 * p * r / (p + r), true
}

func ratio(a, b int) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return float64(a) / float64(b), true
}

// Miss is a document a topic got wrong, with the topic's explanation of it:
// the terms that fired, the exclude terms that vetoed, the require groups
// that failed.
type Miss struct {
	ID          string
	Index       int // the document's position in Backtest's docs
	Doc         Doc
	Explanation Explanation
}

// TopicResult is one topic's score and the documents it got wrong, in input
// order.
type TopicResult struct {
	Name           string
	Score          Score
	FalsePositives []Miss
	FalseNegatives []Miss
}

// BacktestResult is how a matcher's topics did on labelled documents.
type BacktestResult struct {
	Docs   int
	Topics []TopicResult // in config order
	Micro  Score         // the sum over Topics
	// Unknown lists label names that are none of the matcher's topics, in
	// order of first use; they are not scored.
	Unknown []string
}

// Backtest matches every document and compares the result with its labels,
// per topic. Only the topics named in only are scored (nil: all); a name
// that is no topic of m is ignored.
func (m *Matcher) Backtest(docs []LabelledDoc, only []string) BacktestResult {
	res := BacktestResult{Docs: len(docs)}
	scored := make([]bool, len(m.topics))
	index := map[string]int{}
	for i, t := range m.topics {
		index[t.name] = i
		scored[i] = only == nil || slices.Contains(only, t.name)
		res.Topics = append(res.Topics, TopicResult{Name: t.name})
	}
	for k, d := range docs {
		labelled := make([]bool, len(m.topics))
		for _, name := range d.Topics {
			if i, ok := index[name]; ok {
				labelled[i] = true
			} else if !slices.Contains(res.Unknown, name) {
				res.Unknown = append(res.Unknown, name)
			}
		}
		for i, e := range m.Explain(d.Doc) {
			tr := &res.Topics[i]
			switch {
			case e.Matched && labelled[i]:
				tr.Score.TP++
			case e.Matched:
				tr.Score.FP++
				tr.FalsePositives = append(tr.FalsePositives, Miss{d.ID, k, d.Doc, e})
			case labelled[i]:
				tr.Score.FN++
				tr.FalseNegatives = append(tr.FalseNegatives, Miss{d.ID, k, d.Doc, e})
			}
		}
	}
	out := res.Topics[:0]
	for i, tr := range res.Topics {
		if scored[i] {
			out = append(out, tr)
			res.Micro.Add(tr.Score)
		}
	}
	res.Topics = out
	return res
}

// Change is a document that one of two backtests of the same documents got
// wrong for a topic and the other did not.
type Change struct {
	Topic string
	FP    bool // a false positive (else a false negative)
	Fixed bool // wrong in the baseline and right now (else new: right in the baseline, wrong now)
	// Miss is how the backtest that got the document wrong explains it:
	// the baseline's for a fixed one, the current one's for a new one.
	Miss Miss
}

// Compare lists what changed from base to cur, two backtests of the same
// documents (say, a watchlist before and after an edit): per topic, in
// cur's order, the false positives and then the false negatives, each
// fixed ones first, in document order. Topics that only one of them scored
// are left out.
func Compare(base, cur BacktestResult) []Change {
	var out []Change
	for _, ct := range cur.Topics {
		i := slices.IndexFunc(base.Topics, func(t TopicResult) bool { return t.Name == ct.Name })
		if i < 0 {
			continue
		}
		bt := base.Topics[i]
		for _, kind := range []struct {
			fp        bool
			base, cur []Miss
		}{{true, bt.FalsePositives, ct.FalsePositives}, {false, bt.FalseNegatives, ct.FalseNegatives}} {
			for _, m := range onlyIn(kind.base, kind.cur) {
				out = append(out, Change{ct.Name, kind.fp, true, m})
			}
			for _, m := range onlyIn(kind.cur, kind.base) {
				out = append(out, Change{ct.Name, kind.fp, false, m})
			}
		}
	}
	return out
}

// onlyIn returns the misses of a whose document is not among b's; both are
// in document order.
func onlyIn(a, b []Miss) []Miss {
	var out []Miss
	j := 0
	for _, m := range a {
		for j < len(b) && b[j].Index < m.Index {
			j++
		}
		if j == len(b) || b[j].Index != m.Index {
			out = append(out, m)
		}
	}
	return out
}
