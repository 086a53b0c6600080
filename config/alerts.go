package config

// The alerts: list (docs/ALERTS.md): each rule's keys and defaults, its
// checks, and the digest's alerted: setting. Rules that need the whole file
// (topic names, channels, unique rule names) are checked in checkAlerts,
// once the topics are read.

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/newsdigest/newsdigest"
)

// Defaults and bounds of an alert rule.
const (
	DefaultAlertWithin     = 2 * time.Hour
	DefaultAlertMaxPerHour = 5
	// MaxAlertWithin bounds within: alerts are for news breaking now; the
	// digest covers the rest.
	MaxAlertWithin = 24 * time.Hour
)

// alertKeys are the keys of one item of alerts; topics and min_outlets must
// be set (alerts). replyAt is left at -1 when reply_at is absent.
func (p *parser) alertKeys(r *newsdigest.AlertRule, replyAt *int) []field {
	return []field{
		{"name", p.str(&r.Name)},
		{"topics", p.topicNames(&r.Topics)},
		{"min_outlets", p.integer(2, 1000, func(n int64) { r.MinOutlets = int(n) })},
		{"within", p.duration(&r.Within)},
		{"min_score", p.integer(0, -1, func(n int64) { r.MinScore = int(n) })},
		{"channel", p.str(&r.Channel)},
		{"quiet_hours", p.quietHours(&r.Quiet)},
		{"max_per_hour", p.integer(1, 60, func(n int64) { r.MaxPerHour = int(n) })},
		{"reply_at", p.integer(0, 10000, func(n int64) { *replyAt = int(n) })},
	}
}

// alerts reads the alerts list, filling in each rule's defaults.
func (p *parser) alerts(n *yaml.Node, path string) {
	p.mappings(n, path, "a list of alert rules", "an alert rule (a mapping with topics and min_outlets)", func(item *yaml.Node, ip string) {
		r := newsdigest.AlertRule{Within: DefaultAlertWithin, MaxPerHour: DefaultAlertMaxPerHour}
		replyAt := -1
		p.mapping(item, ip, p.alertKeys(&r, &replyAt))
		r.Name = strings.TrimSpace(r.Name)
		if r.Name == "" {
			r.Name = strings.Join(r.Topics, "+")
		}
		if len(r.Topics) == 0 && !p.hasProblemUnder(join(ip, "topics")) && !p.misspelled(ip, "topics") {
			p.add(p.cfg.keyLine(ip, "topics"), join(ip, "topics"), "at least one topic is required")
		}
		if p.cfg.Lines[join(ip, "min_outlets")] == 0 && !p.misspelled(ip, "min_outlets") {
			p.add(item.Line, join(ip, "min_outlets"), "must be set (how many distinct outlets make a story breaking, e.g. 4)")
		}
		if r.Within > MaxAlertWithin {
			p.add(p.cfg.keyLine(ip, "within"), join(ip, "within"), "must be at most %s (alerts are for news breaking now; the digest brings the rest), got %s", MaxAlertWithin, r.Within)
		}
		switch {
		case replyAt < 0:
			r.ReplyAt = 2 * r.MinOutlets
		case replyAt > 0 && r.MinOutlets > 0 && replyAt <= r.MinOutlets:
			p.add(p.cfg.keyLine(ip, "reply_at"), join(ip, "reply_at"), "must be more than min_outlets (%d), or 0 for no growth reply; got %d", r.MinOutlets, replyAt)
		default:
			r.ReplyAt = replyAt
		}
		p.cfg.Alerts = append(p.cfg.Alerts, r)
		p.alertPaths = append(p.alertPaths, ip)
	})
}

// topicNames reads a list of topic names; checkAlerts checks that they are
// configured.
func (p *parser) topicNames(dst *[]string) reader {
	return func(n *yaml.Node, path string) {
		for j, item := range p.sequence(n, path, "a list of topic names") {
			v, _, ok := p.scalar(item, index(path, j), "a topic name")
			if v = strings.TrimSpace(v); !ok {
				continue
			} else if v == "" {
				p.add(item.Line, index(path, j), "topic name is empty")
				continue
			}
			if !slices.Contains(*dst, v) {
				*dst = append(*dst, v)
			}
		}
	}
}

var quietRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$`) })

// quietHours reads "HH:MM-HH:MM", a daily span in the configured timezone
// that may cross midnight ("23:00-06:00").
func (p *parser) quietHours(dst *newsdigest.QuietHours) reader {
	return func(n *yaml.Node, path string) {
		v, _, ok := p.scalar(n, path, "a span such as \"23:00-06:00\"")
		if !ok || v == "" {
			return
		}
		m := quietRE().FindStringSubmatch(strings.TrimSpace(v))
		var mins [2]int
		valid := m != nil
		for k := 0; valid && k < 2; k++ {
			h, _ := strconv.Atoi(m[1+2*k])
			mi, _ := strconv.Atoi(m[2+2*k])
			valid = h < 24 && mi < 60
			mins[k] = h*60 + mi
		}
		switch {
		case !valid:
			p.add(resolve(n).Line, path, "expected a span of wall-clock time such as \"23:00-06:00\" (in timezone), got %s%s", kindName(resolve(n)), fromEnv(n))
		case mins[0] == mins[1]:
			p.add(resolve(n).Line, path, "start and end are the same (%s): no quiet hours would be a missing key, all day would hold every alert", v)
		default:
			*dst = newsdigest.QuietHours{Start: mins[0], End: mins[1]}
		}
	}
}

// alertedStories reads digest.alerted: "mark" (show stories already
// alerted, marked) or "omit" (leave them out).
func (p *parser) alertedStories(omit *bool) reader {
	return p.choice([]string{"mark", "omit"}, "mark (show alerted stories, marked) or omit (leave them out)",
		func(i int) { *omit = i == 1 })
}

// checkAlerts checks what an alert rule shares with the rest of the file:
// its topics are configured, its name is unique, and it knows its channel
// (its own, or the one its topics post to).
func (p *parser) checkAlerts() {
	topics := map[string]newsdigest.Topic{}
	var names []string
	for _, t := range p.cfg.Topics {
		topics[t.Name] = t
		names = append(names, t.Name)
	}
	ruleNames := map[string]string{}
	for i, r := range p.cfg.Alerts {
		ip := p.alertPaths[i]
		line := func(key string) int { return p.cfg.keyLine(ip, key) }
		channels := map[string]bool{}
		var unknown bool
		for j, name := range r.Topics {
			t, ok := topics[name]
			if !ok {
				unknown = true
				tp := index(join(ip, "topics"), j)
				if s := suggest(name, names); s != "" {
					p.add(p.cfg.Lines[tp], tp, "unknown topic %q (did you mean %q?)", name, s)
				} else {
					p.add(p.cfg.Lines[tp], tp, "unknown topic %q (topics: %s)", name, strings.Join(names, ", "))
				}
				continue
			}
			channels[t.Channel] = true
		}
		if first, dup := ruleNames[r.Name]; dup && r.Name != "" {
			p.add(line("name"), join(ip, "name"), "duplicate alert rule name %q (also %s); give each rule its own name:", r.Name, first)
		} else {
			ruleNames[r.Name] = ip
		}
		switch {
		case r.Channel != "" && p.cfg.Slack.WebhookURL != "":
			p.add(line("channel"), join(ip, "channel"), "an alert channel cannot be used with slack.webhook_url (a webhook posts to one channel)")
		case r.Channel == "" && len(channels) > 1 && !unknown:
			var list []string
			for ch := range channels {
				list = append(list, quoteOr(ch, "slack.channel"))
			}
			slices.Sort(list)
			p.add(line("topics"), join(ip, "channel"), "must be set: the rule's topics post to different channels (%s)", strings.Join(list, ", "))
		}
	}
}

// quoteOr is s quoted, or def when s is empty.
func quoteOr(s, def string) string {
	if s == "" {
		return def
	}
	return fmt.Sprintf("%q", s)
}
