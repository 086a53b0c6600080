package digest

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/newsdigest/newsdigest/classify"
)

// Slack's limits on one message, as DESIGN.md "Slack" states them. Lengths
// are counted in UTF-16 code units, which is never less than the number of
// characters Slack counts.
const (
	slackMaxBlocks      = 50
	slackMaxSectionText = 3000
	slackMaxHeaderText  = 150
	slackMaxText        = 3000  // fallback text; Slack refuses near 4,000
	slackMaxBlockText   = 11999 // all block texts of a message together; Slack refuses near 13,000
	// slackContinuedReserve is the room left in every later message of a
	// split digest for its "(continued, i/n)" context line.
	slackContinuedReserve = 32
)

// Message is one Slack message of a digest: blocks, the plain-text
// fallback, and the IDs of the stored items it carries (to mark delivered
// once Slack confirms it).
type Message struct {
	Text    string
	Blocks  []slack.Block
	ItemIDs []string
	Thread  bool // a thread reply under the first message of the digest (bot token only)
}

// SlackOptions shape a digest's Slack messages.
type SlackOptions struct {
	// MaxPerTopic is how many entries of a topic the digest message shows;
	// <= 0 shows them all.
	MaxPerTopic int
	// Threads: the entries beyond MaxPerTopic go into one thread reply per
	// topic (bot token). Without it (webhook) they follow the topic as a
	// compact "+N more:" list of links, and are delivered with the message.
	Threads bool
	// PostEmpty: an empty digest is posted as a "nothing new" note.
	PostEmpty bool
}

// Route is one Slack channel's share of a digest's input.
type Route struct {
	Channel string
	Input   Input
}

// Routes splits in by destination channel: a topic with its own Channel goes
// there, the others to defaultChannel. Each Route's Input keeps every
// candidate but only its channel's topics, so Build puts an item that
// matches topics in two channels once in each. Routes come in the order of
// their first topic in the config, defaultChannel first when any topic uses
// it. With no topics there is one Route, to defaultChannel.
func Routes(in Input, defaultChannel string) []Route {
	var routes []Route
	index := map[string]int{}
	for _, t := range in.Topics {
		ch := t.Channel
		if ch == "" {
			ch = defaultChannel
		}
		i, ok := index[ch]
		if !ok {
			i = len(routes)
			index[ch] = i
			r := in
			r.Topics = nil
			routes = append(routes, Route{Channel: ch, Input: r})
		}
		routes[i].Input.Topics = append(routes[i].Input.Topics, t)
	}
	if len(routes) == 0 {
		return []Route{{Channel: defaultChannel, Input: in}}
	}
	if i, ok := index[defaultChannel]; ok && i > 0 {
		def := routes[i]
		copy(routes[1:i+1], routes[:i])
		routes[0] = def
	}
	return routes
}

