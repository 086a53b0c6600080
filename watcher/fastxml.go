package watcher

import (
	"bytes"
	"net/url"
	"strings"
)

// xscan reads the part of XML that gofeed's decoder (encoding/xml,
// non-strict, behind goxpp) reads without error and without guessing, and
// nothing else: every construct it is not sure to see exactly as that
// decoder does makes it give up (tBad), and the caller hands the body to
// gofeed. It accepts ASCII names with at most one prefix, quoted attribute
// values, character and entity references (a numeric reference must name a
// character XML allows, as the decoder requires), comments, processing
// instructions, CDATA sections, and a DOCTYPE without an internal subset
// before the root. It refuses C0 controls and U+FFFE/U+FFFF anywhere (gofeed
// drops the former before decoding, the decoder refuses the latter),
// mismatched end tags (which the non-strict decoder reinterprets), unquoted
// or valueless attributes, namespace declarations gofeed would trim or
// that bind the reserved prefixes, nesting deeper than maxFastDepth, and a
// document that ends before its root does. It keeps the namespaces and
// xml:base values in scope (fastscope.go) as goxpp does.
//
// The scanner never reads past b and never panics on any input
// (FuzzFastParse).
type xscan struct {
	b   []byte
	pos int

	open  []span   // raw names of the open elements, root first
	ns    []nsDecl // namespace declarations in scope, innermost last
	bases []baseAt // xml:base values in scope, innermost last
	attrs []xattr  // attributes of the last start tag

	// The last token: the name of a start or end tag, the content of text
	// or CDATA, and where an end tag began.
	prefix, local span
	text          span
	tagStart      int
	pendingEnd    bool // the last start tag closed itself
}

type span struct{ lo, hi int }

type xattr struct {
	prefix, local span
	val           span // raw, between the quotes
}

type nsDecl struct {
	prefix, uri string
	depth       int // len(open) of the element that declared it
}

// baseAt is an xml:base in scope: goxpp's, resolved against the one
// around it.
type baseAt struct {
	u     *url.URL
	depth int // len(open) of the element that set it
}

type tok int

const (
	tBad   tok = iota // anything the scanner does not read exactly
	tText             // character data; content in text
	tCDATA            // a CDATA section; content in text
	tStart            // a start tag; name in prefix/local, attributes in attrs
	tEnd              // the end tag of the innermost open element
	tOther            // a comment or processing instruction
)

// maxFastDepth bounds element nesting; deeper documents go to gofeed.
const maxFastDepth = 64

// detectionPeek is how many bytes gofeed reads to detect the feed type
// (gofeed's detectionPeekSize): a root start tag that ends beyond it makes
// gofeed fail, so the fast path declines it.
const detectionPeek = 4096

const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

// Byte classes for the text scanners.
const (
	clPlain = iota
	clStop  // '<'
	clAmp   // '&'
	clBrack // ']'
	clEF    // first byte of U+FFFE/U+FFFF
	clCtl   // C0 control other than tab, LF, CR
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		if c != '\t' && c != '\n' && c != '\r' {
			t[c] = clCtl
		}
	}
	t['<'] = clStop
	t['&'] = clAmp
	t[']'] = clBrack
	t[0xEF] = clEF
	return t
}()

func (s *xscan) b2s(sp span) string { return string(s.b[sp.lo:sp.hi]) }

// name is the raw qualified name of the last tag.
func (s *xscan) name() []byte {
	if s.prefix.hi > s.prefix.lo {
		return s.b[s.prefix.lo:s.local.hi]
	}
	return s.b[s.local.lo:s.local.hi]
}

// prolog reads up to and including the root start tag: whitespace,
// processing instructions, comments and one DOCTYPE without an internal
// subset.
func (s *xscan) prolog() bool {
	doctype := false
	for {
		s.skipSpace()
		if s.pos+1 >= len(s.b) || s.b[s.pos] != '<' {
			return false
		}
		switch rest := s.b[s.pos:]; {
		case rest[1] == '?':
			if !s.pi() {
				return false
			}
		case bytes.HasPrefix(rest, []byte("<!--")):
			if !s.comment() {
				return false
			}
		case bytes.HasPrefix(rest, []byte("<!DOCTYPE")) && !doctype:
			doctype = true
			if !s.doctype() {
				return false
			}
		case rest[1] == '!' || rest[1] == '/':
			return false
		default:
			return s.startTag() == tStart && s.pos <= detectionPeek
		}
	}
}

