package config

// The rules beyond a value's YAML type: the formats of single values
// (timezone, schedule, listen address, URLs, language tags, topic names,
// terms), the rules of the feed and topic lists (required keys,
// duplicates), and the checks across sections (Slack settings, retention
// against lookback) that run once the whole file is read.

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
)

// timezone reads an IANA time zone name into *name and loads it into *loc.
func (p *parser) timezone(name *string, loc **time.Location) reader {
	return func(n *yaml.Node, path string) {
		v, _, ok := p.scalar(n, path, "a time zone name")
		if !ok {
			return
		}
		if v == "" {
			v = DefaultTimezone
		}
		l, err := time.LoadLocation(v)
		if err != nil || v == "Local" {
			p.add(resolve(n).Line, path, "unknown time zone %s%s (want an IANA name such as \"America/Mexico_City\")", kindName(resolve(n)), fromEnv(n))
			return
		}
		*name, *loc = v, l
	}
}

// MinScheduleInterval is the shortest "@every" schedule: what five cron
// fields allow. Polling feeds more often helps no one and hammers their
// publishers.
var MinScheduleInterval = time.Minute // a variable only so that the tests of whole processes may lower it

// schedule reads a cron spec in robfig/cron's standard syntax into *dst.
func (p *parser) schedule(dst *string) reader {
	return func(n *yaml.Node, path string) {
		v, _, ok := p.scalar(n, path, "a cron schedule")
		if !ok || v == "" {
			return
		}
		if _, err := cron.ParseStandard(v); err != nil {
			p.add(resolve(n).Line, path, "invalid schedule %s%s: %v (want 5 fields such as \"*/15 * * * *\" or a descriptor such as \"@every 10m\")",
				kindName(resolve(n)), fromEnv(n), err)
			return
		}
		// robfig/cron reads "@every D" with time.ParseDuration and runs
		// anything under a second every second; five fields cannot go
		// below a minute, and neither may @every.
		if every, ok := strings.CutPrefix(v, "@every "); ok {
			if d, err := time.ParseDuration(every); err == nil && d < MinScheduleInterval {
				p.add(resolve(n).Line, path, "%s%s runs more often than once a minute; the shortest schedule is \"@every 1m\"",
					kindName(resolve(n)), fromEnv(n))
				return
			}
		}
		*dst = v
	}
}

// listen reads a host:port listen address into *dst.
func (p *parser) listen(dst *string) reader {
	return func(n *yaml.Node, path string) {
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
		*dst = v
	}
}

var httpSchemes = map[string]bool{"http": true, "https": true}

// isHTTPURL reports whether s is an absolute http or https URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && httpSchemes[strings.ToLower(u.Scheme)] && u.Host != ""
}

// checkFeed checks the feed f read at path ip; names and urls
// map the names and canonical URLs of the feeds before it to their paths.
// It returns false for a feed to leave out: one whose URL repeats an
// earlier feed's, which is a warning, not a problem.
func (p *parser) checkFeed(f newsdigest.Feed, ip string, names, urls map[string]string) bool {
	switch first, dup := names[f.Name]; {
	case f.Name == "":
		p.add(p.cfg.keyLine(ip, "name"), join(ip, "name"), "must be set")
	case dup:
		p.add(p.cfg.keyLine(ip, "name"), join(ip, "name"), "duplicate feed name %q (also %s)", f.Name, first)
	default:
		names[f.Name] = ip
	}
	canon := newsdigest.CanonicalURL(f.URL)
	switch first, dup := urls[canon]; {
	case f.URL == "":
		p.add(p.cfg.keyLine(ip, "url"), join(ip, "url"), "must be set")
	case !isHTTPURL(f.URL):
		p.add(p.cfg.keyLine(ip, "url"), join(ip, "url"), "must be an absolute http or https URL, got %q", f.URL)
	case dup:
		// Polling it twice would only double the requests: keep the
		// first, and say so.
		p.warnings = append(p.warnings, Problem{Line: p.cfg.keyLine(ip, "url"), Path: join(ip, "url"),
			Message: fmt.Sprintf("duplicate feed URL (also %s); ignored", first)})
		return false
	default:
		urls[canon] = ip
	}
	if f.Language != "" {
		if _, err := language.Parse(f.Language); err != nil {
			p.add(p.cfg.keyLine(ip, "language"), join(ip, "language"), "not a language tag such as \"en\" or \"es-MX\": %q", f.Language)
		}
	}
	return true
}

var topicNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_-]+$`) })

// checkTopic checks the topic t read at path ip; names maps the
// names of the topics before it to their paths.
func (p *parser) checkTopic(t newsdigest.Topic, ip string, names map[string]string) {
	switch first, dup := names[t.Name]; {
	case t.Name == "":
		p.add(p.cfg.keyLine(ip, "name"), join(ip, "name"), "must be set")
	case !topicNameRE().MatchString(t.Name):
		p.add(p.cfg.keyLine(ip, "name"), join(ip, "name"), "must be lowercase letters, digits, '-' or '_', got %q", t.Name)
	case dup:
		p.add(p.cfg.keyLine(ip, "name"), join(ip, "name"), "duplicate topic name %q (also %s)", t.Name, first)
	default:
		names[t.Name] = ip
	}
	if len(t.Terms) == 0 && len(t.TitleTerms) == 0 && p.termCount <= MaxTerms && !p.hasProblemUnder(join(ip, "terms")) && !p.misspelled(ip, "terms") {
		p.add(p.cfg.keyLine(ip, "terms"), join(ip, "terms"), "at least one term is required")
	}
	if err := classify.CheckTitleTerms(t.Terms, t.TitleTerms); err != nil {
		p.add(p.cfg.keyLine(ip, "title_terms"), join(ip, "title_terms"), "%v", err)
	}
	if len(t.Unless) > 0 && len(t.Exclude) == 0 && !p.hasProblemUnder(join(ip, "exclude")) {
		p.add(p.cfg.keyLine(ip, "unless"), join(ip, "unless"), "has no effect without exclude: unless lifts a topic's exclude terms")
	}
}

// topicChannel reads a topic's own channel into *dst, remembering where it
// was set for checkSlack.
func (p *parser) topicChannel(dst *string) reader {
	return func(n *yaml.Node, path string) {
		p.str(dst)(n, path)
		if *dst != "" {
			p.topicChannels = append(p.topicChannels, Problem{Line: resolve(n).Line, Path: path})
		}
	}
}

// terms reads a list of terms into *dst.
func (p *parser) terms(dst *[]string) reader {
	return func(n *yaml.Node, path string) { *dst = p.termList(n, path) }
}

// termGroups reads a list of term groups, each a non-empty list of terms.
func (p *parser) termGroups(dst *[][]string) reader {
	return func(n *yaml.Node, path string) {
		flat := false
		for j, g := range p.sequence(n, path, "a list of term groups") {
			gp := index(path, j)
			if g.Kind == yaml.ScalarNode && !isNull(g) {
				if !flat { // once is enough: the whole list is probably flat
					p.add(g.Line, gp, "expected a list of terms, got %s (each group is a list: require: [[a, b], [c]])", kindName(g))
				}
				flat = true
				continue
			}
			group := p.termList(g, gp)
			if len(group) == 0 && !p.hasProblemUnder(gp) {
				p.add(g.Line, gp, "require group is empty")
			}
			*dst = append(*dst, group)
		}
	}
}

// MaxTerms caps the terms of a config, counted over terms, exclude and
// require of every topic. The matcher's cost does not grow with the terms,
// but loading and checking them does; the shipped watchlist has about 300.
const MaxTerms = 50_000

// termList returns a list of terms, each checked by classify.ParseTerm, the
// one term grammar (docs/DESIGN.md "Matching"); a term with a problem is
// left out. A list may hold thousands of terms: a term's path
// (topics[1].terms[4]) is only built for its problem, and Lines does not
// record terms.
func (p *parser) termList(n *yaml.Node, path string) []string {
	items := p.items(n, path, "a list of terms")
	var out []string
	if len(items) > 0 {
		out = make([]string, 0, len(items))
	}
	for j, item := range items {
		if p.termCount++; p.termCount > MaxTerms {
			if p.termCount == MaxTerms+1 {
				p.add(item.Line, index(path, j), "more than %d terms in all (terms, exclude and require of every topic); split the watchlist into several configs", MaxTerms)
			}
			return out
		}
		// A plain string without ${...} is its own value: what p.scalar
		// returns for it, without building the path its messages name.
		v := item.Value
		if item.Kind != yaml.ScalarNode || isNull(item) || strings.IndexByte(v, '$') >= 0 {
			var ok bool
			if v, _, ok = p.scalar(item, index(path, j), "a term"); !ok {
				continue
			}
		}
		v = strings.TrimSpace(v)
		if err := classify.ParseTerm(v); err != nil {
			p.add(item.Line, index(path, j), "%v", err)
			continue
		}
		out = append(out, v)
	}
	return out
}

// checkAcrossSections runs the checks that compare settings of different
// sections, once the whole file is read.
func (p *parser) checkAcrossSections() {
	p.checkStore()
	p.checkSlack()
	p.checkCommands()
	p.checkRetention()
	p.checkAlerts()
	p.checkServe()
}

// checkServe keeps POST /run closed by default: it posts to Slack (and a
// long ?since= floods the channel with old items), so serve offers it
// without a token only on a loopback address, where nobody but the host's
// own users can reach it.
func (p *parser) checkServe() {
	s := p.cfg.Serve
	if s.Token != "" || isLoopbackListen(s.Listen) || p.hasProblemUnder("serve.listen") || p.hasProblemUnder("serve.token") {
		return
	}
	p.add(p.cfg.keyLine("serve", "listen"), "serve.listen", "%q is not a loopback address and serve.token is not set: anyone who reaches the port could post digests "+
		"with POST /run; set serve.token (e.g. token: ${NEWSDIGEST_TOKEN}) or listen on 127.0.0.1", s.Listen)
}

// isLoopbackListen reports whether the listen address host:port names
// only the loopback interface: "localhost", 127.0.0.0/8 or ::1. An empty
// host (":8080") listens on every interface, and any other name may
// resolve anywhere: neither is loopback.
func isLoopbackListen(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

var (
	teamIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^T[A-Z0-9]+$`) })
	userIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[UW][A-Z0-9]+$`) })
)

// checkCommands checks the slash command's settings: the shape of the app
// token, the workspace and user IDs, and that the command can answer (it
// posts with a bot token). A secret written but empty is RequireCommands'
// business: explain and run do not need it.
func (p *parser) checkCommands() {
	s := p.cfg.Slack
	lines := p.cfg.Lines
	if s.AppToken != "" && !strings.HasPrefix(s.AppToken, "xapp-") {
		what := "an app-level token (xapp-…) with the connections:write scope"
		if strings.HasPrefix(s.AppToken, "xox") {
			what += "; this looks like a bot or user token (xox…), which belongs in slack.token"
		}
		p.add(lines["slack.app_token"], "slack.app_token", "must be %s", what)
	}
	if s.TeamID != "" && !teamIDRE().MatchString(s.TeamID) {
		p.add(lines["slack.team_id"], "slack.team_id", "must be a workspace ID such as T0123ABCD, got %q", s.TeamID)
	}
	for i, u := range s.AllowedUsers {
		if !userIDRE().MatchString(u) {
			ip := index("slack.allowed_users", i)
			p.add(lines[ip], ip, "must be a user ID such as U0123ABCD (names change; IDs do not), got %q", u)
		}
	}
	if s.Commands() && s.WebhookURL != "" {
		line := lines["slack.app_token"]
		if line == 0 {
			line = lines["slack.signing_secret"]
		}
		p.add(line, "slack", "the slash command needs a bot token (slack.token), not slack.webhook_url: it posts to the channel it is called from")
	}
}

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

// driver reads store.driver: sqlite or postgres.
func (p *parser) driver(dst *string) reader {
	return func(n *yaml.Node, path string) {
		v, _, ok := p.scalar(n, path, "a string")
		if !ok || v == "" {
			return
		}
		switch v = strings.ToLower(strings.TrimSpace(v)); v {
		case DriverSQLite, DriverPostgres:
			*dst = v
		default:
			p.add(resolve(n).Line, path, "must be %s or %s, got %q", DriverSQLite, DriverPostgres, v)
		}
	}
}

// checkStore: a PostgreSQL store needs its DSN, and the DSN belongs to
// PostgreSQL only (a DSN with the SQLite driver is a config that does not
// do what its author thinks).
func (p *parser) checkStore() {
	if p.hasProblemUnder("store.driver") || p.hasProblemUnder("store.dsn") {
		return
	}
	c := p.cfg
	switch {
	case c.Store.Postgres() && c.Store.DSN == "":
		line := c.Lines["store.driver"]
		p.add(line, "store.dsn", "is required with driver postgres; write dsn: ${NEWSDIGEST_DSN} and set the variable")
	case !c.Store.Postgres() && c.Store.DSN != "":
		p.add(c.Lines["store.dsn"], "store.dsn", "is only read with driver postgres; set store.driver: postgres, or remove it")
	}
}
