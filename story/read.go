package story

import (
	"runtime"
	"sync"
)

// minReadShare is the fewest docs worth a goroutine of their own in
// readDocs: below it, starting one costs more than it saves.
const minReadShare = 2048

// readDocs makes the clusterer's view of docs in the given order (cds[k]
// is docs[order[k]]'s), and says what the window says about each stem: it
// is reading the docs one by one with one stemmer, on every CPU.
//
// Each CPU reads a contiguous share of the docs with a stemmer of its own,
// which numbers stems in the order its share first uses them. Reading the
// shares one after another would number them in the same order, the
// earlier shares' stems first: so the first share's numbers stand, each
// later share's new stems are numbered after those of the shares before
// it, in its own order, and its docs' IDs are renumbered. The counts of how
// each stem was written are sums, whatever the order. The IDs, st.info and
// every doc are those of the loop `for k, i := range order { cds[k] =
// st.doc(docs[i]) }`, whatever the number of CPUs. heads says whether to
// read each title's head too (stemmer.heads).
func readDocs(docs []Doc, order []int, heads bool) ([]clusterDoc, []stemInfo) {
	return readShares(docs, order, min(runtime.GOMAXPROCS(0), len(docs)/minReadShare), heads)
}

// readShares is readDocs in the given number of shares.
func readShares(docs []Doc, order []int, shares int, heads bool) ([]clusterDoc, []stemInfo) {
	cds := make([]clusterDoc, len(order))
	if shares <= 1 {
		st := newStemmer()
		st.heads = heads
		for k, i := range order {
			cds[k] = st.doc(docs[i])
		}
		return cds, st.info
	}
	bounds := func(k int) (lo, hi int) { return k * len(order) / shares, (k + 1) * len(order) / shares }
	sts := make([]*stemmer, shares)
	var wg sync.WaitGroup
	for k := range shares {
		wg.Go(func() {
			st := newStemmer()
			st.heads = heads
			lo, hi := bounds(k)
			for j := lo; j < hi; j++ {
				cds[j] = st.read(docs[order[j]])
			}
			sts[k] = st
		})
	}
	wg.Wait()
	// The first share's stemmer numbers the whole window's stems.
	all := sts[0]
	renumber := make([][]uint32, shares) // by share, then its own stem ID
	for k, st := range sts[1:] {
		ids := make([]uint32, len(st.stemOf))
		for own, f := range st.stemOf {
			id, ok := all.ids[f]
			if !ok {
				id = uint32(len(all.stemOf))
				all.ids[f] = id
				all.stemOf = append(all.stemOf, f)
				in := st.info[own]
				w := in.within
				if w != 0 {
					w = ids[w-1] + 1 // the country's ID came first (stemmer.id)
				}
				all.info = append(all.info, stemInfo{figure: in.figure, place: in.place, calendar: in.calendar, within: w})
			}
			ids[own] = id
			in, sum := st.info[own], &all.info[id]
			sum.capMid += in.capMid
			sum.lowMid += in.lowMid
			sum.capFirst += in.capFirst
			sum.acronym += in.acronym
		}
		renumber[k+1] = ids
	}
	for k := range shares {
		wg.Go(func() {
			ids := renumber[k]
			lo, hi := bounds(k)
			for j := lo; j < hi; j++ {
				d := &cds[j]
				if ids != nil {
					for _, ts := range [][]uint32{d.title, d.all, d.tcap, d.ages, d.head} {
						for x, t := range ts {
							ts[x] = ids[t]
						}
					}
				}
				d.sortStems()
			}
		})
	}
	wg.Wait()
	return cds, all.info
}
