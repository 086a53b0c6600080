package config

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// mask returns "[redacted]" for a set secret and "" for an unset one, so
// printed settings still show whether a secret is configured.
func mask(secret string) string {
	if secret == "" {
		return ""
	}
	return redacted
}

// Format prints the Slack settings with Token, WebhookURL, AppToken and
// SigningSecret masked as "[redacted]", whatever the verb (%v, %+v, %#v, %s,
// %d …).
func (s Slack) Format(f fmt.State, verb rune) {
	tok, hook, app, sign := mask(s.Token), mask(s.WebhookURL), mask(s.AppToken), mask(s.SigningSecret)
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "config.Slack{Token:%q, WebhookURL:%q, Channel:%q, APIURL:%q, AppToken:%q, SigningSecret:%q, TeamID:%q, AllowedChannels:%#v, AllowedUsers:%#v}",
			tok, hook, s.Channel, s.APIURL, app, sign, s.TeamID, s.AllowedChannels, s.AllowedUsers)
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "{Token:%s WebhookURL:%s Channel:%s APIURL:%s AppToken:%s SigningSecret:%s TeamID:%s AllowedChannels:%v AllowedUsers:%v}",
			tok, hook, s.Channel, s.APIURL, app, sign, s.TeamID, s.AllowedChannels, s.AllowedUsers)
	default:
		fmt.Fprintf(f, "{%s %s %s %s %s %s %s %v %v}", tok, hook, s.Channel, s.APIURL, app, sign, s.TeamID, s.AllowedChannels, s.AllowedUsers)
	}
}

// MarshalJSON encodes the Slack settings with the secrets masked.
func (s Slack) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Token           string   `json:"token,omitempty"`
		WebhookURL      string   `json:"webhook_url,omitempty"`
		Channel         string   `json:"channel,omitempty"`
		APIURL          string   `json:"api_url,omitempty"`
		AppToken        string   `json:"app_token,omitempty"`
		SigningSecret   string   `json:"signing_secret,omitempty"`
		TeamID          string   `json:"team_id,omitempty"`
		AllowedChannels []string `json:"allowed_channels,omitempty"`
		AllowedUsers    []string `json:"allowed_users,omitempty"`
	}{mask(s.Token), mask(s.WebhookURL), s.Channel, s.APIURL, mask(s.AppToken), mask(s.SigningSecret), s.TeamID, s.AllowedChannels, s.AllowedUsers})
}

// Format prints the serve settings with Token masked as "[redacted]",
// whatever the verb.
func (s Serve) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "config.Serve{Listen:%q, Token:%q, MaxSince:%d}", s.Listen, mask(s.Token), int64(s.MaxSince))
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "{Listen:%s Token:%s MaxSince:%s}", s.Listen, mask(s.Token), s.MaxSince)
	default:
		fmt.Fprintf(f, "{%s %s %s}", s.Listen, mask(s.Token), s.MaxSince)
	}
}

// MarshalJSON encodes the serve settings with the token masked.
func (s Serve) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Listen   string        `json:"listen"`
		Token    string        `json:"token,omitempty"`
		MaxSince time.Duration `json:"max_since,omitempty"`
	}{s.Listen, mask(s.Token), s.MaxSince})
}

// Format prints the store settings with DSN masked as "[redacted]",
// whatever the verb.
func (s Store) Format(f fmt.State, verb rune) {
	type plain Store // without this method
	p := plain(s)
	p.DSN = mask(s.DSN)
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "config.Store%#v", p)
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "%+v", p)
	default:
		fmt.Fprintf(f, "%v", p)
	}
}

// MarshalJSON encodes the store settings with the DSN masked.
func (s Store) MarshalJSON() ([]byte, error) {
	type plain Store
	p := plain(s)
	p.DSN = mask(s.DSN)
	return json.Marshal(p)
}

// dsnPassword is the password a PostgreSQL DSN carries ("" for none), so
// that Redact hides it also where an error quotes it alone: a URL's
// user:password@, or key=value's password=.
func dsnPassword(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		pw, _ := u.User.Password()
		return pw
	}
	for _, f := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(f, "password="); ok {
			return strings.Trim(v, "'")
		}
	}
	return ""
}
