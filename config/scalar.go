package config

// Readers of typed scalar values: string, secret, integer, one of a few
// words (boolean), duration, and lists of strings. Each expands ${VAR}
// first and leaves the default in place for a value that is null or empty
// after expansion.

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// scalar returns the ${VAR}-expanded text of a scalar node ("" for null).
// ok is false, and a problem recorded, when n is not a scalar or its
// expansion is malformed. refs lists the variables it referenced.
func (p *parser) scalar(n *yaml.Node, path, want string) (val string, refs []envRef, ok bool) {
	n = resolve(n)
	if isNull(n) {
		return "", nil, true
	}
	if n.Kind != yaml.ScalarNode {
		p.add(n.Line, path, "expected %s, got %s", want, kindName(n))
		return "", nil, false
	}
	val, refs, err := expand(n.Value, p.getenv)
	if err != nil {
		p.add(n.Line, path, "%v", err)
		return "", nil, false
	}
	return val, refs, true
}

// fromEnv says, for messages, that a quoted value was expanded.
func fromEnv(n *yaml.Node) string {
	if strings.Contains(resolve(n).Value, "${") {
		return " (after expanding ${...})"
	}
	return ""
}

// str reads a string setting into *dst.
func (p *parser) str(dst *string) reader {
	return func(n *yaml.Node, path string) {
		if v, _, ok := p.scalar(n, path, "a string"); ok && v != "" {
			*dst = v
		}
	}
}

// stringList reads a list of non-empty strings into *dst (want names the list
// in messages); an empty item is a problem.
func (p *parser) stringList(dst *[]string, want string) reader {
	return func(n *yaml.Node, path string) {
		for i, item := range p.sequence(n, path, want) {
			ip := index(path, i)
			v, _, ok := p.scalar(item, ip, "a string")
			if !ok {
				continue
			}
			if v = strings.TrimSpace(v); v == "" {
				p.add(item.Line, ip, "must not be empty")
				continue
			}
			*dst = append(*dst, v)
		}
	}
}

// secret is str for a secret: it also remembers which environment
// variables the value named, and no message ever quotes the value. A
// ${NAME} that is unset or empty is a problem: a secret that silently
// expands to nothing leaves what it guards open (serve.token) or fails far
// from the cause. ${NAME:-} marks a secret that may be empty.
func (p *parser) secret(dst *string) reader {
	return func(n *yaml.Node, path string) {
		v, refs, ok := p.scalar(n, path, "a string")
		if !ok {
			return
		}
		for _, r := range refs {
			if r.Empty && !r.Optional {
				p.add(resolve(n).Line, path, "${%s} is not set or empty; set it, or write ${%s:-} if %s is optional",
					r.Name, r.Name, path)
				return
			}
		}
		*dst = v
		for _, r := range refs {
			p.cfg.env[path] = append(p.cfg.env[path], r.Name)
		}
	}
}

// integer reads an integer in [lo, hi] and hands it to set; hi < 0 means
// no upper bound.
func (p *parser) integer(lo, hi int64, set func(int64)) reader {
	return func(n *yaml.Node, path string) {
		v, _, ok := p.scalar(n, path, "an integer")
		if !ok || v == "" {
			return
		}
		i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			p.add(resolve(n).Line, path, "expected an integer, got %s%s", kindName(resolve(n)), fromEnv(n))
			return
		}
		switch {
		case hi < 0 && i < lo:
			p.add(resolve(n).Line, path, "must be at least %d, got %d", lo, i)
		case hi >= 0 && (i < lo || i > hi):
			p.add(resolve(n).Line, path, "must be between %d and %d, got %d", lo, hi, i)
		default:
			set(i)
		}
	}
}

// fraction reads a number in [lo, hi] into *dst.
func (p *parser) fraction(lo, hi float64, dst *float64) reader {
	return func(n *yaml.Node, path string) {
		v, _, ok := p.scalar(n, path, "a number")
		if !ok || v == "" {
			return
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		switch {
		case err != nil || math.IsNaN(x):
			p.add(resolve(n).Line, path, "expected a number such as 0.9, got %s%s", kindName(resolve(n)), fromEnv(n))
		case x < lo || x > hi:
			p.add(resolve(n).Line, path, "must be between %g and %g, got %g", lo, hi, x)
		default:
			*dst = x
		}
	}
}

// choice reads one of words, in any case, and hands set the index of the
// one written. Another value is a problem that lists what each word means
// (explain: "true or false", "mark (show …) or omit (…)").
func (p *parser) choice(words []string, explain string, set func(int)) reader {
	return func(n *yaml.Node, path string) {
		v, _, ok := p.scalar(n, path, strings.Join(words, " or "))
		if !ok || v == "" {
			return
		}
		i := slices.Index(words, strings.ToLower(strings.TrimSpace(v)))
		if i < 0 {
			p.add(resolve(n).Line, path, "expected %s, got %s%s", explain, kindName(resolve(n)), fromEnv(n))
			return
		}
		set(i)
	}
}

// boolean reads true or false, in any case, into *dst.
func (p *parser) boolean(dst *bool) reader {
	return p.choice([]string{"true", "false"}, "true or false", func(i int) { *dst = i == 0 })
}

// duration reads a positive Go duration ("20s", "720h") into *dst.
func (p *parser) duration(dst *time.Duration) reader {
	return func(n *yaml.Node, path string) {
		v, _, ok := p.scalar(n, path, "a duration")
		if !ok || v == "" {
			return
		}
		d, err := time.ParseDuration(strings.TrimSpace(v))
		switch {
		case err != nil:
			p.add(resolve(n).Line, path, "expected a duration such as \"20s\" or \"720h\", got %s%s", kindName(resolve(n)), fromEnv(n))
		case d <= 0:
			p.add(resolve(n).Line, path, "must be positive, got %s", d)
		default:
			*dst = d
		}
	}
}
