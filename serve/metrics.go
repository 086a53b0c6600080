package serve

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/pipeline"
)

// Fetch outcomes, the values of newsdigest_fetches_total's "outcome" label.
const (
	outcomeOK          = "ok"
	outcomeNotModified = "not_modified"
	outcomeError       = "error"
)

// metrics are the Prometheus series of one Server, on its own registry.
type metrics struct {
	reg *prometheus.Registry

	polls             *prometheus.CounterVec // result
	fetches           *prometheus.CounterVec // outcome
	fetchDuration     prometheus.Histogram
	feedsFailing      prometheus.Gauge
	pollDuration      prometheus.Gauge
	itemsFetched      prometheus.Counter
	itemsNew          prometheus.Counter
	itemsMatched      *prometheus.CounterVec // topic
	digests           *prometheus.CounterVec // result
	slackMessages     *prometheus.CounterVec // channel
	itemsPosted       *prometheus.CounterVec // channel
	slackErrors       *prometheus.CounterVec // channel
	lastPollSuccess   prometheus.Gauge
	lastDigestSuccess prometheus.Gauge
	alertChecks       *prometheus.CounterVec // result
	alerts            *prometheus.CounterVec // rule, kind
	alertsHeld        *prometheus.GaugeVec   // rule, reason
	lastAlert         *prometheus.GaugeVec   // rule
	rules             []string               // alert rule names
}

func newMetrics(topics, channels, rules []string) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg:   reg,
		rules: rules,
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_polls_total", Help: "Polls run, by result (ok, error: the store failed).",
		}, []string{"result"}),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_fetches_total", Help: "Feed fetches, by outcome (ok, not_modified, error). Feeds backing off are not fetched.",
		}, []string{"outcome"}),
		fetchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "newsdigest_fetch_duration_seconds", Help: "Duration of one feed fetch, body and parsing included.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60},
		}),
		feedsFailing: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsdigest_feeds_failing", Help: "Feeds that failed or were backing off in the last poll.",
		}),
		pollDuration: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsdigest_last_poll_duration_seconds", Help: "Duration of the last poll.",
		}),
		itemsFetched: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "newsdigest_items_fetched_total", Help: "Items found in fetched feeds, new or not.",
		}),
		itemsNew: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "newsdigest_items_new_total", Help: "Items seen for the first time.",
		}),
		itemsMatched: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_items_matched_total", Help: "New items that matched a topic, by topic (an item can match several).",
		}, []string{"topic"}),
		digests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_digests_total", Help: "Digests run, by result (ok, error: some channel was not fully posted).",
		}, []string{"result"}),
		slackMessages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_slack_messages_total", Help: "Slack messages posted and confirmed, by channel.",
		}, []string{"channel"}),
		itemsPosted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_items_posted_total", Help: "Items carried by confirmed Slack messages, by channel.",
		}, []string{"channel"}),
		slackErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_slack_errors_total", Help: "Digests of a channel that could not be fully posted, by channel.",
		}, []string{"channel"}),
		lastPollSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsdigest_last_poll_success_timestamp_seconds", Help: "Unix time the last successful poll finished.",
		}),
		lastDigestSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "newsdigest_last_digest_success_timestamp_seconds", Help: "Unix time the last fully posted digest finished.",
		}),
		alertChecks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_alert_checks_total", Help: "Checks of the alert rules after a poll, by result (ok, error: some channel's alerts could not be posted).",
		}, []string{"result"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsdigest_alerts_total", Help: "Stories posted by an alert rule and confirmed by Slack, by rule and kind (alert, reply: a growth reply, summary: in a summary over the hourly cap).",
		}, []string{"rule", "kind"}),
		alertsHeld: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsdigest_alerts_held", Help: "Stories an alert rule holds after the last check, by rule and reason (quiet_hours, hourly_cap).",
		}, []string{"rule", "reason"}),
		lastAlert: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsdigest_last_alert_timestamp_seconds", Help: "Unix time this process last posted a story of the rule (alert, reply or summary).",
		}, []string{"rule"}),
	}
	reg.MustRegister(
		m.polls, m.fetches, m.fetchDuration, m.feedsFailing, m.pollDuration, m.itemsFetched, m.itemsNew,
		m.itemsMatched, m.digests, m.slackMessages, m.itemsPosted, m.slackErrors, m.lastPollSuccess, m.lastDigestSuccess,
		m.alertChecks, m.alerts, m.alertsHeld, m.lastAlert,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Known label values start at 0, so rates and alerts work from the start.
	for _, r := range []string{"ok", "error"} {
		m.polls.WithLabelValues(r)
		m.digests.WithLabelValues(r)
	}
	for _, o := range []string{outcomeOK, outcomeNotModified, outcomeError} {
		m.fetches.WithLabelValues(o)
	}
	for _, t := range topics {
		m.itemsMatched.WithLabelValues(t)
	}
	if len(rules) > 0 {
		for _, r := range []string{"ok", "error"} {
			m.alertChecks.WithLabelValues(r)
		}
	}
	for _, rule := range rules {
		for _, k := range []string{digest.AlertNew, digest.AlertReply, digest.AlertSummary} {
			m.alerts.WithLabelValues(rule, k)
		}
		for _, r := range []string{digest.HeldQuiet, digest.HeldCap} {
			m.alertsHeld.WithLabelValues(rule, r)
		}
	}
	for _, ch := range channels {
		m.slackMessages.WithLabelValues(ch)
		m.itemsPosted.WithLabelValues(ch)
		m.slackErrors.WithLabelValues(ch)
	}
	return m
}

