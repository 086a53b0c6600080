package digest

import (
	"testing"

	"github.com/newsdigest/newsdigest"
)

func TestSite(t *testing.T) {
	for link, want := range map[string]string{
		"https://www.reuters.com/world/x":           "reuters.com",
		"https://REUTERS.com./x":                    "reuters.com",
		"http://edition.cnn.com/2026/x":             "cnn.com",
		"https://www.eluniversal.com.mx/nacion/x":   "eluniversal.com.mx",
		"https://m.eluniversal.com.mx/nacion/x":     "eluniversal.com.mx",
		"https://news.google.com/rss/articles/CBMi": "", // carries every outlet
		"https://feedproxy.google.com/~r/x":         "",
		"https://bit.ly/3abc":                       "",
		"http://127.0.0.1:8080/item/1":              "", // an address names no outlet
		"http://[::1]:8080/item/1":                  "",
		"http://localhost/item":                     "",
		"ftp://reuters.com/x":                       "",
		"/relative/link":                            "",
		"":                                          "",
	} {
		if got := site(link); got != want {
			t.Errorf("site(%q) = %q; want %q", link, got, want)
		}
	}
}

// TestOutlets: one outlet's two feeds count once (same site, or the same
// name), a Google News item counts as the outlet it names, and two items
// that each share a key with a different outlet join them into one.
func TestOutlets(t *testing.T) {
	item := func(source, feed, link string) newsdigest.Item {
		return newsdigest.Item{Source: source, FeedName: feed, Link: link}
	}
	tests := []struct {
		name  string
		items []newsdigest.Item
		want  int
	}{
		{"one outlet's two feeds", []newsdigest.Item{
			item("Reuters World", "Reuters World", "https://www.reuters.com/world/a"),
			item("Reuters Americas", "Reuters Americas", "https://www.reuters.com/americas/a"),
		}, 1},
		{"Google News names its outlet", []newsdigest.Item{
			item("Reuters", "Reuters", "https://www.reuters.com/world/a"),
			item("reuters", "Google News (EN)", "https://news.google.com/rss/articles/CBMi1"),
			item("Los Angeles Times", "Google News (EN)", "https://news.google.com/rss/articles/CBMi2"),
		}, 2},
		{"accents and case", []newsdigest.Item{
			item("Milenio", "", "https://www.milenio.com/a"),
			item("MILENIO", "", "http://127.0.0.1/b"),
		}, 1},
		{"no source: the feed's name", []newsdigest.Item{
			item("", "Proceso", "http://127.0.0.1/a"),
			item("", "Proceso", "http://127.0.0.1/b"),
			item("", "La Jornada", "http://127.0.0.1/c"),
		}, 2},
		{"a bridge joins two outlets", []newsdigest.Item{
			item("AP", "", "https://apnews.com/a"),
			item("Associated Press", "", "https://www.ap.org/b"),
			item("AP", "", "https://www.ap.org/c"), // AP's name, ap.org's site
		}, 1},
	}
	for _, tt := range tests {
		var o outlets
		counts := []int{}
		for _, it := range tt.items {
			o.add(it)
			counts = append(counts, o.n)
		}
		if o.n != tt.want {
			t.Errorf("%s: %d outlets (after each item: %v); want %d", tt.name, o.n, counts, tt.want)
		}
	}
}
