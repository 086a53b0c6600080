package watcher

import (
	"regexp"
	"strings"
	"sync"
	"time"
)

// spanishMonths maps Spanish month names and their usual abbreviations to
// the English abbreviations Go's layouts read.
var spanishMonths = map[string]string{
	"enero": "Jan", "ene": "Jan",
	"febrero": "Feb", "feb": "Feb",
	"marzo": "Mar", "mar": "Mar",
	"abril": "Apr", "abr": "Apr",
	"mayo": "May", "may": "May",
	"junio": "Jun", "jun": "Jun",
	"julio": "Jul", "jul": "Jul",
	"agosto": "Aug", "ago": "Aug",
	"septiembre": "Sep", "setiembre": "Sep", "sep": "Sep", "sept": "Sep", "set": "Sep",
	"octubre": "Oct", "oct": "Oct",
	"noviembre": "Nov", "nov": "Nov",
	"diciembre": "Dec", "dic": "Dec",
}

// englishMonths maps English month names to their abbreviations.
var englishMonths = map[string]string{
	"january": "Jan", "february": "Feb", "march": "Mar", "april": "Apr", "june": "Jun",
	"july": "Jul", "august": "Aug", "september": "Sep", "sept": "Sep", "october": "Oct",
	"november": "Nov", "december": "Dec",
	"jan": "Jan", "apr": "Apr", "aug": "Aug", "dec": "Dec",
}

// weekdays are the English and Spanish day names and abbreviations, which
// say nothing a date does not, so they are dropped before parsing.
var weekdays = map[string]bool{
	"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"lun": true, "lunes": true, "mié": true, "mie": true, "miércoles": true, "miercoles": true,
	"jue": true, "jueves": true, "vie": true, "viernes": true, "sáb": true, "sab": true, "sábado": true, "sabado": true,
	"dom": true, "domingo": true, "martes": true,
}

// fillerWords are the connecting words of Spanish dates ("15 de enero de
// 2024 a las 10:00 hrs").
var fillerWords = map[string]bool{"de": true, "del": true, "a": true, "las": true, "la": true, "hrs": true, "hrs.": true, "h": true, "horas": true}

// zoneAbbreviations gives the offsets of the zone abbreviations news feeds
// use; Go would read any of them as a zero offset.
var zoneAbbreviations = map[string]string{
	"gmt": "+0000", "ut": "+0000", "utc": "+0000", "z": "+0000",
	"est": "-0500", "edt": "-0400", "cst": "-0600", "cdt": "-0500",
	"mst": "-0700", "mdt": "-0600", "pst": "-0800", "pdt": "-0700",
	"cet": "+0100", "cest": "+0200",
}

