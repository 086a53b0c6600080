package digest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/fakeslack"
)

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
	d := Build(sampleInput())
	empty := Build(Input{Title: "US–Mexico Watch", GeneratedAt: now, From: now.Add(-24 * time.Hour), To: now,
		Topics: testTopics, Feeds: sampleInput().Feeds[:2]})
	tests := []struct {
		file string
		msgs []Message
	}{
		{"slack_threads.json", d.SlackMessages(SlackOptions{MaxPerTopic: 2, Threads: true})},
		{"slack_webhook.json", d.SlackMessages(SlackOptions{MaxPerTopic: 2})},
		{"slack_empty.json", empty.SlackMessages(SlackOptions{MaxPerTopic: 2, PostEmpty: true})},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			checkSlack(t, tt.msgs)
			golden(t, tt.file, slackDoc(t, tt.msgs))
		})
	}
}

func TestSlackEmpty(t *testing.T) {
	d := Build(Input{Title: "W", GeneratedAt: now, Topics: testTopics})
	if got := d.SlackMessages(SlackOptions{}); got != nil {
		t.Errorf("SlackMessages(empty, PostEmpty false) = %d messages; want nil", len(got))
	}
	got := d.SlackMessages(SlackOptions{PostEmpty: true})
	if len(got) != 1 || len(got[0].ItemIDs) != 0 || !strings.Contains(got[0].Text, "Nothing new matched") {
		t.Errorf("SlackMessages(empty, PostEmpty true) = %+v; want one \"nothing new\" message carrying no items", got)
	}
}

// TestSlackOverflow checks where the entries beyond MaxPerTopic go: thread
// replies carrying them, or (webhook) a compact "+N more:" list of links
// carrying them.
func TestSlackOverflow(t *testing.T) {
	d := Build(sampleInput()) // cartels has 4 entries (5 items), troops and usmca 1 each
	tests := []struct {
		name       string
		o          SlackOptions
		wantMsgs   int
		wantThread int
		wantIDs    []string // all IDs carried, in order
		wantLine   string
	}{
		{"threads", SlackOptions{MaxPerTopic: 2, Threads: true}, 2, 1,
			[]string{"r1", "g1", "u1", "t1", "m1", "a1", "n1"}, "+2 more in the thread"},
		{"webhook", SlackOptions{MaxPerTopic: 2}, 1, 0,
			[]string{"r1", "g1", "u1", "a1", "n1", "t1", "m1"}, "+2 more:"},
		{"no cap", SlackOptions{MaxPerTopic: 0, Threads: true}, 1, 0,
			[]string{"r1", "g1", "u1", "a1", "n1", "t1", "m1"}, ""},
		{"cap not reached", SlackOptions{MaxPerTopic: 4, Threads: true}, 1, 0,
			[]string{"r1", "g1", "u1", "a1", "n1", "t1", "m1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := d.SlackMessages(tt.o)
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
				t.Errorf("SlackMessages(%+v) = %d messages, %d thread replies; want %d, %d", tt.o, len(msgs), threads, tt.wantMsgs, tt.wantThread)
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("SlackMessages(%+v) carries %v; want %v", tt.o, ids, tt.wantIDs)
			}
			all := strings.Join(mrkdwnTexts(t, msgs), "\n")
			if tt.wantLine != "" && !strings.Contains(all, tt.wantLine) {
				t.Errorf("SlackMessages(%+v) lacks %q", tt.o, tt.wantLine)
			}
			if tt.wantLine == "" && strings.Contains(all, " more in ") {
				t.Errorf("SlackMessages(%+v) has a \"more\" line; want none", tt.o)
			}
		})
	}
}

// hugeInput is a digest far over one message: n stories with long titles,
// long links and several outlets each, over four topics.
func hugeInput(n int) Input {
	in := sampleInput()
	in.Candidates = nil
	for i := range n {
		title := fmt.Sprintf("%d %s", i, strings.Repeat("Cártel & <narco> | 🪖 ", 40))
		link := fmt.Sprintf("https://news.test/%d/%s?a=1&b=2", i, strings.Repeat("x", 1500))
		c := cand(fmt.Sprintf("id%03d", i), title, strings.Repeat("Outlet ", 20), link, time.Duration(i)*time.Minute,
			m(testTopics[i%4].Name, 1+i%5, "cartel*", "CJNG"), m(testTopics[(i+1)%4].Name, 1, "troops"))
		in.Candidates = append(in.Candidates, c)
		for j := range 3 {
			dup := cand(fmt.Sprintf("id%03d-%d", i, j), title, fmt.Sprintf("Wire %d", j), link+"&utm_source=x"+strings.Repeat("y", j), time.Hour,
				m(testTopics[i%4].Name, 1, "cartel*"))
			dup.CanonicalURL = c.CanonicalURL
			in.Candidates = append(in.Candidates, dup)
		}
	}
	for i := range 60 {
		in.Feeds = append(in.Feeds, newsdigest.FeedReport{Name: fmt.Sprintf("Feed %d <&>", i), Error: strings.Repeat("timeout ", 30)})
	}
	return in
}

