package digest

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteJSON writes the whole digest — every item, no max_per_topic cap — as
// one JSON document in DESIGN.md's "run -format json" shape. Lists are
// always arrays, never null.
func (d *Digest) WriteJSON(w io.Writer) error {
	out := *d
	out.Topics = make([]Section, len(d.Topics))
	for i, s := range d.Topics {
		s.Items = append(make([]Entry, 0, len(s.Items)), s.Items...)
		for j := range s.Items {
			e := &s.Items[j]
			e.Terms = orEmpty(e.Terms)
			e.Tags = orEmpty(e.Tags)
			e.Also = orEmpty(e.Also)
		}
		out.Topics[i] = s
	}
	out.Feeds.Failed = orEmpty(out.Feeds.Failed)
	out.Feeds.Stale = orEmpty(out.Feeds.Stale)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("digest: write json: %w", err)
	}
	return nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// WriteText writes the digest for a terminal: a header with the title, date
// and window, one block per topic with at most maxPerTopic entries and a
// "+N more" line for the rest (maxPerTopic <= 0 means no cap), and a closing
// coverage line. Nothing from a feed reaches the output with a control
// character in it.
func (d *Digest) WriteText(w io.Writer, maxPerTopic int) error {
	var b strings.Builder
	now := d.GeneratedAt
	b.WriteString(heading(d, longDate))
	b.WriteByte('\n')
	if win := window(d.Window, now); win != "" {
		fmt.Fprintf(&b, "Window: %s\n", win)
	}
	if d.Empty() {
		b.WriteByte('\n')
		b.WriteString(nothingNew(d))
		b.WriteByte('\n')
	}
	for _, s := range d.Topics {
		if len(s.Items) == 0 {
			continue
		}
		label := cleanLine(s.Label, maxTitleRunes)
		if e := cleanLine(s.Emoji, maxTitleRunes); e != "" && !isShortcode(e) {
			label = e + " " + label
		}
		fmt.Fprintf(&b, "\n== %s (%d) ==\n", label, len(s.Items))
		shown, more := capped(s.Items, maxPerTopic)
		for _, e := range shown {
			fmt.Fprintf(&b, "\n- %s\n  %s\n", cleanLine(e.Title, maxTitleRunes), meta(e, now, " · ", plain, plainAlso))
			if u := cleanURL(e.URL); u != "" {
				fmt.Fprintf(&b, "  %s\n", u)
			}
		}
		if more > 0 {
			fmt.Fprintf(&b, "\n  +%d more\n", more)
		}
	}
	b.WriteByte('\n')
	b.WriteString(coverageLine(d.Feeds, now, plain))
	b.WriteByte('\n')
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("digest: write text: %w", err)
	}
	return nil
}

