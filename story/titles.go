package story

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/newsdigest/newsdigest/classify"
)

// This file reads the ends of titles: the " - Outlet" or " | Site name and
// slogan" that feeds leave on headlines, which say nothing about the story.

// outletSeparators are what outlets put between a headline and their name.
var outletSeparators = []string{" | ", " - ", " — ", " – "}

// stripOutlet cuts a trailing " | Outlet" (or " - ", " — ", " – ") from a
// title when the tail names the item's source or feed, or, after " | ",
// is at most four words.
func stripOutlet(title, source, feedName string) string {
	for _, sep := range outletSeparators {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		tail := strings.TrimSpace(title[i+len(sep):])
		if tail == "" {
			continue
		}
		ft := classify.FoldString(tail)
		if (source != "" && ft == classify.FoldString(strings.TrimSpace(source))) ||
			(feedName != "" && ft == classify.FoldString(strings.TrimSpace(feedName))) ||
			(sep == " | " && len(strings.Fields(tail)) <= 4) ||
			knownSuffix(ft) {
			return strings.TrimSpace(title[:i])
		}
	}
	return title
}

// knownSuffix reports whether a folded title tail is a common outlet
// abbreviation that is not the outlet's feed name ("WSJ", "BBC News").
func knownSuffix(ft string) bool {
	switch ft {
	case "wsj", "bbc news", "bbc", "the washington post", "the new york times", "ap news", "reuters", "cnn":
		return true
	}
	return false
}

// stripRepeatedTails cuts, from each title, a trailing " - Tail" (or " | ",
// " — ", " – ") that another title of the same source (or feed, when the
// source is not known) ends with too: a site's name and slogan, repeated on
// its headlines ("… - KSLA News 12 Shreveport, Louisiana News Weather &
// Sports"), say nothing about the story, and left in they glue the site's
// unrelated stories together. It repeats while a cut uncovers another
// shared tail ("… - LEX18.com | Continuous News …"), three passes at most.
// docs are not changed: the titles are returned, docs[i]'s at i, or nil
// when none is cut. The answer depends on the set of docs, not on their
// order.
func stripRepeatedTails(docs []Doc) []string {
	titles := make([]string, len(docs))
	for i := range docs {
		titles[i] = docs[i].Title
	}
	type key struct{ site, tail string }
	cutAny := false
	for range 3 {
		tails := make(map[key]int)
		keys := make([]key, len(docs))
		cut := make([]int, len(docs)) // where the title's tail starts, 0: none
		for i := range docs {
			site := cmp.Or(docs[i].Source, docs[i].Feed)
			if site == "" {
				continue
			}
			at, tail := lastTail(titles[i])
			if at == 0 {
				continue
			}
			cut[i], keys[i] = at, key{site, classify.FoldString(tail)}
			tails[keys[i]]++
		}
		changed := false
		for i := range docs {
			if cut[i] != 0 && tails[keys[i]] >= 2 {
				titles[i], changed = strings.TrimSpace(titles[i][:cut[i]]), true
			}
		}
		if !changed {
			break
		}
		cutAny = true
	}
	if !cutAny {
		return nil
	}
	return titles
}

// lastTail returns where a title's last " - Tail" (any of outletSeparators)
// starts and the tail, when at least two words come before it; 0 and ""
// when there is none. Every separator starts with a space: the title is
// read once, from the end, space by space.
func lastTail(title string) (int, string) {
	for end := len(title); ; {
		at := strings.LastIndexByte(title[:end], ' ')
		if at <= 0 {
			return 0, ""
		}
		end = at
		if at+1 == len(title) || strings.IndexByte(separatorSeconds, title[at+1]) < 0 {
			continue // most spaces: no separator starts here
		}
		for _, sep := range outletSeparators {
			if !strings.HasPrefix(title[at:], sep) {
				continue
			}
			// At least two words before: strings.Fields would find two.
			head := strings.TrimSpace(title[:at])
			tail := strings.TrimSpace(title[at+len(sep):])
			if tail == "" || strings.IndexFunc(head, unicode.IsSpace) < 0 {
				return 0, ""
			}
			return at, tail
		}
	}
}

// separatorSeconds holds the second byte of each of outletSeparators.
var separatorSeconds = func() string {
	var b []byte
	for _, sep := range outletSeparators {
		b = append(b, sep[1])
	}
	return string(b)
}()

// headSeparators are outletSeparators and the rarer marks some sites put
// before their name.
var headSeparators = append(slices.Clone(outletSeparators), " * ", " : ", " [", " #")

// headStems are the stem IDs of a title's words before a trailing " - X"
// (or any of headSeparators) of at most five words, which may be an
// outlet's name that stripOutlet could not tell ("… - Taipei Times", "… *
// Trabajadores", "… [Los Angeles Times]"); nil when the title has no such
// tail. Reading them changes no word counts.
func (s *stemmer) headStems(title string) []uint32 {
	cut := -1
	for _, sep := range headSeparators {
		if i := strings.LastIndex(title, sep); i > cut && i > 0 {
			if n := len(strings.Fields(title[i+len(sep):])); n > 0 && n <= 5 {
				cut = i
			}
		}
	}
	if cut < 0 {
		return nil
	}
	ids := []uint32{}
	for raw := range strings.FieldsFuncSeq(normText(title[:cut]), notWordRune) {
		w := s.word(raw)
		for _, t := range s.toks[w.start:w.end] {
			if !t.stop {
				ids = append(ids, t.id)
			}
		}
	}
	return ids
}
