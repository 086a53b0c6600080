package main

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON lines of `newsdigest classify`, read and written without
// reflection: encoding/json was about a third of the command's time, as
// much as matching itself. decodeClassifyIn and appendClassifyOut give
// exactly what json.Unmarshal and json.Encoder give (FuzzDecodeClassifyIn
// and FuzzAppendClassifyOut compare them).

// decodeClassifyIn decodes raw into in as json.Unmarshal would, for the
// usual line: an object whose keys "id", "title", "summary" and "content",
// spelled so, have string or null values, and whose other keys (the labels
// of a labelled file) have any JSON value, which is checked and skipped.
// For anything else (one of those keys in another case, another kind of
// value for them, invalid JSON, deep nesting) it returns false, having
// perhaps changed in, and the caller asks json.Unmarshal, which also says
// what is wrong.
func decodeClassifyIn(raw string, in *classifyIn) bool {
	i := skipJSONSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipJSONSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return skipJSONSpace(raw, i+1) == len(raw)
	}
	for {
		key, j, ok := jsonString(raw, i)
		if !ok {
			return false
		}
		var field *string
		switch key {
		case "id":
			field = &in.ID
		case "title":
			field = &in.Title
		case "summary":
			field = &in.Summary
		case "content":
			field = &in.Content
		default:
			// Another key, which json.Unmarshal ignores unless it names a
			// field in another case ("ID"): then it is json.Unmarshal's.
			for _, name := range [...]string{"id", "title", "summary", "content"} {
				if strings.EqualFold(key, name) {
					return false
				}
			}
		}
		i = skipJSONSpace(raw, j)
		if i >= len(raw) || raw[i] != ':' {
			return false
		}
		i = skipJSONSpace(raw, i+1)
		if field == nil {
			if i, ok = skipJSONValue(raw, i, 0); !ok {
				return false
			}
		} else if len(raw)-i >= 4 && raw[i:i+4] == "null" {
			i += 4 // null leaves a string as it was
		} else {
			v, j, ok := jsonString(raw, i)
			if !ok {
				return false
			}
			*field, i = v, j
		}
		i = skipJSONSpace(raw, i)
		if i >= len(raw) {
			return false
		}
		switch raw[i] {
		case ',':
			i = skipJSONSpace(raw, i+1)
		case '}':
			return skipJSONSpace(raw, i+1) == len(raw)
		default:
			return false
		}
	}
}

// maxSkipDepth bounds the nesting skipJSONValue follows; deeper values are
// left to json.Unmarshal.
const maxSkipDepth = 32

// skipJSONValue returns the index after the JSON value that starts at s[i],
// checking it as json.Unmarshal would; false when it is not valid JSON or
// is nested deeper than maxSkipDepth.
func skipJSONValue(s string, i, depth int) (int, bool) {
	if i >= len(s) || depth > maxSkipDepth {
		return 0, false
	}
	switch c := s[i]; {
	case c == '"':
		_, j, ok := jsonString(s, i)
		return j, ok
	case c == '{' || c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		i = skipJSONSpace(s, i+1)
		if i < len(s) && s[i] == end {
			return i + 1, true
		}
		for {
			if c == '{' {
				_, j, ok := jsonString(s, i)
				if !ok {
					return 0, false
				}
				if i = skipJSONSpace(s, j); i >= len(s) || s[i] != ':' {
					return 0, false
				}
				i = skipJSONSpace(s, i+1)
			}
			j, ok := skipJSONValue(s, i, depth+1)
			if !ok {
				return 0, false
			}
			switch i = skipJSONSpace(s, j); {
			case i >= len(s):
				return 0, false
			case s[i] == ',':
				i = skipJSONSpace(s, i+1)
			case s[i] == end:
				return i + 1, true
			default:
				return 0, false
			}
		}
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range [...]string{"true", "false", "null"} {
			if strings.HasPrefix(s[i:], lit) {
				return i + len(lit), true
			}
		}
		return 0, false
	case c == '-' || c >= '0' && c <= '9':
		return skipJSONNumber(s, i)
	}
	return 0, false
}

// skipJSONNumber returns the index after the JSON number at s[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipJSONNumber(s string, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i
	}
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(i + 1)
	default:
		return 0, false
	}
	if i < len(s) && s[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

func skipJSONSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// jsonString decodes the JSON string that starts at s[i], returning it and
// the index after it. A string without escapes is a substring of s;
// invalid UTF-8 and lone surrogates become U+FFFD, as in json.Unmarshal.
func jsonString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	start := i + 1
	// The common case: no escapes, no control characters, valid UTF-8.
	j := start
	for j < len(s) {
		c := s[j]
		if c == '"' {
			return s[start:j], j + 1, true
		}
		if c == '\\' || c < ' ' {
			break
		}
		if c < utf8.RuneSelf {
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		j += size
	}
	var b []byte
	b = append(b, s[start:j]...)
	for j < len(s) {
		c := s[j]
		switch {
		case c == '"':
			return string(b), j + 1, true
		case c < ' ':
			return "", 0, false
		case c == '\\':
			if j+1 >= len(s) {
				return "", 0, false
			}
			switch e := s[j+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := hex4(s, j+2)
				if !ok {
					return "", 0, false
				}
				j += 6
				if utf16.IsSurrogate(r) {
					if r2, ok := hex4(s, j+2); ok && j+1 < len(s) && s[j] == '\\' && s[j+1] == 'u' {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b = utf8.AppendRune(b, d)
							j += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return "", 0, false
			}
			j += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			j++
		default:
			r, size := utf8.DecodeRuneInString(s[j:])
			b = utf8.AppendRune(b, r) // RuneError for an invalid byte
			j += size
		}
	}
	return "", 0, false
}

// hex4 reads the 4 hex digits at s[i:i+4].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// appendClassifyOut appends out as json.Encoder (HTML escaping on) writes
// it, newline included.
func appendClassifyOut(dst []byte, out *classifyOut) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendJSONString(dst, out.ID)
	dst = append(dst, `,"topics":`...)
	if out.Topics == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for k, t := range out.Topics {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"name":`...)
			dst = appendJSONString(dst, t.Name)
			dst = append(dst, `,"score":`...)
			dst = strconv.AppendInt(dst, int64(t.Score), 10)
			dst = append(dst, `,"terms":`...)
			if t.Terms == nil {
				dst = append(dst, "null"...)
			} else {
				dst = append(dst, '[')
				for n, term := range t.Terms {
					if n > 0 {
						dst = append(dst, ',')
					}
					dst = appendJSONString(dst, term)
				}
				dst = append(dst, ']')
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if out.Error != "" {
		dst = append(dst, `,"error":`...)
		dst = appendJSONString(dst, out.Error)
	}
	return append(dst, "}\n"...)
}

// appendJSONString appends s quoted as encoding/json quotes a string with
// HTML escaping on: '"', '\\', control characters, '<', '>', '&', U+2028
// and U+2029 escaped, invalid UTF-8 as \ufffd. Text with none of those is
// copied whole.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, `\b`...)
			case '\f':
				dst = append(dst, `\f`...)
			case '\n':
				dst = append(dst, `\n`...)
			case '\r':
				dst = append(dst, `\r`...)
			case '\t':
				dst = append(dst, `\t`...)
			default:
				const hex = "0123456789abcdef"
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028':
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\u2028`...)
		case r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\u2029`...)
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