// next reads the next token inside the root element.
func (s *xscan) next() tok {
	if s.pendingEnd {
		s.pendingEnd = false
		s.tagStart = s.pos
		s.pop()
		return tEnd
	}
	if s.pos >= len(s.b) || len(s.open) == 0 {
		return tBad
	}
	if s.b[s.pos] != '<' {
		return s.charData()
	}
	if s.pos+1 >= len(s.b) {
		return tBad
	}
	switch s.b[s.pos+1] {
	case '/':
		return s.endTag()
	case '?':
		if s.pi() {
			return tOther
		}
		return tBad
	case '!':
		rest := s.b[s.pos:]
		if bytes.HasPrefix(rest, []byte("<!--")) {
			if s.comment() {
				return tOther
			}
			return tBad
		}
		if bytes.HasPrefix(rest, []byte(cdataStart)) {
			return s.cdata()
		}
		return tBad
	}
	return s.startTag()
}

// charData reads text up to the next '<'. The decoder refuses "]]>" in
// text and numeric references to characters XML forbids; unknown entities
// and a bare '&' it keeps as text (gofeed decodes them later, its own way).
func (s *xscan) charData() tok {
	start := s.pos
	n := bytes.IndexByte(s.b[start:], '<')
	if n < 0 {
		return tBad // the document ends inside the root
	}
	seg := s.b[start : start+n]
	for i, c := range seg {
		switch byteClass[c] {
		case clPlain:
		case clAmp:
			if !refAllowed(seg[i:]) {
				return tBad
			}
		case clBrack:
			if i+2 < len(seg) && seg[i+1] == ']' && seg[i+2] == '>' {
				return tBad
			}
		case clEF:
			if forbiddenEF(seg[i:]) {
				return tBad
			}
		default: // clCtl
			return tBad
		}
	}
	s.text = span{start, start + n}
	s.pos = start + n
	return tText
}

// refAllowed reports whether the decoder accepts the '&' at the start of
// b: only a numeric reference to a character outside XML's Char production
// makes it fail.
func refAllowed(b []byte) bool {
	if len(b) < 2 || b[1] != '#' {
		return true
	}
	v, _, ok := numericRef(b)
	if !ok || v < 0 {
		return true
	}
	if v >= 0xD800 && v <= 0xDFFF {
		return true // string(rune(v)) is U+FFFD
	}
	return v == 0x09 || v == 0x0A || v == 0x0D || v >= 0x20 && v <= 0xD7FF ||
		v >= 0xE000 && v <= 0xFFFD || v >= 0x10000
}

// forbiddenEF reports whether b starts with U+FFFE or U+FFFF.
func forbiddenEF(b []byte) bool {
	return len(b) >= 3 && b[1] == 0xBF && (b[2] == 0xBE || b[2] == 0xBF)
}

// plainRun checks raw bytes the decoder copies without interpreting
// (comments, processing instructions, CDATA): no C0 controls (gofeed drops
// them before decoding) and no U+FFFE/U+FFFF.
func plainRun(b []byte) bool {
	for i, c := range b {
		switch byteClass[c] {
		case clCtl:
			return false
		case clEF:
			if forbiddenEF(b[i:]) {
				return false
			}
		}
	}
	return true
}

func (s *xscan) cdata() tok {
	lo := s.pos + len(cdataStart)
	n := bytes.Index(s.b[lo:], []byte(cdataEnd))
	if n < 0 || !plainRun(s.b[lo:lo+n]) {
		return tBad
	}
	s.text = span{lo, lo + n}
	s.pos = lo + n + len(cdataEnd)
	return tCDATA
}

