package learn

import (
	"cmp"
	"math"
	"slices"
)

// Scratch holds the buffers of one scoring, so that Score does not
// allocate once they have grown. The zero value is ready; a Scratch must
// not be used by two goroutines at once.
type Scratch struct {
	keys []uint64
}

// fnv-1a, 64 bits, streamed: hash("t:"+w) is hashMore(hashMore(offset, "t:"), w).
const offset64 = 14695981039346656037

func hashMore(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

var (
	markTitle   = []byte("t:")
	markSummary = []byte("b:")
	space       = []byte(" ")
)

// featureKeys sets sc.keys to the hashes of the features Features gives
// for these words, each once, sorted.
func (sc *Scratch) featureKeys(words [NumFields][][]byte) []uint64 {
	keys := sc.keys[:0]
	for f, ws := range words {
		mark := markTitle
		if f == Summary {
			mark = markSummary
		}
		marked := hashMore(offset64, mark)
		for i, w := range ws {
			h := hashMore(offset64, w)
			keys = append(keys, h, hashMore(marked, w))
			if i+1 < len(ws) {
				keys = append(keys, hashMore(hashMore(h, space), ws[i+1]))
			}
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	sc.keys = keys
	return keys
}

// Score appends to dst the probability the model gives each of its topics
// (in Topics order) for an item with these words (folded, per field).
func (m *Model) Score(dst []float64, sc *Scratch, words [NumFields][][]byte) []float64 {
	nt := len(m.topics)
	start := len(dst)
	dst = append(dst, m.bias...)
	z := dst[start:]
	m.each(sc.featureKeys(words), func(i int) {
		for t, x := range m.w[i*nt : (i+1)*nt] {
			z[t] += float64(x)
		}
	})
	for t := range z {
		z[t] = sigmoid(z[t])
	}
	return dst
}

// each calls fn with the model's index of each key it has. Both lists are
// sorted: a merge when the item's keys are many against the model's,
// binary search otherwise.
func (m *Model) each(keys []uint64, fn func(i int)) {
	lo := 0
	for _, k := range keys {
		i, ok := slices.BinarySearch(m.keys[lo:], k)
		lo += i
		if ok {
			fn(lo)
			lo++
		}
		if lo >= len(m.keys) {
			return
		}
	}
}

// Contribution is one feature's weight in an item's score for a topic.
type Contribution struct {
	Feature string
	Weight  float64
}

// Explain returns the probability the model gives topic for an item with
// these words, and the features that moved it most, strongest first (at
// most n). ok is false when the model does not know the topic.
func (m *Model) Explain(topic string, words [NumFields][][]byte, n int) (p float64, top []Contribution, ok bool) {
	t := slices.Index(m.topics, topic)
	if t < 0 {
		return 0, nil, false
	}
	var sc Scratch
	nt := len(m.topics)
	z := m.bias[t]
	m.each(sc.featureKeys(words), func(i int) {
		x := float64(m.w[i*nt+t])
		z += x
		top = append(top, Contribution{m.names[i], x})
	})
	slices.SortStableFunc(top, func(a, b Contribution) int {
		return cmp.Or(cmp.Compare(math.Abs(b.Weight), math.Abs(a.Weight)), cmp.Compare(a.Feature, b.Feature))
	})
	if len(top) > n {
		top = top[:n]
	}
	return sigmoid(z), top, true
}
