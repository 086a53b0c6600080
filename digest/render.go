package digest

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteText writes the digest for a terminal: a header with the title, date
// and window, one block per topic with at most maxPerTopic entries and a
// compact "+N more:" list of the rest (maxPerTopic <= 0 means no cap), and
// a closing coverage line. Nothing from a feed reaches the output with a
// control character in it.
func (d *Digest) WriteText(w io.Writer, maxPerTopic int) error {
	var b strings.Builder
	now := d.GeneratedAt
	b.WriteString(d.Heading(LongDate))
	b.WriteByte('\n')
	if win := d.WindowLine(); win != "" {
		fmt.Fprintf(&b, "Window: %s\n", win)
	}
	if d.Empty() {
		b.WriteByte('\n')
		b.WriteString(d.NothingNew())
		b.WriteByte('\n')
	}
	for _, s := range d.Topics {
		if len(s.Items) == 0 {
			continue
		}
		label := CleanLine(s.Label, MaxTitleRunes)
		if e := CleanLine(s.Emoji, MaxTitleRunes); e != "" && !isShortcode(e) {
			label = e + " " + label
		}
		fmt.Fprintf(&b, "\n== %s (%d) ==\n", label, len(s.Items))
		shown, more := s.Shown(maxPerTopic)
		for _, e := range shown {
			fmt.Fprintf(&b, "\n- %s\n  %s\n", CleanLine(e.Title, MaxTitleRunes), e.Meta(now, textMeta))
			if u := CleanURL(e.URL); u != "" {
				fmt.Fprintf(&b, "  %s\n", u)
			}
		}
		if more > 0 {
			// The rest, one line each, with every outlet: a capped
			// digest hides no story, and no story hides an outlet.
			fmt.Fprintf(&b, "\n  +%d more:\n", more)
			for _, e := range s.Items[len(shown):] {
				fmt.Fprintf(&b, "  · %s\n", e.compact(CleanLine(e.Title, MaxTitleRunes), textMeta))
				if u := CleanURL(e.URL); u != "" {
					fmt.Fprintf(&b, "    %s\n", u)
				}
			}
		}
	}
	if d.Alerts != nil {
		writeAlerts(&b, *d.Alerts, "\n== %s ==\n", func(a Alert) string {
			line := "\n- " + alertHead(a, CleanLine) + "\n  " + alertMeta(a, textMeta) + "\n"
			if u := CleanURL(a.URL); u != "" {
				line += "  " + u + "\n"
			}
			return line
		})
	}
	b.WriteByte('\n')
	b.WriteString(d.CoverageLine(func(s string) string { return s }))
	b.WriteByte('\n')
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("digest: write text: %w", err)
	}
	return nil
}

// WriteMarkdown writes the digest as CommonMark: a "# title — date" heading,
// the window, a "## emoji Label (N)" section per topic with at most
// maxPerTopic linked entries and a compact "+N more:" list of the rest
// (maxPerTopic <= 0 means no cap), and a closing coverage line. Feed text is
// escaped so it cannot break or forge link syntax, and only http(s) links
// are linked.
func (d *Digest) WriteMarkdown(w io.Writer, maxPerTopic int) error {
	var b strings.Builder
	now := d.GeneratedAt
	fmt.Fprintf(&b, "# %s\n", escapeMarkdown(d.Heading(LongDate)))
	if win := d.WindowLine(); win != "" {
		fmt.Fprintf(&b, "\n*%s*\n", escapeMarkdown(win))
	}
	if d.Empty() {
		fmt.Fprintf(&b, "\n%s\n", escapeMarkdown(d.NothingNew()))
	}
	for _, s := range d.Topics {
		if len(s.Items) == 0 {
			continue
		}
		label := escapeMarkdown(CleanLine(s.Label, MaxTitleRunes))
		if e := CleanLine(s.Emoji, MaxTitleRunes); e != "" {
			label = e + " " + label
		}
		fmt.Fprintf(&b, "\n## %s (%d)\n\n", label, len(s.Items))
		shown, more := s.Shown(maxPerTopic)
		for _, e := range shown {
			fmt.Fprintf(&b, "- %s — %s\n", mdLink(e.Title, e.URL, MaxTitleRunes), e.Meta(now, markdownMeta))
		}
		if more > 0 {
			rest := make([]string, 0, more)
			for _, e := range s.Items[len(shown):] {
				rest = append(rest, e.compact(mdLink(e.Title, e.URL, MaxTitleRunes), markdownMeta))
			}
			fmt.Fprintf(&b, "- +%d more: %s\n", more, strings.Join(rest, " · "))
		}
	}
	if d.Alerts != nil {
		writeAlerts(&b, *d.Alerts, "\n## %s\n\n", func(a Alert) string {
			head := alertHead(a, func(s string, max int) string { return escapeMarkdown(CleanLine(s, max)) })
			if u := markdownURL(a.URL); u != "" {
				head = "[" + head + "](" + u + ")"
			}
			return "- " + head + " — " + alertMeta(a, markdownMeta) + "\n"
		})
	}
	fmt.Fprintf(&b, "\n%s\n", d.CoverageLine(escapeMarkdown))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("digest: write markdown: %w", err)
	}
	return nil
}

