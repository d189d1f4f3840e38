package targets

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/localdev"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestConfigFromAppliesEnvironmentOverSettings(t *testing.T) {
	t.Parallel()
	base := localdev.Config{Handler: "./lambda", Arch: "amd64"}
	got, err := configFrom(base, env(map[string]string{
		EnvArch:        "arm64",
		EnvAPI:         "http",
		EnvTimeout:     "3s",
		EnvProxyAddr:   "127.0.0.1:9999",
		EnvRoutes:      "routes.txt",
		EnvFunctionURL: "http://127.0.0.1:9001",
		EnvBaseImage:   "example.com/base:1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := localdev.Config{
		Dir: ".", Handler: "./lambda", Arch: "arm64", API: "http", Timeout: 3 * time.Second,
		ProxyAddr: "127.0.0.1:9999", Routes: "routes.txt", FunctionURL: "http://127.0.0.1:9001",
		BaseImage: "example.com/base:1", DebugPort: localdev.DefaultDebugPort,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("configFrom =\n%+v\nwant\n%+v", got, want)
	}
}

func TestConfigFromFunctions(t *testing.T) {
	t.Parallel()
	two := []localdev.Function{{Name: "items", Handler: "./cmd/items"}, {Name: "users", Handler: "./cmd/users"}}
	tests := []struct {
		name string
		base localdev.Config
		vars map[string]string
		want []localdev.Function
	}{
		{"none by default: the one function of the handler", localdev.Config{}, nil, nil},
		{"LAMBDALOCAL_FUNCTIONS names them", localdev.Config{}, map[string]string{EnvFunctions: "items=./cmd/items,users=./cmd/users"}, two},
		{"the magefile's Settings name them", localdev.Config{Functions: two}, nil, two},
		{"the variable replaces the magefile's list", localdev.Config{Functions: two}, map[string]string{EnvFunctions: "items=./cmd/items"}, two[:1]},
		{"an empty variable keeps the magefile's list", localdev.Config{Functions: two}, map[string]string{EnvFunctions: " "}, two},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := configFrom(tt.base, env(tt.vars))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Functions, tt.want) {
				t.Errorf("Functions = %+v, want %+v", got.Functions, tt.want)
			}
		})
	}
}

func TestConfigFromRejectsBadFunctions(t *testing.T) {
	t.Parallel()
	_, err := configFrom(localdev.Config{}, env(map[string]string{EnvFunctions: "Items=./cmd/items"}))
	if !errors.Is(err, localdev.ErrBadFunctions) || !strings.Contains(err.Error(), EnvFunctions) || !strings.Contains(err.Error(), "lower-case") {
		t.Errorf("configFrom = %v, want ErrBadFunctions naming %s and the rule", err, EnvFunctions)
	}
	_, err = configFrom(localdev.Config{Functions: []localdev.Function{{Name: "a", Handler: "./x"}, {Name: "b", Handler: "./x"}}}, env(nil))
	if !errors.Is(err, localdev.ErrBadFunctions) || !strings.Contains(err.Error(), "Settings.Functions") {
		t.Errorf("configFrom = %v, want ErrBadFunctions naming Settings.Functions", err)
	}
}

func TestConfigFromDebugSwitch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		base        localdev.Config
		vars        map[string]string
		wantDebug   bool
		wantPort    int
		wantTimeout time.Duration
	}{
		{"off by default with Delve's usual port", localdev.Config{}, nil, false, 2345, localdev.DefaultTimeout},
		{"1 switches it on and raises the timeout to 15 minutes", localdev.Config{}, map[string]string{EnvDebug: "1"}, true, 2345, 15 * time.Minute},
		{"true switches it on", localdev.Config{}, map[string]string{EnvDebug: "true"}, true, 2345, 15 * time.Minute},
		{"0 switches off a magefile's setting", localdev.Config{Debug: true}, map[string]string{EnvDebug: "0"}, false, 2345, localdev.DefaultTimeout},
		{"the port comes from LAMBDALOCAL_DEBUG_PORT", localdev.Config{}, map[string]string{EnvDebug: "1", EnvDebugPort: "40000"}, true, 40000, 15 * time.Minute},
		{"a longer timeout stays", localdev.Config{}, map[string]string{EnvDebug: "1", EnvTimeout: "1h"}, true, 2345, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := configFrom(tt.base, env(tt.vars))
			if err != nil {
				t.Fatal(err)
			}
			if got.Debug != tt.wantDebug || got.DebugPort != tt.wantPort || got.Timeout != tt.wantTimeout {
				t.Errorf("configFrom = debug %v port %d timeout %s, want %v %d %s", got.Debug, got.DebugPort, got.Timeout, tt.wantDebug, tt.wantPort, tt.wantTimeout)
			}
		})
	}
}

func TestConfigFromKeepsSettingsWhenEnvironmentIsEmpty(t *testing.T) {
	t.Parallel()
	got, err := configFrom(localdev.Config{Handler: "./cmd/api"}, env(map[string]string{EnvHandler: ""}))
	if err != nil {
		t.Fatal(err)
	}
	if got.Handler != "./cmd/api" || got.ProxyAddr != localdev.DefaultProxyAddr || got.Timeout != localdev.DefaultTimeout {
		t.Errorf("configFrom = %+v, want the setting kept and defaults filled", got)
	}
}

func TestConfigFromRejectsBadValuesWithTheVariableName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"timeout must be a duration", map[string]string{EnvTimeout: "30"}, EnvTimeout},
		{"timeout must be positive", map[string]string{EnvTimeout: "-1s"}, EnvTimeout},
		{"arch must be one Lambda runs", map[string]string{EnvArch: "386"}, "use amd64 or arm64"},
		{"api must be rest or http", map[string]string{EnvAPI: "websocket"}, "use rest"},
		{"debug must be a boolean", map[string]string{EnvDebug: "yes"}, EnvDebug},
		{"debug port must be a number", map[string]string{EnvDebug: "1", EnvDebugPort: "delve"}, EnvDebugPort},
		{"debug port must be a TCP port", map[string]string{EnvDebug: "1", EnvDebugPort: "70000"}, EnvDebugPort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := configFrom(localdev.Config{}, env(tt.vars))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("configFrom error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