// dateSeparators are the characters that split a date into words; the time
// and the numeric offset keep their own punctuation.
var dateSeparators = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[\s,]+`) })

// zonelessLayouts are read in the configured location: they carry no zone.
var zonelessLayouts = []string{
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04",
	"2 Jan 2006",
	"Jan 2 2006 15:04:05",
	"Jan 2 2006 15:04",
	"Jan 2 2006 3:04 PM",
	"Jan 2 2006 3:04PM",
	"Jan 2 2006",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

// zonedLayouts carry a numeric offset (named zones are rewritten to one).
var zonedLayouts = []string{
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -07:00",
	"Jan 2 2006 15:04:05 -0700",
	"2 Jan 06 15:04:05 -0700",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05-07:00",
}

// normalizeDate rewrites a feed date into words Go's layouts read: Spanish
// and full English month names become English abbreviations, day names and
// Spanish filler words go, named zones become numeric offsets, and the
// separators become single spaces. "lun, 15 ene 2024 10:00:00 CST" reads
// "15 Jan 2024 10:00:00 -0600".
func normalizeDate(s string) string {
	words := dateSeparators().Split(strings.TrimSpace(s), -1)
	out := words[:0]
	for i, w := range words {
		lw := strings.ToLower(strings.TrimSuffix(w, "."))
		switch {
		case w == "":
			continue
		case weekdays[lw] || fillerWords[strings.ToLower(w)]:
			continue
		case i == 0 && lw == "mar" && hasMonth(words[1:]):
			continue // martes, not marzo
		case spanishMonths[lw] != "":
			w = spanishMonths[lw]
		case englishMonths[lw] != "":
			w = englishMonths[lw]
		case i == len(words)-1 && zoneAbbreviations[lw] != "":
			w = zoneAbbreviations[lw]
		case lw == "am" || lw == "pm" || lw == "a.m" || lw == "p.m":
			w = strings.ToUpper(strings.ReplaceAll(lw, ".", ""))
			if n := len(out); n > 0 {
				out[n-1] += w // "3:04 PM" → "3:04PM"
				continue
			}
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// hasMonth reports whether one of words names a month.
func hasMonth(words []string) bool {
	for _, w := range words {
		lw := strings.ToLower(strings.TrimSuffix(w, "."))
		if spanishMonths[lw] != "" || englishMonths[lw] != "" || lw == "may" {
			return true
		}
	}
	return false
}

// parseZoneless reads a normalized date that carries no zone as a wall
// clock time in loc.
func parseZoneless(s string, loc *time.Location) (time.Time, bool) {
	for _, layout := range zonelessLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseZoned reads a normalized date that carries a numeric offset.
func parseZoned(s string) (time.Time, bool) {
	for _, layout := range zonedLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// itemDate is the time a raw feed date names, in UTC, or the zero time.
// A date without a zone is read in loc, not silently as UTC. Dates gofeed
// understood (parsed, non-nil) are kept unless they carry no zone; what
// gofeed could not read (Spanish names, odd punctuation) is read here.
func itemDate(raw string, parsed *time.Time, loc *time.Location) time.Time {
	if t, ok := fastDate(strings.TrimSpace(raw), loc); ok {
		return t
	}
	return slowItemDate(raw, parsed, loc)
}

// slowItemDate is itemDate without the fast path: every layout of the
// general path, in order.
func slowItemDate(raw string, parsed *time.Time, loc *time.Location) time.Time {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if parsed != nil && !parsed.IsZero() {
			return parsed.UTC()
		}
		return time.Time{}
	}
	norm := normalizeDate(raw)
	if t, ok := parseZoneless(norm, loc); ok {
		return t.UTC()
	}
	if parsed != nil && !parsed.IsZero() {
		return parsed.UTC()
	}
	if t, ok := parseZoned(norm); ok {
		return t.UTC()
	}
	return time.Time{}
}

// fastDate reads the layouts nearly every feed uses, without the
// layout-by-layout search of the general path (which allocates an error per
// failed layout):
//
//	RFC 1123/822  "Mon, 02 Jan 2006 15:04:05 -0700": weekday optional, day
//	              of one or two digits, seconds optional, zone a numeric
//	              offset, GMT, UT, UTC, Z or a US zone (EST … PDT)
//	RFC 3339      "2006-01-02T15:04:05.999999999Z07:00" (fraction optional;
//	              offset with or without colon); without a zone it is wall
//	              clock time in loc
//
// It reports false for everything else, and for any field out of range,
// which the general path then reads: a date never reads differently for
// having taken the fast path (FuzzFastDate and TestFastDateCorpus compare
// the two).
func fastDate(s string, loc *time.Location) (time.Time, bool) {
	if len(s) >= 19 && s[4] == '-' && s[10] == 'T' {
		return fastRFC3339(s, loc)
	}
	return fastRFC1123(s)
}

// fastRFC3339 reads "2006-01-02T15:04:05[.frac][Z|±hh:mm|±hhmm]".
func fastRFC3339(s string, loc *time.Location) (time.Time, bool) {
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	min, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return time.Time{}, false
		}
		frac, _ := digits(rest[1:n])
		for i := n; i <= 9; i++ {
			frac *= 10
		}
		nsec, rest = frac, rest[n:]
	}
	var zone *time.Location
	switch {
	case rest == "":
		zone = loc
	case rest == "Z":
		zone = time.UTC
	default:
		off, ok := numericOffset(rest, true)
		if !ok {
			return time.Time{}, false
		}
		zone = offsetZone(off)
	}
	if !validDate(year, month, day, hour, min, sec) {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, nsec, zone).UTC(), true
}

// fastRFC1123 reads "[Mon, ]2 Jan 2006 15:04[:05] ZONE", single spaces.
func fastRFC1123(s string) (time.Time, bool) {
	if len(s) >= 5 && s[3] == ',' && s[4] == ' ' {
		if !knownWeekday(s[:3]) {
			return time.Time{}, false
		}
		s = s[5:]
	}
	// Day.
	n := 0
	for n < len(s) && n < 3 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n < 1 || n > 2 || len(s) < n+1 || s[n] != ' ' {
		return time.Time{}, false
	}
	day, _ := digits(s[:n])
	s = s[n+1:]
	// "Jan 2006 15:04" at least.
	if len(s) < 16 || s[3] != ' ' || s[8] != ' ' || s[11] != ':' {
		return time.Time{}, false
	}
	month := monthAbbrev(s[:3])
	year, ok1 := digits(s[4:8])
	hour, ok2 := digits(s[9:11])
	min, ok3 := digits(s[12:14])
	if month == 0 || !ok1 || !ok2 || !ok3 {
		return time.Time{}, false
	}
	s = s[14:]
	sec := 0
	if len(s) >= 3 && s[0] == ':' {
		v, ok := digits(s[1:3])
		if !ok {
			return time.Time{}, false
		}
		sec, s = v, s[3:]
	}
	if len(s) < 2 || s[0] != ' ' {
		return time.Time{}, false
	}
	off, ok := rfc822Zone(s[1:])
	if !ok || !validDate(year, month, day, hour, min, sec) {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, 0, offsetZone(off)).UTC(), true
}

// digits reads s as a decimal number of only digits.
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// validDate reports whether the fields name a real time of day on a real
// date, as time.Parse checks them.
func validDate(year, month, day, hour, min, sec int) bool {
	if month < 1 || month > 12 || day < 1 || hour > 23 || min > 59 || sec > 59 {
		return false
	}
	return day <= time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// numericOffset reads "+hhmm" or, when colon is allowed, "+hh:mm", in
// seconds east of UTC.
func numericOffset(s string, colon bool) (int, bool) {
	var hh, mm string
	switch {
	case len(s) == 5:
		hh, mm = s[1:3], s[3:5]
	case len(s) == 6 && colon && s[3] == ':':
		hh, mm = s[1:3], s[4:6]
	default:
		return 0, false
	}
	h, ok1 := digits(hh)
	m, ok2 := digits(mm)
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	switch s[0] {
	case '+':
		return off, true
	case '-':
		return -off, true
	}
	return 0, false
}

// rfc822Zone reads the zone of an RFC 822 date: a numeric offset or one of
// the names both gofeed and normalizeDate give the same offset.
func rfc822Zone(s string) (int, bool) {
	switch s {
	case "GMT", "UT", "UTC", "Z":
		return 0, true
	case "EST", "CDT":
		return -5 * 3600, true
	case "EDT":
		return -4 * 3600, true
	case "CST", "MDT":
		return -6 * 3600, true
	case "MST", "PDT":
		return -7 * 3600, true
	case "PST":
		return -8 * 3600, true
	}
	return numericOffset(s, false)
}

// offsetZone is the location for an offset; the result is converted to UTC
// anyway, so only the offset matters.
func offsetZone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	return time.FixedZone("", off)
}

func knownWeekday(s string) bool {
	switch s {
	case "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun":
		return true
	}
	return false
}

// monthAbbrev is the number of an English month abbreviation, 0 if s is
// not one.
func monthAbbrev(s string) int {
	switch s {
	case "Jan":
		return 1
	case "Feb":
		return 2
	case "Mar":
		return 3
	case "Apr":
		return 4
	case "May":
		return 5
	case "Jun":
		return 6
	case "Jul":
		return 7
	case "Aug":
		return 8
	case "Sep":
		return 9
	case "Oct":
		return 10
	case "Nov":
		return 11
	case "Dec":
		return 12
	}
	return 0
}
