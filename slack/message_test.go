package slack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/digest"
	"github.com/newsdigest/newsdigest/internal/digesttest"
	"github.com/newsdigest/newsdigest/internal/fakeslack"
)

// sampleInput is the digest tests' sample window.
func sampleInput() digest.Input {
	return digest.Input{
		Title:       digesttest.Title,
		GeneratedAt: digesttest.Now,
		From:        digesttest.Now.Add(-24 * time.Hour),
		To:          digesttest.Now,
		Topics:      digesttest.Topics,
		Candidates:  digesttest.Candidates(),
		Feeds:       digesttest.Feeds(),
	}
}

func sampleDigest() *digest.Digest { return digest.Build(sampleInput()) }

// hugeDigest is a digest far over one message: n stories with long titles,
// long links and four outlets each, over four topics, and 65 feeds.
func hugeDigest(n int) *digest.Digest {
	in := sampleInput()
	in.Candidates = digesttest.HugeCandidates(n)
	in.Feeds = append(in.Feeds, digesttest.HugeFeeds()...)
	return digest.Build(in)
}

// busyDigest is 1,500 short stories.
func busyDigest() *digest.Digest {
	in := sampleInput()
	in.Candidates = digesttest.BusyDay()
	return digest.Build(in)
}

// itemIDs is every stored item the digest carries, each once.
func itemIDs(d *digest.Digest) []string {
	var ids []string
	for _, s := range d.Topics {
		for _, e := range s.Items {
			ids = append(ids, e.ItemIDs...)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(ids)))
}

// slackDoc is the JSON form of messages that the golden files hold.
func slackDoc(t *testing.T, msgs []Message) []byte {
	t.Helper()
	b, err := json.MarshalIndent(msgs, "", "  ")
	if err != nil {
		t.Fatalf("marshal messages: %v", err)
	}
	return append(b, '\n')
}

// checkSlack fails the test when Slack would refuse any of msgs.
func checkSlack(t *testing.T, msgs []Message) {
	t.Helper()
	for i, m := range msgs {
		blocks, err := json.Marshal(m.Blocks)
		if err != nil {
			t.Fatalf("message %d: marshal blocks: %v", i+1, err)
		}
		if code := fakeslack.CheckMessage(m.Text, blocks); code != "" {
			t.Errorf("message %d of %d: Slack would answer %s (%d blocks, text %d chars)", i+1, len(msgs), code, len(m.Blocks), len16(m.Text))
		}
	}
}

// mrkdwnTexts returns every text of msgs: fallbacks and block texts.
func mrkdwnTexts(t *testing.T, msgs []Message) []string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		out = append(out, m.Text)
		b, _ := json.Marshal(m.Blocks)
		var blocks []struct {
			Text     *struct{ Text string }  `json:"text"`
			Elements []struct{ Text string } `json:"elements"`
		}
		if err := json.Unmarshal(b, &blocks); err != nil {
			t.Fatal(err)
		}
		for _, bl := range blocks {
			if bl.Text != nil {
				out = append(out, bl.Text.Text)
			}
			for _, e := range bl.Elements {
				out = append(out, e.Text)
			}
		}
	}
	return out
}

func TestSlackGolden(t *testing.T) {
	d := sampleDigest()
	empty := digest.Build(digest.Input{Title: "US–Mexico Watch", GeneratedAt: digesttest.Now, From: digesttest.Now.Add(-24 * time.Hour), To: digesttest.Now,
		Topics: digesttest.Topics, Feeds: sampleInput().Feeds[:2]})
	tests := []struct {
		file string
		msgs []Message
	}{
		{"slack_threads.json", Messages(d, Options{MaxPerTopic: 2, Threads: true})},
		{"slack_webhook.json", Messages(d, Options{MaxPerTopic: 2})},
		{"slack_empty.json", Messages(empty, Options{MaxPerTopic: 2, PostEmpty: true})},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			checkSlack(t, tt.msgs)
			digesttest.Golden(t, tt.file, slackDoc(t, tt.msgs))
		})
	}
}

func TestSlackEmpty(t *testing.T) {
	d := digest.Build(digest.Input{Title: "W", GeneratedAt: digesttest.Now, Topics: digesttest.Topics})
	if got := Messages(d, Options{}); got != nil {
		t.Errorf("Messages(empty, PostEmpty false) = %d messages; want nil", len(got))
	}
	got := Messages(d, Options{PostEmpty: true})
	if len(got) != 1 || len(got[0].ItemIDs) != 0 || !strings.Contains(got[0].Text, "Nothing new matched") {
		t.Errorf("Messages(empty, PostEmpty true) = %+v; want one \"nothing new\" message carrying no items", got)
	}
}