// WriteMarkdown writes the digest as CommonMark: a "# title — date" heading,
// the window, a "## emoji Label (N)" section per topic with at most
// maxPerTopic linked entries and a "+N more" line for the rest (maxPerTopic
// <= 0 means no cap), and a closing coverage line. Feed text is escaped so
// it cannot break or forge link syntax, and only http(s) links are linked.
func (d *Digest) WriteMarkdown(w io.Writer, maxPerTopic int) error {
	var b strings.Builder
	now := d.GeneratedAt
	fmt.Fprintf(&b, "# %s\n", escapeMarkdown(heading(d, longDate)))
	if win := window(d.Window, now); win != "" {
		fmt.Fprintf(&b, "\n*%s*\n", escapeMarkdown(win))
	}
	if d.Empty() {
		fmt.Fprintf(&b, "\n%s\n", escapeMarkdown(nothingNew(d)))
	}
	for _, s := range d.Topics {
		if len(s.Items) == 0 {
			continue
		}
		label := escapeMarkdown(cleanLine(s.Label, maxTitleRunes))
		if e := cleanLine(s.Emoji, maxTitleRunes); e != "" {
			label = e + " " + label
		}
		fmt.Fprintf(&b, "\n## %s (%d)\n\n", label, len(s.Items))
		shown, more := capped(s.Items, maxPerTopic)
		for _, e := range shown {
			fmt.Fprintf(&b, "- %s — %s\n", mdLink(e.Title, e.URL, maxTitleRunes), meta(e, now, ", ", escapeMarkdown, mdAlso))
		}
		if more > 0 {
			fmt.Fprintf(&b, "- +%d more\n", more)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", coverageLine(d.Feeds, now, escapeMarkdown))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("digest: write markdown: %w", err)
	}
	return nil
}

// capped splits items into those to show and the number left over.
func capped(items []Entry, max int) ([]Entry, int) {
	if max <= 0 || len(items) <= max {
		return items, 0
	}
	return items[:max], len(items) - max
}

func plain(s string) string { return s }

func plainAlso(l Link) string { return cleanLine(l.Source, maxSourceRunes) }

func mdAlso(l Link) string { return mdLink(l.Source, l.URL, maxSourceRunes) }

// mdLink is "[text](url)", or the escaped text alone when url is not a safe
// http(s) link.
func mdLink(text, link string, max int) string {
	t := escapeMarkdown(cleanLine(text, max))
	if u := markdownURL(link); u != "" {
		return "[" + t + "](" + u + ")"
	}
	return t
}

// outletCount is "N outlets".
func outletCount(n int) string { return strconv.Itoa(n) + " outlets" }

// meta is an entry's second line: "Source · 2h ago · N outlets · terms: … ·
// also: … · tags: …"; "N outlets" only when more than one carries the story.
// The text rendering separates source and age with " · ", Markdown with ", ".
func meta(e Entry, now time.Time, sep string, esc func(string) string, also func(Link) string) string {
	head := esc(cleanLine(e.Source, maxSourceRunes))
	if a := ago(e.Published, now); a != "" {
		head += sep + a
	}
	parts := []string{head}
	if e.Outlets > 1 {
		parts = append(parts, outletCount(e.Outlets))
	}
	if len(e.Terms) > 0 {
		terms := make([]string, len(e.Terms))
		for i, t := range e.Terms {
			terms[i] = esc(cleanLine(t, maxTitleRunes))
		}
		parts = append(parts, "terms: "+strings.Join(terms, ", "))
	}
	if len(e.Also) > 0 {
		as := make([]string, len(e.Also))
		for i, l := range e.Also {
			as[i] = also(l)
		}
		parts = append(parts, "also: "+strings.Join(as, ", "))
	}
	if len(e.Tags) > 0 {
		tags := make([]string, len(e.Tags))
		for i, t := range e.Tags {
			tags[i] = esc(cleanLine(t, maxTitleRunes))
		}
		parts = append(parts, "tags: "+strings.Join(tags, ", "))
	}
	return strings.Join(parts, " · ")
}

// Date layouts of the digest's heading: long for text and markdown, short
// for Slack's 150-character header.
const (
	longDate  = "Monday 2 January 2006"
	shortDate = "Mon 2 Jan 2006"
)

// heading is "Title — Sunday 22 November 2026", the date in layout.
func heading(d *Digest, layout string) string {
	title := cleanLine(d.Title, maxTitleRunes)
	if title == "" {
		title = "newsdigest"
	}
	if d.GeneratedAt.IsZero() {
		return title
	}
	return title + " — " + d.GeneratedAt.Format(layout)
}

// nothingNew is the line shown when no topic has items.
func nothingNew(d *Digest) string {
	now := d.GeneratedAt
	switch {
	case !d.Window.From.IsZero() && !d.Window.To.IsZero():
		return fmt.Sprintf("Nothing new matched between %s and %s.", stamp(d.Window.From, now), stamp(d.Window.To, now)+zone(d.Window.To))
	case !d.Window.To.IsZero():
		return fmt.Sprintf("Nothing new matched up to %s.", stamp(d.Window.To, now)+zone(d.Window.To))
	}
	return "Nothing new matched."
}

// window is "Sat 21 Nov 08:00 – Sun 22 Nov 08:00 CST", or "" when unknown.
func window(w Window, now time.Time) string {
	switch {
	case !w.From.IsZero() && !w.To.IsZero():
		return stamp(w.From, now) + " – " + stamp(w.To, now) + zone(w.To)
	case !w.To.IsZero():
		return "up to " + stamp(w.To, now) + zone(w.To)
	}
	return ""
}

// stamp is a short date and time, with the year only when it is not now's.
func stamp(t, now time.Time) string {
	if t.Year() != now.Year() {
		return t.Format("Mon 2 Jan 2006 15:04")
	}
	return t.Format("Mon 2 Jan 15:04")
}

func zone(t time.Time) string { return " " + t.Format("MST") }

// ago is how long before now t was, for people: "just now", "25m ago",
// "2h ago", "3 days ago", or the date when older than two weeks or in the
// future. It is computed from its arguments only.
func ago(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < -time.Minute || d >= 14*24*time.Hour:
		return t.Format("2 Jan 2006")
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// failingFor is how long a feed has been failing, for the coverage line:
// "" under an hour (a passing hiccup needs no alarm), then "3h", "2 days".
func failingFor(since, now time.Time) string {
	if since.IsZero() {
		return ""
	}
	switch d := now.Sub(since); {
	case d < time.Hour:
		return ""
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	default:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
}

// coverageLine is "Coverage: 38 of 40 feeds OK; failed: La Jornada (timed
// out after 20s), Proceso (HTTP 503); stale: …", with feed names and errors
// passed through esc.
func coverageLine(cv Coverage, now time.Time, esc func(string) string) string {
	var b strings.Builder
	b.WriteString("Coverage: ")
	if cv.Total == 0 {
		b.WriteString("no feeds were polled")
		return b.String()
	}
	fmt.Fprintf(&b, "%d of %d feeds OK", cv.OK, cv.Total)
	if cv.NotModified > 0 {
		fmt.Fprintf(&b, " (%d not modified)", cv.NotModified)
	}
	if len(cv.Failed) > 0 {
		// Feeds failing for the same reason (one host down behind several
		// searches, say) share one parenthesis, in the order first seen.
		var reasons []string
		names := map[string][]string{}
		for _, f := range cv.Failed {
			r := esc(cleanLine(f.Error, maxErrorRunes))
			if d := failingFor(f.FailingSince, now); d != "" {
				r += ", failing for " + d
			}
			if _, ok := names[r]; !ok {
				reasons = append(reasons, r)
			}
			names[r] = append(names[r], esc(cleanLine(f.Name, maxSourceRunes)))
		}
		fs := make([]string, len(reasons))
		for i, r := range reasons {
			fs[i] = fmt.Sprintf("%s (%s)", strings.Join(names[r], ", "), r)
		}
		b.WriteString("; failed: " + strings.Join(fs, ", "))
	}
	if len(cv.Stale) > 0 {
		ss := make([]string, len(cv.Stale))
		for i, s := range cv.Stale {
			last := "never OK"
			if !s.LastOK.IsZero() {
				last = "last OK " + stamp(s.LastOK, now)
			}
			ss[i] = fmt.Sprintf("%s (%s)", esc(cleanLine(s.Name, maxSourceRunes)), last)
		}
		b.WriteString("; stale: " + strings.Join(ss, ", "))
	}
	if rest := cv.Total - cv.OK - len(cv.Failed) - len(cv.Stale); rest > 0 {
		fmt.Fprintf(&b, "; %d not due this run", rest)
	}
	return b.String()
}
