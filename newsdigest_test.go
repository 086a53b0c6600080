package newsdigest

import (
	"testing"
	"time"
)

func TestCanonicalURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTPS://Example.COM/Path?b=2&a=1#frag", "https://example.com/Path?a=1&b=2"},
		{"http://example.com:80/x", "http://example.com/x"},
		{"https://example.com:443/x", "https://example.com/x"},
		{"https://example.com:8443/x", "https://example.com:8443/x"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com/a?utm_source=rss&utm_medium=feed&id=7&fbclid=x&gclid=y", "https://example.com/a?id=7"},
		{"https://example.com/a?UTM_Campaign=x", "https://example.com/a"},
		{"https://example.com/a?utm_source=rss", "https://example.com/a"},
		// Pairs url.Query cannot parse must survive: they tell articles apart.
		{"https://example.com/news.php?id=101;lang=es", "https://example.com/news.php?id=101;lang=es"},
		{"https://example.com/news.php?id=102;lang=es&utm_source=x", "https://example.com/news.php?id=102;lang=es"},
		{"https://example.com/a?q=%E2%82%AC&x", "https://example.com/a?q=%E2%82%AC&x"},
		{"  https://example.com/a  ", "https://example.com/a"},
		{"not a url", "not a url"},
		{"/relative/path", "/relative/path"},
	}
	for _, tt := range tests {
		if got := CanonicalURL(tt.in); got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestItemID(t *testing.T) {
	date := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	feed := "https://feed.example/rss"
	tests := []struct {
		name string
		a, b Item
		same bool
	}{
		{"same GUID, different links", Item{GUID: "g1", Link: "https://a/1"}, Item{GUID: "g1", Link: "https://a/2"}, true},
		{"different GUIDs", Item{GUID: "g1"}, Item{GUID: "g2"}, false},
		{"no GUID: canonical link", Item{Link: "https://A/1?utm_source=x"}, Item{Link: "https://a/1#top"}, true},
		{"no GUID: different links", Item{Link: "https://a/news.php?id=101;lang=es"}, Item{Link: "https://a/news.php?id=102;lang=es"}, false},
		{"no GUID or link: title and date", Item{Title: "T", Published: date}, Item{Title: "T", Published: date.In(time.FixedZone("CST", -6*3600))}, true},
		{"no GUID or link: other date", Item{Title: "T", Published: date}, Item{Title: "T", Published: date.Add(time.Hour)}, false},
	}
	for _, tt := range tests {
		if got := ItemID(feed, tt.a) == ItemID(feed, tt.b); got != tt.same {
			t.Errorf("%s: same identity = %v; want %v", tt.name, got, tt.same)
		}
	}
	if ItemID(feed, Item{GUID: "g"}) == ItemID("https://other.example/rss", Item{GUID: "g"}) {
		t.Error("one GUID in two feeds gives one identity; feeds' GUIDs are their own")
	}
}

func TestFeedReportFailing(t *testing.T) {
	since := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		r    FeedReport
		want bool
	}{
		{"ok", FeedReport{OK: true}, false},
		{"304", FeedReport{OK: true, NotModified: true}, false},
		{"failed now", FeedReport{Error: "HTTP 503", FailingSince: since}, true},
		{"backing off", FeedReport{Skipped: true, Error: "HTTP 503 (backing off until 09:00)", FailingSince: since}, true},
		{"not due (max-age)", FeedReport{Skipped: true}, false},
	}
	for _, tt := range tests {
		if got := tt.r.Failing(); got != tt.want {
			t.Errorf("%s: Failing() = %v; want %v", tt.name, got, tt.want)
		}
	}
}
