package slashcmd

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/slack"
)

// The answers' texts: usage, feeds, explain. Text from feeds, the store or
// the caller is escaped (slack.Escape) and every answer fits a reply
// (slack.FitReply).

// usage is the help text; command is how it was typed ("/newsdigest").
func (h *Handler) usage(command string) string {
	if command == "" {
		command = "/newsdigest"
	}
	c := slack.Escape(command)
	return fmt.Sprintf("*%s now* [topic…] [since 6h] — poll, then post here what this channel has not received yet\n"+
		"*%s preview* [topic…] [since 6h] — the same digest, shown to you alone; nothing is marked delivered\n"+
		"*%s explain* <headline, text or link of a stored item> — why it matches each topic, or not\n"+
		"*%s feeds* — which feeds work, which fail and since when, which are stale\n"+
		"*%s help* — this\n"+
		"Topics: %s. since reaches back at most %s.",
		c, c, c, c, c, slack.Escape(strings.Join(h.topicNames(), ", ")), shortDuration(h.maxSince()))
}

func (h *Handler) topicNames() []string {
	names := make([]string, len(h.cfg.Topics))
	for i, t := range h.cfg.Topics {
		names[i] = t.Name
	}
	return names
}

// describe names what a digest covers: "the digest", "cartels and troops
// since 6h".
func describe(o pipeline.DigestOptions) string {
	s := "the digest"
	if len(o.Topics) > 0 {
		s = "the digest of " + strings.Join(o.Topics, ", ")
	}
	if o.Since > 0 {
		s += " for the last " + shortDuration(o.Since)
	}
	return s
}

// feeds is the coverage now.
func (h *Handler) feeds(ctx context.Context) (string, error) {
	cov, last, err := h.p.Coverage(ctx)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Feeds:* %d of %d OK", cov.OK, cov.Total)
	if last.IsZero() {
		b.WriteString("; no poll yet.")
	} else {
		fmt.Fprintf(&b, "; last poll %s.", when(last))
	}
	if len(cov.Failed) > 0 {
		fmt.Fprintf(&b, "\n*Failing (%d):*", len(cov.Failed))
		for _, f := range cov.Failed {
			fmt.Fprintf(&b, "\n• %s — %s", slack.Escape(f.Name), slack.Escape(f.Error))
			if !f.FailingSince.IsZero() {
				fmt.Fprintf(&b, " (since %s)", when(f.FailingSince))
			}
		}
	}
	if len(cov.Stale) > 0 {
		fmt.Fprintf(&b, "\n*Stale (%d):*", len(cov.Stale))
		for _, f := range cov.Stale {
			last := "never fetched"
			if !f.LastOK.IsZero() {
				last = "last fetched " + when(f.LastOK)
			}
			fmt.Fprintf(&b, "\n• %s — %s", slack.Escape(f.Name), last)
		}
	}
	return slack.FitReply(b.String()), nil
}

// when is a time as the answers show it: "08:15 Mon 23 Nov".
func when(t time.Time) string { return t.Format("15:04 Mon 2 Jan") }

// slackLink is a link as Slack sends it in a command's text: <https://…> or
// <https://…|label>.
var slackLink = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^<(https?://[^|>\s]+)(?:\|[^>]*)?>$`) })

// explain explains a stored item (arg is its link) or the text given: its
// first line as a headline, the rest as its summary.
func (h *Handler) explain(ctx context.Context, arg string) (string, error) {
	link := ""
	if m := slackLink().FindStringSubmatch(arg); m != nil {
		link = m[1]
	} else if (strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://")) && !strings.ContainsAny(arg, " \n") {
		link = arg
	}
	var doc classify.Doc
	var b strings.Builder
	if link != "" {
		it, ok, err := h.p.StoredItem(ctx, link)
		if err != nil {
			return "", err
		}
		if !ok {
			return fmt.Sprintf("No stored item has that link (matched items are kept %s; one that matched no topic is kept by its identity only). Paste its headline and text instead: `/newsdigest explain <headline>`.",
				shortDuration(h.cfg.Store.Retention)), nil
		}
		doc = classify.Doc{Title: it.Title, Summary: it.Summary}
		fmt.Fprintf(&b, "*%s* (%s)\n", slack.Escape(digest.CleanLine(it.Title, 300)), slack.Escape(it.FeedName))
	} else {
		title, summary, _ := strings.Cut(arg, "\n")
		doc = classify.Doc{Title: title, Summary: summary}
	}
	for _, x := range h.p.Explain(doc) {
		verdict := "no match"
		if x.Matched {
			verdict = "*MATCH*"
		}
		fmt.Fprintf(&b, "*%s* — %s, score %d (min %d)\n", slack.Escape(x.Name), verdict, x.Score, x.MinScore)
		for _, line := range x.Why() {
			fmt.Fprintf(&b, "    • %s\n", slack.Escape(line))
		}
	}
	return slack.FitReply(strings.TrimRight(b.String(), "\n")), nil
}
