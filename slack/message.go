// Package slack renders a digest as Slack messages within Slack's limits,
// with everything from feeds escaped, and posts them: one attempt per call,
// each failure classified as final or worth retrying. It owns every byte
// newsdigest sends to Slack; when to retry, and what to record, is the
// caller's.
package slack

import (
	"fmt"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/newsdigest/newsdigest/digest"
)

// Slack's limits on one message, as docs/DESIGN.md "Slack" states them. Lengths
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
	Blocks  []slackapi.Block
	ItemIDs []string
	Thread  bool // a thread reply under the first message of the digest (bot token only)
	// Tag is the message's identity in the channel, sent as its metadata so
	// that it can be found again when Slack's answer was lost (bot token
	// only). The caller sets it; zero sends none.
	Tag Tag `json:"-"`
}

// Tag identifies one message of one digest: Slack keeps it as the message's
// metadata (event type EventType).
type Tag struct {
	Digest string `json:"digest"`
	Part   int    `json:"part"`
}

// EventType is the metadata event type of newsdigest's messages.
const EventType = "newsdigest_message"

// Options shape a digest's Slack messages.
type Options struct {
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

// Messages renders a digest (already restricted to one channel's
// topics) into the messages to post, in order: the digest, split into as
// many messages as Slack's limits need, then with o.Threads one thread reply
// per topic for the entries beyond o.MaxPerTopic (each itself split when
// needed). Every message has a plain-text fallback. Text from feeds is
// stripped of HTML and escaped, so it can neither mention anyone nor forge
// a link. An empty digest gives nil unless o.PostEmpty.
func Messages(d *digest.Digest, o Options) []Message {
	if d.Empty() && !o.PostEmpty {
		return nil
	}
	now := d.GeneratedAt
	title := d.Heading(digest.ShortDate)
	main := &packer{}
	header := piece{}.add(slackapi.NewHeaderBlock(plainText(truncMrkdwn(mrkdwn(title), slackMaxHeaderText))))
	ctx := []string{}
	if win := d.WindowLine(); win != "" {
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
		main.add(piece{}.add(section(mrkdwn(d.NothingNew()))))
	}
	type overflow struct {
		s    digest.Section
		rest []digest.Entry
		from int
	}
	var spill []overflow
	for _, s := range d.Topics {
		if len(s.Items) == 0 {
			continue
		}
		shown, more := s.Shown(o.MaxPerTopic)
		for i, e := range shown {
			var lead piece
			if i == 0 {
				lead = lead.add(slackapi.NewDividerBlock())
				lead = lead.add(section(topicHeading(s, fmt.Sprintf("(%d)", len(s.Items)))))
			}
			for _, p := range entryPieces(lead, e, now) {
				main.add(p)
			}
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
	main.add(piece{blocks: []slackapi.Block{slackapi.NewDividerBlock()}}.add(contextBlock(truncMrkdwn(d.CoverageLine(mrkdwn), slackMaxSectionText))))
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
			var lead piece
			if i == 0 {
				lead = lead.add(section(topicHeading(ov.s, label)))
			}
			for _, p := range entryPieces(lead, e, now) {
				th.add(p)
			}
		}
		name := mrkdwn(digest.CleanLine(ov.s.Label, digest.MaxTitleRunes))
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
// compactMaxURL the link behind it (or behind an outlet's name): a longer
// link (a hostile feed's, say, with '&' escaped to '&amp;') is left out and
// the text shown alone, so one line always fits a block.
const (
	compactLineRunes = 90
	compactMaxURL    = 1500
)

// compactOverflow renders a topic's items beyond the cap for a webhook, which
// has no threads: a "+N more:" list of short links, each with the other
// outlets that carry its story, split into context blocks within Slack's
// limits. They are carried (and so delivered) like the others: nothing is
// hidden and nothing is left behind to go stale.
func compactOverflow(rest []digest.Entry, now time.Time) []piece {
	var atoms []atom
	for k, e := range rest {
		title := feedText(e.Title, compactLineRunes)
		line := title
		if u := slackURL(e.URL); u != "" && len16(u) <= compactMaxURL {
			line = "<" + u + "|" + linkLabel(title) + ">"
		}
		line += " (" + feedText(e.Source, digest.MaxSourceRunes) + ")"
		sep := " · "
		if k == 0 {
			sep = " "
		}
		atoms = append(atoms, atom{sep: sep, text: line})
		atoms = append(atoms, alsoAtoms(e, true)...)
		atoms[len(atoms)-1].ids = e.ItemIDs
	}
	return packAtoms(fmt.Sprintf("+%d more:", len(rest)), atoms)
}

// piece is blocks that stay together in one message, with the items they
// carry.
type piece struct {
	blocks []slackapi.Block
	chars  int
	ids    []string
}

// add appends a text-bearing block and counts its text.
func (p piece) add(b slackapi.Block) piece {
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
			k.msgs[n].Blocks = []slackapi.Block{nil} // the continued line, set in finish
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
			if _, ok := m.Blocks[1].(*slackapi.DividerBlock); ok {
				m.Blocks = append(m.Blocks[:1], m.Blocks[2:]...)
			}
		}
		m.Text = truncMrkdwn(text(i, n), slackMaxText)
	}
	return k.msgs
}
