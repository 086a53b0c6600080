package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// startProfiles starts a CPU profile when NEWSDIGEST_CPUPROFILE names a file
// and an execution trace when NEWSDIGEST_TRACE names one, and returns a
// function that stops them and writes a heap profile when
// NEWSDIGEST_MEMPROFILE names one. For measuring where a run's time and
// memory go (go tool pprof, go tool trace: which goroutine waits for which);
// unset, it does nothing.
func startProfiles(e *env) (stop func()) {
	var cpu, tr *os.File
	if path := e.getenv("NEWSDIGEST_TRACE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(e.stderr, "newsdigest: trace: %v\n", err)
		} else if err := trace.Start(f); err != nil {
			fmt.Fprintf(e.stderr, "newsdigest: trace: %v\n", err)
			f.Close()
		} else {
			tr = f
		}
	}
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
		if tr != nil {
			trace.Stop()
			tr.Close()
		}
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
