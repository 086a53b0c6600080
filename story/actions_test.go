package story

import (
	"testing"
	"time"
)

// TestActions: headlines that share names, places and figures but report
// opposed acts are two stories; the same act in other words, a negated act
// ("no aceptamos") and a lede that recalls the other act are not kept
// apart by it. Each pair is grouped alone, a day apart, as a daily digest
// meets yesterday's delivered story.
func TestActions(t *testing.T) {
	day1 := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		a, b Doc
		same bool
	}{
		// Developments: two events of one storyline.
		{Doc{Title: "Trump threatens 25% tariffs on Mexican imports"}, Doc{Title: "Trump imposes 25% tariffs on Mexican imports"}, false},
		{Doc{Title: "Trump threatens 25% tariffs on Mexico"}, Doc{Title: "Trump delays 25% tariffs on Mexico for a month"}, false},
		{Doc{Title: "Mexico arrests cartel leader El Mencho"}, Doc{Title: "Mexico extradites cartel leader El Mencho to US"}, false},
		{Doc{Title: "GM, UAW tentative deal fails"}, Doc{Title: "GM and UAW reach tentative deal"}, false},
		{Doc{Title: "US and Mexico fail to reach deal on security cooperation"}, Doc{Title: "US and Mexico reach deal on security cooperation"}, false},
		{Doc{Title: "Sheinbaum rejects US troops in Mexico"}, Doc{Title: "Sheinbaum accepts US troops in Mexico"}, false},
		{Doc{Title: "Trump considers designating cartels as terrorist organizations"}, Doc{Title: "Trump designates cartels as terrorist organizations"}, false},
		{Doc{Title: "Sheinbaum rechaza acuerdo de seguridad con EU"}, Doc{Title: "Sheinbaum firma acuerdo de seguridad con EU"}, false},
		{Doc{Title: "Detienen en Culiacán a Ovidio Guzmán, hijo de El Chapo"}, Doc{Title: "Extraditan a Ovidio Guzmán, hijo de El Chapo, a EU"}, false},
		{Doc{Title: "Mexican peso falls against the dollar on tariff fears"}, Doc{Title: "Mexican peso rises against the dollar on tariff fears"}, false},
		{Doc{Title: "Banxico cuts key interest rate to 8%"}, Doc{Title: "Banxico raises key interest rate to 8%"}, false},
		// One event: the same act in other words.
		{Doc{Title: "Trump threatens 25% tariffs on Mexico"}, Doc{Title: "Trump warns Mexico of 25% tariffs"}, true},
		{Doc{Title: "Trump imposes 25% tariffs on Mexican imports"}, Doc{Title: "Trump slaps 25% tariffs on Mexican imports"}, true},
		{Doc{Title: "Remittances to Mexico fall for fifth straight month"}, Doc{Title: "Remittances to Mexico drop for a fifth consecutive month"}, true},
		// A negated act is not that act.
		{Doc{Title: "Sheinbaum rechaza tropas de EU en territorio mexicano"}, Doc{Title: "Sheinbaum descarta tropas de EU en territorio mexicano: \"no aceptamos\""}, true},
		{Doc{Title: "Senate rejects Mexico water deal"}, Doc{Title: "Senate won't approve Mexico water deal"}, true},
		{Doc{Title: "Senate rejects Mexico water deal"}, Doc{Title: "Mexico water deal is not to be approved by the Senate"}, true},
		// The lede recalls the other act.
		{Doc{Title: "Trump imposes 25% tariffs on Mexican imports"},
			Doc{Title: "Trump's threatened 25% tariffs on Mexican imports take effect", Lede: "The tariffs Trump imposed on Mexican imports took effect at midnight."}, true},
	} {
		tc.a.At, tc.b.At = day1, day1.Add(24*time.Hour)
		if got := sameStory([]Doc{tc.a, tc.b}, 0, 1); got != tc.same {
			t.Errorf("%q and %q in one story = %v; want %v", tc.a.Title, tc.b.Title, got, tc.same)
		}
	}
}

// TestActionWords: every word of actionWords names its action (and no
// other), and the opposed pairs are symmetric.
func TestActionWords(t *testing.T) {
	at := newActionTables()
	for _, tc := range []struct {
		word string
		want action
	}{
		{"threatens", actThreaten}, {"threats", actNone}, {"imposes", actImpose}, {"impone", actImpose},
		{"extradited", actExtradite}, {"extra", actNone}, {"suspends", actHalt}, {"suspect", actNone},
		{"approves", actApprove}, {"approach", actNone}, {"collapses", actFail}, {"collaboration", actNone},
		{"designates", actDesignate}, {"design", actNone}, {"signs", actSign}, {"sign", actNone},
		{"rules", actNone}, {"rejects", actReject}, {"freed", actRelease}, {"free", actNone},
		{"2026", actNone}, {"arrestan", actArrest},
	} {
		if got := at.of(tc.word); got != tc.want {
			t.Errorf("action of %q = %d; want %d", tc.word, got, tc.want)
		}
	}
	for a := range at.opposed {
		for b := range at.opposed {
			if (at.opposed[a]&(1<<b) != 0) != (at.opposed[b]&(1<<a) != 0) {
				t.Errorf("opposed is not symmetric for actions %d and %d", a, b)
			}
		}
	}
	if len(actionWords) > 32 {
		t.Errorf("%d actions do not fit a 32-bit set", len(actionWords))
	}
	for _, w := range []string{"no", "Not", "won", "doesn", "NUNCA"} {
		if !at.negates(w) {
			t.Errorf("negates(%q) = false; want true", w)
		}
	}
	if at.negates("note") || at.negates("nothing") {
		t.Error("negates is true of a word that negates nothing")
	}
}
