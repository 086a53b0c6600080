package story

import "testing"

// TestStem: a verb's forms meet, and so do the lexicon's words read as
// they are.
func TestStem(t *testing.T) {
	for _, forms := range [][]string{
		{"file", "files", "filed", "filing"},
		{"seize", "seizes", "seized", "seizing"},
		{"close", "closes", "closed", "closing"},
		{"vote", "votes", "voted", "voting"},
		{"invite", "invites", "invited", "inviting"},
		{"claim", "claims", "claimed", "claiming"},
		{"agree", "agrees"},
		{"need", "needs"},
	} {
		for _, f := range forms[1:] {
			if got, want := stem(f), stem(forms[0]); got != want {
				t.Errorf("stem(%q) = %q; want %q, as stem(%q)", f, got, want, forms[0])
			}
		}
	}
	for in, want := range map[string]string{
		"bring":   "bring", // too short to lose "ing"
		"being":   "being",
		"red":     "red", // too short to lose "ed"
		"speeded": "speed",
		"agreed":  "agree", // "-eed" is not "-ed"
		"meeting": "meet",
		"skates":  "skat",
	} {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q; want %q", in, got, want)
		}
	}
	// The lexicon's places and words are read before their endings go:
	// "Beijing" is the place Pekín is, not "beij".
	st := newStemmer()
	d := st.doc(Doc{Title: "Beijing hearing Pekín"})
	if len(d.title) != 2 {
		t.Fatalf("Beijing hearing Pekín read as %d stems; want 2", len(d.title))
	}
	places := 0
	for _, id := range d.title {
		if st.info[id].place {
			places++
		}
	}
	if places != 1 {
		t.Errorf("Beijing hearing Pekín: %d places; want 1", places)
	}
}

// TestHeadStemsReadLikeTitles: a title's head is read as the title is, so
// every stem of the head is one of the title's ("G-7" and "COVID-19" too).
func TestHeadStemsReadLikeTitles(t *testing.T) {
	for _, title := range []string{
		"G-7 leaders back COVID-19 vaccine plan - Taipei Times",
		"N.A.A.C.P. and U.S. officials meet over $1.9T plan * Trabajadores",
	} {
		st := newStemmer()
		st.heads = true
		d := st.doc(Doc{Title: title})
		if len(d.head) == 0 {
			t.Fatalf("%q: no head read", title)
		}
		for _, id := range d.head {
			if !inSet(d.title, id) {
				t.Errorf("%q: head stem %q is not one of the title's", title, st.stemOf[id])
			}
		}
	}
}
