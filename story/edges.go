package story

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// edges returns every pair of docs whose similarity reaches 1, each once
// (i < j), in the order of j then of i's first shared stem. Only pairs that
// share minShared stems that are not figures can reach it, so each doc is
// compared only with the earlier docs an inverted index over those stems
// finds minShared times, scanning at most probeCap postings of a stem
// (4*probeCap, the most recent, for the doc's probeMin rarest stems).
//
// Docs are compared in chunks on every CPU: the index is built first, whole,
// and each doc reads only the postings before it, so the pairs found, and
// their order, are those of reading the docs one by one.
func (s *scorer) edges() []edge {
	n := len(s.docs)
	postings := make([][]int32, len(s.w)) // by stem that is not a figure
	for i := range s.docs {
		for _, t := range s.docs[i].all {
			if !s.fig[t] {
				postings[t] = append(postings[t], int32(i))
			}
		}
	}
	const chunk = 512
	chunks := make([][]edge, (n+chunk-1)/chunk)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Go(func() {
			count := make([]int32, n) // stems doc j shares with the doc being read
			var touched []int32
			probe := make([]uint32, 0, probeMin)
			words := make([]uint32, 0, 32) // the doc's stems that are not figures
			for {
				c := int(next.Add(1) - 1)
				if c >= len(chunks) {
					return
				}
				var out []edge
				for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
					words = words[:0]
					for _, t := range s.docs[i].all {
						if !s.fig[t] {
							words = append(words, t)
						}
					}
					probe = rarest(probe[:0], words, s.df, probeMin)
					touched = touched[:0]
					for _, t := range words {
						ps := postings[t]
						before, _ := slices.BinarySearch(ps, int32(i)) // the docs before i
						ps = ps[:before]
						if len(ps) > probeCap && !slices.Contains(probe, t) {
							continue
						}
						if len(ps) > 4*probeCap {
							ps = ps[len(ps)-4*probeCap:]
						}
						for _, j := range ps {
							if count[j] == 0 {
								touched = append(touched, j)
							}
							count[j]++
						}
					}
					for _, j := range touched {
						if count[j] >= minShared {
							if sim := s.sim(int(j), i); sim >= 1 {
								out = append(out, edge{j, int32(i), sim})
							}
						}
						count[j] = 0
					}
				}
				chunks[c] = out
			}
		})
	}
	wg.Wait()
	return slices.Concat(chunks...)
}

// rarest appends to dst the k stems of ts with the lowest document
// frequency (ties by stem ID).
func rarest(dst, ts []uint32, df []int32, k int) []uint32 {
	start := len(dst)
	for _, t := range ts {
		dst = append(dst, t)
		// Keep dst[start:] sorted by rarity and at most k long.
		for i := len(dst) - 1; i > start && rarer(dst[i], dst[i-1], df); i-- {
			dst[i], dst[i-1] = dst[i-1], dst[i]
		}
		if len(dst)-start > k {
			dst = dst[:start+k]
		}
	}
	return dst
}

func rarer(a, b uint32, df []int32) bool {
	if df[a] != df[b] {
		return df[a] < df[b]
	}
	return a < b
}
