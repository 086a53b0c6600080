package digest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// oneEncoder is the document WriteJSON must write: what one json.Encoder
// writes of the whole digest.
func oneEncoder(t testing.TB, d *Digest) []byte {
	out := *d
	out.Topics = make([]Section, len(d.Topics))
	for i, s := range d.Topics {
		s.Items = append(make([]Entry, 0, len(s.Items)), s.Items...)
		for j := range s.Items {
			e := &s.Items[j]
			e.Terms, e.Tags, e.Also = orEmpty(e.Terms), orEmpty(e.Tags), orEmpty(e.Also)
		}
		out.Topics[i] = s
	}
	out.Feeds.Failed, out.Feeds.Stale = orEmpty(out.Feeds.Failed), orEmpty(out.Feeds.Stale)
	if d.Alerts != nil {
		out.Alerts = &AlertPlan{Post: orEmpty(d.Alerts.Post), Held: orEmpty(d.Alerts.Held)}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWriteJSONOneEncoder checks that the entries encoded apart, on every
// CPU, make the document one encoder writes, byte for byte: a busy day
// (sections of more entries than one goroutine encodes at a time), an
// empty digest, and text that looks like the document's own syntax.
func TestWriteJSONOneEncoder(t *testing.T) {
	odd := sampleInput()
	odd.Candidates[0].Item.Title = `"items": [] <b>&</b>` + "\n\"items\": []"
	odd.Candidates[1].Item.Source = `],"items": [{"x":1}]`
	withAlerts := Build(sampleInput())
	withAlerts.Alerts = &AlertPlan{Post: []Alert{{Kind: AlertNew, Rule: "r", Title: `"items": []`}}}
	for name, d := range map[string]*Digest{
		"sample":      Build(sampleInput()),
		"busy day":    Build(benchInput()),
		"empty":       Build(Input{GeneratedAt: now, Topics: testTopics}),
		"odd text":    Build(odd),
		"with alerts": withAlerts,
		"empty items": {GeneratedAt: now, Topics: []Section{{Name: "a", Items: []Entry{}}, {Name: "b"}, {Name: "c", Items: []Entry{{Title: "x"}}}}},
		"odd names":   {GeneratedAt: now, Topics: []Section{{Name: `"items": []`, Label: "\n      \"items\": []", Items: []Entry{{Title: "x"}}}, {Name: "b", Items: []Entry{{Title: `"items": []`}}}}},
	} {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := d.WriteJSON(&got); err != nil {
				t.Fatal(err)
			}
			if want := oneEncoder(t, d); !bytes.Equal(got.Bytes(), want) {
				t.Errorf("WriteJSON wrote\n%s\nwant\n%s", got.Bytes(), want)
			}
		})
	}
	if n := len(Build(benchInput()).Topics[0].Items); n <= entriesChunk {
		t.Errorf("the busy day's first section has %d entries, not more than one chunk of %d", n, entriesChunk)
	}
}