// TestSlackOverflow checks where the entries beyond MaxPerTopic go: thread
// replies carrying them, or (webhook) a compact "+N more:" list of links
// carrying them.
func TestSlackOverflow(t *testing.T) {
	d := sampleDigest() // cartels has 4 entries (5 items), troops and usmca 1 each
	tests := []struct {
		name       string
		o          Options
		wantMsgs   int
		wantThread int
		wantIDs    []string // all IDs carried, in order
		wantLine   string
	}{
		{"threads", Options{MaxPerTopic: 2, Threads: true}, 2, 1,
			[]string{"r1", "g1", "u1", "t1", "m1", "a1", "n1"}, "+2 more in the thread"},
		{"webhook", Options{MaxPerTopic: 2}, 1, 0,
			[]string{"r1", "g1", "u1", "a1", "n1", "t1", "m1"}, "+2 more:"},
		{"no cap", Options{MaxPerTopic: 0, Threads: true}, 1, 0,
			[]string{"r1", "g1", "u1", "a1", "n1", "t1", "m1"}, ""},
		{"cap not reached", Options{MaxPerTopic: 4, Threads: true}, 1, 0,
			[]string{"r1", "g1", "u1", "a1", "n1", "t1", "m1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := Messages(d, tt.o)
			checkSlack(t, msgs)
			var ids []string
			threads := 0
			for _, m := range msgs {
				ids = append(ids, m.ItemIDs...)
				if m.Thread {
					threads++
				}
			}
			if len(msgs) != tt.wantMsgs || threads != tt.wantThread {
				t.Errorf("Messages(%+v) = %d messages, %d thread replies; want %d, %d", tt.o, len(msgs), threads, tt.wantMsgs, tt.wantThread)
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("Messages(%+v) carries %v; want %v", tt.o, ids, tt.wantIDs)
			}
			all := strings.Join(mrkdwnTexts(t, msgs), "\n")
			if tt.wantLine != "" && !strings.Contains(all, tt.wantLine) {
				t.Errorf("Messages(%+v) lacks %q", tt.o, tt.wantLine)
			}
			if tt.wantLine == "" && strings.Contains(all, " more in ") {
				t.Errorf("Messages(%+v) has a \"more\" line; want none", tt.o)
			}
		})
	}
}

func TestSlackLimits(t *testing.T) {
	d := hugeDigest(500)
	want := itemIDs(d)
	for _, o := range []Options{{MaxPerTopic: 0}, {MaxPerTopic: 8, Threads: true}, {MaxPerTopic: 8}} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			msgs := Messages(d, o)
			if len(msgs) < 3 {
				t.Fatalf("Messages(500 stories) = %d messages; want the digest split", len(msgs))
			}
			checkSlack(t, msgs)
			var ids []string
			seen := map[string]bool{}
			for i, m := range msgs {
				for _, id := range m.ItemIDs {
					if seen[id] {
						t.Fatalf("item %s carried twice (message %d)", id, i+1)
					}
					seen[id] = true
				}
				ids = append(ids, m.ItemIDs...)
				b, _ := json.Marshal(m.Blocks)
				hasHeader := strings.Contains(string(b), `"type":"header"`)
				if hasHeader != (i == 0) {
					t.Errorf("message %d has header = %v; want %v", i+1, hasHeader, i == 0)
				}
				if i > 0 && !m.Thread && !strings.Contains(string(b), fmt.Sprintf("(continued, %d/", i+1)) {
					t.Errorf("message %d lacks its \"(continued, %d/n)\" line", i+1, i+1)
				}
			}
			// Every item is carried: in the digest, in thread replies, or
			// (webhook) in the compact "+N more" lists.
			slices.Sort(ids)
			w := slices.Sorted(slices.Values(want))
			if !slices.Equal(ids, w) {
				t.Errorf("messages carry %d items; want all %d", len(ids), len(w))
			}
		})
	}
}

// TestSlackBlockLimit splits a digest of many short entries on the block
// count rather than on text length.
func TestSlackBlockLimit(t *testing.T) {
	msgs := Messages(busyDigest(), Options{})
	checkSlack(t, msgs)
	full := 0
	for _, m := range msgs {
		if len(m.Blocks) > slackMaxBlocks-4 {
			full++
		}
	}
	if len(msgs) < 20 || full < len(msgs)-1 {
		t.Errorf("Messages(1500 short entries) = %d messages, %d of them near 50 blocks; want every message but the last filled", len(msgs), full)
	}
}

