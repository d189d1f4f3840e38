package targets

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/lambdalocal/lambdalocal/localdev"
)

func TestInvokeVariablesReachTheRequest(t *testing.T) {
	t.Parallel()
	opts, err := invokeOptions(env(map[string]string{
		EnvInvokeHeaders: "X-Tenant: acme\nContent-Type: text/plain",
		EnvInvokeBody:    "hello",
		EnvInvokeDryRun:  "1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	// A dry run sends nothing, so no function needs to run at this URL.
	cfg := localdev.Config{FunctionURL: "http://127.0.0.1:1", API: "http"}
	opts = append(opts, localdev.WithInvokeOutput(&out), localdev.WithInvokeProgress(io.Discard))
	if err := localdev.Invoke(context.Background(), cfg, "POST /items", opts...); err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	if err := json.Unmarshal(out.Bytes(), &ev); err != nil {
		t.Fatalf("a dry run should print the event alone: %v\n%s", err, out.String())
	}
	if ev.Headers["x-tenant"] != "acme" || ev.Headers["content-type"] != "text/plain" || ev.Body != "hello" {
		t.Errorf("event headers %v body %q: want the variables' header and body", ev.Headers, ev.Body)
	}
}

func TestInvokeSwitchesAreBooleans(t *testing.T) {
	t.Parallel()
	for _, name := range []string{EnvInvokeDryRun, EnvInvokePrintEvent} {
		for value, ok := range map[string]bool{"1": true, "true": true, "0": true, "false": true, "": true, "yes": false, "on": false} {
			_, err := invokeOptions(env(map[string]string{name: value}))
			if ok && err != nil {
				t.Errorf("%s=%q: %v", name, value, err)
			}
			if !ok && (err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "want 1")) {
				t.Errorf("%s=%q: err = %v, want one naming the variable and its values", name, value, err)
			}
		}
	}
}
