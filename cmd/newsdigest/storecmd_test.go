package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest"
	"github.com/newsdigest/newsdigest/internal/pgtest"
	"github.com/newsdigest/newsdigest/store"
)

// TestStoreCopyAndMigrate is a team moving from SQLite to PostgreSQL: copy
// keeps what was delivered (so nothing of the lookback is posted again),
// refuses to copy twice, and migrate reports the schema; the DSN's
// password never shows.
func TestStoreCopyAndMigrate(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	withPassword := strings.Replace(dsn, "postgres://postgres@", "postgres://postgres:hunter2-secret@", 1)
	dir := t.TempDir()
	ctx := context.Background()
	old, err := store.Open(ctx, filepath.Join(dir, "newsdigest.db"))
	if err != nil {
		t.Fatal(err)
	}
	feed := newsdigest.Feed{Name: "Wire", URL: "https://wire.example/rss"}
	it := newsdigest.Item{ID: "i1", FeedURL: feed.URL, Title: "Cartel story", Link: "https://wire.example/1", Published: time.Now()}
	if _, err := old.SavePoll(ctx, []store.PollFeed{{Feed: feed, Status: 200, Items: []store.PollItem{
		{Item: it, Matches: []newsdigest.Match{{Topic: "cartels", Score: 1}}}}}}); err != nil {
		t.Fatal(err)
	}
	id, err := old.BeginDelivery(ctx, store.Delivery{Channel: "#mx", DigestID: "d", Part: 1, ItemIDs: []string{"i1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.ConfirmDelivery(ctx, id, "1.1", "C1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	old.Close()

	cfg := filepath.Join(dir, "config.yaml")
	writeConfigAt(t, cfg, "store: {driver: postgres, dsn: \"${NEWSDIGEST_DSN}\", path: newsdigest.db}\nfeeds:\n  - {name: Wire, url: \"https://wire.example/rss\"}\ntopics:\n  - {name: cartels, terms: [cartel*]}\n")
	getenv := func(k string) string { return map[string]string{"NEWSDIGEST_DSN": withPassword}[k] }
	var printed []string // everything any command printed, checked for the password at the end
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := Main(ctx, args, strings.NewReader(""), &out, &errOut, getenv)
		printed = append(printed, out.String(), errOut.String())
		return code, out.String(), errOut.String()
	}
	// The test server trusts every local user, so the password is ignored.
	code, out, errOut := run("store", "copy", "-config", cfg, "-from", "sqlite", "-to", "postgres")
	if code != 0 || !strings.Contains(out, "delivered_items") || !strings.Contains(out, "set store.driver: postgres") {
		t.Fatalf("store copy = %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run("store", "copy", "-config", cfg)
	if code == 0 || !strings.Contains(errOut, "not empty") {
		t.Errorf("a second store copy = %d; want it refused (not empty)\n%s%s", code, out, errOut)
	}
	code, out, errOut = run("migrate", "-config", cfg)
	if code != 0 || !strings.Contains(out, "store (postgres): schema version 9, up to date") {
		t.Errorf("migrate = %d\n%s%s", code, out, errOut)
	}
	for _, s := range printed {
		if strings.Contains(s, "hunter2") {
			t.Errorf("the DSN's password shows: %s", s)
		}
	}
	st, err := store.OpenWith(ctx, store.Options{Driver: store.DriverPostgres, DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cands, err := st.Candidates(ctx, store.CandidateQuery{Channel: "#mx", Lookback: 24 * time.Hour})
	if err != nil || len(cands) != 0 {
		t.Errorf("candidates for #mx after the copy = %d, %v; want none (i1 was delivered)", len(cands), err)
	}

	// A DSN that does not answer: the error names no password.
	getenv = func(k string) string {
		return map[string]string{"NEWSDIGEST_DSN": "postgres://u:hunter2-secret@127.0.0.1:1/x?connect_timeout=2"}[k]
	}
	code, out, errOut = run("migrate", "-config", cfg)
	if code == 0 || strings.Contains(out+errOut, "hunter2") {
		t.Errorf("migrate against nothing = %d, output %q %q; want a failure without the password", code, out, errOut)
	}
}

func writeConfigAt(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
