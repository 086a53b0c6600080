// Package slashcmd is the /newsdigest slash command: what its text says
// (Parse), who may do what, and the answers — whichever transport brought
// it (Socket Mode or the HTTP request URL, both wired in serve). Answers are
// ephemeral to the caller; only `now` posts in the channel, through the
// pipeline's one exactly-once delivery path.
package slashcmd

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// The subcommands, also the values of the metrics' "subcommand" label.
const (
	SubNow     = "now"
	SubPreview = "preview"
	SubExplain = "explain"
	SubFeeds   = "feeds"
	SubHelp    = "help"
	SubUnknown = "unknown" // anything else: answered with the usage
)

// Subcommands lists them in the order the usage shows.
var Subcommands = []string{SubNow, SubPreview, SubExplain, SubFeeds, SubHelp, SubUnknown}

// Parsed is a command's text, read.
type Parsed struct {
	Sub    string
	Topics []string      // now, preview: topic names, lower case, each once
	Since  time.Duration // now, preview: "since 6h"; 0 = not given
	Arg    string        // explain: everything after the subcommand, trimmed
}

// maxText bounds the text read: Slack caps a command's text well below it.
const maxText = 4000

// Parse reads a command's text: "now [topic…] [since 6h]",
// "preview [topic…] [since 6h]", "explain <text or URL>", "feeds", "help"
// ("" is help). Words are separated by spaces or commas; the subcommand and
// "since" may be in any case. maxSince caps since. An error says what is
// wrong in words fit for the caller; the Parsed it comes with still names
// the subcommand (SubUnknown for an unknown one).
func Parse(text string, maxSince time.Duration) (Parsed, error) {
	if len(text) > maxText {
		text = strings.ToValidUTF8(text[:maxText], "")
	}
	text = strings.TrimSpace(text)
	first, rest := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		first, rest = text[:i], text[i:]
	}
	p := Parsed{Sub: strings.ToLower(first)}
	switch p.Sub {
	case "":
		p.Sub = SubHelp
		return p, nil
	case SubHelp, SubFeeds:
		if strings.TrimSpace(rest) != "" {
			return p, fmt.Errorf("%s takes no arguments", p.Sub)
		}
		return p, nil
	case SubExplain:
		p.Arg = strings.TrimSpace(rest)
		if p.Arg == "" {
			return p, fmt.Errorf("explain needs a headline, a text or the link of a stored item")
		}
		return p, nil
	case SubNow, SubPreview:
		return p, p.readSelection(rest, maxSince)
	}
	p.Sub = SubUnknown
	return p, fmt.Errorf("unknown subcommand %q", first)
}

// readSelection reads "[topic…] [since 6h]".
func (p *Parsed) readSelection(rest string, maxSince time.Duration) error {
	words := strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	for i := 0; i < len(words); i++ {
		w := strings.ToLower(words[i])
		if w == "since" {
			if i+1 == len(words) {
				return fmt.Errorf("since needs a duration such as 6h")
			}
			if p.Since != 0 {
				return fmt.Errorf("since is given twice")
			}
			i++
			d, err := time.ParseDuration(words[i])
			if err != nil || d <= 0 {
				return fmt.Errorf("since needs a positive duration such as 6h or 90m, not %q", words[i])
			}
			if maxSince > 0 && d > maxSince {
				return fmt.Errorf("since can reach back at most %s", shortDuration(maxSince))
			}
			p.Since = d
			continue
		}
		if !slices.Contains(p.Topics, w) {
			p.Topics = append(p.Topics, w)
		}
	}
	return nil
}

// shortDuration prints 24h0m0s as 24h and 1h30m0s as 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
