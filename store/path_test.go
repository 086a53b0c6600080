package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckPath: what CheckPath refuses, Open refuses too, and what it
// accepts Open opens; it creates nothing.
func TestCheckPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, want string // want "" = accepted
	}{
		{filepath.Join(dir, "nd.db"), ""},
		{"", "empty path"},
		{":memory:", "plain file name"},
		{"file:nd.db", "plain file name"},
		{filepath.Join(dir, "nd.db?mode=ro"), "plain file name"},
		{filepath.Join(dir, "nodir", "nd.db"), "does not exist (create it first)"},
		{filepath.Join(file, "nd.db"), "is not a directory"},
		{dir, "is a directory, not a database file"},
	}
	for _, tt := range tests {
		err := CheckPath(tt.path)
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckPath(%q) = %v; want %q", tt.path, err, tt.want)
		}
		st, openErr := Open(context.Background(), tt.path)
		if (err == nil) != (openErr == nil) {
			t.Errorf("CheckPath(%q) = %v but Open = %v: they disagree", tt.path, err, openErr)
		}
		st.Close()
	}
	if _, err := os.Stat(filepath.Join(dir, "nodir")); err == nil {
		t.Error("CheckPath or Open created a directory")
	}
}
