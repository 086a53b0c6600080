package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/pipeline"
)

// postedTwice lists the items posted more than once to one channel.
func postedTwice(f *deliverFixture, t *testing.T) []string {
	var twice []string
	for ch, items := range f.delivered(t) {
		for id, n := range items {
			if n > 1 {
				twice = append(twice, fmt.Sprintf("%s: item %s ×%d", ch, id, n))
			}
		}
	}
	return twice
}

func deliverHere(t *testing.T, p *pipeline.Pipeline, opts pipeline.DigestOptions) pipeline.DeliveryReport {
	t.Helper()
	rep, err := p.Deliver(context.Background(), opts, nil)
	if err != nil {
		t.Fatalf("Deliver(%+v): %v", opts, err)
	}
	return rep
}

// TestDeliverHereUsesTheConfiguredKey: a digest for #mx-digest's ID after the
// scheduled digest posted there — the store knows the ID — posts nothing
// again; and before any digest, the ID is learnt from conversations.list,
// so the scheduled digest then leaves out what the command posted.
func TestDeliverHereUsesTheConfiguredKey(t *testing.T) {
	t.Run("after the scheduled digest", func(t *testing.T) {
		f := newDeliverFixture(t)
		p := f.pipeline(t, f.botConfig())
		rep, err := run(t, p)
		if err != nil || messages(rep) == 0 {
			t.Fatalf("scheduled digest: %d messages, %v", messages(rep), err)
		}
		calls := f.slack.Calls()
		rep = deliverHere(t, p, pipeline.DigestOptions{Channel: "C001"})
		if messages(rep) != 0 || len(rep.Channels) != 1 || rep.Channels[0].Channel != "#mx-digest" {
			t.Errorf("now in #mx-digest after its digest: %+v; want nothing posted, under #mx-digest", rep.Channels)
		}
		if f.slack.Calls() != calls {
			t.Errorf("%d Slack calls; the store knew the channel's ID", f.slack.Calls()-calls)
		}
	})
	t.Run("before any digest", func(t *testing.T) {
		f := newDeliverFixture(t)
		p := f.pipeline(t, f.botConfig())
		if _, err := p.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		rep := deliverHere(t, p, pipeline.DigestOptions{Channel: "C001", Topics: []string{"cartels"}})
		if rep.Channels[0].Channel != "#mx-digest" || rep.Channels[0].Items == 0 {
			t.Fatalf("now cartels in C001: %+v", rep.Channels)
		}
		if _, err := p.Deliver(context.Background(), pipeline.DigestOptions{}, nil); err != nil {
			t.Fatal(err)
		}
		if twice := postedTwice(f, t); len(twice) > 0 {
			t.Errorf("posted twice: %v", twice)
		}
		if f.delivered(t)["C002"] == nil {
			t.Error("the scheduled digest did not post usmca to #trade")
		}
	})
}

