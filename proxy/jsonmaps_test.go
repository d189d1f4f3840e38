package proxy

import (
	"bytes"
	"encoding/json"
	"testing"
)

// encodingJSON is what marshalEvent's encoder writes for v.
func encodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// checkEventMaps fails unless both map types encode as encoding/json encodes the plain maps,
// alone and as a field (where encoding/json compacts what MarshalJSON returns).
func checkEventMaps(t *testing.T, k, v string) {
	t.Helper()
	single := map[string]string{k: v, "a": v, "z" + k: k}
	multi := map[string][]string{k: {v, k}, "n": nil, "e": {}}
	type holder struct {
		S  eventMap     `json:"s"`
		M  eventListMap `json:"m"`
		N  eventMap     `json:"n"`
		NM eventListMap `json:"nm"`
		O  eventMap     `json:"o,omitempty"`
	}
	type plain struct {
		S  map[string]string   `json:"s"`
		M  map[string][]string `json:"m"`
		N  map[string]string   `json:"n"`
		NM map[string][]string `json:"nm"`
		O  map[string]string   `json:"o,omitempty"`
	}
	got := encodingJSON(t, holder{S: single, M: multi, O: eventMap{}})
	want := encodingJSON(t, plain{S: single, M: multi, O: map[string]string{}})
	if !bytes.Equal(got, want) {
		t.Fatalf("event maps encode as\n%s\nencoding/json as\n%s", got, want)
	}
}

func TestEventMapsEncodeAsEncodingJSON(t *testing.T) {
	t.Parallel()
	cases := []struct{ rule, k, v string }{
		{"plain text is as it is", "Accept", "*/*"},
		{"quotes and backslashes are escaped", `a"b`, `c\d`},
		{"named control characters use their names", "\b\f\n\r\t", "x\ty"},
		{"other control characters are \\u00XX", "\x00\x01\x1f", "\x7f"},
		{"HTML characters stay as they are", "<a&b>", "<script>"},
		{"invalid UTF-8 becomes U+FFFD", "\xff", "a\xc3"},
		{"line and paragraph separators are escaped", "\u2028", "x\u2029y"},
		{"other Unicode stays as it is", "héllo", "日本語 🙂"},
		{"empty strings", "", ""},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			checkEventMaps(t, c.k, c.v)
		})
	}
}

func FuzzEventMapsEncodeAsEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "a\"b\\", "\x00\x1f\x7f", "<>&", "\xff\xfe", "\u2028\u2029", "日本語"} {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, k, v string) { checkEventMaps(t, k, v) })
}
