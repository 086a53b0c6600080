package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdigest/newsdigest/config"
	"github.com/newsdigest/newsdigest/internal/feedtest"
)

func TestTopicsBlock(t *testing.T) {
	cfg, err := os.ReadFile(filepath.Join("..", "..", "..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := topicsBlock(string(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b, "topics:\n") || !strings.Contains(b, "  - name: troops") || strings.Contains(b, "\nfeeds:") {
		t.Errorf("topicsBlock of the shipped config = %.200q…; want its topics, and only them", b)
	}
	if _, err := topicsBlock("feeds: []\n"); err == nil {
		t.Error("topicsBlock of a config without topics: no error")
	}
}

// TestConfig: the items are served one feed per outlet (undated ones left
// out), and the written config is valid, spans every item, and keeps the
// topics it was given.
func TestConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "items.jsonl")
	lines := `{"id":"a","title":"Sheinbaum rejects US troops","summary":"x","source":"AP","date":"2025-05-03"}
{"id":"b","title":"Sheinbaum rechaza tropas","lede":"y","source":"EFE","date":"2025-05-03T10:00:00Z"}
{"id":"c","title":"Another AP story","source":"AP","date":"2006-07-17"}
{"id":"d","title":"Undated","source":"AP"}
`
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	items, err := readItems([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	specs, earliest, undated := feeds(items, "http://127.0.0.1:1")
	if len(specs) != 2 || specs[0].Title != "AP" || len(specs[0].Items) != 2 || specs[1].Title != "EFE" || undated != 1 {
		t.Fatalf("feeds = %+v, %d undated; want AP (2 items) and EFE (1), 1 undated", specs, undated)
	}
	if specs[1].Items[0].Summary != "y" || specs[0].Items[0].Link != "http://127.0.0.1:1/item/a" {
		t.Errorf("items = %+v; want the lede as summary and a link made up for a linkless item", specs)
	}
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	body := replayConfig("http://127.0.0.1:1", specs, earliest, now, filepath.Join(dir, "replay.db"), feedtest.CatchAllTopics())
	cfg, err := config.Parse([]byte(body), "replay.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatalf("config: %v\n%s", err, body)
	}
	if len(cfg.Feeds) != 2 || len(cfg.Topics) != 1 || now.Add(-cfg.Digest.Lookback).After(earliest) {
		t.Errorf("config = %d feeds, %d topics, lookback %v; want 2, 1, back to %v", len(cfg.Feeds), len(cfg.Topics), cfg.Digest.Lookback, earliest)
	}
	if _, err := readItems([]string{filepath.Join(dir, "missing.jsonl")}); err == nil {
		t.Error("readItems of a missing file: no error")
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"id\":\"x\"}\n"), 0o644)
	if _, err := readItems([]string{bad}); err == nil || !strings.Contains(err.Error(), "bad.jsonl:1") {
		t.Errorf("readItems of an item without a title = %v; want an error naming bad.jsonl:1", err)
	}
}
