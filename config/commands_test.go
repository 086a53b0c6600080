package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestCommandSettings reads the slash command's keys and checks their shape.
func TestCommandSettings(t *testing.T) {
	const app, sign = "xapp-1-A0123-456-abcdef", "8f742231b10e8888abcd99yyyzzz85a5"
	getenv := env(map[string]string{"SLACK_APP_TOKEN": app, "SLACK_SIGNING_SECRET": sign, "SLACK_BOT_TOKEN": "xoxb-1-2-3"})
	c := mustParse(t, `slack:
  token: ${SLACK_BOT_TOKEN}
  channel: "#mx-digest"
  app_token: ${SLACK_APP_TOKEN}
  signing_secret: ${SLACK_SIGNING_SECRET}
  team_id: T0123ABCD
  allowed_channels: ["#mx-digest", C0999]
  allowed_users: [U0123, W0456]
`, "config.yaml", getenv)
	s := c.Slack
	if s.AppToken != app || s.SigningSecret != sign || s.TeamID != "T0123ABCD" {
		t.Errorf("app token set %v, signing secret set %v, team %q", s.AppToken == app, s.SigningSecret == sign, s.TeamID)
	}
	if !slices.Equal(s.AllowedChannels, []string{"#mx-digest", "C0999"}) || !slices.Equal(s.AllowedUsers, []string{"U0123", "W0456"}) {
		t.Errorf("allowed channels %v, users %v", s.AllowedChannels, s.AllowedUsers)
	}
	if !s.Commands() {
		t.Error("Commands() = false with both transports set")
	}
	if err := c.RequireCommands(); err != nil {
		t.Errorf("RequireCommands() = %v", err)
	}
	if (Slack{Token: "x"}).Commands() {
		t.Error("Commands() = true with no transport")
	}
	// Secrets are masked wherever the settings are printed, and redacted.
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, s); strings.Contains(out, app) || strings.Contains(out, sign) {
			t.Errorf("%s of Slack shows a secret: %s", verb, out)
		}
	}
	j, _ := json.Marshal(c)
	if strings.Contains(string(j), app) || strings.Contains(string(j), sign) || !strings.Contains(string(j), `"app_token":"[redacted]"`) {
		t.Errorf("JSON of Config = %s; want app_token and signing_secret as [redacted]", j)
	}
	if got := c.Redact("token " + app + " secret " + sign); got != "token [redacted] secret [redacted]" {
		t.Errorf("Redact = %q", got)
	}
}

func TestCommandSettingProblems(t *testing.T) {
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"bot token as app token", "slack:\n  token: xoxb-1\n  app_token: xoxb-LEAK-1\n",
			"config.yaml:3: slack.app_token: must be an app-level token (xapp-…) with the connections:write scope; this looks like a bot or user token (xox…), which belongs in slack.token"},
		{"not a token", "slack:\n  token: xoxb-1\n  app_token: LEAK\n",
			"config.yaml:3: slack.app_token: must be an app-level token (xapp-…) with the connections:write scope"},
		{"team id", "slack:\n  token: xoxb-1\n  team_id: acme\n",
			`config.yaml:3: slack.team_id: must be a workspace ID such as T0123ABCD, got "acme"`},
		{"user name", "slack:\n  token: xoxb-1\n  allowed_users:\n    - U0123\n    - alice\n",
			`config.yaml:5: slack.allowed_users[1]: must be a user ID such as U0123ABCD (names change; IDs do not), got "alice"`},
		{"empty channel", "slack:\n  token: xoxb-1\n  allowed_channels: ['']\n",
			"config.yaml:3: slack.allowed_channels[0]: must not be empty"},
		{"not a list", "slack:\n  token: xoxb-1\n  allowed_users: U0123\n",
			"config.yaml:3: slack.allowed_users: expected a list of user IDs, got a string"},
		{"webhook", "slack:\n  webhook_url: https://hooks.slack.com/services/T/B/x\n  signing_secret: abc\n",
			"config.yaml:3: slack: the slash command needs a bot token (slack.token), not slack.webhook_url: it posts to the channel it is called from"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "config.yaml", env(nil))
			if err == nil {
				t.Fatalf("Parse = nil; want %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse error:\n got %s\nwant %s", got, tt.want)
			}
			if strings.Contains(err.Error(), "LEAK") {
				t.Errorf("error quotes the secret: %v", err)
			}
		})
	}
}

// TestRequireCommands: a transport written in the file, marked optional
// (${VAR:-}) and with its variable unset, stops serve with the variable's
// name, but not Load (explain and run do not need it). Written ${VAR}, an
// unset variable is a Load error like any secret's (TestParseProblems).
func TestRequireCommands(t *testing.T) {
	c := mustParse(t, "slack:\n  token: xoxb-1\n  app_token: ${SLACK_APP_TOKEN:-}\n  signing_secret: ${SLACK_SIGNING_SECRET:-}\n", "config.yaml", env(nil))
	err := c.RequireCommands()
	want := "config.yaml:3: slack.app_token: is empty (SLACK_APP_TOKEN is not set); set it, or remove the key to turn this transport off\n" +
		"config.yaml:4: slack.signing_secret: is empty (SLACK_SIGNING_SECRET is not set); set it, or remove the key to turn this transport off"
	if err == nil || err.Error() != want {
		t.Errorf("RequireCommands() =\n%v\nwant\n%s", err, want)
	}
	if c.Slack.Commands() {
		t.Error("Commands() = true with both secrets empty")
	}
}
