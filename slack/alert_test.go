package slack

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/digest"
)

func sampleAlert() digest.Alert {
	return digest.Alert{
		Kind: digest.AlertNew, Rule: "troops+sovereignty", Channel: "#mx-alerts", Topic: "troops", Label: "US troops",
		Title: "US announces strikes on cartel camps inside Mexico", URL: "https://apnews.com/strikes?a=1&b=2", Source: "AP",
		Terms: []string{"troops", "strike*"}, Span: 38 * time.Minute,
		Outlets: []digest.Link{{Source: "AP", URL: "https://apnews.com/strikes?a=1&b=2"}, {Source: "Reuters", URL: "https://www.reuters.com/x"},
			{Source: "El Universal", URL: "https://www.eluniversal.com.mx/y"}, {Source: "Los Angeles Times", URL: "https://news.google.com/rss/articles/CBMi"}},
		ItemIDs: []string{"a", "b", "c", "d"},
	}
}

func TestAlertMessage(t *testing.T) {
	m := AlertMessage(sampleAlert())
	checkSlack(t, []Message{m})
	texts := strings.Join(mrkdwnTexts(t, []Message{m}), "\n")
	for _, want := range []string{
		"⚡ *<https://apnews.com/strikes?a=1&amp;b=2|US announces strikes on cartel camps inside Mexico>*",
		"*4 outlets in 38 min*: <https://apnews.com/strikes?a=1&amp;b=2|AP>, <https://www.reuters.com/x|Reuters>",
		"<https://news.google.com/rss/articles/CBMi|Los Angeles Times>",
		"US troops · _troops_, _strike*_ · rule troops+sovereignty",
	} {
		if !strings.Contains(texts, want) {
			t.Errorf("alert lacks %q:\n%s", want, texts)
		}
	}
	if m.Text != "⚡ US announces strikes on cartel camps inside Mexico — 4 outlets in 38 min (US troops)" {
		t.Errorf("fallback %q", m.Text)
	}
	if strings.Join(m.ItemIDs, ",") != "a,b,c,d" || m.Thread {
		t.Errorf("items %v, thread %v", m.ItemIDs, m.Thread)
	}

	r := sampleAlert()
	r.Kind = digest.AlertReply
	r.Outlets = append(r.Outlets, digest.Link{Source: "Milenio <b>", URL: "https://www.milenio.com/z"})
	r.New = r.Outlets[4:]
	m = AlertMessage(r)
	checkSlack(t, []Message{m})
	if texts := strings.Join(mrkdwnTexts(t, []Message{m}), "\n"); !strings.Contains(texts, "📈 Now *5 outlets* (+1 since the alert): <https://www.milenio.com/z|Milenio>") {
		t.Errorf("reply:\n%s", texts)
	}
}

// TestAlertWithinLimits: a hostile story (mentions, markup, huge titles
// and links, 300 outlets) still makes a message Slack accepts, with no
// mention and no link but the outlets' own.
func TestAlertWithinLimits(t *testing.T) {
	a := sampleAlert()
	a.Title = "<!channel> " + strings.Repeat("Cártel & <narco> | ", 40)
	a.Label, a.Rule = "<!here> & <@U1>", strings.Repeat("r|<>", 100)
	a.Outlets = nil
	for i := range 300 {
		a.Outlets = append(a.Outlets, digest.Link{Source: fmt.Sprintf("<@U%d> Outlet %s", i, strings.Repeat("é", 90)),
			URL: fmt.Sprintf("https://o%d.test/%s", i, strings.Repeat("x", 1500))})
	}
	a.URL = "https://x.test/" + strings.Repeat("y|>", 600)
	for _, kind := range []string{digest.AlertNew, digest.AlertReply} {
		a.Kind, a.New = kind, a.Outlets[100:]
		m := AlertMessage(a)
		checkSlack(t, []Message{m})
		for _, text := range mrkdwnTexts(t, []Message{m}) {
			for _, mt := range slackLink.FindAllStringSubmatch(text, -1) {
				if target, _, _ := strings.Cut(mt[1], "|"); !strings.HasPrefix(target, "https://") {
					t.Errorf("%s: link or mention <%s>", kind, mt[1])
				}
			}
		}
	}
}

func TestAlertSummary(t *testing.T) {
	var as []digest.Alert
	for i := range 3 {
		a := sampleAlert()
		a.Title, a.ItemIDs = fmt.Sprintf("Story %d <b>", i), []string{fmt.Sprint("i", i)}
		as = append(as, a)
	}
	m, n := AlertSummary(as, 5)
	checkSlack(t, []Message{m})
	if n != 3 || strings.Join(m.ItemIDs, ",") != "i0,i1,i2" {
		t.Errorf("summary carries %d alerts, items %v; want all three", n, m.ItemIDs)
	}
	texts := strings.Join(mrkdwnTexts(t, []Message{m}), "\n")
	if !strings.Contains(texts, "⚡ *3 more stories took off* — this channel already had its 5 alerts this hour:") ||
		!strings.Contains(texts, "• <https://apnews.com/strikes?a=1&amp;b=2|Story 2> · 4 outlets in 38 min · US troops") {
		t.Errorf("summary:\n%s", texts)
	}
	// Too many for one message: what fits, and the count of the rest.
	as = nil
	for i := range 200 {
		a := sampleAlert()
		a.Title, a.URL, a.ItemIDs = strings.Repeat("T", 290)+fmt.Sprint(i), "https://x.test/"+strings.Repeat("z", 1800), []string{fmt.Sprint("i", i)}
		as = append(as, a)
	}
	m, n = AlertSummary(as, 5)
	checkSlack(t, []Message{m})
	if n == 0 || n >= 200 || len(m.ItemIDs) != n {
		t.Fatalf("summary of 200 carries %d (items %d)", n, len(m.ItemIDs))
	}
	if texts := strings.Join(mrkdwnTexts(t, []Message{m}), "\n"); !strings.Contains(texts, fmt.Sprintf("(%d more wait)", 200-n)) {
		t.Errorf("the summary does not say how many wait:\n%.300s", texts)
	}
}
