package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/store"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*s = append(*s, part)
		}
	}
	return nil
}

func newFlagSet(e *env, name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", config.DefaultPath(e.getenv), "config file ($NEWSDIGEST_CONFIG, else ./config.yaml)")
	return fs, cfgPath
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errSilent{exitOK}
		}
		return errSilent{exitUsage}
	}
	return nil
}

// loadConfig reads and validates the config; problems are printed one per
// line with their line numbers and reported as a usage error.
func loadConfig(e *env, path string) (*config.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("config: %v", err)
	}
	cfg, err := config.Parse(data, path, e.getenv)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			fmt.Fprintln(e.stderr, ce.Error())
			return nil, errSilent{exitUsage}
		}
		return nil, usagef("%v", err)
	}
	return cfg, nil
}

func newLogger(e *env) *slog.Logger {
	level := slog.LevelInfo
	if strings.EqualFold(e.getenv("NEWSDIGEST_LOG"), "debug") {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// openPipeline loads the config (which must pass RequireRun, and set up
// Slack when posting), opens the store and wires the pipeline: what run
// and serve share. closeStore must be called when done.
func openPipeline(ctx context.Context, e *env, cfgPath string, posting bool, cmd string) (*config.Config, *pipeline.Pipeline, *slog.Logger, func(), error) {
	cfg, err := loadConfig(e, cfgPath)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if err := cfg.RequireRun(store.CheckPath); err != nil {
		return nil, nil, nil, nil, usagef("%v", err)
	}
	if posting {
		if err := cfg.RequireSlack(); err != nil {
			hint := ""
			if cmd == "run" {
				hint = " (or use run -dry-run to print the digest)"
			}
			return nil, nil, nil, nil, usagef("%s: %v%s", cmd, err, hint)
		}
	}
	logger := newLogger(e)
	for _, w := range cfg.WarningLines() {
		logger.Warn("config: " + w)
	}
	st, err := openStore(ctx, cfg, "")
	if err != nil {
		return nil, nil, nil, nil, err
	}
	p, err := pipeline.New(cfg, st, logger)
	if err != nil {
		st.Close()
		return nil, nil, nil, nil, usagef("%v", err)
	}
	p.LeaseTTL = cfg.Store.LeaseTTL
	return cfg, p, logger, func() { st.Close() }, nil
}

// loadMatcher loads the config and compiles its topics: what explain and
// classify need, and all they need.
func loadMatcher(e *env, cfgPath string) (*config.Config, *classify.Matcher, error) {
	cfg, err := loadConfig(e, cfgPath)
	if err != nil {
		return nil, nil, err
	}
	m, err := cfg.Matcher()
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	return cfg, m, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func cmdRun(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlagSet(e, "run")
	dryRun := fs.Bool("dry-run", false, "poll and store, but post nothing and mark nothing delivered; print the digest (and the alerts that would be posted now)")
	format := fs.String("format", "text", "output of -dry-run: text, markdown or json")
	since := fs.Duration("since", 0, "window length (default: since the last digest, or digest.lookback)")
	var topics stringList
	fs.Var(&topics, "topic", "limit the digest to this topic (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run: unexpected argument %q", fs.Arg(0))
	}
	switch *format {
	case "text", "markdown", "json":
	default:
		return usagef("run: -format must be text, markdown or json, not %q", *format)
	}
	if *since < 0 {
		return usagef("run: -since must be positive")
	}
	cfg, p, _, closeStore, err := openPipeline(ctx, e, *cfgPath, !*dryRun, "run")
	if err != nil {
		return err
	}
	defer closeStore()
	if isTerminal(e.stderr) {
		p.Progress = func(done, total int, f newsdigest.Feed) {
			fmt.Fprintf(e.stderr, "\r\033[Kpolling feeds %d/%d  %s", done, total, f.Name)
			if done == total {
				fmt.Fprint(e.stderr, "\r\033[K")
			}
		}
	}

	if _, err := cfg.SelectTopics(topics); err != nil {
		return usagef("run: %v", err) // before polling: a typo costs nothing
	}
	poll, err := p.Poll(ctx)
	if err != nil {
		return err
	}
	opts := pipeline.DigestOptions{Since: *since, Topics: topics}
	defer p.Prune(ctx)
	if !*dryRun {
		// Posting: what was posted is logged per channel; stdout stays
		// empty. Alerts first, as after every poll: the digest then shows
		// the stories they carried as alerted.
		_, aerr := p.Alert(ctx)
		_, err := p.Deliver(ctx, opts, &poll)
		return errors.Join(aerr, err)
	}
	d, err := p.Digest(ctx, opts, &poll)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		err = d.WriteJSON(e.stdout)
	case "markdown":
		err = d.WriteMarkdown(e.stdout, cfg.Digest.MaxPerTopic)
	default:
		err = d.WriteText(e.stdout, cfg.Digest.MaxPerTopic)
	}
	if err != nil {
		return fmt.Errorf("write digest: %w", err)
	}
	return nil
}

func cmdValidate(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlagSet(e, "validate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("validate: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := loadConfig(e, *cfgPath)
	if err != nil {
		return err
	}
	// What run and serve check before they start: validate accepts
	// nothing they would refuse.
	if err := cfg.RequireRun(store.CheckPath); err != nil {
		return usagef("%v", err)
	}
	m, err := cfg.Matcher()
	if err != nil {
		if _, ok := errors.AsType[*config.Error](err); ok { // names the file and line already
			return usagef("%v", err)
		}
		return usagef("%s: %v", *cfgPath, err)
	}
	slack := "Slack: not configured (run -dry-run only)"
	if err := cfg.RequireSlack(); err == nil {
		slack = "Slack: configured"
	} else if cfg.Slack.Token != "" || cfg.Slack.WebhookURL != "" || cfg.Slack.Channel != "" {
		slack = "Slack: " + err.Error()
	}
	if err := cfg.RequireCommands(); err != nil {
		slack += "; /newsdigest: " + err.Error()
	} else if cfg.Slack.Commands() {
		slack += "; /newsdigest: " + commandTransports(cfg)
	}
	for _, w := range cfg.WarningLines() {
		fmt.Fprintln(e.stderr, "warning: "+w)
	}
	rules := ""
	if n := len(cfg.Alerts); n > 0 {
		rules = fmt.Sprintf(", %d alert %s", n, newsdigest.Plural(n, "rule", "rules"))
	}
	if known, unknown := m.LearnedTopics(); known != nil {
		rules += fmt.Sprintf(", a learned model for %d of them", len(known))
		if len(unknown) > 0 { // a topic renamed or added since the model was trained
			fmt.Fprintf(e.stderr, "warning: the learned model (%s) does not know %s: terms alone match %s; retrain it with newsdigest learn\n",
				cfg.Learned.Model, strings.Join(unknown, ", "), newsdigest.Plural(len(unknown), "it", "them"))
		}
	}
	fmt.Fprintf(e.stdout, "%s: OK: %d feeds, %d topics%s; %s\n", *cfgPath, len(cfg.Feeds), len(cfg.Topics), rules, slack)
	return nil
}

// commandTransports names the slash command's configured transports.
func commandTransports(cfg *config.Config) string {
	var t []string
	if cfg.Slack.AppToken != "" {
		t = append(t, "Socket Mode")
	}
	if cfg.Slack.SigningSecret != "" {
		t = append(t, "request URL POST /slack/commands on "+cfg.Serve.Listen)
	}
	return strings.Join(t, " and ")
}

func cmdExplain(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlagSet(e, "explain")
	asJSON := fs.Bool("json", false, "print JSON")
	title := fs.String("title", "", "article title")
	summary := fs.String("summary", "", "article summary")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	content := strings.Join(fs.Args(), " ")
	if *title == "" && *summary == "" && content == "" {
		if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return usagef("explain: give -title, -summary or TEXT (or pipe the text on stdin)")
		}
		b, err := io.ReadAll(io.LimitReader(e.stdin, 16<<20))
		if err != nil {
			return fmt.Errorf("explain: read stdin: %w", err)
		}
		content = string(b)
	}
	_, m, err := loadMatcher(e, *cfgPath)
	if err != nil {
		return err
	}
	ex := m.Explain(classify.Doc{Title: *title, Summary: *summary, Content: content})
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Topics []classify.Explanation `json:"topics"`
		}{ex})
	}
	writeExplanation(e.stdout, ex)
	return nil
}

