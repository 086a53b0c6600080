package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

// env returns a getenv backed by a map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func mustParse(t *testing.T, data, filename string, getenv func(string) string) *Config {
	t.Helper()
	c, err := Parse([]byte(data), filename, getenv)
	if err != nil {
		t.Fatalf("Parse(%q) error:\n%v", filename, err)
	}
	return c
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// problems returns the problems of a Parse error, failing unless it is an *Error.
func problems(t *testing.T, err error) []Problem {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v (%T); want *config.Error", err, err)
	}
	return ce.Problems
}

func TestParseFull(t *testing.T) {
	const token, serveToken = "xoxb-1111-2222-abcdefABCDEF", "serve-s3cret-token"
	c := mustParse(t, readTestdata(t, "full.yaml"), "/etc/newsdigest/config.yaml",
		env(map[string]string{"SLACK_BOT_TOKEN": token, "NEWSDIGEST_TOKEN": serveToken}))

	if c.Location == nil || c.Location.String() != "America/Mexico_City" {
		t.Errorf("Location = %v; want America/Mexico_City", c.Location)
	}
	got := *c
	got.Location, got.Lines, got.env = nil, nil, nil
	want := Config{
		Path:     "/etc/newsdigest/config.yaml",
		Timezone: "America/Mexico_City",
		Schedule: Schedule{Poll: "*/15 * * * *", Digest: "0 8 * * *"},
		Store:    Store{Path: "/etc/newsdigest/newsdigest.db", Retention: 720 * time.Hour},
		Serve:    Serve{Listen: "127.0.0.1:8080", Token: serveToken, MaxSince: 24 * time.Hour},
		Fetch: Fetch{Concurrency: 8, Timeout: 20 * time.Second, MaxBytes: 10485760,
			UserAgent: "newsdigest/1.0 (+https://example.org/newsdigest)"},
		Digest:  Digest{Title: "US–Mexico Watch", Lookback: 24 * time.Hour, MaxPerTopic: 8, PostEmpty: false},
		Learned: Learned{Accept: 0.9, Veto: 0.01},
		Slack:   Slack{Token: token, Channel: "#mx-digest"},
		Feeds:   []newsdigest.Feed{{Name: "Mexico News Daily", URL: "https://mexiconewsdaily.com/feed/", Language: "en"}},
		Topics: []newsdigest.Topic{{
			Name:     "cartels",
			Label:    "Cartels & organized crime",
			Emoji:    ":rotating_light:",
			Channel:  "#mx-security",
			Terms:    []string{"cartel*", "narco*", "fentanyl", "fentanilo", "Sinaloa Cartel", "CJNG"},
			Exclude:  []string{"Cartel de Santa"},
			Require:  [][]string{{"mexico", "méxico", "mexican*"}},
			MinScore: 1,
		}},
	}
	if !reflect.DeepEqual(got, want) {
		// Print field by field: %v would redact the secrets being compared.
		gj, _ := json.MarshalIndent(got, "", " ")
		wj, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("Parse(full.yaml) =\n%s\nwant\n%s\n(slack %q/%q, serve %q)", gj, wj,
			got.Slack.Token, got.Slack.WebhookURL, got.Serve.Token)
	}
	for path, line := range map[string]int{"feeds[0]": 27, "topics[0]": 31, "topics[0].channel": 34, "slack.token": 22, "topics[0].terms": 35, "topics[0].require[0]": 38} {
		if c.Lines[path] != line {
			t.Errorf("Lines[%q] = %d; want %d", path, c.Lines[path], line)
		}
	}
	if err := c.RequireSlack(); err != nil {
		t.Errorf("RequireSlack() = %v; want nil", err)
	}
	if err := c.RequireFeeds(); err != nil {
		t.Errorf("RequireFeeds() = %v; want nil", err)
	}
}

func TestParseCustom(t *testing.T) {
	const hook = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
	const serveToken = "custom-serve-token"
	c := mustParse(t, readTestdata(t, "custom.yaml"), "conf/custom.yaml", env(map[string]string{"HOOK": hook, "SERVE_TOKEN": serveToken}))
	got := *c
	got.Location, got.Lines, got.env = nil, nil, nil
	want := Config{
		Path:     "conf/custom.yaml",
		Timezone: "Europe/Madrid",
		Schedule: Schedule{Poll: "@every 10m", Digest: "@daily"},
		Store:    Store{Path: filepath.Join("conf", "data", "state.db"), Retention: 48 * time.Hour},
		Serve:    Serve{Listen: ":9090", Token: serveToken, MaxSince: 72 * time.Hour},
		Fetch:    Fetch{Concurrency: 3, Timeout: 90 * time.Second, MaxBytes: 2048, UserAgent: DefaultUserAgent(), AllowPrivate: true},
		Digest:   Digest{Title: "News digest", Lookback: 6 * time.Hour, MaxPerTopic: 2, PostEmpty: true},
		Learned:  Learned{Model: filepath.Join("conf", "models", "mx.model"), Accept: 1.5, Veto: 0},
		Slack:    Slack{WebhookURL: hook},
		Feeds: []newsdigest.Feed{
			{Name: "El Universal", URL: "https://www.eluniversal.com.mx/rss.xml", Language: "es-MX"},
			{Name: "Reuters", URL: "http://feeds.reuters.com/Reuters/worldNews"},
		},
		Topics: []newsdigest.Topic{
			{Name: "usmca", Label: "usmca", Terms: []string{"USMCA", "T-MEC", "=ICE"}, MinScore: 1},
			{Name: "troops_2", Label: "Troops", Terms: []string{"troops", "tropas"},
				Require: [][]string{{"border", "frontera"}, {"deploy*"}}, MinScore: 1},
		},
	}
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.MarshalIndent(got, "", " ")
		wj, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("Parse(custom.yaml) =\n%s\nwant\n%s", gj, wj)
	}
	if c.Location.String() != "Europe/Madrid" {
		t.Errorf("Location = %v; want Europe/Madrid", c.Location)
	}
	if err := c.RequireSlack(); err != nil {
		t.Errorf("RequireSlack() = %v; want nil (webhook)", err)
	}
}

