package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMatcherModel: learned.model is read relative to the config file, and
// a model that is missing, broken or of other topics is an error naming
// learned.model's line.
func TestMatcherModel(t *testing.T) {
	dir := t.TempDir()
	const topics = "topics:\n  - name: cartels\n    terms: [cartel]\n"
	cfgText := topics + "learned:\n  model: m.model\n"
	path := filepath.Join(dir, "config.yaml")
	load := func() error {
		c, err := Parse([]byte(cfgText), path, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Matcher()
		return err
	}
	write := func(model string) {
		if err := os.WriteFile(filepath.Join(dir, "m.model"), []byte(model), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ model, want string }{
		{"", "no such file"},
		{"not a model\n", "line 1: not a newsdigest model file"},
		{"# newsdigest learned topic model\ntopics\tsports\nbias\t-1\n", `scores none of the topics (it knows ["sports"])`},
	} {
		if tt.model != "" {
			write(tt.model)
		}
		err := load()
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), ":5: learned.model:") {
			t.Errorf("model %q: %v; want an error at line 5 with %q", tt.model, err, tt.want)
		}
	}
	write("# newsdigest learned topic model\ntopics\tcartels\tsports\nbias\t-1\t-1\ncartel\t3\t0\n")
	if err := load(); err != nil {
		t.Errorf("a good model: %v", err)
	}
}
