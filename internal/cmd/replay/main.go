// Command replay serves labelled news items — the watchlist sets of
// testdata/watchlists or the story sets of internal/storyeval/testdata —
// as one RSS feed per outlet on loopback, and writes a newsdigest config
// that polls them with the topics of another config, so that a dry run
// shows the digest a user would have read over those items:
//
//	go run ./internal/cmd/replay -topics config.yaml -config /tmp/replay/config.yaml testdata/watchlists/holdout-[c-k].jsonl &
//	go run ./cmd/newsdigest run -dry-run -config /tmp/replay/config.yaml
//
// Every item keeps its date (items without one are left out: a digest
// window needs a time), and the lookback spans all of them, so the whole
// file is one window: what that window groups into one entry is what story
// grouping would do with those items (docs/STORIES.md, change 7, was found
// this way). Without -topics the config has one catch-all topic, so that
// every item is in the digest. The store, replay.db next to the config, is
// removed at start: each replay begins empty.
package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/newsdigest/newsdigest/internal/feedtest"
	"github.com/newsdigest/newsdigest/internal/storyeval"
)

// item is one labelled item, in the fields both kinds of set share.
type item struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Summary string `json:"summary"` // watchlist sets
	Lede    string `json:"lede"`    // story sets
	Source  string `json:"source"`
	Date    string `json:"date"`
	URL     string `json:"url"`
}

// time is the item's date as the story sets read it (storyeval.Item.Time:
// RFC 3339, or a bare date at noon UTC); ok is false when it has none.
func (it item) time() (at time.Time, ok bool) {
	at = storyeval.Item{Date: strings.TrimSpace(it.Date)}.Time()
	return at, !at.IsZero()
}

// outlet is the feed an item is served in: its source, else "unknown".
func (it item) outlet() string { return cmp.Or(strings.TrimSpace(it.Source), "unknown") }

// readItems reads JSON lines from the files; a line that is not an item
// with an ID and a title is an error naming the file and line.
func readItems(paths []string) ([]item, error) {
	var out []item
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			var it item
			if err := json.Unmarshal([]byte(line), &it); err != nil || it.ID == "" || it.Title == "" {
				f.Close()
				return nil, fmt.Errorf("%s:%d: not an item with an id and a title", p, n)
			}
			out = append(out, it)
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no items")
	}
	return out, nil
}

// feeds groups the dated items into one feed per outlet, outlets sorted;
// it returns the feeds, the earliest item time and how many items had no
// date.
func feeds(items []item, base string) (specs []feedtest.FeedSpec, earliest time.Time, undated int) {
	by := map[string][]feedtest.ItemSpec{}
	for _, it := range items {
		at, ok := it.time()
		if !ok {
			undated++
			continue
		}
		if earliest.IsZero() || at.Before(earliest) {
			earliest = at
		}
		link := it.URL
		if link == "" {
			link = base + "/item/" + it.ID
		}
		by[it.outlet()] = append(by[it.outlet()], feedtest.ItemSpec{
			GUID: it.ID, Title: it.Title, Summary: cmp.Or(it.Summary, it.Lede), Link: link, Published: at,
		})
	}
	outlets := make([]string, 0, len(by))
	for o := range by {
		outlets = append(outlets, o)
	}
	slices.Sort(outlets)
	for _, o := range outlets {
		specs = append(specs, feedtest.FeedSpec{Title: o, Items: by[o]})
	}
	return specs, earliest, undated
}

// topLevelKey matches a line that starts a top-level YAML key.
var topLevelKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*:`)

// topicsBlock returns the "topics:" block of a config file: from its line
// to the next top-level key.
func topicsBlock(cfg string) (string, error) {
	lines := strings.SplitAfter(cfg, "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "topics:") })
	if start < 0 {
		return "", errors.New("no top-level topics: key")
	}
	end := len(lines)
	for i := start + 1; i < len(lines); i++ {
		if topLevelKey.MatchString(lines[i]) {
			end = i
			break
		}
	}
	return strings.Join(lines[start:end], ""), nil
}

// replayConfig is a newsdigest config polling the feeds at base, with a
// lookback from before earliest to now and the given topics block.
func replayConfig(base string, specs []feedtest.FeedSpec, earliest, now time.Time, dbPath, topics string) string {
	lookback := now.Sub(earliest).Truncate(time.Hour) + 48*time.Hour
	var b strings.Builder
	fmt.Fprintf(&b, "store:\n  path: %q\n  retention: %s\n", dbPath, lookback+24*time.Hour)
	fmt.Fprintf(&b, "fetch:\n  allow_private: true\n  concurrency: 8\n")
	fmt.Fprintf(&b, "digest:\n  title: Replay\n  lookback: %s\n  max_per_topic: 1000\n", lookback)
	b.WriteString("feeds:\n")
	for i, s := range specs {
		fmt.Fprintf(&b, "  - name: %q\n    url: %q\n", s.Title, fmt.Sprintf("%s/%d.xml", base, i))
	}
	b.WriteString(topics)
	return b.String()
}

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "listen address (loopback only)")
	cfgPath := flag.String("config", "", "write the newsdigest config here (required); the store goes next to it")
	topicsFrom := flag.String("topics", "", "copy the topics of this config (default: one catch-all topic)")
	flag.Parse()
	if *cfgPath == "" || flag.NArg() == 0 {
		log.Fatal("usage: replay -config OUT.yaml [-topics config.yaml] [-listen 127.0.0.1:PORT] FILE.jsonl...")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("replay: -listen must be a loopback address, not %q", *addr)
	}
	items, err := readItems(flag.Args())
	if err != nil {
		log.Fatalf("replay: %v", err)
	}
	topics := feedtest.CatchAllTopics()
	if *topicsFrom != "" {
		b, err := os.ReadFile(*topicsFrom)
		if err != nil {
			log.Fatalf("replay: %v", err)
		}
		if topics, err = topicsBlock(string(b)); err != nil {
			log.Fatalf("replay: %s: %v", *topicsFrom, err)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	specs, earliest, undated := feeds(items, base)
	if len(specs) == 0 {
		log.Fatal("replay: no item has a date")
	}
	dbPath := filepath.Join(filepath.Dir(*cfgPath), "replay.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			log.Fatalf("replay: %v", err)
		}
	}
	if err := os.WriteFile(*cfgPath, []byte(replayConfig(base, specs, earliest, time.Now(), dbPath, topics)), 0o644); err != nil {
		log.Fatal(err)
	}
	bodies := make([][]byte, len(specs))
	for i, s := range specs {
		bodies[i] = feedtest.Render(s)
	}
	log.Printf("replay: %d items (%d undated, left out) in %d feeds at %s; config %s, store %s",
		len(items), undated, len(specs), base, *cfgPath, dbPath)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/%d.xml", &i); err != nil || i < 0 || i >= len(bodies) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", feedtest.ContentType(feedtest.RSS))
		w.Write(bodies[i])
	})
	log.Fatal(http.Serve(ln, h))
}