func TestParseDefaults(t *testing.T) {
	for _, in := range []string{"", "# nothing here\n", "---\n", "~\n", "schedule:\nstore: ~\nfeeds: []\nslack: {}\n",
		"serve:\n  listen: ${UNSET}\n  token: ${UNSET:-}\nfetch:\n  timeout: \"\"\n"} {
		t.Run(in, func(t *testing.T) {
			c := mustParse(t, in, "config.yaml", env(nil))
			want := Config{
				Path:     "config.yaml",
				Timezone: "UTC",
				Schedule: Schedule{Poll: "*/15 * * * *", Digest: "0 8 * * *"},
				Store:    Store{Path: "newsdigest.db", Retention: 720 * time.Hour},
				Serve:    Serve{Listen: "127.0.0.1:8080", MaxSince: 24 * time.Hour},
				Fetch:    Fetch{Concurrency: 8, Timeout: 20 * time.Second, MaxBytes: 10485760, UserAgent: "newsdigest/" + newsdigest.Version + " (+https://github.com/newsdigest/newsdigest)"},
				Digest:   Digest{Title: "News digest", Lookback: 24 * time.Hour, MaxPerTopic: 8},
				Learned:  Learned{Accept: 0.9, Veto: 0.01},
			}
			got := *c
			got.Location, got.Lines, got.env = nil, nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse(%q) = %+v; want %+v", in, got, want)
			}
			if c.Location != time.UTC {
				t.Errorf("Location = %v; want UTC", c.Location)
			}
			if err := c.RequireFeeds(); err == nil {
				t.Errorf("RequireFeeds() = nil; want an error with no feeds")
			}
		})
	}
}

func TestParseTopicsOnly(t *testing.T) {
	c := mustParse(t, "topics:\n  - name: a\n    terms: [x]\n", "config.yaml", env(nil))
	want := []newsdigest.Topic{{Name: "a", Label: "a", Terms: []string{"x"}, MinScore: 1}}
	if !reflect.DeepEqual(c.Topics, want) {
		t.Errorf("Topics = %+v; want %+v", c.Topics, want)
	}
}

// TestParseTitleTerms checks that title_terms is read, and that a topic
// with title terms only needs no other terms.
func TestParseTitleTerms(t *testing.T) {
	c := mustParse(t, "topics:\n  - name: a\n    terms: [x]\n    title_terms: [y, \"drug trafficking\"]\n  - name: b\n    title_terms: [z]\n", "config.yaml", env(nil))
	want := []newsdigest.Topic{
		{Name: "a", Label: "a", Terms: []string{"x"}, TitleTerms: []string{"y", "drug trafficking"}, MinScore: 1},
		{Name: "b", Label: "b", TitleTerms: []string{"z"}, MinScore: 1},
	}
	if !reflect.DeepEqual(c.Topics, want) {
		t.Errorf("Topics = %+v; want %+v", c.Topics, want)
	}
}