// comment reads "<!-- … -->"; the decoder refuses "--" anywhere but at
// the end.
func (s *xscan) comment() bool {
	lo := s.pos + 4
	n := bytes.Index(s.b[lo:], []byte("--"))
	if n < 0 || lo+n+2 >= len(s.b) || s.b[lo+n+2] != '>' || !plainRun(s.b[lo:lo+n]) {
		return false
	}
	s.pos = lo + n + 3
	return true
}

// pi reads a processing instruction. An XML declaration must say version
// 1.0 and, if anything, UTF-8 (toUTF8 has made the body so); another
// encoding would make the decoder convert what follows.
func (s *xscan) pi() bool {
	s.pos += 2
	target, ok := s.rawName()
	if !ok {
		return false
	}
	s.skipSpace()
	n := bytes.Index(s.b[s.pos:], []byte("?>"))
	if n < 0 || !plainRun(s.b[s.pos:s.pos+n]) {
		return false
	}
	content := s.b[s.pos : s.pos+n]
	s.pos += n + 2
	if string(target) == "xml" {
		if v := procInst("version", content); v != "" && v != "1.0" {
			return false
		}
		if e := procInst("encoding", content); e != "" && !strings.EqualFold(e, "utf-8") {
			return false
		}
	}
	return true
}

