package watcher

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"sync"
)

// illegalCharRef matches numeric character references to characters XML 1.0
// forbids (C0 controls other than tab, newline and carriage return), which
// make the XML parser give up on the whole document.
var illegalCharRef = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`&#(?:0*(?:[0-8]|1[124-9]|2[0-9]|3[01])|[xX]0*(?:[0-8]|[bBcC]|1[0-9a-fA-F]|[eEfF]));`)
})

// stripControls removes the C0 control characters XML 1.0 forbids, raw or
// as character references. Tab, newline and carriage return stay.
func stripControls(b []byte) []byte {
	clean := bytes.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return -1
		}
		if r == 0xFFFE || r == 0xFFFF {
			return -1
		}
		return r
	}, b)
	return illegalCharRef().ReplaceAll(clean, nil)
}

// repairXML rewrites a UTF-8 XML document that the feed parser rejected into
// a well-formed one, keeping as much as can be read:
//
//   - forbidden control characters are dropped;
//   - HTML entities XML does not declare (&ntilde; &nbsp; …) become the
//     characters they name, and a bare & becomes &amp;;
//   - end tags that close no open element are dropped, and elements left
//     open by a misplaced end tag are closed;
//   - a document that ends early (truncated, unterminated CDATA) is cut
//     after its last complete item or entry and its open elements are
//     closed, so the complete items are kept and no half-item is invented.
//
// cut reports whether anything was lost at the tail (more than the root's
// end tag); ok is false when
// nothing feed-like could be read.
func repairXML(body []byte) (fixed []byte, cut, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(stripControls(body)))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.AutoClose = nil

	var (
		out   bytes.Buffer
		stack []string // open element names, as written (prefix:local)
		// The output length and open elements just before the item or
		// entry now open, if any: where a broken tail is cut.
		itemLen    = -1
		itemStack  []string
		itemDepth  int
		sawElement bool
	)
	out.Grow(len(body) + len(body)/16)
	out.WriteString(`<?xml version="1.0" encoding="utf-8"?>`)
	closeAll := func(open []string) {
		for i := len(open) - 1; i >= 0; i-- {
			out.WriteString("</" + open[i] + ">")
		}
	}
	for {
		tok, err := d.RawToken()
		if err != nil {
			if err == io.EOF && len(stack) == 0 {
				break
			}
			// A syntax error or a cut-off document: keep what ended well,
			// dropping an item that has not.
			// Only a missing root end tag is no loss.
			cut = itemLen >= 0 || len(stack) > 1
			if itemLen >= 0 {
				out.Truncate(itemLen)
				closeAll(itemStack)
			} else {
				closeAll(stack)
			}
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := qname(t.Name)
			if name == "" {
				continue
			}
			sawElement = true
			if local := strings.ToLower(t.Name.Local); itemLen < 0 && (local == "item" || local == "entry") {
				itemLen = out.Len()
				itemStack = append(itemStack[:0], stack...)
				itemDepth = len(stack)
			}
			out.WriteString("<" + name)
			seen := make(map[string]bool, len(t.Attr))
			for _, a := range t.Attr {
				an := qname(a.Name)
				if an == "" || seen[an] {
					continue
				}
				seen[an] = true
				out.WriteString(" " + an + `="`)
				_ = xml.EscapeText(&out, []byte(a.Value))
				out.WriteString(`"`)
			}
			out.WriteString(">")
			stack = append(stack, name)
		case xml.EndElement:
			// An end tag closes the nearest open element of its name
			// within maxReopen levels; searching further would make a
			// deep document of stray end tags quadratic.
			name := qname(t.Name)
			i := len(stack) - 1
			for i >= 0 && i >= len(stack)-maxReopen && stack[i] != name {
				i--
			}
			if i < 0 || stack[i] != name {
				continue // closes nothing that is open
			}
			closeAll(stack[i+1:])
			out.WriteString("</" + name + ">")
			stack = stack[:i]
			if itemLen >= 0 && len(stack) <= itemDepth {
				itemLen = -1 // the item is complete
			}
		case xml.CharData:
			if len(stack) > 0 {
				_ = xml.EscapeText(&out, t)
			}
		case xml.Comment:
			if !bytes.Contains(t, []byte("--")) {
				out.WriteString("<!--")
				out.Write(t)
				out.WriteString("-->")
			}
		case xml.ProcInst, xml.Directive:
			// The declaration is rewritten above; a DOCTYPE only matters
			// for entities, which the decoder has already expanded or kept
			// as text.
		}
	}
	if !sawElement {
		return nil, cut, false
	}
	return out.Bytes(), cut, true
}

// maxReopen bounds how many open elements an end tag may implicitly close.
const maxReopen = 16

// qname is the element or attribute name as written, prefix included, or ""
// when it is not a usable XML name.
func qname(n xml.Name) string {
	name := n.Local
	if n.Space != "" {
		name = n.Space + ":" + n.Local
	}
	if name == "" || strings.ContainsAny(name, " \t\r\n<>&\"'/=") {
		return ""
	}
	return name
}
