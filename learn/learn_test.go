package learn

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// words splits a folded title and lede the simple way the tests need.
func words(title, summary string) [NumFields][]string {
	return [NumFields][]string{strings.Fields(title), strings.Fields(summary)}
}

func bytesOf(w [NumFields][]string) [NumFields][][]byte {
	var out [NumFields][][]byte
	for f, ws := range w {
		for _, x := range ws {
			out[f] = append(out[f], []byte(x))
		}
	}
	return out
}

// examples is a small labelled set: "cartel" items are crime, "tariff"
// items trade, the rest neither; each word is in several items, as
// Train's MinItems asks.
func examples() []Example {
	var ex []Example
	for i := range 12 {
		n := []string{"sinaloa", "jalisco", "golfo"}[i%3]
		ex = append(ex,
			Example{words("cartel "+n+" leader arrested", "police say the cartel moved drugs"), []string{"crime"}},
			Example{words("tariff on "+n+" steel", "trade talks on the tariff"), []string{"trade"}},
			Example{words("festival in "+n+" draws crowds", "music and food"), nil},
			Example{words("cartel and tariff row in "+n, "both"), []string{"crime", "trade"}},
		)
	}
	return ex
}

func train(t *testing.T) *Model {
	t.Helper()
	m, err := Train(examples(), []string{"crime", "trade"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainLearnsAndScores(t *testing.T) {
	m := train(t)
	var sc Scratch
	for _, tt := range []struct {
		title, summary string
		crime, trade   bool
	}{
		{"cartel boss arrested in sinaloa", "", true, false},
		{"new tariff on steel", "trade", false, true},
		{"festival draws crowds", "music", false, false},
	} {
		p := m.Score(nil, &sc, bytesOf(words(tt.title, tt.summary)))
		if len(p) != 2 {
			t.Fatalf("Score gave %d probabilities for 2 topics", len(p))
		}
		if (p[0] > 0.5) != tt.crime || (p[1] > 0.5) != tt.trade {
			t.Errorf("%q: crime %.3f trade %.3f; want crime %v trade %v", tt.title, p[0], p[1], tt.crime, tt.trade)
		}
		for k, topic := range m.Topics() {
			q, top, ok := m.Explain(topic, bytesOf(words(tt.title, tt.summary)), 3)
			if !ok || math.Abs(q-p[k]) > 1e-9 || len(top) > 3 {
				t.Errorf("%q %s: Explain %.6f (%v, %d features), Score %.6f", tt.title, topic, q, ok, len(top), p[k])
			}
		}
	}
	if _, _, ok := m.Explain("sports", bytesOf(words("x", "")), 3); ok {
		t.Error("Explain of a topic the model does not know: ok")
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := train(t).Write(&a); err != nil {
		t.Fatal(err)
	}
	if err := train(t).Write(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Error("two trainings on the same examples wrote different models")
	}
}

func TestTrainRejects(t *testing.T) {
	for _, tt := range []struct {
		ex     []Example
		topics []string
	}{
		{examples(), nil},
		{examples(), []string{"a", "a"}},
		{examples(), []string{""}},
		{nil, []string{"a"}},
	} {
		if _, err := Train(tt.ex, tt.topics, Options{}); err == nil {
			t.Errorf("Train(%d examples, %q): no error", len(tt.ex), tt.topics)
		}
	}
}

// TestFeatureKeys checks that the hashes Score computes from word bytes are
// the hashes of the features Train learns from strings: the two must read
// an item alike.
func TestFeatureKeys(t *testing.T) {
	w := words("cartel de sinaloa cartel", "el cartel")
	fs := Features(nil, w)
	want := []string{"b:cartel", "b:el", "cartel", "cartel de", "de", "de sinaloa", "el", "el cartel",
		"sinaloa", "sinaloa cartel", "t:cartel", "t:de", "t:sinaloa"}
	if !slices.Equal(fs, want) {
		t.Errorf("Features = %q\nwant       %q", fs, want)
	}
	var keys []uint64
	for _, f := range fs {
		keys = append(keys, hash(f))
	}
	slices.Sort(keys)
	var sc Scratch
	got := slices.Clone(sc.featureKeys(bytesOf(w)))
	slices.Sort(got)
	if got = slices.Compact(got); !slices.Equal(got, keys) {
		t.Errorf("featureKeys = %x\nwant          %x", got, keys)
	}
}

func TestFileRoundTrip(t *testing.T) {
	m := train(t)
	m.About = "made for a test\nsecond line"
	var a bytes.Buffer
	if err := m.Write(&a); err != nil {
		t.Fatal(err)
	}
	r, err := Read(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatalf("Read what Write wrote: %v\n%s", err, a.String())
	}
	if r.About != m.About || !slices.Equal(r.Topics(), m.Topics()) {
		t.Errorf("read back About %q topics %q; want %q %q", r.About, r.Topics(), m.About, m.Topics())
	}
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("Write(Read(file)) differs from file:\n%s\n---\n%s", a.String(), b.String())
	}
	var sc Scratch
	for _, ex := range examples()[:8] {
		p, q := m.Score(nil, &sc, bytesOf(ex.Words)), r.Score(nil, &sc, bytesOf(ex.Words))
		for k := range p {
			// Three decimals per weight, a few dozen features an item.
			if math.Abs(p[k]-q[k]) > 0.01 {
				t.Errorf("%q: trained %.4f, read back %.4f", ex.Words, p[k], q[k])
			}
		}
	}
}

func TestReadErrors(t *testing.T) {
	const head = fileHeader + "\n# about\ntopics\ta\tb\nbias\t-1\t-2\n"
	for _, tt := range []struct{ file, want string }{
		{"", "no topics or bias line"},
		{"topics\ta\n", "line 1: not a newsdigest model file"},
		{fileHeader + "\nbias\t1\n", "line 2: want the topics line"},
		{fileHeader + "\ntopics\ta\ta\n", `line 2: topic "a" empty or repeated`},
		{fileHeader + "\ntopics\ta\n", "no topics or bias line"},
		{fileHeader + "\ntopics\ta\tb\ncartel\t1\t2\n", "line 3: want the bias line"},
		{fileHeader + "\ntopics\ta\tb\nbias\t1\n", "line 3: bias: 1 weights for 2 topics"},
		{head + "cartel\t1\tx\n", `line 5: feature "cartel": weight "x" is not a finite number`},
		{head + "cartel\t1\tNaN\n", `line 5: feature "cartel": weight "NaN"`},
		{head + "cartel\t1\t1e300\n", `weight "1e300" is not a finite number`},
		{head + "cartel\t1\n", "line 5: feature \"cartel\": 1 weights for 2 topics"},
		{head + "cartel\t1\t2\t3\n", "more weights than the 2 topics"},
		{head + "cartel\n", "no weights"},
		{head + "\t1\t2\n", "line 5: feature \"\" is empty"},
		{head + " cartel\t1\t2\n", "white space at an end"},
		{head + "# late\n", "line 5: comments come before the topics line"},
		{head + "cartel\t1\t2\ncartel\t3\t4\n", `features "cartel" and "cartel" have the same hash`},
	} {
		_, err := Read(strings.NewReader(tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Read(%q) = %v; want an error with %q", tt.file, err, tt.want)
		}
	}
	m, err := Read(strings.NewReader(head + "cartel\t1.5\t-0.25\nt:de\t0\t2\n"))
	if err != nil {
		t.Fatal(err)
	}
	var sc Scratch
	p := m.Score(nil, &sc, bytesOf(words("cartel de", "")))
	if want := []float64{sigmoid(-1 + 1.5), sigmoid(-2 - 0.25 + 2)}; math.Abs(p[0]-want[0]) > 1e-6 || math.Abs(p[1]-want[1]) > 1e-6 {
		t.Errorf("Score = %v; want %v", p, want)
	}
}

func TestParseWeight(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "-1.25", "0.001", "123.456", "1e-3", "-2E2", "0.1234567890123456789", "+3", ".5", "5."} {
		got, used, err := parseWeight(s + "\tnext")
		want, werr := strconv.ParseFloat(s, 64)
		if used != len(s) || (err != nil) != (werr != nil) || math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("parseWeight(%q) = %v, %v; strconv says %v, %v", s, got, err, want, werr)
		}
	}
	for _, s := range []string{"", "-", ".", "x", "1.2.3", "--1"} {
		if _, _, err := parseWeight(s); err == nil {
			t.Errorf("parseWeight(%q): no error", s)
		}
	}
	for _, x := range []float64{0, -0.0004, 0.0004, 1, -1.2345, 0.1, 12.5} {
		s := string(appendWeight(nil, x))
		got, _, err := parseWeight(s)
		if err != nil || math.Abs(got-x) > 0.0005 {
			t.Errorf("appendWeight(%v) = %q, read back %v, %v", x, s, got, err)
		}
		if strings.HasSuffix(s, "0") && strings.Contains(s, ".") || s == "-0" {
			t.Errorf("appendWeight(%v) = %q: trailing zeros or a negative zero", x, s)
		}
	}
}

// FuzzRead: no input panics Read, and a model it accepts writes a file
// that reads back to the same file.
func FuzzRead(f *testing.F) {
	var b bytes.Buffer
	m, err := Train(examples(), []string{"crime", "trade"}, Options{})
	if err != nil {
		f.Fatal(err)
	}
	m.Write(&b)
	f.Add(b.String())
	f.Add(fileHeader + "\ntopics\ta\nbias\t0\nx\t1\n")
	f.Add(fileHeader + "\n#\ntopics\ta\tb\nbias\t-1e3\t.5\n \t1\t2\n")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Read(strings.NewReader(s))
		if err != nil {
			return
		}
		var a, b bytes.Buffer
		if err := m.Write(&a); err != nil {
			t.Fatal(err)
		}
		r, err := Read(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatalf("Read(Write(m)) = %v\n%s", err, a.String())
		}
		r.Write(&b)
		if a.String() != b.String() {
			t.Fatalf("Write(Read(Write(m))) differs:\n%q\n%q", a.String(), b.String())
		}
		var sc Scratch
		r.Score(nil, &sc, bytesOf(words("a b c", "d")))
	})
}