// TestParseProblems checks each validation rule: the config must fail with
// exactly one problem, on the given line and path, whose message contains want.
func TestParseProblems(t *testing.T) {
	topic := func(extra string) string { return "topics:\n  - name: t\n    terms: [x]\n" + extra }
	tests := []struct {
		name, in string
		env      map[string]string
		line     int
		path     string
		want     string
	}{
		{"yaml syntax", "feeds: [a,\n", nil, 1, "", "invalid YAML"},
		{"yaml tab", "a:\n\tb: 1\n", nil, 2, "", "invalid YAML"},
		{"two documents", "timezone: UTC\n---\ntimezone: UTC\n", nil, 2, "", "only one YAML document"},
		{"top level list", "- a\n- b\n", nil, 1, "", "expected a mapping, got a list"},
		{"top level scalar", "hello\n", nil, 1, "", "expected a mapping, got a string"},
		{"unknown top key", "timezone: UTC\nfeed: []\n", nil, 2, "", `unknown key "feed" (did you mean "feeds"?)`},
		{"duplicate key", "timezone: UTC\ntimezone: UTC\n", nil, 2, "timezone", "duplicate key (first set on line 1)"},
		{"merge key", "base: &b {poll: '@daily'}\n", nil, 1, "", `unknown key "base"`},
		{"non-string key", "? [a]\n: 1\n", nil, 1, "", "keys must be plain strings"},
		{"timezone", "\ntimezone: Mars/Olympus\n", nil, 2, "timezone", `unknown time zone "Mars/Olympus"`},
		{"timezone local", "timezone: Local\n", nil, 1, "timezone", "unknown time zone"},
		{"timezone list", "timezone: [UTC]\n", nil, 1, "timezone", "expected a time zone name, got a list"},
		{"poll", "schedule:\n  poll: \"*/15 * * *\"\n", nil, 2, "schedule.poll", `invalid schedule "*/15 * * *"`},
		{"digest descriptor", "schedule:\n  digest: \"@sometimes\"\n", nil, 2, "schedule.digest", "invalid schedule"},
		{"poll every nanosecond", "schedule:\n  poll: \"@every 1ns\"\n", nil, 2, "schedule.poll", `"@every 1ns" runs more often than once a minute; the shortest schedule is "@every 1m"`},
		{"digest every 59s", "schedule:\n  digest: \"@every 59s\"\n", nil, 2, "schedule.digest", "runs more often than once a minute"},
		{"schedule unknown key", "schedule:\n  pol: \"@daily\"\n", nil, 2, "schedule", `unknown key "pol" (did you mean "poll"?)`},
		{"schedule scalar", "schedule: daily\n", nil, 1, "schedule", "expected a mapping, got a string"},
		{"retention no unit", "store:\n  retention: 720\n", nil, 2, "store.retention", `expected a duration such as "20s" or "720h", got "720"`},
		{"retention negative", "store:\n  retention: -1h\n", nil, 2, "store.retention", "must be positive, got -1h0m0s"},
		{"timeout zero", "fetch:\n  timeout: 0s\n", nil, 2, "fetch.timeout", "must be positive"},
		{"lookback bad", "digest:\n  lookback: 1 day\n", nil, 2, "digest.lookback", "expected a duration"},
		{"concurrency zero", "fetch:\n  concurrency: 0\n", nil, 2, "fetch.concurrency", "must be between 1 and 256, got 0"},
		{"accept word", "learned:\n  accept: sure\n", nil, 2, "learned.accept", `expected a number such as 0.9, got "sure"`},
		{"veto negative", "learned:\n  veto: -0.1\n", nil, 2, "learned.veto", "must be between 0 and 1, got -0.1"},
		{"learned unknown key", "learned:\n  modle: x.model\n", nil, 2, "learned", `unknown key "modle" (did you mean "model"?)`},
		{"concurrency big", "fetch:\n  concurrency: 257\n", nil, 2, "fetch.concurrency", "must be between 1 and 256, got 257"},
		{"concurrency word", "fetch:\n  concurrency: many\n", nil, 2, "fetch.concurrency", `expected an integer, got "many"`},
		{"concurrency float", "fetch:\n  concurrency: 2.5\n", nil, 2, "fetch.concurrency", `expected an integer, got "2.5"`},
		{"max_bytes zero", "fetch:\n  max_bytes: 0\n", nil, 2, "fetch.max_bytes", "must be between 1 and 1073741824, got 0"},
		{"max_bytes overflow", "fetch:\n  max_bytes: 99999999999999999999\n", nil, 2, "fetch.max_bytes", "expected an integer"},
		{"max_bytes too large", "fetch:\n  max_bytes: 9223372036854775807\n", nil, 2, "fetch.max_bytes", "must be between 1 and 1073741824"},
		{"retention under lookback", "store:\n  retention: 24h\ndigest:\n  lookback: 24h\n", nil, 2, "store.retention", "must be at least digest.lookback + 2h (26h0m0s), got 24h0m0s"},
		{"max_per_topic", "digest:\n  max_per_topic: 0\n", nil, 2, "digest.max_per_topic", "must be at least 1, got 0"},
		{"post_empty", "digest:\n  post_empty: yes\n", nil, 2, "digest.post_empty", `expected true or false, got "yes"`},
		{"allow_private", "fetch:\n  allow_private: sometimes\n", nil, 2, "fetch.allow_private", `expected true or false, got "sometimes"`},
		{"listen no port", "serve:\n  listen: localhost\n", nil, 2, "serve.listen", `must be host:port such as "127.0.0.1:8080", got "localhost"`},
		{"listen bad port", "serve:\n  listen: \"localhost:http\"\n", nil, 2, "serve.listen", "must be host:port"},
		{"listen big port", "serve:\n  listen: \":70000\"\n", nil, 2, "serve.listen", "must be host:port"},
		{"env unterminated", "digest:\n  title: \"${TITLE\"\n", nil, 2, "digest.title", `unterminated "${"`},
		{"env bad name", "digest:\n  title: \"${TITLE-x}\"\n", nil, 2, "digest.title", "want ${NAME} or ${NAME:-default}"},
		{"env value not integer", "fetch:\n  concurrency: ${C}\n", map[string]string{"C": "lots"}, 2, "fetch.concurrency",
			`expected an integer, got "${C}" (after expanding ${...})`},
		{"feeds scalar", "feeds: https://a.example/feed\n", nil, 1, "feeds", "expected a list of feeds"},
		{"feed scalar", "feeds:\n  - https://a.example/feed\n", nil, 2, "feeds[0]", "expected a feed"},
		{"feed no name", "feeds:\n  - url: https://a.example/\n", nil, 2, "feeds[0].name", "must be set"},
		{"feed no url", "feeds:\n  - name: A\n", nil, 2, "feeds[0].url", "must be set"},
		{"feed relative url", "feeds:\n  - name: A\n    url: /feed.xml\n", nil, 3, "feeds[0].url", "must be an absolute http or https URL"},
		{"feed ftp url", "feeds:\n  - name: A\n    url: ftp://a.example/feed\n", nil, 3, "feeds[0].url", "must be an absolute http or https URL"},
		{"feed duplicate name", "feeds:\n  - name: A\n    url: https://a.example/1\n  - name: A\n    url: https://a.example/2\n",
			nil, 4, "feeds[1].name", `duplicate feed name "A" (also feeds[0])`},
		{"feed language", "feeds:\n  - name: A\n    url: https://a.example/\n    language: english-ish\n", nil, 4, "feeds[0].language", "not a language tag"},
		{"feed unknown key", "feeds:\n  - name: A\n    url: https://a.example/\n    lang: en\n", nil, 4, "feeds[0]", `unknown key "lang"`},
		{"topics mapping", "topics:\n  cartels: [x]\n", nil, 2, "topics", "expected a list of topics, got a mapping"},
		{"topic no name", "topics:\n  - terms: [x]\n", nil, 2, "topics[0].name", "must be set"},
		{"topic upper name", "topics:\n  - name: Cartels\n    terms: [x]\n", nil, 2, "topics[0].name", `must be lowercase letters, digits, '-' or '_', got "Cartels"`},
		{"topic space name", "topics:\n  - name: us mexico\n    terms: [x]\n", nil, 2, "topics[0].name", "must be lowercase"},
		{"topic duplicate", topic("  - name: t\n    terms: [y]\n"), nil, 4, "topics[1].name", `duplicate topic name "t" (also topics[0])`},
		{"topic no terms", "topics:\n  - name: t\n", nil, 2, "topics[0].terms", "at least one term is required"},
		{"topic empty terms", "topics:\n  - name: t\n    terms: []\n", nil, 3, "topics[0].terms", "at least one term is required"},
		{"term typo key", "topics:\n  - name: t\n    term: [x]\n", nil, 3, "topics[0]", `unknown key "term" (did you mean "terms"?)`},
		{"terms scalar", "topics:\n  - name: t\n    terms: cartel\n", nil, 3, "topics[0].terms", "expected a list of terms, got a string"},
		{"term list in list", "topics:\n  - name: t\n    terms: [x, [y]]\n", nil, 3, "topics[0].terms[1]", "expected a term, got a list"},
		{"term empty", "topics:\n  - name: t\n    terms: [x, \"  \"]\n", nil, 3, "topics[0].terms[1]", "term is empty"},
		{"term null", "topics:\n  - name: t\n    terms:\n      - x\n      -\n", nil, 5, "topics[0].terms[1]", "term is empty"},
		{"term inner star", "topics:\n  - name: t\n    terms:\n      - x\n      - narco*state\n", nil, 5, "topics[0].terms[1]", "'*' only allowed at the end of a term"},
		{"term two stars", "topics:\n  - name: t\n    terms: [\"a**\"]\n", nil, 3, "topics[0].terms[0]", "'*' only allowed at the end of a term"},
		{"term star after space", "topics:\n  - name: t\n    terms: [\"a *\"]\n", nil, 3, "topics[0].terms[0]", "'*' must directly follow a letter or digit"},
		{"term star alone", "topics:\n  - name: t\n    terms: [\"*\"]\n", nil, 3, "topics[0].terms[0]", "'*' must directly follow a letter or digit"},
		{"term inner equals", "topics:\n  - name: t\n    terms: [\"T=MEC\"]\n", nil, 3, "topics[0].terms[0]", "'=' only allowed at the start of a term"},
		{"term double equals", "topics:\n  - name: t\n    terms: [\"==ICE\"]\n", nil, 3, "topics[0].terms[0]", "'=' only allowed at the start"},
		{"term punctuation", "topics:\n  - name: t\n    terms: [x, \"--\"]\n", nil, 3, "topics[0].terms[1]", "term has no letter or digit"},
		{"term equals alone", "topics:\n  - name: t\n    terms: [\"=\"]\n", nil, 3, "topics[0].terms[0]", "term has no letter or digit"},
		{"exclude bad", topic("    exclude: [\"a*b\"]\n"), nil, 4, "topics[0].exclude[0]", "'*' only allowed at the end"},
		{"unless bad", topic("    exclude: [a]\n    unless: [\"b ~x c\"]\n"), nil, 5, "topics[0].unless[0]", "'~' only as a proximity operator"},
		{"unless without exclude", topic("    unless: [b]\n"), nil, 4, "topics[0].unless", "has no effect without exclude"},
		{"title term bad", topic("    title_terms: [\"a*b\"]\n"), nil, 4, "topics[0].title_terms[0]", "'*' only allowed at the end"},
		{"title term also a term", "topics:\n  - name: t\n    terms: [cartel, x]\n    title_terms: [y, Cárteles]\n", nil, 4, "topics[0].title_terms",
			`title term "Cárteles" says the same as a term`},
		{"proximity too far", topic("    exclude: [\"a ~99 b\"]\n"), nil, 4, "topics[0].exclude[0]", "N must be 0 to 50 words"},
		{"require flat", topic("    require: [mexico, méxico]\n"), nil, 4, "topics[0].require[0]", `expected a list of terms, got "mexico" (each group is a list`},
		{"require empty group", topic("    require:\n      - []\n"), nil, 5, "topics[0].require[0]", "require group is empty"},
		{"require bad term", topic("    require:\n      - [ok]\n      - [ok, \"*\"]\n"), nil, 6, "topics[0].require[1][1]", "'*' must directly follow"},
		{"min_score negative", topic("    min_score: -1\n"), nil, 4, "topics[0].min_score", "must be at least 0, got -1"},
		{"min_score word", topic("    min_score: high\n"), nil, 4, "topics[0].min_score", `expected an integer, got "high"`},
		{"topic unknown key", topic("    emoij: \":x:\"\n"), nil, 4, "topics[0]", `unknown key "emoij" (did you mean "emoji"?)`},
		{"slack unknown key", "slack:\n  webhook: x\n", nil, 2, "slack", `unknown key "webhook" (did you mean "webhook_url"?)`},
		{"slack token and webhook", "slack:\n  token: ${T}\n  webhook_url: ${W}\n", map[string]string{"T": "xoxb-1", "W": "https://hooks.example/x"},
			3, "slack", "slack.token and slack.webhook_url are both set"},
		{"webhook not url", "slack:\n  webhook_url: ${W}\n", map[string]string{"W": "hooks.example/x"}, 2, "slack.webhook_url", "must be an absolute http or https URL"},
		{"webhook with api_url", "slack:\n  webhook_url: https://hooks.example/x\n  api_url: http://127.0.0.1:1/api/\n", nil,
			3, "slack.api_url", "cannot be used with slack.webhook_url"},
		{"webhook with topic channel", "slack:\n  webhook_url: https://hooks.example/x\n" + topic("    channel: \"#other\"\n"), nil,
			6, "topics[0].channel", "a per-topic channel cannot be used with slack.webhook_url"},
		{"api_url not url", "slack:\n  api_url: 127.0.0.1:8080/api\n", nil, 2, "slack.api_url", "must be an absolute http or https URL"},
		{"token list", "slack:\n  token: [a, b]\n", nil, 2, "slack.token", "expected a string, got a list"},
		// A secret whose variable is unset is an error unless marked optional.
		{"serve token unset", "serve:\n  token: ${NEWSDIGEST_TOKEN}\n", nil, 2, "serve.token",
			"${NEWSDIGEST_TOKEN} is not set or empty; set it, or write ${NEWSDIGEST_TOKEN:-} if serve.token is optional"},
		{"serve token empty", "serve:\n  token: \"Bearer-${T}\"\n", map[string]string{"T": ""}, 2, "serve.token", "${T} is not set or empty"},
		{"slack token unset", "slack:\n  token: ${SLACK_BOT_TOKEN}\n", nil, 2, "slack.token", "${SLACK_BOT_TOKEN} is not set or empty"},
		// POST /run is closed by default: off loopback it needs a token.
		{"listen all interfaces no token", "serve:\n  listen: 0.0.0.0:8080\n", nil, 2, "serve.listen",
			`"0.0.0.0:8080" is not a loopback address and serve.token is not set: anyone who reaches the port could post digests with POST /run; set serve.token`},
		{"listen empty host no token", "serve:\n  listen: \":8080\"\n  token: ${NEWSDIGEST_TOKEN:-}\n", nil, 2, "serve.listen", "is not a loopback address"},
		{"listen lan no token", "serve:\n  token: \"\"\n  listen: 192.168.1.5:80\n", nil, 3, "serve.listen", "is not a loopback address"},
		{"listen name no token", "serve:\n  listen: newsdigest.internal:8080\n", nil, 2, "serve.listen", "is not a loopback address"},
		{"max_since bad", "serve:\n  max_since: forever\n", nil, 2, "serve.max_since", "expected a duration"},
		{"webhook unset", "slack:\n  token: ${T}\n  webhook_url: ${HOOK}\n", map[string]string{"T": "xoxb-1"}, 3, "slack.webhook_url", "write ${HOOK:-} if"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), "config.yaml", env(tt.env))
			if err == nil {
				t.Fatalf("Parse(%q) = nil error; want %q", tt.in, tt.want)
			}
			ps := problems(t, err)
			wantPath := tt.path
			if len(ps) != 1 || ps[0].Line != tt.line || ps[0].Path != wantPath || !strings.Contains(ps[0].Message, tt.want) {
				t.Errorf("Parse(%q) problems = %+v; want one at line %d, path %q, containing %q", tt.in, ps, tt.line, wantPath, tt.want)
			}
		})
	}
}

