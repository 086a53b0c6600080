package digest

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// inChunks calls f(lo, hi) for consecutive ranges [lo, hi) of at most
// chunk indexes that cover [0, n), on every CPU when there is more than one
// chunk; f must only write what belongs to its range.
func inChunks(n, chunk int, f func(lo, hi int)) {
	chunks := (n + chunk - 1) / chunk
	if chunks <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), chunks) {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				f(c*chunk, min(n, (c+1)*chunk))
			}
		})
	}
	wg.Wait()
}
