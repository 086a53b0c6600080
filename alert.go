package newsdigest

import "time"

// AlertRule is one rule of config.yaml's alerts: list. A story qualifies
// when at least MinOutlets distinct outlets carry it within Within of its
// first report; it is then posted to Channel at once (one short alert), or
// when quiet hours end. See docs/ALERTS.md.
type AlertRule struct {
	Name       string        // unique; the metrics label (default: the topics joined by "+")
	Topics     []string      // topic names; an item counts when it matched one of them
	MinOutlets int           // distinct outlets, at least 2
	Within     time.Duration // of the first report
	MinScore   int           // an item counts only with at least this score (0: any match)
	Channel    string        // "" = the channel of the rule's topics
	Quiet      QuietHours    // when alerts are held
	MaxPerHour int           // alerts per channel per rolling hour (the smallest of a channel's rules applies)
	ReplyAt    int           // outlets at which the alert gets its one growth reply; 0 = none
}

// QuietHours is a daily span of wall-clock time, in minutes after midnight,
// during which alerts are held; End before Start spans midnight. The zero
// value (Start == End) is no quiet hours.
type QuietHours struct {
	Start, End int
}

// IsZero reports whether there are no quiet hours.
func (q QuietHours) IsZero() bool { return q.Start == q.End }

// Last returns the latest quiet period of the clock's days that starts at
// or before t: its start and end, in t's location. ok is false without
// quiet hours.
func (q QuietHours) Last(t time.Time) (start, end time.Time, ok bool) {
	if q.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	y, m, d := t.Date()
	at := func(day, minutes int) time.Time {
		return time.Date(y, m, d+day, minutes/60, minutes%60, 0, 0, t.Location())
	}
	start = at(0, q.Start)
	if start.After(t) {
		start = at(-1, q.Start)
	}
	// The end is the first End after the start: the same day, or the next.
	sy, sm, sd := start.Date()
	end = time.Date(sy, sm, sd, q.End/60, q.End%60, 0, 0, t.Location())
	if !end.After(start) {
		end = time.Date(sy, sm, sd+1, q.End/60, q.End%60, 0, 0, t.Location())
	}
	return start, end, true
}

// Hold says what a rule does now (at now, in the configured location)
// with a story that qualified at crossed, the moment it reached MinOutlets:
//   - during quiet hours, a story that crossed at most Within before they
//     began (or since) is held until they end (held, until);
//   - otherwise it is due while it crossed at most Within ago, or, for a
//     story held by the quiet hours that ended last, until Within after
//     their end;
//   - anything else is stale: the digest brings it.
func (r AlertRule) Hold(crossed, now time.Time) (due bool, until time.Time) {
	start, end, quiet := r.Quiet.Last(now)
	if quiet && now.Before(end) {
		if !crossed.Before(start.Add(-r.Within)) {
			return false, end
		}
		return false, time.Time{}
	}
	if !crossed.Before(now.Add(-r.Within)) {
		return true, time.Time{}
	}
	if quiet && now.Before(end.Add(r.Within)) && !crossed.Before(start.Add(-r.Within)) {
		return true, time.Time{}
	}
	return false, time.Time{}
}

// Alerted is an alert that carried an item to a channel.
type Alerted struct {
	Channel string    // as written in the config
	ID      int64     // the story's alert: a growth reply goes into its thread
	TS      string    // the alert's Slack ts ("" for a webhook)
	At      time.Time // when Slack confirmed it
	Summary bool      // carried by a summary of the alerts over the hourly cap
	Replied bool      // the alert's one growth reply was posted (or may have been)
}

// AlertCandidate is a stored item as the alert rules see it.
type AlertCandidate struct {
	Candidate
	FirstPoll bool      // it came in its feed's first poll: it counts toward no alert
	Digested  bool      // a digest already carried it (to any channel)
	Alerts    []Alerted // the alerts that carried it, oldest first
}
