package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// A config error ends classify at once, without waiting for input that
// may never come.
func TestClassifyConfigErrorWithOpenInput(t *testing.T) {
	cfg := writeConfig(t, "topics: [\n")
	stdin, w := io.Pipe() // never written, never closed: a terminal
	defer w.Close()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Main(context.Background(), []string{"classify", "-config", cfg}, stdin, io.Discard, &stderr, func(string) string { return "" })
	}()
	select {
	case code := <-done:
		if code != 2 || !strings.Contains(stderr.String(), "config.yaml") {
			t.Errorf("exit %d, stderr %q; want 2 and the config error", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("classify with a bad config waited for its input")
	}
}

// Many lines come out one for one, in order.
func TestClassifyManyLinesInOrder(t *testing.T) {
	cfg := writeConfig(t, topicsYAML)
	var in strings.Builder
	const n = 1000
	for i := range n {
		fmt.Fprintf(&in, `{"id":"%d","title":"Fentanyl seizure in Mexico"}`+"\n", i)
	}
	code, out, errOut := runMain(t, in.String(), nil, "classify", "-config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != n {
		t.Fatalf("%d lines out; want %d", len(lines), n)
	}
	for i, l := range lines {
		var r struct {
			ID     string
			Topics []struct{ Name string }
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.ID != fmt.Sprint(i) || len(r.Topics) == 0 {
			t.Fatalf("line %d = %s (%v); want id %d with a topic", i, l, err, i)
		}
	}
}

// failAfter fails every write after the first n bytes.
type failAfter struct{ n int }

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

// A write error stops classify, with the input far from read.
func TestClassifyWriteErrorStops(t *testing.T) {
	cfg := writeConfig(t, topicsYAML)
	in := strings.Repeat(`{"id":"x","title":"Fentanyl seizure in Mexico"}`+"\n", 20000)
	var stderr bytes.Buffer
	code := Main(context.Background(), []string{"classify", "-config", cfg}, strings.NewReader(in), &failAfter{n: 1000}, &stderr, func(string) string { return "" })
	if code != 1 || !strings.Contains(stderr.String(), "disk full") {
		t.Errorf("exit %d, stderr %q; want 1 and the write error", code, stderr.String())
	}
}
