package slack

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestIsErrorCode holds isErrorCode to the regexp that defines a Slack
// error code's shape, on the edges and on random strings of its alphabet
// and a few others.
func TestIsErrorCode(t *testing.T) {
	def := regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	cases := []string{"", "ok", "invalid_token", "a", "A", "_a", "0a", "a0_", "rate_limited", "no-text", "é", "a\n",
		"a" + strings.Repeat("b", 63), "a" + strings.Repeat("b", 64), " ok", "ok ", "{\"ok\":false}"}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "az09_AZ-{ é"
	for range 5000 {
		var b strings.Builder
		for range r.IntN(70) {
			if r.IntN(4) == 0 {
				b.WriteString(string([]rune(alphabet)[r.IntN(len([]rune(alphabet)))]))
			} else {
				b.WriteByte(byte('a' + r.IntN(26)))
			}
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		if got, want := isErrorCode(s), def.MatchString(s); got != want {
			t.Errorf("isErrorCode(%q) = %v; want %v", s, got, want)
		}
	}
}
