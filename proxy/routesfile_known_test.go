package proxy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Functions the configuration declares (lambdalocal's LAMBDALOCAL_FUNCTIONS) are named by
// routes without a function line; the file still declares others, and every rule about unknown
// functions and shared endpoints still holds.
func TestParseGatewayWithKnownFunctions(t *testing.T) {
	t.Parallel()
	known := []Function{
		{Name: "items", URLs: []string{"http://127.0.0.1:9000"}},
		{Name: "users", URLs: []string{"http://127.0.0.1:9001"}, Concurrency: 2},
	}
	t.Run("routes name configured functions without repeating their URLs", func(t *testing.T) {
		t.Parallel()
		g, err := ParseGateway("routes.txt", strings.NewReader("GET /items/{id} items\nANY /users/{proxy+} users\n"), WithFunctions(known...))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]Function{
			"items": {Name: "items", URLs: []string{"http://127.0.0.1:9000"}, Concurrency: 1},
			"users": {Name: "users", URLs: []string{"http://127.0.0.1:9001"}, Concurrency: 2},
		}
		if !reflect.DeepEqual(g.Functions, want) {
			t.Errorf("Functions = %+v, want %+v", g.Functions, want)
		}
	})
	t.Run("the file may declare other functions beside them", func(t *testing.T) {
		t.Parallel()
		g, err := ParseGateway("routes.txt", strings.NewReader("function web http://127.0.0.1:8999\nGET /items/{id} items\n$default web\n"), WithAPI(HTTP), WithFunctions(known...))
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Functions) != 3 || g.Functions["web"].URLs[0] != "http://127.0.0.1:8999" {
			t.Errorf("Functions = %+v, want items, users and web", g.Functions)
		}
	})
	tests := []struct {
		name, file string
		wantIn     []string
	}{
		{"a route naming an unknown function is refused with file:line",
			"GET /items/{id} items\nGET /orders/{id} orders\n",
			[]string{"routes.txt:2", `"orders"`, "items, users"}},
		{"a function line for a configured function is refused",
			"function items http://127.0.0.1:9100\nGET /items/{id} items\n",
			[]string{"routes.txt:1", "function items is declared by the configuration"}},
		{"a file function cannot share a configured function's endpoint",
			"function web http://127.0.0.1:9000\nGET /web web\n",
			[]string{"routes.txt:1", "endpoint http://127.0.0.1:9000 is already used by function items"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseGateway("routes.txt", strings.NewReader(tt.file), WithFunctions(known...))
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseGateway = %v, want a *ConfigError", err)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// Run with several configured functions and no routes file cannot know which route goes where:
// it says so before listening.
func TestRunRefusesSeveralFunctionsWithoutRoutes(t *testing.T) {
	t.Parallel()
	err := Run(t.Context(), Config{Addr: "127.0.0.1:0", Functions: []Function{
		{Name: "items", URLs: []string{"http://127.0.0.1:9000"}},
		{Name: "users", URLs: []string{"http://127.0.0.1:9001"}},
	}})
	if err == nil || !strings.Contains(err.Error(), "LAMBDALOCAL_ROUTES") || !strings.Contains(err.Error(), "GET /items/{id} items") {
		t.Fatalf("Run = %v, want a refusal saying to set LAMBDALOCAL_ROUTES", err)
	}
}
