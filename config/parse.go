package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"github.com/newsdigest/newsdigest"
)

// parser walks the YAML node tree, filling cfg and collecting problems.
type parser struct {
	cfg      *Config
	getenv   func(string) string
	problems []Problem
	warnings []Problem

	// Where per-topic channels were set, for the webhook check.
	topicChannels []Problem
}

// field is one known key of a mapping and what to do with its value.
type field struct {
	key string
	fn  func(v *yaml.Node, path string)
}

func (p *parser) add(line int, path, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns an error from the YAML parser into a problem with a line.
func (p *parser) yamlError(err error) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
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

func (p *parser) parse(data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decode(dec, &doc); err != nil {
		if !errors.Is(err, io.EOF) {
			p.yamlError(err)
		}
		return
	}
	var extra yaml.Node
	switch err := decode(dec, &extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.yamlError(err)
		return
	default:
		p.add(extra.Line, "", "only one YAML document is allowed")
		return
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return
		}
		root = root.Content[0]
	}
	p.mapping(root, "", []field{
		{"timezone", p.timezone},
		{"schedule", func(v *yaml.Node, path string) {
			p.mapping(v, path, []field{
				{"poll", func(v *yaml.Node, path string) { p.schedule(v, path, &p.cfg.Schedule.Poll) }},
				{"digest", func(v *yaml.Node, path string) { p.schedule(v, path, &p.cfg.Schedule.Digest) }},
			})
		}},
		{"store", func(v *yaml.Node, path string) {
			p.mapping(v, path, []field{
				{"path", func(v *yaml.Node, path string) { p.str(v, path, &p.cfg.Store.Path) }},
				{"retention", func(v *yaml.Node, path string) { p.duration(v, path, &p.cfg.Store.Retention) }},
			})
		}},
		{"serve", func(v *yaml.Node, path string) {
			p.mapping(v, path, []field{
				{"listen", p.listen},
				{"token", func(v *yaml.Node, path string) { p.secret(v, path, &p.cfg.Serve.Token) }},
			})
		}},
		{"fetch", func(v *yaml.Node, path string) {
			p.mapping(v, path, []field{
				{"concurrency", func(v *yaml.Node, path string) {
					p.integer(v, path, 1, 256, func(n int64) { p.cfg.Fetch.Concurrency = int(n) })
				}},
				{"timeout", func(v *yaml.Node, path string) { p.duration(v, path, &p.cfg.Fetch.Timeout) }},
				{"max_bytes", func(v *yaml.Node, path string) {
					// At most 1 GiB: a feed body is held in memory whole.
					p.integer(v, path, 1, 1<<30, func(n int64) { p.cfg.Fetch.MaxBytes = n })
				}},
				{"user_agent", func(v *yaml.Node, path string) { p.str(v, path, &p.cfg.Fetch.UserAgent) }},
			})
		}},
		{"digest", func(v *yaml.Node, path string) {
			p.mapping(v, path, []field{
				{"title", func(v *yaml.Node, path string) { p.str(v, path, &p.cfg.Digest.Title) }},
				{"lookback", func(v *yaml.Node, path string) { p.duration(v, path, &p.cfg.Digest.Lookback) }},
				{"max_per_topic", func(v *yaml.Node, path string) {
					p.integer(v, path, 1, -1, func(n int64) { p.cfg.Digest.MaxPerTopic = int(n) })
				}},
				{"post_empty", func(v *yaml.Node, path string) { p.boolean(v, path, &p.cfg.Digest.PostEmpty) }},
			})
		}},
		{"slack", func(v *yaml.Node, path string) {
			p.mapping(v, path, []field{
				{"token", func(v *yaml.Node, path string) { p.secret(v, path, &p.cfg.Slack.Token) }},
				{"webhook_url", func(v *yaml.Node, path string) { p.secret(v, path, &p.cfg.Slack.WebhookURL) }},
				{"channel", func(v *yaml.Node, path string) { p.str(v, path, &p.cfg.Slack.Channel) }},
				{"api_url", func(v *yaml.Node, path string) { p.str(v, path, &p.cfg.Slack.APIURL) }},
			})
		}},
		{"feeds", p.feeds},
		{"topics", p.topics},
	})
	p.checkSlack()
	p.checkRetention()
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

// mapping checks that n is a mapping (or null) with only known, unrepeated
// keys, and hands each value to its field's function.
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
		var fn func(*yaml.Node, string)
		for _, f := range fields {
			if f.key == k.Value {
				fn = f.fn
				break
			}
		}
		if fn == nil {
			p.unknownKey(k, path, fields)
			continue
		}
		p.cfg.Lines[kp] = k.Line
		fn(v, kp)
	}
}

