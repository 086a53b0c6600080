package storyeval_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/internal/storyeval"
	"github.com/newsdigest/newsdigest/pipeline"
	"github.com/newsdigest/newsdigest/store"
)

// groupThroughPipeline runs each window through the real path: the window's
// items served as RSS feeds on loopback, one feed per outlet; a config with
// a catch-all topic and a lookback covering the window; a fresh store;
// pipeline.Poll, then pipeline.Digest (what `run -dry-run` prints), the
// clock set to the end of the window. It returns each item's story: the
// digest entry that carries it (Entry.ItemIDs), named by window and entry.
func groupThroughPipeline(t testing.TB, ws []storyeval.Window) map[string]string {
	t.Helper()
	srv := feedtest.NewServer(t)
	ctx := context.Background()
	got := map[string]string{}
	for wi, w := range ws {
		byOutlet := map[string][]storyeval.Item{}
		var outlets []string
		for _, it := range w.Items {
			o := it.Outlet()
			if byOutlet[o] == nil {
				outlets = append(outlets, o)
			}
			byOutlet[o] = append(byOutlet[o], it)
		}
		var cfg strings.Builder
		dir := t.TempDir()
		// The lookback covers the window (a year for BASIL); the store
		// must keep items at least that long.
		lookback := w.To.Sub(w.From) + 48*time.Hour
		fmt.Fprintf(&cfg, "store:\n  path: %q\n  retention: %s\nfetch:\n  concurrency: 8\n  timeout: 30s\n  allow_private: true\n", filepath.Join(dir, "eval.db"), max(720*time.Hour, lookback+24*time.Hour))
		fmt.Fprintf(&cfg, "digest:\n  lookback: %s\n", lookback)
		cfg.WriteString("feeds:\n")
		ids := map[string]string{} // stored item ID -> data set ID
		for oi, o := range outlets {
			path := fmt.Sprintf("/w%d/f%d.xml", wi, oi)
			spec := feedtest.FeedSpec{Title: o}
			for _, it := range byOutlet[o] {
				when := it.Time()
				if when.IsZero() {
					when = w.From.Add(12 * time.Hour)
				}
				spec.Items = append(spec.Items, feedtest.ItemSpec{
					GUID: it.ID, Title: it.Title, Summary: it.Lede, Published: when,
					Link: srv.URL + "/item/" + url.PathEscape(it.ID),
				})
				ids[newsdigest.ItemID(srv.FeedURL(path), newsdigest.Item{GUID: it.ID})] = it.ID
			}
			srv.Set(path, spec)
			fmt.Fprintf(&cfg, "  - name: %q\n    url: %q\n", o, srv.FeedURL(path))
		}
		cfg.WriteString(feedtest.CatchAllTopics())
		p := newPipeline(t, dir, cfg.String())
		now := w.To.Add(time.Minute)
		p.Now = func() time.Time { return now }
		poll, err := p.Poll(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range poll.Feeds {
			if !f.OK {
				t.Fatalf("window %s: feed %s: %s", w.Name, f.Name, f.Error)
			}
		}
		d, err := p.Digest(ctx, pipeline.DigestOptions{}, &poll)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range d.Topics {
			for ei, e := range s.Items {
				for _, id := range e.ItemIDs {
					if orig, ok := ids[id]; ok {
						got[orig] = fmt.Sprintf("%s/%s/%d", w.Name, s.Name, ei)
					}
				}
			}
		}
	}
	return got
}

func newPipeline(t testing.TB, dir, cfgYAML string) *pipeline.Pipeline {
	t.Helper()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfgYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	st, err := store.Open(context.Background(), cfg.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, err := pipeline.New(cfg, st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPublicSets runs every public set through the real feed → store →
// digest path, prints the figures (go test -v), and holds them to floors
// just under what was measured (see docs/STORIES.md), so that a change that
// groups worse fails here; a better figure never fails it.
func TestPublicSets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every public set through the pipeline")
	}
	floors := map[string]struct{ p, r float64 }{
		// Pairwise precision (on the labelled pairs for STS), BCubed recall
		// (recall of the labelled pairs for STS), as measured now
		// (docs/STORIES.md, "After the retune", change 9): og2021 0.956 /
		// 0.502, allsides-archive 0.983 / 0.560, sts-headlines 0.981 /
		// 0.845, og2021-competition 0.944 / 0.540, allsides-2021 0.959 /
		// 0.580. Before change 9 (codes, cities within countries, verb
		// forms): 0.952 / 0.494, 0.978 / 0.552, 0.981 / 0.845, 0.942 /
		// 0.539, 0.960 / 0.570.
		// The veto on ages that disagree cost the archive two right pairs
		// (0.552 before it) and changed no other tuning set; dotted
		// initials ("N.A.A.C.P.") as one word gave a little recall back.
		// The STS floor on recall was lowered from 0.84 for the
		// generic-pair threshold, which keeps apart headlines that share no
		// name, place or figure unless they are much alike (STS's pairs are
		// often such headlines: 0.858 → 0.841). With the clusterer retuned
		// for precision (issue 11): 0.952 / 0.492, 0.978 / 0.548,
		// 0.976 / 0.850, 0.940 / 0.537, 0.956 / 0.563.
		// The first average-linkage design: 0.941 / 0.517, 0.969 / 0.610,
		// 0.977 / 0.895, 0.916 / 0.561, 0.899 / 0.620 (the last two were
		// then held out and scored once; they are tuned on since). The
		// single-linkage clusterer before it depended on the order of the
		// store's answer: 0.51–0.64 / 0.58–0.61, 0.93–0.97 / 0.55–0.56,
		// 0.92 / 0.93–0.95, 0.59–0.66 / 0.63–0.64, 0.85–0.88 / 0.58–0.59.
		// OG2021's labels put some identical headlines apart, which caps
		// its precision (docs/STORIES.md).
		"tune/og2021":             {0.95, 0.50},
		"tune/allsides-archive":   {0.98, 0.55},
		"tune/sts-headlines":      {0.97, 0.83},
		"tune/og2021-competition": {0.94, 0.53},
		"tune/allsides-2021":      {0.95, 0.57},
		// Held out: BASIL, chosen before the retuning and scored once when
		// it was settled: 0.986 / 0.491 (main's clusterer before it: 0.989
		// / 0.544); re-scored since, 0.986 / 0.495. The Gun Violence Corpus
		// (US shootings, many near-twins, a year a window), scored once
		// before any change was made for it: 0.811 / 0.671; with the
		// repeated site-name cut and the generic-pair threshold, chosen
		// after that score, 0.898 / 0.667; with the veto on ages that
		// disagree (victims' ages, often only in the lede), 0.933 / 0.663;
		// with items published more than a week apart never one story,
		// BASIL 1.000 / 0.495 and GVC 0.961 / 0.645 (follow-up reports more
		// than a week after an incident are now their own entries). With
		// change 9: BASIL 1.000 / 0.528, GVC 0.962 / 0.649. Neither is
		// blind any more.
		"held-out/basil": {0.99, 0.52},
		"held-out/gvc":   {0.95, 0.63},
	}
	var rows []storyeval.Row
	for _, set := range storyeval.Sets {
		name := set.Part() + "/" + set.Name
		t.Run(name, func(t *testing.T) {
			if set.Locked() {
				t.Skip("sealed held-out set: not scored until NEWSDIGEST_UNSEAL=1")
			}
			ws, pairs, err := set.Load("testdata")
			if err != nil {
				t.Fatal(err)
			}
			got := groupThroughPipeline(t, ws)
			row := storyeval.Row{Set: set.Name, Part: set.Part(), Scores: storyeval.Score(ws, got)}
			prec, rec := row.Scores.Pairs.Precision(), row.Scores.BCubedR
			if pairs != nil {
				ps := storyeval.ScorePairs(pairs, got)
				row.Labeled = &ps
				prec, rec = ps.Precision(), ps.Recall()
			}
			rows = append(rows, row)
			if row.Scores.Missing > 0 {
				t.Errorf("%d of %d items are in no digest entry", row.Scores.Missing, row.Scores.Items)
			}
			if row.Scores.Over50Impure > 0 {
				t.Errorf("%d stories of more than 50 items mix labels", row.Scores.Over50Impure)
			}
			f, ok := floors[name]
			if !ok {
				t.Fatalf("no floors for %s", name)
			}
			if prec < f.p {
				t.Errorf("precision %.3f; want at least %.2f", prec, f.p)
			}
			if rec < f.r {
				t.Errorf("recall %.3f; want at least %.2f", rec, f.r)
			}
		})
	}
	t.Logf("story grouping through feeds, store and digest:\n%s", storyeval.Table(rows))
}