func TestParseMultipleProblems(t *testing.T) {
	in := `timezone: Nowhere/City
fetch:
  concurrency: 0
  timout: 5s
feeds:
  - name: A
    url: not-a-url
topics:
  - name: Bad Name
    term: [cartel*]
  - name: ok
    terms: [narco*state, fine]
    require: [[]]
`
	_, err := Parse([]byte(in), "watch.yaml", env(nil))
	ps := problems(t, err)
	want := []Problem{
		{1, "timezone", `unknown time zone "Nowhere/City" (want an IANA name such as "America/Mexico_City")`},
		{3, "fetch.concurrency", "must be between 1 and 256, got 0"},
		{4, "fetch", `unknown key "timout" (did you mean "timeout"?)`},
		{7, "feeds[0].url", `must be an absolute http or https URL, got "not-a-url"`},
		{9, "topics[0].name", `must be lowercase letters, digits, '-' or '_', got "Bad Name"`},
		{10, "topics[0]", `unknown key "term" (did you mean "terms"?)`},
		{12, "topics[1].terms[0]", "'*' only allowed at the end of a term"},
		{13, "topics[1].require[0]", "require group is empty"},
	}
	if !reflect.DeepEqual(ps, want) {
		t.Errorf("Parse problems =\n%s\nwant\n%s", (&Error{"watch.yaml", ps}).Error(), (&Error{"watch.yaml", want}).Error())
	}
	wantText := `watch.yaml:1: timezone: unknown time zone "Nowhere/City" (want an IANA name such as "America/Mexico_City")`
	if first := strings.Split(err.Error(), "\n")[0]; first != wantText {
		t.Errorf("Error() first line = %q; want %q", first, wantText)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("Error() has %d lines; want %d", n, len(want))
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{"config.yaml", []Problem{{12, "topics[2].terms[4]", "'*' only allowed at the end of a term"}}},
			"config.yaml:12: topics[2].terms[4]: '*' only allowed at the end of a term"},
		{&Error{"c.yaml", []Problem{{0, "feeds", "no feeds configured"}, {3, "", "invalid YAML: x"}}},
			"c.yaml: feeds: no feeds configured\nc.yaml:3: invalid YAML: x"},
		{&Error{"", []Problem{{1, "a", "b"}}}, "config:1: a: b"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q; want %q", got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"name", "label", "emoji", "channel", "terms", "exclude", "require", "min_score"}
	tests := []struct{ key, want string }{
		{"term", "terms"},
		{"Terms", "terms"},
		{"excludes", "exclude"},
		{"requires", "require"},
		{"min-score", "min_score"},
		{"minscore", "min_score"},
		{"chanel", "channel"},
		{"emoij", "emoji"},
		{"colour", ""},
		{"n", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.key, known); got != tt.want {
			t.Errorf("suggest(%q) = %q; want %q", tt.key, got, tt.want)
		}
	}
}

func TestUnknownKeyListsKnownKeys(t *testing.T) {
	_, err := Parse([]byte("serve:\n  colour: red\n"), "config.yaml", env(nil))
	want := `config.yaml:2: serve: unknown key "colour" (known keys: listen, token, max_since)`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v; want %q", err, want)
	}
}

