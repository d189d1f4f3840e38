package proxy

import (
	"bytes"
	"encoding/json"
	"testing"
)

// checkObjectMembers fails unless objectMembers and jsonString read valid JSON as
// json.Unmarshal does; invalid JSON is not their input.
func checkObjectMembers(t *testing.T, data []byte) {
	t.Helper()
	if !json.Valid(data) {
		return
	}
	var want map[string]json.RawMessage
	wantOK := json.Unmarshal(data, &want) == nil && want != nil
	got, ok := objectMembers(data)
	if ok != wantOK {
		t.Fatalf("objectMembers(%q) ok = %v, encoding/json %v", data, ok, wantOK)
	}
	if len(got) != len(want) {
		t.Fatalf("objectMembers(%q) = %q, encoding/json %q", data, got, want)
	}
	for k, v := range want {
		if !bytes.Equal(got[k], v) {
			t.Fatalf("objectMembers(%q)[%q] = %q, encoding/json %q", data, k, got[k], v)
		}
		if len(v) > 0 && v[0] == '"' {
			var s string
			if err := json.Unmarshal(v, &s); err != nil || jsonString(v) != s {
				t.Fatalf("jsonString(%s) = %q, encoding/json %q", v, jsonString(v), s)
			}
		}
	}
}

func TestObjectMembersReadAsEncodingJSON(t *testing.T) {
	t.Parallel()
	cases := []struct{ rule, data string }{
		{"a function's answer", `{"statusCode":200,"headers":{"Content-Type":"application/json"},"multiValueHeaders":null,"body":"{\"id\":42}"}`},
		{"white space around everything", " \t\n{ \"a\" :\r 1 , \"b\" : [ 1 , { \"c\" : \"]}\" } ] , \"d\" : { } }\n "},
		{"an empty object", `{}`},
		{"escaped keys are unescaped", `{"status\u0043ode":"201","a\"b":1,"\\":2}`},
		{"a repeated key keeps its last value", `{"body":"a","body":"b","b\u006fdy":"c"}`},
		{"invalid UTF-8 becomes U+FFFD", "{\"k\xff\":\"v\xc3\"}"},
		{"strings with escapes", `{"s":"a\nb\t\u00e9\ud83d\ude00\/"}`},
		{"nested strings with brackets and escaped quotes", `{"a":{"b":"}\"]"},"c":["{",["\\"]],"d":true,"e":false,"f":null,"g":-1.5e3}`},
		{"not an object: array", `[{"a":1}]`},
		{"not an object: string", `"{}"`},
		{"not an object: null", `null`},
		{"not an object: number", `42`},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			if json.Valid([]byte(c.data)) != true {
				t.Fatalf("the case is not valid JSON: %s", c.data)
			}
			checkObjectMembers(t, []byte(c.data))
		})
	}
}

func FuzzObjectMembersAsEncodingJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, ` { "a\u0062" : [ "]" , {} ] , "a":"x\"y" } `, "{\"\xff\":\"\\ud800\"}", `[]`, `{}`, `"s"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkObjectMembers)
}
