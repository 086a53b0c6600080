// Package config loads and validates newsdigest's config.yaml, reporting every
// problem with its line number and keeping secrets out of every message.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	// Embedded zoneinfo, so that timezone names load on hosts without
	// /usr/share/zoneinfo (minimal containers).
	_ "time/tzdata"

	"github.com/newsdigest/newsdigest"
)

// Config is a loaded and validated config.yaml with defaults applied.
type Config struct {
	Path     string         // file it was loaded from
	Timezone string         // IANA name; default "UTC"
	Location *time.Location // loaded from Timezone
	Schedule Schedule
	Store    Store
	Serve    Serve
	Fetch    Fetch
	Digest   Digest
	Learned  Learned
	Slack    Slack
	Feeds    []newsdigest.Feed
	Topics   []newsdigest.Topic
	// Alerts are the alert rules (docs/ALERTS.md), with their defaults
	// applied, in config order.
	Alerts []newsdigest.AlertRule
	// Lines maps the path of every key and list element found in the file
	// ("feeds[3]", "topics[1]", "topics[1].channel", "slack.token") to its
	// 1-based line, for messages built later; but not single terms
	// ("topics[1].terms[4]"): a watchlist may hold 50,000, and a problem
	// with a term is reported with its line as the file is read.
	Lines map[string]int
	// Warnings are problems that do not stop newsdigest, such as a feed
	// listed twice (the second is ignored). validate prints them; run and
	// serve log them.
	Warnings []Problem

	// env remembers which environment variables the secret settings named,
	// so RequireSlack can say which one is unset. Names only, never values.
	env map[string][]string
}

// Schedule holds the cron specs (robfig/cron standard syntax) of the jobs.
type Schedule struct {
	Poll   string // default "*/15 * * * *"
	Digest string // default "0 8 * * *"
}

// Store configures the store: a SQLite file (the default), or a
// PostgreSQL database shared by several replicas (docs/POSTGRES.md).
// Printing it with fmt or encoding/json shows DSN as "[redacted]".
type Store struct {
	Driver    string        // "sqlite" (also when empty) or "postgres"
	Path      string        // SQLite: relative paths are resolved against the config file's directory
	Retention time.Duration // items older than this are pruned; default 720h
	// DSN is the PostgreSQL connection string (secret), required with
	// driver postgres, e.g. ${NEWSDIGEST_DSN}.
	DSN string
	// PostgreSQL's pool; zero means the store's default (store.Default*).
	MaxConns         int
	ConnMaxLifetime  time.Duration
	ConnectTimeout   time.Duration
	StatementTimeout time.Duration
	// LeaseTTL is how long the posting lease and a poll's feed claims
	// outlive a process that stopped renewing them (died); zero means
	// 20s (pipeline.DefaultLeaseTTL).
	LeaseTTL time.Duration
}

// The store drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Postgres reports whether the store is a PostgreSQL database.
func (s Store) Postgres() bool { return s.Driver == DriverPostgres }

// Serve configures the HTTP server of `newsdigest serve`. Printing it with
// fmt or encoding/json shows Token as "[redacted]".
type Serve struct {
	Listen string // host:port; default "127.0.0.1:8080"
	// Token is the bearer token guarding POST /run (secret). It may be
	// empty only when Listen is a loopback address (checkServe).
	Token string
	// MaxSince is the longest window POST /run?since= may ask for;
	// default digest.lookback.
	MaxSince time.Duration
}

// Fetch configures feed fetching.
type Fetch struct {
	Concurrency int           // feeds fetched at once, 1..256; default 8
	Timeout     time.Duration // whole request; default 20s
	MaxBytes    int64         // body cap; default 10485760
	UserAgent   string        // default DefaultUserAgent()
	// AllowPrivate lets feeds (and their redirects) connect to loopback,
	// private, link-local and other non-public addresses; default false.
	AllowPrivate bool
}

// Digest configures the digest.
// Learned is the learned topic model (docs/WATCHLISTS.md "The learned
// model"): a model file made by `newsdigest learn`, and how its
// probabilities combine with the terms (classify.Learned).
type Learned struct {
	Model  string  // the model file; relative paths against the config file's directory; "" none
	Accept float64 // default classify.DefaultAccept
	Veto   float64 // default classify.DefaultVeto
}

type Digest struct {
	Title       string        // default "News digest"
	Lookback    time.Duration // window of the first digest; default 24h
	MaxPerTopic int           // items shown per topic; default 8
	PostEmpty   bool          // post a "nothing new" note when nothing matched
	// OmitAlerted leaves stories already alerted out of the digest
	// (digest.alerted: omit); by default they are shown, marked.
	OmitAlerted bool
}