// SlackMessages renders a digest (already restricted to one channel's
// topics) into the messages to post, in order: the digest, split into as
// many messages as Slack's limits need, then with o.Threads one thread reply
// per topic for the entries beyond o.MaxPerTopic (each itself split when
// needed). Every message has a plain-text fallback. Text from feeds is
// stripped of HTML and escaped, so it can neither mention anyone nor forge
// a link. An empty digest gives nil unless o.PostEmpty.
func (d *Digest) SlackMessages(o SlackOptions) []Message {
	if d.Empty() && !o.PostEmpty {
		return nil
	}
	now := d.GeneratedAt
	title := heading(d, shortDate)
	main := &packer{}
	header := piece{}.add(slack.NewHeaderBlock(plainText(truncMrkdwn(mrkdwn(title), slackMaxHeaderText))))
	ctx := []string{}
	if win := window(d.Window, now); win != "" {
		ctx = append(ctx, "Window: "+mrkdwn(win))
	}
	if !d.Empty() {
		ctx = append(ctx, storyCount(d))
	}
	if len(ctx) > 0 {
		header = header.add(contextBlock(strings.Join(ctx, " · ")))
	}
	main.add(header)
	if d.Empty() {
		main.add(piece{}.add(section(mrkdwn(nothingNew(d)))))
	}
	type overflow struct {
		s    Section
		rest []Entry
		from int
	}
	var spill []overflow
	for _, s := range d.Topics {
		if len(s.Items) == 0 {
			continue
		}
		shown, more := capped(s.Items, o.MaxPerTopic)
		for i, e := range shown {
			p := piece{ids: e.ItemIDs}
			if i == 0 {
				p = p.add(slack.NewDividerBlock())
				p = p.add(section(topicHeading(s, fmt.Sprintf("(%d)", len(s.Items)))))
			}
			p = p.add(section(itemText(e, now)))
			main.add(p)
		}
		if more == 0 {
			continue
		}
		if o.Threads {
			main.add(piece{}.add(contextBlock(fmt.Sprintf("+%d more in the thread", more))))
			spill = append(spill, overflow{s, s.Items[len(shown):], len(shown) + 1})
		} else {
			for _, p := range compactOverflow(s.Items[len(shown):], now) {
				main.add(p)
			}
		}
	}
	main.add(piece{blocks: []slack.Block{slack.NewDividerBlock()}}.add(contextBlock(truncMrkdwn(coverageLine(d.Feeds, now, mrkdwn), slackMaxSectionText))))
	msgs := main.finish(func(i, n int) string {
		if i == 0 {
			return fallbackText(d, title)
		}
		return mrkdwn(title) + fmt.Sprintf(" (continued, %d/%d)", i+1, n)
	})
	for _, ov := range spill {
		th := &packer{thread: true}
		label := fmt.Sprintf("— %d more (%d–%d of %d)", len(ov.rest), ov.from, len(ov.s.Items), len(ov.s.Items))
		for i, e := range ov.rest {
			p := piece{ids: e.ItemIDs}
			if i == 0 {
				p = p.add(section(topicHeading(ov.s, label)))
			}
			p = p.add(section(itemText(e, now)))
			th.add(p)
		}
		name := mrkdwn(cleanLine(ov.s.Label, maxTitleRunes))
		msgs = append(msgs, th.finish(func(i, n int) string {
			t := fmt.Sprintf("%s: %d more", name, len(ov.rest))
			if n > 1 {
				t += fmt.Sprintf(" (%d/%d)", i+1, n)
			}
			return t
		})...)
	}
	return msgs
}

// compactLineRunes caps a title in the compact overflow list, and
// compactMaxURL the link behind it: a longer link (a hostile feed's, say,
// with '&' escaped to '&amp;') is left out and the title shown as text, so
// one line always fits a block.
const (
	compactLineRunes = 90
	compactMaxURL    = 1500
)

// compactOverflow renders a topic's items beyond the cap for a webhook, which
// has no threads: a "+N more" line listing them as short links, split into
// sections within Slack's limits. They are carried (and so delivered) like
// the others: nothing is hidden and nothing is left behind to go stale.
func compactOverflow(rest []Entry, now time.Time) []piece {
	var pieces []piece
	var b strings.Builder
	var ids []string
	flush := func() {
		if b.Len() > 0 {
			pieces = append(pieces, piece{ids: ids}.add(contextBlock(b.String())))
			b.Reset()
			ids = nil
		}
	}
	fmt.Fprintf(&b, "+%d more:", len(rest))
	for _, e := range rest {
		title := feedText(e.Title, compactLineRunes)
		line := title
		if u := slackURL(e.URL); u != "" && len16(u) <= compactMaxURL {
			line = "<" + u + "|" + linkLabel(title) + ">"
		}
		line += " (" + feedText(e.Source, maxSourceRunes) + ")"
		if len(ids) > 0 && len16(b.String())+len16(line)+3 > slackMaxSectionText {
			flush()
		}
		switch {
		case len(ids) > 0:
			b.WriteString(" · ")
		case b.Len() > 0:
			b.WriteString(" ")
		}
		b.WriteString(line)
		ids = append(ids, e.ItemIDs...)
	}
	flush()
	return pieces
}

