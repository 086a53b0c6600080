package main

import (
	"fmt"
	"io"
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
// unset, it does nothing. A file that cannot be written is reported on
// stderr and the command runs on.
func startProfiles(e *env) (stop func()) {
	stopTrace := startWriting(e, "NEWSDIGEST_TRACE", "trace", trace.Start, trace.Stop)
	stopCPU := startWriting(e, "NEWSDIGEST_CPUPROFILE", "cpu profile", pprof.StartCPUProfile, pprof.StopCPUProfile)
	return func() {
		stopTrace()
		stopCPU()
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

// startWriting starts a recorder (start, stop) into the file the variable
// names, and returns what stops it and closes the file; a no-op when the
// variable is unset or the recorder could not start.
func startWriting(e *env, variable, what string, start func(io.Writer) error, stop func()) func() {
	path := e.getenv(variable)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		if err = start(f); err != nil {
			f.Close()
			os.Remove(path) // nothing was written: leave no empty file
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "newsdigest: %s: %v\n", what, err)
		return func() {}
	}
	return func() {
		stop()
		f.Close()
	}
}
