package classify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/newsdigest/newsdigest/learn"
)

// Explanation is how one topic fared against one document.
type Explanation struct {
	Name           string     `json:"name"`
	Matched        bool       `json:"matched"`
	Score          int        `json:"score"`
	MinScore       int        `json:"min_score"`       // the topic's min_score as the matcher applies it (at least 1)
	Terms          []TermHit  `json:"terms"`           // every matching term, with where
	Ignored        []TermHit  `json:"ignored"`         // title terms found only outside the title: not counted
	ExcludedBy     []string   `json:"excluded_by"`     // exclude terms that matched
	Unless         []string   `json:"unless"`          // unless terms that matched: ExcludedBy does not veto
	MissingRequire [][]string `json:"missing_require"` // require groups with no match
	// Learned is what the learned model said, when the matcher has one
	// that knows the topic.
	Learned *LearnedWhy `json:"learned,omitempty"`
}

// LearnedWhy is the learned model's part in a verdict.
type LearnedWhy struct {
	P      float64 `json:"p"`      // the probability it gave the topic
	Accept float64 `json:"accept"` // the settings it was compared with
	Veto   float64 `json:"veto"`
	// Effect: "added" (matched by the model, not the terms), "vetoed" (the
	// terms matched, the model dropped it) or "" (the terms decided).
	Effect string `json:"effect"`
	// Features are the features that moved P most, strongest first.
	Features []learn.Contribution `json:"features"`
}

// maxFeaturesShown is how many features an explanation lists.
const maxFeaturesShown = 6

// TermHit is one term of a topic that matched a document.
type TermHit struct {
	Term  string `json:"term"`  // as written in the config
	Field string `json:"field"` // "title", "summary" or "content": the first field it matched in
	Text  string `json:"text"`  // the original words it matched, e.g. "Cártel de Sinaloa"
}

// Explain reports every topic, matched or not, in config order: its score,
// the terms that matched with the field and words where each first matched
// (a title term only when in the title; elsewhere it is listed as ignored),
// the exclude and unless terms that matched and the require groups that did
// not.
// Matched and Score agree with Match.
func (m *Matcher) Explain(d Doc) []Explanation {
	s := m.scratch.Get().(*Scratch)
	defer m.scratch.Put(s)
	s.scan(m, d)
	out := make([]Explanation, len(m.topics))
	for t := range m.topics {
		ti, ts := &m.topics[t], &s.tState[t]
		ok, by, p := m.verdict(s, t)
		e := Explanation{
			Name:           ti.name,
			Matched:        ok,
			Score:          int(ts.score),
			MinScore:       int(ti.minScore),
			Terms:          []TermHit{},
			Ignored:        []TermHit{},
			ExcludedBy:     []string{},
			Unless:         []string{},
			MissingRequire: [][]string{},
		}
		for k, id := range ti.termPat {
			if s.hit[id] == 0 {
				continue
			}
			f := 0
			for s.hit[id]&(1<<f) == 0 {
				f++
			}
			first, last := s.words[s.firstWord[id]], s.words[s.lastWord[id]]
			text := strings.Join(strings.Fields(string(s.text[f][first.s0:last.s1])), " ")
			if h := (TermHit{Term: ti.terms[k], Field: fieldNames[f], Text: text}); k >= ti.nPlain && f != fieldTitle {
				e.Ignored = append(e.Ignored, h)
			} else {
				e.Terms = append(e.Terms, h)
			}
		}
		for k, id := range ti.exclPat {
			if s.hit[id] != 0 {
				e.ExcludedBy = append(e.ExcludedBy, ti.exclude[k])
			}
		}
		for k, id := range ti.unlPat {
			if s.hit[id] != 0 {
				e.Unless = append(e.Unless, ti.unless[k])
			}
		}
		for g, ids := range ti.reqPat {
			if !slices.ContainsFunc(ids, func(id int32) bool { return s.hit[id] != 0 }) {
				e.MissingRequire = append(e.MissingRequire, slices.Clone(ti.require[g]))
			}
		}
		if p >= 0 {
			e.Learned = &LearnedWhy{P: p, Accept: m.learned.Accept, Veto: m.learned.Veto, Effect: [...]string{"", "added", "vetoed"}[by]}
			_, e.Learned.Features, _ = m.learned.Model.Explain(ti.name, s.lwords, maxFeaturesShown)
		}
		out[t] = e
	}
	return out
}

// maxGroupShown is how many terms of a missing require group Why lists.
const maxGroupShown = 10

// Why says, one line each, what decided an explanation's verdict: every
// term that matched and where, or that none did; the exclude terms that
// matched (and the unless terms that lifted them); the require groups with
// no match (their first terms); and a score below MinScore.
// `newsdigest explain` and the slash command's explain print these lines.
func (x Explanation) Why() []string {
	var lines []string
	for _, h := range x.Terms {
		lines = append(lines, fmt.Sprintf("term %q in %s: %q", h.Term, h.Field, h.Text))
	}
	for _, h := range x.Ignored {
		lines = append(lines, fmt.Sprintf("title term %q only in %s: %q, not counted", h.Term, h.Field, h.Text))
	}
	if len(x.Terms) == 0 {
		lines = append(lines, "no term matched")
	}
	for _, t := range x.ExcludedBy {
		if len(x.Unless) > 0 {
			lines = append(lines, fmt.Sprintf("exclude %q lifted by unless %q", t, strings.Join(x.Unless, `", "`)))
		} else {
			lines = append(lines, fmt.Sprintf("excluded by %q", t))
		}
	}
	for _, g := range x.MissingRequire {
		more := ""
		if len(g) > maxGroupShown { // a gazetteer: its first terms say which group it is
			g, more = g[:maxGroupShown], fmt.Sprintf(", … %d more", len(g)-maxGroupShown)
		}
		lines = append(lines, fmt.Sprintf("missing require: none of [%s%s]", strings.Join(g, ", "), more))
	}
	terms := len(x.Terms) > 0 && (len(x.ExcludedBy) == 0 || len(x.Unless) > 0) && len(x.MissingRequire) == 0
	if terms && x.Score < x.MinScore {
		lines = append(lines, fmt.Sprintf("score %d is below min_score %d", x.Score, x.MinScore))
	}
	if l := x.Learned; l != nil {
		var fs []string
		for _, c := range l.Features {
			fs = append(fs, fmt.Sprintf("%q %+.2f", c.Feature, c.Weight))
		}
		why := ""
		switch l.Effect {
		case "added":
			why = fmt.Sprintf(" ≥ accept %.2f: matched by the model", l.Accept)
		case "vetoed":
			why = fmt.Sprintf(" < veto %.2f: the terms' match dropped", l.Veto)
		}
		lines = append(lines, fmt.Sprintf("learned model: %.2f%s (%s)", l.P, why, strings.Join(fs, ", ")))
	}
	return lines
}