func (p *parser) unknownKey(k *yaml.Node, path string, fields []field) {
	if k.Value == "<<" {
		p.add(k.Line, path, "merge keys (<<) are not supported")
		return
	}
	known := make([]string, len(fields))
	for i, f := range fields {
		known[i] = f.key
	}
	if s := suggest(k.Value, known); s != "" {
		p.add(k.Line, path, "unknown key %q (did you mean %q?)", k.Value, s)
		return
	}
	p.add(k.Line, path, "unknown key %q (known keys: %s)", k.Value, strings.Join(known, ", "))
}

// suggest returns the known key closest to key when it is close enough to
// be a likely typo, else "".
func suggest(key string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(s))
	}
	nk := norm(key)
	best, bestDist := "", 3
	for _, k := range known {
		d := levenshtein(nk, k)
		if d < bestDist && d < len([]rune(k)) {
			best, bestDist = k, d
		}
	}
	if best != "" || len(nk) < 3 {
		return best
	}
	// A key cut short ("webhook" for "webhook_url"), when only one fits.
	for _, k := range known {
		if strings.HasPrefix(k, nk) {
			if best != "" {
				return ""
			}
			best = k
		}
	}
	return best
}

// levenshtein is the edit distance between a and b, counting an adjacent
// transposition as one edit.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 30
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// scalar returns the ${VAR}-expanded text of a scalar node ("" for null).
// ok is false, and a problem recorded, when n is not a scalar or its
// expansion is malformed. vars lists the variables it referenced.
func (p *parser) scalar(n *yaml.Node, path, want string) (val string, vars []string, ok bool) {
	n = resolve(n)
	if isNull(n) {
		return "", nil, true
	}
	if n.Kind != yaml.ScalarNode {
		p.add(n.Line, path, "expected %s, got %s", want, kindName(n))
		return "", nil, false
	}
	val, vars, err := expand(n.Value, p.getenv)
	if err != nil {
		p.add(n.Line, path, "%v", err)
		return "", nil, false
	}
	return val, vars, true
}

// str sets *dst to the value of a string setting, leaving the default in
// place when the value is null or empty.
func (p *parser) str(n *yaml.Node, path string, dst *string) {
	if v, _, ok := p.scalar(n, path, "a string"); ok && v != "" {
		*dst = v
	}
}

// secret is str for a secret: it also remembers which environment
// variables the value named, and no message ever quotes the value.
func (p *parser) secret(n *yaml.Node, path string, dst *string) {
	v, vars, ok := p.scalar(n, path, "a string")
	if !ok {
		return
	}
	*dst = v
	p.cfg.env[path] = vars
}

// fromEnv says, for messages, that a quoted value was expanded.
func fromEnv(n *yaml.Node) string {
	if strings.Contains(resolve(n).Value, "${") {
		return " (after expanding ${...})"
	}
	return ""
}

// integer reads an integer in [lo, hi]; hi < 0 means no upper bound.
func (p *parser) integer(n *yaml.Node, path string, lo, hi int64, set func(int64)) {
	v, _, ok := p.scalar(n, path, "an integer")
	if !ok || v == "" {
		return
	}
	i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		p.add(resolve(n).Line, path, "expected an integer, got %s%s", kindName(resolve(n)), fromEnv(n))
		return
	}
	switch {
	case hi < 0 && i < lo:
		p.add(resolve(n).Line, path, "must be at least %d, got %d", lo, i)
	case hi >= 0 && (i < lo || i > hi):
		p.add(resolve(n).Line, path, "must be between %d and %d, got %d", lo, hi, i)
	default:
		set(i)
	}
}