func writeExplanation(w io.Writer, ex []classify.Explanation) {
	for _, x := range ex {
		verdict := "no match"
		if x.Matched {
			verdict = "MATCH"
		}
		fmt.Fprintf(w, "%-14s %-8s score %d (min %d)\n", x.Name, verdict, x.Score, x.MinScore)
		for _, line := range x.Why() {
			fmt.Fprintln(w, "    "+line)
		}
	}
}

// classifyIn and classifyOut are the JSON lines of `newsdigest classify`.
type classifyIn struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Summary string `json:"summary"`
	Content string `json:"content"`
}

type classifyTopic struct {
	Name  string   `json:"name"`
	Score int      `json:"score"`
	Terms []string `json:"terms"`
}

type classifyOut struct {
	ID     string          `json:"id"`
	Topics []classifyTopic `json:"topics"`
	Error  string          `json:"error,omitempty"`
}

// eachLine calls fn with every non-blank line, trimmed, of the named files
// in turn ("-", or no file at all, is standard input), with the file's name
// ("stdin" for "-") and the line's number; lines may be up to 64 MiB. A
// file that cannot be opened is a usage error of cmd; an error of fn stops
// the reading and is returned.
func eachLine(ctx context.Context, e *env, cmd string, paths []string, fn func(name string, line int, raw string) error) error {
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	for _, path := range paths {
		if err := eachLineOf(ctx, e, cmd, path, fn); err != nil {
			return err
		}
	}
	return nil
}

