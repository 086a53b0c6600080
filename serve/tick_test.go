package serve

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// TestScheduledTick: replicas whose timers fire at slightly different
// moments agree on the tick they run for.
func TestScheduledTick(t *testing.T) {
	mexico, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Skip(err)
	}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05.000", s, mexico)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tt := range []struct {
		spec, now, want string
	}{
		{"0 8 * * *", "2026-11-23 08:00:00.003", "2026-11-23 08:00:00.000"},
		{"0 8 * * *", "2026-11-23 08:00:01.900", "2026-11-23 08:00:00.000"},
		{"*/15 * * * *", "2026-11-23 08:15:00.250", "2026-11-23 08:15:00.000"},
		{"*/15 * * * *", "2026-11-23 08:29:59.999", "2026-11-23 08:15:00.000"},
		{"0 7,13 * * 1-5", "2026-11-23 13:00:00.100", "2026-11-23 13:00:00.000"},
		{"@every 10s", "2026-11-23 08:00:07.000", "2026-11-23 08:00:00.000"},
		{"@every 10s", "2026-11-23 08:00:13.000", "2026-11-23 08:00:10.000"},
	} {
		sched, err := cron.ParseStandard(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := scheduledTick(sched, at(tt.now)); !got.Equal(at(tt.want)) {
			t.Errorf("scheduledTick(%q, %s) = %s; want %s", tt.spec, tt.now, got.In(mexico), tt.want)
		}
	}
}
