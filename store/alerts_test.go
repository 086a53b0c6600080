package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
)

// TestAlertOutbox: an alert goes through the outbox like a digest message,
// but confirming it marks its items alerted, not delivered: the digest still
// selects them (to show them marked). A growth reply records its items
// under the alert it answers.
func TestAlertOutbox(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	a := newsdigest.Feed{Name: "A", URL: "https://a.example/rss"}
	b := newsdigest.Feed{Name: "B", URL: "https://b.example/rss"}
	troops := []newsdigest.Match{{Topic: "troops", Score: 3, Terms: []string{"troops"}}}
	cartels := []newsdigest.Match{{Topic: "cartels", Score: 1}}
	// A's first poll, then a second one: only a1 came in A's first poll.
	mustSavePoll(t, s, PollFeed{Feed: a, PolledAt: base.Add(-3 * time.Hour), Status: 200, Items: []PollItem{
		{Item: item(a, "a1", "https://a.example/1", base.Add(-3*time.Hour)), Matches: troops},
	}})
	mustSavePoll(t, s,
		PollFeed{Feed: a, PolledAt: base.Add(-time.Hour), Status: 200, Items: []PollItem{
			{Item: item(a, "a2", "https://a.example/2", base.Add(-time.Hour)), Matches: troops},
			{Item: item(a, "a3", "https://a.example/3", base.Add(-time.Hour)), Matches: cartels},
		}},
		PollFeed{Feed: b, PolledAt: base.Add(-time.Hour), Status: 200, Items: []PollItem{
			{Item: item(b, "b1", "https://b.example/1", base.Add(-time.Hour)), Matches: troops},
		}})

	alert, err := s.BeginDelivery(ctx, Delivery{Channel: "#alerts", DigestID: "x1", Part: 1, ItemIDs: []string{"a2"}, PostedAt: base,
		Kind: KindAlert, Rule: "troops", Headline: "Title a2", Outlets: 4})
	if err != nil {
		t.Fatal(err)
	}
	if n, summary, err := s.RecentAlerts(ctx, "#alerts", base.Add(-time.Hour)); err != nil || n != 1 || summary {
		t.Errorf("RecentAlerts with one pending = %d, %v, %v; want 1, false", n, summary, err)
	}
	if err := s.ConfirmDelivery(ctx, alert, "1.000100", "C9", base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ok, _ := delivered(ctx, s, "#alerts", "a2"); ok {
		t.Error("an alerted item is marked delivered")
	}
	cands, err := s.Candidates(ctx, CandidateQuery{Channel: "#alerts", From: base.Add(-4 * time.Hour), To: base})
	if err != nil || !slices.Contains(ids(cands), "a2") {
		t.Errorf("Candidates = %v, %v; want a2 still selected for the digest", ids(cands), err)
	}
	if _, err := s.BeginDelivery(ctx, Delivery{Channel: "#alerts", Kind: KindAlertReply}); err == nil {
		t.Error("a reply without the alert it answers was begun")
	}
	reply, err := s.BeginDelivery(ctx, Delivery{Channel: "#alerts", DigestID: "x2", Part: 1, ThreadTS: "1.000100", ItemIDs: []string{"b1"},
		PostedAt: base, Kind: KindAlertReply, AlertOf: alert})
	if err != nil {
		t.Fatal(err)
	}

	byID := func(since time.Time, topics ...string) map[string]newsdigest.AlertCandidate {
		t.Helper()
		items, err := s.AlertItems(ctx, since, topics)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]newsdigest.AlertCandidate{}
		for _, it := range items {
			out[it.Item.ID] = it
		}
		return out
	}
	got := byID(base.Add(-4*time.Hour), "troops")
	if len(got) != 3 || !got["a1"].FirstPoll || got["a2"].FirstPoll || !got["b1"].FirstPoll {
		t.Fatalf("AlertItems = %+v; want a1 and b1 (their feeds' first polls) and a2 (troops), not a3", got)
	}
	want := newsdigest.Alerted{Channel: "#alerts", ID: alert, TS: "1.000100", At: base.Add(time.Minute), Replied: true}
	if as := got["a2"].Alerts; len(as) != 1 || as[0] != want {
		t.Errorf("a2's alerts = %+v; want %+v (its reply is pending)", as, want)
	}
	if len(got["a2"].Matches) != 1 || got["a2"].Matches[0].Terms[0] != "troops" {
		t.Errorf("a2's matches = %+v", got["a2"].Matches)
	}
	// A reply Slack refused does not count: the alert may get another.
	if err := s.AbandonDelivery(ctx, reply); err != nil {
		t.Fatal(err)
	}
	if as := byID(base, "troops")["a2"].Alerts; len(as) != 1 || as[0].Replied {
		t.Errorf("after the reply was refused: %+v; want not replied", as)
	}
	reply, _ = s.BeginDelivery(ctx, Delivery{Channel: "#alerts", DigestID: "x3", Part: 1, ThreadTS: "1.000100", ItemIDs: []string{"b1"},
		PostedAt: base, Kind: KindAlertReply, AlertOf: alert})
	if err := s.ConfirmDelivery(ctx, reply, "1.000200", "C9", base.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// Alerted items come back whatever their age and topic; a recent one
	// only with its topic.
	got = byID(base.Add(time.Hour), "cartels")
	if len(got) != 2 || got["b1"].Alerts[0].ID != alert {
		t.Errorf("AlertItems(later, cartels) = %+v; want a2 and b1, both under the alert", got)
	}
	alerted, err := s.AlertedItems(ctx)
	if err != nil || len(alerted) != 2 {
		t.Errorf("AlertedItems = %d items, %v; want 2", len(alerted), err)
	}

	// A summary: counted apart, and it is the last alert.
	sum, _ := s.BeginDelivery(ctx, Delivery{Channel: "#alerts", DigestID: "x4", Part: 1, ItemIDs: []string{"a3"}, PostedAt: base,
		Kind: KindAlertSummary, Headline: "1 more story"})
	if err := s.ConfirmDelivery(ctx, sum, "1.000300", "C9", base.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, summary, err := s.RecentAlerts(ctx, "#alerts", base.Add(-time.Hour)); err != nil || n != 1 || !summary {
		t.Errorf("RecentAlerts = %d, %v, %v; want 1 alert and a summary", n, summary, err)
	}
	if n, summary, _ := s.RecentAlerts(ctx, "#alerts", base.Add(time.Hour)); n != 0 || summary {
		t.Errorf("RecentAlerts an hour later = %d, %v; want none", n, summary)
	}
	if as := byID(base, "troops")["a3"].Alerts; len(as) != 1 || !as[0].Summary {
		t.Errorf("a3's alerts = %+v; want the summary", as)
	}
	last, ok, err := s.LastAlert(ctx)
	if err != nil || !ok || last.ID != sum || last.Kind != KindAlertSummary || last.Headline != "1 more story" || last.TS != "1.000300" {
		t.Errorf("LastAlert = %+v, %v, %v; want the summary", last, ok, err)
	}

	// A digest's items are Digested.
	d, _ := s.BeginDelivery(ctx, Delivery{Channel: "#digest", DigestID: "d", Part: 1, ItemIDs: []string{"a1"}, PostedAt: base})
	if err := s.ConfirmDelivery(ctx, d, "1.000400", "C1", base); err != nil {
		t.Fatal(err)
	}
	if got := byID(base.Add(-4*time.Hour), "troops"); !got["a1"].Digested || got["a2"].Digested {
		t.Errorf("Digested: a1 %v, a2 %v; want true, false", got["a1"].Digested, got["a2"].Digested)
	}

	// Prune keeps an alert while an item it carried is stored.
	if _, err := s.Prune(ctx, base.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if as := byID(base, "troops")["b1"].Alerts; len(as) != 1 || as[0].ID != alert {
		t.Errorf("after pruning a1: b1's alerts = %+v", as)
	}
	if _, err := s.Prune(ctx, base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.LastAlert(ctx); ok {
		t.Error("an alert outlived every item it carried")
	}
}
