package slack

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	slackapi "github.com/slack-go/slack"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/digest"
)

// blockChars counts the text of the blocks this file makes.
func blockChars(b slackapi.Block) int {
	switch b := b.(type) {
	case *slackapi.HeaderBlock:
		return len16(b.Text.Text)
	case *slackapi.SectionBlock:
		return len16(b.Text.Text)
	case *slackapi.ContextBlock:
		n := 0
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slackapi.TextBlockObject); ok {
				n += len16(t.Text)
			}
		}
		return n
	}
	return 0
}

func plainText(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, true, false)
}

// section is a mrkdwn section. Verbatim stops Slack from turning bare URLs
// and #channel names into links.
func section(text string) *slackapi.SectionBlock {
	return slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, true), nil, nil)
}

func contextBlock(text string) *slackapi.ContextBlock {
	return slackapi.NewContextBlock("", slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, true))
}

// storyCount is "6 stories in 3 topics".
func storyCount(d *digest.Digest) string {
	stories, topics := 0, 0
	for _, s := range d.Topics {
		if len(s.Items) > 0 {
			stories += len(s.Items)
			topics++
		}
	}
	return fmt.Sprintf("%d %s in %d %s", stories, newsdigest.Plural(stories, "story", "stories"), topics, newsdigest.Plural(topics, "topic", "topics"))
}

// topicHeading is "*:rotating_light: Cartels &amp; organized crime* (4)".
func topicHeading(s digest.Section, count string) string {
	label := mrkdwn(digest.CleanLine(s.Label, digest.MaxTitleRunes))
	if e := mrkdwn(digest.CleanLine(s.Emoji, digest.MaxTitleRunes)); e != "" {
		label = e + " " + label
	}
	return "*" + label + "* " + count
}

// itemText is an entry's section: its linked title, then "Source · 2h ago ·
// N outlets · _terms_ · tags: …", with "also: <url|Outlet>, …" when withAlso
// (entryPieces lists the other outlets in blocks of their own when they do
// not fit). When that is too long for a section the other outlets lose
// their links, then the title its link, and what is left is cut.
func itemText(e digest.Entry, now time.Time, withAlso bool) string {
	for _, links := range []struct{ title, also bool }{{true, true}, {true, false}, {false, false}} {
		t := itemTextWith(e, now, links.title, links.also, withAlso)
		if len16(t) <= slackMaxSectionText {
			return t
		}
	}
	return truncMrkdwn(itemTextWith(e, now, false, false, withAlso), slackMaxSectionText)
}

func itemTextWith(e digest.Entry, now time.Time, linkTitle, linkAlso, withAlso bool) string {
	title := feedText(e.Title, digest.MaxTitleRunes)
	if linkTitle {
		title = linked(title, e.URL)
	}
	if !withAlso {
		e.Also = nil
	}
	return title + "\n" + e.Meta(now, digest.MetaStyle{
		Text:      feedText,
		SourceSep: " · ",
		Terms:     func(j string) string { return "_" + j + "_" },
		Also: func(l digest.Link) string {
			src := feedText(l.Source, digest.MaxSourceRunes)
			if linkAlso {
				src = linked(src, l.URL)
			}
			return src
		},
	})
}

// fallbackText is the first message's plain text: the heading, the count
// per topic and the first titles, as many as fit.
func fallbackText(d *digest.Digest, title string) string {
	var b strings.Builder
	b.WriteString(mrkdwn(title))
	if d.Empty() {
		b.WriteString("\n" + mrkdwn(d.NothingNew()))
		return b.String()
	}
	counts := []string{}
	for _, s := range d.Topics {
		if len(s.Items) > 0 {
			counts = append(counts, fmt.Sprintf("%s (%d)", mrkdwn(digest.CleanLine(s.Label, digest.MaxTitleRunes)), len(s.Items)))
		}
	}
	b.WriteString("\n" + storyCount(d) + ": " + strings.Join(counts, ", "))
	for _, s := range d.Topics {
		for _, e := range s.Items {
			line := "\n• " + feedText(e.Title, digest.MaxTitleRunes) + " (" + feedText(e.Source, digest.MaxSourceRunes) + ")"
			if len16(b.String())+len16(line) > slackMaxText-2 {
				b.WriteString("\n…")
				return b.String()
			}
			b.WriteString(line)
		}
	}
	return b.String()
}

// mrkdwnEscaper escapes the three characters Slack's mrkdwn gives meaning
// to: with them escaped, text can neither mention (<!channel>, <@U123>) nor
// link (<https://…|…>).
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func mrkdwn(s string) string { return mrkdwnEscaper.Replace(s) }

// feedText is text from a feed made safe for mrkdwn: HTML tags dropped and
// entities decoded (a title that is nothing but a tag, such as "<!channel>",
// is kept as text instead), one line, at most max runes, escaped.
func feedText(s string, max int) string {
	p := classify.PlainText(s)
	if strings.TrimSpace(p) == "" {
		p = s
	}
	return mrkdwn(digest.CleanLine(p, max))
}

// linked is escaped text linked to link, or the text alone when the link
// is not an http(s) URL.
func linked(text, link string) string {
	if u := slackURL(link); u != "" {
		return "<" + u + "|" + linkLabel(text) + ">"
	}
	return text
}

// linkLabel keeps escaped text from ending a link's label early: "|" is
// the separator between URL and label, so it becomes "∣" (U+2223).
func linkLabel(s string) string { return strings.ReplaceAll(s, "|", "∣") }

// slackURL returns link as a Slack link target, or "" unless it is an
// absolute http(s) URL: characters that would end the target ("|", ">",
// "<", spaces) are percent-encoded and "&" is escaped as Slack requires.
func slackURL(link string) string {
	return urlEscaper.Replace(digest.WebURL(link))
}

var urlEscaper = strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20", "\"", "%22", "&", "&amp;")

// len16 is s's length in UTF-16 code units.
func len16(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// truncate16 cuts s to at most max UTF-16 code units, ending in "…" when
// it cut.
func truncate16(s string, max int) string {
	return newsdigest.Truncate(s, max, utf16.RuneLen)
}

// truncMrkdwn is truncate16 for escaped text without links: it does not
// leave half an entity ("&am…") behind.
func truncMrkdwn(s string, max int) string {
	t := truncate16(s, max)
	if t == s {
		return s
	}
	body := strings.TrimSuffix(t, "…")
	if i := strings.LastIndexByte(body, '&'); i >= 0 && i >= len(body)-5 && !strings.Contains(body[i:], ";") {
		body = strings.TrimRight(body[:i], " ")
	}
	return body + "…"
}
