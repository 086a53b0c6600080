package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

const alertTopics = `topics:
  - name: troops
    terms: [troops]
  - name: sovereignty
    terms: [soberanía]
  - name: cartels
    channel: "#mx-security"
    terms: [cartel*]
`

func TestParseAlerts(t *testing.T) {
	c := mustParse(t, `digest:
  alerted: omit
alerts:
  - topics: [troops, sovereignty]
    min_outlets: 4
    within: 90m
    min_score: 3
    channel: "#mx-alerts"
    quiet_hours: "23:00-06:30"
    max_per_hour: 3
  - name: cartels-fast
    topics: [cartels]
    min_outlets: 3
    reply_at: 0
`+alertTopics, "config.yaml", env(nil))
	want := []newsdigest.AlertRule{
		{Name: "troops+sovereignty", Topics: []string{"troops", "sovereignty"}, MinOutlets: 4, Within: 90 * time.Minute, MinScore: 3,
			Channel: "#mx-alerts", Quiet: newsdigest.QuietHours{Start: 23 * 60, End: 6*60 + 30}, MaxPerHour: 3, ReplyAt: 8},
		{Name: "cartels-fast", Topics: []string{"cartels"}, MinOutlets: 3, Within: DefaultAlertWithin, MaxPerHour: DefaultAlertMaxPerHour},
	}
	if !reflect.DeepEqual(c.Alerts, want) {
		t.Errorf("Alerts =\n%+v\nwant\n%+v", c.Alerts, want)
	}
	if !c.Digest.OmitAlerted {
		t.Error("digest.alerted: omit not read")
	}
	if c := mustParse(t, "digest:\n  alerted: mark\n", "config.yaml", env(nil)); c.Digest.OmitAlerted || c.Alerts != nil {
		t.Errorf("mark: %+v", c)
	}
}

func TestParseAlertProblems(t *testing.T) {
	rule := func(extra string) string {
		return alertTopics + "alerts:\n  - topics: [troops]\n    min_outlets: 4\n" + extra
	}
	const first = 9 // the line of "alerts:"
	tests := []struct {
		name, in string
		line     int
		path     string
		want     string
	}{
		{"not a list", alertTopics + "alerts:\n  topics: [troops]\n", first + 1, "alerts", "expected a list of alert rules, got a mapping"},
		{"not a mapping", alertTopics + "alerts:\n  - troops\n", first + 1, "alerts[0]", "expected an alert rule"},
		{"no topics", alertTopics + "alerts:\n  - min_outlets: 4\n", first + 1, "alerts[0].topics", "at least one topic is required"},
		{"no min_outlets", alertTopics + "alerts:\n  - topics: [troops]\n", first + 1, "alerts[0].min_outlets", "must be set"},
		{"unknown topic", alertTopics + "alerts:\n  - topics: [troop]\n    min_outlets: 4\n", first + 1, "alerts[0].topics[0]", `unknown topic "troop" (did you mean "troops"?)`},
		{"unknown key", rule("    min_outlet: 3\n"), first + 3, "alerts[0]", `unknown key "min_outlet" (did you mean "min_outlets"?)`},
		{"min_outlets 1", alertTopics + "alerts:\n  - topics: [troops]\n    min_outlets: 1\n", first + 2, "alerts[0].min_outlets", "must be between 2 and 1000, got 1"},
		{"within bad", rule("    within: 2 hours\n"), first + 3, "alerts[0].within", "expected a duration"},
		{"within long", rule("    within: 48h\n"), first + 3, "alerts[0].within", "must be at most 24h0m0s"},
		{"quiet bad", rule("    quiet_hours: \"11pm-6am\"\n"), first + 3, "alerts[0].quiet_hours", `expected a span of wall-clock time such as "23:00-06:00"`},
		{"quiet hour 24", rule("    quiet_hours: \"22:00-24:00\"\n"), first + 3, "alerts[0].quiet_hours", "expected a span"},
		{"quiet empty span", rule("    quiet_hours: \"06:00-06:00\"\n"), first + 3, "alerts[0].quiet_hours", "start and end are the same"},
		{"max_per_hour 0", rule("    max_per_hour: 0\n"), first + 3, "alerts[0].max_per_hour", "must be between 1 and 60"},
		{"reply_at low", rule("    reply_at: 4\n"), first + 3, "alerts[0].reply_at", "must be more than min_outlets (4)"},
		{"min_score negative", rule("    min_score: -1\n"), first + 3, "alerts[0].min_score", "must be at least 0"},
		{"duplicate name", rule("  - topics: [troops]\n    min_outlets: 5\n"), first + 3, "alerts[1].name", `duplicate alert rule name "troops" (also alerts[0])`},
		{"topics in two channels", alertTopics + "alerts:\n  - topics: [troops, cartels]\n    min_outlets: 4\n", first + 1, "alerts[0].channel",
			`must be set: the rule's topics post to different channels ("#mx-security", slack.channel)`},
		{"channel with webhook", "slack:\n  webhook_url: https://hooks.example/x\n" + strings.Replace(alertTopics, "    channel: \"#mx-security\"\n", "", 1) +
			"alerts:\n  - topics: [troops]\n    min_outlets: 4\n    channel: \"#a\"\n", first + 4, "alerts[0].channel", "cannot be used with slack.webhook_url"},
		{"alerted value", "digest:\n  alerted: hide\n", 2, "digest.alerted", `expected mark (show alerted stories, marked) or omit (leave them out), got "hide"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), "config.yaml", env(nil))
			if err == nil {
				t.Fatalf("Parse = nil error; want %q", tt.want)
			}
			ps := problems(t, err)
			if len(ps) != 1 || ps[0].Line != tt.line || ps[0].Path != tt.path || !strings.Contains(ps[0].Message, tt.want) {
				t.Errorf("problems = %+v; want one at line %d, path %q, containing %q", ps, tt.line, tt.path, tt.want)
			}
		})
	}
}