// slackLink matches a Slack link or mention: "<" up to ">".
var slackLink = regexp.MustCompile(`<([^>]*)>`)

func TestSlackInjection(t *testing.T) {
	titles := []string{
		"<!channel> evacuate now",
		"<!here|here> and <!everyone>",
		"<@U123> was arrested",
		"<#C024BE7LR|general> leak",
		"<https://evil.test|Reuters>",
		"Read <https://evil.test|this>",
		"AT&T & Telmex <b>merge</b>",
		"Cartel | CJNG | Sinaloa",
		"<!channel>",
		"&lt;!channel&gt; encoded",
		"<<!channel>>",
	}
	var cands []newsdigest.Candidate
	for i, title := range titles {
		cands = append(cands, digesttest.Cand(fmt.Sprint(i), title, "<!here> Src|x", "https://ok.test/"+fmt.Sprint(i), time.Hour, digesttest.M("cartels", 3, "cartel*")))
	}
	cands = append(cands, digesttest.Cand("js", "JS link", "X", "javascript:alert(1)", time.Hour, digesttest.M("cartels", 3)),
		digesttest.Cand("pipe", "Pipe link", "X", "https://ok.test/a|b>c<d e", time.Hour, digesttest.M("cartels", 3)))
	d := digest.Build(digest.Input{Title: "<!channel> Watch", GeneratedAt: digesttest.Now, Topics: digesttest.Topics, Candidates: cands,
		Feeds: []newsdigest.FeedReport{{Name: "<@U999>", Error: "<!channel> boom"}}})
	for _, o := range []Options{{}, {MaxPerTopic: 3, Threads: true}} {
		msgs := Messages(d, o)
		checkSlack(t, msgs)
		links := 0
		for _, text := range mrkdwnTexts(t, msgs) {
			for _, mt := range slackLink.FindAllStringSubmatch(text, -1) {
				target, label, _ := strings.Cut(mt[1], "|")
				if !strings.HasPrefix(target, "https://ok.test/") {
					t.Errorf("Messages made link or mention <%s> in %q", mt[1], text)
				}
				if strings.Contains(label, "|") || strings.ContainsAny(target, " <") {
					t.Errorf("Messages made an ambiguous link <%s>", mt[1])
				}
				links++
			}
		}
		if links != len(titles)+1 {
			t.Errorf("Messages(%+v) made %d links; want %d (one per http(s) item)", o, links, len(titles)+1)
		}
		all := strings.Join(mrkdwnTexts(t, msgs), "\n")
		for _, want := range []string{
			"&lt;@U123&gt; was arrested",
			"|AT&amp;T &amp; Telmex merge>",
			"|Cartel ∣ CJNG ∣ Sinaloa>",
			"|&lt;!channel&gt;>", // a title that is only a tag is shown as text
			"&lt;!channel&gt; encoded",
			"<https://ok.test/a%7Cb%3Ec%3Cde|Pipe link>",
			"\nJS link\n",
			"&lt;@U999&gt; (&lt;!channel&gt; boom)",
		} {
			if !strings.Contains(all, want) {
				t.Errorf("Messages(%+v) lacks %q", o, want)
			}
		}
	}
}

func TestSlackURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://x.test/a?b=1&c=2", "https://x.test/a?b=1&amp;c=2"},
		{"HTTP://x.test/", "HTTP://x.test/"},
		{"https://x.test/a|b", "https://x.test/a%7Cb"},
		{"https://x.test/<a>", "https://x.test/%3Ca%3E"},
		{"https://x.test/a b", "https://x.test/ab"}, // CleanURL drops spaces
		{"javascript:alert(1)", ""},
		{"mailto:a@b.test", ""},
		{"/relative", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := slackURL(tt.in); got != tt.want {
			t.Errorf("slackURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFeedText(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 300, "plain"},
		{"a & b <i>c</i>", 300, "a &amp; b c"},
		{"c&aacute;rtel &lt;b&gt;", 300, "cártel &lt;b&gt;"},
		{"<!channel>", 300, "&lt;!channel&gt;"},
		{"<@U1> hi", 300, "&lt;@U1&gt; hi"},
		{"line\nbreak\x1b", 300, "line break"},
		{"abcdef", 4, "abc…"},
	}
	for _, tt := range tests {
		if got := feedText(tt.in, tt.max); got != tt.want {
			t.Errorf("feedText(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestTruncMrkdwn(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"abcdefgh", 5, "abcd…"},
		{"ab &amp; cd", 6, "ab…"},
		{"ab &amp; cd", 9, "ab &amp;…"},
		{"🪖🪖🪖", 4, "🪖…"}, // an emoji is two UTF-16 units
	}
	for _, tt := range tests {
		if got := truncMrkdwn(tt.in, tt.max); got != tt.want {
			t.Errorf("truncMrkdwn(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func BenchmarkSlackMessages(b *testing.B) {
	d := busyDigest()
	b.ReportAllocs()
	for b.Loop() {
		Messages(d, Options{MaxPerTopic: 8, Threads: true})
	}
}

// TestWebhookOverflowWithHostileLinks: the compact "+N more" list of a
// webhook digest stays within Slack's limits even when a feed's links are
// thousands of characters long ('&' grows to '&amp;' in mrkdwn).
func TestWebhookOverflowWithHostileLinks(t *testing.T) {
	in := sampleInput()
	long := "https://x.test/1?" + strings.Repeat("a&", 1000)
	for i := range 3 {
		in.Candidates = append(in.Candidates, digesttest.Cand(fmt.Sprintf("h%d", i), fmt.Sprintf("Cartel story %d with a hostile link", i), "Hostile",
			long+fmt.Sprint(i), time.Duration(i+1)*time.Minute, digesttest.M("cartels", 3, "cartel*")))
	}
	d := digest.Build(in)
	msgs := Messages(d, Options{MaxPerTopic: 1})
	checkSlack(t, msgs)
	var ids []string
	for _, msg := range msgs {
		ids = append(ids, msg.ItemIDs...)
	}
	for i := range 3 {
		if !slices.Contains(ids, fmt.Sprintf("h%d", i)) {
			t.Errorf("item h%d is not carried by any message", i)
		}
	}
}

// widelyCovered is a digest of one topic whose entries are stories carried
// by many outlets: entry k has outlets[k] other outlets.
func widelyCovered(outlets ...int) *digest.Digest {
	d := sampleDigest()
	s := digest.Section{Name: "cartels", Label: "Cartels"}
	for k, n := range outlets {
		e := digest.Entry{Title: fmt.Sprintf("Story %d", k), URL: fmt.Sprintf("https://news.test/%d/lead", k), Source: "Lead",
			Outlets: n + 1, ItemIDs: []string{fmt.Sprintf("s%d-lead", k)}}
		for i := range n {
			e.Also = append(e.Also, digest.Link{Source: fmt.Sprintf("Outlet %d-%d", k, i), URL: fmt.Sprintf("https://news.test/%d/%d", k, i)})
			e.ItemIDs = append(e.ItemIDs, fmt.Sprintf("s%d-%d", k, i))
		}
		s.Items = append(s.Items, e)
	}
	s.Total = len(s.Items)
	d.Topics = []digest.Section{s}
	return d
}

var outletName = regexp.MustCompile(`Outlet \d+-\d+`)

// TestEveryOutletListed checks that grouping hides nothing from the
// channel: in the digest, in thread replies and in a webhook's "+N more"
// list, every outlet of every story is listed, linked (a story of 400
// outlets by name once its links would not fit), and every item is
// carried once.
func TestEveryOutletListed(t *testing.T) {
	d := widelyCovered(3, 5, 400, 2, 400)
	for _, o := range []Options{{MaxPerTopic: 1}, {MaxPerTopic: 1, Threads: true}, {MaxPerTopic: 0}} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			msgs := Messages(d, o)
			checkSlack(t, msgs)
			all := strings.Join(mrkdwnTexts(t, msgs), "\n")
			carried := map[string]int{}
			for _, m := range msgs {
				for _, id := range m.ItemIDs {
					carried[id]++
				}
			}
			named := map[string]bool{}
			for _, n := range outletName.FindAllString(all, -1) {
				named[n] = true
			}
			for _, e := range d.Topics[0].Items {
				if !strings.Contains(all, "<"+e.URL+"|") {
					t.Errorf("%s: no link to %s", e.Title, e.URL)
				}
				for _, l := range e.Also {
					linked := strings.Contains(all, "<"+l.URL+"|"+l.Source+">")
					if !linked && !named[l.Source] {
						t.Errorf("%s: outlet %s (%s) is not listed", e.Title, l.Source, l.URL)
					}
					if len(e.Also) < 100 && !linked {
						t.Errorf("%s: outlet %s is not linked", e.Title, l.Source)
					}
				}
				for _, id := range e.ItemIDs {
					if carried[id] != 1 {
						t.Errorf("item %s carried %d times; want once", id, carried[id])
					}
				}
			}
		})
	}
}