func TestExpand(t *testing.T) {
	getenv := env(map[string]string{"A": "alpha", "B_2": "beta", "EMPTY": ""})
	req := func(name string, empty bool) envRef { return envRef{Name: name, Empty: empty} }
	opt := func(name string, empty bool) envRef { return envRef{Name: name, Optional: true, Empty: empty} }
	tests := []struct {
		in, want string
		refs     []envRef
		wantErr  bool
	}{
		{"plain", "plain", nil, false},
		{"${A}", "alpha", []envRef{req("A", false)}, false},
		{"x-${A}-${B_2}-y", "x-alpha-beta-y", []envRef{req("A", false), req("B_2", false)}, false},
		{"${UNSET}", "", []envRef{req("UNSET", true)}, false},
		{"${EMPTY}", "", []envRef{req("EMPTY", true)}, false},
		{"$$", "$", nil, false},
		{"$${A}", "${A}", nil, false},
		{"cost $5", "cost $5", nil, false},
		{"$A", "$A", nil, false},
		{"end$", "end$", nil, false},
		{"ü${A}ñ", "üalphañ", []envRef{req("A", false)}, false},
		// ${NAME:-default}: optional, with a literal default.
		{"${A:-x}", "alpha", []envRef{opt("A", false)}, false},
		{"${UNSET:-}", "", []envRef{opt("UNSET", true)}, false},
		{"${EMPTY:-fallback value}", "fallback value", []envRef{opt("EMPTY", true)}, false},
		{"${UNSET:-a:-b$c}d", "a:-b$cd", []envRef{opt("UNSET", true)}, false},
		{"${A", "", nil, true},
		{"${}", "", nil, true},
		{"${:-x}", "", nil, true},
		{"${1A}", "", nil, true},
		{"${A-x}", "", nil, true},
		{"${A:x}", "", nil, true},
		{"${ A }", "", nil, true},
	}
	for _, tt := range tests {
		got, refs, err := expand(tt.in, getenv)
		if (err != nil) != tt.wantErr || got != tt.want || !reflect.DeepEqual(refs, tt.refs) {
			t.Errorf("expand(%q) = %q, %+v, %v; want %q, %+v, error %v", tt.in, got, refs, err, tt.want, tt.refs, tt.wantErr)
		}
	}
}

func TestParseEnv(t *testing.T) {
	in := `timezone: ${TZ_NAME}
store:
  path: ${STATE_DIR}/nd.db
digest:
  title: "Watch $$ ${WHO}"
  max_per_topic: ${MAX}
feeds:
  - name: ${FEED_NAME}
    url: https://${HOST}/feed
topics:
  - name: t
    terms: ["${TERM}*"]
`
	c := mustParse(t, in, "/srv/config.yaml", env(map[string]string{
		"TZ_NAME": "Asia/Tokyo", "STATE_DIR": "/var/lib/nd", "WHO": "team", "MAX": "3",
		"FEED_NAME": "Feed", "HOST": "news.example", "TERM": "cartel",
	}))
	checks := []struct{ name, got, want string }{
		{"Timezone", c.Timezone, "Asia/Tokyo"},
		{"Store.Path", c.Store.Path, "/var/lib/nd/nd.db"},
		{"Digest.Title", c.Digest.Title, "Watch $ team"},
		{"Digest.MaxPerTopic", fmt.Sprint(c.Digest.MaxPerTopic), "3"},
		{"Feeds[0].Name", c.Feeds[0].Name, "Feed"},
		{"Feeds[0].URL", c.Feeds[0].URL, "https://news.example/feed"},
		{"Topics[0].Terms[0]", c.Topics[0].Terms[0], "cartel*"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q; want %q", ch.name, ch.got, ch.want)
		}
	}
	// Unset variables give "", so defaults apply, and a feed named only by an
	// unset variable has no name.
	_, err := Parse([]byte(in), "/srv/config.yaml", env(map[string]string{"STATE_DIR": "/x", "MAX": "2", "TERM": "a", "HOST": "h"}))
	ps := problems(t, err)
	if len(ps) != 1 || ps[0].Path != "feeds[0].name" {
		t.Errorf("Parse with FEED_NAME unset: problems %+v; want one for feeds[0].name", ps)
	}
}

