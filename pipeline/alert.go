package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/slack"
	"github.com/newsdigest/newsdigest/store"
)

// This file is the alert flow (docs/ALERTS.md): after each poll, for each
// channel that alert rules post to, in order:
//
//	resolve what an earlier run left pending there (resolvePending, as
//	        for a digest: a lost answer is looked for in the channel)
//	select  the rules' recent items and every item an alert carried
//	        (store.AlertItems)
//	decide  which stories took off: due, held by quiet hours, or a growth
//	        reply (digest.Alerts); then the channel's hourly cap: the
//	        alerts over it go together in one summary, at most one an
//	        hour, and the rest wait
//	post    each alert, reply and summary through the digest's path
//	        (post: outbox first, tagged, retried by Retry, looked for
//	        before posting again); confirming one records its items as
//	        alerted to the channel, so the story never alerts there again
//	        and the digest shows it marked
//
// Whether a story qualifies is computed from the stored items each time,
// not remembered: a restart, a second process, or a dry run sees what the
// store says, and the store remembers only what Slack confirmed.

// AlertReport is what one check of the alert rules did.
type AlertReport struct {
	Channels []AlertChannelReport
}

// AlertChannelReport is how the alerts of one channel went.
type AlertChannelReport struct {
	Channel string
	// Posted are the alerts Slack confirmed: alerts, growth replies, and
	// the stories of a summary (Kind says which).
	Posted []digest.Alert
	// Held are those that wait: quiet hours, or the hourly cap.
	Held []digest.Alert
	Err  error
}

type channelRules = channelGroup[newsdigest.AlertRule]

// alertChannels groups the rules that name one of topics (nil: all) by
// the channel they post to (theirs, or their first topic's), in config
// order.
func (p *Pipeline) alertChannels(topics []string) []channelRules {
	var rules []newsdigest.AlertRule
	for _, r := range p.cfg.Alerts {
		if topics == nil || slices.ContainsFunc(r.Topics, func(t string) bool { return slices.Contains(topics, t) }) {
			rules = append(rules, r)
		}
	}
	return groupByChannel(rules, func(r newsdigest.AlertRule) string {
		if r.Channel != "" {
			return r.Channel
		}
		ch := ""
		for _, t := range p.cfg.Topics {
			if t.Name == r.Topics[0] {
				ch = p.Channel(t)
			}
		}
		return ch
	})
}

// Alert checks the alert rules over recent stories and posts, channel by
// channel, what is due (see the stages above). It does nothing without
// rules. One channel failing does not stop the others; the error joins
// every channel's failure.
func (p *Pipeline) Alert(ctx context.Context) (AlertReport, error) {
	var rep AlertReport
	if len(p.cfg.Alerts) == 0 {
		return rep, nil
	}
	out, err := p.endpoint()
	if err != nil {
		return rep, err
	}
	lease, err := p.acquireLease(ctx)
	if err != nil {
		return rep, err
	}
	defer lease.release()
	now := p.Now()
	var errs []error
	for _, ch := range p.alertChannels(nil) {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("pipeline: alerts: stopped before channel %q: %w", ch.name, err))
			break
		}
		cr := p.alertChannel(ctx, out, lease, ch, now)
		if cr.Err != nil {
			errs = append(errs, cr.Err)
		}
		rep.Channels = append(rep.Channels, cr)
	}
	return rep, errors.Join(errs...)
}

// alertChannel runs one channel's alerts through the stages, in order.
func (p *Pipeline) alertChannel(ctx context.Context, out slackEndpoint, l *lease, ch channelRules, now time.Time) AlertChannelReport {
	cr := AlertChannelReport{Channel: ch.name}
	if err := p.resolvePending(ctx, out, ch.name); err != nil {
		cr.Err = err
		return cr
	}
	plan, perHour, err := p.planAlerts(ctx, ch, now, out.threads)
	if err != nil {
		cr.Err = err
		return cr
	}
	cr.Held = plan.Held
	var summary []digest.Alert
	for _, a := range plan.Post {
		if a.Kind == digest.AlertSummary {
			summary = append(summary, a)
			continue
		}
		if cr.Err = p.postAlert(ctx, out, l, ch.name, a); cr.Err != nil {
			return cr
		}
		cr.Posted = append(cr.Posted, a)
		p.logger.Info("alert posted", "channel", ch.name, "rule", a.Rule, "kind", a.Kind, "title", a.Title, "outlets", len(a.Outlets))
	}
	if len(summary) > 0 {
		m, n := slack.AlertSummary(summary, perHour)
		_, err := p.post(ctx, out, l, ch.name, []slack.Message{m}, func(_ int, d *store.Delivery) {
			d.Kind = store.KindAlertSummary
			d.Headline = fmt.Sprintf("%d %s over the hourly cap", n, newsdigest.Plural(n, "story", "stories"))
		})
		if err != nil {
			cr.Err = err
			return cr
		}
		cr.Posted = append(cr.Posted, summary[:n]...)
		for _, a := range summary[n:] {
			a.Kind, a.Held = digest.AlertNew, digest.HeldCap
			cr.Held = append(cr.Held, a)
		}
		p.logger.Info("alert summary posted", "channel", ch.name, "stories", n)
	}
	return cr
}

