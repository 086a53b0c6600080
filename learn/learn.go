// Package learn owns the learned topic model: the features of an item's
// words, training a model on labelled items, scoring an item with it, and
// the model file.
//
// A keyword watchlist matches what its terms name; on news of a storyline
// it was not written for, it misses what an analyst would catch
// (docs/WATCHLISTS.md). A model learned from the same labelled items the
// watchlist is measured on — one logistic regression per topic over the
// words and word pairs of the headline and lede — catches some of those
// misses and doubts some false alarms. classify combines the two: the
// model adds an item it is nearly sure of, and drops a term match it
// finds almost impossible (classify.Learned).
//
// The package sees words only (folded, as classify splits them), so that
// the model reads an item exactly as the matcher does.
package learn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Fields are the two fields a model reads: the headline and the lede
// (summary). Content is not read: the labelled items have none, and a
// model must read what it was trained on.
const (
	Title = iota
	Summary
	NumFields
)

// Example is one labelled item: its words per field (folded, in order) and
// the topics it belongs to.
type Example struct {
	Words  [NumFields][]string
	Topics []string
}

// Model is one logistic regression per topic over an item's features. It
// is read-only once made, and safe for concurrent use.
type Model struct {
	topics []string
	bias   []float64
	keys   []uint64  // feature hashes
	names  []string  // the features as written (for the file and Explain), by key
	w      []float32 // w[i*len(topics)+t]: weight of keys[i] for topic t
	table  []int32   // open addressing over keys: i+1 for keys[i], 0 empty (find)
	// About is what the model was trained on, as the file says (free text).
	About string
}

// Topics returns the topics the model scores, in its order.
func (m *Model) Topics() []string { return slices.Clone(m.topics) }

// Options are the training settings. The zero value means the defaults,
// which docs/WATCHLISTS.md measured.
type Options struct {
	Epochs int     // passes over the examples (default 15)
	Rate   float64 // learning rate (default 0.2)
	L2     float64 // weight decay on the features an example has (default 1e-4)
	Prune  float64 // features whose every weight is smaller than this are dropped (default 0.1)
	// MinItems: features of fewer examples than this are not learned
	// (default 2: a word seen once says more about that item than about
	// its topic).
	MinItems int
}

func (o Options) withDefaults() Options {
	if o.Epochs <= 0 {
		o.Epochs = 15
	}
	if o.Rate <= 0 {
		o.Rate = 0.2
	}
	if o.L2 <= 0 {
		o.L2 = 1e-4
	}
	if o.Prune < 0 {
		o.Prune = 0
	} else if o.Prune == 0 {
		o.Prune = 0.1
	}
	if o.MinItems <= 0 {
		o.MinItems = 2
	}
	return o
}

// Train learns one model per topic from the examples by stochastic gradient
// descent on the logistic loss. The same examples, topics and options give
// the same model: examples are visited in a fixed pseudo-random order.
func Train(examples []Example, topics []string, opt Options) (*Model, error) {
	opt = opt.withDefaults()
	if len(topics) == 0 {
		return nil, fmt.Errorf("learn: no topics")
	}
	for i, t := range topics {
		if t == "" || slices.Contains(topics[:i], t) {
			return nil, fmt.Errorf("learn: topic %q empty or repeated", t)
		}
	}
	if len(examples) == 0 {
		return nil, fmt.Errorf("learn: no examples")
	}
	// Features of each example, counted, then as indexes into one table
	// of those in at least MinItems examples.
	count := map[string]int{}
	all := make([][]string, len(examples))
	for i, ex := range examples {
		all[i] = Features(nil, ex.Words)
		for _, f := range all[i] {
			count[f]++
		}
	}
	index := map[string]int32{}
	var names []string
	feats := make([][]int32, len(examples))
	for i, fs := range all {
		ids := make([]int32, 0, len(fs))
		for _, f := range fs {
			if count[f] < opt.MinItems {
				continue
			}
			id, ok := index[f]
			if !ok {
				id = int32(len(names))
				index[f] = id
				names = append(names, f)
			}
			ids = append(ids, id)
		}
		feats[i] = ids
	}
	nt := len(topics)
	w := make([]float64, len(names)*nt)
	bias := make([]float64, nt)
	order := make([]int, len(examples))
	for t, topic := range topics {
		y := make([]float64, len(examples))
		for i, ex := range examples {
			if slices.Contains(ex.Topics, topic) {
				y[i] = 1
			}
		}
		for i := range order {
			order[i] = i
		}
		rng := rand.New(rand.NewPCG(1, uint64(t)))
		for range opt.Epochs {
			rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
			for _, i := range order {
				z := bias[t]
				for _, f := range feats[i] {
					z += w[int(f)*nt+t]
				}
				g := sigmoid(z) - y[i]
				bias[t] -= opt.Rate * g
				for _, f := range feats[i] {
					k := int(f)*nt + t
					w[k] -= opt.Rate * (g + opt.L2*w[k])
				}
			}
		}
	}
	m := &Model{topics: slices.Clone(topics), bias: bias}
	type row struct {
		key  uint64
		name string
		w    []float64
	}
	rows := make([]row, 0, len(names))
	for id, name := range names {
		ws := w[id*nt : (id+1)*nt]
		if slices.ContainsFunc(ws, func(x float64) bool { return math.Abs(x) >= opt.Prune }) {
			rows = append(rows, row{hash(name), name, ws})
		}
	}
	for _, r := range rows {
		m.keys = append(m.keys, r.key)
		m.names = append(m.names, r.name)
		for _, x := range r.w {
			m.w = append(m.w, float32(x))
		}
	}
	if err := m.index(); err != nil {
		return nil, err
	}
	return m, nil
}

func sigmoid(z float64) float64 {
	z = max(-30, min(30, z))
	return 1 / (1 + math.Exp(-z))
}

// Features appends the features of an item with these words to dst: every
// word, every word marked with its field ("t:" headline, "b:" lede), and
// every pair of adjacent words within a field ("cartel de"). A feature
// occurs once per item.
func Features(dst []string, words [NumFields][]string) []string {
	start := len(dst)
	for f, ws := range words {
		mark := "t:"
		if f == Summary {
			mark = "b:"
		}
		for i, w := range ws {
			dst = append(dst, w, mark+w)
			if i+1 < len(ws) {
				dst = append(dst, w+" "+ws[i+1])
			}
		}
	}
	seen := dst[start:]
	slices.Sort(seen)
	return dst[:start+len(slices.Compact(seen))]
}

// hash is FNV-1a, 64 bits, of a feature.
func hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