// piece is blocks that stay together in one message, with the items they
// carry.
type piece struct {
	blocks []slack.Block
	chars  int
	ids    []string
}

// add appends a text-bearing block and counts its text.
func (p piece) add(b slack.Block) piece {
	p.blocks = append(p.blocks, b)
	p.chars += blockChars(b)
	return p
}

// packer fills messages with pieces, starting a new message before one
// would exceed Slack's block or text limits.
type packer struct {
	msgs   []Message
	chars  int
	thread bool
	// cont marks the messages that start with a placeholder for their
	// "(continued, i/n)" line.
	cont []bool
	// ids is the set of item IDs the last message carries.
	ids map[string]bool
}

func (k *packer) add(p piece) {
	if len(p.blocks) == 0 {
		return
	}
	n := len(k.msgs)
	if n == 0 || len(k.msgs[n-1].Blocks)+len(p.blocks) > slackMaxBlocks || k.chars+p.chars > slackMaxBlockText {
		k.msgs = append(k.msgs, Message{Thread: k.thread})
		k.cont = append(k.cont, n > 0)
		k.chars = 0
		k.ids = map[string]bool{}
		if n > 0 {
			k.msgs[n].Blocks = []slack.Block{nil} // the continued line, set in finish
			k.chars = slackContinuedReserve
		}
		n++
	}
	m := &k.msgs[n-1]
	m.Blocks = append(m.Blocks, p.blocks...)
	k.chars += p.chars
	for _, id := range p.ids {
		if !k.ids[id] {
			k.ids[id] = true
			m.ItemIDs = append(m.ItemIDs, id)
		}
	}
}

// finish sets each message's continued line and fallback text.
func (k *packer) finish(text func(i, n int) string) []Message {
	n := len(k.msgs)
	for i := range k.msgs {
		m := &k.msgs[i]
		if k.cont[i] {
			m.Blocks[0] = contextBlock(fmt.Sprintf("(continued, %d/%d)", i+1, n))
			if _, ok := m.Blocks[1].(*slack.DividerBlock); ok {
				m.Blocks = append(m.Blocks[:1], m.Blocks[2:]...)
			}
		}
		m.Text = truncMrkdwn(text(i, n), slackMaxText)
	}
	return k.msgs
}

// blockChars counts the text of the blocks this file makes.
func blockChars(b slack.Block) int {
	switch b := b.(type) {
	case *slack.HeaderBlock:
		return len16(b.Text.Text)
	case *slack.SectionBlock:
		return len16(b.Text.Text)
	case *slack.ContextBlock:
		n := 0
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slack.TextBlockObject); ok {
				n += len16(t.Text)
			}
		}
		return n
	}
	return 0
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// section is a mrkdwn section. Verbatim stops Slack from turning bare URLs
// and #channel names into links.
func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, true), nil, nil)
}

func contextBlock(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, text, false, true))
}

