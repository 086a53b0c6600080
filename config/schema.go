package config

// The schema of config.yaml: every key it may contain, the reader that
// checks and stores each value, and the defaults an absent key leaves in
// place. Rules beyond a value's type are in check.go.

import (
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
)

// Defaults applied when a key is absent, null or empty after ${VAR} expansion.
const (
	DefaultTimezone       = "UTC"
	DefaultPollSchedule   = "*/15 * * * *"
	DefaultDigestSchedule = "0 8 * * *"
	DefaultStorePath      = "newsdigest.db"
	DefaultRetention      = 720 * time.Hour
	DefaultListen         = "127.0.0.1:8080"
	DefaultConcurrency    = 8
	DefaultTimeout        = 20 * time.Second
	DefaultMaxBytes       = 10 << 20 // 10485760
	DefaultDigestTitle    = "News digest"
	DefaultLookback       = 24 * time.Hour
	DefaultMaxPerTopic    = 8
	DefaultMinScore       = 1
)

// DefaultUserAgent is the fetch.user_agent used when none is configured.
func DefaultUserAgent() string {
	return "newsdigest/" + newsdigest.Version + " (+https://github.com/newsdigest/newsdigest)"
}

// defaults returns the config of an empty file. Topic defaults are filled
// in by topics.
func defaults(filename string) *Config {
	return &Config{
		Path:     filename,
		Timezone: DefaultTimezone,
		Location: time.UTC,
		Schedule: Schedule{Poll: DefaultPollSchedule, Digest: DefaultDigestSchedule},
		Store:    Store{Path: DefaultStorePath, Retention: DefaultRetention},
		Serve:    Serve{Listen: DefaultListen},
		Fetch: Fetch{
			Concurrency: DefaultConcurrency,
			Timeout:     DefaultTimeout,
			MaxBytes:    DefaultMaxBytes,
			UserAgent:   DefaultUserAgent(),
		},
		Digest:  Digest{Title: DefaultDigestTitle, Lookback: DefaultLookback, MaxPerTopic: DefaultMaxPerTopic},
		Learned: Learned{Accept: classify.DefaultAccept, Veto: classify.DefaultVeto},
		Lines:   map[string]int{},
		env:     map[string][]string{},
	}
}

// rootKeys are the top-level keys of config.yaml and, under each section,
// its keys, in the order messages list them.
func (p *parser) rootKeys() []field {
	c := p.cfg
	return []field{
		{"timezone", p.timezone(&c.Timezone, &c.Location)},
		{"schedule", p.section([]field{
			{"poll", p.schedule(&c.Schedule.Poll)},
			{"digest", p.schedule(&c.Schedule.Digest)},
		})},
		{"store", p.section([]field{
			{"driver", p.driver(&c.Store.Driver)},
			{"path", p.str(&c.Store.Path)},
			{"retention", p.duration(&c.Store.Retention)},
			{"dsn", p.secret(&c.Store.DSN)},
			{"max_conns", p.integer(1, 1000, func(n int64) { c.Store.MaxConns = int(n) })},
			{"conn_max_lifetime", p.duration(&c.Store.ConnMaxLifetime)},
			{"connect_timeout", p.duration(&c.Store.ConnectTimeout)},
			{"statement_timeout", p.duration(&c.Store.StatementTimeout)},
			{"lease_ttl", p.duration(&c.Store.LeaseTTL)},
		})},
		{"serve", p.section([]field{
			{"listen", p.listen(&c.Serve.Listen)},
			{"token", p.secret(&c.Serve.Token)},
			{"max_since", p.duration(&c.Serve.MaxSince)},
		})},
		{"fetch", p.section([]field{
			{"concurrency", p.integer(1, 256, func(n int64) { c.Fetch.Concurrency = int(n) })},
			{"timeout", p.duration(&c.Fetch.Timeout)},
			// At most 1 GiB: a feed body is held in memory whole.
			{"max_bytes", p.integer(1, 1<<30, func(n int64) { c.Fetch.MaxBytes = n })},
			{"user_agent", p.str(&c.Fetch.UserAgent)},
			{"allow_private", p.boolean(&c.Fetch.AllowPrivate)},
		})},
		{"digest", p.section([]field{
			{"title", p.str(&c.Digest.Title)},
			{"lookback", p.duration(&c.Digest.Lookback)},
			{"max_per_topic", p.integer(1, -1, func(n int64) { c.Digest.MaxPerTopic = int(n) })},
			{"post_empty", p.boolean(&c.Digest.PostEmpty)},
			{"alerted", p.alertedStories(&c.Digest.OmitAlerted)},
		})},
		{"learned", p.section([]field{
			{"model", p.str(&c.Learned.Model)},
			// accept above 1 turns adding off; veto 0 turns dropping off.
			{"accept", p.fraction(0, 2, &c.Learned.Accept)},
			{"veto", p.fraction(0, 1, &c.Learned.Veto)},
		})},
		{"slack", p.section([]field{
			{"token", p.secret(&c.Slack.Token)},
			{"webhook_url", p.secret(&c.Slack.WebhookURL)},
			{"channel", p.str(&c.Slack.Channel)},
			{"api_url", p.str(&c.Slack.APIURL)},
			{"app_token", p.secret(&c.Slack.AppToken)},
			{"signing_secret", p.secret(&c.Slack.SigningSecret)},
			{"team_id", p.str(&c.Slack.TeamID)},
			{"allowed_channels", p.stringList(&c.Slack.AllowedChannels, "a list of channels")},
			{"allowed_users", p.stringList(&c.Slack.AllowedUsers, "a list of user IDs")},
		})},
		{"feeds", p.feeds},   // a list of feedKeys mappings
		{"topics", p.topics}, // a list of topicKeys mappings
		{"alerts", p.alerts}, // a list of alertKeys mappings (alerts.go)
	}
}

