package digest

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest"
)

// Limits on text that comes from feeds and configuration.
const (
	MaxTitleRunes  = 300
	MaxSourceRunes = 100
	maxErrorRunes  = 200
	maxURLBytes    = 2048
)

// CleanLine returns s as one line of plain text: invalid UTF-8 replaced,
// control characters and every kind of line or paragraph break turned into
// spaces, runs of spaces collapsed, bidirectional overrides dropped, ends
// trimmed, and cut to max runes with a trailing "…" when longer.
func CleanLine(s string, max int) string {
	if len(s) <= max && isCleanASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case unicode.IsControl(r) || unicode.IsSpace(r):
			space = n > 0
			continue
		case unicode.Is(unicode.Bidi_Control, r):
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	out := b.String()
	if n <= max {
		return out
	}
	return newsdigest.Truncate(out, max, nil)
}

// isCleanASCII reports whether s is printable ASCII with single inner
// spaces only, which CleanLine would return unchanged.
func isCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		} else if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// CleanURL returns a link with surrounding space and every control or space
// character removed; over-long links are dropped.
func CleanURL(s string) string {
	if len(s) <= maxURLBytes && strings.IndexFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7e }) < 0 {
		return s
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	if len(s) > maxURLBytes {
		return ""
	}
	return s
}

// markdownSpecial are the characters escaped in Markdown text so that feed
// text cannot open a link, emphasis, code span, HTML tag or entity.
const markdownSpecial = "\\`*_[]<>&~"

// escapeMarkdown returns s with every Markdown-special character
// backslash-escaped; CommonMark renders the result as s itself.
func escapeMarkdown(s string) string {
	if !strings.ContainsAny(s, markdownSpecial) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if r < utf8.RuneSelf && strings.ContainsRune(markdownSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// WebURL returns CleanURL(s) when it is an absolute http or https URL, and
// "" otherwise: only such links are ever made clickable, so a feed cannot
// plant a javascript: link.
func WebURL(s string) string {
	s = CleanURL(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) {
		return ""
	}
	return s
}

// markdownURL returns a link destination safe inside "(…)", or "" when the
// link is not a web link (WebURL).
func markdownURL(s string) string {
	return destinationEscaper.Replace(WebURL(s))
}

// destinationEscaper percent-encodes what would end or break a Markdown
// link destination.
var destinationEscaper = strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\\", "%5C", " ", "%20")

// isShortcode reports whether s looks like a Slack emoji shortcode such as
// ":rotating_light:", which a terminal cannot show.
func isShortcode(s string) bool {
	return len(s) > 2 && s[0] == ':' && s[len(s)-1] == ':' && !strings.ContainsAny(s[1:len(s)-1], ": ")
}
