package config

// Generic YAML walking: the parser, its problem list, and readers for
// mappings (strict about their keys), lists and typed scalars. Nothing here
// knows which keys config.yaml has; that is schema.go.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// parser walks the YAML node tree, filling cfg and collecting problems.
type parser struct {
	cfg      *Config
	getenv   func(string) string
	problems []Problem
	warnings []Problem

	// Where per-topic channels were set, for the webhook check.
	topicChannels []Problem
	// The path of each alert rule in Config.Alerts, for checkAlerts.
	alertPaths []string
	// termCount counts the terms read so far, against MaxTerms.
	termCount int
}

// A reader checks the value v found at path and stores it in the config.
type reader func(v *yaml.Node, path string)

// field is one known key of a mapping and the reader of its value.
type field struct {
	key  string
	read reader
}

func (p *parser) add(line int, path, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

// hasProblemUnder reports whether a problem was already recorded for path
// or one of its elements, to avoid a second message about the same key.
func (p *parser) hasProblemUnder(path string) bool {
	for _, pr := range p.problems {
		if pr.Path == path || strings.HasPrefix(pr.Path, path+"[") || strings.HasPrefix(pr.Path, path+".") {
			return true
		}
	}
	return false
}

var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// yamlError turns an error from the YAML parser into a problem with a line.
func (p *parser) yamlError(err error) {
	msg := err.Error()
	if m := yamlLineRE().FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		p.add(line, "", "invalid YAML: %s", m[2])
		return
	}
	p.add(0, "", "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// decode reads the next document, turning a panic inside the YAML library
// into an error so that no input can crash the caller.
func decode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

// document returns the root node of the single YAML document in data, or
// nil when there is nothing to read: an empty file, or a problem recorded
// (invalid YAML, more than one document).
func (p *parser) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decode(dec, &doc); err != nil {
		if !errors.Is(err, io.EOF) {
			p.yamlError(err)
		}
		return nil
	}
	var extra yaml.Node
	switch err := decode(dec, &extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.yamlError(err)
		return nil
	default:
		p.add(extra.Line, "", "only one YAML document is allowed")
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	if !p.withinExpansion(root) {
		return nil
	}
	return root
}

// MaxValues caps the values (scalars, lists and mappings) of a config file
// once its YAML aliases are expanded. A file of written-out values is far
// below it; a few aliases of aliases can otherwise make a 200 KB file
// stand for ten million terms (minutes and gigabytes to validate).
const MaxValues = 200_000

// withinExpansion reports whether the document at root, aliases expanded,
// has at most MaxValues values. When not, it records a problem at the
// alias that crossed the limit. Sizes of aliased nodes are computed once,
// so this costs one pass over the nodes as written.
func (p *parser) withinExpansion(root *yaml.Node) bool {
	sizes := map[*yaml.Node]int{}
	var size func(n *yaml.Node) int
	size = func(n *yaml.Node) int {
		if s, ok := sizes[n]; ok {
			return s
		}
		sizes[n] = MaxValues + 1 // an alias of itself counts as too many
		s := 1
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			s = size(n.Alias)
		}
		for _, c := range n.Content {
			s = min(s+size(c), MaxValues+1)
		}
		sizes[n] = s
		return s
	}
	// Walk as written, adding each alias's expansion, to find where the
	// limit is crossed.
	total := 0
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		if n.Kind == yaml.AliasNode {
			total += size(n)
			if total > MaxValues {
				p.add(n.Line, "", "YAML aliases expand this file to more than %d values (this alias repeats %d); write the values out, or use fewer aliases", MaxValues, size(n))
				return false
			}
			return true
		}
		total++
		for _, c := range n.Content {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	return walk(root)
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// kindName describes a node for "expected X, got Y" messages where X is a
// scalar type. Scalar values are quoted as written in the file, before
// ${VAR} expansion, so an environment value never reaches a message.
func kindName(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return kindOnly(n)
}

// kindOnly describes a node without quoting it, for "expected a mapping or
// list" messages: a scalar found where a section was expected may be a
// misplaced secret (slack: xoxb-...).
func kindOnly(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		}
		return "a string"
	}
	return "nothing"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// keyLine returns the line of key in the mapping at path (a section, a
// list item), or the mapping's own line when the key is absent.
func (c *Config) keyLine(path, key string) int {
	if l := c.Lines[join(path, key)]; l > 0 {
		return l
	}
	return c.Lines[path]
}

// mapping checks that n is a mapping (or null) with only known, unrepeated
// keys, and hands each value to its field's reader.
func (p *parser) mapping(n *yaml.Node, path string, fields []field) {
	n = resolve(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, path, "expected a mapping, got %s", kindOnly(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(k.Line, path, "keys must be plain strings, got %s", kindName(k))
			continue
		}
		kp := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			p.add(k.Line, kp, "duplicate key (first set on line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		var read reader
		for _, f := range fields {
			if f.key == k.Value {
				read = f.read
				break
			}
		}
		if read == nil {
			p.unknownKey(k, path, fields)
			continue
		}
		p.cfg.Lines[kp] = k.Line
		read(v, kp)
	}
}

// section is the reader of a mapping with the given keys.
func (p *parser) section(fields []field) reader {
	return func(v *yaml.Node, path string) { p.mapping(v, path, fields) }
}

// sequence returns the items of a list node, aliases resolved; null is an
// empty list. It records each item's line in Lines.
func (p *parser) sequence(n *yaml.Node, path, want string) []*yaml.Node {
	items := p.items(n, path, want)
	for i, it := range items {
		p.cfg.Lines[index(path, i)] = it.Line
	}
	return items
}

// items is sequence without recording the lines: for lists of terms,
// which may be long, and whose items' lines go into their problems only.
func (p *parser) items(n *yaml.Node, path, want string) []*yaml.Node {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, path, "expected %s, got %s", want, kindOnly(n))
		return nil
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = resolve(c)
	}
	return items
}

// mappings reads a list of mappings (a list of feeds, of topics, of alert
// rules), handing each item and its path to read. An item that is not a
// mapping is a problem: "expected <item>, got …".
func (p *parser) mappings(n *yaml.Node, path, want, item string, read func(n *yaml.Node, path string)) {
	for i, it := range p.sequence(n, path, want) {
		ip := index(path, i)
		if it.Kind != yaml.MappingNode {
			p.add(it.Line, ip, "expected %s, got %s", item, kindOnly(it))
			continue
		}
		read(it, ip)
	}
}