func (p *parser) boolean(n *yaml.Node, path string, dst *bool) {
	v, _, ok := p.scalar(n, path, "true or false")
	if !ok || v == "" {
		return
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		p.add(resolve(n).Line, path, "expected true or false, got %s%s", kindName(resolve(n)), fromEnv(n))
	}
}

func (p *parser) duration(n *yaml.Node, path string, dst *time.Duration) {
	v, _, ok := p.scalar(n, path, "a duration")
	if !ok || v == "" {
		return
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	switch {
	case err != nil:
		p.add(resolve(n).Line, path, "expected a duration such as \"20s\" or \"720h\", got %s%s", kindName(resolve(n)), fromEnv(n))
	case d <= 0:
		p.add(resolve(n).Line, path, "must be positive, got %s", d)
	default:
		*dst = d
	}
}

func (p *parser) timezone(n *yaml.Node, path string) {
	v, _, ok := p.scalar(n, path, "a time zone name")
	if !ok {
		return
	}
	if v == "" {
		v = DefaultTimezone
	}
	loc, err := time.LoadLocation(v)
	if err != nil || v == "Local" {
		p.add(resolve(n).Line, path, "unknown time zone %s%s (want an IANA name such as \"America/Mexico_City\")", kindName(resolve(n)), fromEnv(n))
		return
	}
	p.cfg.Timezone, p.cfg.Location = v, loc
}

func (p *parser) schedule(n *yaml.Node, path string, dst *string) {
	v, _, ok := p.scalar(n, path, "a cron schedule")
	if !ok || v == "" {
		return
	}
	if _, err := cron.ParseStandard(v); err != nil {
		p.add(resolve(n).Line, path, "invalid schedule %s%s: %v (want 5 fields such as \"*/15 * * * *\" or a descriptor such as \"@every 10m\")",
			kindName(resolve(n)), fromEnv(n), err)
		return
	}
	*dst = v
}

func (p *parser) listen(n *yaml.Node, path string) {
	v, _, ok := p.scalar(n, path, "host:port")
	if !ok || v == "" {
		return
	}
	_, port, err := net.SplitHostPort(v)
	if err == nil {
		var pn int
		pn, err = strconv.Atoi(port)
		if err == nil && (pn < 0 || pn > 65535) {
			err = errors.New("port out of range")
		}
	}
	if err != nil {
		p.add(resolve(n).Line, path, "must be host:port such as \"127.0.0.1:8080\", got %s%s", kindName(resolve(n)), fromEnv(n))
		return
	}
	p.cfg.Serve.Listen = v
}

// sequence returns the items of a list node, aliases resolved; null is an
// empty list.
func (p *parser) sequence(n *yaml.Node, path, want string) []*yaml.Node {
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
		p.cfg.Lines[index(path, i)] = items[i].Line
	}
	return items
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

var httpSchemes = map[string]bool{"http": true, "https": true}

// isHTTPURL reports whether s is an absolute http or https URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && httpSchemes[strings.ToLower(u.Scheme)] && u.Host != ""
}

