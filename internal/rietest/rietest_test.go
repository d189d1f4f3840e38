package rietest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStartArgsUseBothAddresses(t *testing.T) {
	t.Parallel()
	got := startArgs("127.0.0.1:1", "127.0.0.1:2", "/x/bootstrap")
	want := []string{"--runtime-interface-emulator-address", "127.0.0.1:1", "--runtime-api-address", "127.0.0.1:2", "--log-level", "error", "/x/bootstrap"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("startArgs = %q, want %q", got, want)
	}
}

func TestEnvironIsCleanWithTimeoutInSeconds(t *testing.T) {
	t.Parallel()
	env := makeOptions([]Option{WithFunctionTimeout(1500 * time.Millisecond), WithEnv("A=b")}).environ()
	joined := strings.Join(env, "\n")
	for _, want := range []string{"AWS_LAMBDA_FUNCTION_TIMEOUT=1", "A=b"} {
		if !strings.Contains(joined, want) {
			t.Errorf("environment lacks %s: %q", want, env)
		}
	}
	if strings.Contains(joined, "PATH=") || strings.Contains(joined, "HOME=") {
		t.Errorf("environment is not clean: %q", env)
	}
}

func TestRealRIEInvokesAndStops(t *testing.T) {
	ctx := context.Background()
	dir, err := SharedDir()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	status, body, err := r.Invoke(ctx, []byte(`{"version":"2.0","rawPath":"/json"}`))
	if err != nil || status != 200 {
		t.Fatalf("invoke: status %d, err %v, body %s\nlogs: %s", status, err, body, r.Logs())
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(body, &resp); err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Body, `"/json"`) {
		t.Fatalf("echo answer = %s (%v)", body, err)
	}
	r.Stop()
	if r.Alive() {
		t.Fatal("RIE still alive after Stop")
	}
}

func TestLogBufferKeepsTheLastBytes(t *testing.T) {
	t.Parallel()
	b := &syncBuffer{max: 4}
	for _, s := range []string{"ab", "cd", "ef", "gh", "ij"} {
		b.Write([]byte(s))
	}
	if got := b.String(); got != "ghij" {
		t.Errorf("got %q, want the last 4 bytes", got)
	}
}

func TestBuildArgsBuildBesideTheFinalPathStaticAndNoRPC(t *testing.T) {
	t.Parallel()
	got := buildArgs(Binaries{RIE: "/d/aws-lambda-rie", Bootstrap: "/d/bootstrap"}, ".42")
	want := map[string][]string{
		"/d/aws-lambda-rie": {"build", "-o", "/d/aws-lambda-rie.42", RIEPackage},
		"/d/bootstrap":      {"build", "-tags", "lambda.norpc", "-o", "/d/bootstrap.42", "./lambda"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("buildArgs = %q, want %q", got, want)
	}
}

func TestSharedDirIsOnePerCheckout(t *testing.T) {
	t.Parallel()
	a, err := SharedDir()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SharedDir()
	if a != b || !strings.HasPrefix(filepath.Base(a), "lambdalocal-rietest-") {
		t.Fatalf("SharedDir = %q then %q, want the same lambdalocal-rietest-… folder", a, b)
	}
	if fi, err := os.Stat(a); err != nil || !fi.IsDir() {
		t.Fatalf("SharedDir %q is not a folder: %v", a, err)
	}
}