func eachLineOf(ctx context.Context, e *env, cmd, path string, fn func(name string, line int, raw string) error) error {
	var r io.Reader = e.stdin
	name := "stdin"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return usagef("%s: %v", cmd, err)
		}
		defer f.Close()
		r, name = f, path
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		if ctx.Err() != nil {
			return ctx.Err()
		}
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		if err := fn(name, line, raw); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %s: read line %d: %w", cmd, name, line+1, err)
	}
	return nil
}

// cmdClassify classifies the JSON lines of its files (or stdin), writing
// one line out per line in; a line that is not JSON gets an error line.
func cmdClassify(ctx context.Context, e *env, args []string) error {
	fs, cfgPath := newFlagSet(e, "classify")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, m, err := loadMatcher(e, *cfgPath)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	var scratch classify.Scratch
	var matches []newsdigest.Match
	var buf []byte
	topics := []classifyTopic{} // never nil: no match is "topics":[]
	bad, lines := 0, 0
	err = eachLine(ctx, e, "classify", fs.Args(), func(name string, line int, raw string) error {
		lines++
		var in classifyIn
		var err error
		if !decodeClassifyIn(raw, &in) {
			// Not the usual line: json.Unmarshal decodes it or says why not.
			in = classifyIn{}
			err = json.Unmarshal([]byte(raw), &in)
		}
		res := classifyOut{Topics: topics[:0]}
		if err != nil {
			bad++
			res.Error = fmt.Sprintf("%s:%d: invalid JSON: %v", name, line, err)
			fmt.Fprintf(e.stderr, "newsdigest: classify: %s\n", res.Error)
		} else {
			res.ID = in.ID
			matches = m.MatchAppend(matches[:0], &scratch, classify.Doc{Title: in.Title, Summary: in.Summary, Content: in.Content})
			for _, mt := range matches {
				res.Topics = append(res.Topics, classifyTopic{Name: mt.Topic, Score: mt.Score, Terms: mt.Terms})
			}
			topics = res.Topics
		}
		buf = appendClassifyOut(buf[:0], &res)
		if _, err := out.Write(buf); err != nil {
			return fmt.Errorf("classify: write: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("classify: %d of %d lines were not valid JSON", bad, lines)
	}
	return nil
}

func cmdVersion(e *env) error {
	fmt.Fprintf(e.stdout, "newsdigest %s\n", newsdigest.Version)
	return nil
}