func (p *parser) feeds(n *yaml.Node, path string) {
	names := map[string]string{} // name → path of its first use
	urls := map[string]string{}  // canonical URL → path of its first use
	for i, item := range p.sequence(n, path, "a list of feeds") {
		ip := index(path, i)
		if item.Kind != yaml.MappingNode {
			p.add(item.Line, ip, "expected a feed (a mapping with name and url), got %s", kindOnly(item))
			continue
		}
		var f newsdigest.Feed
		p.mapping(item, ip, []field{
			{"name", func(v *yaml.Node, path string) { p.str(v, path, &f.Name) }},
			{"url", func(v *yaml.Node, path string) { p.str(v, path, &f.URL) }},
			{"language", func(v *yaml.Node, path string) { p.str(v, path, &f.Language) }},
		})
		f.Name = strings.TrimSpace(f.Name)
		f.URL = strings.TrimSpace(f.URL)
		line := func(key string) int {
			if l := p.cfg.Lines[join(ip, key)]; l > 0 {
				return l
			}
			return item.Line
		}
		switch first, dup := names[f.Name]; {
		case f.Name == "":
			p.add(line("name"), join(ip, "name"), "must be set")
		case dup:
			p.add(line("name"), join(ip, "name"), "duplicate feed name %q (also %s)", f.Name, first)
		default:
			names[f.Name] = ip
		}
		canon := newsdigest.CanonicalURL(f.URL)
		switch first, dup := urls[canon]; {
		case f.URL == "":
			p.add(line("url"), join(ip, "url"), "must be set")
		case !isHTTPURL(f.URL):
			p.add(line("url"), join(ip, "url"), "must be an absolute http or https URL, got %q", f.URL)
		case dup:
			// Polling it twice would only double the requests: keep the
			// first, and say so.
			p.warnings = append(p.warnings, Problem{Line: line("url"), Path: join(ip, "url"),
				Message: fmt.Sprintf("duplicate feed URL (also %s); ignored", first)})
			continue
		default:
			urls[canon] = ip
		}
		if f.Language != "" {
			if _, err := language.Parse(f.Language); err != nil {
				p.add(line("language"), join(ip, "language"), "not a language tag such as \"en\" or \"es-MX\": %q", f.Language)
			}
		}
		p.cfg.Feeds = append(p.cfg.Feeds, f)
	}
}

var topicNameRE = regexp.MustCompile(`^[a-z0-9_-]+$`)