// TestDeliverHereOwnTopics: with no topics named, a configured channel gets
// the topics routed to it, and the digest closes its window like the
// scheduled one; a topic named that routes elsewhere is posted here under
// this channel's key, leaving the other channel's state alone.
func TestDeliverHereOwnTopics(t *testing.T) {
	f := newDeliverFixture(t)
	p := f.pipeline(t, f.botConfig())
	if _, err := p.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep := deliverHere(t, p, pipeline.DigestOptions{Channel: "C002"})
	if len(rep.Channels) != 1 || rep.Channels[0].Channel != "#trade" || rep.Channels[0].Digest == nil {
		t.Fatalf("now in #trade: %+v", rep.Channels)
	}
	for _, s := range rep.Channels[0].Digest.Topics {
		if s.Name != "usmca" {
			t.Errorf("now in #trade posted topic %s", s.Name)
		}
	}
	rep = deliverHere(t, p, pipeline.DigestOptions{Channel: "C001", Topics: []string{"usmca"}})
	if rep.Channels[0].Channel != "#mx-digest" || rep.Channels[0].Items == 0 {
		t.Errorf("now usmca in #mx-digest: %+v", rep.Channels)
	}
	if _, err := p.Deliver(context.Background(), pipeline.DigestOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	if twice := postedTwice(f, t); len(twice) > 0 {
		t.Errorf("posted twice: %v", twice)
	}
	if f.delivered(t)["C001"] == nil {
		t.Error("the scheduled digest posted nothing to #mx-digest")
	}
}

// TestDeliverHereUnconfigured: a channel no topic routes to gets every topic
// (or those named) with delivery state of its own: once, and never
// touching the configured channels' state.
func TestDeliverHereUnconfigured(t *testing.T) {
	f := newDeliverFixture(t)
	f.slack.AddChannel(fakeslack.Channel{ID: "C003", Name: "random", Member: true})
	p := f.pipeline(t, f.botConfig())
	if _, err := p.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep := deliverHere(t, p, pipeline.DigestOptions{Channel: "C003", Topics: []string{"cartels"}})
	if len(rep.Channels) != 1 || rep.Channels[0].Channel != "C003" || rep.Channels[0].Items == 0 {
		t.Fatalf("now cartels in #random: %+v", rep.Channels)
	}
	if rep = deliverHere(t, p, pipeline.DigestOptions{Channel: "C003", Topics: []string{"cartels"}}); messages(rep) != 0 {
		t.Errorf("second now cartels in #random posted %d messages", messages(rep))
	}
	rep = deliverHere(t, p, pipeline.DigestOptions{Channel: "C003"})
	if rep.Channels[0].Items == 0 {
		t.Errorf("now (every topic) in #random posted no troops or usmca: %+v", rep.Channels)
	}
	if _, err := p.Deliver(context.Background(), pipeline.DigestOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	got := f.delivered(t)
	if len(got["C001"]) == 0 || len(got["C002"]) == 0 {
		t.Errorf("the configured channels got nothing after #random's digests: %v", got)
	}
	if twice := postedTwice(f, t); len(twice) > 0 {
		t.Errorf("posted twice: %v", twice)
	}
}

// TestDigestHere is preview: the channel's own digest, nothing recorded.
func TestDigestHere(t *testing.T) {
	f := newDeliverFixture(t)
	p := f.pipeline(t, f.botConfig())
	if _, err := p.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		d, err := p.Digest(context.Background(), pipeline.DigestOptions{Channel: "C002"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Topics) != 1 || d.Topics[0].Name != "usmca" {
			t.Errorf("preview in #trade: topics %+v", d.Topics)
		}
	}
	if n := len(f.slack.Messages()); n != 0 {
		t.Errorf("preview posted %d messages", n)
	}
}

func TestDeliverHereRefused(t *testing.T) {
	f := newDeliverFixture(t)
	hook := f.cfgFor(fmt.Sprintf("slack:\n  webhook_url: %q\n", f.slack.WebhookURL()))
	hook = strings.Replace(hook, "    channel: \"#trade\"\n", "", 1)
	p := f.pipeline(t, hook)
	if _, err := p.Deliver(context.Background(), pipeline.DigestOptions{Channel: "C001"}, nil); err == nil || !strings.Contains(err.Error(), "bot token") {
		t.Errorf("Deliver to a channel with a webhook: %v", err)
	}
	p = f.pipeline(t, f.botConfig())
	if _, err := p.Deliver(context.Background(), pipeline.DigestOptions{Channel: "#mx-digest"}, nil); err == nil {
		t.Error("Deliver to a channel name: no error")
	}
	for key, want := range map[string]bool{"C001": true, "#mx-digest": true, "#trade": false, "#gone": false, "C009": false} {
		if got, err := p.ChannelIs(context.Background(), key, "C001"); err != nil || got != want {
			t.Errorf("ChannelIs(%q, C001) = %v, %v; want %v", key, got, err, want)
		}
	}
}