// Shown splits the section's entries into those a capped rendering shows
// (at most max; max <= 0 shows all) and the number left over.
func (s Section) Shown(max int) ([]Entry, int) {
	if max <= 0 || len(s.Items) <= max {
		return s.Items, 0
	}
	return s.Items[:max], len(s.Items) - max
}

// mdLink is "[text](url)", or the escaped text alone when url is not a safe
// http(s) link.
func mdLink(text, link string, max int) string {
	t := escapeMarkdown(CleanLine(text, max))
	if u := markdownURL(link); u != "" {
		return "[" + t + "](" + u + ")"
	}
	return t
}

// MetaStyle is how one rendering writes an entry's meta line.
type MetaStyle struct {
	// Text makes one line of feed or config text, at most max runes, safe
	// for the rendering (escaped).
	Text func(s string, max int) string
	// SourceSep separates the source from its age: " · ", or ", ".
	SourceSep string
	// Terms wraps the joined terms: "terms: a, b" in text, "_a, b_" in Slack.
	Terms func(joined string) string
	// Also writes another outlet's copy: its name, or a link to it.
	Also func(l Link) string
}

// Meta is an entry's second line, the same in every rendering: "Source ·
// 2h ago · N outlets · terms · tags: … · also: …", with "N outlets" only
// when more than one outlet carries the story, and, for a story an alert
// already carried, "⚡ alerted 14:05 (in #mx-alerts) · " first.
func (e Entry) Meta(now time.Time, st MetaStyle) string {
	head := st.Text(e.Source, MaxSourceRunes)
	if a := ago(e.Published, now); a != "" {
		head += st.SourceSep + a
	}
	parts := []string{head}
	if a := e.Alerted; a != nil {
		mark := "⚡ alerted " + clock(a.At, now)
		if a.Channel != "" {
			mark += " in " + st.Text(a.Channel, MaxSourceRunes)
		}
		parts = append([]string{mark}, parts...)
	}
	if e.Outlets > 1 {
		parts = append(parts, strconv.Itoa(e.Outlets)+" outlets")
	}
	texts := func(ss []string) string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = st.Text(s, MaxTitleRunes)
		}
		return strings.Join(out, ", ")
	}
	if len(e.Terms) > 0 {
		parts = append(parts, st.Terms(texts(e.Terms)))
	}
	if len(e.Tags) > 0 {
		parts = append(parts, "tags: "+texts(e.Tags))
	}
	if len(e.Also) > 0 {
		as := make([]string, len(e.Also))
		for i, l := range e.Also {
			as[i] = st.Also(l)
		}
		parts = append(parts, "also: "+strings.Join(as, ", "))
	}
	return strings.Join(parts, " · ")
}

// compact is an entry in a "+N more" list: its title (already rendered),
// its source and every other outlet that carries the story.
func (e Entry) compact(title string, st MetaStyle) string {
	out := title + " (" + st.Text(e.Source, MaxSourceRunes)
	for i, l := range e.Also {
		if i == 0 {
			out += "; also: "
		} else {
			out += ", "
		}
		out += st.Also(l)
	}
	return out + ")"
}

// textMeta and markdownMeta are the meta line styles of WriteText and
// WriteMarkdown.
var (
	textMeta = MetaStyle{
		Text:      CleanLine,
		SourceSep: " · ",
		Terms:     func(j string) string { return "terms: " + j },
		Also:      func(l Link) string { return CleanLine(l.Source, MaxSourceRunes) },
	}
	markdownMeta = MetaStyle{
		Text:      func(s string, max int) string { return escapeMarkdown(CleanLine(s, max)) },
		SourceSep: ", ",
		Terms:     func(j string) string { return "terms: " + j },
		Also:      func(l Link) string { return mdLink(l.Source, l.URL, MaxSourceRunes) },
	}
)

// Date layouts of the digest's heading: long for text and markdown, short
// for Slack's 150-character header.
const (
	LongDate  = "Monday 2 January 2006"
	ShortDate = "Mon 2 Jan 2006"
)

// Heading is "Title — Sunday 22 November 2026", the date in layout
// (LongDate or ShortDate).
func (d *Digest) Heading(layout string) string {
	title := CleanLine(d.Title, MaxTitleRunes)
	if title == "" {
		title = "newsdigest"
	}
	if d.GeneratedAt.IsZero() {
		return title
	}
	return title + " — " + d.GeneratedAt.Format(layout)
}

// NothingNew is the line shown when no topic has items.
func (d *Digest) NothingNew() string {
	now := d.GeneratedAt
	switch {
	case !d.Window.From.IsZero() && !d.Window.To.IsZero():
		return fmt.Sprintf("Nothing new matched between %s and %s.", stamp(d.Window.From, now), stamp(d.Window.To, now)+zone(d.Window.To))
	case !d.Window.To.IsZero():
		return fmt.Sprintf("Nothing new matched up to %s.", stamp(d.Window.To, now)+zone(d.Window.To))
	}
	return "Nothing new matched."
}

