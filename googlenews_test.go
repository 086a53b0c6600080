package newsdigest

import "testing"

func TestSplitGoogleNews(t *testing.T) {
	const gn = "https://news.google.com/rss/search?q=cartel&hl=en-US"
	const gnLink = "https://news.google.com/rss/articles/CBMiX2h0?oc=5"
	for _, tt := range []struct {
		feed, link, title string
		headline, outlet  string
		ok                bool
	}{
		{gn, gnLink, "Mexico arrests Sinaloa cartel leader - Reuters", "Mexico arrests Sinaloa cartel leader", "Reuters", true},
		{"https://example.test/feed", gnLink, "Detienen a líder - El Universal", "Detienen a líder", "El Universal", true},
		{gn, gnLink, "US-Mexico talks - a new phase - The New York Times", "US-Mexico talks - a new phase", "The New York Times", true},
		{"https://NEWS.GOOGLE.COM:443/rss", "", "Title - AP News", "Title", "AP News", true},
		{"https://www.reuters.com/rss", "https://www.reuters.com/a", "Mexico - US talks", "Mexico - US talks", "", false},
		{gn, gnLink, "No outlet suffix", "No outlet suffix", "", false},
		{gn, gnLink, " - Reuters", " - Reuters", "", false},
		{gn, gnLink, "Title - ", "Title - ", "", false},
		{"https://news.google.com.evil.test/rss", "", "Title - Outlet", "Title - Outlet", "", false},
	} {
		t.Run(tt.title, func(t *testing.T) {
			h, o, ok := SplitGoogleNews(tt.feed, tt.link, tt.title)
			if h != tt.headline || o != tt.outlet || ok != tt.ok {
				t.Errorf("SplitGoogleNews(%q, %q, %q) = %q, %q, %v; want %q, %q, %v", tt.feed, tt.link, tt.title, h, o, ok, tt.headline, tt.outlet, tt.ok)
			}
		})
	}
}
