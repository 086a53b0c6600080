package learn

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The model file is text, so that a reviewer can read what a model learned
// (grep a word) and a diff shows what retraining changed:
//
//	# newsdigest learned topic model
//	# any comment lines: what it was trained on (Model.About)
//	topics	sovereignty	cartels	usmca	troops
//	bias	-3.2	-2.1	-3.9	-3.4
//	b:arancel	0.01	-0.2	0.83	-0.05
//	cartel	-0.4	1.9	-0.3	-0.2
//	cartel de	…
//
// Fields are separated by one tab; a feature line is the feature (a
// folded word, "t:" or "b:" and a word, or two words and a space) and one
// weight per topic. Features are sorted.
const fileHeader = "# newsdigest learned topic model"

// Write writes m in the model file format.
func (m *Model) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(fileHeader + "\n")
	for line := range strings.SplitSeq(strings.TrimSpace(m.About), "\n") {
		if line != "" {
			fmt.Fprintf(bw, "# %s\n", line)
		}
	}
	bw.WriteString("topics")
	for _, t := range m.topics {
		bw.WriteString("\t" + t)
	}
	bw.WriteString("\nbias")
	var num []byte
	for _, b := range m.bias {
		num = appendWeight(append(num[:0], '\t'), b)
		bw.Write(num)
	}
	bw.WriteString("\n")
	nt := len(m.topics)
	order := make([]int, len(m.names))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(m.names[a], m.names[b]) })
	for _, i := range order {
		bw.WriteString(m.names[i])
		for _, x := range m.w[i*nt : (i+1)*nt] {
			num = appendWeight(append(num[:0], '\t'), float64(x))
			bw.Write(num)
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// appendWeight appends x with three decimals, trailing zeros dropped
// ("0.1", "-1.25", "0"): finer than any item's score needs (an item has
// about a hundred features; their rounding moves its logit by a few
// thousandths), and what parseWeight reads fast.
func appendWeight(dst []byte, x float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, x, 'f', 3, 64)
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	if dst[len(dst)-1] == '.' {
		dst = dst[:len(dst)-1]
	}
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}

// parseWeight reads the weight at the start of s, up to a tab or the end,
// and returns it with the bytes it took: "-?digits(.digits)?" directly
// (what Write writes, up to 15 digits in all), anything else through
// strconv.
func parseWeight(s string) (x float64, used int, err error) {
	neg, i := false, 0
	if len(s) > 0 && s[0] == '-' {
		neg, i = true, 1
	}
	var n uint64
	digits, frac, dot, slow := 0, 0, false, false
	for ; i < len(s) && s[i] != '\t'; i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9' && digits < 15:
			n = n*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			slow = true
		}
	}
	if slow || digits == 0 {
		x, err = strconv.ParseFloat(s[:i], 64)
		return x, i, err
	}
	x = float64(n) / pow10[frac]
	if neg {
		x = -x
	}
	return x, i, nil
}

var pow10 = [16]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// maxFileBytes bounds what Read accepts: the shipped model is about a
// megabyte.
const maxFileBytes = 64 << 20

// Read reads a model file. An error names the line.
func Read(r io.Reader) (*Model, error) {
	// The file is read into a string once (a Builder's String does not
	// copy), sized from Stat when r is a file: names are substrings of it,
	// and start-up allocates as little as it can.
	var b strings.Builder
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() <= maxFileBytes {
			b.Grow(int(fi.Size()) + 1)
		}
	}
	if _, err := io.Copy(&b, io.LimitReader(r, maxFileBytes+1)); err != nil {
		return nil, err
	}
	if b.Len() > maxFileBytes {
		return nil, fmt.Errorf("learn: model file over %d MiB", maxFileBytes>>20)
	}
	return parse(b.String())
}

func parse(text string) (*Model, error) {
	m := &Model{}
	var about []string
	lines := strings.Count(text, "\n") + 1
	n := 0
	for len(text) > 0 {
		n++
		line := text
		if k := strings.IndexByte(text, '\n'); k >= 0 {
			line, text = text[:k], text[k+1:]
		} else {
			text = ""
		}
		if n == 1 {
			if line != fileHeader {
				return nil, fmt.Errorf("learn: line 1: not a newsdigest model file (want %q)", fileHeader)
			}
			continue
		}
		if rest, ok := strings.CutPrefix(line, "#"); ok {
			if m.topics == nil {
				about = append(about, strings.TrimSpace(rest))
				continue
			}
			return nil, fmt.Errorf("learn: line %d: comments come before the topics line", n)
		}
		tab := strings.IndexByte(line, '\t')
		name, rest := line, ""
		if tab >= 0 {
			name, rest = line[:tab], line[tab+1:]
		}
		switch {
		case m.topics == nil:
			if name != "topics" || rest == "" {
				return nil, fmt.Errorf("learn: line %d: want the topics line (topics, a tab, and the topics tab-separated)", n)
			}
			m.topics = strings.Split(rest, "\t")
			for i, t := range m.topics {
				if t == "" || slices.Contains(m.topics[:i], t) {
					return nil, fmt.Errorf("learn: line %d: topic %q empty or repeated", n, t)
				}
			}
			// Every weight takes two bytes at least: no file makes these
			// larger than it.
			m.w = make([]float32, 0, min(lines*len(m.topics), len(text)/2+1))
			m.keys = make([]uint64, 0, min(lines, len(text)/4+1))
			m.names = make([]string, 0, cap(m.keys))
			continue
		case m.bias == nil:
			if name != "bias" {
				return nil, fmt.Errorf("learn: line %d: want the bias line after the topics line", n)
			}
			b, err := weights(nil, rest, tab >= 0, len(m.topics))
			if err != nil {
				return nil, fmt.Errorf("learn: line %d: bias: %v", n, err)
			}
			for _, x := range b {
				m.bias = append(m.bias, float64(x))
			}
			continue
		}
		if name == "" || strings.TrimSpace(name) != name {
			return nil, fmt.Errorf("learn: line %d: feature %q is empty or has white space at an end", n, name)
		}
		var err error
		if m.w, err = weights(m.w, rest, tab >= 0, len(m.topics)); err != nil {
			return nil, fmt.Errorf("learn: line %d: feature %q: %v", n, name, err)
		}
		m.keys = append(m.keys, hash(name))
		m.names = append(m.names, name)
	}
	if m.bias == nil {
		return nil, fmt.Errorf("learn: model file has no topics or bias line")
	}
	m.About = strings.Join(about, "\n")
	if err := m.index(); err != nil {
		return nil, err
	}
	return m, nil
}

// weights appends the n tab-separated weights of fields to dst (any is
// false when the line had no tab, so no weights at all).
func weights(dst []float32, fields string, any bool, n int) ([]float32, error) {
	if !any {
		return nil, fmt.Errorf("no weights for %d topics", n)
	}
	for k := range n {
		x, used, err := parseWeight(fields)
		f := fields[:used]
		if err != nil || x-x != 0 || math.Abs(x) > 1e6 { // x-x: NaN for ±Inf and NaN
			return nil, fmt.Errorf("weight %q is not a finite number", f)
		}
		dst = append(dst, float32(x))
		more := used < len(fields) // stopped at a tab
		if more {
			fields = fields[used+1:]
		}
		switch {
		case !more && k < n-1:
			return nil, fmt.Errorf("%d weights for %d topics", k+1, n)
		case more && k == n-1:
			return nil, fmt.Errorf("more weights than the %d topics", n)
		}
	}
	return dst, nil
}
