package digest

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// labelled is one line of testdata/clusters.tsv.
type labelled struct {
	story, lang, source, title, lede string
}

func loadLabelled(t testing.TB) []labelled {
	t.Helper()
	f, err := os.Open("testdata/clusters.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != 5 {
			t.Fatalf("clusters.tsv:%d: %d fields; want 5", n, len(fs))
		}
		rows = append(rows, labelled{fs[0], fs[1], fs[2], fs[3], fs[4]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// pairScore counts pairwise same-story decisions against the labels.
type pairScore struct{ tp, fp, fn int }

func (s pairScore) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s pairScore) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

func (s pairScore) String() string {
	return fmt.Sprintf("precision %.3f recall %.3f (tp %d fp %d fn %d)", s.precision(), s.recall(), s.tp, s.fp, s.fn)
}

// evaluate clusters the labelled rows (titles and ledes, no links) and scores
// every pair: same-language pairs against the story label, cross-language
// pairs (".en" vs ".es" of one event) separately. useLede false clusters
// titles alone.
func evaluate(rows []labelled, th thresholds, useLede bool) (sameLang, crossLang pairScore, wrong []string) {
	st := newStemmer()
	docs := make([]clusterDoc, len(rows))
	for i, r := range rows {
		lede := r.lede
		if !useLede {
			lede = ""
		}
		docs[i] = st.doc("", r.title, lede, r.source, "")
	}
	root := cluster(docs, th)
	base := func(s string) string { return strings.TrimSuffix(strings.TrimSuffix(s, ".en"), ".es") }
	for i := range rows {
		for j := i + 1; j < len(rows); j++ {
			got := root[i] == root[j]
			a, b := rows[i], rows[j]
			score := &sameLang
			want := a.story == b.story
			if a.lang != b.lang {
				score = &crossLang
				want = base(a.story) == base(b.story)
			}
			switch {
			case got && want:
				score.tp++
			case got && !want:
				score.fp++
				if a.lang == b.lang {
					wrong = append(wrong, fmt.Sprintf("merged   %q | %q", a.title, b.title))
				}
			case !got && want:
				score.fn++
				if a.lang == b.lang {
					wrong = append(wrong, fmt.Sprintf("split    %q | %q", a.title, b.title))
				}
			}
		}
	}
	return sameLang, crossLang, wrong
}

// TestClusterQuality asserts the precision and recall reported for the
// labelled test set. The numbers are exact, so that a change to the
// clusterer shows up here and the report is updated with it.
func TestClusterQuality(t *testing.T) {
	rows := loadLabelled(t)
	if len(rows) < 200 {
		t.Fatalf("clusters.tsv has %d rows; want at least 200", len(rows))
	}
	sameLang, crossLang, wrong := evaluate(rows, tuned, true)
	t.Logf("%d titles; same-language pairs: %v; cross-language pairs: %v", len(rows), sameLang, crossLang)
	for _, w := range wrong {
		t.Log(w)
	}
	// The reported numbers. The recall goal (0.90) is not reached
	// yet: the misses are paraphrases ("sends" / "hands over") that share
	// too few stems.
	if p, r := sameLang.precision(), sameLang.recall(); p < 0.96 || r < 0.82 {
		t.Errorf("same-language pairs: %v; want precision >= 0.96, recall >= 0.82", sameLang)
	}
	if p, r := crossLang.precision(), crossLang.recall(); p < 0.94 || r < 0.42 {
		t.Errorf("cross-language pairs: %v; want precision >= 0.94, recall >= 0.42", crossLang)
	}
	titles, _, _ := evaluate(rows, tuned, false)
	t.Logf("titles only, same-language pairs: %v", titles)
}

// TestClusterTune prints precision and recall over a grid of thresholds; run
// it with NEWSDIGEST_TUNE=1 when changing the clusterer.
func TestClusterTune(t *testing.T) {
	if os.Getenv("NEWSDIGEST_TUNE") == "" {
		t.Skip("set NEWSDIGEST_TUNE=1 to print the threshold grid")
	}
	rows := loadLabelled(t)
	for _, ms := range []int{1, 2} {
		for _, pw := range []float64{1} {
			for _, tt := range []float64{0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.6, 0.65, 0.7} {
				for _, ta := range []float64{0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.5, 0.55, 1.1} {
					s, c, _ := evaluate(rows, thresholds{tt, ta, ms, pw}, true)
					t.Logf("m %d p %.0f title %.2f all %.2f: same %v | cross %v", ms, pw, tt, ta, s, c)
				}
			}
		}
	}
}