// feedKeys are the keys of one item of feeds; name and url must be set
// (checkFeed).
func (p *parser) feedKeys(f *newsdigest.Feed) []field {
	return []field{
		{"name", p.str(&f.Name)},
		{"url", p.str(&f.URL)},
		{"language", p.str(&f.Language)},
	}
}

// topicKeys are the keys of one item of topics; name and terms must be set
// (checkTopic). terms, exclude and unless are lists of terms, require a list
// of lists of terms (classify.ParseTerm). An empty label defaults to the name, a
// min_score of 0 to DefaultMinScore (in topics); a topic without a channel
// posts to slack.channel.
func (p *parser) topicKeys(t *newsdigest.Topic) []field {
	return []field{
		{"name", p.str(&t.Name)},
		{"label", p.str(&t.Label)},
		{"emoji", p.str(&t.Emoji)},
		{"channel", p.topicChannel(&t.Channel)},
		{"terms", p.terms(&t.Terms)},
		{"title_terms", p.terms(&t.TitleTerms)},
		{"exclude", p.terms(&t.Exclude)},
		{"unless", p.terms(&t.Unless)},
		{"require", p.termGroups(&t.Require)},
		{"min_score", p.integer(0, -1, func(n int64) { t.MinScore = int(n) })},
	}
}

// feeds reads the feeds list. A feed whose URL repeats an earlier one is
// left out, with a warning.
func (p *parser) feeds(n *yaml.Node, path string) {
	names := map[string]string{} // name → path of its first use
	urls := map[string]string{}  // canonical URL → path of its first use
	p.mappings(n, path, "a list of feeds", "a feed (a mapping with name and url)", func(item *yaml.Node, ip string) {
		var f newsdigest.Feed
		p.mapping(item, ip, p.feedKeys(&f))
		f.Name = strings.TrimSpace(f.Name)
		f.URL = strings.TrimSpace(f.URL)
		if p.checkFeed(f, ip, names, urls) {
			p.cfg.Feeds = append(p.cfg.Feeds, f)
		}
	})
}

// topics reads the topics list, filling in each topic's defaults.
func (p *parser) topics(n *yaml.Node, path string) {
	names := map[string]string{} // name → path of its first use
	p.mappings(n, path, "a list of topics", "a topic (a mapping with name and terms)", func(item *yaml.Node, ip string) {
		var t newsdigest.Topic
		p.mapping(item, ip, p.topicKeys(&t))
		t.Name = strings.TrimSpace(t.Name)
		if t.Label == "" {
			t.Label = t.Name
		}
		if t.MinScore == 0 {
			t.MinScore = DefaultMinScore
		}
		p.cfg.Topics = append(p.cfg.Topics, t)
		p.checkTopic(t, ip, names)
	})
}