// procInst is encoding/xml's reading of a pseudo-attribute of a processing
// instruction.
func procInst(param string, content []byte) string {
	s := string(content)
	param += "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// doctype reads "<!DOCTYPE …>" with no internal subset and no markup inside.
func (s *xscan) doctype() bool {
	var quote byte
	for i := s.pos + 2; i < len(s.b); i++ {
		c := s.b[i]
		switch {
		case c == '<' || c == '[' || byteClass[c] == clCtl:
			return false
		case c == 0xEF && forbiddenEF(s.b[i:]):
			return false
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '>':
			s.pos = i + 1
			return true
		}
	}
	return false
}

// rawName reads an ASCII XML name of at most one colon (a processing
// instruction's target); the decoder would read on over a non-ASCII byte.
func (s *xscan) rawName() ([]byte, bool) {
	p, l, ok := s.qname()
	if !ok {
		return nil, false
	}
	if p.hi > p.lo {
		return s.b[p.lo:l.hi], true
	}
	return s.b[l.lo:l.hi], true
}

// qname reads "local" or "prefix:local", each part an ASCII name starting
// with a letter or '_'. Whatever follows must end the name for the decoder
// too: not a non-ASCII byte and not another ':'.
func (s *xscan) qname() (prefix, local span, ok bool) {
	b := s.b
	i := s.pos
	if i >= len(b) || !isNameStart(b[i]) {
		return span{}, span{}, false
	}
	lo := i
	for i++; i < len(b) && isNamePart(b[i]); i++ {
	}
	local = span{lo, i}
	if i < len(b) && b[i] == ':' {
		prefix = local
		i++
		if i >= len(b) || !isNameStart(b[i]) {
			return span{}, span{}, false
		}
		lo = i
		for i++; i < len(b) && isNamePart(b[i]); i++ {
		}
		local = span{lo, i}
	}
	if i >= len(b) || b[i] >= 0x80 || b[i] == ':' {
		return span{}, span{}, false
	}
	s.pos = i
	return prefix, local, true
}

func isNameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func isNamePart(c byte) bool {
	return isNameStart(c) || '0' <= c && c <= '9' || c == '-' || c == '.'
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func (s *xscan) skipSpace() {
	for s.pos < len(s.b) && isSpace(s.b[s.pos]) {
		s.pos++
	}
}

// startTag reads "<name attr='v' …>" or "<name …/>" and opens the element.
func (s *xscan) startTag() tok {
	s.tagStart = s.pos
	s.pos++
	prefix, local, ok := s.qname()
	if !ok || len(s.open) >= maxFastDepth {
		return tBad
	}
	s.attrs = s.attrs[:0]
	for {
		s.skipSpace()
		if s.pos >= len(s.b) {
			return tBad
		}
		c := s.b[s.pos]
		if c == '>' {
			s.pos++
			break
		}
		if c == '/' {
			if s.pos+1 >= len(s.b) || s.b[s.pos+1] != '>' {
				return tBad
			}
			s.pos += 2
			s.pendingEnd = true
			break
		}
		ap, al, ok := s.qname()
		if !ok {
			return tBad
		}
		s.skipSpace()
		if s.pos >= len(s.b) || s.b[s.pos] != '=' {
			return tBad
		}
		s.pos++
		s.skipSpace()
		if s.pos >= len(s.b) || s.b[s.pos] != '"' && s.b[s.pos] != '\'' {
			return tBad
		}
		quote := s.b[s.pos]
		lo := s.pos + 1
		n := bytes.IndexByte(s.b[lo:], quote)
		if n < 0 || !attrValueOK(s.b[lo:lo+n]) {
			return tBad
		}
		s.pos = lo + n + 1
		s.attrs = append(s.attrs, xattr{prefix: ap, local: al, val: span{lo, lo + n}})
	}
	s.prefix, s.local = prefix, local
	if pre := s.b[prefix.lo:prefix.hi]; string(pre) == "xml" || string(pre) == "xmlns" {
		return tBad
	}
	s.open = append(s.open, span{s.tagStart + 1, local.hi})
	base := false
	for _, a := range s.attrs {
		pre, loc := s.b[a.prefix.lo:a.prefix.hi], s.b[a.local.lo:a.local.hi]
		switch {
		case string(pre) == "xml" && string(loc) == "base":
			if !base {
				base = true
				s.pushBase(xmlDecode(s.b[a.val.lo:a.val.hi], false))
			}
		case string(pre) == "xmlns":
			if !s.declare(string(loc), a) {
				return tBad
			}
		case len(pre) == 0 && string(loc) == "xmlns":
			if !s.declare("", a) {
				return tBad
			}
		}
	}
	return tStart
}

// declare records a namespace declaration. Values gofeed would trim or
// that bind the reserved prefixes or the XML namespace are refused.
func (s *xscan) declare(prefix string, a xattr) bool {
	raw := s.b[a.val.lo:a.val.hi]
	if prefix == "xml" || prefix == "xmlns" || len(raw) == 0 || bytes.ContainsAny(raw, "&\r\n\t ") {
		return false
	}
	uri := string(raw)
	if uri == xmlNamespace {
		return false
	}
	s.ns = append(s.ns, nsDecl{prefix: prefix, uri: uri, depth: len(s.open)})
	return true
}

// attrValueOK checks a quoted attribute value as the decoder reads it.
func attrValueOK(v []byte) bool {
	for i, c := range v {
		switch byteClass[c] {
		case clStop, clCtl:
			return false
		case clAmp:
			if !refAllowed(v[i:]) {
				return false
			}
		case clEF:
			if forbiddenEF(v[i:]) {
				return false
			}
		}
	}
	return true
}

// endTag reads "</name>", which must close the innermost open element.
func (s *xscan) endTag() tok {
	s.tagStart = s.pos
	s.pos += 2
	prefix, local, ok := s.qname()
	if !ok {
		return tBad
	}
	s.skipSpace()
	if s.pos >= len(s.b) || s.b[s.pos] != '>' {
		return tBad
	}
	s.pos++
	top := s.open[len(s.open)-1]
	s.prefix, s.local = prefix, local
	if !bytes.Equal(s.b[top.lo:top.hi], s.name()) {
		return tBad
	}
	s.pop()
	return tEnd
}

// pop closes the innermost element and its namespace declarations.
func (s *xscan) pop() {
	depth := len(s.open)
	s.open = s.open[:depth-1]
	for len(s.ns) > 0 && s.ns[len(s.ns)-1].depth == depth {
		s.ns = s.ns[:len(s.ns)-1]
	}
	for len(s.bases) > 0 && s.bases[len(s.bases)-1].depth == depth {
		s.bases = s.bases[:len(s.bases)-1]
	}
}
