package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/slack"
)

// This file is the digest of one Slack channel named by its ID — the channel
// a slash command was typed in (DigestOptions.Channel) — and how it finds
// the delivery state that channel already has. Delivery state is keyed by
// the channel as the config writes it ("#mx-digest" or an ID): a command
// typed in #mx-digest must use that key, or it would post again everything
// the scheduled digest already delivered there.

// ChannelIs reports whether key — a channel as the config writes it, a name
// or an ID — is the Slack channel id. A name is matched by the ID Slack
// answered when newsdigest last posted there (the store), else by looking
// it up (conversations.list, which needs channels:read and groups:read). A
// name Slack does not know is no match.
func (p *Pipeline) ChannelIs(ctx context.Context, key, id string) (bool, error) {
	out, err := p.endpoint()
	if err != nil {
		return false, err
	}
	return p.channelIs(ctx, out.finder, key, id)
}

func (p *Pipeline) channelIs(ctx context.Context, f Finder, key, id string) (bool, error) {
	switch {
	case key == id:
		return true, nil
	case slack.IsChannelID(key):
		return false, nil
	}
	known, err := p.store.ChannelID(ctx, key)
	if err != nil {
		return false, err
	}
	if known != "" {
		return known == id, nil
	}
	if f == nil {
		return false, errors.New("pipeline: a webhook cannot tell which channel it posts to; the slash command needs slack.token")
	}
	found, err := f.ChannelID(ctx, key)
	var se *slack.Error
	if errors.As(err, &se) && se.Code == "channel_not_found" {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("pipeline: is %s the channel %s? %w", key, id, err)
	}
	return found == id, nil
}

// channelsHere groups topics for a digest in the channel id. A topic whose
// own channel is id keeps that channel's key; every other topic goes under
// the key of the first configured channel that is id, or under id itself
// when no configured channel is (the channel then has delivery state of its
// own). When opts names no topics, a configured channel gets the topics
// routed to it, any other channel every topic.
func (p *Pipeline) channelsHere(ctx context.Context, f Finder, id string, named bool, topics []newsdigest.Topic) ([]channelTopics, error) {
	if !slack.IsChannelID(id) {
		return nil, fmt.Errorf("pipeline: %q is not a channel ID (C…, G…)", id)
	}
	// Which configured keys are this channel, over every topic's route.
	here := map[string]bool{}
	primary := ""
	for _, ch := range p.channels(p.cfg.Topics) {
		is, err := p.channelIs(ctx, f, ch.name, id)
		if err != nil {
			return nil, err
		}
		if is {
			here[ch.name] = true
			if primary == "" {
				primary = ch.name
			}
		}
	}
	if primary == "" {
		primary = id
	}
	if !named && len(here) > 0 {
		var own []newsdigest.Topic
		for _, t := range topics {
			if here[p.Channel(t)] {
				own = append(own, t)
			}
		}
		topics = own
	}
	return groupByChannel(topics, func(t newsdigest.Topic) string {
		if key := p.Channel(t); here[key] {
			return key
		}
		return primary
	}), nil
}

// digestChannels is where a digest goes: each topic's channel, or the
// channel opts.Channel names (channelsHere).
func (p *Pipeline) digestChannels(ctx context.Context, out slackEndpoint, opts DigestOptions, topics []newsdigest.Topic) ([]channelTopics, error) {
	if opts.Channel == "" {
		return p.channels(topics), nil
	}
	if out.finder == nil {
		return nil, errors.New("pipeline: a digest for the channel a command came from needs a bot token (slack.token), not a webhook")
	}
	return p.channelsHere(ctx, out.finder, opts.Channel, len(opts.Topics) > 0, topics)
}
