package digest

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/digesttest"
)

// sampleInput is a small digest with every feature the renderings show:
// merged stories, tags, an undated item, escaping, a cap, failed and stale
// feeds.
func sampleInput() Input {
	return Input{
		Title:       digesttest.Title,
		GeneratedAt: now,
		From:        now.Add(-24 * time.Hour),
		To:          now,
		Topics:      testTopics,
		Candidates:  digesttest.Candidates(),
		Feeds:       digesttest.Feeds(),
		Stats:       Stats{ItemsFetched: 1234, ItemsNew: 200, ItemsMatched: 45},
	}
}

func TestGolden(t *testing.T) {
	d := Build(sampleInput())
	empty := Build(Input{Title: "US–Mexico Watch", GeneratedAt: now, From: now.Add(-24 * time.Hour), To: now,
		Topics: testTopics, Feeds: sampleInput().Feeds[:2]})
	tests := []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"digest.txt.golden", func(b *bytes.Buffer) error { return d.WriteText(b, 3) }},
		{"digest.md.golden", func(b *bytes.Buffer) error { return d.WriteMarkdown(b, 3) }},
		{"digest.json.golden", func(b *bytes.Buffer) error { return d.WriteJSON(b) }},
		{"empty.txt.golden", func(b *bytes.Buffer) error { return empty.WriteText(b, 3) }},
		{"empty.md.golden", func(b *bytes.Buffer) error { return empty.WriteMarkdown(b, 3) }},
		{"empty.json.golden", func(b *bytes.Buffer) error { return empty.WriteJSON(b) }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatalf("write: %v", err)
			}
			digesttest.Golden(t, tt.file, b.Bytes())
		})
	}
}

// TestJSONShape checks every key of docs/DESIGN.md's example, with its JSON type.
func TestJSONShape(t *testing.T) {
	for name, d := range map[string]*Digest{
		"built":      Build(sampleInput()),
		"hand-built": {Topics: []Section{{Name: "x", Items: []Entry{{Title: "t"}}}}},
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := d.WriteJSON(&b); err != nil {
				t.Fatalf("WriteJSON: %v", err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatalf("WriteJSON wrote invalid JSON: %v\n%s", err, b.String())
			}
			want := map[string]string{
				"title": "string", "generated_at": "time",
				"window": "object", "window.from": "time", "window.to": "time",
				"topics":      "array",
				"topics.name": "string", "topics.label": "string", "topics.total": "number", "topics.items": "array",
				"topics.items.title": "string", "topics.items.url": "string", "topics.items.source": "string",
				"topics.items.published": "time", "topics.items.score": "number", "topics.items.terms": "array",
				"topics.items.tags": "array", "topics.items.also": "array",
				"feeds": "object", "feeds.total": "number", "feeds.ok": "number", "feeds.not_modified": "number",
				"feeds.failed": "array",
				"stats":        "object", "stats.items_fetched": "number", "stats.items_new": "number", "stats.items_matched": "number",
			}
			if name == "built" {
				want["topics.items.also.source"] = "string"
				want["topics.items.also.url"] = "string"
				want["feeds.failed.name"] = "string"
				want["feeds.failed.url"] = "string"
				want["feeds.failed.error"] = "string"
			}
			for path, typ := range want {
				v, ok := lookup(doc, strings.Split(path, "."))
				if !ok {
					t.Errorf("key %q missing", path)
					continue
				}
				if got := jsonType(v); got != typ {
					t.Errorf("key %q is %s (%v); want %s", path, got, v, typ)
				}
			}
		})
	}
}

