// Package newsdigest holds the domain types shared by the watcher, classifier,
// store and digest packages: feeds, topics, items and their matches. It
// depends on the standard library only.
package newsdigest

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Version is the program's version, printed by `newsdigest version`.
var Version = "0.1.0-dev"

// Feed is one configured news feed.
type Feed struct {
	Name     string
	URL      string
	Language string // optional BCP 47 tag such as "en" or "es"
}

// Topic is one watchlist: the terms that select items for it and the rules
// that veto them. See docs/DESIGN.md "Matching".
type Topic struct {
	Name       string
	Label      string
	Emoji      string
	Channel    string // optional per-topic Slack channel
	Terms      []string
	TitleTerms []string // count only in the title, not when a summary names them in passing
	Exclude    []string
	Unless     []string // exclude terms do not veto when one of these matches
	Require    [][]string
	MinScore   int
}

// DisplayLabel is the label, or the name when no label is set.
func (t Topic) DisplayLabel() string {
	if t.Label != "" {
		return t.Label
	}
	return t.Name
}

// Item is one entry of a feed, as fetched. Title, Summary and Content are the
// text the feed gave, which may still hold HTML.
type Item struct {
	ID        string // stable identity, see ItemID
	FeedURL   string // URL of the feed as configured
	FeedName  string // name of the feed as configured
	GUID      string // the feed's GUID or Atom ID, if any
	Link      string // absolute link as published
	Title     string
	Summary   string
	Content   string
	Published time.Time // zero when the feed gave no usable date
	Source    string    // outlet shown to readers; the feed name unless known better
}

// Match is one topic that an item matched.
type Match struct {
	Topic string   // topic name
	Score int      // 3 per distinct term matching in the title, else 1
	Terms []string // distinct matching terms as written in the config
}

// ItemID returns an item's identity within its feed: a hash of the feed URL
// and the item's GUID when present, else its canonical link, else its title
// and date.
func ItemID(feedURL string, it Item) string {
	var key string
	switch {
	case strings.TrimSpace(it.GUID) != "":
		key = "guid\x00" + strings.TrimSpace(it.GUID)
	case strings.TrimSpace(it.Link) != "":
		key = "link\x00" + CanonicalURL(it.Link)
	default:
		date := ""
		if !it.Published.IsZero() {
			date = it.Published.UTC().Format(time.RFC3339)
		}
		key = "text\x00" + strings.TrimSpace(it.Title) + "\x00" + date
	}
	sum := sha256.Sum256([]byte(feedURL + "\x00" + key))
	return hex.EncodeToString(sum[:16])
}

// trackingParams are query parameters that say how a reader arrived, not
// what they read; they are dropped from canonical links.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gclsrc": true, "msclkid": true,
	"mc_cid": true, "mc_eid": true, "igshid": true, "yclid": true, "_ga": true,
	"ref_src": true, "cmpid": true, "ocid": true, "smid": true, "__twitter_impression": true,
}

// CanonicalURL returns the form of a link used to compare stories: scheme and
// host lowercased, default ports, fragment and tracking parameters (utm_*,
// fbclid, gclid …) removed, remaining parameters sorted. A string that does
// not parse as an absolute URL is returned trimmed and otherwise unchanged.
func CanonicalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if (u.Scheme == "http" && strings.HasSuffix(u.Host, ":80")) || (u.Scheme == "https" && strings.HasSuffix(u.Host, ":443")) {
		u.Host = u.Host[:strings.LastIndexByte(u.Host, ':')]
	}
	u.Fragment = ""
	u.RawFragment = ""
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		// Work on the raw pairs: url.Query drops pairs it cannot parse (a
		// ';' in "?id=101;lang=es"), which would make two articles one.
		var keep []string
		for _, pair := range strings.Split(u.RawQuery, "&") {
			if pair == "" {
				continue
			}
			key, _, _ := strings.Cut(pair, "=")
			if k, err := url.QueryUnescape(key); err == nil {
				key = k
			}
			lk := strings.ToLower(key)
			if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
				continue
			}
			keep = append(keep, pair)
		}
		sort.Strings(keep)
		u.RawQuery = strings.Join(keep, "&")
		u.ForceQuery = false
	}
	return u.String()
}

// Candidate is a stored, matched item waiting to be delivered: what the store
// hands to the digest.
type Candidate struct {
	Item         Item
	CanonicalURL string    // CanonicalURL(Item.Link), or "" when the item has no link
	FirstSeen    time.Time // when newsdigest first fetched it
	Matches      []Match   // every topic it matched, best first
}

// FeedReport is how one feed fared, for the digest's coverage line.
type FeedReport struct {
	Name         string
	URL          string
	OK           bool      // fetched and parsed (a 304 counts as OK)
	NotModified  bool      // answered 304
	Error        string    // human-readable reason when not OK
	LastOK       time.Time // last successful fetch, zero if never
	FailingSince time.Time // first failure of the current run of failures, zero when OK
	Skipped      bool      // not fetched this run (backing off or not due)
	Status       int       // HTTP status of this run's fetch, 0 if none
	Duration     time.Duration
	Items        int // items in the feed this run
}

// Failing reports whether the feed is failing: it failed this run, or is
// being left alone after failures. A feed merely not due yet (its server
// asked for a later poll) is not failing.
func (r FeedReport) Failing() bool {
	return !r.OK && (r.Error != "" || !r.FailingSince.IsZero())
}
