package classify

import "testing"

// TestParseTermAllocs: config checks every term of config.yaml with
// ParseTerm, up to 50,000 of them; a valid term of ordinary length must not
// allocate (parse without build folds on the stack).
func TestParseTermAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	for _, term := range []string{"cartel", "Guardia Nacional", "narco*", "=US", "troops ~8 mexic*", "intervención militar estadounidense"} {
		if n := testing.AllocsPerRun(100, func() {
			if err := ParseTerm(term); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("ParseTerm(%q) allocates %.0f times; want 0", term, n)
		}
	}
}
