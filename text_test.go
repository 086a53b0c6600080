package newsdigest

import (
	"testing"
	"unicode/utf16"
)

func TestTruncate(t *testing.T) {
	utf16Len := func(r rune) int { return utf16.RuneLen(r) }
	tests := []struct {
		in   string
		max  int
		size func(rune) int
		want string
	}{
		{"", 3, nil, ""},
		{"abc", 3, nil, "abc"},
		{"abcd", 3, nil, "ab…"},
		{"ñañ", 2, nil, "ñ…"},
		{"ñañ", 3, nil, "ñañ"},
		{"a\xffbc", 3, nil, "a\xff…"},
		{"ab cd", 4, nil, "ab…"}, // the space before the ellipsis goes
		{"abc", 1, nil, "…"},
		{"abc", 0, nil, "…"},
		{"😀😀", 4, utf16Len, "😀😀"},
		{"😀😀x", 4, utf16Len, "😀…"},
		{"a😀", 2, utf16Len, "a…"},
	}
	for _, tt := range tests {
		if got := Truncate(tt.in, tt.max, tt.size); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
