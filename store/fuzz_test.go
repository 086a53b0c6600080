package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsdigest/newsdigest"
)

// FuzzSavePollRoundTrip checks that whatever text a feed sends comes back
// from the store byte for byte: validators, titles, links (and their
// canonical form), titles, GUIDs and summaries up to their caps.
func FuzzSavePollRoundTrip(f *testing.F) {
	f.Add(`W/"abc"`, "Mon, 02 Jan 2006 15:04:05 GMT", "Cártel & “T-MEC”", "resumen <b>x</b>", "https://EXAMPLE.com/a?utm_source=x#f", int64(0))
	f.Add("", "", "", "", "", int64(1))
	f.Add(`"\"quoted\""`, " spaced ", "nul\x00byte", "\xff\xfe invalid utf-8", "not a url", int64(-1))
	f.Add("'; DROP TABLE items; --", "?", "x", strings.Repeat("é", MaxSummaryRunes+1), "  https://a.example/  ", int64(1<<62))
	f.Add("etag", "lm", "t", "s", "http://a.example:80/p?b=2&a=1", int64(-1<<62))
	f.Add(strings.Repeat("g", MaxGUIDRunes+1), "", strings.Repeat("t ", MaxTitleRunes), "", "https://a.example/"+strings.Repeat("l", MaxLinkBytes), int64(0))

	s := MustOpen(f)
	ctx := context.Background()
	// What the store gives back of a text: PostgreSQL holds no NUL and no
	// invalid UTF-8 (dialect.cleanText); SQLite holds any bytes.
	stored := func(text string) string {
		if s.d.cleanText {
			return cleanText(text)
		}
		return text
	}
	n := 0
	f.Fuzz(func(t *testing.T, etag, lastModified, title, summary, link string, pubNanos int64) {
		n++
		feed := newsdigest.Feed{Name: title, URL: fmt.Sprintf("https://fuzz.example/%d", n)}
		// Each run has its own topic and second, so the query finds only its
		// item. The store takes any topic (config allows fewer): it comes
		// back byte for byte too.
		topic := fmt.Sprint("t", n, ":", lastModified)
		// Terms come from the YAML config, so they are always valid UTF-8;
		// the store keeps them as JSON, which cannot hold anything else.
		term := title
		if !utf8.ValidString(term) {
			term = "invalid utf-8 title"
		}
		seen := base.Add(time.Duration(n) * time.Second)
		var published time.Time
		if pubNanos != 0 {
			published = time.Unix(0, pubNanos).UTC()
		}
		it := newsdigest.Item{ID: feed.URL + "#1", FeedURL: feed.URL, FeedName: title, GUID: etag, Link: link,
			Title: title, Summary: summary, Published: published, Source: lastModified}
		_, err := s.SavePoll(ctx, []PollFeed{
			// A first poll, so that an undated item is not remember-only.
			{Feed: feed, PolledAt: seen.Add(-time.Millisecond), Status: 200},
			{Feed: feed, PolledAt: seen, Status: 200, ETag: etag, LastModified: lastModified,
				Items: []PollItem{{Item: it, Matches: []newsdigest.Match{{Topic: topic, Score: 1, Terms: []string{term}}}}}},
		})
		if err != nil {
			t.Fatalf("SavePoll: %v", err)
		}
		states, err := s.FeedStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st := states[feed.URL]
		if st.ETag != stored(etag) || st.LastModified != stored(lastModified) || st.Name != stored(title) {
			t.Errorf("FeedStates()[%q] = ETag %q, LastModified %q, Name %q; want %q, %q, %q",
				feed.URL, st.ETag, st.LastModified, st.Name, stored(etag), stored(lastModified), stored(title))
		}
		c, err := s.Candidates(ctx, CandidateQuery{Channel: "#c", To: seen, Topics: []string{topic}})
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 1 {
			t.Fatalf("Candidates() = %d items; want 1", len(c))
		}
		got := c[0]
		want := it
		want.Summary = stored(newsdigest.Truncate(summary, MaxSummaryRunes, nil))
		want.Title = stored(newsdigest.Truncate(title, MaxTitleRunes, nil))
		want.GUID = stored(newsdigest.Truncate(etag, MaxGUIDRunes, nil))
		want.FeedName, want.Source, want.Link = stored(want.FeedName), stored(want.Source), stored(want.Link)
		if len(link) > MaxLinkBytes {
			want.Link, link = "", ""
		}
		if !published.IsZero() {
			want.Published = published
		}
		if got.Item != want {
			t.Errorf("Candidates()[0].Item = %+v; want %+v", got.Item, want)
		}
		wantCanon := ""
		if strings.TrimSpace(link) != "" {
			wantCanon = stored(newsdigest.CanonicalURL(link))
		}
		if got.CanonicalURL != wantCanon {
			t.Errorf("Candidates()[0].CanonicalURL = %q; want %q", got.CanonicalURL, wantCanon)
		}
		if len(got.Matches) != 1 || got.Matches[0].Topic != stored(topic) || len(got.Matches[0].Terms) != 1 || got.Matches[0].Terms[0] != term {
			t.Errorf("Candidates()[0].Matches = %+v; want topic %q, terms [%q]", got.Matches, stored(topic), term)
		}
	})
}
