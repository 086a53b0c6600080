package newsdigest

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxOutletRunes bounds what SplitGoogleNews accepts as an outlet name: a
// longer tail after " - " is part of the headline, not an outlet.
const maxOutletRunes = 80

// IsGoogleNews reports whether a URL points at Google News
// (news.google.com, any scheme, port or path).
func IsGoogleNews(raw string) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Hostname(), "news.google.com")
}

// SplitGoogleNews splits the title of a Google News item, "Headline -
// Outlet", into the headline and the outlet. It applies only when the feed
// URL or the item's link is on news.google.com; the split is at the last
// " - ", and both parts must be non-empty with an outlet of at most 80
// runes. Otherwise it returns the title unchanged, "" and false. The link is
// not touched: Google's redirect links keep working as they are.
func SplitGoogleNews(feedURL, link, title string) (headline, outlet string, ok bool) {
	// The title is looked at first: most titles have no " - ", and
	// parsing two URLs per item of every feed is what costs.
	i := strings.LastIndex(title, " - ")
	if i < 0 || !IsGoogleNews(feedURL) && !IsGoogleNews(link) {
		return title, "", false
	}
	headline = strings.TrimSpace(title[:i])
	outlet = strings.TrimSpace(title[i+len(" - "):])
	if headline == "" || outlet == "" || utf8.RuneCountInString(outlet) > maxOutletRunes {
		return title, "", false
	}
	return headline, outlet, true
}
