package slack

import (
	"fmt"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/digest"
)

// AlertMessage renders one alert (docs/ALERTS.md) as a short message: the
// linked headline, how many outlets carried the story how fast, with a
// link to each, and the topic, terms and rule. A growth reply (a.Kind
// digest.AlertReply) says how many outlets carry the story now and lists
// those that came since the alert. Text from feeds is escaped as in the
// digest; the message stays within Slack's limits whatever the feed sent.
func AlertMessage(a digest.Alert) Message {
	title := feedText(a.Title, digest.MaxTitleRunes)
	n := len(a.Outlets)
	body := func(linkTitle, linkOutlets bool) string {
		links, head := a.Outlets, "⚡ *"+title+"*\n*"+mrkdwn(a.Growth())+"*"
		if linkTitle {
			head = "⚡ *" + linked(title, a.URL) + "*\n*" + mrkdwn(a.Growth()) + "*"
		}
		if a.Kind == digest.AlertReply {
			links, head = a.New, fmt.Sprintf("📈 Now *%d %s* (+%d since the alert)", n, newsdigest.Plural(n, "outlet", "outlets"), len(a.New))
		}
		parts := make([]string, len(links))
		for i, l := range links {
			parts[i] = feedText(l.Source, digest.MaxSourceRunes)
			if linkOutlets {
				parts[i] = linked(parts[i], l.URL)
			}
		}
		return head + ": " + strings.Join(parts, ", ")
	}
	text := body(false, false)
	for _, links := range []struct{ title, outlets bool }{{true, true}, {true, false}, {false, false}} {
		if t := body(links.title, links.outlets); len16(t) <= slackMaxSectionText {
			text = t
			break
		}
	}
	fallback := "⚡ " + title + " — " + mrkdwn(a.Growth()) + " (" + mrkdwn(a.Label) + ")"
	if a.Kind == digest.AlertReply {
		fallback = fmt.Sprintf("📈 %s: now %d outlets, %d since the alert", title, n, len(a.New))
	}
	return Message{
		Text:    truncMrkdwn(fallback, slackMaxText),
		Blocks:  []slackapi.Block{section(truncMrkdwn(text, slackMaxSectionText)), contextBlock(truncMrkdwn(alertContext(a), slackMaxSectionText))},
		ItemIDs: a.ItemIDs,
	}
}

// AlertSummary renders, in one message, the stories over a channel's
// hourly cap of perHour alerts: a line each (linked headline, growth,
// topic), as many as Slack's limits allow. It returns the message and how
// many of the alerts, from the first, it carries; the others wait.
func AlertSummary(as []digest.Alert, perHour int) (Message, int) {
	m := Message{}
	intro := fmt.Sprintf("⚡ *%d more %s took off* — this channel already had its %d %s this hour:",
		len(as), newsdigest.Plural(len(as), "story", "stories"), perHour, newsdigest.Plural(perHour, "alert", "alerts"))
	m.Blocks = append(m.Blocks, section(intro))
	// The intro may grow by " (N more wait)" below: its room is kept from
	// the start, so that the grown message still fits.
	chars := len16(intro) + len16(fmt.Sprintf(" (%d more wait)", len(as)))
	var titles []string
	n := 0
	for _, a := range as {
		line := "• " + linked(feedText(a.Title, digest.MaxTitleRunes), a.URL) + " · " + mrkdwn(a.Growth()) + " · " + mrkdwn(a.Label)
		if len16(line) > slackMaxSectionText {
			line = truncMrkdwn("• "+feedText(a.Title, digest.MaxTitleRunes)+" · "+mrkdwn(a.Growth()), slackMaxSectionText)
		}
		if len(m.Blocks)+1 > slackMaxBlocks || chars+len16(line) > slackMaxBlockText {
			break
		}
		m.Blocks = append(m.Blocks, section(line))
		chars += len16(line)
		m.ItemIDs = append(m.ItemIDs, a.ItemIDs...)
		titles = append(titles, feedText(a.Title, digest.MaxTitleRunes))
		n++
	}
	if n < len(as) {
		// The header counted them all; say how many this message carries.
		m.Blocks[0] = section(fmt.Sprintf("⚡ *%d more %s took off* — this channel already had its %d %s this hour (%d more wait):",
			n, newsdigest.Plural(n, "story", "stories"), perHour, newsdigest.Plural(perHour, "alert", "alerts"), len(as)-n))
	}
	text := fmt.Sprintf("⚡ %d more %s took off: %s", n, newsdigest.Plural(n, "story", "stories"), strings.Join(titles, "; "))
	m.Text = truncMrkdwn(text, slackMaxText)
	return m, n
}

// alertContext is the alert's small print: "US troops · _troops_,
// _Guardia Nacional_ · rule troops+sovereignty".
func alertContext(a digest.Alert) string {
	parts := []string{mrkdwn(digest.CleanLine(a.Label, digest.MaxTitleRunes))}
	if len(a.Terms) > 0 {
		ts := make([]string, len(a.Terms))
		for i, t := range a.Terms {
			ts[i] = "_" + mrkdwn(digest.CleanLine(t, digest.MaxTitleRunes)) + "_"
		}
		parts = append(parts, strings.Join(ts, ", "))
	}
	parts = append(parts, "rule "+mrkdwn(digest.CleanLine(a.Rule, digest.MaxTitleRunes)))
	return strings.Join(parts, " · ")
}