func (p *parser) topics(n *yaml.Node, path string) {
	names := map[string]string{}
	for i, item := range p.sequence(n, path, "a list of topics") {
		ip := index(path, i)
		if item.Kind != yaml.MappingNode {
			p.add(item.Line, ip, "expected a topic (a mapping with name and terms), got %s", kindOnly(item))
			continue
		}
		var t newsdigest.Topic
		p.mapping(item, ip, []field{
			{"name", func(v *yaml.Node, path string) { p.str(v, path, &t.Name) }},
			{"label", func(v *yaml.Node, path string) { p.str(v, path, &t.Label) }},
			{"emoji", func(v *yaml.Node, path string) { p.str(v, path, &t.Emoji) }},
			{"channel", func(v *yaml.Node, path string) {
				p.str(v, path, &t.Channel)
				if t.Channel != "" {
					p.topicChannels = append(p.topicChannels, Problem{Line: resolve(v).Line, Path: path})
				}
			}},
			{"terms", func(v *yaml.Node, path string) { t.Terms = p.terms(v, path) }},
			{"exclude", func(v *yaml.Node, path string) { t.Exclude = p.terms(v, path) }},
			{"require", func(v *yaml.Node, path string) {
				flat := false
				for j, g := range p.sequence(v, path, "a list of term groups") {
					gp := index(path, j)
					if g.Kind == yaml.ScalarNode && !isNull(g) {
						if !flat { // once is enough: the whole list is probably flat
							p.add(g.Line, gp, "expected a list of terms, got %s (each group is a list: require: [[a, b], [c]])", kindName(g))
						}
						flat = true
						continue
					}
					group := p.terms(g, gp)
					if len(group) == 0 && !p.hasProblemUnder(gp) {
						p.add(g.Line, gp, "require group is empty")
					}
					t.Require = append(t.Require, group)
				}
			}},
			{"min_score", func(v *yaml.Node, path string) {
				p.integer(v, path, 0, -1, func(n int64) { t.MinScore = int(n) })
			}},
		})
		t.Name = strings.TrimSpace(t.Name)
		if t.Label == "" {
			t.Label = t.Name
		}
		if t.MinScore == 0 {
			t.MinScore = DefaultMinScore
		}
		p.cfg.Topics = append(p.cfg.Topics, t)

		line := func(key string) int {
			if l := p.cfg.Lines[join(ip, key)]; l > 0 {
				return l
			}
			return item.Line
		}
		switch first, dup := names[t.Name]; {
		case t.Name == "":
			p.add(line("name"), join(ip, "name"), "must be set")
		case !topicNameRE.MatchString(t.Name):
			p.add(line("name"), join(ip, "name"), "must be lowercase letters, digits, '-' or '_', got %q", t.Name)
		case dup:
			p.add(line("name"), join(ip, "name"), "duplicate topic name %q (also %s)", t.Name, first)
		default:
			names[t.Name] = ip
		}
		if len(t.Terms) == 0 && !p.hasProblemUnder(join(ip, "terms")) && !p.misspelled(ip, "terms") {
			p.add(line("terms"), join(ip, "terms"), "at least one term is required")
		}
	}
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

// misspelled reports whether an unknown key in the mapping at path was
// already reported as a likely typo of key.
func (p *parser) misspelled(path, key string) bool {
	for _, pr := range p.problems {
		if pr.Path == path && strings.HasSuffix(pr.Message, fmt.Sprintf("(did you mean %q?)", key)) {
			return true
		}
	}
	return false
}

// terms reads a list of terms, checking each one's syntax.
func (p *parser) terms(n *yaml.Node, path string) []string {
	var out []string
	for j, item := range p.sequence(n, path, "a list of terms") {
		tp := index(path, j)
		v, _, ok := p.scalar(item, tp, "a term")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if msg := checkTerm(v); msg != "" {
			p.add(item.Line, tp, "%s", msg)
			continue
		}
		out = append(out, v)
	}
	return out
}

// checkTerm returns what is wrong with a term's syntax, or "". See
// docs/DESIGN.md "Matching": a term needs a letter or digit; '=' may only open
// it (exact match) and '*' may only close it, right after a letter or digit
// (prefix match).
func checkTerm(t string) string {
	if t == "" {
		return "term is empty"
	}
	body := strings.TrimPrefix(t, "=")
	if strings.Contains(body, "=") {
		return "'=' only allowed at the start of a term"
	}
	if i := strings.IndexByte(body, '*'); i >= 0 {
		if i != len(body)-1 {
			return "'*' only allowed at the end of a term"
		}
		r := []rune(body[:i])
		if len(r) == 0 || !isWordRune(r[len(r)-1]) {
			return "'*' must directly follow a letter or digit"
		}
	}
	if strings.IndexFunc(body, isWordRune) < 0 {
		return "term has no letter or digit"
	}
	return ""
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// checkSlack reports Slack settings that contradict each other. Whether
// Slack is configured enough to post is RequireSlack's business.
func (p *parser) checkSlack() {
	s := p.cfg.Slack
	lines := p.cfg.Lines
	if s.APIURL != "" && !isHTTPURL(s.APIURL) {
		p.add(lines["slack.api_url"], "slack.api_url", "must be an absolute http or https URL, got %q", s.APIURL)
	}
	if s.WebhookURL == "" {
		return
	}
	if !isHTTPURL(s.WebhookURL) {
		p.add(lines["slack.webhook_url"], "slack.webhook_url", "must be an absolute http or https URL")
	}
	if s.Token != "" {
		p.add(lines["slack.webhook_url"], "slack", "slack.token and slack.webhook_url are both set; set only one")
	}
	if s.APIURL != "" {
		p.add(lines["slack.api_url"], "slack.api_url", "cannot be used with slack.webhook_url (it is the Web API base for a bot token)")
	}
	for _, tc := range p.topicChannels {
		p.add(tc.Line, tc.Path, "a per-topic channel cannot be used with slack.webhook_url (a webhook posts to one channel)")
	}
}

// checkRetention: items must outlive the window that selects them, or a
// pruned item's story would no longer hold its re-posts back.
func (p *parser) checkRetention() {
	if p.hasProblemUnder("store.retention") || p.hasProblemUnder("digest.lookback") {
		return
	}
	if min := p.cfg.Digest.Lookback + 2*time.Hour; p.cfg.Store.Retention < min {
		line := p.cfg.Lines["store.retention"]
		if line == 0 {
			line = p.cfg.Lines["digest.lookback"]
		}
		p.add(line, "store.retention", "must be at least digest.lookback + 2h (%s), got %s", min, p.cfg.Store.Retention)
	}
}
