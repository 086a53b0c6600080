package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles starts a CPU profile when NEWSDIGEST_CPUPROFILE names a file,
// and returns a function that stops it and writes a heap profile when
// NEWSDIGEST_MEMPROFILE names one. For measuring where a run's time and
// memory go (go tool pprof); unset, it does nothing.
func startProfiles(e *env) (stop func()) {
	var cpu *os.File
	if path := e.getenv("NEWSDIGEST_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(e.stderr, "newsdigest: cpu profile: %v\n", err)
		} else if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(e.stderr, "newsdigest: cpu profile: %v\n", err)
			f.Close()
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if path := e.getenv("NEWSDIGEST_MEMPROFILE"); path != "" {
			f, err := os.Create(path)
			if err != nil {
				fmt.Fprintf(e.stderr, "newsdigest: heap profile: %v\n", err)
				return
			}
			defer f.Close()
			runtime.GC()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				fmt.Fprintf(e.stderr, "newsdigest: heap profile: %v\n", err)
			}
		}
	}
}
