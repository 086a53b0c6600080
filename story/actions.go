package story

import (
	"strings"

	"github.com/newsdigest/newsdigest/classify"
)

// This file tells a development from a repeat. Two headlines that share
// their names, places and figures but say opposite things happened — a
// threat and the act ("Trump threatens 25% tariffs on Mexico" / "Trump
// imposes 25% tariffs on Mexico"), an arrest and a release, a deal reached
// and a deal that failed — are two events of one storyline, and each is
// news: merged, the second would be hidden under the first (listed in its
// "also" line, or, when the first was posted yesterday, not posted at all).
// Word overlap cannot see it: the verbs are one stem among many.
//
// Each headline's verbs of the kinds below are its actions; two items whose
// titles carry opposed actions, each of which the other item (title and
// lede) never mentions, are vetoed like disagreeing figures. An item whose
// title reports both ("deal collapses days after it was reached",
// "arrested, then freed"), or whose lede recalls the other's act ("…
// weeks after threatening them"), vetoes nothing: only plain
// contradictions keep stories apart. A negated word reports no act (see
// negators): "fail to reach a deal" reports a failure, not a deal.

// action is a kind of act a headline reports; actions is a set of them,
// bit a for action a.
type (
	action  uint8
	actions uint32
)

const (
	actNone action = iota
	actThreaten
	actImpose
	actHalt // suspend, pause, delay, close
	actResume
	actLift // lift, withdraw, revoke, cancel
	actSend // send, deploy
	actArrest
	actRelease
	actCharge
	actConvict
	actExtradite
	actApprove
	actReject
	actSign
	actPropose
	actDesignate
	actAccept
	actReach
	actFail
	actDismiss
	actHire
	actResign
	actUp   // rise, raise, hike
	actDown // fall, drop, cut
)

// actionWords are the words of each action, EN and ES, as lexiconGroups
// writes them: a folded stem, which stands for every word of that stem
// ("arres": arrest, arrests, arrested, arresto), or, prefixed with '=', a
// whole folded word. Most are whole verb forms, so that nouns and
// adjectives of the context ("threats", "approval", "rising risks") and
// words that share an act's first letters ("suspect", "surgery",
// "details") report no act; a stem is used only where every word of it
// in the public sets and watchlist sets is the act (TestActionWords). The
// words are read before the lexicon maps them, so "rules" (which the
// lexicon files with "rejects") is no rejection here. "Release" (a report,
// a film) and "-ing" forms of rise and fall are left out (STORIES.md).
var actionWords = [...]string{
	actThreaten:  "=threaten =threatens =threatened =threatening =warn =warns =warned =amenaza =amenazan =amenazo =amenazando =advierte =advierten",
	actImpose:    "=impose =imposes =imposed =imposing =impone =imponen =impuso =slaps =slapped =levies =levied =enacts =enacted =implements =implemented =implementa =implementan =vigor",
	actHalt:      "=suspend =suspends =suspended =suspende =suspenden =suspendido =suspendida =halts =halted =pauses =paused =pausa =pausan =delays =delayed =postpones =postponed =aplaza =aplazan =pospone =posponen =closes =closed =cierra =cierran",
	actResume:    "reope reabr reanu =resume =resumes =resumed",
	actLift:      "=lifts =lifted =lifting =levanta =levantan =withdraw =withdraws =withdrew =withdrawn =retira =retiran revok revoc =scraps =scrapped =cancels =canceled =cancelled =cancela =cancelan",
	actSend:      "=send =sends =sent =sending =deploy =deploys =deployed =deploying =envia =envian =despliega =despliegan =desplegar =desplego",
	actArrest:    "arres captu detie deten =detain =detains =detained =nabs =nabbed apreh",
	actRelease:   "=freed =frees =acquitted =acquittal =libera =liberan =liberado =liberada =liberados =libero =excarcelado =absuelto =absuelve",
	actCharge:    "=charged =charges =indicted =indictment =indicts =indict imput",
	actConvict:   "sente =convicted =convicts =condenado =condenada =condenados =sentenciado =sentenciada",
	actExtradite: "=extradited =extradite =extradites =extradition =extradita =extraditan =extraditado =extraditada =extraditados =extradicion =extradito",
	actApprove:   "=approve =approves =approved =approving =aprueba =aprueban =aprobo =aprobado =aprobada =aprobaron =passes =passed ratif =avala =avalan =avalo",
	actReject:    "rejec recha =blocks =blocked =bloquea =bloquean =veto =vetoes =vetoed =overturn =overturns =overturned anula =deny =denies =denied =niega =niegan",
	actSign:      "=signs =signed =signing =firma =firman =firmo =firmado =firmada",
	actPropose:   "=propose =proposes =proposed =propone =proponen =propuso unvei =considers =considering =mulls",
	actDesignate: "=designate =designates =designated",
	actAccept:    "=accept =accepts =accepted =accepting =acepta =aceptan =acepto =aceptamos =accede =acceden =accedio =agree =agrees =agreed",
	actReach:     "=reach =reaches =reached =alcanza =alcanzan",
	actFail:      "=fail =fails =failed =collapse =collapses =collapsed fraca =stalls =stalled",
	actDismiss:   "=fired =sacked =ousted =dismiss =dismisses =dismissed =despide =despiden =despedido",
	actHire:      "=hire =hires =hired =hiring =appoint =appoints =appointed =nombrado =nombrada",
	actResign:    "resig =quits =quit renun dimit",
	actUp:        "=rises =rose =risen =soars =soared =surges =surged =jumps =jumped =spikes =spiked =climbs =climbed =hikes =hiked =raises =raised =increases =increased =gains =gained =sube =suben =subio =alza =alzan =aumenta =aumentan =repunta =repuntan =dispara =disparan =eleva =elevan",
	actDown:      "=falls =fell =fallen =drops =dropped =dips =dipped =plunges =plunged =slides =slid =slumps =slumped =tumbles =tumbled =sinks =sank =lowers =lowered =cut =cuts =slash =slashes =slashed =reduce =reduces =reduced =cae =caen =cayo =bajan =desploma =desploman =retrocede =retroceden =recorta =recortan =reducen",
}