// postAlert posts one alert, or a growth reply into its alert's thread.
func (p *Pipeline) postAlert(ctx context.Context, out slackEndpoint, l *lease, channel string, a digest.Alert) error {
	_, err := p.post(ctx, out, l, channel, []slack.Message{slack.AlertMessage(a)}, func(_ int, d *store.Delivery) {
		d.Kind, d.Rule, d.Headline, d.Outlets = store.KindAlert, a.Rule, a.Title, len(a.Outlets)
		if a.Kind == digest.AlertReply {
			d.Kind, d.AlertOf, d.ThreadTS = store.KindAlertReply, a.Of.ID, a.Of.TS
		}
	})
	return err
}

// planAlerts is what one channel's rules do now: digest.Alerts, then the
// channel's hourly cap (the smallest max_per_hour of its rules, counting
// the alerts of the last hour): the alerts over it become one summary,
// unless a summary went out in the last hour, in which case they wait.
// Growth replies do not count. It also returns the cap.
func (p *Pipeline) planAlerts(ctx context.Context, ch channelRules, now time.Time, threads bool) (digest.AlertPlan, int, error) {
	plan := digest.AlertPlan{Post: []digest.Alert{}, Held: []digest.Alert{}}
	var topics []string
	perHour, horizon := 0, 24*time.Hour
	for _, r := range ch.items {
		for _, t := range r.Topics {
			if !slices.Contains(topics, t) {
				topics = append(topics, t)
			}
		}
		if perHour == 0 || r.MaxPerHour < perHour {
			perHour = r.MaxPerHour
		}
		// A story held by quiet hours (at most a day) crossed at most
		// within before they began, and its first report was at most
		// within before that.
		horizon = max(horizon, p.cfg.Digest.Lookback, 24*time.Hour+2*r.Within)
	}
	items, err := p.store.AlertItems(ctx, now.Add(-horizon), topics)
	if err != nil {
		return plan, perHour, fmt.Errorf("pipeline: alerts: %w", err)
	}
	alerts := digest.Alerts(digest.AlertInput{
		Channel: ch.name, Rules: ch.items, Topics: p.cfg.Topics, Now: now.In(p.location()), Items: items, Threads: threads,
	})
	recent, summarised, err := p.store.RecentAlerts(ctx, ch.name, now.Add(-time.Hour))
	if err != nil {
		return plan, perHour, fmt.Errorf("pipeline: alerts: %w", err)
	}
	slots := max(perHour-recent, 0)
	for _, a := range alerts {
		switch {
		case a.Held != "":
			plan.Held = append(plan.Held, a)
		case a.Kind == digest.AlertReply:
			plan.Post = append(plan.Post, a)
		case slots > 0:
			slots--
			plan.Post = append(plan.Post, a)
		case summarised:
			a.Held = digest.HeldCap
			plan.Held = append(plan.Held, a)
		default:
			a.Kind = digest.AlertSummary
			plan.Post = append(plan.Post, a)
		}
	}
	return plan, perHour, nil
}

// PlanAlerts is what the alert rules that name one of topics (none: all)
// would do now, without posting or recording anything: what `run
// -dry-run` prints. It is nil when no rule applies.
func (p *Pipeline) PlanAlerts(ctx context.Context, topics []string) (*digest.AlertPlan, error) {
	chs := p.alertChannels(topics)
	if len(chs) == 0 {
		return nil, nil
	}
	now := p.Now()
	all := &digest.AlertPlan{Post: []digest.Alert{}, Held: []digest.Alert{}}
	for _, ch := range chs {
		plan, _, err := p.planAlerts(ctx, ch, now, p.cfg.Slack.WebhookURL == "")
		if err != nil {
			return nil, err
		}
		all.Post = append(all.Post, plan.Post...)
		all.Held = append(all.Held, plan.Held...)
	}
	return all, nil
}

// markAlerted gives a digest for channel ("" for all) the items alerts
// carried, so that it shows their stories marked, or leaves them out.
func (p *Pipeline) markAlerted(ctx context.Context, in *digest.Input, channel string) error {
	alerted, err := p.store.AlertedItems(ctx)
	if err != nil {
		return fmt.Errorf("pipeline: digest: %w", err)
	}
	in.Alerted, in.OmitAlerted, in.Channel = alerted, p.cfg.Digest.OmitAlerted, channel
	return nil
}

// LastAlert is the alert, reply or summary Slack confirmed last (for
// /healthz), ok=false when none.
func (p *Pipeline) LastAlert(ctx context.Context) (store.Delivery, bool, error) {
	return p.store.LastAlert(ctx)
}

// AlertRules are the configured alert rules.
func (p *Pipeline) AlertRules() []newsdigest.AlertRule { return p.cfg.Alerts }
