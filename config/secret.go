package config

import (
	"encoding/json"
	"fmt"
)

// mask returns "[redacted]" for a set secret and "" for an unset one, so
// printed settings still show whether a secret is configured.
func mask(secret string) string {
	if secret == "" {
		return ""
	}
	return redacted
}

// Format prints the Slack settings with Token and WebhookURL masked as
// "[redacted]", whatever the verb (%v, %+v, %#v, %s, %d …).
func (s Slack) Format(f fmt.State, verb rune) {
	shown := struct {
		Token, WebhookURL, Channel, APIURL string
	}{mask(s.Token), mask(s.WebhookURL), s.Channel, s.APIURL}
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "config.Slack{Token:%q, WebhookURL:%q, Channel:%q, APIURL:%q}",
			shown.Token, shown.WebhookURL, shown.Channel, shown.APIURL)
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "{Token:%s WebhookURL:%s Channel:%s APIURL:%s}",
			shown.Token, shown.WebhookURL, shown.Channel, shown.APIURL)
	default:
		fmt.Fprintf(f, "{%s %s %s %s}", shown.Token, shown.WebhookURL, shown.Channel, shown.APIURL)
	}
}

// MarshalJSON encodes the Slack settings with the secrets masked.
func (s Slack) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Token      string `json:"token,omitempty"`
		WebhookURL string `json:"webhook_url,omitempty"`
		Channel    string `json:"channel,omitempty"`
		APIURL     string `json:"api_url,omitempty"`
	}{mask(s.Token), mask(s.WebhookURL), s.Channel, s.APIURL})
}

// Format prints the serve settings with Token masked as "[redacted]",
// whatever the verb.
func (s Serve) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "config.Serve{Listen:%q, Token:%q}", s.Listen, mask(s.Token))
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "{Listen:%s Token:%s}", s.Listen, mask(s.Token))
	default:
		fmt.Fprintf(f, "{%s %s}", s.Listen, mask(s.Token))
	}
}

// MarshalJSON encodes the serve settings with the token masked.
func (s Serve) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Listen string `json:"listen"`
		Token  string `json:"token,omitempty"`
	}{s.Listen, mask(s.Token)})
}
