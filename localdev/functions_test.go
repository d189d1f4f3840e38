package localdev

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseFunctions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []Function
	}{
		{"NAME=PACKAGE pairs in order", "items=./cmd/items,users=./cmd/users",
			[]Function{{"items", "./cmd/items"}, {"users", "./cmd/users"}}},
		{"spaces around pairs and an empty trailing entry are ignored", " items = ./cmd/items , users=./cmd/users, ",
			[]Function{{"items", "./cmd/items"}, {"users", "./cmd/users"}}},
		{"one function", "api=.", []Function{{"api", "."}}},
		{"nothing is no function", "", nil},
		{"digits, dashes and underscores in names", "v2-items_x=./a,0b=./b", []Function{{"v2-items_x", "./a"}, {"0b", "./b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFunctions(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseFunctions(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseFunctionsRefusesWithAFix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, wantIn string
	}{
		{"a pair needs =", "items=./cmd/items,users", `"users" is not NAME=PACKAGE`},
		{"only commas names nothing", ",,", "names no function"},
		{"upper case is not a Compose image name", "Items=./cmd/items", "lower-case letters"},
		{"a dot is not a routes-file name", "items.v2=./cmd/items", "lower-case letters"},
		{"a name cannot start with a dash", "-items=./cmd/items", "starting with a letter or digit"},
		{"a name longer than 63", strings.Repeat("a", 64) + "=./a", "up to 63"},
		{"an empty name", "=./cmd/items", `function name ""`},
		{"an empty handler", "items=", "give the Go package of its handler, e.g. items=./cmd/items"},
		{"a name used twice", "items=./a,items=./b", "function items is named twice"},
		{"a handler used twice", "items=./cmd/items,users=cmd/items/", "functions items and users both have handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFunctions(tt.in)
			if !errors.Is(err, ErrBadFunctions) || !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("ParseFunctions(%q) = %v, want ErrBadFunctions saying %q", tt.in, err, tt.wantIn)
			}
		})
	}
}

func TestInstances(t *testing.T) {
	t.Parallel()
	two := []Function{{"items", "./cmd/items"}, {"users", "./cmd/users"}}
	tests := []struct {
		name string
		cfg  Config
		fns  []Function
		want []Instance
	}{
		{"no functions: the handler is the one function, in the single layout",
			Config{Dir: "/r", Handler: "./lambda"}, nil,
			[]Instance{{Function{"function", "./lambda"}, "function", "/r/localdev/var-runtime/bootstrap", "http://127.0.0.1:9000"}}},
		{"one function keeps the single layout under its own name",
			Config{Dir: "/r", FunctionURL: "http://127.0.0.1:9100/"}, two[:1],
			[]Instance{{two[0], "function", "/r/localdev/var-runtime/bootstrap", "http://127.0.0.1:9100"}}},
		{"several: a service, a bootstrap folder and the next port each",
			Config{Dir: "/r"}, two,
			[]Instance{
				{two[0], "items", "/r/localdev/var-runtime/items/bootstrap", "http://127.0.0.1:9000"},
				{two[1], "users", "/r/localdev/var-runtime/users/bootstrap", "http://127.0.0.1:9001"},
			}},
		{"several on port 0: any free port each (dev)",
			Config{Dir: "/r", FunctionURL: "http://127.0.0.1:0"}, two,
			[]Instance{
				{two[0], "items", "/r/localdev/var-runtime/items/bootstrap", "http://127.0.0.1:0"},
				{two[1], "users", "/r/localdev/var-runtime/users/bootstrap", "http://127.0.0.1:0"},
			}},
		{"an IPv6 host keeps its brackets",
			Config{Dir: "/r", FunctionURL: "http://[::1]:9000"}, two,
			[]Instance{
				{two[0], "items", "/r/localdev/var-runtime/items/bootstrap", "http://[::1]:9000"},
				{two[1], "users", "/r/localdev/var-runtime/users/bootstrap", "http://[::1]:9001"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := instancesOf(tt.cfg, tt.fns)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("instances =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestInstancesRefuses(t *testing.T) {
	t.Parallel()
	two := []Function{{"items", "./cmd/items"}, {"users", "./cmd/users"}}
	tests := []struct {
		name   string
		cfg    Config
		fns    []Function
		wantIn string
	}{
		{"ports past 65535", Config{FunctionURL: "http://127.0.0.1:65535"}, two, "run past port 65535"},
		{"a function URL without a port", Config{FunctionURL: "http://127.0.0.1"}, two, "want http://host:port"},
		{"a function URL with a path", Config{FunctionURL: "http://127.0.0.1:9000/x"}, two, "want http://host:port"},
		{"bad names from a magefile's Settings", Config{}, []Function{{"Items", "./a"}}, "lower-case letters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := instancesOf(tt.cfg, tt.fns); err == nil || !strings.Contains(err.Error(), tt.wantIn) {
				t.Fatalf("instances = %v, want an error saying %q", err, tt.wantIn)
			}
		})
	}
}

func TestCheckDebugOne(t *testing.T) {
	t.Parallel()
	one := []Instance{{Function: Function{"items", "./a"}}}
	two := append(one, Instance{Function: Function{"users", "./b"}})
	tests := []struct {
		name    string
		debug   bool
		ins     []Instance
		wantErr bool
	}{
		{"debugging one function is fine", true, one, false},
		{"several functions without debugging are fine", false, two, false},
		{"debugging several is refused", true, two, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkDebugOne(Config{Debug: tt.debug}, tt.ins)
			if (err != nil) != tt.wantErr {
				t.Fatalf("checkDebugOne = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && (!errors.Is(err, ErrDebugSeveral) || !strings.Contains(err.Error(), "LAMBDALOCAL_FUNCTIONS=items=./a")) {
				t.Errorf("error %v does not say which setting debugs one function", err)
			}
		})
	}
}

func TestRestartAction(t *testing.T) {
	t.Parallel()
	got := restartAction("items", "users")
	want := []string{"restart", "--timeout", "2", "items", "users"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("restartAction = %q, want %q", got, want)
	}
}