func TestStorePath(t *testing.T) {
	tests := []struct{ file, path, want string }{
		{"/etc/nd/config.yaml", "", "/etc/nd/newsdigest.db"},
		{"/etc/nd/config.yaml", "state/x.db", "/etc/nd/state/x.db"},
		{"/etc/nd/config.yaml", "../x.db", "/etc/x.db"},
		{"/etc/nd/config.yaml", "/var/lib/x.db", "/var/lib/x.db"},
		{"config.yaml", "x.db", "x.db"},
		{"conf/config.yaml", "x.db", filepath.Join("conf", "x.db")},
		{"/etc/nd/config.yaml", ":memory:", ":memory:"},
		{"/etc/nd/config.yaml", "file:x.db?mode=memory", "file:x.db?mode=memory"},
		{"", "x.db", "x.db"},
	}
	for _, tt := range tests {
		in := ""
		if tt.path != "" {
			in = "store:\n  path: \"" + tt.path + "\"\n"
		}
		c := mustParse(t, in, tt.file, env(nil))
		if c.Store.Path != tt.want {
			t.Errorf("Parse(store.path %q in %q).Store.Path = %q; want %q", tt.path, tt.file, c.Store.Path, tt.want)
		}
	}
}

func TestRequireSlack(t *testing.T) {
	topics := "topics:\n  - name: a\n    terms: [x]\n  - name: b\n    channel: \"#b\"\n    terms: [y]\n"
	tests := []struct {
		name, in string
		env      map[string]string
		want     string // "" for nil
	}{
		{"nothing", topics, nil, "config.yaml: slack: slack.token or slack.webhook_url must be set"},
		{"env unset", "slack:\n  token: ${SLACK_BOT_TOKEN:-}\n  channel: \"#c\"\n", nil,
			"config.yaml:2: slack: slack.token or slack.webhook_url must be set (SLACK_BOT_TOKEN is not set)"},
		{"both env unset", "slack:\n  token: ${SLACK_BOT_TOKEN:-}\n  webhook_url: ${SLACK_WEBHOOK_URL:-}\n", nil,
			"config.yaml:2: slack: slack.token or slack.webhook_url must be set (SLACK_BOT_TOKEN and SLACK_WEBHOOK_URL are not set)"},
		{"token no channel", "slack:\n  token: ${T}\n" + topics, map[string]string{"T": "xoxb-9"},
			`config.yaml:1: slack.channel: must be set when posting with a bot token: topic "a" has no channel of its own`},
		{"token no channel no topics", "slack:\n  token: ${T}\n", map[string]string{"T": "xoxb-9"},
			"config.yaml:1: slack.channel: must be set when posting with a bot token"},
		{"token every topic has channel", "slack:\n  token: ${T}\ntopics:\n  - name: b\n    channel: \"#b\"\n    terms: [y]\n", map[string]string{"T": "xoxb-9"}, ""},
		{"token and channel", "slack:\n  token: ${T}\n  channel: C0123\n" + topics, map[string]string{"T": "xoxb-9"}, ""},
		{"webhook", "slack:\n  webhook_url: ${W}\n", map[string]string{"W": "https://hooks.example/x"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.in, "config.yaml", env(tt.env))
			err := c.RequireSlack()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("RequireSlack() = %q; want %q", got, tt.want)
			}
		})
	}
}

// TestServeOpenOnlyOnLoopback: without a token, loopback listen addresses
// are accepted; with a token, any address is.
func TestServeOpenOnlyOnLoopback(t *testing.T) {
	for _, listen := range []string{"127.0.0.1:8080", "127.8.9.1:0", "localhost:8080", "LocalHost:1", "[::1]:8080", "[::ffff:127.0.0.1]:80"} {
		c := mustParse(t, fmt.Sprintf("serve:\n  listen: %q\n  token: ${NEWSDIGEST_TOKEN:-}\n", listen), "config.yaml", env(nil))
		if c.Serve.Listen != listen || c.Serve.Token != "" {
			t.Errorf("listen %q: Serve = %+v", listen, c.Serve)
		}
	}
	c := mustParse(t, "serve:\n  listen: 0.0.0.0:8080\n  token: ${NEWSDIGEST_TOKEN}\n", "config.yaml", env(map[string]string{"NEWSDIGEST_TOKEN": "s3cret"}))
	if c.Serve.Token != "s3cret" {
		t.Errorf("0.0.0.0 with a token: Serve.Token not set")
	}
}

func TestServeMaxSince(t *testing.T) {
	if c := mustParse(t, "digest:\n  lookback: 6h\n", "config.yaml", env(nil)); c.Serve.MaxSince != 6*time.Hour {
		t.Errorf("default MaxSince = %v; want digest.lookback (6h)", c.Serve.MaxSince)
	}
	if c := mustParse(t, "serve:\n  max_since: 168h\n", "config.yaml", env(nil)); c.Serve.MaxSince != 168*time.Hour {
		t.Errorf("MaxSince = %v; want 168h", c.Serve.MaxSince)
	}
}

func TestRequireRun(t *testing.T) {
	refuse := func(path string) error { return fmt.Errorf("directory of %s does not exist", path) }
	accept := func(string) error { return nil }
	c := mustParse(t, "store:\n  path: /nodir/nd.db\nfeeds: []\ntopics: []\n", "config.yaml", env(nil))
	want := "config.yaml:2: store.path: directory of /nodir/nd.db does not exist\nconfig.yaml:3: feeds: no feeds configured\nconfig.yaml:4: topics: no topics configured: nothing would ever match"
	if err := c.RequireRun(refuse); err == nil || err.Error() != want {
		t.Errorf("RequireRun() = %v; want\n%s", err, want)
	}
	c = mustParse(t, "feeds:\n  - {name: A, url: \"https://a.example/\"}\ntopics:\n  - name: t\n    terms: [x]\n", "config.yaml", env(nil))
	if err := c.RequireRun(accept); err != nil {
		t.Errorf("RequireRun() = %v; want nil", err)
	}
}

func TestRequireFeeds(t *testing.T) {
	c := mustParse(t, "timezone: UTC\nfeeds: []\n", "config.yaml", env(nil))
	want := "config.yaml:2: feeds: no feeds configured"
	if err := c.RequireFeeds(); err == nil || err.Error() != want {
		t.Errorf("RequireFeeds() = %v; want %q", err, want)
	}
}

