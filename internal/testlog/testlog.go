// Package testlog is a goroutine-safe buffer for tests that read what a
// running program logged.
package testlog

import (
	"bytes"
	"sync"
)

// Buffer collects writes from any goroutine; its methods are safe for
// concurrent use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