// lookup follows keys through objects, descending into the first element
// of arrays that have one.
func lookup(v any, keys []string) (any, bool) {
	for _, k := range keys {
		if arr, ok := v.([]any); ok {
			for _, el := range arr {
				if o, ok := el.(map[string]any); ok {
					if _, has := o[k]; has {
						v = o
						break
					}
				}
			}
		}
		o, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = o[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func jsonType(v any) string {
	switch v := v.(type) {
	case string:
		if _, err := time.Parse(time.RFC3339, v); err == nil {
			return "time"
		}
		return "string"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case nil:
		return "null"
	}
	return "other"
}

func TestJSONTimesUseLocation(t *testing.T) {
	var b bytes.Buffer
	if err := Build(sampleInput()).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		GeneratedAt string `json:"generated_at"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if want := "2026-11-22T08:00:00-06:00"; doc.GeneratedAt != want {
		t.Errorf("generated_at = %q; want %q", doc.GeneratedAt, want)
	}
}

func TestCap(t *testing.T) {
	var cands []newsdigest.Candidate
	for i := range 5 {
		id := string(rune('a' + i))
		cands = append(cands, cand(id, "Story "+id, "X", "https://x.test/"+id, time.Duration(i)*time.Hour, m("cartels", 1)))
	}
	d := Build(Input{GeneratedAt: now, Topics: testTopics, Candidates: cands})
	tests := []struct {
		max       int
		shown     int
		more      string
		jsonItems int
	}{
		{max: 0, shown: 5, more: ""},
		{max: -1, shown: 5, more: ""},
		{max: 5, shown: 5, more: ""},
		{max: 9, shown: 5, more: ""},
		{max: 2, shown: 2, more: "+3 more"},
		{max: 1, shown: 1, more: "+4 more"},
	}
	for _, tt := range tests {
		var txt, md bytes.Buffer
		if err := d.WriteText(&txt, tt.max); err != nil {
			t.Fatal(err)
		}
		if err := d.WriteMarkdown(&md, tt.max); err != nil {
			t.Fatal(err)
		}
		for name, out := range map[string]string{"WriteText": txt.String(), "WriteMarkdown": md.String()} {
			full := 0
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "- Story ") || strings.HasPrefix(line, "- [Story ") {
					full++
				}
			}
			if full != tt.shown {
				t.Errorf("%s(max %d) shows %d entries in full; want %d", name, tt.max, full, tt.shown)
			}
			// The rest are listed in the "+N more" list: none is hidden.
			if got := strings.Count(out, "Story "); got != 5 {
				t.Errorf("%s(max %d) names %d stories; want all 5:\n%s", name, tt.max, got, out)
			}
			if got := strings.Contains(out, "more"); tt.more == "" && got {
				t.Errorf("%s(max %d) has a \"more\" line; want none:\n%s", name, tt.max, out)
			}
			if tt.more != "" && !strings.Contains(out, tt.more) {
				t.Errorf("%s(max %d) lacks %q:\n%s", name, tt.max, tt.more, out)
			}
			if !strings.Contains(out, "(5)") {
				t.Errorf("%s(max %d) section count is not the total (5):\n%s", name, tt.max, out)
			}
		}
	}
	var js bytes.Buffer
	if err := d.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(js.String(), `"title": "Story `); got != 5 {
		t.Errorf("WriteJSON shows %d entries; want all 5", got)
	}
}

func TestEmptyDigest(t *testing.T) {
	d := Build(Input{Title: "W", GeneratedAt: now, From: now.Add(-24 * time.Hour), To: now, Topics: testTopics,
		Candidates: []newsdigest.Candidate{cand("x", "Only unknown topics", "X", "https://x.test/", time.Hour, m("weather", 3))},
		Feeds:      []newsdigest.FeedReport{{Name: "A", OK: true}}})
	if !d.Empty() {
		t.Fatalf("Empty() = false; want true for %+v", d.Topics)
	}
	want := "Nothing new matched between Sat 21 Nov 08:00 and Sun 22 Nov 08:00 CST."
	for name, write := range map[string]func(*bytes.Buffer) error{
		"WriteText":     func(b *bytes.Buffer) error { return d.WriteText(b, 0) },
		"WriteMarkdown": func(b *bytes.Buffer) error { return d.WriteMarkdown(b, 0) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.Contains(out, want) {
			t.Errorf("%s of an empty digest lacks %q:\n%s", name, want, out)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if last := lines[len(lines)-1]; last != "Coverage: 1 of 1 feeds OK" {
			t.Errorf("%s: last line = %q; want the coverage line", name, last)
		}
	}
}

func TestCoverageLine(t *testing.T) {
	tests := []struct {
		cv   Coverage
		want string
	}{
		{Coverage{}, "Coverage: no feeds were polled"},
		{Coverage{Total: 40, OK: 40}, "Coverage: 40 of 40 feeds OK"},
		{Coverage{Total: 40, OK: 38, Failed: []FailedFeed{{Name: "La Jornada", Error: "timed out after 20s"}, {Name: "Proceso", Error: "HTTP 503"}}},
			"Coverage: 38 of 40 feeds OK; failed: La Jornada (timed out after 20s), Proceso (HTTP 503)"},
		{Coverage{Total: 4, OK: 2, NotModified: 1, Stale: []StaleFeed{{Name: "A", LastOK: now.Add(-50 * time.Hour)}, {Name: "B"}}},
			"Coverage: 2 of 4 feeds OK (1 not modified); stale: A (last OK Fri 20 Nov 06:00), B (never OK)"},
		{Coverage{Total: 3, OK: 1}, "Coverage: 1 of 3 feeds OK; 2 not due this run"},
		{Coverage{Total: 4, OK: 1, Failed: []FailedFeed{
			{Name: "GN cartels", Error: "host not found: news.google.com"},
			{Name: "Proceso", Error: "HTTP 503"},
			{Name: "GN T-MEC", Error: "host not found: news.google.com"},
		}}, "Coverage: 1 of 4 feeds OK; failed: GN cartels, GN T-MEC (host not found: news.google.com), Proceso (HTTP 503)"},
		{Coverage{Total: 3, OK: 0, Failed: []FailedFeed{
			{Name: "A", Error: "HTTP 503", FailingSince: now.Add(-30 * time.Minute)},
			{Name: "B", Error: "HTTP 503", FailingSince: now.Add(-5 * time.Hour)},
			{Name: "C", Error: "timed out after 20s", FailingSince: now.Add(-75 * time.Hour)},
		}}, "Coverage: 0 of 3 feeds OK; failed: A (HTTP 503), B (HTTP 503, failing for 5h), C (timed out after 20s, failing for 3 days)"},
	}
	for _, tt := range tests {
		if got := (&Digest{GeneratedAt: now, Feeds: tt.cv}).CoverageLine(func(s string) string { return s }); got != tt.want {
			t.Errorf("CoverageLine(%+v) = %q; want %q", tt.cv, got, tt.want)
		}
	}
}

func TestAgo(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"},
		{30 * time.Second, "just now"},
		{-30 * time.Second, "just now"},
		{5 * time.Minute, "5m ago"},
		{59 * time.Minute, "59m ago"},
		{2 * time.Hour, "2h ago"},
		{47 * time.Hour, "47h ago"},
		{3 * 24 * time.Hour, "3 days ago"},
		{20 * 24 * time.Hour, "2 Nov 2026"},
		{-2 * time.Hour, "22 Nov 2026"},
	}
	for _, tt := range tests {
		if got := ago(now.Add(-tt.d), now); got != tt.want {
			t.Errorf("ago(now-%v, now) = %q; want %q", tt.d, got, tt.want)
		}
	}
	if got := ago(time.Time{}, now); got != "" {
		t.Errorf("ago(zero, now) = %q; want \"\"", got)
	}
}

func TestCleanLine(t *testing.T) {
	long := strings.Repeat("é", 400)
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 300, "plain"},
		{"  two\r\nlines\t tabbed  ", 300, "two lines tabbed"},
		{"bell\x07 esc\x1b[2J c1\u0085next", 300, "bell esc [2J c1 next"},
		{"bidi \u202egnp.exe\u202c ok", 300, "bidi gnp.exe ok"},
		{"line\u2028sep", 300, "line sep"},
		{"bad \xff utf8", 300, "bad \uFFFD utf8"},
		{"emoji 👩\u200d💻 kept", 300, "emoji 👩\u200d💻 kept"},
		{long, 300, strings.Repeat("é", 299) + "…"},
		{strings.Repeat("a", 300), 300, strings.Repeat("a", 300)},
		{"abcd efgh", 6, "abcd…"}, // no space before the ellipsis
		{"", 300, ""},
	}
	for _, tt := range tests {
		if got := CleanLine(tt.in, tt.max); got != tt.want {
			t.Errorf("CleanLine(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain title", "plain title"},
		{"[EN VIVO] *última* _hora_", `\[EN VIVO\] \*última\* \_hora\_`},
		{"a `code` <b>&amp; ~~x~~", "a \\`code\\` \\<b\\>\\&amp; \\~\\~x\\~\\~"},
		{`back\slash`, `back\\slash`},
		{"U.S. #1 strikes!", "U.S. #1 strikes!"},
	}
	for _, tt := range tests {
		if got := escapeMarkdown(tt.in); got != tt.want {
			t.Errorf("escapeMarkdown(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://x.test/a?b=c", "https://x.test/a?b=c"},
		{"HTTP://x.test/a", "HTTP://x.test/a"},
		{"https://x.test/wiki/A_(b)", "https://x.test/wiki/A_%28b%29"},
		{"https://x.test/a<b>\\c", "https://x.test/a%3Cb%3E%5Cc"},
		{"https://x.test/a b\nc", "https://x.test/abc"},
		{"javascript:alert(1)", ""},
		{"data:text/html,hi", ""},
		{"/relative/path", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := markdownURL(tt.in); got != tt.want {
			t.Errorf("markdownURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownCannotForgeLinks(t *testing.T) {
	evil := cand("e", "Click](https://evil.test) [here", "X](https://evil.test", "javascript:alert(1)", time.Hour, m("cartels", 1, "cartel*"))
	evil.Item.Title = "Click](https://evil.test) [here"
	d := Build(Input{GeneratedAt: now, Topics: testTopics, Candidates: []newsdigest.Candidate{evil}})
	var b bytes.Buffer
	if err := d.WriteMarkdown(&b, 0); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if unescaped := regexp.MustCompile(`\\.`).ReplaceAllString(out, ""); strings.Contains(unescaped, "](") || strings.Contains(out, "javascript:") {
		t.Errorf("WriteMarkdown let feed text form a link:\n%s", out)
	}
	want := `- Click\](https://evil.test) \[here — X\](https://evil.test, 1h ago · terms: cartel\*`
	if !strings.Contains(out, want) {
		t.Errorf("WriteMarkdown =\n%s\nwant a line containing\n%s", out, want)
	}
}

func TestTextHasNoControlChars(t *testing.T) {
	c := cand("c", "Title\x1b]8;;https://evil.test\x07link\x1b]8;;\x07", "Src\x9b31m", "https://x.test/\x1b[0m", time.Hour, m("cartels", 1, "t\x00erm"))
	d := Build(Input{GeneratedAt: now, Topics: testTopics, Candidates: []newsdigest.Candidate{c},
		Feeds: []newsdigest.FeedReport{{Name: "F\x1b[1m", Error: "boom\x1b[2J"}}})
	var b bytes.Buffer
	if err := d.WriteText(&b, 0); err != nil {
		t.Fatal(err)
	}
	for i, r := range b.String() {
		if r != '\n' && unicode.IsControl(r) {
			t.Fatalf("WriteText wrote control character %U at byte %d:\n%q", r, i, b.String())
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	d := Build(sampleInput())
	for name, err := range map[string]error{
		"WriteText":     d.WriteText(failWriter{}, 0),
		"WriteMarkdown": d.WriteMarkdown(failWriter{}, 0),
		"WriteJSON":     d.WriteJSON(failWriter{}),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), "digest: ") || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s(failing writer) = %v; want a \"digest: \" error wrapping the cause", name, err)
		}
	}
}
