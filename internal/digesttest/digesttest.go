// Package digesttest holds the sample windows that the digest and slack
// tests render: topics, candidates and feed reports, from the root types
// only, so that either package's tests can build a digest from them.
package digesttest

import (
	"fmt"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest"
)

var (
	// CST is the sample's zone, and Now its digest time (a Sunday, 08:00).
	CST = time.FixedZone("CST", -6*3600)
	Now = time.Date(2026, 11, 22, 8, 0, 0, 0, CST)
)

// Title is the sample digest's title.
const Title = "US–Mexico Watch"

// Topics are the sample's topics: cartels with its own channel, troops with
// an emoji, usmca, and sovereignty with no label.
var Topics = []newsdigest.Topic{
	{Name: "cartels", Label: "Cartels & organized crime", Emoji: ":rotating_light:", Channel: "#mx-security"},
	{Name: "troops", Label: "US troops", Emoji: "🪖"},
	{Name: "usmca", Label: "USMCA / T-MEC"},
	{Name: "sovereignty"},
}

// M is a match of topic with score and terms.
func M(topic string, score int, terms ...string) newsdigest.Match {
	return newsdigest.Match{Topic: topic, Score: score, Terms: terms}
}

// Cand is a candidate published ago before Now (undated when ago < 0), first
// seen an hour before Now.
func Cand(id, title, source, link string, ago time.Duration, ms ...newsdigest.Match) newsdigest.Candidate {
	it := newsdigest.Item{ID: id, Title: title, Source: source, FeedName: source + " feed", Link: link}
	if ago >= 0 {
		it.Published = Now.Add(-ago).UTC()
	}
	c := newsdigest.Candidate{Item: it, FirstSeen: Now.Add(-time.Hour), Matches: ms}
	if link != "" {
		c.CanonicalURL = newsdigest.CanonicalURL(link)
	}
	return c
}

// Candidates is the sample window: one story from two outlets (one through
// Google News), its look-alike, hostile Spanish markup, an undated item, a
// story matching two topics, one of an unknown topic and an older one.
func Candidates() []newsdigest.Candidate {
	h := time.Hour
	return []newsdigest.Candidate{
		Cand("r1", "Mexico arrests CJNG leader near Guadalajara", "Reuters", "https://www.reuters.com/world/cjng?utm_source=rss", 2*h,
			M("cartels", 6, "cartel*", "CJNG"), M("troops", 1, "troops")),
		Cand("g1", "Mexico arrests CJNG leader - Reuters", "Google News", "https://www.reuters.com/world/cjng", 90*time.Minute,
			M("cartels", 3, "CJNG")),
		Cand("a1", "Mexico arrests cartel boss", "AP", "https://apnews.com/cjng", 3*h, M("cartels", 3, "cartel*")),
		Cand("u1", "Cártel de Sinaloa: [EN VIVO] *última hora* <b>", "El Universal", "https://www.eluniversal.com.mx/nacion/sinaloa_(en-vivo)", 30*time.Minute,
			M("cartels", 3, "cártel*")),
		Cand("n1", "Undated brief on fentanyl seizures", "Milenio", "https://www.milenio.com/policia/fentanilo", -1,
			M("cartels", 1, "fentanilo")),
		Cand("t1", "Pentagon weighs troops at the border", "Politico", "https://www.politico.com/troops", 5*h,
			M("troops", 4, "troops", "Pentagon"), M("sovereignty", 1, "sovereignty")),
		Cand("x1", "Weather alert", "SMN", "https://smn.test/alert", h, M("weather", 9, "storm")),
		Cand("m1", "T-MEC review: Canada and Mexico meet", "El Economista", "https://www.eleconomista.com.mx/tmec", 3*24*h,
			M("usmca", 3, "T-MEC")),
	}
}

// Feeds is the sample's coverage: OK, failing for an hour, not modified,
// failing for 30 hours, and stale.
func Feeds() []newsdigest.FeedReport {
	h := time.Hour
	return []newsdigest.FeedReport{
		{Name: "Reuters", URL: "https://reuters.test/rss", OK: true, LastOK: Now},
		{Name: "La Jornada", URL: "https://jornada.test/rss", Error: "timed out after 20s", FailingSince: Now.Add(-h)},
		{Name: "AP", URL: "https://ap.test/rss", OK: true, NotModified: true, LastOK: Now},
		{Name: "Proceso", URL: "https://proceso.test/rss", Error: "HTTP 503", FailingSince: Now.Add(-30 * h)},
		{Name: "Milenio", URL: "https://milenio.test/rss", LastOK: Now.Add(-3 * 24 * h)},
	}
}

// HugeCandidates is n hostile stories, each carried by four outlets, with
// over-long titles, sources and links full of characters Slack and Markdown
// give meaning to.
func HugeCandidates(n int) []newsdigest.Candidate {
	var out []newsdigest.Candidate
	for i := range n {
		title := fmt.Sprintf("%d %s", i, strings.Repeat("Cártel & <narco> | 🪖 ", 40))
		link := fmt.Sprintf("https://news.test/%d/%s?a=1&b=2", i, strings.Repeat("x", 1500))
		c := Cand(fmt.Sprintf("id%03d", i), title, strings.Repeat("Outlet ", 20), link, time.Duration(i)*time.Minute,
			M(Topics[i%4].Name, 1+i%5, "cartel*", "CJNG"), M(Topics[(i+1)%4].Name, 1, "troops"))
		out = append(out, c)
		for j := range 3 {
			dup := Cand(fmt.Sprintf("id%03d-%d", i, j), title, fmt.Sprintf("Wire %d", j), link+"&utm_source=x"+strings.Repeat("y", j), time.Hour,
				M(Topics[i%4].Name, 1, "cartel*"))
			dup.CanonicalURL = c.CanonicalURL
			out = append(out, dup)
		}
	}
	return out
}

// HugeFeeds is 60 failing feeds with hostile names and long errors.
func HugeFeeds() []newsdigest.FeedReport {
	var out []newsdigest.FeedReport
	for i := range 60 {
		out = append(out, newsdigest.FeedReport{Name: fmt.Sprintf("Feed %d <&>", i), Error: strings.Repeat("timeout ", 30)})
	}
	return out
}

// BusyDay is 2,000 candidates over four topics, a quarter of them second
// copies of another outlet's story (same link).
func BusyDay() []newsdigest.Candidate {
	var out []newsdigest.Candidate
	for i := range 2000 {
		story := i
		if i%4 == 3 {
			story = i - 1 // same link as the previous candidate
		}
		out = append(out, Cand(
			fmt.Sprintf("id%d", i), fmt.Sprintf("Story %d about [cartels] & *troops*", i), fmt.Sprintf("Outlet %d", i%40),
			fmt.Sprintf("https://news%d.test/story/%d?utm_source=rss", story%40, story), time.Duration(i)*time.Minute,
			M(Topics[i%4].Name, 1+i%7, "cartel*"), M(Topics[(i+1)%4].Name, 1, "troops")))
	}
	return out
}
