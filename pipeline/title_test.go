package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/internal/fakeslack"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/pipeline"
)

// TestTagOnlyTitleShownAsText: a title that is nothing but a tag, such as
// "<!channel>", has no plain text; it used to be stored empty and vanish
// (the digest showed the link instead). Through the real poll and digest,
// it must show as text in the text and JSON digests, and escaped in Slack.
func TestTagOnlyTitleShownAsText(t *testing.T) {
	srv := feedtest.NewServer(t)
	slack := fakeslack.New(t, botToken)
	slack.AddChannel(fakeslack.Channel{ID: "C001", Name: "mx-digest", Member: true})
	now := time.Now()
	srv.Set("/feed", feedtest.FeedSpec{Format: feedtest.RSS, Title: "Wire", Items: []feedtest.ItemSpec{
		{GUID: "1", Title: "<!channel>", Summary: "Sinaloa cartel arrests in Mexico", Link: srv.URL + "/item/1", Published: now.Add(-time.Hour)},
		{GUID: "2", Title: "<b></b>", Summary: "Narcos in Mexico: a second story", Link: srv.URL + "/item/2", Published: now.Add(-time.Hour)},
	}})
	p, _ := newPipeline(t, fmt.Sprintf("fetch: {allow_private: true}\nslack:\n  token: %q\n  channel: \"#mx-digest\"\n  api_url: %q\nfeeds:\n  - {name: Wire, url: %q}\n%s",
		botToken, slack.APIURL(), srv.URL+"/feed", testTopics))
	ctx := context.Background()
	poll, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.Digest(ctx, pipeline.DigestOptions{}, &poll)
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]bool{}
	for _, sec := range d.Topics {
		for _, e := range sec.Items {
			titles[e.Title] = true
		}
	}
	if !titles["<!channel>"] || !titles["<b></b>"] {
		t.Errorf("digest titles = %v; want \"<!channel>\" and \"<b></b>\" shown as text", titles)
	}

	var text, js bytes.Buffer
	if err := d.WriteText(&text, 8); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "<!channel>") {
		t.Errorf("text digest lacks the title <!channel>:\n%s", text.String())
	}
	if err := d.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Topics []struct {
			Items []struct{ Title string } `json:"items"`
		} `json:"topics"`
	}
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sec := range decoded.Topics {
		for _, it := range sec.Items {
			found = found || it.Title == "<!channel>"
		}
	}
	if !found {
		t.Errorf("JSON digest lacks the title <!channel>:\n%s", js.String())
	}

	if _, err := p.Deliver(ctx, pipeline.DigestOptions{}, &poll); err != nil {
		t.Fatal(err)
	}
	msgs := slack.Messages()
	if len(msgs) == 0 {
		t.Fatal("nothing posted")
	}
	var blocks strings.Builder
	for _, m := range msgs {
		blocks.Write(m.Blocks)
		blocks.WriteString(m.Text)
	}
	if !strings.Contains(blocks.String(), "&lt;!channel&gt;") {
		t.Errorf("Slack message does not show the title as escaped text:\n%s", blocks.String())
	}
	if strings.Contains(blocks.String(), "<!channel>") {
		t.Errorf("Slack message carries <!channel> unescaped:\n%s", blocks.String())
	}
}
