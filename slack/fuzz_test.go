package slack

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/digesttest"
	"github.com/newsdigest/newsdigest/internal/fakeslack"
)

// FuzzSlackMessages renders hostile feed text for Slack and checks that
// Slack would accept every message, that the only links and mentions are
// the items' own http(s) links, and that every item is carried exactly once,
// with threads or (webhook) without.
func FuzzSlackMessages(f *testing.F) {
	f.Add("<!channel> Title", "<@U1>|src", "https://x.test/a|b>", "javascript:x", "Label & <b>", "<!here>", 1, 3, true)
	f.Add("", "", "", "", "", "", 0, 1, true)
	f.Add(strings.Repeat("&<>|", 200), strings.Repeat("ü&", 80), "https://x.test/"+strings.Repeat("%", 2000), "http://h/?a=1&b=2", strings.Repeat("L", 400), strings.Repeat("e&", 300), 2, 40, true)
	f.Add("a\x00b\u202e", "s", "HTTPS://X.TEST/", "https://x.test/<@U1>", ":x:", "err\r\n", -1, 7, true)
	f.Add("Cartel leader arrested in Sinaloa", "Reuters", "https://x.test/a", "https://y.test/b", "Cartels", "", 1, 30, false)
	f.Fuzz(func(t *testing.T, title, src, link, link2, label, errText string, max, n int, threads bool) {
		n = 1 + (n%60+60)%60
		topics := []newsdigest.Topic{{Name: "a", Label: label, Emoji: label}, {Name: "b", Label: "B"}}
		var cands []newsdigest.Candidate
		for i := range n {
			l := link
			if i%2 == 1 {
				l = link2
			}
			it := newsdigest.Item{ID: strings.Repeat("i", 1+i), Title: title, Source: src, Link: l + strings.Repeat("/", i%3),
				Published: digesttest.Now.Add(-time.Duration(i) * time.Minute)}
			cands = append(cands, newsdigest.Candidate{Item: it, CanonicalURL: newsdigest.CanonicalURL(it.Link),
				Matches: []newsdigest.Match{{Topic: topics[i%2].Name, Score: 1, Terms: []string{title}}, {Topic: "b", Score: 0}}})
		}
		d := digest.Build(digest.Input{Title: label, GeneratedAt: digesttest.Now, From: digesttest.Now.Add(-time.Hour), To: digesttest.Now, Topics: topics, Candidates: cands,
			Feeds: []newsdigest.FeedReport{{Name: src, URL: link, Error: errText}}})
		allowed := map[string]bool{}
		for _, s := range d.Topics {
			for _, e := range s.Items {
				allowed[slackURL(e.URL)] = true
				for _, l := range e.Also {
					allowed[slackURL(l.URL)] = true
				}
			}
		}
		msgs := Messages(d, Options{MaxPerTopic: max, Threads: threads, PostEmpty: true})
		seen := map[string]int{}
		for i, m := range msgs {
			blocks, err := json.Marshal(m.Blocks)
			if err != nil {
				t.Fatalf("message %d: %v", i+1, err)
			}
			if code := fakeslack.CheckMessage(m.Text, blocks); code != "" {
				t.Fatalf("message %d: Slack would answer %s:\n%s", i+1, code, blocks)
			}
			for _, id := range m.ItemIDs {
				seen[id]++
			}
		}
		for _, text := range mrkdwnTexts(t, msgs) {
			for _, mt := range slackLink.FindAllStringSubmatch(text, -1) {
				target, _, _ := strings.Cut(mt[1], "|")
				if target == "" || !allowed[target] {
					t.Fatalf("link or mention <%s> in %q", mt[1], text)
				}
			}
		}
		for _, id := range itemIDs(d) {
			if seen[id] != 1 {
				t.Errorf("item %s carried %d times; want once", id, seen[id])
			}
		}
	})
}

// FuzzAlertMessages renders hostile feed text as alerts, growth replies and
// summaries, and checks that Slack would accept each message and that its
// only links are the stories' own http(s) links.
func FuzzAlertMessages(f *testing.F) {
	f.Add("<!channel> Title", "<@U1>|src", "https://x.test/a|b>", "Label & <b>", "rule<>", 4)
	f.Add("", "", "", "", "", 0)
	f.Add(strings.Repeat("&<>|", 200), strings.Repeat("ü&", 80), "https://x.test/"+strings.Repeat("%", 2000), strings.Repeat("L", 400), strings.Repeat("r", 300), 300)
	f.Fuzz(func(t *testing.T, title, src, link, label, rule string, n int) {
		n = (n%400 + 400) % 400
		a := digest.Alert{Kind: digest.AlertNew, Rule: rule, Label: label, Title: title, URL: link, Terms: []string{label}, Span: time.Duration(n) * time.Minute}
		for i := range n {
			a.Outlets = append(a.Outlets, digest.Link{Source: src + strings.Repeat("é", i%7), URL: link + strings.Repeat("/", i%3)})
		}
		a.New = a.Outlets[n/2:]
		allowed := map[string]bool{slackURL(link): true}
		for _, l := range a.Outlets {
			allowed[slackURL(l.URL)] = true
		}
		var msgs []Message
		for _, kind := range []string{digest.AlertNew, digest.AlertReply} {
			a.Kind = kind
			msgs = append(msgs, AlertMessage(a))
		}
		sum, _ := AlertSummary(slices.Repeat([]digest.Alert{a}, 1+n%60), 1+n%5)
		msgs = append(msgs, sum)
		checkSlack(t, msgs)
		for _, text := range mrkdwnTexts(t, msgs) {
			for _, mt := range slackLink.FindAllStringSubmatch(text, -1) {
				if target, _, _ := strings.Cut(mt[1], "|"); target == "" || !allowed[target] {
					t.Fatalf("link or mention <%s> in %q", mt[1], text)
				}
			}
		}
	})
}
