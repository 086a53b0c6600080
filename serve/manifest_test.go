package serve_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
)

// TestManifest: the shipped app manifest grants every scope newsdigest uses
// and defines /newsdigest with the request URL serve routes.
func TestManifest(t *testing.T) {
	data, err := os.ReadFile("../deploy/slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, sc := range append([]string{"commands", "chat:write.public"}, fakeslack.AllScopes...) {
		if !slices.Contains(m.OAuth.Scopes.Bot, sc) {
			t.Errorf("manifest lacks bot scope %s", sc)
		}
	}
	cmds := m.Features.SlashCommands
	if len(cmds) != 1 || cmds[0].Command != "/newsdigest" || !strings.HasSuffix(cmds[0].URL, "/slack/commands") {
		t.Errorf("slash commands = %+v; want /newsdigest at …/slack/commands", cmds)
	}
	if !m.Settings.SocketMode {
		t.Error("socket_mode_enabled is false; the manifest is set up for Socket Mode")
	}
}
