package story

import (
	"strings"
	"sync"
)

// This file is story grouping's small EN/ES lexicon: stop words, news words
// that headlines use interchangeably (in either language), and places with
// their demonyms and foreign spellings. It is deliberately small and
// generic: names, places and figures are what bridge two languages, and the
// words here only help them.

// stopWords are frequent English and Spanish words (folded) that say nothing
// about which story a headline tells.
func stopWords() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		a an the and or but of to in on at by for from with as into over after before amid
		about than then is are was were be been being has have had do does did will would
		can could may might must shall should it its this that these those he she they them
		his her their we our you your i me my not no yes so if up out off more most new
		says said say says what who whom which when where why how all any some also just
		el la los las lo un una unos unas y e o u ni de del al a ante bajo con contra desde
		en entre hacia hasta para por segun sin sobre tras que se su sus es son fue fueron
		ser ha han hay como mas pero sino le les este esta estos estas ese esa esos esas
		muy ya tambien dice dijo asi nuevo nueva nuevos nuevas
	`) {
		m[w] = true
	}
	return m
}

// Languages a doc can be told to be in by its stop words.
const (
	langUnknown uint8 = iota
	langEN
	langES
)

// stopLang are stop words that only one of the two languages uses, and
// that language.
func stopLang() map[string]uint8 {
	m := map[string]uint8{}
	for _, w := range strings.Fields("the of to and for with is are was were on at by from as after over his her their this that has have had will says said its into") {
		m[w] = langEN
	}
	for _, w := range strings.Fields("el la los las del y de en que por con para se su sus es al una unos unas como tras sobre entre dice dijo fue ha han desde hasta sin") {
		m[w] = langES
	}
	return m
}

// lexiconGroups are groups of words that say the same thing; each group is
// one stem, its first entry's. An entry is a folded word or stem, which
// stands for the words of that stem ("arrests" and "arres" both stand for
// "arrested"), or, prefixed with '=', a whole folded word, for words whose
// stem would meet unrelated words ("recorta" and "record").
var lexiconGroups = []string{
	"arres captu detie detai cae nab apreh",
	"kill kille kills killi dead death dies die died muert muere mueren matan asesi assas abate abati slain shot",
	"armed gunmen gunman armad pistoleros sicarios",
	"robber thief thieve ladron asaltante",
	"store shop tienda",
	"buy acquire purchase compra adquiere adquirir =buyout",
	"stake =share =shares =participacion",
	"send sends sent envia envio trans hand hands hande ships ship entre trasl deliv",
	"troop soldi milit tropa solda efect",
	"tarif duty dutie aranc cuota",
	"elect vote votes votar votac elecc",
	"judge judic juez jueces",
	"reope reabr",
	"suspe halt halts close closes cierr cerra",
	"rejec rules desca recha",
	"hike hikes raise eleva sube dupli doubl rise rose surge jump spike soar climb",
	"cut cuts lower baja trims trim =recorta =recortan =recorte =recortes =recorto",
	"seize seizu decom asegu bust incau confi",
	"sanci sanct",
	"remit remes",
	"turno parti",
	"impos impon",
	"plead pleads guilt culpa",
	"journ perio",
	"fire fires blaze incen fuego flame llama",
	"kidna abduc secue plagi",
	"tunne tunel",
	"disco uncov halla hallan descu encue locat local",
	"court corte tribu",
	"weapo gun guns armas arma armer firea",
	"accel speed acele",
	"gen gener",
	"lab labs labor",
	"fenta",
	"peso",
	"usmca tmec",
	"win wins winne =gana =ganan =gano =ganar =ganador =ganadora =ganadores =vence =vencen =vencio",
	"gover gobie",
	"attac ataqu",
	"quake earth sismo terre tembl",
	"hurri hurac",
	"flood inund",
	"crash accid",
	"plane avion",
	"agree deal acuer pacto pact",
	"summi cumbr",
	"borde =frontera =fronteras =fronterizo =fronteriza",
	"immig inmig migra",
	"drug drugs droga",
	"oil =petroleo =petrolera =petroleras =petrolero",
	"price preci",
	"trade comer",
	"tax taxes impue",
	"vacci vacun",
	"cases casos",
	"athle atlet",
	"team equip",
	"world mundo mundi",
	"law ley leyes",
	"secur segur",
	"rescu resca",
	"injur wound herid",
	"women woman mujer",
	"olymp olimp",
	"rate tasa",
	"bank banco",
	"point punto",
	"cattle ganado",
	"steel acero",
	"job empleo",
	"week semana",
	"month =mes =meses",
	"year =ano =anos",
	// News paraphrases (added with the figure scales; see STORIES.md).
	"democ dem",
	"=republican =republicans =gop =republicano =republicanos =republicana =republicanas",
	"limit ceili techo",
	"destr demol",
	"strik airst",
	"unemp joble desem",
	"fall fell drop dip decli plumm slide slump tumbl",
	"resig quit renun dimit",
	"charg =indicted =indictment =indicts =indict accus acusa",
	"deny denie niega nego",
	"warn advie alert",
	"negot negoc talk dialo",
	"meet meeti reuni reune",
	"pledg promi vow prome",
	"ban prohi",
	"cance scrap axe",
	"spy spies spyin espio espia",
	"steal stole snatc robo roban hurta",
}

// places are countries and a few cities, each with its demonyms and its
// spelling in the other language, written as lexiconGroups entries. A place
// is always a name: two headlines about different places tell different
// stories.
var places = []string{
	"us usa eu eeuu eua =estadounidense =estadounidenses =norteamericano =norteamericanos =norteamericana",
	"mexic mexi",
	"canad",
	"guate",
	"hondu",
	"salva",
	"nicar",
	"panam",
	"cuba cuban",
	"haiti",
	"venez",
	"colom",
	"ecuad",
	"peru perua peruv",
	"boliv",
	"chile",
	"argen",
	"urugu",
	"parag",
	"brazi brasi",
	"spain espan spani",
	"franc frenc",
	"germa alema",
	"italy itali",
	"uk =gb brita briti breta engla ingla",
	"irela irlan irish",
	"portu",
	"nethe holan dutch",
	"russi rusia ruso rusos rusa rusas",
	"ukrai ucran",
	"polan polon polis",
	"turke turqu turki",
	"israe",
	"pales",
	"iran irani",
	"iraq irak",
	"syria siria sirio",
	"egypt egipt",
	"saudi",
	"china chino chine",
	"japan japon",
	"korea corea",
	"india",
	"pakis",
	"afgha",
	"=australia =australian =australians =aussie =aussies =australiano =australiana =australianos =australianas",
	"=austria =austrian =austrians =austriaco =austriaca =austriacos =austriacas",
	"niger",
	"kenya kenia",
	"jamai",
	"belgi belga",
	"swiss suiza suizo switz",
	"swede swedi sueci sueco sueca",
	"norwa norwe norue",
	"denma danis dinam",
	"finla finni",
	"greec greek greci grieg",
	"hunga hungr",
	"czech checo chequ",
	"serbi",
	"croat croac",
	"bulga",
	"belar bielo",
	"kazak kazaj",
	"indon",
	"thail thai taila",
	"vietn",
	"malay malas",
	"singa",
	"taiwa",
	"moroc marru marro",
	"alger argel",
	"tunis tunec tunez",
	"ethio etiop",
	"ugand",
	"ghana",
	"qatar catar",
	"leban liban",
	"yemen",
	"latvi leton",
	"lithu litua",
	"eston",
	"kosov",
	"banglad",
	"nepal",
	"myanm birma burma",
	"cambo",
	"sudan",
	"somal",
	"congo",
	"zimba",
	"seneg",
	"libya libia",
	"azerb",
	"armen",
	"uzbek",
	"mongo",
	"bahra",
	"kuwai",
	"oman",
	"emira",
	"cypru chipr",
	"luxem",
	"monac",
	"sudaf",
	"=slovenia =slovenian =slovenians =eslovenia =esloveno =eslovena =eslovenos =eslovenas",
	"=slovakia =slovak =slovakian =eslovaquia =eslovaco =eslovaca =eslovacos =eslovacas",
	"=romania =romanian =romanians =rumania =rumano =rumana =rumanos =rumanas",
	"=philippines =philippine =filipino =filipinos =filipina =filipinas",
	"zeala zelan",
	"=iceland =icelandic =islandia =islandes =islandesa",
	"=fiji =fijian =fiyi",
	"=cameroon =cameroonian =camerun",
	"tokyo =tokio",
	"londo londr",
	"beiji pekin",
	"moscu mosco",
}

// within maps the stem of each city of places to its country's: a city is
// within its country, so a title naming the one does not disagree with a
// title naming the other ("Athlete tests positive in Tokyo", "Serbian team
// member tests positive on arrival in Japan").
var within = map[string]string{"tokyo": "japan", "londo": "uk", "beiji": "china", "moscu": "russi"}

// calendarStems are the stems of English day and month names (Spanish
// writes them in lower case), which are capitalised without being names.
// "may" and "march" are left out: as words they say something else.
func calendarStems() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`monday tuesday wednesday thursday friday saturday sunday
		january february april june july august september october november december`) {
		m[stem(w)] = true
	}
	return m
}

// concepts maps stems (a group's own too), and wholeWords maps whole folded
// words, to the stem of their lexicon group; placeStems are the stems of
// places.
func lexicon() (concepts, wholeWords map[string]string, placeStems map[string]bool) {
	stems, whole, place := map[string]string{}, map[string]string{}, map[string]bool{}
	add := func(group string, isPlace bool) {
		fs := strings.Fields(group)
		canon := stem(fs[0])
		if w, ok := strings.CutPrefix(fs[0], "="); ok {
			canon = w // a group of whole words ("australia", not "austr")
		}
		if isPlace {
			place[canon] = true
		}
		for _, f := range fs {
			if w, ok := strings.CutPrefix(f, "="); ok {
				whole[w] = canon
				continue
			}
			// An entry may be a word ("arrests") or already a stem
			// ("impos", which stem would cut to "impo"). The group's own
			// stem maps to itself, so that a word looked up as written
			// (plainStem) finds its group.
			for _, k := range []string{stem(f), plainStem(f), cut(f)} {
				stems[k] = canon
			}
		}
	}
	for _, g := range lexiconGroups {
		add(g, false)
	}
	for _, g := range places {
		add(g, true)
	}
	return stems, whole, place
}

// wordTables are the tables the functions above build, built on first use
// (sync.OnceValue) so that commands which group no stories (classify,
// explain, validate) do not build them at start-up.
type wordTables struct {
	stop                 map[string]bool
	lang                 map[string]uint8
	calendar             map[string]bool
	concepts, wholeWords map[string]string
	placeStems           map[string]bool
	actions              *actionTables
}

var tables = sync.OnceValue(func() *wordTables {
	t := &wordTables{stop: stopWords(), lang: stopLang(), calendar: calendarStems()}
	t.concepts, t.wholeWords, t.placeStems = lexicon()
	t.actions = newActionTables()
	return t
})
