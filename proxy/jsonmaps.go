package proxy

import "unicode/utf8"

// The event's string maps encode themselves. encoding/json encodes a map by reflection with
// two allocations per entry (a third of all a translated request allocates); these write the
// same bytes — keys sorted, strings escaped as encoding/json does without HTML escaping
// (marshalEvent's setting) — with two allocations per map. FuzzEventMapsEncodeAsEncodingJSON
// holds them to encoding/json byte for byte.

// eventMap is a map[string]string field of an event: null when nil.
type eventMap map[string]string

// eventListMap is a map[string][]string field of an event: null when nil.
type eventListMap map[string][]string

func (m eventMap) MarshalJSON() ([]byte, error) { return marshalMap(m, appendJSONString), nil }

func (m eventListMap) MarshalJSON() ([]byte, error) { return marshalMap(m, appendJSONList), nil }

// marshalMap encodes m as encoding/json does (see appendMap).
func marshalMap[V any](m map[string]V, appendValue func([]byte, V) []byte) []byte {
	if m == nil {
		return []byte("null")
	}
	return appendMap(make([]byte, 0, 64*len(m)+2), m, appendValue)
}

// appendMap appends m as encoding/json encodes it: null when nil, else an object with its
// keys in sorted order, each value written by appendValue.
func appendMap[V any](b []byte, m map[string]V, appendValue func([]byte, V) []byte) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendValue(b, m[k])
	}
	return append(b, '}')
}

func appendJSONList(b []byte, list []string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as encoding/json encodes a string with HTML escaping off: '"',
// '\\' and control characters escaped (\b \f \n \r \t by name, others as \u00XX), invalid
// UTF-8 as \ufffd, U+2028 and U+2029 as \u2028 and \u2029, everything else as it is.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