func TestDefaultPath(t *testing.T) {
	if got := DefaultPath(env(nil)); got != "config.yaml" {
		t.Errorf("DefaultPath(unset) = %q; want %q", got, "config.yaml")
	}
	if got := DefaultPath(env(map[string]string{"NEWSDIGEST_CONFIG": "/etc/nd.yaml"})); got != "/etc/nd.yaml" {
		t.Errorf("DefaultPath(set) = %q; want %q", got, "/etc/nd.yaml")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("store:\n  path: s.db\ntopics:\n  - name: a\n    terms: [x]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%q) = %v", path, err)
	}
	if want := filepath.Join(dir, "s.db"); c.Store.Path != want || c.Path != path {
		t.Errorf("Load(%q): Path %q, Store.Path %q; want %q, %q", path, c.Path, c.Store.Path, path, want)
	}

	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "config: ") {
		t.Errorf("Load(missing) = %v; want a \"config: \" error wrapping fs.ErrNotExist", err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("fetch:\n  timeout: soon\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(bad)
	if want := bad + `:2: fetch.timeout: expected a duration such as "20s" or "720h", got "soon"`; err == nil || err.Error() != want {
		t.Errorf("Load(bad) = %v; want %q", err, want)
	}
}

func TestAliases(t *testing.T) {
	in := `topics:
  - name: a
    terms: &mx [mexico, méxico]
  - name: b
    terms: [border]
    require: [*mx]
`
	c := mustParse(t, in, "config.yaml", env(nil))
	if want := [][]string{{"mexico", "méxico"}}; !reflect.DeepEqual(c.Topics[1].Require, want) {
		t.Errorf("Topics[1].Require = %q; want %q", c.Topics[1].Require, want)
	}
}

func TestRedact(t *testing.T) {
	c := &Config{Slack: Slack{Token: "xoxb-abc", WebhookURL: "https://hooks.example/T/B/xoxb-abcdef"}, Serve: Serve{Token: "serve-token-123"}}
	tests := []struct{ in, want string }{
		{"post https://hooks.example/T/B/xoxb-abcdef: 500", "post [redacted]: 500"},
		{"auth xoxb-abc failed", "auth [redacted] failed"},
		{"Bearer serve-token-123", "Bearer [redacted]"},
		{"nothing secret", "nothing secret"},
	}
	for _, tt := range tests {
		if got := c.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	if got := (&Config{}).Redact("keep"); got != "keep" {
		t.Errorf("Redact with no secrets = %q; want %q", got, "keep")
	}
}

// TestSecretsNeverLeak loads configs whose secrets come from the
// environment or the file, provokes every error it can, and checks that no
// secret appears in any error, printed Config or JSON.
func TestSecretsNeverLeak(t *testing.T) {
	const token = "xoxb-LEAK-token-0000"
	const hook = "https://hooks.slack.com/services/LEAK/hook"
	const serve = "LEAK-serve-token"
	secrets := []string{token, hook, serve, "LEAK"}
	getenv := env(map[string]string{"SLACK_BOT_TOKEN": token, "SLACK_WEBHOOK_URL": hook, "NEWSDIGEST_TOKEN": serve, "ALSO": token})

	assertClean := func(t *testing.T, what, s string) {
		t.Helper()
		for _, sec := range secrets {
			if strings.Contains(s, sec) {
				t.Errorf("%s contains a secret %q:\n%s", what, sec, s)
			}
		}
	}
	bad := []string{
		// Token and webhook both set, webhook with api_url and a topic channel.
		"slack:\n  token: ${SLACK_BOT_TOKEN}\n  webhook_url: ${SLACK_WEBHOOK_URL}\n  api_url: x\nserve:\n  token: ${NEWSDIGEST_TOKEN}\n" +
			"topics:\n  - name: a\n    channel: '#x'\n    terms: [x]\n",
		// Secrets written in the file, and copied into other fields.
		"slack:\n  token: xoxb-LEAK-token-0000\nserve:\n  token: LEAK-serve-token\n  listen: LEAK-serve-token\n" +
			"fetch:\n  timeout: xoxb-LEAK-token-0000\ndigest:\n  max_per_topic: ${ALSO}\ntimezone: ${SLACK_BOT_TOKEN}\n" +
			"schedule:\n  poll: ${SLACK_BOT_TOKEN}\nfeeds:\n  - name: x\n    url: ${SLACK_BOT_TOKEN}\n    language: ${SLACK_BOT_TOKEN}\n" +
			"topics:\n  - name: ${SLACK_BOT_TOKEN}\n    terms: [\"${SLACK_BOT_TOKEN}*x\"]\n",
		// A webhook URL that is not a URL.
		"slack:\n  webhook_url: LEAK-not-a-url\n",
		// A token pasted inside ${...}, and an unterminated reference.
		"slack:\n  token: ${xoxb-LEAK-token-0000}\n  webhook_url: ${LEAK\n",
		// A token where a section or list belongs.
		"slack: xoxb-LEAK-token-0000\nserve: [LEAK-serve-token]\nfeeds: LEAK\ntopics:\n  - LEAK\n  - name: t\n    terms: LEAK\n    require: LEAK\n",
		// Secret as a value the YAML parser chokes on.
		"slack:\n  token: \"xoxb-LEAK-token-0000\n",
	}
	for i, in := range bad {
		_, err := Parse([]byte(in), "config.yaml", getenv)
		if err == nil {
			t.Errorf("case %d: Parse(%q) = nil error; want problems", i, in)
			continue
		}
		assertClean(t, fmt.Sprintf("case %d: error", i), err.Error())
		assertClean(t, fmt.Sprintf("case %d: %%+v of error", i), fmt.Sprintf("%+v %#v", err, err))
	}

	// A valid config: printing it, its JSON and RequireSlack errors stay clean.
	c := mustParse(t, "slack:\n  token: ${SLACK_BOT_TOKEN}\nserve:\n  token: ${NEWSDIGEST_TOKEN}\ntopics:\n  - name: a\n    terms: [x]\n", "config.yaml", getenv)
	if c.Slack.Token != token || c.Serve.Token != serve {
		t.Fatalf("tokens not loaded: slack %v serve %v", c.Slack.Token == token, c.Serve.Token == serve)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
		assertClean(t, verb+" of *Config", fmt.Sprintf(verb, c))
		assertClean(t, verb+" of Config", fmt.Sprintf(verb, *c))
		assertClean(t, verb+" of Slack", fmt.Sprintf(verb, c.Slack))
		assertClean(t, verb+" of Serve", fmt.Sprintf(verb, c.Serve))
	}
	if s := fmt.Sprintf("%+v", c.Slack); !strings.Contains(s, "Token:[redacted]") {
		t.Errorf("%%+v of Slack = %q; want Token:[redacted]", s)
	}
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t, "JSON of Config", string(j))
	if !strings.Contains(string(j), `"token":"[redacted]"`) {
		t.Errorf("JSON of Config = %s; want the token shown as [redacted]", j)
	}
	err = c.RequireSlack() // bot token, no channel for topic a
	if err == nil {
		t.Fatal("RequireSlack() = nil; want an error (no channel)")
	}
	assertClean(t, "RequireSlack error", err.Error())
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"full.yaml", "custom.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "a: b", "topics:\n  - name: t\n    terms: [x*]\n", "- &a [*a]", "slack: {token: ${X}}",
		"feeds: [{name: a, url: 'http://x/'}, {name: a, url: 'http://x/'}]", "\xff\xfe", "{", "? [a]\n: b\n", "a: &x 1\nb: *x\n",
		"topics:\n  - name: t\n    terms: [x]\nalerts:\n  - topics: [t]\n    min_outlets: 4\n    quiet_hours: \"23:00-06:00\"\n    reply_at: 0\n",
		"topics:\n  - name: t\n    terms: &a [x, x]\n    require: [&b [*a, *a], [*b, *b]]\n", "serve: {token: ${X:-}, listen: ':1'}",
		"serve: {listen: '0.0.0.0:1', token: '${X:-d}'}\nfetch: {allow_private: true}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yaml", env(map[string]string{"X": "secret-value-x"}))
		switch {
		case err == nil && c == nil:
			t.Fatalf("Parse(%q) = nil, nil", data)
		case err != nil:
			var ce *Error
			if c != nil || !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("Parse(%q) = %v, %v; want nil and a non-empty *Error", data, c, err)
			}
			for _, p := range ce.Problems {
				if p.Line < 0 || p.Message == "" {
					t.Fatalf("Parse(%q): bad problem %+v", data, p)
				}
			}
		default:
			if c.Location == nil || c.Fetch.Concurrency < 1 || c.Fetch.Concurrency > 256 || c.Digest.MaxPerTopic < 1 ||
				c.Fetch.Timeout <= 0 || c.Fetch.MaxBytes <= 0 || c.Store.Retention <= 0 || c.Digest.Lookback <= 0 {
				t.Fatalf("Parse(%q) accepted invalid settings: %+v", data, c)
			}
			for _, tp := range c.Topics {
				if len(tp.Terms) == 0 || tp.MinScore < 1 || !topicNameRE().MatchString(tp.Name) {
					t.Fatalf("Parse(%q) accepted invalid topic %+v", data, tp)
				}
			}
			for _, r := range c.Alerts {
				if len(r.Topics) == 0 || r.MinOutlets < 2 || r.Within <= 0 || r.Within > MaxAlertWithin || r.MaxPerHour < 1 ||
					(r.ReplyAt != 0 && r.ReplyAt <= r.MinOutlets) || r.Name == "" || r.Quiet.Start < 0 || r.Quiet.End >= 24*60 {
					t.Fatalf("Parse(%q) accepted invalid alert rule %+v", data, r)
				}
				for _, name := range r.Topics {
					if _, err := c.SelectTopics([]string{name}); err != nil {
						t.Fatalf("Parse(%q) accepted an alert rule on %v", data, err)
					}
				}
			}
		}
	})
}

