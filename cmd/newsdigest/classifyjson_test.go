package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodeClassifyIn holds decodeClassifyIn to json.Unmarshal: whenever
// it decodes a line, json.Unmarshal decodes the line without error into the
// same classifyIn.
func FuzzDecodeClassifyIn(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","title":"Cártel de Sinaloa","summary":"<p>x &amp; y</p>","content":""}`,
		` { "id" : "2" , "title" : null , "title" : "a\"b\\c\/d\b\f\n\r\t" } `,
		`{"id":"\u00e9\ud83d\ude00\ud800\u0041\udc00x\uD83D"}`,
		"{\"id\":\"\xff\xed\xa0\x80\",\"summary\":\"\u2028\"}",
		`{"ID":"x"}`, `{"id":1}`, `{"id":"a",}`, `{}`, `null`, `{"id":"a"}}`, `{"extra":[1,{"a":null}]}`,
		`{"\u0069d":"k"}`, `{"id":"\u00"}`, "{\"id\":\"a\x01\"}",
		`{"id":"l","topics":["cartels"],"hard":true,"n":-0.5e+3,"o":{"a":[[],{}],"b":"\u00e9"},"z":null}`,
		`{"n":01}`, `{"n":-}`, `{"n":1.}`, `{"n":1e}`, `{"t":tru}`, `{"a":[1,]}`, `{"a":{"b"}}`, `{"Summary":"x"}`, `{"ſummary":"x"}`,
		`{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var got classifyIn
		if !decodeClassifyIn(raw, &got) {
			return
		}
		var want classifyIn
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatalf("decodeClassifyIn(%q) = %+v; json.Unmarshal: %v", raw, got, err)
		}
		if got != want {
			t.Fatalf("decodeClassifyIn(%q) = %+v; json.Unmarshal %+v", raw, got, want)
		}
	})
}

// The usual lines take the fast path (else it would be of no use).
func TestDecodeClassifyInFastPath(t *testing.T) {
	for _, raw := range []string{
		`{"id": "0", "title": "this of after weapons", "summary": "para para officials"}`,
		`{"id":"a","title":"Sheinbaum \u00e1 \"x\"","summary":null,"content":"<p>a</p>\n"}`,
		`{}`,
		// A line of a labelled file (testdata/watchlists): labels are skipped.
		`{"id": "gn-1", "title": "T", "summary": "S", "topics": ["usmca"], "lang": "en", "hard": true, "near_miss": [], "n": 12.5e-1, "o": {"a": null}}`,
	} {
		var in classifyIn
		if !decodeClassifyIn(raw, &in) {
			t.Errorf("decodeClassifyIn(%q) = false; want true", raw)
		}
	}
}

// FuzzAppendClassifyOut holds appendClassifyOut to json.Encoder.
func FuzzAppendClassifyOut(f *testing.F) {
	f.Add("gn-1", "cartels", "Sinaloa Cartel", "cártel*", 3, "", false)
	f.Add("<&>\u2028\u2029\x00\x1f\"\\\b\f\n\r\t", "a\xffb", "\xed\xa0\x80", "é", -7, "odd.jsonl:4: invalid JSON", true)
	f.Fuzz(func(t *testing.T, id, name, term1, term2 string, score int, errText string, nilTerms bool) {
		outs := []classifyOut{
			{ID: id, Topics: []classifyTopic{}, Error: errText},
			{ID: id, Topics: []classifyTopic{{Name: name, Score: score, Terms: []string{term1, term2}}, {Name: term2, Score: -score, Terms: []string{name}}}},
			{ID: id},
		}
		if nilTerms {
			outs = append(outs, classifyOut{ID: id, Topics: []classifyTopic{{Name: name, Score: score}}})
		}
		for _, out := range outs {
			var want bytes.Buffer
			if err := json.NewEncoder(&want).Encode(out); err != nil {
				t.Fatal(err)
			}
			if got := appendClassifyOut(nil, &out); !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("appendClassifyOut(%+v) = %s; json.Encoder %s", out, got, want.Bytes())
			}
		}
	})
}
