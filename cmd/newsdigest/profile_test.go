package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime/trace"
	"strings"
	"testing"
)

// TestProfiles runs a command with the three profiling variables set and
// checks that each wrote its kind of file: pprof's gzip for the CPU and
// allocation profiles, the execution trace's header for the trace.
func TestProfiles(t *testing.T) {
	for _, f := range []string{"test.cpuprofile", "test.trace"} {
		if fl := flag.Lookup(f); fl != nil && fl.Value.String() != "" {
			t.Skipf("go test -%s holds the profiler this test needs", f[len("test."):])
		}
	}
	dir := t.TempDir()
	cfg := writeConfig(t, topicsYAML)
	paths := map[string]string{
		"NEWSDIGEST_CPUPROFILE": filepath.Join(dir, "cpu.prof"),
		"NEWSDIGEST_MEMPROFILE": filepath.Join(dir, "mem.prof"),
		"NEWSDIGEST_TRACE":      filepath.Join(dir, "run.trace"),
	}
	code, _, stderr := runMain(t, `{"id":"1","title":"Sinaloa cartel leader arrested"}`+"\n", paths, "classify", "-config", cfg)
	if code != 0 {
		t.Fatalf("classify = %d: %s", code, stderr)
	}
	want := map[string][]byte{
		"NEWSDIGEST_CPUPROFILE": {0x1f, 0x8b},
		"NEWSDIGEST_MEMPROFILE": {0x1f, 0x8b},
		"NEWSDIGEST_TRACE":      []byte("go 1."),
	}
	for k, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		if !bytes.HasPrefix(b, want[k]) {
			t.Errorf("%s: file starts %q, want %q", k, b[:min(len(b), 8)], want[k])
		}
	}

	// A recorder that cannot start (here: a trace already running) is
	// reported, and leaves no empty file behind.
	var running bytes.Buffer
	if err := trace.Start(&running); err != nil {
		t.Fatal(err)
	}
	busy := filepath.Join(dir, "busy.trace")
	code, _, stderr = runMain(t, `{"id":"1","title":"x"}`+"\n", map[string]string{"NEWSDIGEST_TRACE": busy}, "classify", "-config", cfg)
	trace.Stop()
	if code != 0 || !strings.Contains(stderr, "newsdigest: trace: ") {
		t.Errorf("trace already running: exit %d, stderr %q; want 0 and a trace error", code, stderr)
	}
	if _, err := os.Stat(busy); !os.IsNotExist(err) {
		t.Errorf("trace already running: %s left behind (stat: %v)", busy, err)
	}

	// A path that cannot be created is reported, and the command still runs.
	bad := filepath.Join(dir, "missing", "run.trace")
	code, _, stderr = runMain(t, `{"id":"1","title":"x"}`+"\n", map[string]string{"NEWSDIGEST_TRACE": bad}, "classify", "-config", cfg)
	if code != 0 || !bytes.Contains([]byte(stderr), []byte("newsdigest: trace: ")) {
		t.Errorf("unwritable trace path: exit %d, stderr %q; want 0 and a trace error", code, stderr)
	}
}
