package story

import (
	"strings"
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
		{Doc{Title: "Detienen a Ovidio Guzmán, hijo de El Chapo"}, Doc{Title: "Extraditan a Ovidio Guzmán, hijo de El Chapo"}, false},
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
// other); words that look like them but name no act (nouns of context,
// words whose first letters meet an act's) name none; the opposed pairs are
// symmetric; and which words negate.
func TestActionWords(t *testing.T) {
	at := newActionTables()
	for a, group := range actionWords {
		for _, f := range strings.Fields(group) {
			w := strings.TrimPrefix(f, "=")
			if got := at.of(w); got != action(a) {
				t.Errorf("action of %q (listed for %d) = %d", w, a, got)
			}
		}
	}
	for _, w := range strings.Fields(`threats warning approval proposal propuesta suspension suspect
		approach design sign free extra rules details surgery surgeon incredible climbers cancer
		retirement scrape passengers impossible closely consistent blockbuster deplores charger
		disminuir aprobacion aceptacion acceptable appointees bloque baja cerro considera deniers
		collaboration 2026`) {
		if got := at.of(w); got != actNone {
			t.Errorf("action of %q = %d; want none", w, got)
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
	for w, want := range map[string]negation{"no": negAlways, "Not": negAlways, "NUNCA": negAlways, "fails": negAlways,
		"won": negContraction, "doesn": negContraction, "note": negNone, "nothing": negNone, "shouldnt": negNone} {
		if got := at.negates(w); got != want {
			t.Errorf("negates(%q) = %d; want %d", w, got, want)
		}
	}
}

// TestNegation: which words of a title report an act once negators have
// had their say.
func TestNegation(t *testing.T) {
	for title, want := range map[string]actions{
		"Senate won't approve the deal":          0,
		"Senate won’t approve the deal":          0,
		"Senate does not approve the deal":       0,
		"Mexico fails to reach a deal":           1 << actFail,
		"Korean won falls against the dollar":    1 << actDown,
		"Trump won, imposes tariffs":             1 << actImpose,
		"Senate says no. Approves deal":          1 << actApprove,
		"No aceptamos tropas, dice Sheinbaum":    0,
		"Sheinbaum rechaza tropas: no aceptamos": 1 << actReject,
	} {
		st := newStemmer()
		st.read(Doc{Title: title})
		if st.acts != want {
			t.Errorf("acts of %q = %b; want %b", title, st.acts, want)
		}
	}
}
