package classify

import (
	"fmt"
	"slices"

	"github.com/newsdigest/newsdigest/learn"
)

// Learned is a learned topic model (package learn) and how a Matcher
// combines it with the topics' terms: terms decide, except that the model
// adds a topic it is nearly sure of though no term matched (or a require
// group or min_score kept the terms from matching; never one an exclude
// term vetoed), and drops a term match it finds nearly impossible. The
// model reads the title and summary only.
type Learned struct {
	Model *learn.Model
	// Accept: a topic the model gives at least this probability matches
	// without its terms. Above 1: never.
	Accept float64
	// Veto: a term match the model gives less than this is dropped. 0: never.
	Veto float64
}

// Defaults of Learned, as docs/WATCHLISTS.md measured them.
const (
	DefaultAccept = 0.9
	DefaultVeto   = 0.01
)

// learnedState is what a Matcher keeps of its Learned.
type learnedState struct {
	Learned
	topic []int       // per topic of the matcher: its index in the model, -1 none
	all   []int32     // every topic of the matcher, in order
	label [101]string // "learned 0%" … "learned 100%": the Terms of a match the model made
}

// SetLearned makes m combine its terms with l. Call it before m is used.
// Topics the model does not know are matched by their terms alone; a model
// that knows none of m's topics is an error (a renamed topic, or the wrong
// file).
func (m *Matcher) SetLearned(l Learned) error {
	if l.Model == nil {
		m.learned = nil
		return nil
	}
	st := &learnedState{Learned: l, topic: make([]int, len(m.topics))}
	mt := l.Model.Topics()
	known := 0
	for t, ti := range m.topics {
		st.topic[t] = slices.Index(mt, ti.name)
		if st.topic[t] >= 0 {
			known++
		}
		st.all = append(st.all, int32(t))
	}
	if known == 0 {
		return fmt.Errorf("classify: the learned model scores none of the topics (it knows %q)", mt)
	}
	for p := range st.label {
		st.label[p] = fmt.Sprintf("learned %d%%", p)
	}
	m.learned = st
	return nil
}

// LearnedTopics returns the matcher's topics its learned model scores, in
// config order, and those it does not (matched by their terms alone). Both
// are nil without a model.
func (m *Matcher) LearnedTopics() (known, unknown []string) {
	if m.learned == nil {
		return nil, nil
	}
	for t, ti := range m.topics {
		if m.learned.topic[t] >= 0 {
			known = append(known, ti.name)
		} else {
			unknown = append(unknown, ti.name)
		}
	}
	return known, unknown
}

// learnedScore sets s.probs to the model's probabilities for the scanned
// document (title and summary words).
func (m *Matcher) learnedScore(s *Scratch) {
	for f := range learn.NumFields {
		from := 0
		if f > 0 {
			from = s.fieldEnd[f-1]
		}
		ws := s.lwords[f][:0]
		for i := from; i < s.fieldEnd[f]; i++ {
			ws = append(ws, s.wordBytes(i))
		}
		s.lwords[f] = ws
	}
	s.probs = m.learned.Model.Score(s.probs[:0], &s.lscratch, s.lwords)
}

// Verdicts of a topic.
const (
	byTerms = iota // the terms decided alone (or no model)
	byModel        // the model added it: no term match, probability ≥ Accept
	vetoed         // the model dropped a term match: probability < Veto
)

// verdict says whether topic t matches the scanned document, and what
// decided it, with the model's probability (-1: no model for the topic).
func (m *Matcher) verdict(s *Scratch, t int) (ok bool, by int, p float64) {
	ok = m.matched(t, &s.tState[t])
	if m.learned == nil || m.learned.topic[t] < 0 {
		return ok, byTerms, -1
	}
	p = s.probs[m.learned.topic[t]]
	switch {
	case ok && p < m.learned.Veto:
		return false, vetoed, p
	case !ok && p >= m.learned.Accept && !(s.tState[t].excluded && !s.tState[t].unless):
		// An exclude term is the user's word that the item is not the
		// topic ("Cartel de Santa" is a band): the model does not
		// overrule it.
		return true, byModel, p
	}
	return ok, byTerms, p
}

// percent is p as the whole percent a label shows, rounded down.
func percent(p float64) int { return max(0, min(100, int(p*100))) }

// LearnWords returns the words of d's title and summary as the matcher reads
// them (HTML dropped, folded, split): what a learned model is trained on.
func LearnWords(d Doc) [learn.NumFields][]string {
	var out [learn.NumFields][]string
	var text, folded []byte
	var words []word
	for f, src := range [learn.NumFields]string{d.Title, d.Summary} {
		text = appendClean(text[:0], src)
		folded, words = appendWords(folded[:0], words[:0], text)
		for _, w := range words {
			out[f] = append(out[f], string(folded[w.f0:w.f1]))
		}
	}
	return out
}
