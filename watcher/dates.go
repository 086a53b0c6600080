package watcher

import (
	"regexp"
	"strings"
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
var dateSeparators = regexp.MustCompile(`[\s,]+`)

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
	words := dateSeparators.Split(strings.TrimSpace(s), -1)
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
