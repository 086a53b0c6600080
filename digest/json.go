package digest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes the whole digest — every item, no max_per_topic cap — as
// one JSON document in docs/DESIGN.md's "run -format json" shape. Lists are
// always arrays, never null.
//
// The document is what one json.Encoder (HTML left unescaped, indented by
// two spaces) writes of the whole digest, but the entries, most of a large
// digest's document, are encoded on every CPU: the rest of the document is
// encoded with each section's items empty, and each section's entries,
// indented as deep as they sit, go between its brackets.
func (d *Digest) WriteJSON(w io.Writer) error {
	out := *d
	out.Topics = make([]Section, len(d.Topics))
	items := make([][]Entry, len(d.Topics))
	for i, s := range d.Topics {
		items[i] = append(make([]Entry, 0, len(s.Items)), s.Items...)
		for j := range items[i] {
			e := &items[i][j]
			e.Terms = orEmpty(e.Terms)
			e.Tags = orEmpty(e.Tags)
			e.Also = orEmpty(e.Also)
		}
		s.Items = []Entry{}
		out.Topics[i] = s
	}
	out.Feeds.Failed = orEmpty(out.Feeds.Failed)
	out.Feeds.Stale = orEmpty(out.Feeds.Stale)
	if d.Alerts != nil {
		out.Alerts = &AlertPlan{Post: orEmpty(d.Alerts.Post), Held: orEmpty(d.Alerts.Held)}
	}
	var doc bytes.Buffer
	if err := newEncoder(&doc, "").Encode(out); err != nil {
		return fmt.Errorf("digest: write json: %w", err)
	}
	rest := doc.Bytes()
	for _, es := range items {
		// The section's empty list: `"items": []`, on a line of its own.
		// Nothing before it can read so: inside an encoded string every
		// '"' is escaped, so these bytes can only be a key named items
		// with an empty list, and only Section has that key (the header,
		// and a section's name, label, emoji and total, come before it;
		// feeds, stats and alerts after every section). Should that
		// change (a header field named items), the check below would not
		// see it, as every key of the indented document starts its line:
		// TestWriteJSONOneEncoder and FuzzBuildRender, which hold the
		// whole document to one encoder's, would.
		at := bytes.Index(rest, emptyItems)
		line := bytes.LastIndexByte(rest[:max(at, 0)], '\n')
		if at < 0 || line < 0 || len(bytes.Trim(rest[line+1:at], " ")) > 0 {
			return fmt.Errorf("digest: write json: a section's items are not where they belong")
		}
		open := at + len(emptyItems) - 1 // the "]"
		if _, err := w.Write(rest[:open]); err != nil {
			return fmt.Errorf("digest: write json: %w", err)
		}
		if err := writeEntries(w, es, string(rest[line+1:at])); err != nil {
			return err
		}
		rest = rest[open:]
	}
	if _, err := w.Write(rest); err != nil {
		return fmt.Errorf("digest: write json: %w", err)
	}
	return nil
}

// emptyItems is how an indented section's empty list of entries reads.
var emptyItems = []byte(`"items": []`)

// entriesChunk is how many entries one goroutine encodes at a time.
const entriesChunk = 256

// writeEntries writes the elements of a list of entries whose line starts
// with indent, each on its own lines, as the one encoder of the whole
// document would; nothing when es is empty.
func writeEntries(w io.Writer, es []Entry, indent string) error {
	chunks := make([]bytes.Buffer, (len(es)+entriesChunk-1)/entriesChunk)
	errs := make([]error, len(chunks))
	inChunks(len(es), entriesChunk, func(lo, hi int) {
		c := lo / entriesChunk
		b := &chunks[c]
		enc := newEncoder(b, indent+"  ")
		for j := lo; j < hi; j++ {
			b.WriteString("\n" + indent + "  ")
			if err := enc.Encode(&es[j]); err != nil {
				errs[c] = fmt.Errorf("digest: write json: %w", err)
				return
			}
			b.Truncate(b.Len() - 1) // the encoder's newline
			if j < len(es)-1 {
				b.WriteByte(',')
			}
		}
	})
	for c := range chunks {
		if errs[c] != nil {
			return errs[c]
		}
		if _, err := chunks[c].WriteTo(w); err != nil {
			return fmt.Errorf("digest: write json: %w", err)
		}
	}
	if len(es) > 0 {
		if _, err := io.WriteString(w, "\n"+indent); err != nil {
			return fmt.Errorf("digest: write json: %w", err)
		}
	}
	return nil
}

// newEncoder is the document's encoder: HTML unescaped, indented by two
// spaces, the lines after a value's first starting with prefix.
func newEncoder(w io.Writer, prefix string) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	return enc
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