// storyCount is "6 stories in 3 topics".
func storyCount(d *Digest) string {
	stories, topics := 0, 0
	for _, s := range d.Topics {
		if len(s.Items) > 0 {
			stories += len(s.Items)
			topics++
		}
	}
	return fmt.Sprintf("%d %s in %d %s", stories, plural(stories, "story", "stories"), topics, plural(topics, "topic", "topics"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// topicHeading is "*:rotating_light: Cartels &amp; organized crime* (4)".
func topicHeading(s Section, count string) string {
	label := mrkdwn(cleanLine(s.Label, maxTitleRunes))
	if e := mrkdwn(cleanLine(s.Emoji, maxTitleRunes)); e != "" {
		label = e + " " + label
	}
	return "*" + label + "* " + count
}

// itemText is an entry's section: its linked title, then "Source · 2h ago ·
// N outlets · _terms_ · tags: … · also: <url|Outlet>, …". When that is too long for a
// section the other outlets lose their links, then the title its link, and
// what is left is cut.
func itemText(e Entry, now time.Time) string {
	for _, links := range []struct{ title, also bool }{{true, true}, {true, false}, {false, false}} {
		t := itemTextWith(e, now, links.title, links.also)
		if len16(t) <= slackMaxSectionText {
			return t
		}
	}
	return truncMrkdwn(itemTextWith(e, now, false, false), slackMaxSectionText)
}

func itemTextWith(e Entry, now time.Time, linkTitle, linkAlso bool) string {
	var b strings.Builder
	title := feedText(e.Title, maxTitleRunes)
	if u := slackURL(e.URL); linkTitle && u != "" {
		b.WriteString("<" + u + "|" + linkLabel(title) + ">")
	} else {
		b.WriteString(title)
	}
	b.WriteString("\n" + feedText(e.Source, maxSourceRunes))
	if a := ago(e.Published, now); a != "" {
		b.WriteString(" · " + a)
	}
	if e.Outlets > 1 {
		b.WriteString(" · " + outletCount(e.Outlets))
	}
	if len(e.Terms) > 0 {
		terms := make([]string, len(e.Terms))
		for i, t := range e.Terms {
			terms[i] = mrkdwn(cleanLine(t, maxTitleRunes))
		}
		b.WriteString(" · _" + strings.Join(terms, ", ") + "_")
	}
	if len(e.Tags) > 0 {
		tags := make([]string, len(e.Tags))
		for i, t := range e.Tags {
			tags[i] = mrkdwn(cleanLine(t, maxTitleRunes))
		}
		b.WriteString(" · tags: " + strings.Join(tags, ", "))
	}
	if len(e.Also) > 0 {
		as := make([]string, len(e.Also))
		for i, l := range e.Also {
			src := feedText(l.Source, maxSourceRunes)
			if u := slackURL(l.URL); linkAlso && u != "" {
				src = "<" + u + "|" + linkLabel(src) + ">"
			}
			as[i] = src
		}
		b.WriteString(" · also: " + strings.Join(as, ", "))
	}
	return b.String()
}

// fallbackText is the first message's plain text: the heading, the count
// per topic and the first titles, as many as fit.
func fallbackText(d *Digest, title string) string {
	var b strings.Builder
	b.WriteString(mrkdwn(title))
	if d.Empty() {
		b.WriteString("\n" + mrkdwn(nothingNew(d)))
		return b.String()
	}
	counts := []string{}
	for _, s := range d.Topics {
		if len(s.Items) > 0 {
			counts = append(counts, fmt.Sprintf("%s (%d)", mrkdwn(cleanLine(s.Label, maxTitleRunes)), len(s.Items)))
		}
	}
	b.WriteString("\n" + storyCount(d) + ": " + strings.Join(counts, ", "))
	for _, s := range d.Topics {
		for _, e := range s.Items {
			line := "\n• " + feedText(e.Title, maxTitleRunes) + " (" + feedText(e.Source, maxSourceRunes) + ")"
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
	return mrkdwn(cleanLine(p, max))
}

// linkLabel keeps escaped text from ending a link's label early: "|" is
// the separator between URL and label, so it becomes "∣" (U+2223).
func linkLabel(s string) string { return strings.ReplaceAll(s, "|", "∣") }

// slackURL returns link as a Slack link target, or "" unless it is an
// absolute http(s) URL: characters that would end the target ("|", ">",
// "<", spaces) are percent-encoded and "&" is escaped as Slack requires.
func slackURL(link string) string {
	s := cleanURL(link)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) {
		return ""
	}
	return urlEscaper.Replace(s)
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
	if len16(s) <= max {
		return s
	}
	n, i := 0, 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if n+utf16.RuneLen(r) > max-1 {
			break
		}
		n += utf16.RuneLen(r)
		i += size
	}
	return strings.TrimRight(s[:i], " ") + "…"
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
