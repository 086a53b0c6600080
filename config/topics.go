package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/newsdigest/newsdigest"
)

// SelectTopics returns the configured topics that names lists, in config
// order; no names means every topic. Names are matched case-insensitively
// and may repeat. A name that is no configured topic is an
// *UnknownTopicError. It is the one check of a topic given on the command
// line, in POST /run or in Slack.
func (c *Config) SelectTopics(names []string) ([]newsdigest.Topic, error) {
	if len(names) == 0 {
		return c.Topics, nil
	}
	want := make([]string, 0, len(names))
	for _, n := range names {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" && !slices.Contains(want, n) {
			want = append(want, n)
		}
	}
	var unknown []string
	for _, n := range want {
		if !slices.ContainsFunc(c.Topics, func(t newsdigest.Topic) bool { return t.Name == n }) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return nil, &UnknownTopicError{Names: unknown}
	}
	var out []newsdigest.Topic
	for _, t := range c.Topics {
		if slices.Contains(want, t.Name) {
			out = append(out, t)
		}
	}
	return out, nil
}

// UnknownTopicError names topics that are not configured.
type UnknownTopicError struct{ Names []string }

func (e *UnknownTopicError) Error() string {
	return fmt.Sprintf("unknown topic %s", strings.Join(e.Names, ", "))
}