// observePoll records one poll. err is the poll's own failure (the store);
// failing feeds are in rep.
func (m *metrics) observePoll(rep pipeline.PollReport, err error) {
	if err != nil {
		m.polls.WithLabelValues("error").Inc()
		return
	}
	m.polls.WithLabelValues("ok").Inc()
	failing := 0
	for _, f := range rep.Feeds {
		if f.Failing() {
			failing++
		}
		if f.Skipped {
			continue
		}
		switch {
		case !f.OK:
			m.fetches.WithLabelValues(outcomeError).Inc()
		case f.NotModified:
			m.fetches.WithLabelValues(outcomeNotModified).Inc()
		default:
			m.fetches.WithLabelValues(outcomeOK).Inc()
		}
		m.fetchDuration.Observe(f.Duration.Seconds())
	}
	m.feedsFailing.Set(float64(failing))
	m.pollDuration.Set(rep.Finished.Sub(rep.Started).Seconds())
	m.itemsFetched.Add(float64(rep.Summary.ItemsFetched))
	m.itemsNew.Add(float64(rep.Summary.ItemsNew))
	for topic, n := range rep.NewByTopic {
		m.itemsMatched.WithLabelValues(topic).Add(float64(n))
	}
	m.lastPollSuccess.Set(float64(rep.Finished.UnixNano()) / 1e9)
}

// observeDigest records one Deliver: what each channel got, and whether the
// whole digest was posted.
func (m *metrics) observeDigest(rep pipeline.DeliveryReport, err error, finishedUnix float64) {
	for _, c := range rep.Channels {
		m.slackMessages.WithLabelValues(c.Channel).Add(float64(c.Messages))
		m.itemsPosted.WithLabelValues(c.Channel).Add(float64(c.Items))
		if c.Err != nil {
			m.slackErrors.WithLabelValues(c.Channel).Inc()
		}
	}
	if err != nil {
		m.digests.WithLabelValues("error").Inc()
		return
	}
	m.digests.WithLabelValues("ok").Inc()
	m.lastDigestSuccess.Set(finishedUnix)
}

// observeAlerts records one check of the alert rules: the stories posted
// and held per rule.
func (m *metrics) observeAlerts(rep pipeline.AlertReport, err error) {
	if err != nil {
		m.alertChecks.WithLabelValues("error").Inc()
	} else {
		m.alertChecks.WithLabelValues("ok").Inc()
	}
	for _, rule := range m.rules {
		for _, r := range []string{digest.HeldQuiet, digest.HeldCap} {
			m.alertsHeld.WithLabelValues(rule, r).Set(0)
		}
	}
	now := float64(time.Now().UnixNano()) / 1e9
	for _, c := range rep.Channels {
		for _, a := range c.Posted {
			m.alerts.WithLabelValues(a.Rule, a.Kind).Inc()
			m.lastAlert.WithLabelValues(a.Rule).Set(now)
		}
		for _, a := range c.Held {
			m.alertsHeld.WithLabelValues(a.Rule, a.Held).Inc()
		}
	}
}
