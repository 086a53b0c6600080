package serve

// What GET /healthz reports: the jobs, the store, the alert rules and the
// last alert Slack confirmed.

import (
	"context"
	"time"
)

// AlertStatus is what /healthz says about the alert rules.
type AlertStatus struct {
	Rules       []string   `json:"rules"`
	LastChecked time.Time  `json:"last_checked,omitzero"` // after a poll
	LastError   string     `json:"last_error,omitempty"`  // of the last check; "" when it succeeded
	Held        int        `json:"held"`                  // stories waiting: quiet hours, or a channel's hourly cap
	Last        *LastAlert `json:"last,omitempty"`        // the last alert Slack confirmed, from the store
}

// LastAlert is the last alert, growth reply or summary Slack confirmed.
type LastAlert struct {
	At       time.Time `json:"at"`
	Channel  string    `json:"channel"`
	Kind     string    `json:"kind"` // alert, alert_reply or alert_summary
	Rule     string    `json:"rule,omitempty"`
	Headline string    `json:"headline"`
	Outlets  int       `json:"outlets"`
}

// JobStatus is what /healthz says about one job.
type JobStatus struct {
	Schedule     string    `json:"schedule"`
	Next         time.Time `json:"next,omitzero"`
	LastStarted  time.Time `json:"last_started,omitzero"`
	LastFinished time.Time `json:"last_finished,omitzero"`
	LastSuccess  time.Time `json:"last_success,omitzero"`
	LastError    string    `json:"last_error,omitempty"` // of the last run; "" when it succeeded
	Running      bool      `json:"running"`
}

// loadLastAlert shows the last confirmed alert on /healthz.
func (s *Server) loadLastAlert(ctx context.Context) {
	if last := s.lastAlert(ctx); last != nil {
		s.mu.Lock()
		s.alerts.Last = last
		s.mu.Unlock()
	}
}

// lastAlert reads the last confirmed alert from the store, for /healthz: it
// survives restarts, and another process's alerts count. nil: none, or it
// could not be read (logged).
func (s *Server) lastAlert(ctx context.Context) *LastAlert {
	if s.alerts == nil {
		return nil
	}
	d, ok, err := s.p.LastAlert(context.WithoutCancel(ctx))
	if err != nil {
		s.logger.Warn("could not read the last alert", "err", err)
		return nil
	}
	if !ok {
		return nil
	}
	return &LastAlert{At: d.PostedAt, Channel: d.Channel, Kind: string(d.Kind), Rule: d.Rule, Headline: d.Headline, Outlets: d.Outlets}
}

// StoreStatus is what /healthz says about the database.
type StoreStatus struct {
	Driver  string `json:"driver"` // sqlite or postgres
	OK      bool   `json:"ok"`     // it answered a ping
	Latency string `json:"latency,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Status is the body of GET /healthz.
type Status struct {
	Status string       `json:"status"` // "ok" while the scheduler runs and the database answers; else "stopped" or "database unreachable"
	Store  StoreStatus  `json:"store"`
	Time   time.Time    `json:"time"`
	Poll   JobStatus    `json:"poll"`
	Digest JobStatus    `json:"digest"`
	Alerts *AlertStatus `json:"alerts,omitempty"` // without alert rules, left out
}

// Status reports whether the scheduler runs and how the jobs went.
func (s *Server) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	loc := s.location()
	st := Status{Status: "stopped", Time: time.Now().In(loc), Poll: s.poll, Digest: s.digest}
	if s.running {
		st.Status = "ok"
		st.Poll.Next = s.cron.Entry(s.pollID).Next
		st.Digest.Next = s.cron.Entry(s.digestID).Next
		if st.Poll.Next.IsZero() { // the scheduler has not computed it yet
			st.Poll.Next = s.pollSched.Next(st.Time)
		}
		if st.Digest.Next.IsZero() {
			st.Digest.Next = s.digestSched.Next(st.Time)
		}
	}
	for _, t := range []*time.Time{&st.Poll.Next, &st.Poll.LastStarted, &st.Poll.LastFinished, &st.Poll.LastSuccess,
		&st.Digest.Next, &st.Digest.LastStarted, &st.Digest.LastFinished, &st.Digest.LastSuccess} {
		if !t.IsZero() {
			*t = t.In(loc).Truncate(time.Millisecond)
		}
	}
	if s.alerts != nil {
		a := *s.alerts
		a.Rules = append([]string(nil), a.Rules...)
		if !a.LastChecked.IsZero() {
			a.LastChecked = a.LastChecked.In(loc).Truncate(time.Millisecond)
		}
		if a.Last != nil {
			last := *a.Last
			last.At = last.At.In(loc).Truncate(time.Millisecond)
			a.Last = &last
		}
		st.Alerts = &a
	}
	st.Time = st.Time.Truncate(time.Millisecond)
	return st
}