// WindowLine is "Sat 21 Nov 08:00 – Sun 22 Nov 08:00 CST", or "" when the
// window is unknown.
func (d *Digest) WindowLine() string {
	return windowLine(d.Window, d.GeneratedAt)
}

func windowLine(w Window, now time.Time) string {
	switch {
	case !w.From.IsZero() && !w.To.IsZero():
		return stamp(w.From, now) + " – " + stamp(w.To, now) + zone(w.To)
	case !w.To.IsZero():
		return "up to " + stamp(w.To, now) + zone(w.To)
	}
	return ""
}

// clock is a time of day, with the day when it is not now's: "14:05",
// "Sat 14:05", "Sat 21 Nov 14:05" a week or more before.
func clock(t, now time.Time) string {
	y, m, d := t.Date()
	ny, nm, nd := now.Date()
	switch {
	case y == ny && m == nm && d == nd:
		return t.Format("15:04")
	case now.Sub(t) < 6*24*time.Hour && now.Sub(t) > 0:
		return t.Format("Mon 15:04")
	}
	return stamp(t, now)
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

// CoverageLine is "Coverage: 38 of 40 feeds OK; failed: La Jornada (timed
// out after 20s), Proceso (HTTP 503); stale: …", with feed names and errors
// passed through esc.
func (d *Digest) CoverageLine(esc func(string) string) string {
	cv, now := d.Feeds, d.GeneratedAt
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
			r := esc(CleanLine(f.Error, maxErrorRunes))
			if d := failingFor(f.FailingSince, now); d != "" {
				r += ", failing for " + d
			}
			if _, ok := names[r]; !ok {
				reasons = append(reasons, r)
			}
			names[r] = append(names[r], esc(CleanLine(f.Name, MaxSourceRunes)))
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
			ss[i] = fmt.Sprintf("%s (%s)", esc(CleanLine(s.Name, MaxSourceRunes)), last)
		}
		b.WriteString("; stale: " + strings.Join(ss, ", "))
	}
	if rest := cv.Total - cv.OK - len(cv.Failed) - len(cv.Stale); rest > 0 {
		fmt.Fprintf(&b, "; %d not due this run", rest)
	}
	return b.String()
}

// writeAlerts writes a dry run's alert plan: a heading (in the rendering's
// format) and one entry per alert, those held last with the reason.
func writeAlerts(b *strings.Builder, p AlertPlan, heading string, entry func(Alert) string) {
	title := fmt.Sprintf("Alerts: %d would be posted now", len(p.Post))
	if len(p.Held) > 0 {
		title += fmt.Sprintf(", %d held", len(p.Held))
	}
	fmt.Fprintf(b, heading, title)
	if len(p.Post)+len(p.Held) == 0 {
		b.WriteString("\nNo story qualifies now.\n")
	}
	for _, a := range p.Post {
		b.WriteString(entry(a))
	}
	for _, a := range p.Held {
		b.WriteString(entry(a))
	}
}

// alertHead is an alert's title line: "⚡ Title", "↳ Title" for a growth
// reply, with the reason when it is held.
func alertHead(a Alert, text func(string, int) string) string {
	head := "⚡ " + text(a.Title, MaxTitleRunes)
	if a.Kind == AlertReply {
		head = "↳ " + text(a.Title, MaxTitleRunes)
	}
	switch a.Held {
	case HeldQuiet:
		head += " (held: quiet hours until " + a.HeldUntil.Format("15:04") + ")"
	case HeldCap:
		head += " (held: the channel's hourly cap)"
	}
	if a.Kind == AlertSummary {
		head += " (in a summary: over the channel's hourly cap)"
	}
	return head
}

// alertMeta is an alert's second line: "#mx-alerts · rule troops · 4
// outlets in 38 min: AP, Reuters, … · terms: troops".
func alertMeta(a Alert, st MetaStyle) string {
	outlets := make([]string, len(a.Outlets))
	for i, l := range a.Outlets {
		outlets[i] = st.Also(l)
	}
	parts := []string{st.Text(a.Channel, MaxSourceRunes), "rule " + st.Text(a.Rule, MaxTitleRunes),
		a.Growth() + ": " + strings.Join(outlets, ", ")}
	if a.Kind == AlertReply {
		news := make([]string, len(a.New))
		for i, l := range a.New {
			news[i] = st.Also(l)
		}
		parts = append(parts, "new since the alert: "+strings.Join(news, ", "))
	}
	if len(a.Terms) > 0 {
		ts := make([]string, len(a.Terms))
		for i, t := range a.Terms {
			ts[i] = st.Text(t, MaxTitleRunes)
		}
		parts = append(parts, st.Terms(strings.Join(ts, ", ")))
	}
	return strings.Join(parts, " · ")
}
