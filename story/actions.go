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
// lede) never mentions, are vetoed like disagreeing figures. An item that
// mentions both ("fails to reach a deal", "arrested and released") or
// whose lede recalls the other's act ("… weeks after threatening them")
// vetoes nothing: only plain contradictions keep stories apart.

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
// writes them: a folded word or stem, which stands for the words of that
// stem, or, prefixed with '=', a whole folded word, for words whose stem
// would meet unrelated ones ("extradited", not "extra"; "freed", not
// "free"). The words are read before the lexicon maps them, so "rules"
// (which the lexicon files with "rejects") is no rejection here. Words
// that often mean something else in news ("release" a report, "block" a
// user) are left out unless the public sets showed no harm (STORIES.md).
var actionWords = [...]string{
	actThreaten:  "=threaten =threatens =threatened =threatening =amenaza =amenazan =amenazo =amenazando warn warne advie",
	actImpose:    "impos impon slap slapp levy levie enact imple vigor",
	actHalt:      "=suspend =suspends =suspended =suspende =suspenden =suspendido =suspendida halt halte pause pausa delay postp aplaz pospo close cierr cerra",
	actResume:    "reope reabr reanu =resume =resumes =resumed",
	actLift:      "lift lifte levan withd retir revok revoc scrap cance",
	actSend:      "send sent deplo envia =despliega =despliegan =despliegue =desplegar =desplego",
	actArrest:    "arres captu detie deten detai nab nabbe apreh",
	actRelease:   "=freed =frees =acquitted =acquittal =libera =liberan =liberado =liberada =liberados =libero =excarcelado =absuelto =absuelve",
	actCharge:    "charg =indicted =indictment =indicts =indict imput",
	actConvict:   "sente =convicted =convicts =condenado =condenada =condenados =sentenciado =sentenciada",
	actExtradite: "=extradited =extradite =extradites =extradition =extradita =extraditan =extraditado =extraditada =extraditados =extradicion =extradito",
	actApprove:   "=approve =approves =approved =approving aprue aprob pass passe ratif =avala =avalan =avalo",
	actReject:    "rejec recha block bloqu veto vetoe =overturn =overturns =overturned anula deny denie niega",
	actSign:      "=signs signe =firma =firman =firmo =firmado =firmada",
	actPropose:   "=propose =proposes =proposed =propone =proponen =propuesta =propuso unvei consi mull",
	actDesignate: "=designate =designates =designated",
	actAccept:    "accep acept acced =agree =agrees =agreed",
	actReach:     "=reach =reaches =reached =alcanza =alcanzan",
	actFail:      "fail faile =collapse =collapses =collapsed fraca stall",
	actDismiss:   "=fired =sacked =ousted dismi =despide =despiden =despedido",
	actHire:      "hire hired appoi =nombrado =nombrada",
	actResign:    "resig quit renun dimit",
	actUp:        "rise rose risen soar surge jump spike climb hike raise incre =gains =gained =sube =suben =subio =alza =alzan =aumenta =aumentan =repunta =repuntan =dispara =disparan =eleva =elevan",
	actDown:      "fall fell drop dropp dip dippe plung slide slump tumbl sink sank =lowers =lowered =cut =cuts =slash =slashes =slashed =reduce =reduces =reduced =cae =caen =cayo =baja =bajan =desploma =desploman =retrocede =retroceden =recorta =recortan =reducen",
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
// accept, "won't sign" does not sign, "fail to reach a deal" does not reach
// one. ("doesn", "won" are what is left of "doesn't" and "won't" once the
// apostrophe has cut them.)
const negators = "no not never nunca jamas doesn didn don won isn aren wasn weren cannot fail fails failed"

// actionTables are actionWords, opposedActions and negators as the stemmer
// and the scorer read them.
type actionTables struct {
	stems, whole map[string]action
	opposed      [32]actions // opposed[a]: the actions opposed to a
	negators     map[string]bool
}

func newActionTables() *actionTables {
	t := &actionTables{stems: map[string]action{}, whole: map[string]action{}, negators: map[string]bool{}}
	for _, w := range strings.Fields(negators) {
		t.negators[w] = true
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

// negates reports whether a word as written is a negator.
func (t *actionTables) negates(raw string) bool {
	return len(raw) <= len("cannot") && t.negators[classify.FoldString(raw)]
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
