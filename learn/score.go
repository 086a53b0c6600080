package learn

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Scratch holds the buffers of one scoring, so that Score does not
// allocate once they have grown. The zero value is ready; a Scratch must
// not be used by two goroutines at once.
type Scratch struct {
	keys  []uint64
	m     *Model   // the model stamp is sized for
	stamp []uint32 // per feature of m: the epoch of the last item that had it
	epoch uint32
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
// for these words, in order, repeats included.
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
	if sc.m != m {
		sc.m, sc.stamp, sc.epoch = m, make([]uint32, len(m.keys)), 0
	}
	sc.epoch++
	if sc.epoch == 0 { // wrapped: forget every stamp
		clear(sc.stamp)
		sc.epoch = 1
	}
	for _, k := range sc.featureKeys(words) {
		i := m.find(k)
		if i < 0 || sc.stamp[i] == sc.epoch {
			continue // unknown, or counted already: a feature counts once an item
		}
		sc.stamp[i] = sc.epoch
		for t, x := range m.w[i*nt : (i+1)*nt] {
			z[t] += float64(x)
		}
	}
	for t := range z {
		z[t] = sigmoid(z[t])
	}
	return dst
}

// find returns the index of the feature with hash k, or -1.
func (m *Model) find(k uint64) int {
	mask := uint64(len(m.table) - 1)
	for h := mix(k) & mask; ; h = (h + 1) & mask {
		switch i := m.table[h]; {
		case i == 0:
			return -1
		case m.keys[i-1] == k:
			return int(i - 1)
		}
	}
}

// mix spreads a hash's bits over the low ones the table uses.
func mix(k uint64) uint64 { return k ^ k>>29 ^ k>>47 }

// index builds m.table, an open-addressing table of m.keys at most half
// full, and reports two features with one hash.
func (m *Model) index() error {
	size := 1
	for size < 2*len(m.keys)+1 {
		size *= 2
	}
	m.table = make([]int32, size)
	mask := uint64(size - 1)
	for i, k := range m.keys {
		h := mix(k) & mask
		for ; m.table[h] != 0; h = (h + 1) & mask {
			if j := m.table[h] - 1; m.keys[j] == k {
				return fmt.Errorf("learn: features %q and %q have the same hash", m.names[j], m.names[i])
			}
		}
		m.table[h] = int32(i + 1)
	}
	return nil
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
	seen := map[int]bool{}
	for _, k := range sc.featureKeys(words) {
		i := m.find(k)
		if i < 0 || seen[i] {
			continue
		}
		seen[i] = true
		x := float64(m.w[i*nt+t])
		z += x
		top = append(top, Contribution{m.names[i], x})
	}
	slices.SortStableFunc(top, func(a, b Contribution) int {
		return cmp.Or(cmp.Compare(math.Abs(b.Weight), math.Abs(a.Weight)), cmp.Compare(a.Feature, b.Feature))
	})
	if len(top) > n {
		top = top[:n]
	}
	return sigmoid(z), top, true
}
