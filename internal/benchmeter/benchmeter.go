// Package benchmeter measures what a benchmark's sections cost the process
// in CPU time and bytes written. On a shared two-core machine wall time
// says more about the neighbours than about the code; CPU time and bytes
// written do not.
package benchmeter

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Meter adds up the CPU time and the bytes written of the sections between
// Start and Stop.
type Meter struct {
	cpu            time.Duration
	written        int64
	cpu0, written0 int64
}

// Start begins a measured section.
func (m *Meter) Start() { m.cpu0, m.written0 = cpuNanos(), writtenBytes() }

// Stop ends a measured section.
func (m *Meter) Stop() {
	m.cpu += time.Duration(cpuNanos() - m.cpu0)
	if w := writtenBytes(); w >= 0 && m.written0 >= 0 {
		m.written += w - m.written0
	}
}

// Report adds cpu-µs/<unit> and written-B/<unit> over n units to b's
// output.
func (m *Meter) Report(b *testing.B, n int, unit string) {
	if n == 0 {
		return
	}
	b.ReportMetric(float64(m.cpu.Microseconds())/float64(n), "cpu-µs/"+unit)
	b.ReportMetric(float64(m.written)/float64(n), "written-B/"+unit)
}

// cpuNanos is the process's user and system CPU time so far.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// writtenBytes is what the process has written through write calls so far
// (wchar of /proc/self/io), or -1 where that is not available.
func writtenBytes() int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				return n
			}
		}
	}
	return -1
}
