package story

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/newsdigest/newsdigest/internal/storyeval"
)

// TestReadSharesSerial checks that reading a window in shares on several
// goroutines gives every stem the ID, and every doc the stems, that
// reading it doc by doc with one stemmer gives.
func TestReadSharesSerial(t *testing.T) {
	windows := map[string][]Doc{"synthetic": syntheticWindow(3000)}
	for _, set := range storyeval.Sets {
		ws, _, err := set.Load(evalDir)
		if err != nil {
			t.Fatal(err)
		}
		var all []Doc
		for _, w := range ws {
			all = append(all, evalDocs(w.Items)...)
		}
		windows[set.Name] = all
	}
	for name, docs := range windows {
		order := contentOrder(docs)
		st := newStemmer()
		st.heads = true
		want := make([]clusterDoc, len(docs))
		for k, i := range order {
			want[k] = st.doc(docs[i])
		}
		for _, shares := range []int{1, 2, 3, 7} {
			t.Run(fmt.Sprintf("%s/%d", name, shares), func(t *testing.T) {
				got, info := readShares(docs, order, shares, true)
				if !reflect.DeepEqual(info, st.info) {
					t.Fatalf("stem info differs from the serial reading's (%d stems, want %d)", len(info), len(st.info))
				}
				for k := range want {
					if !reflect.DeepEqual(got[k], want[k]) {
						t.Fatalf("doc %d (%q): got %+v, want %+v", k, docs[order[k]].Title, got[k], want[k])
					}
				}
			})
		}
	}
}