// Slack configures delivery and the /newsdigest slash command. Printing it
// with fmt or encoding/json shows Token, WebhookURL, AppToken and
// SigningSecret as "[redacted]".
type Slack struct {
	Token      string // secret; bot token for chat.postMessage
	WebhookURL string // secret; incoming webhook URL
	Channel    string // default channel name or ID; not used with a webhook
	APIURL     string // Web API base URL; empty means Slack's

	// The slash command (docs/SLACK-COMMANDS.md). AppToken turns on Socket
	// Mode; SigningSecret turns on POST /slack/commands.
	AppToken        string   // secret; app-level token (xapp-…) with connections:write
	SigningSecret   string   // secret; the app's signing secret, for the HTTP request URL
	TeamID          string   // the workspace (T…) commands may come from; "" = learnt with auth.test
	AllowedChannels []string // channels (names or IDs) where `now` may post; empty = any
	AllowedUsers    []string // user IDs (U…, W…) who may run `now`; empty = anyone
}

// Commands reports whether the slash command is configured: Socket Mode, the
// HTTP request URL, or both.
func (s Slack) Commands() bool { return s.AppToken != "" || s.SigningSecret != "" }

// Problem is one thing wrong with a config file.
type Problem struct {
	Line    int    // 1-based; 0 when it has no line
	Path    string // e.g. "topics[2].terms[4]" or "fetch.timeout"; "" for the whole file
	Message string
}

// format renders the problem as "file:line: path: message", leaving out
// the parts that are empty or zero.
func (p Problem) format(file string) string {
	var b strings.Builder
	b.WriteString(file)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// WarningLines formats the warnings like Error does its problems, one per
// line: "config.yaml:80: feeds[7].url: duplicate feed URL (also feeds[2]); ignored".
func (c *Config) WarningLines() []string {
	return (&Error{File: c.Path, Problems: c.Warnings}).Lines()
}

// Error lists every problem found in one config file.
type Error struct {
	File     string
	Problems []Problem
}

// Error returns one line per problem, such as
// "config.yaml:12: topics[2].terms[4]: '*' only allowed at the end of a term".
func (e *Error) Error() string {
	return strings.Join(e.Lines(), "\n")
}

// Lines returns the problems, one formatted line each.
func (e *Error) Lines() []string {
	file := e.File
	if file == "" {
		file = "config"
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.format(file)
	}
	return lines
}

// DefaultPath returns $NEWSDIGEST_CONFIG when set, else "config.yaml".
func DefaultPath(getenv func(string) string) string {
	if p := getenv("NEWSDIGEST_CONFIG"); p != "" {
		return p
	}
	return "config.yaml"
}

// Load reads the file at path, expands ${VAR} from the environment and
// validates it. On any problem it returns an *Error listing every problem
// found, each with its line; a file that cannot be read gives a wrapped
// os error instead (errors.Is(err, fs.ErrNotExist) works).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(data, path, os.Getenv)
}

// Parse is Load on bytes: filename names the file in messages and anchors
// relative store paths; getenv resolves ${VAR}. It returns either a valid
// *Config or an *Error.
//
// In scalar values, ${NAME} (NAME of letters, digits and underscores, not
// starting with a digit) is replaced by getenv(NAME), an unset variable
// giving the empty string, and ${NAME:-default} by getenv(NAME) or, when
// that is empty, default as written; "$$" is a literal "$"; a "$" followed
// by anything else is kept as written; "${" with no closing "}" or
// anything else inside (such as ${A-b}) is a problem. A value that is
// empty after expansion counts as unset, so its default applies, except
// in a secret (slack.token, slack.webhook_url, slack.app_token,
// slack.signing_secret, serve.token): there a plain ${NAME} that is unset
// or empty is a problem, and ${NAME:-} marks a secret that may be left
// empty.
func Parse(data []byte, filename string, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	// Where to look: schema.go lists the keys config.yaml may hold and the
	// defaults; yaml.go and scalar.go read mappings, lists and typed values;
	// check.go holds every other rule; suggest.go the did-you-mean.
	c := defaults(filename)
	p := &parser{cfg: c, getenv: getenv}
	if root := p.document(data); root != nil {
		p.mapping(root, "", p.rootKeys())
		p.checkAcrossSections()
	}
	if len(p.problems) > 0 {
		return nil, c.newError(p.problems)
	}
	if c.Serve.MaxSince == 0 {
		c.Serve.MaxSince = c.Digest.Lookback
	}
	if len(p.warnings) > 0 {
		c.Warnings = c.newError(p.warnings).Problems
	}
	c.Store.Path = resolvePath(filename, c.Store.Path)
	if c.Learned.Model != "" {
		c.Learned.Model = resolvePath(filename, c.Learned.Model)
	}
	return c, nil
}

// resolvePath makes a relative store path relative to the directory of the
// config file. SQLite's ":memory:" and "file:" URIs are left alone.
func resolvePath(configFile, p string) string {
	if p == ":memory:" || strings.HasPrefix(p, "file:") || filepath.IsAbs(p) || configFile == "" {
		return p
	}
	return filepath.Join(filepath.Dir(configFile), p)
}

// newError sorts problems by line (those without a line last) and redacts
// every secret from their text.
func (c *Config) newError(problems []Problem) *Error {
	sort.SliceStable(problems, func(i, j int) bool {
		li, lj := problems[i].Line, problems[j].Line
		if li == 0 || lj == 0 {
			return li != 0 && lj == 0
		}
		return li < lj
	})
	for i := range problems {
		problems[i].Path = c.Redact(problems[i].Path)
		problems[i].Message = c.Redact(problems[i].Message)
	}
	return &Error{File: c.Path, Problems: problems}
}

