package slack

import (
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

// Every outlet of a story is listed wherever the story is: in its entry,
// in a thread reply, in a webhook's compact "+N more" list. A story with
// more outlets than one block holds continues in context blocks, so that
// grouping never hides an item from the channel.

// alsoLinkBudget is how long an entry's list of other outlets may be, as
// links, before it lists them by name only.
const alsoLinkBudget = 6000

// atom is text that is never split between blocks: sep goes before it when
// it follows another atom in a block, cont when it starts a block after a
// split, and ids are the items delivered with the block that holds it.
type atom struct {
	sep, cont, text string
	ids             []string
}

// alsoAtoms are an entry's other outlets, linked to their copies when
// linked is true and the link is usable, else by name. The first follows
// its entry with " — also: ", the others with ", ".
func alsoAtoms(e digest.Entry, linked bool) []atom {
	var out []atom
	for i, l := range e.Also {
		src := feedText(l.Source, digest.MaxSourceRunes)
		if u := slackURL(l.URL); linked && u != "" && len16(u) <= compactMaxURL {
			src = "<" + u + "|" + linkLabel(src) + ">"
		}
		sep := ", "
		if i == 0 {
			sep = " — also: "
		}
		out = append(out, atom{sep: sep, cont: "… also: ", text: src})
	}
	return out
}

// packAtoms lays atoms out in context blocks within Slack's limit, the first
// starting with head, each block its own piece.
func packAtoms(head string, atoms []atom) []piece {
	var pieces []piece
	cur, n := head, 0
	var ids []string
	flush := func() {
		if cur != "" {
			pieces = append(pieces, piece{ids: ids}.add(contextBlock(cur)))
		}
		cur, n, ids = "", 0, nil
	}
	for _, a := range atoms {
		if n > 0 && len16(cur)+len16(a.sep)+len16(a.text) > slackMaxSectionText {
			flush()
		}
		if cur == "" {
			cur = a.cont
		} else {
			cur += a.sep
		}
		cur += a.text
		n++
		ids = append(ids, a.ids...)
	}
	flush()
	return pieces
}

// entryPieces are an entry's blocks, after lead's: its section, with the
// other outlets inline when they fit, else followed by context blocks
// listing them (linked while they fit alsoLinkBudget). The entry's items
// go with its last piece, so that a digest cut short by a failed post
// sends them again rather than never.
func entryPieces(lead piece, e digest.Entry, now time.Time) []piece {
	if t := itemTextWith(e, now, true, true, true); len(e.Also) == 0 || len16(t) <= slackMaxSectionText {
		p := lead.add(section(itemText(e, now, true)))
		p.ids = e.ItemIDs
		return []piece{p}
	}
	pieces := []piece{lead.add(section(itemText(e, now, false)))}
	linked := alsoAtoms(e, true)
	total := 0
	for _, a := range linked {
		total += len16(a.text) + 2
	}
	atoms := linked
	if total > alsoLinkBudget {
		atoms = alsoAtoms(e, false)
	}
	atoms[0].sep = " "
	atoms[len(atoms)-1].ids = e.ItemIDs
	return append(pieces, packAtoms("also:", atoms)...)
}
