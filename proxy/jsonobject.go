package proxy

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The function's answer is read without encoding/json's generic decoding, which scans a
// document twice and copies every value. objectMembers and jsonString read what
// json.Unmarshal would give for a map[string]json.RawMessage and a string, from a document
// that is already known to be valid JSON; FuzzObjectMembersAsEncodingJSON holds them to it.

// objectMembers splits valid JSON that is an object into its members as json.Unmarshal into a
// map[string]json.RawMessage does: keys unescaped, the last value of a repeated key kept,
// each value as it stands without the white space around it (sharing data's bytes). ok is
// false when data is not an object. data must be valid JSON (json.Valid).
func objectMembers(data []byte) (m map[string]json.RawMessage, ok bool) {
	i := skipJSONSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}
	m = make(map[string]json.RawMessage, 8)
	i = skipJSONSpace(data, i+1)
	if data[i] == '}' {
		return m, true
	}
	for {
		end := jsonValueEnd(data, i)
		key := jsonString(data[i:end])
		i = skipJSONSpace(data, skipJSONSpace(data, end)+1) // past ':'
		end = jsonValueEnd(data, i)
		m[key] = data[i:end:end]
		i = skipJSONSpace(data, end)
		if data[i] == '}' {
			return m, true
		}
		i = skipJSONSpace(data, i+1) // past ','
	}
}

// jsonString is the string a valid JSON string literal (quotes included) decodes to, as
// json.Unmarshal gives it: escapes resolved, invalid UTF-8 replaced by U+FFFD.
func jsonString(lit []byte) string {
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	_ = json.Unmarshal(lit, &s) // cannot fail on a valid literal
	return s
}

func skipJSONSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// jsonValueEnd is the index just past the valid JSON value that starts at data[i].
func jsonValueEnd(data []byte, i int) int {
	switch data[i] {
	case '"':
		return jsonStringEnd(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = jsonStringEnd(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(data) { // a number, true, false or null
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// jsonStringEnd is the index just past the string literal that starts at data[i].
func jsonStringEnd(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}