// opposedActions are the pairs of actions that say different things
// happened: a story that reports one is not the story that reports the
// other.
var opposedActions = [][2]action{
	{actThreaten, actImpose}, {actThreaten, actHalt}, {actThreaten, actLift}, {actThreaten, actDesignate}, {actThreaten, actSend},
	{actImpose, actHalt}, {actImpose, actLift}, {actImpose, actPropose},
	{actHalt, actResume},
	{actSend, actLift},
	{actArrest, actRelease}, {actArrest, actConvict}, {actArrest, actExtradite},
	{actCharge, actConvict}, {actConvict, actRelease}, {actConvict, actExtradite},
	{actApprove, actReject}, {actApprove, actPropose},
	{actReject, actSign}, {actReject, actAccept}, {actReject, actPropose},
	{actSign, actPropose},
	{actPropose, actDesignate},
	{actReach, actFail},
	{actDismiss, actHire}, {actResign, actHire},
	{actUp, actDown},
}

// negators are the words (folded) after which the next word that is not a
// function word reports no action: "no aceptamos intervención" does not
// accept, "never signed" does not sign, "fail to reach a deal" does not
// reach one. contractions are negators only before "'t": "won't sign",
// "doesn't approve" ("won" alone is a verb, or a currency). A negation
// ends at punctuation ("Trump won, imposes tariffs" imposes them).
const (
	negators     = "no not never nunca jamas cannot fail fails failed"
	contractions = "doesn didn don won isn aren wasn weren can couldn wouldn shouldn hasn haven hadn"
)

// actionTables are actionWords, opposedActions and negators as the stemmer
// and the scorer read them.
type actionTables struct {
	stems, whole map[string]action
	opposed      [32]actions // opposed[a]: the actions opposed to a
	negators     map[string]negation
}

// negation is how a word negates the next one.
type negation uint8

const (
	negNone        negation = iota
	negAlways               // "not", "no", "never"
	negContraction          // only before "'t": "won't", "doesn't"
)

func newActionTables() *actionTables {
	t := &actionTables{stems: map[string]action{}, whole: map[string]action{}, negators: map[string]negation{}}
	for _, w := range strings.Fields(negators) {
		t.negators[w] = negAlways
	}
	for _, w := range strings.Fields(contractions) {
		t.negators[w] = negContraction
	}
	for a, group := range actionWords {
		for _, f := range strings.Fields(group) {
			if w, ok := strings.CutPrefix(f, "="); ok {
				t.whole[w] = action(a)
				continue
			}
			t.stems[stem(f)] = action(a)
			t.stems[cut(f)] = action(a)
		}
	}
	for _, p := range opposedActions {
		t.opposed[p[0]] |= 1 << p[1]
		t.opposed[p[1]] |= 1 << p[0]
	}
	return t
}

// of is the action of a folded word, actNone when it names none.
func (t *actionTables) of(f string) action {
	if a, ok := t.whole[f]; ok {
		return a
	}
	if isDigit(f[0]) {
		return actNone
	}
	return t.stems[stem(f)]
}

// negates is how a word as written negates the next.
func (t *actionTables) negates(raw string) negation {
	if len(raw) > len("shouldn") {
		return negNone
	}
	return t.negators[classify.FoldString(raw)]
}

// actionsDisagree reports whether the titles of a and b carry opposed
// actions, each of which the other item never mentions.
func actionsDisagree(opposed *[32]actions, a, b *clusterDoc) bool {
	ta, tb := a.tacts&^b.acts, b.tacts&^a.acts // title actions the other never mentions
	if ta == 0 || tb == 0 {
		return false
	}
	for x := action(1); ta>>x != 0; x++ {
		if ta&(1<<x) != 0 && opposed[x]&tb != 0 {
			return true
		}
	}
	return false
}