func TestSlackLimits(t *testing.T) {
	in := hugeInput(500)
	d := Build(in)
	want := d.ItemIDs()
	for _, o := range []SlackOptions{{MaxPerTopic: 0}, {MaxPerTopic: 8, Threads: true}, {MaxPerTopic: 8}} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			msgs := d.SlackMessages(o)
			if len(msgs) < 3 {
				t.Fatalf("SlackMessages(500 stories) = %d messages; want the digest split", len(msgs))
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
	msgs := Build(benchInput()).SlackMessages(SlackOptions{})
	checkSlack(t, msgs)
	full := 0
	for _, m := range msgs {
		if len(m.Blocks) > slackMaxBlocks-4 {
			full++
		}
	}
	if len(msgs) < 20 || full < len(msgs)-1 {
		t.Errorf("SlackMessages(1500 short entries) = %d messages, %d of them near 50 blocks; want every message but the last filled", len(msgs), full)
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
		cands = append(cands, cand(fmt.Sprint(i), title, "<!here> Src|x", "https://ok.test/"+fmt.Sprint(i), time.Hour, m("cartels", 3, "cartel*")))
	}
	cands = append(cands, cand("js", "JS link", "X", "javascript:alert(1)", time.Hour, m("cartels", 3)),
		cand("pipe", "Pipe link", "X", "https://ok.test/a|b>c<d e", time.Hour, m("cartels", 3)))
	d := Build(Input{Title: "<!channel> Watch", GeneratedAt: now, Topics: testTopics, Candidates: cands,
		Feeds: []newsdigest.FeedReport{{Name: "<@U999>", Error: "<!channel> boom"}}})
	for _, o := range []SlackOptions{{}, {MaxPerTopic: 3, Threads: true}} {
		msgs := d.SlackMessages(o)
		checkSlack(t, msgs)
		links := 0
		for _, text := range mrkdwnTexts(t, msgs) {
			for _, mt := range slackLink.FindAllStringSubmatch(text, -1) {
				target, label, _ := strings.Cut(mt[1], "|")
				if !strings.HasPrefix(target, "https://ok.test/") {
					t.Errorf("SlackMessages made link or mention <%s> in %q", mt[1], text)
				}
				if strings.Contains(label, "|") || strings.ContainsAny(target, " <") {
					t.Errorf("SlackMessages made an ambiguous link <%s>", mt[1])
				}
				links++
			}
		}
		if links != len(titles)+1 {
			t.Errorf("SlackMessages(%+v) made %d links; want %d (one per http(s) item)", o, links, len(titles)+1)
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
				t.Errorf("SlackMessages(%+v) lacks %q", o, want)
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
		{"https://x.test/a b", "https://x.test/ab"}, // cleanURL drops spaces
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

func TestRoutes(t *testing.T) {
	in := sampleInput()
	routes := Routes(in, "#mx-digest")
	var got []string
	for _, r := range routes {
		var names []string
		for _, tp := range r.Input.Topics {
			names = append(names, tp.Name)
		}
		got = append(got, r.Channel+": "+strings.Join(names, ","))
	}
	want := []string{"#mx-digest: troops,usmca,sovereignty", "#mx-security: cartels"}
	if !slices.Equal(got, want) {
		t.Fatalf("Routes() = %q; want %q", got, want)
	}
	// r1 matched cartels (#mx-security) and troops (#mx-digest): it is in both.
	for _, r := range routes {
		ids := Build(r.Input).ItemIDs()
		if !slices.Contains(ids, "r1") {
			t.Errorf("Build(route %s).ItemIDs() = %v; want r1 in it", r.Channel, ids)
		}
	}
	if got := Routes(Input{}, "#d"); len(got) != 1 || got[0].Channel != "#d" {
		t.Errorf("Routes(no topics) = %+v; want one route to #d", got)
	}
}

func BenchmarkSlackMessages(b *testing.B) {
	d := Build(benchInput())
	b.ReportAllocs()
	for b.Loop() {
		d.SlackMessages(SlackOptions{MaxPerTopic: 8, Threads: true})
	}
}

// TestWebhookOverflowWithHostileLinks: the compact "+N more" list of a
// webhook digest stays within Slack's limits even when a feed's links are
// thousands of characters long ('&' grows to '&amp;' in mrkdwn).
func TestWebhookOverflowWithHostileLinks(t *testing.T) {
	in := sampleInput()
	long := "https://x.test/1?" + strings.Repeat("a&", 1000)
	for i := range 3 {
		in.Candidates = append(in.Candidates, cand(fmt.Sprintf("h%d", i), fmt.Sprintf("Cartel story %d with a hostile link", i), "Hostile",
			long+fmt.Sprint(i), time.Duration(i+1)*time.Minute, m("cartels", 3, "cartel*")))
	}
	d := Build(in)
	msgs := d.SlackMessages(SlackOptions{MaxPerTopic: 1})
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
