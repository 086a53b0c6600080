package slashcmd

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		text   string
		sub    string
		topics []string
		since  time.Duration
		arg    string
		err    string
	}{
		{text: "", sub: SubHelp},
		{text: "   ", sub: SubHelp},
		{text: "help", sub: SubHelp},
		{text: "HELP", sub: SubHelp},
		{text: "help me", sub: SubHelp, err: "help takes no arguments"},
		{text: "feeds", sub: SubFeeds},
		{text: "now", sub: SubNow},
		{text: "now cartels", sub: SubNow, topics: []string{"cartels"}},
		{text: "Now Cartels, USMCA cartels", sub: SubNow, topics: []string{"cartels", "usmca"}},
		{text: "now cartels since 6h", sub: SubNow, topics: []string{"cartels"}, since: 6 * time.Hour},
		{text: "preview SINCE 90m troops", sub: SubPreview, topics: []string{"troops"}, since: 90 * time.Minute},
		{text: "now\u00a0cartels\tsince\n2h", sub: SubNow, topics: []string{"cartels"}, since: 2 * time.Hour},
		{text: "now since", sub: SubNow, err: "since needs a duration such as 6h"},
		{text: "now since 6h since 2h", sub: SubNow, err: "since is given twice"},
		{text: "now since yesterday", sub: SubNow, err: `since needs a positive duration such as 6h or 90m, not "yesterday"`},
		{text: "now since -1h", sub: SubNow, err: `since needs a positive duration such as 6h or 90m, not "-1h"`},
		{text: "now since 25h", sub: SubNow, err: "since can reach back at most 24h"},
		{text: "explain", sub: SubExplain, err: "explain needs a headline, a text or the link of a stored item"},
		{text: "explain  Cártel de Sinaloa\nsecond line ", sub: SubExplain, arg: "Cártel de Sinaloa\nsecond line"},
		{text: "explain <https://x.example/a|x.example/a>", sub: SubExplain, arg: "<https://x.example/a|x.example/a>"},
		{text: "subscribe https://feed", sub: SubUnknown, err: `unknown subcommand "subscribe"`},
	} {
		p, err := Parse(tt.text, 24*time.Hour)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if tt.err != "" {
			// On an error only the subcommand counts (for the usage and the metrics).
			p = Parsed{Sub: p.Sub}
		}
		if got != tt.err || p.Sub != tt.sub || !slices.Equal(p.Topics, tt.topics) || p.Since != tt.since || p.Arg != tt.arg {
			t.Errorf("Parse(%q) = %+v, %q; want sub %s topics %v since %v arg %q err %q", tt.text, p, got, tt.sub, tt.topics, tt.since, tt.arg, tt.err)
		}
	}
}

// FuzzParse: any text parses to a known subcommand or an error, never a
// panic; topics are lower case and distinct, since within the cap.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "now cartels since 6h", "preview ,,, since 1ns", "explain <https://x|y>", "NOW SINCE 24h", "now since 9999999999h", "\xff\xfe now"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(text, 24*time.Hour)
		if !slices.Contains(Subcommands, p.Sub) {
			t.Fatalf("Parse(%q).Sub = %q", text, p.Sub)
		}
		if err != nil {
			if !utf8.ValidString(err.Error()) && utf8.ValidString(text) {
				t.Errorf("error not UTF-8: %q", err)
			}
			return
		}
		if p.Since < 0 || p.Since > 24*time.Hour {
			t.Errorf("Parse(%q).Since = %v", text, p.Since)
		}
		seen := map[string]bool{}
		for _, tp := range p.Topics {
			if tp == "" || tp != strings.ToLower(tp) || seen[tp] {
				t.Errorf("Parse(%q).Topics = %q", text, p.Topics)
			}
			seen[tp] = true
		}
	})
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{24 * time.Hour: "24h", 90 * time.Minute: "1h30m", 45 * time.Second: "45s", 720 * time.Hour: "720h", 2*time.Hour + 3*time.Second: "2h0m3s"} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q; want %q", d, got, want)
		}
	}
}