// RequireFeeds returns an *Error when no feeds are configured.
func (c *Config) RequireFeeds() error {
	if len(c.Feeds) > 0 {
		return nil
	}
	return c.newError([]Problem{{Line: c.Lines["feeds"], Path: "feeds", Message: "no feeds configured"}})
}

// RequireRun returns an *Error listing what keeps run and serve from
// working with this config beyond what Load checks: no feeds, no topics
// (nothing could ever match), or a store path that checkStore
// (store.CheckPath) refuses. validate runs it too, so that it accepts
// nothing run would refuse. Slack settings are RequireSlack's: run
// -dry-run needs none.
func (c *Config) RequireRun(checkStore func(path string) error) error {
	var problems []Problem
	if len(c.Feeds) == 0 {
		problems = append(problems, Problem{Line: c.Lines["feeds"], Path: "feeds", Message: "no feeds configured"})
	}
	if len(c.Topics) == 0 {
		problems = append(problems, Problem{Line: c.Lines["topics"], Path: "topics", Message: "no topics configured: nothing would ever match"})
	}
	if c.Store.Postgres() {
		// The DSN was checked by Load; whether the server answers is for
		// the open.
	} else if err := checkStore(c.Store.Path); err != nil {
		problems = append(problems, Problem{Line: c.keyLine("store", "path"), Path: "store.path", Message: err.Error()})
	}
	if len(problems) == 0 {
		return nil
	}
	return c.newError(problems)
}

// RequireSlack returns nil when Slack delivery is configured well enough to
// post: a webhook URL, or a bot token plus a channel for every topic (the
// topic's own or slack.channel). Otherwise it returns an *Error naming the
// settings to fix; secret values never appear in it.
func (c *Config) RequireSlack() error {
	var problems []Problem
	switch {
	case c.Slack.WebhookURL != "":
		// One channel, chosen by the webhook; Load checked the rest.
	case c.Slack.Token == "":
		msg := "slack.token or slack.webhook_url must be set"
		var unset []string
		for _, k := range []string{"slack.token", "slack.webhook_url"} {
			for _, name := range c.env[k] {
				if !slices.Contains(unset, name) {
					unset = append(unset, name)
				}
			}
		}
		switch len(unset) {
		case 0:
		case 1:
			msg += " (" + unset[0] + " is not set)"
		default:
			msg += " (" + strings.Join(unset, " and ") + " are not set)"
		}
		problems = append(problems, Problem{Line: c.keyLine("slack", "token"), Path: "slack", Message: msg})
	case c.Slack.Channel == "":
		var missing []string
		for _, t := range c.Topics {
			if t.Channel == "" {
				missing = append(missing, fmt.Sprintf("%q", t.Name))
			}
		}
		if len(missing) > 0 || len(c.Topics) == 0 {
			msg := "must be set when posting with a bot token"
			if len(missing) > 0 {
				msg += ": topics " + strings.Join(missing, ", ") + " have no channel of their own"
				if len(missing) == 1 {
					msg = "must be set when posting with a bot token: topic " + missing[0] + " has no channel of its own"
				}
			}
			problems = append(problems, Problem{Line: c.keyLine("slack", "channel"), Path: "slack.channel", Message: msg})
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return c.newError(problems)
}

// RequireCommands returns an *Error when a slash command setting is written
// in the file but empty — its environment variable unset — so that serve
// does not start without a transport the file asks for. Secret values never
// appear in it.
func (c *Config) RequireCommands() error {
	var problems []Problem
	for _, k := range []string{"slack.app_token", "slack.signing_secret"} {
		v := c.Slack.AppToken
		if k == "slack.signing_secret" {
			v = c.Slack.SigningSecret
		}
		line, written := c.Lines[k]
		if !written || v != "" {
			continue
		}
		msg := "is empty"
		if vars := c.env[k]; len(vars) > 0 {
			msg += " (" + strings.Join(vars, ", ") + " is not set)"
		}
		problems = append(problems, Problem{Line: line, Path: k, Message: msg + "; set it, or remove the key to turn this transport off"})
	}
	if len(problems) == 0 {
		return nil
	}
	return c.newError(problems)
}

// Redact returns s with every secret value of the config (Slack token,
// webhook URL, serve token, app token, signing secret, the store's DSN and
// its password) replaced by "[redacted]".
func (c *Config) Redact(s string) string {
	if c == nil {
		return s
	}
	secrets := []string{c.Slack.Token, c.Slack.WebhookURL, c.Serve.Token, c.Slack.AppToken, c.Slack.SigningSecret,
		c.Store.DSN}
	// A DSN's password alone too, unless too short to redact without
	// mangling ordinary words (pgx's own errors never quote it).
	if pw := dsnPassword(c.Store.DSN); len(pw) >= 6 {
		secrets = append(secrets, pw)
	}
	// Longest first, so a secret that contains another is replaced whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, v := range secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}

const redacted = "[redacted]"