func TestDuplicateFeedURLIsAWarning(t *testing.T) {
	data := "feeds:\n  - name: A\n    url: https://a.example/feed\n  - name: B\n    url: HTTPS://A.example/feed#x\n  - name: C\n    url: https://c.example/feed\n"
	c, err := Parse([]byte(data), "config.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatalf("Parse: %v; want only a warning", err)
	}
	if len(c.Feeds) != 2 || c.Feeds[0].Name != "A" || c.Feeds[1].Name != "C" {
		t.Errorf("Feeds = %+v; want A and C (the duplicate dropped)", c.Feeds)
	}
	want := []string{"config.yaml:5: feeds[1].url: duplicate feed URL (also feeds[0]); ignored"}
	if got := c.WarningLines(); !slices.Equal(got, want) {
		t.Errorf("WarningLines() = %q; want %q", got, want)
	}
}

// TestAliasExpansionCapped: YAML aliases cannot make a small file stand
// for millions of values (the finding: 204 KB, 500 aliases of 20,000
// terms; validate ran for minutes in gigabytes). The file is refused at
// the alias that crosses the cap, before any term is read.
func TestAliasExpansionCapped(t *testing.T) {
	terms := make([]string, 1000)
	for i := range terms {
		terms[i] = fmt.Sprintf("w%d", i)
	}
	aliases := strings.TrimSuffix(strings.Repeat("*a, ", 250), ", ")
	in := "topics:\n  - name: t\n    terms: &a [" + strings.Join(terms, ", ") + "]\n    require: [" + aliases + "]\n"
	ps := problems(t, parseErr(t, in))
	want := fmt.Sprintf("YAML aliases expand this file to more than %d values (this alias repeats 1001)", MaxValues)
	if len(ps) != 1 || ps[0].Line != 4 || !strings.HasPrefix(ps[0].Message, want) {
		t.Errorf("problems = %+v; want one at line 4: %s", ps, want)
	}

	// Aliases of aliases, nine deep: 10^9 values from a few lines.
	var b strings.Builder
	b.WriteString("topics:\n  - name: t\n    terms: &l0 [x, x, x, x, x, x, x, x, x, x]\n    require:\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "      - &l%d [%s]\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	ps = problems(t, parseErr(t, b.String()))
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "YAML aliases expand this file") {
		t.Errorf("nested aliases: problems = %+v; want the expansion cap", ps)
	}

	// Aliases within the cap are fine: one require group shared by topics.
	c := mustParse(t, "topics:\n  - name: a\n    terms: [x]\n    require: [&mx [mexico, méxico]]\n  - name: b\n    terms: [y]\n    require: [*mx]\n", "config.yaml", env(nil))
	if got := c.Topics[1].Require; !reflect.DeepEqual(got, [][]string{{"mexico", "méxico"}}) {
		t.Errorf("aliased require = %v", got)
	}
}

// TestTermsCapped: a config may hold at most MaxTerms terms in all; the
// first one over is named with its line, and nothing else is said about
// the topics after it.
func TestTermsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("topics:\n")
	line := 1
	for topic := 0; topic < 3; topic++ {
		fmt.Fprintf(&b, "  - name: t%d\n    terms:\n", topic)
		line += 2
		for i := 0; i < MaxTerms/2; i++ {
			fmt.Fprintf(&b, "      - w%d\n", i)
			line++
			if topic == 2 && i == 0 {
				break // the first term of the third topic is one over
			}
		}
	}
	ps := problems(t, parseErr(t, b.String()))
	want := fmt.Sprintf("more than %d terms in all", MaxTerms)
	if len(ps) != 1 || ps[0].Line != line || ps[0].Path != "topics[2].terms[0]" || !strings.Contains(ps[0].Message, want) {
		t.Errorf("problems = %+v; want one at line %d, topics[2].terms[0]: %s", ps, line, want)
	}
}

// parseErr parses in and returns its error, failing when there is none.
func parseErr(t *testing.T, in string) error {
	t.Helper()
	_, err := Parse([]byte(in), "config.yaml", env(nil))
	if err == nil {
		t.Fatal("Parse succeeded; want an error")
	}
	return err
}
